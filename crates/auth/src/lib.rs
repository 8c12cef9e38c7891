//! Accounts and access: argon2id password hashing, the policy of which
//! role may use which capability (configuration, not code), and the
//! principal a request acts as, with the scope of records it may see.
//!
//! Pure: the caller supplies salts and random tokens; storage and HTTP
//! live elsewhere.

pub mod password;
pub mod policy;

pub use policy::{Permission, Policy, Principal, Scope};
