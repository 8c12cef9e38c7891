//! The mediator pool as data: community officers, volunteer mediators,
//! studios such as a 老娘舅工作室, village committees and judicial
//! mediators, added and retired by the people who run the pool, each change
//! logged. Seeded once from the case configuration's list.

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMediator {
    pub name: String,
    /// `officer`, `volunteer`, `studio`, `village_committee` or `judicial`.
    pub kind: String,
    /// Jurisdiction codes served (empty: everywhere).
    pub areas: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mediator {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub areas: Vec<String>,
    /// Retired mediators stay on file (their cases name them) but take no new ones.
    pub active: bool,
    pub version: u32,
    pub added_at: DateTime<Utc>,
    pub added_by: String,
}
