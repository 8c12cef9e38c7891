//! The units file (`--units units.toml`): unit types and speeds, units per
//! station, fixed posts, minimum presence and the planning settings. Without
//! one, the stations and posts in the database are used: each station's
//! `units` as patrol cars, each post as a staffed fixed post.

use crate::error::{Error, Result};
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
    /// A road network for travel times (else straight-line distance × detour).
    pub roads: Option<RoadsEntry>,
    /// The directory relative paths in the file are read from.
    #[serde(skip)]
    pub base: std::path::PathBuf,
}

/// Roads as GeoJSON lines (WGS84), or as node and edge tables
/// (`id,lon,lat` and `u,v` with an optional `length_m`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoadsEntry {
    pub geojson: Option<std::path::PathBuf>,
    pub nodes: Option<std::path::PathBuf>,
    pub edges: Option<std::path::PathBuf>,
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
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
        let mut file: Self = toml::from_str(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
        file.base = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        file.check()
            .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
        Ok(file)
    }

    fn check(&self) -> Result<()> {
        for (name, speed) in &self.unit_types {
            if !(speed.is_finite() && *speed > 0.0) {
                return Err(Error::input(format!(
                    "unit type {name:?}: speed {speed} km/h must be above 0"
                )));
            }
        }
        let known = |t: &str| self.unit_types.contains_key(t);
        for s in &self.stations {
            if let Some(t) = s.units.keys().find(|t| !known(t)) {
                return Err(Error::input(format!(
                    "station {:?}: unknown unit type {t:?} (known: {})",
                    s.code,
                    self.unit_types.keys().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
            if s.lon.is_some() != s.lat.is_some() {
                return Err(Error::input(format!(
                    "station {:?}: give both lon and lat, or neither",
                    s.code
                )));
            }
        }
        for p in &self.posts {
            if !known(&p.unit) {
                return Err(Error::input(format!(
                    "post {:?}: unknown unit type {:?}",
                    p.code, p.unit
                )));
            }
        }
        if self.response_minutes.is_nan() || self.response_minutes <= 0.0 {
            return Err(Error::input(format!(
                "response_minutes {} must be above 0",
                self.response_minutes
            )));
        }
        if self.detour.is_nan() || self.detour < 1.0 {
            return Err(Error::input(format!("detour {} must be at least 1", self.detour)));
        }
        if let Some(r) = &self.roads
            && r.geojson.is_some() == (r.nodes.is_some() || r.edges.is_some())
        {
            return Err(Error::input("[roads]: give either geojson, or nodes and edges"));
        }
        if let Some(r) = &self.roads
            && r.nodes.is_some() != r.edges.is_some()
        {
            return Err(Error::input("[roads]: nodes and edges go together"));
        }
        if !(0.0..=1.0).contains(&self.backup) {
            return Err(Error::input(format!("backup {} must be from 0 to 1", self.backup)));
        }
        Ok(())
    }
}

/// Reads the road network named in a units file, projected by `xy`.
pub fn read_roads(
    entry: &RoadsEntry,
    base: &Path,
    xy: impl Fn(f64, f64) -> (f64, f64),
) -> Result<fengqiao_plan::RoadNetwork> {
    let open = |p: &Path| {
        let p = base.join(p);
        std::fs::read_to_string(&p)
            .map(|t| (t, p.clone()))
            .map_err(|e| Error::input(format!("{}: {e}", p.display())))
    };
    if let Some(g) = &entry.geojson {
        let (text, path) = open(g)?;
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
        let mut index: std::collections::HashMap<(i64, i64), u32> = std::collections::HashMap::new();
        let mut points = Vec::new();
        let mut edges = Vec::new();
        let features = v["features"]
            .as_array()
            .ok_or_else(|| Error::input(format!("{}: not a GeoJSON FeatureCollection", path.display())))?;
        for (i, f) in features.iter().enumerate() {
            let g = &f["geometry"];
            let lines: Vec<&serde_json::Value> = match g["type"].as_str() {
                Some("LineString") => vec![&g["coordinates"]],
                Some("MultiLineString") => g["coordinates"].as_array().into_iter().flatten().collect(),
                _ => {
                    return Err(Error::input(format!(
                        "{}: feature {i}: roads must be LineString or MultiLineString",
                        path.display()
                    )));
                }
            };
            for line in lines {
                let mut last: Option<u32> = None;
                for c in line.as_array().into_iter().flatten() {
                    let (Some(lon), Some(lat)) = (c[0].as_f64(), c[1].as_f64()) else {
                        return Err(Error::input(format!(
                            "{}: feature {i}: a coordinate is not [lon, lat]",
                            path.display()
                        )));
                    };
                    let key = ((lon * 1e7).round() as i64, (lat * 1e7).round() as i64);
                    let id = *index.entry(key).or_insert_with(|| {
                        points.push(xy(lon, lat));
                        points.len() as u32 - 1
                    });
                    if let Some(prev) = last.filter(|p| *p != id) {
                        edges.push((prev, id));
                    }
                    last = Some(id);
                }
            }
        }
        let mut net = fengqiao_plan::RoadNetwork::new(points);
        for (u, v) in edges {
            net.add_edge(u, v, None);
        }
        return Ok(net);
    }
    let (Some(n), Some(e)) = (&entry.nodes, &entry.edges) else {
        return Err(Error::input("[roads]: give either geojson, or nodes and edges"));
    };
    let npath = base.join(n);
    let (header, rows) = read_table(&npath)?;
    let (id, lon, lat) = (
        column(&npath, &header, "id")?,
        column(&npath, &header, "lon")?,
        column(&npath, &header, "lat")?,
    );
    let mut index = std::collections::HashMap::new();
    let mut points = Vec::new();
    for (line, row) in &rows {
        let at = xy(
            field(&npath, *line, row, lon, "lon")?,
            field(&npath, *line, row, lat, "lat")?,
        );
        index.insert(row.get(id).cloned().unwrap_or_default(), points.len() as u32);
        points.push(at);
    }
    let mut net = fengqiao_plan::RoadNetwork::new(points);
    let epath = base.join(e);
    let (header, rows) = read_table(&epath)?;
    let (u, v) = (column(&epath, &header, "u")?, column(&epath, &header, "v")?);
    let length = header.iter().position(|h| h == "length_m");
    for (line, row) in &rows {
        let node = |k: usize| {
            let name = row.get(k).map_or("", String::as_str);
            index.get(name).copied().ok_or_else(|| {
                Error::input(format!(
                    "{}:{line}: node {name:?} is not in {}",
                    epath.display(),
                    npath.display()
                ))
            })
        };
        let metres = match length.and_then(|k| row.get(k)).filter(|l| !l.is_empty()) {
            Some(l) => Some(
                l.parse::<f64>()
                    .ok()
                    .filter(|l| l.is_finite() && *l >= 0.0)
                    .ok_or_else(|| {
                        Error::input(format!(
                            "{}:{line}: length_m {l:?} is not a number >= 0",
                            epath.display()
                        ))
                    })?,
            ),
            None => None,
        };
        net.add_edge(node(u)?, node(v)?, metres);
    }
    Ok(net)
}

/// A comma-separated table: its header and its non-empty rows with their line numbers.
pub type Rows = Vec<(usize, Vec<String>)>;

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::input(format!("{}: {e}", path.display())))
}

pub fn read_table(path: &Path) -> Result<(Vec<String>, Rows)> {
    let text = read(path)?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| Error::input(format!("{}: empty file", path.display())))?;
    let header: Vec<String> = header.split(',').map(|h| h.trim().to_string()).collect();
    let rows = lines
        .map(|(i, l)| (i + 1, l.split(',').map(|v| v.trim().to_string()).collect()))
        .collect();
    Ok((header, rows))
}

pub fn column(path: &Path, header: &[String], name: &str) -> Result<usize> {
    header.iter().position(|h| h == name).ok_or_else(|| {
        Error::input(format!(
            "{}: no column {name:?} (columns: {})",
            path.display(),
            header.join(", ")
        ))
    })
}

pub fn field<T: std::str::FromStr>(path: &Path, line: usize, row: &[String], at: usize, name: &str) -> Result<T> {
    let raw = row.get(at).map_or("", String::as_str);
    raw.parse().map_err(|_| {
        Error::input(format!(
            "{}:{line}: field {name}: {raw:?} is not a valid value",
            path.display()
        ))
    })
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
        assert!(f.check().unwrap_err().message.contains("unknown unit type \"boat\""));
        assert!(toml::from_str::<UnitsFile>("respons_minutes = 3\n").is_err());
        let f: UnitsFile = toml::from_str("[roads]\nnodes = \"n.csv\"\n").unwrap();
        assert!(f.check().unwrap_err().message.contains("nodes and edges go together"));
    }

    #[test]
    fn roads_from_tables_name_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("n.csv"), "id,lon,lat\na,0,0\nb,0.01,0\n").unwrap();
        std::fs::write(dir.path().join("e.csv"), "u,v,length_m\na,b,1500\n").unwrap();
        let entry = RoadsEntry {
            geojson: None,
            nodes: Some("n.csv".into()),
            edges: Some("e.csv".into()),
        };
        let net = read_roads(&entry, dir.path(), |lon, lat| (lon * 100_000.0, lat * 100_000.0)).unwrap();
        assert_eq!(net.within(0, 2000.0), [(0, 0.0), (1, 1500.0)]);
        std::fs::write(dir.path().join("e.csv"), "u,v\na,b\na,zz\n").unwrap();
        let e = read_roads(&entry, dir.path(), |lon, lat| (lon, lat)).unwrap_err();
        assert!(e.message.contains("e.csv:3") && e.message.contains("\"zz\""), "{e}");
    }
}
