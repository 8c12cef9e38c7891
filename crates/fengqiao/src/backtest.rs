//! `fengqiao backtest`: rolling-origin evaluation of the forecasting models
//! on a real incident file (through an import profile or mapping), without
//! touching the database.

use crate::output::thousands;
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use fengqiao_app::forecast::{local_day, read_incidents, to_forecast_incidents, validation_windows};
use fengqiao_app::imports::mapping_for;
use fengqiao_app::{Error, Result};
use fengqiao_domain::Origin;
use fengqiao_forecast::prepare::{self, WindowKind};
use fengqiao_forecast::{
    BacktestConfig, BacktestReport, Peek, hit_rate_svg, model_with_officer_weight, run_backtest, unknown_model,
};
use fengqiao_geo::LonLat;
use fengqiao_store::IncidentPoint;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BacktestArgs {
    /// Incident file (.csv or .csv.gz)
    #[arg(long, required_unless_present = "dataset", conflicts_with = "dataset")]
    pub input: Option<PathBuf>,
    #[arg(long, conflicts_with = "map", required_unless_present_any = ["map", "dataset"])]
    pub profile: Option<String>,
    /// Backtest a dataset from the database instead of a file
    #[arg(long)]
    pub dataset: Option<String>,
    /// Only incidents of this category code and below (e.g. criminal.theft)
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// First local day forecast (YYYY-MM-DD)
    #[arg(long)]
    pub from: NaiveDate,
    /// Last local day forecast, inclusive (YYYY-MM-DD)
    #[arg(long)]
    pub to: NaiveDate,
    #[arg(long, value_parser = ["day", "shift", "week"], default_value = "day")]
    pub window: String,
    /// Local start hours of the shifts, for --window shift
    #[arg(long, value_delimiter = ',', default_value = "0,8,16")]
    pub shifts: Vec<u32>,
    /// Grid cell size in metres
    #[arg(long, default_value_t = 150.0)]
    pub cell: f64,
    /// Grid origin offset in metres (x,y), to test sensitivity to the grid's placement
    #[arg(long, value_delimiter = ',', default_value = "0,0")]
    pub offset: Vec<f64>,
    /// Also average the hit rates over N grid placements (offsets k/N of a cell on both axes)
    #[arg(long, default_value_t = 1)]
    pub grid_offsets: usize,
    /// Study area: cells with an incident before --from (history), or cells whose centre
    /// lies in a jurisdiction polygon of the database (jurisdictions)
    #[arg(long, value_parser = ["history", "jurisdictions"], default_value = "history")]
    pub study_area: String,
    /// Models: naive, naiveN (last N days), retro, prospective, etas, fq (= default)
    #[arg(long, value_delimiter = ',', default_value = "naive,retro,prospective,etas,fq")]
    pub models: Vec<String>,
    /// Days before --from on which models may tune themselves
    #[arg(long, default_value_t = 365)]
    pub validation_days: i64,
    /// For the `peek` ceiling: share of the forecast period's own rate in its blend with the history's
    #[arg(long, default_value_t = 0.5, value_parser = unit_interval)]
    pub peek_future_weight: f64,
    /// Leave officer-initiated incidents out of the training data
    #[arg(long)]
    pub citizen_only: bool,
    /// Weight of officer-initiated incidents in the flagship's features (1 = like any other, 0 = ignored)
    #[arg(long, default_value_t = 1.0, value_parser = unit_interval)]
    pub officer_weight: f64,
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    #[arg(long)]
    pub json: bool,
    /// Draw hit rate against coverage for every model into this SVG file
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

/// Reads every incident of a file through a mapping, in memory, keeping
/// those of `category` (and below) when given.
pub fn run(settings: &fengqiao_app::Settings, args: &BacktestArgs) -> Result<()> {
    if args.from > args.to {
        return Err(Error::input(format!("--from {} is after --to {}", args.from, args.to)));
    }
    if !(10.0..=5000.0).contains(&args.cell) {
        return Err(Error::input(format!("--cell {} m is outside 10..=5000", args.cell)));
    }
    let offset = match args.offset.as_slice() {
        [x, y] => (*x, *y),
        _ => return Err(Error::input("--offset takes two numbers: x,y metres")),
    };
    let kind =
        WindowKind::parse(&args.window, &args.shifts).ok_or_else(|| Error::input("--shifts must be hours 0..23"))?;
    if let Some(c) = &args.category {
        settings
            .city
            .categories
            .require(c)
            .map_err(|_| Error::input(format!("--category {c:?} is not a code of the category table")))?;
    }
    let (rows, tz, centre, source) = match (&args.input, &args.dataset) {
        (Some(input), _) => {
            let mapping = mapping_for(args.profile.as_deref(), args.map.as_deref())?;
            let tz: Tz = mapping
                .timezone
                .parse()
                .map_err(|_| Error::input(format!("unknown time zone {}", mapping.timezone)))?;
            let centre = mapping
                .bbox
                .map(|[a, b, c, d]| LonLat::new((a + c) / 2.0, (b + d) / 2.0));
            let rows = read_incidents(input, mapping, &settings.city.categories, args.category.as_deref())?;
            (rows, tz, centre, input.display().to_string())
        }
        (None, Some(dataset)) => {
            let store = fengqiao_app::store::open_store(settings)?;
            let store = store.as_ref();
            let (rows, tz, centre) = fengqiao_app::forecast::rows_from_store(store, dataset, args.category.as_deref())?;
            (rows, tz, Some(centre), format!("dataset {dataset}"))
        }
        (None, None) => {
            return Err(Error::input(
                "give --input FILE with --profile/--map, or --dataset NAME",
            ));
        }
    };
    if rows.is_empty() {
        return Err(Error::input(format!("{source}: no incidents to backtest")));
    }
    let areas = if args.study_area == "jurisdictions" {
        let store = fengqiao_app::store::open_store(settings)?;
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
    let data = Data {
        rows: &rows,
        centre,
        tz,
        kind: kind.clone(),
        areas: areas.as_ref(),
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
                by_cov.insert(c.clone(), serde_json::json!(v));
            }
            mean.insert(m.name.clone(), serde_json::Value::Object(by_cov));
        }
        let offsets: Vec<[f64; 2]> = per_offset.iter().map(|(o, _)| [o.0, o.1]).collect();
        offsets_summary = Some(serde_json::json!({"offsets": offsets, "mean_hit_rate": mean}));
    }
    let has_officer = rows.iter().any(|r| r.origin == Origin::Officer);
    let citizen = if has_officer && !args.citizen_only {
        Some(evaluate(args, &data, offset, true)?.0)
    } else {
        None
    };
    if let Some(p) = &args.plot {
        let title = format!(
            "{} — {} {} windows, {} m grid",
            source, report.windows, args.window, args.cell
        );
        std::fs::write(p, hit_rate_svg(&report, &title)).map_err(|e| Error::input(format!("{}: {e}", p.display())))?;
    }
    if args.json {
        let mut v = serde_json::to_value(&report).expect("serialisable");
        v["study_area"] = serde_json::json!(if args.study_area == "jurisdictions" {
            "cells whose centre lies in a jurisdiction polygon".to_string()
        } else {
            format!("cells with an incident before {}", args.from)
        });
        v["cell_m"] = serde_json::json!(args.cell);
        v["window"] = serde_json::json!(args.window);
        v["history_events"] = serde_json::json!(history);
        if let Some(c) = &citizen {
            v["citizen_only"] = serde_json::to_value(c).expect("serialisable");
        }
        if let Some(o) = &offsets_summary {
            v["grid_offsets"] = o.clone();
        }
        println!("{v}");
    } else {
        print_report(args, &source, &report, history);
        if let Some(o) = &offsets_summary {
            println!(
                "\nmean pooled hit rate over {} grid placements {}:",
                args.grid_offsets, o["offsets"]
            );
            for (name, h) in o["mean_hit_rate"].as_object().into_iter().flatten() {
                let at = |c: &str| h[c].as_f64().unwrap_or(f64::NAN);
                println!(
                    "{name:<11} 1% {:.3}  5% {:.3}  10% {:.3}",
                    at("0.01"),
                    at("0.05"),
                    at("0.1")
                );
            }
        }
        if let Some(c) = &citizen {
            println!("\ntrained and scored on citizen-initiated incidents only (officer-initiated left out):");
            for m in &c.models {
                println!(
                    "{:<11} hit rate at 5% {:.3}, log-lik/event {:.3}",
                    m.name, m.hit_rate["0.05"], m.log_likelihood_per_event
                );
            }
        }
    }
    Ok(())
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
}

fn evaluate(
    args: &BacktestArgs,
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
    let ctx = prepare::context(grid, valid, &kind);
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

fn print_report(args: &BacktestArgs, source: &str, r: &BacktestReport, history: usize) {
    println!(
        "backtest {}: {} {} windows {}..={}, {} m grid, {} valid cells (cells with an incident before {}), {} history events",
        source,
        r.windows,
        args.window,
        args.from,
        args.to,
        args.cell,
        thousands(r.valid_cells as u64),
        args.from,
        thousands(history as u64)
    );
    println!(
        "scored {} events ({} more fell outside the study area)",
        thousands(r.events),
        thousands(r.events_outside_study_area)
    );
    println!("\npooled hit rate at coverage            PAI     PEI*   log-lik   pred/obs  seconds");
    println!("model          1%     2%     5%    10%    20%    @5%     @5%   /event");
    for m in &r.models {
        let h = |c: &str| m.hit_rate[c];
        println!(
            "{:<11} {:.3}  {:.3}  {:.3}  {:.3}  {:.3}  {:>5.2}  {:>6.3}  {:>7.3}   {:>6.3}  {:>7.2}",
            m.name,
            h("0.01"),
            h("0.02"),
            h("0.05"),
            h("0.1"),
            h("0.2"),
            m.pai["0.05"],
            m.pei["0.05"],
            m.log_likelihood_per_event,
            m.predicted_over_observed,
            m.seconds
        );
    }
    if r.models.iter().any(|m| !m.by_shift.is_empty()) {
        println!(
            "\nhit rate at 5% by shift ({} shifts starting at {:?} local)",
            r.models[0].by_shift.len(),
            args.shifts
        );
        for m in &r.models {
            let cells: Vec<String> = m.by_shift.iter().map(|s| format!("{:.3}", s["0.05"])).collect();
            println!("{:<11} {}", m.name, cells.join("  "));
        }
    }
    println!("\npaired (pooled hit rate ratio [bootstrap 95%], windows won / lost)");
    for m in &r.models {
        for p in &m.paired {
            let cell = |c: &str| {
                format!(
                    "{:.3} [{:.3}, {:.3}] {:.0}%/{:.0}%",
                    p.ratio[c],
                    p.ratio_ci[c][0],
                    p.ratio_ci[c][1],
                    100.0 * p.won[c],
                    100.0 * p.lost[c]
                )
            };
            println!(
                "{:<11} vs {:<11} 1%: {}   5%: {}   10%: {}",
                m.name,
                p.against,
                cell("0.01"),
                cell("0.05"),
                cell("0.1")
            );
        }
    }
}

fn unit_interval(s: &str) -> Result<f64> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(Error::input(format!("{s:?} is not a number from 0 to 1"))),
    }
}
