//! Backtesting: rolling-origin evaluation of the forecasting models on a
//! real incident file (through an import profile or mapping) or a stored
//! dataset, without writing to the database.

use crate::error::{Error, Result};
use crate::forecast::{IncidentSource, incident_source, local_day, to_forecast_incidents, validation_windows};
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use fengqiao_domain::Origin;
use fengqiao_forecast::prepare::{self, WindowKind};
use fengqiao_forecast::{BacktestConfig, BacktestReport, Peek, model_with_officer_weight, run_backtest, unknown_model};
use fengqiao_geo::LonLat;
use fengqiao_store::IncidentPoint;
use serde_json::{Value, json};
use std::path::PathBuf;

/// A backtest to run: the defaults are `fengqiao backtest`'s.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestRequest {
    /// An incident file (.csv or .csv.gz), read through `profile` or `map`...
    pub input: Option<PathBuf>,
    pub profile: Option<String>,
    pub map: Option<PathBuf>,
    /// ... or a dataset of the database.
    pub dataset: Option<String>,
    /// Only incidents of this category code and below.
    pub category: Option<String>,
    /// First and last local day forecast, inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// day, shift or week.
    pub window: String,
    pub shifts: Vec<u32>,
    /// Grid cell size, metres.
    pub cell: f64,
    /// Grid origin offset, metres.
    pub offset: (f64, f64),
    /// Also average the hit rates over this many grid placements.
    pub grid_offsets: usize,
    /// `history` (cells with an incident before `from`) or `jurisdictions`.
    pub study_area: String,
    pub models: Vec<String>,
    /// Days before `from` on which models may tune themselves.
    pub validation_days: i64,
    pub peek_future_weight: f64,
    pub citizen_only: bool,
    pub officer_weight: f64,
    pub bootstrap: usize,
    /// The city's places (a facilities JSON list) for the flagship's risk
    /// terrain [default: the database's, when `dataset` is scored; none for a file].
    pub facilities: Option<PathBuf>,
}

/// What a backtest found.
#[derive(Debug, Clone)]
pub struct BacktestOutcome {
    /// The file or dataset scored, for titles.
    pub source: String,
    pub report: BacktestReport,
    /// Events before the first window.
    pub history: usize,
    /// With officer-initiated incidents in the data: the models trained and
    /// scored on citizen-initiated incidents only (the patrol feedback loop cannot feed those).
    pub citizen: Option<BacktestReport>,
    /// With `grid_offsets` > 1: the placements and the mean hit rates over them.
    pub offsets: Option<Value>,
}

impl BacktestOutcome {
    /// The report as `fengqiao backtest --json` prints it.
    pub fn json(&self, req: &BacktestRequest) -> Value {
        let mut v = serde_json::to_value(&self.report).expect("serialisable");
        v["study_area"] = json!(if req.study_area == "jurisdictions" {
            "cells whose centre lies in a jurisdiction polygon".to_string()
        } else {
            format!("cells with an incident before {}", req.from)
        });
        v["cell_m"] = json!(req.cell);
        v["window"] = json!(req.window);
        v["history_events"] = json!(self.history);
        if let Some(c) = &self.citizen {
            v["citizen_only"] = serde_json::to_value(c).expect("serialisable");
        }
        if let Some(o) = &self.offsets {
            v["grid_offsets"] = o.clone();
        }
        v
    }
}

/// Runs the backtest `req` describes.
pub fn backtest(settings: &crate::Settings, req: &BacktestRequest) -> Result<BacktestOutcome> {
    let args = req;
    if args.from > args.to {
        return Err(Error::input(format!("--from {} is after --to {}", args.from, args.to)));
    }
    if !(10.0..=5000.0).contains(&args.cell) {
        return Err(Error::input(format!("--cell {} m is outside 10..=5000", args.cell)));
    }
    let offset = args.offset;
    let kind =
        WindowKind::parse(&args.window, &args.shifts).ok_or_else(|| Error::input("--shifts must be hours 0..23"))?;
    let IncidentSource {
        rows,
        tz,
        centre,
        name: source,
    } = incident_source(
        settings,
        args.input.as_deref(),
        args.profile.as_deref(),
        args.map.as_deref(),
        args.dataset.as_deref(),
        args.category.as_deref(),
    )?;
    if rows.is_empty() {
        return Err(Error::input(format!("{source}: no incidents to backtest")));
    }
    let areas = if args.study_area == "jurisdictions" {
        let store = crate::store::open_store(settings)?;
        let store = store.as_ref();
        let lookup = fengqiao_ingest::jurisdiction_lookup(store)?;
        if lookup.is_empty() {
            return Err(Error::input(format!(
                "--study-area jurisdictions: {} holds no jurisdiction polygons",
                settings.store.db.display()
            )));
        }
        Some(lookup)
    } else {
        None
    };
    let places = match (&args.facilities, &args.dataset) {
        (Some(path), _) => crate::forecast::places_of(&crate::forecast::read_facilities(path)?),
        (None, Some(_)) => crate::forecast::places_of(&crate::store::open_store(settings)?.facilities()?),
        (None, None) => Vec::new(),
    };
    let data = Data {
        rows: &rows,
        centre,
        tz,
        kind: kind.clone(),
        areas: areas.as_ref(),
        places: &places,
    };
    let (report, history) = evaluate(args, &data, offset, args.citizen_only)?;
    // With officer-initiated incidents in the data, also report the models
    // trained and scored on citizen-initiated incidents only: the patrol
    // feedback loop cannot feed those.
    let mut offsets_summary = None;
    if args.grid_offsets > 1 {
        let n = args.grid_offsets;
        let mut per_offset = Vec::new();
        for k in 0..n {
            let d = args.cell * k as f64 / n as f64;
            let (r, _) = evaluate(args, &data, (offset.0 + d, offset.1 + d), args.citizen_only)?;
            per_offset.push(((offset.0 + d, offset.1 + d), r));
        }
        let mut mean = serde_json::Map::new();
        for (i, m) in report.models.iter().enumerate() {
            let mut by_cov = serde_json::Map::new();
            for c in m.hit_rate.keys() {
                let v = per_offset.iter().map(|(_, r)| r.models[i].hit_rate[c]).sum::<f64>() / n as f64;
                by_cov.insert(c.clone(), json!(v));
            }
            mean.insert(m.name.clone(), Value::Object(by_cov));
        }
        let offsets: Vec<[f64; 2]> = per_offset.iter().map(|(o, _)| [o.0, o.1]).collect();
        offsets_summary = Some(json!({"offsets": offsets, "mean_hit_rate": mean}));
    }
    let has_officer = rows.iter().any(|r| r.origin == Origin::Officer);
    let citizen = if has_officer && !args.citizen_only {
        Some(evaluate(args, &data, offset, true)?.0)
    } else {
        None
    };
    Ok(BacktestOutcome {
        source,
        report,
        history,
        citizen,
        offsets: offsets_summary,
    })
}

/// Builds events, windows and the study area, and runs the models.
/// What a backtest runs on: the incidents and where and when they are.
struct Data<'a> {
    rows: &'a [IncidentPoint],
    centre: Option<LonLat>,
    tz: Tz,
    kind: WindowKind,
    /// Jurisdiction polygons that define the study area, when asked for.
    areas: Option<&'a fengqiao_ingest::JurisdictionLookup>,
    /// The city's places, for the flagship's risk terrain.
    places: &'a [(String, LonLat)],
}

fn evaluate(
    args: &BacktestRequest,
    data: &Data<'_>,
    offset: (f64, f64),
    citizen_only: bool,
) -> Result<(BacktestReport, usize)> {
    let Data {
        rows,
        centre,
        tz,
        kind,
        areas,
        places,
    } = data;
    let (rows, centre, tz, kind, areas) = (*rows, *centre, *tz, kind.clone(), *areas);
    let mut models = Vec::new();
    for name in args.models.iter().filter(|n| *n != "peek") {
        models.push(
            model_with_officer_weight(name, args.officer_weight).ok_or_else(|| Error::input(unknown_model(name)))?,
        );
    }
    let history_end = tz
        .from_local_datetime(&args.from.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(i64::MAX, |t| t.timestamp());
    let mut incidents = to_forecast_incidents(rows, tz, citizen_only, history_end);
    if matches!(kind, WindowKind::Shift(_)) {
        incidents.retain(|i| !i.day_only);
    }
    let centre = centre.unwrap_or_else(|| {
        let n = incidents.len().max(1) as f64;
        LonLat::new(
            incidents.iter().map(|i| i.lon).sum::<f64>() / n,
            incidents.iter().map(|i| i.lat).sum::<f64>() / n,
        )
    });
    let (grid, events) = prepare::build_events(&incidents, centre, args.cell, offset)?;
    let windows = prepare::windows(tz, args.from, args.to, &kind);
    // Validation starts a year (by default) before --from, but not before the
    // data has 60 days of history for the features to stand on.
    let earliest = events.first().map(|e| local_day(tz, e.t));
    let validation = validation_windows(tz, args.from, args.validation_days, earliest, &kind);
    let first = windows.first().map_or(0.0, |w| w.start);
    let history = events.partition_point(|e| e.t < first);
    if history == 0 {
        return Err(Error::input(format!(
            "no incidents before {}: nothing to learn from",
            args.from
        )));
    }
    let valid = match areas {
        None => prepare::cells_with_history(&grid, &events, first),
        Some(lookup) => {
            let proj = fengqiao_geo::LocalProjection::centred_on(centre);
            (0..grid.len() as u32)
                .map(|c| {
                    let p = proj.unproject(grid.cell_centre(fengqiao_geo::CellId(c)));
                    lookup.find(p.lon, p.lat).is_some()
                })
                .collect()
        }
    };
    let mut ctx = prepare::context(grid, valid, &kind);
    ctx.terrain = crate::forecast::terrain_on(places, centre, &ctx.grid);
    if let Some(at) = args.models.iter().position(|n| n == "peek") {
        // The ceiling sees the forecast period too: only the backtest can build it.
        let last = windows.last().map_or(f64::NEG_INFINITY, |w| w.end);
        let seen = events.partition_point(|e| e.t < last);
        let mut peek = Peek::new(events[..seen].to_vec());
        peek.future_weight = args.peek_future_weight;
        models.insert(at.min(models.len()), Box::new(peek));
    }
    let cfg = BacktestConfig {
        bootstrap: args.bootstrap,
        ..BacktestConfig::default()
    };
    let report = run_backtest(&ctx, &events, &windows, &validation, models, &cfg);
    Ok((report, history))
}

/// The longest period the recent-accuracy check replays (a quarter).
pub const RECENT_MAX_DAYS: i64 = 92;

/// How the forecasts of a dataset would have done lately: its last `days`
/// whole days before `today` (the city's calendar), each forecast from the
/// incidents before it by counting (`naive`) and the flagship (`fq`, with
/// the places on file), beside the `peek` ceiling — what the map page shows
/// an analyst. Reads the store the caller holds.
pub fn recent_accuracy(
    store: &dyn fengqiao_store::Store,
    dataset: Option<&str>,
    window: &str,
    days: i64,
    today: NaiveDate,
) -> Result<Value> {
    if !(7..=RECENT_MAX_DAYS).contains(&days) {
        return Err(Error::input(format!(
            "days {days}: the recent accuracy replays 7 to {RECENT_MAX_DAYS} days"
        )));
    }
    if !["day", "shift"].contains(&window) {
        return Err(Error::input(format!("window {window:?}: expected day or shift")));
    }
    let dataset = crate::forecast::resolve_dataset(store, dataset)?;
    let (rows, tz, centre) = crate::forecast::rows_from_store(store, &dataset, None)?;
    let to = today - chrono::Duration::days(1);
    let from = today - chrono::Duration::days(days);
    let req = BacktestRequest {
        input: None,
        profile: None,
        map: None,
        dataset: Some(dataset.clone()),
        category: None,
        from,
        to,
        window: window.to_string(),
        shifts: vec![0, 8, 16],
        cell: 150.0,
        offset: (0.0, 0.0),
        grid_offsets: 1,
        study_area: "history".into(),
        models: ["naive", "fq", "peek"].map(String::from).to_vec(),
        validation_days: 365,
        peek_future_weight: 0.5,
        citizen_only: false,
        officer_weight: 1.0,
        bootstrap: 200,
        facilities: None,
    };
    let places = crate::forecast::places_of(&store.facilities()?);
    let kind = WindowKind::parse(window, &req.shifts).expect("fixed shifts");
    let data = Data {
        rows: &rows,
        centre: Some(centre),
        tz,
        kind,
        areas: None,
        places: &places,
    };
    let (report, history) = evaluate(&req, &data, req.offset, false)?;
    let outcome = BacktestOutcome {
        source: format!("dataset {dataset}"),
        report,
        history,
        citizen: None,
        offsets: None,
    };
    let mut v = outcome.json(&req);
    v["dataset"] = json!(dataset);
    v["from"] = json!(from);
    v["to"] = json!(to);
    v["timezone"] = json!(tz.name());
    Ok(v)
}
