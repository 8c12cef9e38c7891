//! Deployment planning as weighted maximal covering (Church & ReVelle 1974):
//! open a given number of facilities (patrol units at positions) per class
//! (station × unit type) so that as much forecast demand as possible lies
//! within reach of one of them, with a bonus for a second, backup cover and
//! minimum presence per area.
//!
//! Pure: instances come in built, solutions go out as indices. Turning a
//! forecast and a units file into an instance, road networks and output
//! formats live with the callers.

mod coverage;
pub mod deploy;
#[cfg(feature = "exact")]
mod exact;
mod greedy;
mod instance;
pub mod kmeans;
pub mod kpi;
mod lagrange;
mod network;
mod perturb;
mod rng;
pub mod schedule;
mod search;
mod solve;
pub mod travel;

#[cfg(feature = "exact")]
pub use exact::{ExactOutcome, solve_exact};
pub use instance::{Instance, InstanceError, MinGroup, ParseError, parse_mclp};
pub use lagrange::{LagrangeResult, lagrangian_bound};
pub use network::RoadNetwork;
pub use solve::{Method, Solution, SolveOptions, solve};

/// The weight reached by at least one of `open` (repeats allowed), with the
/// instance's fixed posts.
pub fn covered_weight(inst: &Instance, open: &[u32]) -> f64 {
    let mut open = open.to_vec();
    open.sort_unstable();
    open.dedup();
    coverage::Coverage::from_open(inst, &open).covered_weight()
}
