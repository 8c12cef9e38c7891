//! Point-in-polygon assignment of incidents to the deepest jurisdiction.

use fengqiao_domain::Level;
use fengqiao_geo::{MultiPolygon, PolygonIndex};

#[derive(Debug, Clone)]
pub struct JurisdictionLookup {
    index: PolygonIndex,
    ids: Vec<i64>,
}

impl JurisdictionLookup {
    /// `areas`: (id, level, WGS84 polygon). A point inside several areas
    /// (a village and its town) goes to the deepest level, then the smallest.
    pub fn new(mut areas: Vec<(i64, Level, MultiPolygon)>) -> Self {
        areas.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(a.2.area().partial_cmp(&b.2.area()).unwrap_or(std::cmp::Ordering::Equal))
        });
        let ids = areas.iter().map(|a| a.0).collect();
        let index = PolygonIndex::new(areas.into_iter().map(|a| a.2).collect());
        Self { index, ids }
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn find(&self, lon: f64, lat: f64) -> Option<i64> {
        self.index.find(lon, lat).map(|i| self.ids[i])
    }
}
