//! Hashes of RFC 9162 section 2.1: leaves and nodes with domain-separating
//! prefixes, the tree head of any size, and proofs built from the leaves.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// SHA-256(0x00 || entry).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// SHA-256(0x01 || left || right).
pub fn node_hash(left: &[u8], right: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two smaller than `n` (n >= 2).
pub(crate) fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// MTH(D[n]) over leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]): the audit path of leaf `index`, leaf to root.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    fn walk(leaves: &[Hash], m: usize, path: &mut Vec<Hash>) {
        let n = leaves.len();
        if n <= 1 {
            return;
        }
        let k = split(n as u64) as usize;
        if m < k {
            walk(&leaves[..k], m, path);
            path.push(root(&leaves[k..]));
        } else {
            walk(&leaves[k..], m - k, path);
            path.push(root(&leaves[..k]));
        }
    }
    walk(leaves, index, &mut path);
    Some(path)
}

/// PROOF(m, D[n]): that the tree of the first `old_size` leaves is a prefix of this one.
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Option<Vec<Hash>> {
    if old_size == 0 {
        return None;
    }
    subtree_consistency_proof(leaves, 0, old_size)
}

/// SUBTREE_PROOF(start, end, D[n]) of the Merkle tree certificates draft:
/// that the subtree `[start, end)` is part of this tree. With `start` 0 it
/// is PROOF(end, D[n]); with `end = start + 1` it is PATH(start, D[n]).
pub fn subtree_consistency_proof(leaves: &[Hash], start: usize, end: usize) -> Option<Vec<Hash>> {
    if end > leaves.len() || !crate::is_valid_subtree(start as u64, end as u64) {
        return None;
    }
    // `known`: the verifier already holds this subtree's hash, so it is left out.
    fn sub(leaves: &[Hash], start: usize, end: usize, known: bool, out: &mut Vec<Hash>) {
        let n = leaves.len();
        if start == 0 && end == n {
            if !known {
                out.push(root(leaves));
            }
            return;
        }
        let k = split(n as u64) as usize;
        if end <= k {
            sub(&leaves[..k], start, end, known, out);
            out.push(root(&leaves[k..]));
        } else if k <= start {
            sub(&leaves[k..], start - k, end - k, known, out);
            out.push(root(&leaves[..k]));
        } else {
            sub(&leaves[k..], 0, end - k, false, out);
            out.push(root(&leaves[..k]));
        }
    }
    let mut out = Vec::new();
    if start < end {
        sub(leaves, start, end, true, &mut out);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_largest_smaller_power_of_two() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(8), 4);
        assert_eq!(split(9), 8);
    }
}
