//! Subtrees of a Merkle tree (draft-ietf-plants-merkle-tree-certs, section
//! "Subtrees"): an interval `[start, end)` whose start is a multiple of the
//! smallest power of two at least its size. A subtree's hash never changes
//! as the log grows, so one signed subtree can vouch for a whole batch of
//! entries; its inclusion and consistency proofs tie entries to it and it
//! to any later tree head.
//!
//! Verification only; the proofs are made by [`crate::Tree`] and, by the
//! recursive definitions, in `tree.rs`.

use crate::proof::{ProofError, elements, hash};
use crate::tree::{Hash, empty_root, node_hash};

/// Whether `[start, end)` is a subtree: `start <= end` and `start` is a
/// multiple of BIT_CEIL(end - start). `[0, x)` and `[x, x)` always are.
pub fn is_valid_subtree(start: u64, end: u64) -> bool {
    if start > end {
        return false;
    }
    let size = end - start;
    match size.checked_next_power_of_two() {
        Some(ceil) => start & (ceil - 1) == 0,
        // BIT_CEIL would be 2^64: only a start of 0 is a multiple.
        None => start == 0,
    }
}

/// Two adjacent subtrees `[left_start, mid)` and `[mid, end)` that cover
/// `[start, end)` with fewer extra entries before `start` than in `[start, mid)`.
pub fn covering_subtrees(start: u64, end: u64) -> ((u64, u64), (u64, u64)) {
    assert!(start <= end, "an interval needs start <= end");
    if end - start <= 1 {
        return ((start, end), (end, end));
    }
    let last = end - 1;
    // The height at which the paths to `start` and `last` part.
    let split = u64::BITS - 1 - (start ^ last).leading_zeros();
    let mask = (1u64 << split) - 1;
    let mid = last & !mask;
    // The lowest ancestor of [start, mid): just above start's highest zero bit below `split`.
    let left_split = u64::BITS - (!start & mask).leading_zeros();
    let left_start = start & !((1u64 << left_split) - 1);
    ((left_start, mid), (mid, end))
}

fn check_subtree(start: u64, end: u64) -> Result<(), ProofError> {
    if is_valid_subtree(start, end) {
        Ok(())
    } else {
        Err(ProofError::NotASubtree { start, end })
    }
}

/// Checks that `leaf_hash` is entry `index` of the subtree `[start, end)` whose hash is `subtree_hash`.
pub fn verify_subtree_inclusion(
    index: u64,
    start: u64,
    end: u64,
    leaf_hash: &[u8],
    proof: &[&[u8]],
    subtree_hash: &[u8],
) -> Result<(), ProofError> {
    check_subtree(start, end)?;
    if !(start..end).contains(&index) {
        return Err(ProofError::IndexOutOfRange { index, size: end });
    }
    // A subtree is a Merkle tree of its own entries.
    crate::proof::verify_inclusion(index - start, end - start, leaf_hash, proof, subtree_hash)
}

/// Checks that the subtree `[start, end)` with hash `subtree_hash` holds the
/// same entries as the tree of `size` leaves with `root` does at those positions.
pub fn verify_subtree_consistency(
    start: u64,
    end: u64,
    size: u64,
    proof: &[&[u8]],
    subtree_hash: &[u8],
    root: &[u8],
) -> Result<(), ProofError> {
    check_subtree(start, end)?;
    if end > size {
        return Err(ProofError::SizesReversed { old: end, new: size });
    }
    if start == 0 && end == size && start < end {
        // The subtree is the whole tree: nothing to hash, as for equal sizes in RFC 9162.
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if subtree_hash == root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let node = hash(subtree_hash)?;
    if start == end {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if node == empty_root() {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let root = hash(root)?;
    let mut path = elements(proof)?.into_iter();
    let (mut f, mut s, mut t) = (start, end - 1, size - 1);
    let shift = |f: &mut u64, s: &mut u64, t: &mut u64| {
        *f >>= 1;
        *s >>= 1;
        *t >>= 1;
    };
    if s == t {
        while f != s {
            shift(&mut f, &mut s, &mut t);
        }
    } else {
        while f != s && s & 1 == 1 {
            shift(&mut f, &mut s, &mut t);
        }
    }
    let first = if f == s {
        node
    } else {
        path.next().ok_or(ProofError::WrongLength)?
    };
    let (mut fr, mut sr): (Hash, Hash) = (first, first);
    for c in path {
        if t == 0 {
            return Err(ProofError::WrongLength);
        }
        if s & 1 == 1 || s == t {
            if f < s {
                fr = node_hash(&c, &fr);
            }
            sr = node_hash(&c, &sr);
            while s & 1 == 0 && s != 0 {
                shift(&mut f, &mut s, &mut t);
            }
        } else {
            sr = node_hash(&sr, &c);
        }
        shift(&mut f, &mut s, &mut t);
    }
    if t != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr != node || sr != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtrees_are_aligned_intervals() {
        assert!(is_valid_subtree(0, 13));
        assert!(is_valid_subtree(4, 8));
        assert!(is_valid_subtree(8, 13));
        assert!(is_valid_subtree(7, 7));
        assert!(!is_valid_subtree(4, 9));
        assert!(!is_valid_subtree(6, 10));
        assert!(!is_valid_subtree(3, 2));
        assert!(is_valid_subtree(0, u64::MAX));
        assert!(!is_valid_subtree(1, u64::MAX));
        assert!(is_valid_subtree(1 << 63, u64::MAX));
    }

    #[test]
    fn the_drafts_covering_example() {
        assert_eq!(covering_subtrees(5, 13), ((4, 8), (8, 13)));
        assert_eq!(covering_subtrees(7, 9), ((7, 8), (8, 9)));
        assert_eq!(covering_subtrees(3, 3), ((3, 3), (3, 3)));
        assert_eq!(covering_subtrees(3, 4), ((3, 4), (4, 4)));
    }
}
