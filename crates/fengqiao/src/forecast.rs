//! `fengqiao forecast`: the application's forecast, asked and printed.

use crate::messages::{tr, window_kind};
use chrono::{NaiveDate, Utc};
use fengqiao_app::forecast::{ForecastRequest, make_forecast};
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
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
    /// The window: a shift, a day or a week
    #[arg(long, value_parser = ["shift", "day", "week"], default_value = "shift")]
    pub window: String,
    /// Local start hours of the shifts
    #[arg(long, value_delimiter = ',', default_value = "0,8,16")]
    pub shifts: Vec<u32>,
    /// Local date of the window [default: the next window from now, on the city's clock]
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// Which shift of --date (0-based, in start-hour order) [default: 0]
    #[arg(long, requires = "date")]
    pub shift: Option<usize>,
    /// The window that holds the newest incident instead of the next one,
    /// so that a plan for it can be scored on what happened
    #[arg(long, conflicts_with_all = ["date", "after_data"])]
    pub previous: bool,
    /// The first window after the newest incident, however long ago (a historical dataset), instead of the next one from now
    #[arg(long, conflicts_with = "date")]
    pub after_data: bool,
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

impl ForecastArgs {
    fn request(&self) -> ForecastRequest {
        ForecastRequest {
            dataset: self.dataset.clone(),
            model: self.model.clone(),
            window: self.window.clone(),
            shifts: self.shifts.clone(),
            date: self.date,
            shift: self.shift.unwrap_or(0),
            after_data: self.after_data,
            previous: self.previous,
            cell: self.cell,
            citizen_only: self.citizen_only,
            officer_weight: self.officer_weight,
            category: self.category.clone(),
        }
    }
}

pub fn run(settings: &fengqiao_app::Settings, args: &ForecastArgs) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let (run, cells) = make_forecast(store, &args.request())?;
    fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
    if let Some(p) = &args.geojson {
        std::fs::write(p, fengqiao_server::forecast_geojson(&run, &cells).to_string())
            .map_err(|e| Error::input(format!("{}: {e}", p.display())))?;
    }
    let total: f64 = cells.iter().map(|c| c.1).sum();
    if args.json {
        let equity = fengqiao_app::equity::equity_report(
            store,
            &fengqiao_app::equity::EquityRequest {
                forecast: Some(run.id),
                ..Default::default()
            },
        )?;
        println!(
            "{}",
            json!({"forecast": run, "expected_total": total, "cells": cells.len(), "equity": equity})
        );
    } else {
        let tz = fengqiao_app::deployment::dataset_zone(store, &run.dataset)?;
        let local = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
        let title = tr!(
            "forecast.title",
            id = run.id,
            dataset = run.dataset,
            window = window_kind(&run.window_kind),
            start = local(run.window_start),
            end = local(run.window_end),
            timezone = tz,
            cell = run.cell_m,
            model = run.model
        );
        println!("{title}");
        let data = tr!(
            "forecast.data",
            cutoff = local(run.data_cutoff),
            expected = format!("{total:.1}"),
            cells = cells.len()
        );
        println!("{data}");
        // What the flagship's self-check against counting saw, and what it kept.
        let check = &run.params["model"]["self_check"];
        if let (Some(chosen), Some(captured)) = (check["chosen"].as_f64(), check["captured"].as_array()) {
            let n = |i: usize| captured.get(i).and_then(serde_json::Value::as_u64).unwrap_or(0);
            let (weight, forecast, naive) = (format!("{chosen:.2}"), n(0), n(captured.len().saturating_sub(1)));
            let windows = check["check_windows"].as_u64().unwrap_or(0);
            let line = if chosen == 1.0 {
                tr!("forecast.kept", forecast = forecast, naive = naive, windows = windows)
            } else if chosen == 0.0 {
                tr!("forecast.naive", forecast = forecast, naive = naive, windows = windows)
            } else {
                tr!(
                    "forecast.shrunk",
                    weight = weight,
                    forecast = forecast,
                    naive = naive,
                    windows = windows
                )
            };
            println!("{line}");
        }
        // What the city's places told it (risk terrain), when it has any on file.
        let terrain: Vec<&str> = run.params["model"]["terrain"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str()?.strip_suffix(".near"))
            .collect();
        if !terrain.is_empty() {
            let names: Vec<String> = terrain.iter().map(|k| crate::messages::place_kind(k)).collect();
            let sep = if crate::messages::lang() == crate::messages::Lang::Zh {
                "、"
            } else {
                ", "
            };
            println!("{}", tr!("forecast.terrain", kinds = names.join(sep)));
        }
        // Beside every forecast: where its hot cells fall against the citizens' calls.
        crate::equity::print_summary(store, Some(run.id), None)?;
    }
    Ok(())
}
