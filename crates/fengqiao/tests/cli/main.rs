//! The `fengqiao` binary as a user runs it: real files, real databases,
//! exit codes and one-line errors. One test binary, a module per feature.

mod cases;
mod demo;
mod durability;
mod forecasting;
mod fraud;
mod helpers;
mod import;
mod ledger;
mod near_repeat;
mod personnel;
