//! `fengqiao staffing`: how many crews each station needs in a forecast's
//! window to answer its calls within a target — the expected incidents of
//! the cells nearest each station, the service time measured from the
//! dataset's own incidents (dispatch or receipt to the end of handling),
//! Erlang C for the fewest crews meeting the level, and the hypercube
//! model for the crews each station needs when crews answer each other's
//! calls (a busy neighbour's calls take a station's crews away).

use crate::deployment::{PlanRequest, load_forecast};
use crate::error::{Error, Result};
use chrono::Duration;
use fengqiao_geo::{CellId, Grid, LocalProjection, LonLat, Xy};
use fengqiao_staffing::service::{Sample, measure};
use fengqiao_staffing::{erlang, spatial};
use fengqiao_store::{ForecastRun, IncidentFilter, Store};
use serde::Serialize;
use std::collections::HashMap;

/// Fewest measured calls for their mean to be used instead of the default.
pub(crate) const MIN_MEASURED: usize = 30;
/// Busy minutes per call where none are measured.
pub const DEFAULT_SERVICE_MINUTES: f64 = 45.0;
/// Most incidents read to measure service times.
const MAX_MEASURED: usize = 200_000;

#[derive(Debug, Clone)]
pub struct StaffingRequest {
    pub dataset: Option<String>,
    /// A forecast id, or `latest`.
    pub forecast: String,
    /// The window of the latest forecast: shift, day or week.
    pub window: String,
    /// A call should wait at most this long for a crew…
    pub target_minutes: f64,
    /// …in at least this share of calls.
    pub level: f64,
    /// Busy minutes per call where the data records too few handled calls.
    pub default_service_minutes: f64,
    /// Days of incidents before the forecast's data cut-off to measure from.
    pub history_days: u32,
}

impl Default for StaffingRequest {
    fn default() -> Self {
        StaffingRequest {
            dataset: None,
            forecast: "latest".into(),
            window: "shift".into(),
            target_minutes: 5.0,
            level: 0.9,
            default_service_minutes: DEFAULT_SERVICE_MINUTES,
            history_days: 90,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StationNeed {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Expected incidents in the window in the cells nearest this station.
    pub expected_incidents: f64,
    pub calls_per_hour: f64,
    /// Offered load: crews' worth of work on average.
    pub load: f64,
    /// The fewest crews meeting the target.
    pub crews: u32,
    pub service_level: f64,
    pub wait_probability: f64,
    /// Share of the station's calls one of its own crews answers at once
    /// with Erlang C's crews everywhere, the crews of every station
    /// answering each other's calls (the hypercube model).
    pub own_share: f64,
    /// The fewest crews (from Erlang C's) for every station's own share to
    /// reach the level in the hypercube model.
    pub spatial_crews: u32,
    /// The own share with `spatial_crews` everywhere.
    pub spatial_own_share: f64,
    /// Share of the station's calls another station's crew answers at
    /// once, with `spatial_crews` everywhere.
    pub helped_share: f64,
    /// Mean share of time the station's crews are busy, with `spatial_crews`.
    pub workload: f64,
    /// Crews the station's published roster puts on the window's first
    /// shift (`None`: no published roster covers it).
    pub rostered_crews: Option<usize>,
    /// Patrol units on file at the station.
    pub units_on_file: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffingReport {
    pub forecast_id: i64,
    pub dataset: String,
    /// The city's zone (IANA), to show the window in.
    pub timezone: String,
    /// `shift`, `day` or `week`.
    pub window: String,
    pub window_start: String,
    pub window_end: String,
    pub service_minutes: f64,
    /// `measured` (with how many calls) or `default`.
    pub service_basis: String,
    pub measured_calls: usize,
    pub target_minutes: f64,
    pub level: f64,
    /// Whether the hypercube model's crews met the level at every station
    /// (it adds crews for at most [`spatial::MAX_ROUNDS`] rounds).
    pub spatial_met: bool,
    /// Chance a call finds every crew in the city busy, with the spatial crews.
    pub queue_probability: f64,
    pub stations: Vec<StationNeed>,
}

fn check(req: &StaffingRequest) -> Result<()> {
    let bad = |m: String| Err(Error::input(m));
    if !(req.target_minutes.is_finite() && (0.0..=240.0).contains(&req.target_minutes)) {
        return bad(format!("target {} minutes: 0 to 240", req.target_minutes));
    }
    if !(req.level > 0.0 && req.level < 1.0) {
        return bad(format!("level {}: above 0 and below 1 (e.g. 0.9)", req.level));
    }
    if !(req.default_service_minutes.is_finite()
        && req.default_service_minutes > 0.0
        && req.default_service_minutes <= 1440.0)
    {
        return bad(format!(
            "service time {} minutes: above 0, at most a day",
            req.default_service_minutes
        ));
    }
    if req.history_days == 0 || req.history_days > 3660 {
        return bad(format!("history of {} days: 1 to 3660", req.history_days));
    }
    Ok(())
}

/// A handled call's busy minutes: dispatch (or receipt) to the end of
/// handling, with its category and the local hour it happened.
pub(crate) fn handled(r: &fengqiao_domain::NewIncident) -> Option<Sample> {
    let (start, end) = (r.dispatched_at.or(r.received_at)?, r.closed_at?);
    Some(Sample {
        category: r.category.clone(),
        hour: r.hour_of_week.map_or(0, |h| h % 24),
        minutes: (end - start).num_seconds() as f64 / 60.0,
    })
}

/// The index of the station nearest `p` (`at` is not empty).
fn nearest(at: &[Xy], p: Xy) -> usize {
    let d = |q: &Xy| (q.x - p.x).powi(2) + (q.y - p.y).powi(2);
    at.iter()
        .enumerate()
        .min_by(|a, b| d(a.1).total_cmp(&d(b.1)))
        .map(|(i, _)| i)
        .expect("at least one station")
}

/// Mean busy minutes of the dataset's handled calls before the forecast's
/// cut-off that came in at the window's hours of the week (their mix of
/// categories), or of all of them where too few did; with how many.
fn measured_service(
    store: &dyn Store,
    run: &ForecastRun,
    days: u32,
    tz: chrono_tz::Tz,
) -> Result<(usize, Option<f64>)> {
    let mut in_window = [false; 168];
    let mut t = run.window_start;
    while t < run.window_end {
        let local = t.with_timezone(&tz);
        in_window[usize::from(fengqiao_domain::hour_of_week(local.naive_local()))] = true;
        t += Duration::hours(1);
    }
    let filter = IncidentFilter {
        dataset: Some(run.dataset.clone()),
        from: Some(run.data_cutoff - Duration::days(i64::from(days))),
        to: Some(run.data_cutoff + Duration::seconds(1)),
        ..IncidentFilter::default()
    };
    let (mut all, mut window) = (Vec::new(), Vec::new());
    crate::store::scan_incidents(store, &filter, MAX_MEASURED, |i| {
        if let Some(s) = handled(&i.record) {
            if i.record
                .hour_of_week
                .is_some_and(|h| in_window[usize::from(h).min(167)])
            {
                window.push(s.clone());
            }
            all.push(s);
        }
    })?;
    for samples in [window, all] {
        let times = measure(samples, MIN_MEASURED);
        let n = times.overall.count;
        if n >= MIN_MEASURED {
            return Ok((n, Some(times.overall.mean_minutes)));
        }
    }
    Ok((0, None))
}

pub fn need(store: &dyn Store, req: &StaffingRequest) -> Result<StaffingReport> {
    check(req)?;
    let (run, cells) = load_forecast(
        store,
        &PlanRequest {
            dataset: req.dataset.clone(),
            forecast: req.forecast.clone(),
            window: req.window.clone(),
            units: None,
        },
    )?;
    let stations = crate::personnel::stations(store)?;
    if stations.is_empty() {
        return Err(Error::input("no police stations on file: import facilities first"));
    }
    let proj = LocalProjection::centred_on(LonLat::new(run.centre[0], run.centre[1]));
    let grid = Grid::new(Xy::new(run.origin[0], run.origin[1]), run.cell_m, run.cols, run.rows)
        .map_err(|e| Error::input(format!("forecast {}: {e}", run.id)))?;
    let at: Vec<Xy> = stations
        .iter()
        .map(|s| proj.project(LonLat::new(s.lon, s.lat)))
        .collect();
    let mut expected = vec![0.0; stations.len()];
    for &(c, w) in cells.iter().filter(|(_, w)| *w > 0.0) {
        expected[nearest(&at, grid.cell_centre(CellId(c)))] += w;
    }
    let tz = crate::deployment::dataset_zone(store, &run.dataset)?;
    let (measured_calls, measured) = measured_service(store, &run, req.history_days, tz)?;
    let service_minutes = measured.unwrap_or(req.default_service_minutes);
    let hours = (run.window_end - run.window_start).num_seconds() as f64 / 3600.0;
    if hours <= 0.0 {
        return Err(Error::input(format!("forecast {}: an empty window", run.id)));
    }
    let ratio = req.target_minutes / service_minutes;
    let mut out = Vec::with_capacity(stations.len());
    for (s, &e) in stations.iter().zip(&expected) {
        let calls_per_hour = e / hours;
        let load = erlang::intensity(calls_per_hour, service_minutes).map_err(|e| Error::input(e.to_string()))?;
        let crews = erlang::servers_needed(load, ratio, req.level).map_err(|e| Error::input(e.to_string()))?;
        out.push(StationNeed {
            code: s.code.clone(),
            name_zh: s.name_zh.clone(),
            name_en: s.name_en.clone(),
            expected_incidents: e,
            calls_per_hour,
            load,
            crews,
            service_level: erlang::service_level(crews, load, ratio),
            wait_probability: erlang::wait_probability(crews, load),
            own_share: 0.0,
            spatial_crews: crews,
            spatial_own_share: 0.0,
            helped_share: 0.0,
            workload: 0.0,
            rostered_crews: if req.window == "shift" {
                crate::patrol_sheet::crews_on_shift(store, &s.code, run.window_start, tz)?
            } else {
                None
            },
            units_on_file: s.units,
        });
    }
    let demand: Vec<spatial::Demand> = cells
        .iter()
        .filter(|(_, w)| *w > 0.0)
        .map(|&(c, w)| {
            let p = grid.cell_centre(CellId(c));
            spatial::Demand {
                at: [p.x, p.y],
                calls_per_hour: w / hours,
            }
        })
        .collect();
    let positions: Vec<[f64; 2]> = at.iter().map(|p| [p.x, p.y]).collect();
    let start: Vec<u32> = out.iter().map(|s| s.crews).collect();
    let needed = spatial::crews_needed(&positions, &start, &demand, service_minutes, req.level)
        .map_err(|e| Error::input(format!("the hypercube model: {e}")))?;
    for (k, s) in out.iter_mut().enumerate() {
        s.own_share = needed.start.own_share[k];
        s.spatial_crews = needed.end.crews[k];
        s.spatial_own_share = needed.end.own_share[k];
        s.helped_share = needed.end.helped_share[k];
        s.workload = needed.end.workload[k];
    }
    Ok(StaffingReport {
        forecast_id: run.id,
        dataset: run.dataset.clone(),
        timezone: tz.name().to_string(),
        window: run.window_kind.clone(),
        window_start: run.window_start.to_rfc3339(),
        window_end: run.window_end.to_rfc3339(),
        service_minutes,
        service_basis: if measured.is_some() {
            "measured".into()
        } else {
            "default".into()
        },
        measured_calls,
        target_minutes: req.target_minutes,
        level: req.level,
        spatial_met: needed.met,
        queue_probability: needed.end.queue_probability,
        stations: out,
    })
}

/// Most weeks of history the hour-of-week demand is read from.
pub const MAX_HISTORY_WEEKS: u32 = 52;

/// What the crews each station needs at each hour of the week are read from.
#[derive(Debug, Clone)]
pub struct HourlyRequest {
    pub dataset: Option<String>,
    /// Weeks of incidents before `until` to average over.
    pub history_weeks: u32,
    pub until: chrono::DateTime<chrono::Utc>,
    pub target_minutes: f64,
    pub level: f64,
    pub default_service_minutes: f64,
    /// Crews a station keeps on patrol whatever the demand (visibility).
    pub min_crews: u32,
}

impl HourlyRequest {
    pub fn new(until: chrono::DateTime<chrono::Utc>) -> Self {
        HourlyRequest {
            dataset: None,
            history_weeks: 8,
            until,
            target_minutes: 5.0,
            level: 0.9,
            default_service_minutes: DEFAULT_SERVICE_MINUTES,
            min_crews: 1,
        }
    }
}

/// One station's demand through the week: hour 0 is Monday 00:00–01:00 in
/// the dataset's zone.
#[derive(Debug, Clone, Serialize)]
pub struct StationWeek {
    pub code: String,
    pub calls_per_hour: Vec<f64>,
    /// Each hour's mean busy minutes a call, from the mix of its categories.
    pub service_minutes: Vec<f64>,
    pub crews: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekReport {
    pub dataset: String,
    pub history_from: chrono::DateTime<chrono::Utc>,
    pub history_to: chrono::DateTime<chrono::Utc>,
    pub history_weeks: u32,
    pub incidents: usize,
    pub service_minutes: f64,
    pub service_basis: String,
    pub target_minutes: f64,
    pub level: f64,
    pub stations: Vec<StationWeek>,
}

/// Crews each station needs at each hour of the week: the incidents of the
/// last weeks in the area nearest each station (the seasonal average, hour
/// of week by hour of week), each hour's busy time from its mix of
/// categories (each category's time measured from the same incidents, at
/// that hour of the day where enough were handled then), and Erlang C for
/// the fewest crews meeting the target — at least `min_crews` at every hour.
pub fn weekly(store: &dyn Store, req: &HourlyRequest) -> Result<WeekReport> {
    check(&StaffingRequest {
        target_minutes: req.target_minutes,
        level: req.level,
        default_service_minutes: req.default_service_minutes,
        ..StaffingRequest::default()
    })?;
    if req.history_weeks == 0 || req.history_weeks > MAX_HISTORY_WEEKS {
        return Err(Error::input(format!(
            "history of {} weeks: 1 to {MAX_HISTORY_WEEKS}",
            req.history_weeks
        )));
    }
    let name = crate::forecast::resolve_dataset(store, req.dataset.as_deref())?;
    let dataset = store
        .datasets()?
        .into_iter()
        .find(|d| d.name == name)
        .ok_or_else(|| Error::not_found(format!("no dataset {name}")))?;
    let stations = crate::personnel::stations(store)?;
    if stations.is_empty() {
        return Err(Error::input("no police stations on file: import facilities first"));
    }
    let to = dataset.last_at.map_or(req.until, |l| l.min(req.until)) + Duration::seconds(1);
    // The weeks asked for, or as many as the data holds.
    let from = (to - Duration::weeks(i64::from(req.history_weeks))).max(dataset.first_at.unwrap_or(to));
    let centre = LonLat::new(
        stations.iter().map(|s| s.lon).sum::<f64>() / stations.len() as f64,
        stations.iter().map(|s| s.lat).sum::<f64>() / stations.len() as f64,
    );
    let proj = LocalProjection::centred_on(centre);
    let at: Vec<Xy> = stations
        .iter()
        .map(|s| proj.project(LonLat::new(s.lon, s.lat)))
        .collect();
    // Calls by station, hour of week and category: the categories' mix
    // sets each hour's busy time.
    let mut counts: Vec<Vec<HashMap<String, u32>>> = vec![vec![HashMap::new(); 168]; stations.len()];
    let mut samples = Vec::new();
    let filter = IncidentFilter {
        dataset: Some(dataset.name.clone()),
        from: Some(from),
        to: Some(to),
        ..IncidentFilter::default()
    };
    let read = crate::store::scan_incidents(store, &filter, MAX_MEASURED, |i| {
        let r = &i.record;
        if let Some(how) = r.hour_of_week {
            let k = nearest(&at, proj.project(LonLat::new(r.lon, r.lat)));
            *counts[k][usize::from(how).min(167)]
                .entry(r.category.clone())
                .or_default() += 1;
            samples.extend(handled(r));
        }
    })?;
    let times = measure(samples, MIN_MEASURED);
    let measured = (times.overall.count >= MIN_MEASURED).then_some(times.overall.mean_minutes);
    let service_minutes = measured.unwrap_or(req.default_service_minutes);
    // A category's busy minutes at an hour of the day: its own mean there,
    // else its mean, else every call's (with enough calls), else the default.
    let minutes = |category: &str, hour: u8| match measured {
        Some(_) => times.minutes(category, hour).map_or(service_minutes, |(m, _)| m),
        None => service_minutes,
    };
    // Each hour of the week averaged over the times it occurs in the time
    // read: a dataset shorter than the weeks asked for is neither diluted nor,
    // when it holds a few days, inflated as if they were a fraction of a week.
    let zone: chrono_tz::Tz = dataset.timezone.parse().unwrap_or(chrono_tz::UTC);
    let seen = hours_of_week_in(from, to, zone);
    // An hour of the week the history never reached (it holds less than a
    // week) takes the same hour of the day over the days it does hold.
    let mut days_seen = [0u32; 24];
    for (how, n) in seen.iter().enumerate() {
        days_seen[how % 24] += n;
    }
    let mut out = Vec::with_capacity(stations.len());
    for (s, by_hour) in stations.iter().zip(&counts) {
        let mut by_hour_of_day: Vec<HashMap<String, u32>> = vec![HashMap::new(); 24];
        for (how, by_category) in by_hour.iter().enumerate() {
            for (c, &n) in by_category {
                *by_hour_of_day[how % 24].entry(c.clone()).or_default() += n;
            }
        }
        let mut calls_per_hour = Vec::with_capacity(168);
        let mut service_by_hour = Vec::with_capacity(168);
        let mut crews = Vec::with_capacity(168);
        for (how, by_category) in by_hour.iter().enumerate() {
            let hour = (how % 24) as u8;
            let (by_category, times_seen) = if seen[how] > 0 {
                (by_category, seen[how])
            } else {
                (&by_hour_of_day[how % 24], days_seen[how % 24])
            };
            let weeks = f64::from(times_seen.max(1));
            let calls: f64 = by_category.values().map(|&n| f64::from(n)).sum::<f64>() / weeks;
            let busy: f64 = by_category
                .iter()
                .map(|(c, &n)| f64::from(n) / weeks * minutes(c, hour))
                .sum();
            // The mix's mean busy time: the load is the categories' loads summed.
            let service = if calls > 0.0 { busy / calls } else { service_minutes };
            let load = erlang::intensity(calls, service).map_err(|e| Error::input(e.to_string()))?;
            let n = erlang::servers_needed(load, req.target_minutes / service, req.level)
                .map_err(|e| Error::input(e.to_string()))?;
            calls_per_hour.push(calls);
            service_by_hour.push(service);
            crews.push(n.max(req.min_crews));
        }
        out.push(StationWeek {
            code: s.code.clone(),
            calls_per_hour,
            service_minutes: service_by_hour,
            crews,
        });
    }
    Ok(WeekReport {
        dataset: dataset.name,
        history_from: from,
        history_to: to,
        history_weeks: req.history_weeks,
        incidents: read,
        service_minutes,
        service_basis: if measured.is_some() {
            "measured".into()
        } else {
            "default".into()
        },
        target_minutes: req.target_minutes,
        level: req.level,
        stations: out,
    })
}

/// How many times each hour of the week (local, 0 = Monday 00:00) begins in
/// `[from, to)`. Bounded: the time read is at most `MAX_HISTORY_WEEKS`.
fn hours_of_week_in(
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    zone: chrono_tz::Tz,
) -> [u32; 168] {
    use chrono::Timelike;
    let mut seen = [0u32; 168];
    let mut hour = from
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(from);
    if hour < from {
        hour += Duration::hours(1);
    }
    while hour < to {
        let how = fengqiao_domain::hour_of_week(hour.with_timezone(&zone).naive_local());
        seen[usize::from(how).min(167)] += 1;
        hour += Duration::hours(1);
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use fengqiao_domain::{Facility, FacilityKind, NewIncident, Origin, TimePrecision};
    use fengqiao_store::{ImportCounts, ImportStart};
    use fengqiao_store_sqlite::SqliteStore;

    #[test]
    fn each_hour_of_the_week_counts_the_times_it_occurs_in_the_time_read() {
        use chrono::TimeZone;
        let zone = chrono_tz::Asia::Shanghai;
        // Two days from Thursday 00:00 Beijing time: 48 hours seen once, the rest never.
        let from = zone
            .with_ymd_and_hms(2026, 12, 3, 0, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc);
        let seen = hours_of_week_in(from, from + Duration::days(2), zone);
        assert_eq!(seen.iter().filter(|&&n| n == 1).count(), 48);
        assert_eq!(
            (seen[3 * 24], seen[5 * 24]),
            (1, 0),
            "Thursday 00:00 seen, Saturday not"
        );
        // Two weeks from inside an hour: 336 hours begin in it, one of them at the very end.
        let seen = hours_of_week_in(
            from + Duration::minutes(30),
            from + Duration::weeks(2) + Duration::minutes(30),
            zone,
        );
        assert_eq!(seen.iter().sum::<u32>(), 2 * 168);
        assert!(seen.iter().all(|&n| (1..=2).contains(&n)));
    }

    /// A call of `category` on Monday `day_of_month` of June 2026 at local
    /// `hour` (Shanghai), busy for `minutes` from dispatch.
    fn call(key: usize, category: &str, hour: u32, day_of_month: u32, minutes: i64) -> NewIncident {
        let at = chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(2026, 6, day_of_month, hour, 0, 0)
            .unwrap()
            .to_utc();
        NewIncident {
            source_key: format!("c{key}"),
            occurred_at: at,
            time_precision: TimePrecision::Minute,
            // Monday: the hour of the week is the hour of the day.
            hour_of_week: Some(hour as u8),
            received_at: Some(at),
            dispatched_at: Some(at),
            arrived_at: None,
            closed_at: Some(at + Duration::minutes(minutes)),
            unit: None,
            category: category.into(),
            raw_category: None,
            lon: 121.5,
            lat: 29.8,
            address: None,
            place_type: None,
            jurisdiction_id: None,
            origin: Origin::Citizen,
        }
    }

    /// A store with PS01 and, on four Mondays of June 2026, eight long
    /// traffic calls at 10:00 (two hours each) and eight short noise calls
    /// at 22:00 (ten minutes each).
    fn mondays() -> (tempfile::TempDir, SqliteStore) {
        mondays_of(&[1, 8, 15, 22])
    }

    fn mondays_of(days: &[u32]) -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
        store
            .replace_facilities(&[Facility {
                code: "PS01".into(),
                kind: FacilityKind::Station,
                name_zh: "鼓楼派出所".into(),
                name_en: "Gulou".into(),
                lon: 121.5,
                lat: 29.8,
                jurisdiction: None,
                units: 2,
            }])
            .unwrap();
        let mut rows = Vec::new();
        // Mondays 1, 8, 15, 22 June: eight calls of each kind an hour (32 of
        // each in all, enough for their own means).
        for (w, &day) in days.iter().enumerate() {
            for k in 0..8 {
                rows.push(call(100 * w + k, "traffic.accident", 10, day, 120));
                rows.push(call(100 * w + 50 + k, "disorder.noise", 22, day, 10));
            }
        }
        let (run, _) = fengqiao_store::Store::begin_import(
            &store,
            &ImportStart {
                dataset: "t".into(),
                profile: "test".into(),
                timezone: "Asia/Shanghai".into(),
                file_name: "t.csv".into(),
                file_sha256: "t".into(),
            },
        )
        .unwrap();
        let counts = fengqiao_store::Store::import_batch(&store, run, &rows, ImportCounts::default()).unwrap();
        fengqiao_store::Store::finish_import(&store, run, counts).unwrap();
        (dir, store)
    }

    /// The same number of calls at 10:00 and at 22:00 each Monday, but the
    /// morning's are long and the evening's short: the morning needs more crews.
    #[test]
    fn each_hour_is_busy_as_long_as_its_categories_take() {
        let (_dir, store) = mondays();
        let until = chrono::Utc.with_ymd_and_hms(2026, 6, 28, 0, 0, 0).unwrap();
        let mut req = HourlyRequest::new(until);
        req.dataset = Some("t".into());
        req.history_weeks = 4;
        let week = weekly(&store, &req).unwrap();
        assert_eq!(week.service_basis, "measured");
        let s = &week.stations[0];
        let (morning, evening) = (10, 22);
        assert!(
            (s.service_minutes[morning] - 120.0).abs() < 1e-6,
            "{}",
            s.service_minutes[morning]
        );
        assert!(
            (s.service_minutes[evening] - 10.0).abs() < 1e-6,
            "{}",
            s.service_minutes[evening]
        );
        assert!((s.calls_per_hour[morning] - s.calls_per_hour[evening]).abs() < 1e-9);
        assert!(
            s.crews[morning] > s.crews[evening],
            "{} crews at 10:00, {} at 22:00",
            s.crews[morning],
            s.crews[evening]
        );
    }

    /// A history of a single Monday: the other days' hours, never seen,
    /// take the same hour of the day (Tuesday 10:00 as busy as Monday's)
    /// rather than no calls at all.
    #[test]
    fn hours_of_the_week_not_yet_seen_take_the_same_hour_of_the_day() {
        let (_dir, store) = mondays_of(&[1]);
        let until = chrono::Utc.with_ymd_and_hms(2026, 6, 28, 0, 0, 0).unwrap();
        let mut req = HourlyRequest::new(until);
        req.dataset = Some("t".into());
        req.history_weeks = 1;
        let week = weekly(&store, &req).unwrap();
        let s = &week.stations[0];
        let (monday, tuesday, friday_night) = (10, 24 + 10, 4 * 24 + 22);
        assert!(
            (s.calls_per_hour[monday] - 8.0).abs() < 1e-9,
            "{}",
            s.calls_per_hour[monday]
        );
        assert!(
            (s.calls_per_hour[tuesday] - 8.0).abs() < 1e-9,
            "{}",
            s.calls_per_hour[tuesday]
        );
        assert!(
            (s.calls_per_hour[friday_night] - 8.0).abs() < 1e-9,
            "{}",
            s.calls_per_hour[friday_night]
        );
        assert_eq!(s.crews[tuesday], s.crews[monday]);
        // An hour seen with no calls stays quiet: Monday 15:00.
        assert_eq!(s.calls_per_hour[15], 0.0);
    }

    /// A forecast's window is served as long as the calls at its hours of
    /// the week took: a Monday morning's longer than a Monday night's.
    #[test]
    fn a_windows_service_time_is_that_of_its_hours_calls() {
        let (_dir, store) = mondays();
        let shanghai = chrono_tz::Asia::Shanghai;
        let cutoff = chrono::Utc.with_ymd_and_hms(2026, 6, 28, 0, 0, 0).unwrap();
        let window = |from: u32, to: u32| ForecastRun {
            dataset: "t".into(),
            ..crate::deployment::tests::forecast_run(
                shanghai.with_ymd_and_hms(2026, 6, 29, from, 0, 0).unwrap().to_utc(),
                shanghai.with_ymd_and_hms(2026, 6, 29, to, 0, 0).unwrap().to_utc(),
                cutoff,
            )
        };
        let morning = measured_service(&store, &window(8, 16), 90, shanghai).unwrap();
        let night = measured_service(&store, &window(16, 23), 90, shanghai).unwrap();
        assert_eq!(morning, (32, Some(120.0)));
        assert_eq!(night, (32, Some(10.0)));
        // No calls at its hours: every call's mean.
        let dawn = measured_service(&store, &window(0, 8), 90, shanghai).unwrap();
        assert_eq!(dawn.0, 64);
        assert!((dawn.1.unwrap() - 65.0).abs() < 1e-9, "{dawn:?}");
    }
}
