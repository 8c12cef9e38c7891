//! Reading polygon features from GeoJSON (RFC 7946) text.

use crate::{MultiPolygon, Polygon};
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum GeoJsonError {
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("feature {index}: {reason}")]
    Feature { index: usize, reason: String },
    #[error("expected a FeatureCollection, found {0}")]
    NotACollection(String),
    #[error("{0}")]
    Geometry(String),
}

/// A polygonal feature with its properties.
#[derive(Debug, Clone)]
pub struct Feature {
    pub properties: Map<String, Value>,
    pub geometry: MultiPolygon,
}

/// Parses a FeatureCollection whose geometries are Polygon or MultiPolygon.
pub fn parse_feature_collection(text: &str) -> Result<Vec<Feature>, GeoJsonError> {
    let v: Value = serde_json::from_str(text)?;
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "FeatureCollection" {
        return Err(GeoJsonError::NotACollection(format!("{kind:?}")));
    }
    let features = v
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| GeoJsonError::NotACollection("no \"features\" array".into()))?;
    features
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let err = |reason: String| GeoJsonError::Feature { index, reason };
            let properties = f
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let geometry = f.get("geometry").ok_or_else(|| err("no geometry".into()))?;
            let geometry = parse_geometry(geometry).map_err(err)?;
            Ok(Feature { properties, geometry })
        })
        .collect()
}

/// Parses one GeoJSON Polygon or MultiPolygon geometry object.
pub fn parse_geometry_text(text: &str) -> Result<MultiPolygon, GeoJsonError> {
    let v: Value = serde_json::from_str(text)?;
    parse_geometry(&v).map_err(GeoJsonError::Geometry)
}

fn parse_geometry(g: &Value) -> Result<MultiPolygon, String> {
    let coords = g.get("coordinates").ok_or("geometry has no coordinates")?;
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(MultiPolygon(vec![parse_polygon(coords)?])),
        Some("MultiPolygon") => coords
            .as_array()
            .ok_or("MultiPolygon coordinates are not an array")?
            .iter()
            .map(parse_polygon)
            .collect::<Result<Vec<_>, _>>()
            .map(MultiPolygon),
        other => Err(format!("geometry type {other:?} is not Polygon or MultiPolygon")),
    }
}

fn parse_polygon(v: &Value) -> Result<Polygon, String> {
    let rings = v.as_array().ok_or("polygon is not an array of rings")?;
    if rings.is_empty() {
        return Err("polygon has no rings".into());
    }
    let rings = rings
        .iter()
        .map(|r| {
            let pts = r.as_array().ok_or("ring is not an array")?;
            if pts.len() < 4 {
                return Err(format!("ring has {} positions, needs at least 4", pts.len()));
            }
            pts.iter()
                .map(|p| match p.as_array().map(Vec::as_slice) {
                    Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
                        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok([x, y]),
                        _ => Err(format!("position {p} is not numeric")),
                    },
                    _ => Err(format!("position {p} is not [x, y]")),
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(rings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_polygon_and_multipolygon() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
          {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"MultiPolygon","coordinates":[[[[2,2],[3,2],[3,3],[2,2]]]]}}
        ]}"#;
        let fs = parse_feature_collection(text).unwrap();
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[1].properties["code"], "B");
        assert!(fs[0].geometry.contains(0.7, 0.2));
    }

    #[test]
    fn reports_the_bad_feature() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
        let e = parse_feature_collection(text).unwrap_err().to_string();
        assert!(e.contains("feature 0") && e.contains("Point"), "{e}");
    }
}
