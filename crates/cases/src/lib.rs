//! Fengqiao's closed-loop case engine: disputes (矛盾纠纷), risk hazards
//! (风险隐患) and citizens' requests (群众诉求) moved through configured
//! stages (GB/T 30428: accept → register → dispatch → handle → report →
//! verify → close, with return, rework, extension, listing, deferral and
//! supervision), deadlines in working time with China's holiday calendar,
//! routing to departments, case codes, and dispute risk grading.
//!
//! Pure: no storage and no clock; the store persists what `apply` returns.

pub mod calendar;
pub mod config;
pub mod engine;
pub mod identity;
pub mod kpi;
pub mod privacy;
pub mod risk;
pub mod text;

pub use calendar::{Span, WorkCalendar};
pub use config::{Action, CaseConfig, CaseType, Effect, Route, Stage};
pub use engine::{CaseState, Command, EngineError, Event, case_code};
