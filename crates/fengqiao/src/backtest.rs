//! `fengqiao backtest`: the application's backtest, asked and printed.

use crate::output::thousands;
use chrono::NaiveDate;
use fengqiao_app::backtest::{BacktestRequest, backtest};
use fengqiao_app::{Error, Result};
use fengqiao_forecast::{BacktestReport, hit_rate_svg};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BacktestArgs {
    /// Incident file (.csv or .csv.gz)
    #[arg(long, required_unless_present = "dataset", conflicts_with = "dataset")]
    pub input: Option<PathBuf>,
    /// A built-in profile for the file's layout (see `fengqiao profiles`)
    #[arg(long, conflicts_with = "map", required_unless_present_any = ["map", "dataset"])]
    pub profile: Option<String>,
    /// Backtest a dataset from the database instead of a file
    #[arg(long)]
    pub dataset: Option<String>,
    /// Only incidents of this category code and below (e.g. criminal.theft)
    #[arg(long)]
    pub category: Option<String>,
    /// A mapping TOML file describing the file's columns (instead of --profile)
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// First local day forecast (YYYY-MM-DD)
    #[arg(long)]
    pub from: NaiveDate,
    /// Last local day forecast, inclusive (YYYY-MM-DD)
    #[arg(long)]
    pub to: NaiveDate,
    /// The window: a shift, a day or a week
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
    /// Bootstrap resamples for the confidence intervals
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// The city's places (a facilities JSON list, as `import facilities` reads) for the flagship's
    /// risk terrain [default: the database's with --dataset; none for a file]. `fq-plain` ignores them
    #[arg(long)]
    pub facilities: Option<PathBuf>,
    /// Print JSON instead of the human-readable report
    #[arg(long)]
    pub json: bool,
    /// Draw hit rate against coverage for every model into this SVG file, beside the `peek` ceiling (run for it if not asked)
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

pub fn run(settings: &fengqiao_app::Settings, args: &BacktestArgs) -> Result<()> {
    let offset = match args.offset.as_slice() {
        [x, y] => (*x, *y),
        _ => return Err(Error::input("--offset takes two numbers: x,y metres")),
    };
    let req = BacktestRequest {
        input: args.input.clone(),
        profile: args.profile.clone(),
        map: args.map.clone(),
        dataset: args.dataset.clone(),
        category: args.category.clone(),
        from: args.from,
        to: args.to,
        window: args.window.clone(),
        shifts: args.shifts.clone(),
        cell: args.cell,
        offset,
        grid_offsets: args.grid_offsets,
        study_area: args.study_area.clone(),
        // A plot shows how much room there was: the ceiling beside the models.
        models: if args.plot.is_some() && !args.models.iter().any(|m| m == "peek") {
            args.models.iter().cloned().chain(["peek".to_string()]).collect()
        } else {
            args.models.clone()
        },
        validation_days: args.validation_days,
        peek_future_weight: args.peek_future_weight,
        citizen_only: args.citizen_only,
        officer_weight: args.officer_weight,
        bootstrap: args.bootstrap,
        facilities: args.facilities.clone(),
    };
    let out = backtest(settings, &req)?;
    let (source, report, history) = (&out.source, &out.report, out.history);
    if let Some(p) = &args.plot {
        let title = format!(
            "{} — {} {} windows, {} m grid",
            source, report.windows, args.window, args.cell
        );
        std::fs::write(p, hit_rate_svg(report, &title)).map_err(|e| Error::input(format!("{}: {e}", p.display())))?;
    }
    if args.json {
        println!("{}", out.json(&req));
    } else {
        print_report(args, source, report, history);
        if let Some(o) = &out.offsets {
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
        if let Some(c) = &out.citizen {
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
        "scored {} events: {} in the study area, {} outside it (no forecast ranks those cells: they count as misses)",
        thousands(r.events_total),
        thousands(r.events),
        thousands(r.events_outside_study_area)
    );
    println!(
        "\npooled hit rate (of all events) at coverage  PAI     PEI*   log-lik   pred/obs  seconds   5%, study area only"
    );
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
    println!(
        "(study area only, at 5%: {})",
        r.models
            .iter()
            .map(|m| format!("{} {:.3}", m.name, m.hit_rate_study_area["0.05"]))
            .collect::<Vec<_>>()
            .join(", ")
    );
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
                let ratio = match (p.ratio[c], p.ratio_ci[c]) {
                    (Some(x), Some([lo, hi])) => format!("{x:.3} [{lo:.3}, {hi:.3}]"),
                    // Against a model that captured nothing in some resample the
                    // ratio is undefined there: the difference says it.
                    (x, _) => format!(
                        "{} (ratio undefined in {} resamples; difference {:+.4} [{:+.4}, {:+.4}])",
                        x.map_or("undefined".into(), |x| format!("{x:.3}")),
                        p.ratio_undefined_resamples[c],
                        p.difference[c],
                        p.difference_ci[c][0],
                        p.difference_ci[c][1]
                    ),
                };
                format!("{ratio} {:.0}%/{:.0}%", 100.0 * p.won[c], 100.0 * p.lost[c])
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
