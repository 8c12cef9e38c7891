//! `fengqiao staffing`: crews each station needs in a forecast's window.

use fengqiao_app::error::Result;
use fengqiao_app::staffing::{StaffingRequest, need};

#[derive(clap::Args)]
pub struct StaffingArgs {
    /// A stored forecast: its id, or `latest` (of --window)
    #[arg(long, default_value = "latest")]
    pub forecast: String,
    /// Dataset of the latest forecast [default: the default dataset]
    #[arg(long)]
    pub dataset: Option<String>,
    /// The window: a shift, a day or a week
    #[arg(long, value_parser = ["shift", "day", "week"], default_value = "shift")]
    pub window: String,
    /// A call should wait for a crew at most this many minutes…
    #[arg(long, default_value_t = 5.0)]
    pub target_minutes: f64,
    /// …in at least this share of calls
    #[arg(long, default_value_t = 0.9)]
    pub level: f64,
    /// Busy minutes per call when the data records fewer than 30 handled calls
    #[arg(long, default_value_t = 45.0)]
    pub service_minutes: f64,
    /// Days of incidents before the forecast's cut-off to measure service times from
    #[arg(long, default_value_t = 90)]
    pub history_days: u32,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(settings: &fengqiao_app::Settings, args: &StaffingArgs) -> Result<()> {
    let store = fengqiao_app::store::open_store(settings)?;
    let report = need(
        store.as_ref(),
        &StaffingRequest {
            dataset: args.dataset.clone(),
            forecast: args.forecast.clone(),
            window: args.window.clone(),
            target_minutes: args.target_minutes,
            level: args.level,
            default_service_minutes: args.service_minutes,
            history_days: args.history_days,
        },
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "forecast {} ({}), {} to {}: service {:.1} min per call ({}{}), {:.0}% of calls answered within {} min",
        report.forecast_id,
        report.dataset,
        report.window_start,
        report.window_end,
        report.service_minutes,
        report.service_basis,
        if report.service_basis == "measured" {
            format!(" from {} calls", report.measured_calls)
        } else {
            String::new()
        },
        report.level * 100.0,
        report.target_minutes
    );
    println!(
        "{:<10} {:>9} {:>8} {:>6} {:>6} {:>8} {:>8} {:>8} {:>6} {:>9} {:>7}  name",
        "station",
        "expected",
        "calls/h",
        "load",
        "crews",
        "in time",
        "own crew",
        "spatial",
        "busy",
        "rostered",
        "on file"
    );
    for s in &report.stations {
        println!(
            "{:<10} {:>9.1} {:>8.2} {:>6.2} {:>6} {:>7.1}% {:>7.1}% {:>8} {:>5.0}% {:>9} {:>7}  {} / {}",
            s.code,
            s.expected_incidents,
            s.calls_per_hour,
            s.load,
            s.crews,
            s.service_level * 100.0,
            s.own_share * 100.0,
            s.spatial_crews,
            s.workload * 100.0,
            s.rostered_crews.map_or("-".to_string(), |c| c.to_string()),
            s.units_on_file,
            s.name_zh,
            s.name_en
        );
    }
    println!(
        "crews: Erlang C's fewest for the target, each station alone; own crew: share of its calls one of its own \
         crews answers at once with those crews, stations answering each other's calls (hypercube model); spatial: \
         the fewest crews for every own crew share to reach {:.0}%{}; busy: the crews' share of time busy with them",
        report.level * 100.0,
        if report.spatial_met { "" } else { " (not reached)" }
    );
    Ok(())
}
