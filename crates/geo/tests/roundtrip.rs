//! Property tests: every projection's inverse undoes its forward transform
//! over the area it is used for.

use fengqiao_geo::{Crs, LocalProjection, LonLat};
use proptest::prelude::*;

fn round_trip(crs: &Crs, lon: f64, lat: f64) -> Result<(), TestCaseError> {
    let (x, y) = crs.from_wgs84(LonLat::new(lon, lat));
    let back = crs.to_wgs84(x, y);
    prop_assert!(
        (back.lon - lon).abs() < 1e-9 && (back.lat - lat).abs() < 1e-9,
        "{}: ({lon}, {lat}) -> ({x}, {y}) -> ({}, {})",
        crs.name(),
        back.lon,
        back.lat
    );
    Ok(())
}

proptest! {
    #[test]
    fn oregon_north_feet(lon in -124.5f64..-116.5, lat in 43.7f64..46.3) {
        round_trip(&Crs::parse("EPSG:2913").unwrap(), lon, lat)?;
    }

    #[test]
    fn illinois_east(lon in -89.5f64..-87.0, lat in 37.0f64..42.5) {
        round_trip(&Crs::parse("EPSG:26971").unwrap(), lon, lat)?;
        round_trip(&Crs::parse("EPSG:3435").unwrap(), lon, lat)?;
    }

    #[test]
    fn utm_any_zone(zone in 1u32..=60, north in any::<bool>(), dlon in -3.0f64..3.0, lat in 0.0f64..80.0) {
        let lon = -183.0 + 6.0 * f64::from(zone) + dlon;
        let epsg = if north { 32600 + zone } else { 32700 + zone };
        round_trip(&Crs::from_epsg(epsg).unwrap(), lon, if north { lat } else { -lat })?;
    }

    #[test]
    fn web_mercator(lon in -179.9f64..179.9, lat in -85.0f64..85.0) {
        round_trip(&Crs::parse("EPSG:3857").unwrap(), lon, lat)?;
    }

    #[test]
    fn local_projection_within_100_km(clon in -179.0f64..179.0, clat in -70.0f64..70.0, dx in -0.9f64..0.9, dy in -0.9f64..0.9) {
        let p = LocalProjection::centred_on(LonLat::new(clon, clat));
        let q = LonLat::new(clon + dx, clat + dy);
        let back = p.unproject(p.project(q));
        prop_assert!((back.lon - q.lon).abs() < 1e-9 && (back.lat - q.lat).abs() < 1e-9);
    }
}
