//! Rosters: named people on shifts over a horizon, keeping each person's
//! contract and meeting the cover each shift needs (pure, no I/O).

mod bound;
pub mod check;
mod colgen;
pub mod cover;
pub mod dp;
pub mod format;
pub mod problem;
pub mod rotation;
mod simplex;
pub mod solve;
pub mod station;

pub use problem::{Cover, Problem, ProblemError, Request, Roster, ShiftType, Staff};
pub use solve::{Options, Solution, solve};
