//! The server's integration tests: one test binary, a module per feature.
//! Each test starts the real server (built as production builds it, through
//! `Application::build`) on 127.0.0.1:0 with a fresh database per test
//! (SQLite, or PostgreSQL with `FENGQIAO_TEST_BACKEND=postgres`).

mod access;
mod anti_fraud;
mod callbacks;
mod cases;
mod equity;
mod forecasts_and_plans;
mod hardening;
mod helpers;
mod incidents;
mod ledger;
mod notifications;
mod opening;
mod personnel;
mod prevention;
mod public;
mod rules;
