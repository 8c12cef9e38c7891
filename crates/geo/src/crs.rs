//! Coordinate reference systems that incident files arrive in, and their
//! conversion to WGS84 (the one CRS that is stored).
//!
//! Datum shifts between WGS84, NAD83 and CGCS2000 are ignored: they are at
//! most about a metre, well below geocoding error in any incident log.

use crate::{
    Ellipsoid, LambertConformal2Sp, LonLat, TransverseMercator, Xy, bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84,
    wgs84_to_gcj02,
};

const US_SURVEY_FOOT: f64 = 1200.0 / 3937.0;
const INTERNATIONAL_FOOT: f64 = 0.3048;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    #[error(
        "unknown CRS {0:?}: supported are EPSG:4326 (WGS84), EPSG:4490 (CGCS2000), EPSG:4269, GCJ02, BD09, \
         EPSG:3857, EPSG:326xx/327xx (UTM), EPSG:2913, EPSG:26971, EPSG:3435"
    )]
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Crs {
    /// Geographic degrees: WGS84, CGCS2000 or NAD83 (treated alike).
    Geographic {
        epsg: u32,
    },
    /// GCJ-02 degrees (Chinese web maps).
    Gcj02,
    /// BD-09 degrees (Baidu maps).
    Bd09,
    /// Spherical (web) Mercator metres.
    WebMercator,
    TransverseMercator {
        epsg: u32,
        tm: TransverseMercator,
    },
    LambertConformal {
        epsg: u32,
        lcc: LambertConformal2Sp,
    },
}

impl Crs {
    pub const WGS84: Crs = Crs::Geographic { epsg: 4326 };

    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim().to_ascii_uppercase().replace(['-', '_', ' '], "");
        match t.as_str() {
            "WGS84" | "CGCS2000" => return Ok(Crs::WGS84),
            "GCJ02" | "GCJ" | "MARS" => return Ok(Crs::Gcj02),
            "BD09" | "BAIDU" => return Ok(Crs::Bd09),
            _ => {}
        }
        let code = t.strip_prefix("EPSG:").unwrap_or(&t);
        let epsg: u32 = code.parse().map_err(|_| CrsError::Unknown(text.to_string()))?;
        Crs::from_epsg(epsg).ok_or_else(|| CrsError::Unknown(text.to_string()))
    }

    pub fn from_epsg(epsg: u32) -> Option<Crs> {
        Some(match epsg {
            4326 | 4490 | 4269 | 4152 => Crs::Geographic { epsg },
            3857 | 900913 => Crs::WebMercator,
            32601..=32660 => Crs::TransverseMercator {
                epsg,
                tm: TransverseMercator::utm((epsg - 32600) as u8, true),
            },
            32701..=32760 => Crs::TransverseMercator {
                epsg,
                tm: TransverseMercator::utm((epsg - 32700) as u8, false),
            },
            // NAD83 / Illinois East (metres).
            26971 => Crs::TransverseMercator {
                epsg,
                tm: TransverseMercator::new(
                    Ellipsoid::GRS80,
                    36.0 + 40.0 / 60.0,
                    -(88.0 + 20.0 / 60.0),
                    0.999_975,
                    300_000.0,
                    0.0,
                    1.0,
                ),
            },
            // NAD83 / Illinois East (US survey feet).
            3435 => Crs::TransverseMercator {
                epsg,
                tm: TransverseMercator::new(
                    Ellipsoid::GRS80,
                    36.0 + 40.0 / 60.0,
                    -(88.0 + 20.0 / 60.0),
                    0.999_975,
                    300_000.0 / US_SURVEY_FOOT,
                    0.0,
                    US_SURVEY_FOOT,
                ),
            },
            // NAD83(HARN) / Oregon North (international feet).
            2913 => Crs::LambertConformal {
                epsg,
                lcc: LambertConformal2Sp::new(
                    Ellipsoid::GRS80,
                    43.0 + 40.0 / 60.0,
                    -120.5,
                    46.0,
                    44.0 + 20.0 / 60.0,
                    2_500_000.0 / INTERNATIONAL_FOOT,
                    0.0,
                    INTERNATIONAL_FOOT,
                ),
            },
            _ => return None,
        })
    }

    /// The canonical name, e.g. `EPSG:2913` or `GCJ02`.
    pub fn name(&self) -> String {
        match self {
            Crs::Geographic { epsg } | Crs::TransverseMercator { epsg, .. } | Crs::LambertConformal { epsg, .. } => {
                format!("EPSG:{epsg}")
            }
            Crs::Gcj02 => "GCJ02".into(),
            Crs::Bd09 => "BD09".into(),
            Crs::WebMercator => "EPSG:3857".into(),
        }
    }

    /// True when coordinates are (longitude, latitude) degrees.
    pub fn is_geographic(&self) -> bool {
        matches!(self, Crs::Geographic { .. } | Crs::Gcj02 | Crs::Bd09)
    }

    /// Converts (x, y) — or (lon, lat) for geographic systems — to WGS84.
    pub fn to_wgs84(&self, x: f64, y: f64) -> LonLat {
        match self {
            Crs::Geographic { .. } => LonLat::new(x, y),
            Crs::Gcj02 => gcj02_to_wgs84(LonLat::new(x, y)),
            Crs::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(LonLat::new(x, y))),
            Crs::WebMercator => {
                const R: f64 = 6_378_137.0;
                let lon = (x / R).to_degrees();
                let lat = (2.0 * (y / R).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
                LonLat::new(lon, lat)
            }
            Crs::TransverseMercator { tm, .. } => tm.inverse(Xy::new(x, y)),
            Crs::LambertConformal { lcc, .. } => lcc.inverse(Xy::new(x, y)),
        }
    }

    /// Converts a WGS84 position into this CRS's (x, y) or (lon, lat).
    pub fn from_wgs84(&self, p: LonLat) -> (f64, f64) {
        match self {
            Crs::Geographic { .. } => (p.lon, p.lat),
            Crs::Gcj02 => {
                let g = wgs84_to_gcj02(p);
                (g.lon, g.lat)
            }
            Crs::Bd09 => {
                let b = gcj02_to_bd09(wgs84_to_gcj02(p));
                (b.lon, b.lat)
            }
            Crs::WebMercator => {
                const R: f64 = 6_378_137.0;
                let x = R * p.lon.to_radians();
                let y = R * (std::f64::consts::FRAC_PI_4 + p.lat.to_radians() / 2.0).tan().ln();
                (x, y)
            }
            Crs::TransverseMercator { tm, .. } => {
                let q = tm.forward(p);
                (q.x, q.y)
            }
            Crs::LambertConformal { lcc, .. } => {
                let q = lcc.forward(p);
                (q.x, q.y)
            }
        }
    }
}
