//! The Fengqiao domain: what an incident (警情), a category of the 110 code
//! table and a jurisdiction are, and the rules every one of them obeys.
//!
//! Pure types and validation only. Nothing here reads files, talks to a
//! database or knows about HTTP; values are parsed and checked once, at the
//! edge, and are valid from then on.

mod category;
pub mod duty;
mod incident;
mod jurisdiction;
pub mod personnel;

pub use category::{Category, CategoryError, CategoryTable};
pub use incident::{Facility, FacilityKind, Incident, NewIncident, Origin, TimePrecision, hour_of_week};
pub use jurisdiction::{Jurisdiction, Level};
