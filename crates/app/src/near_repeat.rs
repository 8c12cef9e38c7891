//! Near-repeat analysis (the Knox test) of a file's or a dataset's
//! incidents: the evidence for warning an incident's neighbours, per
//! category and period. Places in metres on a local projection, days in
//! the city's zone.

use crate::error::{Error, Result};
use crate::forecast::{IncidentSource, incident_source};
use chrono::NaiveDate;
use chrono_tz::Tz;
use fengqiao_forecast::knox::{self, Distance, KnoxConfig, KnoxEvent, KnoxResult};
use fengqiao_geo::{LocalProjection, LonLat};
use fengqiao_store::IncidentPoint;
use std::path::PathBuf;

/// A test to run: the defaults are `fengqiao near-repeat`'s.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NearRepeatRequest {
    pub input: Option<PathBuf>,
    pub profile: Option<String>,
    pub map: Option<PathBuf>,
    pub dataset: Option<String>,
    pub category: Option<String>,
    /// First and last local day of the incidents taken, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub space_band: f64,
    pub space_bands: usize,
    pub time_band: u32,
    pub time_bands: usize,
    pub iterations: usize,
    /// manhattan or euclidean.
    pub distance: String,
    pub seed: u64,
    /// Only the first this many incidents in time (a benchmark's size).
    pub first: Option<usize>,
}

impl NearRepeatRequest {
    /// The calculator's settings as given; `Error::input` naming the bad one.
    pub fn config(&self) -> Result<KnoxConfig> {
        let distance = Distance::parse(&self.distance)
            .ok_or_else(|| Error::input(format!("--distance {:?}: manhattan or euclidean", self.distance)))?;
        Ok(KnoxConfig {
            space_band: self.space_band,
            space_bands: self.space_bands,
            time_band: self.time_band,
            time_bands: self.time_bands,
            iterations: self.iterations,
            distance,
            seed: self.seed,
        })
    }
}

pub struct NearRepeatOutcome {
    pub source: String,
    pub events: Vec<KnoxEvent>,
    pub result: KnoxResult,
    pub seconds: f64,
}

/// The Knox test's events: each incident's place on a projection centred
/// on `centre` (or the first incident), its local day, those from `from`
/// to `to` only.
pub fn knox_events(
    rows: &[IncidentPoint],
    tz: Tz,
    centre: Option<LonLat>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<KnoxEvent> {
    let Some(centre) = centre.or_else(|| rows.first().map(|r| LonLat::new(r.lon, r.lat))) else {
        return Vec::new();
    };
    let proj = LocalProjection::centred_on(centre);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    rows.iter()
        .filter_map(|r| {
            let day = r.occurred_at.with_timezone(&tz).date_naive();
            if from.is_some_and(|f| day < f) || to.is_some_and(|t| day > t) {
                return None;
            }
            let p = proj.project(LonLat::new(r.lon, r.lat));
            Some(KnoxEvent {
                x: p.x,
                y: p.y,
                day: (day - epoch).num_days(),
            })
        })
        .collect()
}

/// Runs the test `req` describes; `progress(done, of)` after each shuffle.
pub fn near_repeat(
    settings: &crate::Settings,
    req: &NearRepeatRequest,
    progress: impl FnMut(usize, usize),
) -> Result<NearRepeatOutcome> {
    let cfg = req.config()?;
    if let (Some(f), Some(t)) = (req.from, req.to)
        && f > t
    {
        return Err(Error::input(format!("--from {f} is after --to {t}")));
    }
    let IncidentSource { rows, tz, centre, name } = incident_source(
        settings,
        req.input.as_deref(),
        req.profile.as_deref(),
        req.map.as_deref(),
        req.dataset.as_deref(),
        req.category.as_deref(),
    )?;
    let mut events = knox_events(&rows, tz, centre, req.from, req.to);
    events.sort_by_key(|e| e.day);
    if let Some(n) = req.first {
        events.truncate(n);
    }
    let began = std::time::Instant::now();
    let result = knox::knox_test(&events, &cfg, progress).map_err(|e| Error::input(format!("{name}: {e}")))?;
    Ok(NearRepeatOutcome {
        source: name,
        events,
        result,
        seconds: began.elapsed().as_secs_f64(),
    })
}
