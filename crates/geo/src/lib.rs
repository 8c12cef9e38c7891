//! Geometry for Fengqiao: coordinate reference systems, the local metric
//! projection of a city, square grids, polygons and point-in-polygon lookup.
//!
//! Everything here is pure computation on `f64`s: no I/O, no allocation on the
//! hot paths of projection and lookup. Parsing GeoJSON text is the one
//! exception to "numbers in, numbers out", and it still does no I/O.

mod crs;
mod ellipsoid;
mod gcj02;
mod geojson;
mod grid;
mod index;
mod lcc;
mod polygon;
mod tmerc;

pub use crs::{Crs, CrsError};
pub use ellipsoid::Ellipsoid;
pub use gcj02::{bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, is_outside_china, wgs84_to_gcj02};
pub use geojson::{Feature, GeoJsonError, parse_feature_collection, parse_geometry_text};
pub use grid::{CellId, Grid, GridError};
pub use index::PolygonIndex;
pub use lcc::LambertConformal2Sp;
pub use polygon::{BBox, MultiPolygon, Polygon};
pub use tmerc::TransverseMercator;

/// A WGS84 geographic position in degrees.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    pub const fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// True when both parts are finite and inside the valid degree ranges.
    pub fn is_valid(self) -> bool {
        self.lon.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && (-90.0..=90.0).contains(&self.lat)
    }
}

/// A planar position in metres (or the unit of a projected CRS).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Xy {
    pub x: f64,
    pub y: f64,
}

impl Xy {
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    pub fn distance(self, other: Xy) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// The metric plane in which a city's grids, distances and densities are
/// computed: a transverse Mercator centred on the city (scale 1 at the
/// centre), so that errors stay below 1 part in 10^5 within 50 km.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalProjection {
    centre: LonLat,
    tm: TransverseMercator,
}

impl LocalProjection {
    pub fn centred_on(centre: LonLat) -> Self {
        Self {
            centre,
            tm: TransverseMercator::new(Ellipsoid::WGS84, centre.lat, centre.lon, 1.0, 0.0, 0.0, 1.0),
        }
    }

    pub fn centre(&self) -> LonLat {
        self.centre
    }

    pub fn project(&self, p: LonLat) -> Xy {
        self.tm.forward(p)
    }

    pub fn unproject(&self, p: Xy) -> LonLat {
        self.tm.inverse(p)
    }
}

/// Great-circle distance in metres on the WGS84 mean sphere.
pub fn haversine_m(a: LonLat, b: LonLat) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dphi = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dphi / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_projection_is_metric_near_centre() {
        let centre = LonLat::new(121.55, 29.87);
        let proj = LocalProjection::centred_on(centre);
        let o = proj.project(centre);
        assert!(o.x.abs() < 1e-6 && o.y.abs() < 1e-6);
        let east = LonLat::new(121.60, 29.87);
        let d_plane = proj.project(east).distance(o);
        let d_sphere = haversine_m(centre, east);
        assert!((d_plane - d_sphere).abs() / d_sphere < 5e-3, "{d_plane} vs {d_sphere}");
    }
}
