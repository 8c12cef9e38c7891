//! The demo city as the files a real platform would export: a 110 incident
//! CSV (Chinese headers, GCJ-02, Beijing time), jurisdictions as GeoJSON
//! (WGS84, per RFC 7946) and the stations and posts.

use crate::city::DemoCity;
use fengqiao_domain::CategoryTable;
use fengqiao_geo::{Xy, wgs84_to_gcj02};
use serde_json::{Value, json};
use std::fmt::Write;

const TIME: &str = "%Y-%m-%d %H:%M:%S";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl DemoCity {
    pub fn incidents_csv(&self) -> String {
        let table = CategoryTable::default_110();
        let mut out = String::with_capacity(self.incidents.len() * 200);
        out.push_str(
            "警情编号,发案时间,接警时间,派警时间,到场时间,处警结束时间,警情类别,警情来源,经度,纬度,发生地址,场所类型,处警单位\n",
        );
        for i in &self.incidents {
            let ll = wgs84_to_gcj02(self.projection.unproject(i.position));
            let opt = |t: Option<chrono::NaiveDateTime>| t.map(|t| t.format(TIME).to_string()).unwrap_or_default();
            let category = table.get(i.category).map(|c| c.zh.as_str()).unwrap_or(i.category);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{:.6},{:.6},{},{},{}",
                i.id,
                i.occurred.format(TIME),
                i.received.format(TIME),
                opt(i.dispatched),
                opt(i.arrived),
                i.closed.format(TIME),
                category,
                i.source,
                ll.lon,
                ll.lat,
                csv_field(&i.address),
                i.place,
                csv_field(&i.unit),
            );
        }
        out
    }

    fn ring(&self, poly: &[Xy]) -> Value {
        let mut ring: Vec<Value> = poly
            .iter()
            .map(|p| {
                let ll = self.projection.unproject(*p);
                json!([(ll.lon * 1e7).round() / 1e7, (ll.lat * 1e7).round() / 1e7])
            })
            .collect();
        if let Some(first) = ring.first().cloned() {
            ring.push(first);
        }
        Value::Array(ring)
    }

    /// Every jurisdiction as a GeoJSON FeatureCollection with
    /// `code`, `name`, `name_en`, `level` and `parent` properties.
    pub fn jurisdictions_geojson(&self) -> String {
        let features: Vec<Value> = self
            .areas
            .iter()
            .map(|a| {
                json!({
                    "type": "Feature",
                    "properties": {
                        "code": a.code, "name": a.name_zh, "name_en": a.name_en,
                        "level": a.level.as_str(), "parent": a.parent,
                    },
                    "geometry": {"type": "Polygon", "coordinates": [self.ring(&a.polygon)]},
                })
            })
            .collect();
        serde_json::to_string_pretty(&json!({"type": "FeatureCollection", "features": features})).expect("serialisable")
    }

    /// Stations and posts as JSON, the form `fengqiao import facilities` reads.
    pub fn facilities_json(&self) -> String {
        serde_json::to_string_pretty(&self.facilities).expect("serialisable")
    }
}
