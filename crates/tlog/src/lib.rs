//! The transparency log's mathematics: RFC 9162 (Certificate Transparency
//! v2) Merkle tree hashes, inclusion and consistency proofs, and their
//! verification, with every proof element length-checked.
//!
//! Pure: no storage, no clock, no keys. The log's storage and sequencing
//! live with the store; checkpoints and signatures in their own module.

mod proof;
mod tree;

pub use proof::{ProofError, verify_consistency, verify_inclusion};
pub use tree::{Hash, consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, root};
