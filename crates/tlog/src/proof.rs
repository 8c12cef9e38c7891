//! Verification of inclusion and consistency proofs (RFC 9162 sections
//! 2.1.3.2 and 2.1.4.2). Proof elements arrive as byte strings: anything
//! that is not 32 bytes is an error, never silently skipped.

use crate::tree::{Hash, node_hash};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProofError {
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("old size {old} is larger than new size {new}")]
    SizesReversed { old: u64, new: u64 },
    #[error("[{start}, {end}) is not a subtree")]
    NotASubtree { start: u64, end: u64 },
    #[error("a consistency proof from the empty tree proves nothing")]
    EmptyOldTree,
    #[error("proof element {index} has {len} bytes, not 32")]
    BadElement { index: usize, len: usize },
    #[error("a hash has {0} bytes, not 32")]
    BadHash(usize),
    #[error("the proof has the wrong number of elements")]
    WrongLength,
    #[error("the proof does not lead to the root")]
    RootMismatch,
}

pub(crate) fn elements(proof: &[&[u8]]) -> Result<Vec<Hash>, ProofError> {
    proof
        .iter()
        .enumerate()
        .map(|(index, p)| Hash::try_from(*p).map_err(|_| ProofError::BadElement { index, len: p.len() }))
        .collect()
}

pub(crate) fn hash(h: &[u8]) -> Result<Hash, ProofError> {
    Hash::try_from(h).map_err(|_| ProofError::BadHash(h.len()))
}

/// Shifts both right until the lowest bit of `f` is set or `f` is 0.
fn shift_to_set_bit(f: &mut u64, s: &mut u64) {
    while *f & 1 == 0 && *f != 0 {
        *f >>= 1;
        *s >>= 1;
    }
}

/// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[&[u8]],
    root: &[u8],
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let proof = elements(proof)?;
    let (leaf, root) = (hash(leaf_hash)?, hash(root)?);
    let (mut f, mut s) = (index, size - 1);
    let mut r = leaf;
    for p in &proof {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                shift_to_set_bit(&mut f, &mut s);
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `old_size` leaves with `old_root` is a prefix of
/// the tree of `new_size` leaves with `new_root`: the subtree `[0, old_size)`
/// check, with the empty old tree refused as RFC 9162 clients do.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &[u8],
    new_root: &[u8],
    proof: &[&[u8]],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::SizesReversed {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == 0 {
        return Err(ProofError::EmptyOldTree);
    }
    crate::subtree::verify_subtree_consistency(0, old_size, new_size, proof, old_root, new_root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{consistency_proof, inclusion_proof, leaf_hash, root};
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&(i as u64).to_be_bytes())).collect()
    }

    proptest! {
        /// Every proof the tree makes verifies, and changing any byte of it breaks it.
        #[test]
        fn proofs_round_trip(n in 1usize..70, a in 0usize..70, b in 0usize..70, flip in 0usize..2000) {
            let all = leaves(n);
            let r = root(&all);
            let i = a % n;
            let path = inclusion_proof(&all, i).unwrap();
            let refs: Vec<&[u8]> = path.iter().map(|h| h.as_slice()).collect();
            prop_assert!(verify_inclusion(i as u64, n as u64, &all[i], &refs, &r).is_ok());
            if !path.is_empty() {
                let mut bad = path.clone();
                let k = flip % bad.len();
                bad[k][flip % 32] ^= 1;
                let refs: Vec<&[u8]> = bad.iter().map(|h| h.as_slice()).collect();
                prop_assert!(verify_inclusion(i as u64, n as u64, &all[i], &refs, &r).is_err());
            }
            let m = 1 + b % n;
            let old = root(&all[..m]);
            let proof = consistency_proof(&all, m).unwrap();
            let refs: Vec<&[u8]> = proof.iter().map(|h| h.as_slice()).collect();
            prop_assert!(verify_consistency(m as u64, n as u64, &old, &r, &refs).is_ok());
            if m < n {
                let other = leaf_hash(b"not this one");
                let mut forked = all.clone();
                forked[m - 1] = other;
                prop_assert!(verify_consistency(m as u64, n as u64, &root(&forked[..m]), &r, &refs).is_err());
            }
        }
    }
}
