/// A reference ellipsoid given by its semi-major axis (metres) and flattening.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipsoid {
    pub a: f64,
    pub f: f64,
}

impl Ellipsoid {
    pub const WGS84: Ellipsoid = Ellipsoid {
        a: 6_378_137.0,
        f: 1.0 / 298.257_223_563,
    };
    /// GRS 1980, the ellipsoid of NAD83 and of CGCS2000 (to 0.1 mm).
    pub const GRS80: Ellipsoid = Ellipsoid {
        a: 6_378_137.0,
        f: 1.0 / 298.257_222_101,
    };

    /// First eccentricity.
    pub fn e(&self) -> f64 {
        (self.f * (2.0 - self.f)).sqrt()
    }

    /// Geodetic latitude from conformal latitude (radians), by fixed-point
    /// iteration; converges to 1e-14 in under ten steps for any latitude.
    pub(crate) fn geodetic_from_conformal_tan(&self, t_inv: f64) -> f64 {
        // t_inv is tan(pi/4 - phi/2) scaled form used by LCC and TM inverses:
        // phi = pi/2 - 2 atan(t * ((1 - e sin phi)/(1 + e sin phi))^(e/2)).
        let e = self.e();
        let mut phi = std::f64::consts::FRAC_PI_2 - 2.0 * t_inv.atan();
        for _ in 0..30 {
            let es = e * phi.sin();
            let next = std::f64::consts::FRAC_PI_2 - 2.0 * (t_inv * ((1.0 - es) / (1.0 + es)).powf(e / 2.0)).atan();
            if (next - phi).abs() < 1e-15 {
                return next;
            }
            phi = next;
        }
        phi
    }
}
