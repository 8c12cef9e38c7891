//! Making a forecast: expected incidents per grid cell for the next window
//! (or a chosen one), from the incidents in the database, stored with its
//! parameters; and the rules every forecast and backtest share.

use crate::error::{Error, Result};
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use fengqiao_domain::{CategoryTable, NewIncident, Origin, TimePrecision};
use fengqiao_forecast::prepare::Incident;
use fengqiao_forecast::prepare::{self, WindowKind};
use fengqiao_forecast::{SECONDS_PER_DAY, Window, model_with_officer_weight, unknown_model};
use fengqiao_geo::LonLat;
use fengqiao_ingest::{ImportOptions, Mapping, import, open_csv_source};
use fengqiao_store::{ForecastRun, ImportCounts, IncidentFilter, IncidentPoint, NewForecast, Store};
use serde_json::json;
use std::path::Path;

/// A forecast to make: the defaults are `fengqiao forecast`'s.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForecastRequest {
    /// The dataset [default: the default dataset].
    pub dataset: Option<String>,
    pub model: String,
    /// shift, day or week.
    pub window: String,
    /// Local start hours of the shifts.
    pub shifts: Vec<u32>,
    /// Local date of the window [default: the next window from now].
    pub date: Option<NaiveDate>,
    /// Which shift of `date` (0-based, in start-hour order).
    pub shift: usize,
    /// The window that holds the newest incident instead of the next one.
    pub previous: bool,
    /// The first window after the newest incident, however long ago (a
    /// historical dataset), instead of the next one from now.
    pub after_data: bool,
    /// Grid cell size, metres.
    pub cell: f64,
    /// Leave officer-initiated incidents out of the training data.
    pub citizen_only: bool,
    /// Weight of officer-initiated incidents in the flagship's features.
    pub officer_weight: f64,
    /// Only this category code and below.
    pub category: Option<String>,
}

impl Default for ForecastRequest {
    fn default() -> Self {
        Self {
            dataset: None,
            model: "fq".into(),
            window: "shift".into(),
            shifts: vec![0, 8, 16],
            date: None,
            shift: 0,
            previous: false,
            after_data: false,
            cell: 150.0,
            citizen_only: false,
            officer_weight: 1.0,
            category: None,
        }
    }
}

/// How long before a window its data may stop: a forecast from older
/// data is refused (it would say nothing of the last days).
pub const STALE_AFTER_DAYS: f64 = 7.0;

/// The validation windows a model tunes itself on before forecasting
/// `first_day`: the `days` before it, but none in the first 60 days of the
/// data (`earliest`), which have too little history behind them.
pub fn validation_windows(
    tz: Tz,
    first_day: NaiveDate,
    days: i64,
    earliest: Option<NaiveDate>,
    kind: &WindowKind,
) -> Vec<Window> {
    let from = first_day - chrono::Duration::days(days.max(1));
    let from = earliest.map_or(from, |e| from.max(e + chrono::Duration::days(60)));
    match first_day.pred_opt() {
        Some(last) if from < first_day => prepare::windows(tz, from, last, kind),
        _ => Vec::new(),
    }
}

/// The local date of a time in days since the epoch.
pub fn local_day(tz: Tz, days: f64) -> NaiveDate {
    Utc.timestamp_opt((days * SECONDS_PER_DAY) as i64, 0)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

pub fn resolve_dataset(store: &dyn Store, asked: Option<&str>) -> Result<String> {
    if let Some(d) = asked {
        return Ok(d.to_string());
    }
    if let Some(d) = store.get_setting("default_dataset")? {
        return Ok(d);
    }
    let all = store.datasets()?;
    match all.as_slice() {
        [one] => Ok(one.name.clone()),
        [] => Err(Error::input("the database holds no incidents yet: import some first")),
        _ => Err(Error::input(format!(
            "several datasets ({}): choose one with --dataset",
            all.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// A dataset's incidents (optionally one category and below) in time order,
/// with its time zone and the centre of its local projection.
pub fn rows_from_store(
    store: &dyn Store,
    dataset: &str,
    category: Option<&str>,
) -> Result<(Vec<fengqiao_store::IncidentPoint>, Tz, LonLat)> {
    let tz_name = store
        .dataset_timezone(dataset)?
        .ok_or_else(|| Error::input(format!("no dataset named {dataset:?}")))?;
    let tz: Tz = tz_name
        .parse()
        .map_err(|_| Error::input(format!("dataset {dataset} has an unknown time zone {tz_name}")))?;
    let filter = IncidentFilter {
        dataset: Some(dataset.to_string()),
        category: category.map(String::from),
        ..IncidentFilter::default()
    };
    let rows = store.incident_points(&filter)?;
    let centre = match store.get_setting(&format!("centre:{dataset}"))? {
        Some(c) => c
            .split_once(',')
            .and_then(|(a, b)| Some(LonLat::new(a.parse().ok()?, b.parse().ok()?)))
            .ok_or_else(|| Error::input("bad centre setting"))?,
        None => rows
            .first()
            .map(|r| LonLat::new(r.lon, r.lat))
            .ok_or_else(|| Error::input("the dataset has no incidents"))?,
    };
    Ok((rows, tz, centre))
}

/// Makes and stores one forecast; returns the run and its cells.
pub fn make_forecast(
    store: &dyn Store,
    args: &ForecastRequest,
) -> Result<(ForecastRun, fengqiao_store::ForecastCells)> {
    let dataset = resolve_dataset(store, args.dataset.as_deref())?;
    let kind =
        WindowKind::parse(&args.window, &args.shifts).ok_or_else(|| Error::input("--shifts must be hours 0..23"))?;
    let mut model = model_with_officer_weight(&args.model, args.officer_weight)
        .ok_or_else(|| Error::input(unknown_model(&args.model)))?;
    let (rows, tz, centre) = rows_from_store(store, &dataset, args.category.as_deref())?;
    let newest = rows
        .last()
        .map(|p| p.occurred_at)
        .ok_or_else(|| Error::input("the dataset has no incidents"))?;
    // The target window: on --date, or the first one starting after the newest incident.
    let cutoff_days = newest.timestamp() as f64 / SECONDS_PER_DAY;
    let window: Window = match args.date {
        Some(d) => *prepare::windows(tz, d, d, &kind)
            .get(if matches!(kind, WindowKind::Shift(_)) {
                args.shift
            } else {
                0
            })
            .ok_or_else(|| {
                Error::input(format!(
                    "--shift {} does not exist; there are {} shifts",
                    args.shift,
                    args.shifts.len()
                ))
            })?,
        None if args.previous => {
            let day = newest.with_timezone(&tz).date_naive();
            prepare::windows(tz, day - chrono::Duration::days(8), day, &kind)
                .into_iter()
                .rev()
                .find(|w| w.start <= cutoff_days)
                .ok_or_else(|| Error::input("no window holds the newest incident"))?
        }
        None if args.after_data => {
            let day = newest.with_timezone(&tz).date_naive();
            prepare::windows(tz, day, day + chrono::Duration::days(8), &kind)
                .into_iter()
                .find(|w| w.start > cutoff_days)
                .ok_or_else(|| Error::input("no window after the data"))?
        }
        None => {
            let now = Utc::now();
            let day = now.with_timezone(&tz).date_naive();
            let now_days = now.timestamp() as f64 / SECONDS_PER_DAY;
            prepare::windows(
                tz,
                day - chrono::Duration::days(1),
                day + chrono::Duration::days(8),
                &kind,
            )
            .into_iter()
            .find(|w| w.start > now_days)
            .ok_or_else(|| Error::input("no window after now"))?
        }
    };
    // A window far beyond the data would be forecast from nothing recent.
    if !args.previous && !args.after_data && window.start - cutoff_days > STALE_AFTER_DAYS {
        let last = newest.with_timezone(&tz);
        let start = Utc
            .timestamp_opt((window.start * SECONDS_PER_DAY) as i64, 0)
            .single()
            .unwrap_or_default()
            .with_timezone(&tz);
        return Err(Error::input(format!(
            "the incidents of {dataset} stop at {} ({:.0} days before the window starting {}): \
             import newer incidents, or forecast the window after the data with --after-data, \
             or one the data reach with --date",
            last.format("%Y-%m-%d %H:%M %:z"),
            window.start - cutoff_days,
            start.format("%Y-%m-%d %H:%M %:z"),
        ))
        .with_details(json!({"missing": "recent_incidents", "dataset": dataset,
                             "last_incident": newest, "window_start": start.with_timezone(&Utc)})));
    }
    // Only what happened before the window: the model's input, the place-type
    // vocabulary and the cut-off reported with the forecast.
    let window_start_unix = (window.start * SECONDS_PER_DAY).round() as i64;
    let cutoff = rows
        .iter()
        .rev()
        .map(|p| p.occurred_at)
        .find(|t| t.timestamp() < window_start_unix)
        .ok_or_else(|| Error::input("no incidents before the forecast window"))?;
    let incidents = to_forecast_incidents(&rows, tz, args.citizen_only, window_start_unix);
    let (grid, events) = prepare::build_events(&incidents, centre, args.cell, (0.0, 0.0))?;
    let day = Utc
        .timestamp_opt((window.start * SECONDS_PER_DAY) as i64, 0)
        .single()
        .ok_or_else(|| Error::input("window out of range"))?
        .with_timezone(&tz)
        .date_naive();
    let earliest = events.first().map(|e| local_day(tz, e.t));
    let validation = validation_windows(tz, day, 365, earliest, &kind);
    let history = events.partition_point(|e| e.t < window.start);
    let valid = prepare::cells_with_history(&grid, &events, window.start);
    let mut ctx = prepare::context(grid, valid, &kind);
    ctx.terrain = terrain_on(&places_of(&store.facilities()?), centre, &ctx.grid);
    model.start(&ctx, &events[..history], &validation);
    let mut out = vec![0.0; ctx.cells()];
    model.predict(&ctx, &[], &window, &mut out);
    let cells: Vec<(u32, f64)> = ctx
        .valid_cells
        .iter()
        .map(|&c| (c, out[c as usize]))
        .filter(|(_, v)| *v > 0.0 && v.is_finite())
        .collect();
    let at = |d: f64| {
        Utc.timestamp_opt((d * SECONDS_PER_DAY).round() as i64, 0)
            .single()
            .unwrap_or_default()
    };
    let mut run = ForecastRun {
        id: 0,
        dataset,
        model: model.name(),
        window_kind: args.window.clone(),
        window_start: at(window.start),
        window_end: at(window.end),
        shift: u32::from(window.shift),
        category: args.category.clone(),
        cell_m: args.cell,
        centre: [centre.lon, centre.lat],
        origin: [ctx.grid.origin.x, ctx.grid.origin.y],
        cols: ctx.grid.cols,
        rows: ctx.grid.rows,
        data_cutoff: cutoff,
        params: json!({"model": model.params(), "shifts": args.shifts, "citizen_only": args.citizen_only, "category": args.category,
                       "study_area": "cells with an incident before the window", "valid_cells": ctx.valid_cells.len()}),
        version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: Utc::now(),
    };
    run.id = store.save_forecast(&NewForecast {
        run: run.clone(),
        cells: cells.clone(),
    })?;
    Ok((run, cells))
}

/// The hottest `share` of a forecast's study area, hottest first (ties to
/// the lower cell): what the map draws and the equity report counts as hot.
/// The study area's size is the one stored with the forecast.
pub fn hottest(run: &ForecastRun, mut cells: Vec<(u32, f64)>, share: f64) -> Vec<(u32, f64)> {
    let stored = cells.len();
    let study = run.params["valid_cells"].as_u64().map_or(stored, |n| n as usize);
    let keep = ((share * study as f64).ceil() as usize).clamp(1, stored.max(1));
    let hotter = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    // Only the kept cells are put in order.
    if keep < stored {
        cells.select_nth_unstable_by(keep, hotter);
        cells.truncate(keep);
    }
    cells.sort_by(hotter);
    cells
}

/// What a city knows of its places (every facility, stations and posts
/// included), as the forecast's risk terrain reads them: kind and position.
pub fn places_of(facilities: &[fengqiao_domain::Facility]) -> Vec<(String, LonLat)> {
    facilities
        .iter()
        .map(|f| (f.kind.as_str().to_string(), LonLat::new(f.lon, f.lat)))
        .collect()
}

/// A facilities file (the JSON list `fengqiao import facilities` reads).
pub fn read_facilities(path: &Path) -> Result<Vec<fengqiao_domain::Facility>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| Error::input(format!("{}: not a list of facilities: {e}", path.display())))
}

/// The risk terrain of `places` on a grid laid on the plane centred on `centre`.
pub fn terrain_on(
    places: &[(String, LonLat)],
    centre: LonLat,
    grid: &fengqiao_geo::Grid,
) -> fengqiao_forecast::Terrain {
    let proj = fengqiao_geo::LocalProjection::centred_on(centre);
    let points: Vec<(String, fengqiao_geo::Xy)> = places.iter().map(|(k, p)| (k.clone(), proj.project(*p))).collect();
    fengqiao_forecast::terrain(grid, &points)
}

/// Incidents to analyse, from a file or the database, with their zone and
/// the centre of a local projection (None: the first incident's).
pub struct IncidentSource {
    pub rows: Vec<IncidentPoint>,
    pub tz: Tz,
    pub centre: Option<LonLat>,
    /// The file or the dataset, for reports.
    pub name: String,
}

/// An incident file (.csv or .csv.gz) read through a profile or a mapping,
/// or a dataset of the database; optionally one category and below.
pub fn incident_source(
    settings: &crate::Settings,
    input: Option<&Path>,
    profile: Option<&str>,
    map: Option<&Path>,
    dataset: Option<&str>,
    category: Option<&str>,
) -> Result<IncidentSource> {
    if let Some(c) = category {
        settings
            .city
            .categories
            .require(c)
            .map_err(|_| Error::input(format!("--category {c:?} is not a code of the category table")))?;
    }
    match (input, dataset) {
        (Some(input), _) => {
            let mapping = crate::imports::mapping_for(profile, map)?;
            let tz: Tz = mapping
                .timezone
                .parse()
                .map_err(|_| Error::input(format!("unknown time zone {}", mapping.timezone)))?;
            let centre = mapping
                .bbox
                .map(|[a, b, c, d]| LonLat::new((a + c) / 2.0, (b + d) / 2.0));
            let rows = read_incidents(input, mapping, &settings.city.categories, category)?;
            Ok(IncidentSource {
                rows,
                tz,
                centre,
                name: input.display().to_string(),
            })
        }
        (None, Some(dataset)) => {
            let store = crate::store::open_store(settings)?;
            let (rows, tz, centre) = rows_from_store(store.as_ref(), dataset, category)?;
            Ok(IncidentSource {
                rows,
                tz,
                centre: Some(centre),
                name: format!("dataset {dataset}"),
            })
        }
        (None, None) => Err(Error::input(
            "give --input FILE with --profile/--map, or --dataset NAME",
        )),
    }
}

pub fn read_incidents(
    path: &Path,
    mapping: Mapping,
    categories: &CategoryTable,
    category: Option<&str>,
) -> Result<Vec<IncidentPoint>> {
    read_incidents_seeing(path, mapping, categories, category, &mut |_| {})
}

/// [`read_incidents`], showing `see` each record kept in full.
pub fn read_incidents_seeing(
    path: &Path,
    mapping: Mapping,
    categories: &CategoryTable,
    category: Option<&str>,
    see: &mut dyn FnMut(&NewIncident),
) -> Result<Vec<IncidentPoint>> {
    let source = open_csv_source(path)?;
    let mut points = Vec::new();
    let opts = ImportOptions::default();
    import(
        source,
        &path.display().to_string(),
        "backtest",
        mapping,
        categories,
        None,
        &opts,
        &|_, _, _| {},
        |batch: &[NewIncident], mut c: ImportCounts| {
            let wanted = batch
                .iter()
                .filter(|r| category.is_none_or(|cat| CategoryTable::is_within(&r.category, cat)));
            points.extend(wanted.inspect(|r| see(r)).map(IncidentPoint::from));
            c.imported += batch.len() as u64;
            Ok(c)
        },
    )?;
    Ok(points)
}

/// Forecasting's view of incidents. Place kinds are the four most common
/// `place_type` values among the incidents before `history_end` (Unix
/// seconds), so the vocabulary never peeks at the forecast period.
pub fn to_forecast_incidents(rows: &[IncidentPoint], tz: Tz, citizen_only: bool, history_end: i64) -> Vec<Incident> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in rows.iter().filter(|r| r.occurred_at.timestamp() < history_end) {
        if let Some(p) = &r.place_type {
            *counts.entry(p.as_str()).or_insert(0) += 1;
        }
    }
    let mut vocab: Vec<(&str, usize)> = counts.into_iter().collect();
    vocab.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    vocab.truncate(4);
    let place_of = |r: &IncidentPoint| -> u8 {
        r.place_type
            .as_deref()
            .and_then(|p| vocab.iter().position(|(v, _)| *v == p))
            .map_or(0, |i| i as u8 + 1)
    };
    rows.iter()
        .filter(|r| !(citizen_only && r.origin == Origin::Officer))
        .map(|r| Incident {
            unix_seconds: r.occurred_at.timestamp(),
            lon: r.lon,
            lat: r.lat,
            officer: r.origin == Origin::Officer,
            local: r.occurred_at.with_timezone(&tz).naive_local(),
            day_only: r.time_precision == TimePrecision::Day,
            place: place_of(r),
        })
        .collect()
}
