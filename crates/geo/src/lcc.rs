//! Lambert Conformal Conic with two standard parallels (EPSG method 9802),
//! after Snyder, "Map Projections: A Working Manual", §15.

use crate::{Ellipsoid, LonLat, Xy};
use std::f64::consts::FRAC_PI_4;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LambertConformal2Sp {
    ellipsoid: Ellipsoid,
    lon0: f64,
    false_easting: f64,
    false_northing: f64,
    unit_m: f64,
    n: f64,
    big_f: f64,
    r0: f64,
    e: f64,
}

impl LambertConformal2Sp {
    /// Angles in degrees; false easting/northing in the CRS's unit.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ellipsoid: Ellipsoid,
        lat0: f64,
        lon0: f64,
        sp1: f64,
        sp2: f64,
        false_easting: f64,
        false_northing: f64,
        unit_m: f64,
    ) -> Self {
        let e = ellipsoid.e();
        let m = |phi: f64| phi.cos() / (1.0 - (e * phi.sin()).powi(2)).sqrt();
        let t = |phi: f64| {
            let es = e * phi.sin();
            (FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(e / 2.0)
        };
        let (p1, p2, p0) = (sp1.to_radians(), sp2.to_radians(), lat0.to_radians());
        let (m1, m2) = (m(p1), m(p2));
        let (t1, t2, t0) = (t(p1), t(p2), t(p0));
        let n = if (p1 - p2).abs() < 1e-12 {
            p1.sin()
        } else {
            (m1.ln() - m2.ln()) / (t1.ln() - t2.ln())
        };
        let big_f = m1 / (n * t1.powf(n));
        let r0 = ellipsoid.a * big_f * t0.powf(n);
        Self {
            ellipsoid,
            lon0,
            false_easting,
            false_northing,
            unit_m,
            n,
            big_f,
            r0,
            e,
        }
    }

    fn t(&self, phi: f64) -> f64 {
        let es = self.e * phi.sin();
        (FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(self.e / 2.0)
    }

    pub fn forward(&self, p: LonLat) -> Xy {
        let phi = p.lat.to_radians();
        let r = self.ellipsoid.a * self.big_f * self.t(phi).powf(self.n);
        let theta = self.n * (p.lon - self.lon0).to_radians();
        let x = r * theta.sin();
        let y = self.r0 - r * theta.cos();
        Xy::new(
            x / self.unit_m + self.false_easting,
            y / self.unit_m + self.false_northing,
        )
    }

    pub fn inverse(&self, p: Xy) -> LonLat {
        let x = (p.x - self.false_easting) * self.unit_m;
        let y = (p.y - self.false_northing) * self.unit_m;
        let sign = self.n.signum();
        let dy = self.r0 - y;
        let r = sign * (x * x + dy * dy).sqrt();
        let theta = (sign * x).atan2(sign * dy);
        let t = (r / (self.ellipsoid.a * self.big_f)).powf(1.0 / self.n);
        let phi = self.ellipsoid.geodetic_from_conformal_tan(t);
        LonLat::new(theta.to_degrees() / self.n + self.lon0, phi.to_degrees())
    }
}
