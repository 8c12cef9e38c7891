//! Incident forecasting for Fengqiao: where and when incidents will happen,
//! per grid cell and time window, and the honest backtest that measures it.
//!
//! Pure computation: events come in as (time, cell, position) values, forecasts
//! go out as expected counts per cell. Forecasts are about places and times,
//! never about people: nothing here knows who was involved.
//!
//! Models implement [`Model`]: they see the history before the first window,
//! then, window by window, only the events that happened before that window.

mod backtest;
pub mod cocoon;
mod event;
mod feedback;
mod glm;
pub mod knox;
mod metrics;
pub mod models;
mod plot;
pub mod prepare;
mod rng;
pub mod terrain;

pub use backtest::{BacktestConfig, BacktestReport, ModelReport, Paired, run_backtest};
pub use event::{Context, Event, Window};
pub use feedback::{FeedbackConfig, FeedbackDay, FeedbackRun, simulate_feedback, simulate_on_counts};
pub use metrics::{WindowScore, capture_curve, log_likelihood};
pub use models::{MODEL_NAMES, Model, Peek, model_by_name, model_with_officer_weight, unknown_model};
pub use plot::hit_rate_svg;
pub use terrain::{Terrain, terrain};

/// Days are the time unit everywhere in this crate (f64 days since the Unix epoch, UTC).
pub const SECONDS_PER_DAY: f64 = 86_400.0;
