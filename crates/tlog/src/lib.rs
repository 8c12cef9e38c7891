//! The transparency log's mathematics: RFC 9162 (Certificate Transparency
//! v2) Merkle tree hashes, inclusion and consistency proofs, and their
//! verification, with every proof element length-checked.
//!
//! Also C2SP signed notes (Ed25519) and checkpoints, the signed statement
//! of a log's size and root that clients and witnesses keep.
//!
//! Pure: no storage, no clock, no randomness (a new key's seed is given).
//! The log's storage and sequencing live with the store.

mod checkpoint;
pub mod cosignature;
mod keyed;
mod memory;
mod nodes;
pub mod note;
mod proof;
mod subtree;
pub mod tiles;
mod tree;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use keyed::keyed_hash;
pub use memory::Tree;
pub use nodes::Nodes;
pub use proof::{ProofError, verify_consistency, verify_inclusion};
pub use subtree::{covering_subtrees, is_valid_subtree, verify_subtree_consistency, verify_subtree_inclusion};
pub use tree::{
    Hash, consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, root, subtree_consistency_proof,
};
