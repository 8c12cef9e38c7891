//! The units file (`--units units.toml`): unit types and speeds, units per
//! station, fixed posts, minimum presence and the planning settings. Without
//! one, the stations and posts in the database are used: each station's
//! `units` as patrol cars, each post as a staffed fixed post.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitsFile {
    #[serde(default = "defaults::response")]
    pub response_minutes: f64,
    #[serde(default = "defaults::visibility")]
    pub visibility_m: f64,
    #[serde(default = "defaults::visit")]
    pub visit_minutes: f64,
    #[serde(default = "defaults::detour")]
    pub detour: f64,
    #[serde(default = "defaults::backup")]
    pub backup: f64,
    #[serde(default = "defaults::one")]
    pub visibility_weight: f64,
    #[serde(default = "defaults::one")]
    pub roam_minutes: f64,
    #[serde(default = "defaults::hot_cells")]
    pub hot_cells: usize,
    /// Speeds in km/h by unit type name.
    #[serde(default = "defaults::unit_types")]
    pub unit_types: BTreeMap<String, f64>,
    #[serde(default, rename = "station")]
    pub stations: Vec<StationEntry>,
    #[serde(default, rename = "post")]
    pub posts: Vec<PostEntry>,
    #[serde(default, rename = "presence")]
    pub presence: Vec<PresenceEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationEntry {
    /// A station in the database, or a new one with `lon` and `lat`.
    pub code: String,
    /// Units by type name.
    pub units: BTreeMap<String, usize>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostEntry {
    pub code: String,
    #[serde(default = "defaults::post_unit")]
    pub unit: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceEntry {
    /// Code of a jurisdiction in the database (its sub-areas included).
    pub jurisdiction: String,
    pub units: usize,
}

mod defaults {
    use std::collections::BTreeMap;
    pub fn response() -> f64 {
        5.0
    }
    pub fn visibility() -> f64 {
        200.0
    }
    pub fn visit() -> f64 {
        15.0
    }
    pub fn detour() -> f64 {
        1.3
    }
    pub fn backup() -> f64 {
        0.25
    }
    pub fn one() -> f64 {
        1.0
    }
    pub fn hot_cells() -> usize {
        6
    }
    pub fn post_unit() -> String {
        "motorbike".into()
    }
    pub fn unit_types() -> BTreeMap<String, f64> {
        BTreeMap::from([("car".into(), 30.0), ("motorbike".into(), 25.0), ("foot".into(), 5.0)])
    }
}

impl Default for UnitsFile {
    fn default() -> Self {
        toml::from_str("").expect("defaults")
    }
}

impl UnitsFile {
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: Self = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        file.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(file)
    }

    fn check(&self) -> Result<(), String> {
        for (name, speed) in &self.unit_types {
            if !(speed.is_finite() && *speed > 0.0) {
                return Err(format!("unit type {name:?}: speed {speed} km/h must be above 0"));
            }
        }
        let known = |t: &str| self.unit_types.contains_key(t);
        for s in &self.stations {
            if let Some(t) = s.units.keys().find(|t| !known(t)) {
                return Err(format!(
                    "station {:?}: unknown unit type {t:?} (known: {})",
                    s.code,
                    self.unit_types.keys().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            if s.lon.is_some() != s.lat.is_some() {
                return Err(format!("station {:?}: give both lon and lat, or neither", s.code));
            }
        }
        for p in &self.posts {
            if !known(&p.unit) {
                return Err(format!("post {:?}: unknown unit type {:?}", p.code, p.unit));
            }
        }
        if self.response_minutes.is_nan() || self.response_minutes <= 0.0 {
            return Err(format!("response_minutes {} must be above 0", self.response_minutes));
        }
        if self.detour.is_nan() || self.detour < 1.0 {
            return Err(format!("detour {} must be at least 1", self.detour));
        }
        if !(0.0..=1.0).contains(&self.backup) {
            return Err(format!("backup {} must be from 0 to 1", self.backup));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let d = UnitsFile::default();
        assert_eq!(d.response_minutes, 5.0);
        assert_eq!(d.unit_types["car"], 30.0);
        let f: UnitsFile = toml::from_str("[[station]]\ncode = \"PS1\"\nunits = { boat = 1 }\n").unwrap();
        assert!(f.check().unwrap_err().contains("unknown unit type \"boat\""));
        assert!(toml::from_str::<UnitsFile>("respons_minutes = 3\n").is_err());
    }
}
