//! Fengqiao's use cases: the one API that the CLI (`fengqiao`) and the HTTP
//! server (`fengqiao-server`) both call, and the rules every face obeys
//! (dispute risk grading, 民转刑 linking, the forecast's validation windows,
//! coordinate checks). Requests are plain types; errors carry a code from
//! one table ([`error::Code`]). Knows neither clap nor axum.

pub mod address;
pub mod anti_fraud;
pub mod attachments;
pub mod backtest;
pub mod callbacks;
pub mod campaigns;
pub mod cases;
pub mod demo_cases;
pub mod demo_personnel;
pub mod deployment;
pub mod duty_level;
pub mod equity;
pub mod error;
pub mod escalation;
pub mod forecast;
pub mod imports;
pub mod incident_files;
pub mod ledger;
pub mod mediation;
pub mod mediators;
pub mod near_repeat;
pub mod net;
pub mod notify;
pub mod patrol_sheet;
pub mod personnel;
pub mod prevention;
pub mod replay_period;
pub mod replay_plan;
pub mod replay_roster;
pub mod roster;
pub mod settings;
pub mod staffing;
pub mod store;
pub mod units;
pub mod users;
pub mod volunteers;

pub use error::{Code, Error, Result};
pub use settings::Settings;
