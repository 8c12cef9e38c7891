//! An append-only tree that keeps every complete subtree's hash, level by
//! level (level k holds the roots of aligned runs of 2^k leaves), so that
//! the head of any earlier size and proofs against it cost O(log² n)
//! hashes, not a pass over all leaves. The levels are exactly what C2SP
//! tiles store, eight levels to a tile.

use crate::nodes::Nodes;
use crate::tree::{Hash, node_hash};
use std::convert::Infallible;

#[derive(Debug, Clone, Default)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The complete subtree hashes at level `k`, if the tree is that tall.
    pub(crate) fn level(&self, k: usize) -> Option<&[Hash]> {
        self.levels.get(k).map(Vec::as_slice)
    }

    /// Appends a leaf hash; returns its index.
    pub fn push(&mut self, leaf: Hash) -> u64 {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf);
        let index = self.levels[0].len() - 1;
        // Complete every subtree this leaf closes.
        let mut k = 0;
        while self.levels[k].len().is_multiple_of(2) {
            let n = self.levels[k].len();
            let parent = node_hash(&self.levels[k][n - 2], &self.levels[k][n - 1]);
            if self.levels.len() == k + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[k + 1].push(parent);
            k += 1;
        }
        index as u64
    }

    /// The tree head at `size` (any size up to the current one).
    pub fn root(&self, size: u64) -> Option<Hash> {
        infallible(self.head(size))
    }

    /// The audit path of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Option<Vec<Hash>> {
        self.subtree_inclusion_proof(index, 0, size)
    }

    /// PROOF(old, D[new]).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Option<Vec<Hash>> {
        if old == 0 {
            return None;
        }
        self.subtree_consistency_proof(0, old, new)
    }

    /// The hash of the subtree `[start, end)`, once the tree holds it.
    pub fn subtree_hash(&self, start: u64, end: u64) -> Option<Hash> {
        infallible(self.subtree_head(start, end))
    }

    /// The audit path of entry `index` within the subtree `[start, end)`.
    pub fn subtree_inclusion_proof(&self, index: u64, start: u64, end: u64) -> Option<Vec<Hash>> {
        infallible(self.prove_subtree_inclusion(index, start, end))
    }

    /// SUBTREE_PROOF(start, end, D[size]).
    pub fn subtree_consistency_proof(&self, start: u64, end: u64, size: u64) -> Option<Vec<Hash>> {
        infallible(self.prove_subtree_consistency(start, end, size))
    }
}

fn infallible<T>(r: Result<T, Infallible>) -> T {
    match r {
        Ok(t) => t,
        Err(never) => match never {},
    }
}

impl Nodes for Tree {
    type Error = Infallible;

    fn size(&self) -> u64 {
        Tree::size(self)
    }

    fn node(&self, level: u32, index: u64) -> Result<Hash, Infallible> {
        Ok(self.levels[level as usize][index as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subtree::{is_valid_subtree, verify_subtree_consistency, verify_subtree_inclusion};
    use crate::tree::empty_root;
    use crate::tree::{consistency_proof, inclusion_proof, leaf_hash, root, subtree_consistency_proof};
    use proptest::prelude::*;

    proptest! {
        /// The stored tree answers exactly what the recursive definitions do.
        #[test]
        fn agrees_with_the_definitions(n in 1usize..140, a in 0usize..140, b in 0usize..140) {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&(i as u32).to_le_bytes())).collect();
            let mut t = Tree::new();
            for l in &leaves {
                t.push(*l);
            }
            let size = 1 + a % n;
            prop_assert_eq!(t.root(size as u64).unwrap(), root(&leaves[..size]));
            let i = b % size;
            prop_assert_eq!(t.inclusion_proof(i as u64, size as u64).unwrap(), inclusion_proof(&leaves[..size], i).unwrap());
            let old = 1 + b % size;
            prop_assert_eq!(
                t.consistency_proof(old as u64, size as u64).unwrap(),
                consistency_proof(&leaves[..size], old).unwrap()
            );
        }
    }

    proptest! {
        /// Subtree hashes and proofs from the stored levels equal the
        /// recursive definitions, and verify.
        #[test]
        fn subtrees_agree_with_the_definitions(n in 1usize..140, a in 0usize..140, b in 0usize..140, c in 0usize..140) {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&(i as u32).to_le_bytes())).collect();
            let mut t = Tree::new();
            for l in &leaves {
                t.push(*l);
            }
            let size = 1 + a % n;
            // A valid subtree ending within `size`: the aligned block of some width around an entry.
            let width = 1usize << (b % 8);
            let start = (c % size) / width * width;
            let end = (start + width).min(size);
            prop_assert!(is_valid_subtree(start as u64, end as u64));
            let hash = t.subtree_hash(start as u64, end as u64).unwrap();
            prop_assert_eq!(hash, root(&leaves[start..end]));
            let proof = t.subtree_consistency_proof(start as u64, end as u64, size as u64).unwrap();
            prop_assert_eq!(&proof, &subtree_consistency_proof(&leaves[..size], start, end).unwrap());
            let refs: Vec<&[u8]> = proof.iter().map(|h| h.as_slice()).collect();
            let head = t.root(size as u64).unwrap();
            prop_assert!(verify_subtree_consistency(start as u64, end as u64, size as u64, &refs, &hash, &head).is_ok());
            // Another tree of the same size with one entry of the subtree changed does not verify.
            let mut other = leaves[..size].to_vec();
            other[start + c % (end - start)] = leaf_hash(b"changed");
            prop_assert!(verify_subtree_consistency(start as u64, end as u64, size as u64, &refs, &hash, &root(&other)).is_err());
            let index = start + c % (end - start);
            let path = t.subtree_inclusion_proof(index as u64, start as u64, end as u64).unwrap();
            prop_assert_eq!(&path, &inclusion_proof(&leaves[start..end], index - start).unwrap());
            let refs: Vec<&[u8]> = path.iter().map(|h| h.as_slice()).collect();
            prop_assert!(verify_subtree_inclusion(index as u64, start as u64, end as u64, &leaves[index], &refs, &hash).is_ok());
        }
    }

    #[test]
    fn empty_and_out_of_range() {
        let mut t = Tree::new();
        assert_eq!(t.root(0), Some(empty_root()));
        assert_eq!(t.root(1), None);
        t.push(leaf_hash(b"x"));
        assert_eq!(t.inclusion_proof(1, 1), None);
        assert_eq!(t.consistency_proof(0, 1), None);
        assert_eq!(t.consistency_proof(1, 1), Some(vec![]));
    }
}
