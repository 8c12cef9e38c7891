//! Transverse Mercator after Krüger's series as given by Karney (2011),
//! to fourth order in the third flattening: sub-millimetre within a UTM zone.

use crate::{Ellipsoid, LonLat, Xy};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransverseMercator {
    ellipsoid: Ellipsoid,
    lon0: f64,
    k0: f64,
    false_easting: f64,
    false_northing: f64,
    /// metres per unit of the projected coordinates (1 for metres).
    unit_m: f64,
    big_a: f64,
    alpha: [f64; 4],
    beta: [f64; 4],
    /// k0 * A * xi at the latitude of origin.
    m0: f64,
    e: f64,
}

impl TransverseMercator {
    /// `lat0`/`lon0` in degrees; false easting/northing in the CRS's unit,
    /// `unit_m` the length of that unit in metres.
    pub fn new(
        ellipsoid: Ellipsoid,
        lat0: f64,
        lon0: f64,
        k0: f64,
        false_easting: f64,
        false_northing: f64,
        unit_m: f64,
    ) -> Self {
        let f = ellipsoid.f;
        let n = f / (2.0 - f);
        let (n2, n3, n4) = (n * n, n * n * n, n * n * n * n);
        let big_a = ellipsoid.a / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0);
        let alpha = [
            n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0,
            13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0,
            61.0 * n3 / 240.0 - 103.0 * n4 / 140.0,
            49561.0 * n4 / 161_280.0,
        ];
        let beta = [
            n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0,
            n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0,
            17.0 * n3 / 480.0 - 37.0 * n4 / 840.0,
            4397.0 * n4 / 161_280.0,
        ];
        let mut tm = Self {
            ellipsoid,
            lon0,
            k0,
            false_easting,
            false_northing,
            unit_m,
            big_a,
            alpha,
            beta,
            m0: 0.0,
            e: ellipsoid.e(),
        };
        let (xi0, _) = tm.xi_eta(lat0.to_radians(), 0.0);
        tm.m0 = k0 * big_a * xi0;
        tm
    }

    /// UTM zone `zone` (1..=60), north or south hemisphere, on WGS84.
    pub fn utm(zone: u8, north: bool) -> Self {
        let lon0 = -183.0 + 6.0 * f64::from(zone);
        let fnorth = if north { 0.0 } else { 10_000_000.0 };
        Self::new(Ellipsoid::WGS84, 0.0, lon0, 0.9996, 500_000.0, fnorth, 1.0)
    }

    fn xi_eta(&self, phi: f64, lam: f64) -> (f64, f64) {
        let e = self.e;
        let s = phi.sin();
        let t = (s.atanh() - e * (e * s).atanh()).sinh();
        let xi_p = t.atan2(lam.cos());
        let eta_p = (lam.sin() / (1.0 + t * t).sqrt()).atanh();
        let mut xi = xi_p;
        let mut eta = eta_p;
        for (j, a) in self.alpha.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi += a * (k * xi_p).sin() * (k * eta_p).cosh();
            eta += a * (k * xi_p).cos() * (k * eta_p).sinh();
        }
        (xi, eta)
    }

    pub fn forward(&self, p: LonLat) -> Xy {
        let phi = p.lat.to_radians();
        let lam = (p.lon - self.lon0).to_radians();
        let (xi, eta) = self.xi_eta(phi, lam);
        let x = self.k0 * self.big_a * eta;
        let y = self.k0 * self.big_a * xi - self.m0;
        Xy::new(
            x / self.unit_m + self.false_easting,
            y / self.unit_m + self.false_northing,
        )
    }

    pub fn inverse(&self, p: Xy) -> LonLat {
        let x = (p.x - self.false_easting) * self.unit_m;
        let y = (p.y - self.false_northing) * self.unit_m;
        let xi = (y + self.m0) / (self.k0 * self.big_a);
        let eta = x / (self.k0 * self.big_a);
        let mut xi_p = xi;
        let mut eta_p = eta;
        for (j, b) in self.beta.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let chi = (xi_p.sin() / eta_p.cosh()).asin();
        let lam = eta_p.sinh().atan2(xi_p.cos());
        // conformal -> geodetic latitude
        let t_inv = (std::f64::consts::FRAC_PI_4 - chi / 2.0).tan();
        let phi = self.ellipsoid.geodetic_from_conformal_tan(t_inv);
        LonLat::new(self.lon0 + lam.to_degrees(), phi.to_degrees())
    }
}
