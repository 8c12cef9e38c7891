//! GCJ-02, the obfuscated datum that Chinese web maps (Amap, Tencent) use,
//! and BD-09, Baidu's further offset of it.
//!
//! The forward transform is the published algorithm; the inverse is solved by
//! fixed-point iteration to better than 1e-9 degrees (0.1 mm), not by the
//! one-step approximation (off by up to 2 m) that many libraries use.

use crate::LonLat;
use std::f64::consts::PI;

const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// Outside mainland China the GCJ-02 offset is not applied (the usual
/// bounding box; it includes some neighbouring areas, as every implementation does).
pub fn is_outside_china(p: LonLat) -> bool {
    !(72.004..=137.8347).contains(&p.lon) || !(0.8293..=55.8271).contains(&p.lat)
}

fn shift_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

fn offset(p: LonLat) -> (f64, f64) {
    let dlat = shift_lat(p.lon - 105.0, p.lat - 35.0);
    let dlon = shift_lon(p.lon - 105.0, p.lat - 35.0);
    let radlat = p.lat.to_radians();
    let magic = 1.0 - KRASOVSKY_EE * radlat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * radlat.cos() * PI);
    (dlon, dlat)
}

pub fn wgs84_to_gcj02(p: LonLat) -> LonLat {
    if is_outside_china(p) {
        return p;
    }
    let (dlon, dlat) = offset(p);
    LonLat::new(p.lon + dlon, p.lat + dlat)
}

pub fn gcj02_to_wgs84(g: LonLat) -> LonLat {
    if is_outside_china(g) {
        return g;
    }
    // Solve wgs84_to_gcj02(w) = g: the offset varies slowly, so w_{k+1} = g - offset(w_k) contracts.
    let mut w = g;
    for _ in 0..20 {
        let (dlon, dlat) = offset(w);
        let next = LonLat::new(g.lon - dlon, g.lat - dlat);
        let done = (next.lon - w.lon).abs() < 1e-12 && (next.lat - w.lat).abs() < 1e-12;
        w = next;
        if done {
            break;
        }
    }
    w
}

const X_PI: f64 = PI * 3000.0 / 180.0;

pub fn gcj02_to_bd09(g: LonLat) -> LonLat {
    let (x, y) = (g.lon, g.lat);
    let z = (x * x + y * y).sqrt() + 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) + 0.000003 * (x * X_PI).cos();
    LonLat::new(z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

pub fn bd09_to_gcj02(b: LonLat) -> LonLat {
    let (x, y) = (b.lon - 0.0065, b.lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    LonLat::new(z * theta.cos(), z * theta.sin())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn outside_china_is_untouched() {
        let chicago = LonLat::new(-87.63, 41.88);
        assert_eq!(wgs84_to_gcj02(chicago), chicago);
        assert_eq!(gcj02_to_wgs84(chicago), chicago);
    }

    proptest! {
        #[test]
        fn gcj02_round_trip_is_sub_millimetre(lon in 73.0f64..135.0, lat in 18.0f64..53.0) {
            let w = LonLat::new(lon, lat);
            let back = gcj02_to_wgs84(wgs84_to_gcj02(w));
            prop_assert!((back.lon - lon).abs() < 1e-9 && (back.lat - lat).abs() < 1e-9);
        }

        #[test]
        fn gcj02_offset_is_a_few_hundred_metres(lon in 73.0f64..135.0, lat in 18.0f64..53.0) {
            let w = LonLat::new(lon, lat);
            let d = crate::haversine_m(w, wgs84_to_gcj02(w));
            prop_assert!(d < 1200.0, "offset {d} m");
        }

        #[test]
        fn bd09_round_trip(lon in 73.0f64..135.0, lat in 18.0f64..53.0) {
            let g = LonLat::new(lon, lat);
            let back = bd09_to_gcj02(gcj02_to_bd09(g));
            prop_assert!((back.lon - lon).abs() < 1e-5 && (back.lat - lat).abs() < 1e-5);
        }
    }
}
