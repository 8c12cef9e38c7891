//! Near-repeat analysis (the Knox test) of a file's or a dataset's
//! incidents: the evidence for warning an incident's neighbours, per
//! category and period. Places in metres on a local projection, days in
//! the city's zone.

use crate::error::{Error, Result};
use crate::forecast::{IncidentSource, incident_source};
use chrono::NaiveDate;
use chrono_tz::Tz;
use fengqiao_forecast::cocoon::{AlertEvent, ZoneBacktest, ZoneRule, backtest_zones};
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
    /// Cocoon zones to backtest on the same incidents ("200x7": 200 m for
    /// 7 days); the findings' own zone is added when there is one.
    pub zones: Vec<String>,
    /// Stations at the k-means centres of the incidents, for the zones'
    /// workload per station (0: none), where the stations are not on file.
    pub stations: usize,
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
    /// The zone the findings call for: the farthest over-represented near
    /// band, for the longest run of days among the near bands.
    pub suggested: Option<ZoneRule>,
    pub zones: Vec<ZoneBacktest>,
}

/// Most zone rules backtested at once.
pub const MAX_ZONE_RULES: usize = 12;
/// Most stations for the workload.
pub const MAX_STATIONS: usize = 500;

/// The zone the test's findings call for, if any band near an incident is
/// over-represented: the widest radius within which every near band is
/// over-represented together, for as long as all of them are (the
/// space-time box inside the significant cells).
pub fn suggested_zone(r: &KnoxResult) -> Option<ZoneRule> {
    let f = r.findings();
    let mut best: Option<ZoneRule> = None;
    let mut days = f64::INFINITY;
    for (k, &(row, c)) in f.near.iter().enumerate() {
        // Only bands adjacent from the first: a gap breaks the box.
        if row != k + 1 {
            break;
        }
        days = days.min(r.time[c].to.unwrap_or(0.0));
        if let Some(radius_m) = r.space[row].to {
            best = Some(ZoneRule {
                radius_m,
                days: days as u32,
            });
        }
    }
    best
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

/// Runs the test `req` describes on a file or a dataset; `progress(done,
/// of)` as shuffles finish.
pub fn near_repeat(
    settings: &crate::Settings,
    req: &NearRepeatRequest,
    progress: impl FnMut(usize, usize),
) -> Result<NearRepeatOutcome> {
    if req.input.is_none() {
        let store = crate::store::open_store(settings)?;
        return near_repeat_on(store.as_ref(), req, progress);
    }
    let (cfg, rules) = checked(req)?;
    let source = incident_source(
        settings,
        req.input.as_deref(),
        req.profile.as_deref(),
        req.map.as_deref(),
        req.dataset.as_deref(),
        req.category.as_deref(),
    )?;
    analyse(source, req, &cfg, rules, &[], progress)
}

/// [`near_repeat`] on a dataset of `store` (the server's way), the zones'
/// workload by the stations on file.
pub fn near_repeat_in(store: &dyn fengqiao_store::Store, req: &NearRepeatRequest) -> Result<NearRepeatOutcome> {
    near_repeat_on(store, req, |_, _| {})
}

fn near_repeat_on(
    store: &dyn fengqiao_store::Store,
    req: &NearRepeatRequest,
    progress: impl FnMut(usize, usize),
) -> Result<NearRepeatOutcome> {
    let (cfg, rules) = checked(req)?;
    let dataset = crate::forecast::resolve_dataset(store, req.dataset.as_deref())?;
    let (rows, tz, centre) = crate::forecast::rows_from_store(store, &dataset, req.category.as_deref())?;
    let source = IncidentSource {
        rows,
        tz,
        centre: Some(centre),
        name: format!("dataset {dataset}"),
    };
    let stations: Vec<LonLat> = crate::personnel::stations(store)?
        .iter()
        .map(|f| LonLat::new(f.lon, f.lat))
        .collect();
    analyse(source, req, &cfg, rules, &stations, progress)
}

/// The settings and zone rules of `req`, or what is wrong with them.
fn checked(req: &NearRepeatRequest) -> Result<(KnoxConfig, Vec<ZoneRule>)> {
    let cfg = req.config()?;
    let rules = req
        .zones
        .iter()
        .map(|z| {
            ZoneRule::parse(z).ok_or_else(|| {
                Error::input(format!(
                    "--zones {z:?}: RADIUSxDAYS, 1 to 5000 m for 1 to 90 days (e.g. 200x7)"
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if rules.len() > MAX_ZONE_RULES {
        return Err(Error::input(format!("--zones: at most {MAX_ZONE_RULES} at once")));
    }
    if req.stations > MAX_STATIONS {
        return Err(Error::input(format!(
            "--stations {}: at most {MAX_STATIONS}",
            req.stations
        )));
    }
    if let (Some(f), Some(t)) = (req.from, req.to)
        && f > t
    {
        return Err(Error::input(format!("--from {f} is after --to {t}")));
    }
    Ok((cfg, rules))
}

fn analyse(
    source: IncidentSource,
    req: &NearRepeatRequest,
    cfg: &KnoxConfig,
    mut rules: Vec<ZoneRule>,
    stations: &[LonLat],
    progress: impl FnMut(usize, usize),
) -> Result<NearRepeatOutcome> {
    let IncidentSource { rows, tz, centre, name } = source;
    let mut events = knox_events(&rows, tz, centre, req.from, req.to);
    events.sort_by_key(|e| e.day);
    if let Some(n) = req.first {
        events.truncate(n);
    }
    if events.len() < 2 {
        return Err(Error::input(format!(
            "{name}: {} incidents of that category in that period; the test needs at least 2",
            events.len()
        )));
    }
    let began = std::time::Instant::now();
    let result = knox::knox_test(&events, cfg, progress).map_err(|e| Error::input(format!("{name}: {e}")))?;
    let seconds = began.elapsed().as_secs_f64();
    let suggested = suggested_zone(&result);
    let zones = if rules.is_empty() {
        Vec::new()
    } else {
        if let Some(s) = suggested.filter(|s| !rules.contains(s)) {
            rules.push(s);
        }
        let alerts = alert_events(&rows, tz, centre, req, events.len(), stations);
        backtest_zones(&alerts, &rules)
    };
    Ok(NearRepeatOutcome {
        source: name,
        events,
        result,
        seconds,
        suggested,
        zones,
    })
}

/// The incidents the test took, as cocoon zones see them: exact times, and
/// the nearest of `stations` as their station (when none, of
/// `req.stations` k-means centres of the incidents).
fn alert_events(
    rows: &[IncidentPoint],
    tz: Tz,
    centre: Option<LonLat>,
    req: &NearRepeatRequest,
    taken: usize,
    stations: &[LonLat],
) -> Vec<AlertEvent> {
    let Some(centre) = centre.or_else(|| rows.first().map(|r| LonLat::new(r.lon, r.lat))) else {
        return Vec::new();
    };
    let proj = LocalProjection::centred_on(centre);
    let mut kept: Vec<(f64, fengqiao_geo::Xy)> = rows
        .iter()
        .filter(|r| {
            let day = r.occurred_at.with_timezone(&tz).date_naive();
            !(req.from.is_some_and(|f| day < f) || req.to.is_some_and(|t| day > t))
        })
        .map(|r| {
            (
                r.occurred_at.timestamp() as f64 / fengqiao_forecast::SECONDS_PER_DAY,
                proj.project(LonLat::new(r.lon, r.lat)),
            )
        })
        .collect();
    kept.sort_by(|a, b| a.0.total_cmp(&b.0));
    kept.truncate(taken);
    let points: Vec<(f64, f64)> = kept.iter().map(|k| (k.1.x, k.1.y)).collect();
    let centres: Vec<(f64, f64)> = if !stations.is_empty() {
        stations
            .iter()
            .map(|&s| {
                let p = proj.project(s);
                (p.x, p.y)
            })
            .collect()
    } else if req.stations > 0 {
        fengqiao_plan::kmeans::kmeans(&points, req.stations.min(points.len()), 50)
    } else {
        Vec::new()
    };
    kept.iter()
        .map(|&(t, p)| AlertEvent {
            x: p.x,
            y: p.y,
            t,
            station: centres
                .iter()
                .enumerate()
                .min_by(|a, b| {
                    let d = |c: &(f64, f64)| (c.0 - p.x).hypot(c.1 - p.y);
                    d(a.1).total_cmp(&d(b.1))
                })
                .map(|(k, _)| k as u32),
        })
        .collect()
}
