//! The column mapping of an incident file, as TOML. Built-in profiles are
//! mapping files shipped in `profiles/`; `--map FILE` reads the same form.

use crate::IngestError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// How to read time values that carry no UTC offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    /// Local wall-clock time in the mapping's `timezone` (the default).
    #[default]
    Local,
    /// Already UTC.
    Utc,
}

/// Where a timestamp comes from: one column with formats, a date column plus
/// an hour column, or separate year/month/day[/hour/minute] columns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSpec {
    pub column: Option<String>,
    /// chrono strftime formats, tried in order; `rfc3339` reads an explicit offset.
    #[serde(default)]
    pub format: Vec<String>,
    pub date_column: Option<String>,
    pub date_format: Option<String>,
    pub hour_column: Option<String>,
    pub year: Option<String>,
    pub month: Option<String>,
    pub day: Option<String>,
    pub hour: Option<String>,
    pub minute: Option<String>,
    #[serde(default)]
    pub zone: Zone,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueMap {
    pub column: Option<String>,
    pub default: String,
    /// raw value (case-insensitive; `PREFIX*` matches by prefix) -> target
    #[serde(default)]
    pub map: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub name: String,
    /// IANA time zone of the place, e.g. `Asia/Shanghai`.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// CRS of the x/y columns, e.g. `EPSG:4326`, `GCJ02`, `EPSG:2913`.
    #[serde(default = "default_crs")]
    pub crs: String,
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    /// The columns' names, for a file without a header row (its first line
    /// is data); empty when the file names its columns itself.
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub decimal_comma: bool,
    /// Source id column; without one, rows are keyed by a hash of their content.
    pub id: Option<String>,
    pub x: String,
    pub y: String,
    pub time: TimeSpec,
    pub received: Option<TimeSpec>,
    pub dispatched: Option<TimeSpec>,
    pub arrived: Option<TimeSpec>,
    pub closed: Option<TimeSpec>,
    pub unit: Option<String>,
    /// Columns joined (", ") into the address text.
    #[serde(default)]
    pub address: Vec<String>,
    /// Column naming the kind of place (street, residence, shop, ...).
    pub place_type: Option<String>,
    pub category: ValueMap,
    #[serde(default = "default_origin")]
    pub origin: ValueMap,
    /// The area in which coordinates are plausible, WGS84
    /// `[min_lon, min_lat, max_lon, max_lat]`; points outside are rejected.
    pub bbox: Option<[f64; 4]>,
}

fn default_timezone() -> String {
    "Asia/Shanghai".into()
}
fn default_crs() -> String {
    "EPSG:4326".into()
}
fn default_delimiter() -> String {
    ",".into()
}
fn default_origin() -> ValueMap {
    ValueMap {
        column: None,
        default: "unknown".into(),
        map: BTreeMap::new(),
    }
}

const PROFILES: &[(&str, &str)] = &[
    ("chicago", include_str!("../profiles/chicago.toml")),
    ("chicago-burglary", include_str!("../profiles/chicago-burglary.toml")),
    ("cincinnati", include_str!("../profiles/cincinnati.toml")),
    ("cn-110", include_str!("../profiles/cn-110.toml")),
    ("cn-110-bd09", include_str!("../profiles/cn-110.toml")),
    ("cn-110-wgs84", include_str!("../profiles/cn-110.toml")),
    ("fengqiao", include_str!("../../demo/src/demo_mapping.toml")),
    ("houston", include_str!("../profiles/houston.toml")),
    ("medellin", include_str!("../profiles/medellin.toml")),
    ("nyc-vehicle", include_str!("../profiles/nyc-vehicle.toml")),
    ("portland", include_str!("../profiles/portland.toml")),
    ("sf", include_str!("../profiles/sf.toml")),
    ("vancouver", include_str!("../profiles/vancouver.toml")),
];

pub fn profile_names() -> Vec<&'static str> {
    PROFILES.iter().map(|(n, _)| *n).collect()
}

/// A built-in profile's TOML text, as a mapping file would hold it.
pub fn profile_text(name: &str) -> Option<String> {
    let (_, text) = PROFILES.iter().find(|(n, _)| *n == name)?;
    // The same layout with coordinates from another map.
    let crs = match name {
        "cn-110-bd09" => "BD09",
        "cn-110-wgs84" => "EPSG:4326",
        _ => return Some(text.to_string()),
    };
    Some(
        text.replacen("name = \"cn-110\"", &format!("name = \"{name}\""), 1)
            .replacen("crs = \"GCJ02\"", &format!("crs = \"{crs}\""), 1),
    )
}

/// A built-in profile by name.
pub fn profile(name: &str) -> Result<Mapping, IngestError> {
    let text = profile_text(name).ok_or_else(|| IngestError::UnknownProfile {
        name: name.to_string(),
        known: profile_names().join(", "),
    })?;
    Mapping::from_toml(&text, &format!("profile {name}"))
}

impl Mapping {
    /// Parses a mapping; `origin` names it in errors (a file path or profile).
    pub fn from_toml(text: &str, origin: &str) -> Result<Mapping, IngestError> {
        toml::from_str(text).map_err(|e| match toml_position(text, &e) {
            Some((line, column)) => IngestError::MappingSyntax {
                origin: origin.to_string(),
                line,
                column,
                message: toml_message(&e),
            },
            None => IngestError::Mapping {
                origin: origin.to_string(),
                reason: toml_message(&e),
            },
        })
    }
}

/// Where a TOML error is: its line and column (in characters), from 1.
fn toml_position(text: &str, e: &toml::de::Error) -> Option<(usize, usize)> {
    let span = e.span()?;
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

/// A TOML error's message on one line.
fn toml_message(e: &toml::de::Error) -> String {
    e.message().trim().replace('\n', "; ")
}

/// A TOML error on one line: `line L, column C: message`.
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    match toml_position(text, e) {
        Some((line, column)) => format!("line {line}, column {column}: {}", toml_message(e)),
        None => toml_message(e),
    }
}
