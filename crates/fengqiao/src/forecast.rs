//! `fengqiao forecast`: expected incidents per grid cell for the next window,
//! from the incidents in the database, stored with its parameters.

use crate::backtest::to_forecast_incidents;
use crate::db::open_store;
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use fengqiao_forecast::prepare::{self, WindowKind};
use fengqiao_forecast::{SECONDS_PER_DAY, Window, model_with_officer_weight, unknown_model};
use fengqiao_geo::LonLat;
use fengqiao_store::{ForecastRun, IncidentFilter, NewForecast, Store};
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ForecastArgs {
    /// Dataset to forecast [default: the default dataset]
    #[arg(long)]
    pub dataset: Option<String>,
    /// Model (see `fengqiao backtest --help`)
    #[arg(long, default_value = "fq")]
    pub model: String,
    #[arg(long, value_parser = ["shift", "day", "week"], default_value = "shift")]
    pub window: String,
    /// Local start hours of the shifts
    #[arg(long, value_delimiter = ',', default_value = "0,8,16")]
    pub shifts: Vec<u32>,
    /// Local date of the window [default: the first window after the newest incident]
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// Which shift of --date (0-based, in start-hour order)
    #[arg(long, default_value_t = 0)]
    pub shift: usize,
    /// The window that holds the newest incident instead of the next one,
    /// so that a plan for it can be scored on what happened
    #[arg(long, conflicts_with = "date")]
    pub previous: bool,
    /// Grid cell size in metres
    #[arg(long, default_value_t = 150.0)]
    pub cell: f64,
    /// Leave officer-initiated incidents out of the training data
    #[arg(long)]
    pub citizen_only: bool,
    /// Weight of officer-initiated incidents in the flagship's features (1 = like any other, 0 = ignored)
    #[arg(long, default_value_t = 1.0)]
    pub officer_weight: f64,
    /// Forecast only this category code and below (e.g. criminal.theft)
    #[arg(long)]
    pub category: Option<String>,
    /// Print the forecast as JSON
    #[arg(long)]
    pub json: bool,
    /// Also write the forecast cells as GeoJSON to this file
    #[arg(long)]
    pub geojson: Option<PathBuf>,
}

pub fn resolve_dataset(store: &dyn Store, asked: Option<&str>) -> Result<String, String> {
    if let Some(d) = asked {
        return Ok(d.to_string());
    }
    if let Some(d) = store.get_setting("default_dataset").map_err(|e| e.to_string())? {
        return Ok(d);
    }
    let all = store.datasets().map_err(|e| e.to_string())?;
    match all.as_slice() {
        [one] => Ok(one.name.clone()),
        [] => Err("the database holds no incidents yet: import some first".into()),
        _ => Err(format!(
            "several datasets ({}): choose one with --dataset",
            all.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// A dataset's incidents (optionally one category and below) in time order,
/// with its time zone and the centre of its local projection.
pub fn rows_from_store(
    store: &dyn Store,
    dataset: &str,
    category: Option<&str>,
) -> Result<(Vec<fengqiao_store::IncidentPoint>, Tz, LonLat), String> {
    let tz_name = store
        .dataset_timezone(dataset)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no dataset named {dataset:?}"))?;
    let tz: Tz = tz_name
        .parse()
        .map_err(|_| format!("dataset {dataset} has an unknown time zone {tz_name}"))?;
    let filter = IncidentFilter {
        dataset: Some(dataset.to_string()),
        category: category.map(String::from),
        ..IncidentFilter::default()
    };
    let rows = store.incident_points(&filter).map_err(|e| e.to_string())?;
    let centre = match store
        .get_setting(&format!("centre:{dataset}"))
        .map_err(|e| e.to_string())?
    {
        Some(c) => c
            .split_once(',')
            .and_then(|(a, b)| Some(LonLat::new(a.parse().ok()?, b.parse().ok()?)))
            .ok_or("bad centre setting")?,
        None => rows
            .first()
            .map(|r| LonLat::new(r.lon, r.lat))
            .ok_or("the dataset has no incidents")?,
    };
    Ok((rows, tz, centre))
}

/// Makes and stores one forecast; returns the run and its cells.
impl ForecastArgs {
    /// The command's defaults for the next window of `dataset`: the demo and
    /// the server's job runner make the forecast `fengqiao forecast` would.
    pub fn next(dataset: Option<String>, model: &str, window: &str) -> Self {
        Self {
            dataset,
            model: model.into(),
            window: window.into(),
            shifts: vec![0, 8, 16],
            date: None,
            shift: 0,
            previous: false,
            cell: 150.0,
            citizen_only: false,
            officer_weight: 1.0,
            category: None,
            json: false,
            geojson: None,
        }
    }
}

pub fn make_forecast(
    store: &dyn Store,
    args: &ForecastArgs,
) -> Result<(ForecastRun, fengqiao_store::ForecastCells), String> {
    let dataset = resolve_dataset(store, args.dataset.as_deref())?;
    let kind = WindowKind::parse(&args.window, &args.shifts).ok_or("--shifts must be hours 0..23")?;
    let mut model =
        model_with_officer_weight(&args.model, args.officer_weight).ok_or_else(|| unknown_model(&args.model))?;
    let (rows, tz, centre) = rows_from_store(store, &dataset, args.category.as_deref())?;
    let newest = rows
        .last()
        .map(|p| p.occurred_at)
        .ok_or("the dataset has no incidents")?;
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
                format!(
                    "--shift {} does not exist; there are {} shifts",
                    args.shift,
                    args.shifts.len()
                )
            })?,
        None if args.previous => {
            let day = newest.with_timezone(&tz).date_naive();
            prepare::windows(tz, day - chrono::Duration::days(8), day, &kind)
                .into_iter()
                .rev()
                .find(|w| w.start <= cutoff_days)
                .ok_or("no window holds the newest incident")?
        }
        None => {
            let day = newest.with_timezone(&tz).date_naive();
            prepare::windows(tz, day, day + chrono::Duration::days(8), &kind)
                .into_iter()
                .find(|w| w.start > cutoff_days)
                .ok_or("no window after the data")?
        }
    };
    // Only what happened before the window: the model's input, the place-type
    // vocabulary and the cut-off reported with the forecast.
    let window_start_unix = (window.start * SECONDS_PER_DAY).round() as i64;
    let cutoff = rows
        .iter()
        .rev()
        .map(|p| p.occurred_at)
        .find(|t| t.timestamp() < window_start_unix)
        .ok_or("no incidents before the forecast window")?;
    let incidents = to_forecast_incidents(&rows, tz, args.citizen_only, window_start_unix);
    let (grid, events) = prepare::build_events(&incidents, centre, args.cell, (0.0, 0.0)).map_err(|e| e.to_string())?;
    let day = Utc
        .timestamp_opt((window.start * SECONDS_PER_DAY) as i64, 0)
        .single()
        .ok_or("window out of range")?
        .with_timezone(&tz)
        .date_naive();
    let earliest = events.first().map_or(day, |e| {
        Utc.timestamp_opt((e.t * SECONDS_PER_DAY) as i64, 0)
            .single()
            .unwrap_or_default()
            .with_timezone(&tz)
            .date_naive()
            + chrono::Duration::days(60)
    });
    let validation_from = (day - chrono::Duration::days(365)).max(earliest);
    let validation = if validation_from < day {
        prepare::windows(tz, validation_from, day.pred_opt().ok_or("date out of range")?, &kind)
    } else {
        Vec::new()
    };
    let history = events.partition_point(|e| e.t < window.start);
    let valid = prepare::cells_with_history(&grid, &events, window.start);
    let ctx = prepare::context(grid, valid, &kind);
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
    run.id = store
        .save_forecast(&NewForecast {
            run: run.clone(),
            cells: cells.clone(),
        })
        .map_err(|e| e.to_string())?;
    Ok((run, cells))
}

pub fn run(settings: &crate::config::Settings, args: &ForecastArgs) -> Result<(), String> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let (run, cells) = make_forecast(store, args)?;
    crate::ledger::sequence_after_write(settings, store);
    if let Some(p) = &args.geojson {
        std::fs::write(p, fengqiao_server::forecast_geojson(&run, &cells).to_string())
            .map_err(|e| format!("{}: {e}", p.display()))?;
    }
    let total: f64 = cells.iter().map(|c| c.1).sum();
    if args.json {
        println!(
            "{}",
            json!({"forecast": run, "expected_total": total, "cells": cells.len()})
        );
    } else {
        let tz: Tz = store
            .dataset_timezone(&run.dataset)
            .ok()
            .flatten()
            .and_then(|t| t.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        let local = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
        println!(
            "forecast {} for dataset {:?}: {} window {} .. {} ({tz}), {} m grid, model {}",
            run.id,
            run.dataset,
            run.window_kind,
            local(run.window_start),
            local(run.window_end),
            run.cell_m,
            run.model
        );
        println!(
            "  data up to {}; {:.1} incidents expected over {} cells",
            local(run.data_cutoff),
            total,
            cells.len()
        );
    }
    Ok(())
}
