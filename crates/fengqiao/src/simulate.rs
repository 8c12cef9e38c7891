//! `fengqiao simulate feedback`: how patrol allocation drifts when patrols
//! follow the forecast and their own discoveries feed back into it, with
//! and without the origin control, on a real city's incident geography.

use fengqiao_app::forecast::{read_incidents, to_forecast_incidents};
use fengqiao_app::imports::mapping_for;
use fengqiao_app::{Error, Result};
use fengqiao_forecast::{FeedbackConfig, prepare, simulate_on_counts};
use fengqiao_geo::LonLat;
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum SimulateCommand {
    /// Replay patrols that follow the forecast, with officer discoveries counted, halved or left out
    Feedback(FeedbackArgs),
}

#[derive(clap::Args)]
pub struct FeedbackArgs {
    /// Incident file whose all-history rates per cell serve as the true rates
    #[arg(long)]
    pub input: PathBuf,
    /// A built-in profile for the file's layout (see `fengqiao profiles`)
    #[arg(long, conflicts_with = "map", required_unless_present = "map")]
    pub profile: Option<String>,
    /// A mapping TOML file describing the file's columns (instead of --profile)
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Grid cell size in metres
    #[arg(long, default_value_t = 150.0)]
    pub cell: f64,
    /// Days to simulate
    #[arg(long, default_value_t = 365)]
    pub days: usize,
    /// Share of the cells with incidents that are patrolled each day
    #[arg(long, default_value_t = 0.01)]
    pub patrol_share: f64,
    /// Share of true incidents citizens report
    #[arg(long, default_value_t = 0.5)]
    pub report_rate: f64,
    /// Share of unreported incidents a patrol discovers where it is
    #[arg(long, default_value_t = 0.5)]
    pub discovery_rate: f64,
    /// Seed of the random choices, for a result that can be reproduced
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print JSON instead of the human-readable report
    #[arg(long)]
    pub json: bool,
}

pub fn run(settings: &fengqiao_app::Settings, cmd: &SimulateCommand) -> Result<()> {
    let SimulateCommand::Feedback(args) = cmd;
    for (name, v) in [
        ("--patrol-share", args.patrol_share),
        ("--report-rate", args.report_rate),
        ("--discovery-rate", args.discovery_rate),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(Error::input(format!("{name} {v} is not a share between 0 and 1")));
        }
    }
    let mapping = mapping_for(args.profile.as_deref(), args.map.as_deref())?;
    let tz: chrono_tz::Tz = mapping.timezone.parse().map_err(|_| Error::input("bad time zone"))?;
    let centre = mapping
        .bbox
        .map(|[a, b, c, d]| LonLat::new((a + c) / 2.0, (b + d) / 2.0));
    let rows = read_incidents(&args.input, mapping, &settings.city.categories, None)?;
    let incidents = to_forecast_incidents(&rows, tz, false, i64::MAX);
    let centre = centre.unwrap_or_else(|| LonLat::new(incidents[0].lon, incidents[0].lat));
    let (grid, events) = prepare::build_events(&incidents, centre, args.cell, (0.0, 0.0))?;
    let span = (events.last().map_or(0.0, |e| e.t) - events.first().map_or(0.0, |e| e.t)).max(1.0);
    let mut counts = vec![0.0; grid.len()];
    for e in &events {
        counts[e.cell as usize] += 1.0;
    }
    // The truth is the file's all-history rate per cell with any incident,
    // scaled up from reported to true incidents by the report rate.
    let cells = counts.iter().filter(|&&n| n > 0.0).count();
    let patrol_cells = ((cells as f64 * args.patrol_share).ceil() as usize).max(1);
    let runs: Vec<_> = [1.0, 0.5, 0.0]
        .iter()
        .map(|&w| {
            let cfg = FeedbackConfig {
                days: args.days,
                patrol_cells,
                report_rate: args.report_rate,
                discovery_rate: args.discovery_rate,
                officer_weight: w,
                seed: args.seed,
            };
            simulate_on_counts(&counts, span, &cfg)
        })
        .collect();
    if args.json {
        println!(
            "{}",
            json!({"cells": cells, "patrol_cells": patrol_cells, "runs": runs})
        );
        return Ok(());
    }
    println!(
        "feedback simulation on {}: {} cells with incidents, {} patrolled a day, {} days; citizens report {:.0}% of incidents, patrols find {:.0}% of the rest where they are",
        args.input.display(),
        cells,
        patrol_cells,
        args.days,
        100.0 * args.report_rate,
        100.0 * args.discovery_rate
    );
    println!(
        "\nofficer-discovered incidents in the record   efficiency  overlap with truth  same cells as day 0  (means over the last 30 days)"
    );
    for (label, r) in [
        "counted in full (no control)",
        "down-weighted to 0.5",
        "left out (origin control)",
    ]
    .iter()
    .zip(&runs)
    {
        println!(
            "  {label:<40} {:>8.3}  {:>16.3}  {:>18.3}",
            r.final_efficiency, r.final_overlap_with_truth, r.final_same_as_day_0
        );
    }
    println!("\nday      efficiency by control (full / 0.5 / left out)");
    for d in (0..args.days).step_by(30.max(args.days / 12)) {
        println!(
            "{d:>4}     {:.3} / {:.3} / {:.3}",
            runs[0].days[d].efficiency, runs[1].days[d].efficiency, runs[2].days[d].efficiency
        );
    }
    Ok(())
}
