//! Tree heads and proofs over any store of complete subtree hashes: the
//! in-memory [`crate::Tree`], or tiles read from a database on demand
//! ([`crate::tiles::TiledNodes`]). A proof reads O(log n) nodes, never the
//! leaves, so its cost does not grow with the log.

use crate::subtree::is_valid_subtree;
use crate::tree::{Hash, empty_root, node_hash, split};

/// A source of the hashes of complete (perfect, aligned) subtrees.
pub trait Nodes {
    type Error;

    /// Leaves the source covers.
    fn size(&self) -> u64;

    /// The hash of complete subtree `index` at `level`: leaves
    /// `index * 2^level .. (index + 1) * 2^level`, all below [`Nodes::size`].
    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;

    /// MTH(D[start..end]) for `end <= size`.
    fn hash_range(&self, start: u64, end: u64) -> Result<Hash, Self::Error> {
        let n = end - start;
        if n == 0 {
            return Ok(empty_root());
        }
        if n.is_power_of_two() && start.is_multiple_of(n) {
            let k = n.trailing_zeros();
            return self.node(k, start >> k);
        }
        let k = split(n);
        Ok(node_hash(
            &self.hash_range(start, start + k)?,
            &self.hash_range(start + k, end)?,
        ))
    }

    /// The tree head at `size`, if the source covers it.
    fn head(&self, size: u64) -> Result<Option<Hash>, Self::Error> {
        if size > self.size() {
            return Ok(None);
        }
        self.hash_range(0, size).map(Some)
    }

    /// The hash of the subtree `[start, end)`.
    fn subtree_head(&self, start: u64, end: u64) -> Result<Option<Hash>, Self::Error> {
        if !is_valid_subtree(start, end) || end > self.size() {
            return Ok(None);
        }
        self.hash_range(start, end).map(Some)
    }

    /// The audit path of entry `index` within the subtree `[start, end)`
    /// (the whole tree of `end` leaves when `start` is 0).
    fn prove_subtree_inclusion(&self, index: u64, start: u64, end: u64) -> Result<Option<Vec<Hash>>, Self::Error> {
        if !is_valid_subtree(start, end) || end > self.size() || !(start..end).contains(&index) {
            return Ok(None);
        }
        let mut path = Vec::new();
        let (mut lo, mut hi) = (start, end);
        while hi - lo > 1 {
            let k = lo + split(hi - lo);
            if index < k {
                path.push(self.hash_range(k, hi)?);
                hi = k;
            } else {
                path.push(self.hash_range(lo, k)?);
                lo = k;
            }
        }
        path.reverse();
        Ok(Some(path))
    }

    /// SUBTREE_PROOF(start, end, D[size]): the subtree `[start, end)` is part
    /// of the tree of `size` leaves. With `start` 0 this is RFC 9162's PROOF.
    fn prove_subtree_consistency(&self, start: u64, end: u64, size: u64) -> Result<Option<Vec<Hash>>, Self::Error> {
        if !is_valid_subtree(start, end) || end > size || size > self.size() {
            return Ok(None);
        }
        let mut path = Vec::new();
        if start == end {
            return Ok(Some(path));
        }
        // The window [lo, hi) of the tree being descended; start and end stay absolute.
        let (mut start, mut lo, mut hi, mut known) = (start, 0u64, size, true);
        loop {
            if start == lo && end == hi {
                if !known {
                    path.push(self.hash_range(lo, hi)?);
                }
                break;
            }
            let k = lo + split(hi - lo);
            if end <= k {
                path.push(self.hash_range(k, hi)?);
                hi = k;
            } else {
                path.push(self.hash_range(lo, k)?);
                if start < k {
                    // The subtree straddles the split: prove its right part, send its left.
                    known = false;
                    start = k;
                }
                lo = k;
            }
        }
        path.reverse();
        Ok(Some(path))
    }
}
