//! Incident import: from a CSV file in some city's layout to validated
//! [`NewIncident`]s, with every rejected row accounted for.
//!
//! A [`Mapping`] says which column holds what (time, coordinates and their
//! CRS, category, id, ...). Built-in [`profiles`] cover the datasets Fengqiao
//! is developed on; any other layout is a TOML file in the same form.
//! This crate parses and validates; it does not know the database: batches
//! go to a caller-supplied sink, which commits each one atomically.

mod error;
mod jurisdiction;
mod load;
mod mapping;
mod matcher;
mod parse;
mod records;
mod run;
mod source;
mod zip;

pub use error::IngestError;
pub use jurisdiction::JurisdictionLookup;
pub use load::{LoadError, LoadReport, jurisdiction_lookup, load_facilities, load_incidents, load_jurisdictions};
pub use mapping::{Mapping, TimeSpec, Zone, profile, profile_names, profile_text, toml_error};
pub use parse::{Reject, RowParser};
pub use run::{ImportOptions, ImportSummary, Progress, RejectedRow, import, peek};
pub use source::{CsvSource, ENCODINGS, file_sha256, open_csv_source, open_csv_source_as};

#[cfg(test)]
mod tests;
