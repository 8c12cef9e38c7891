//! `fengqiao staffing`: crews each station needs in a forecast's window.

use crate::messages::tr;
use crate::output::{pad, pad_left};
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
    let zone = fengqiao_app::deployment::dataset_zone(store.as_ref(), &report.dataset)?;
    let basis = if report.service_basis == "measured" {
        tr!("staffing.measured", calls = report.measured_calls)
    } else {
        tr!("staffing.assumed")
    };
    let title = tr!(
        "staffing.title",
        id = report.forecast_id,
        dataset = report.dataset,
        start = local_time(&report.window_start, zone),
        end = local_time(&report.window_end, zone),
        service = format!("{:.1}", report.service_minutes),
        basis = basis,
        level = format!("{:.0}", report.level * 100.0),
        target = report.target_minutes
    );
    println!("{title}");
    // Aligned by the width a terminal draws, a Chinese character taking two columns.
    let header = tr!(
        "staffing.header",
        station = pad(&tr!("staffing.station"), 10),
        expected = pad_left(&tr!("staffing.expected"), 9),
        rate = pad_left(&tr!("staffing.rate"), 8),
        load = pad_left(&tr!("staffing.load"), 6),
        crews = pad_left(&tr!("staffing.crews"), 6),
        in_time = pad_left(&tr!("staffing.in_time"), 8),
        own = pad_left(&tr!("staffing.own"), 8),
        spatial = pad_left(&tr!("staffing.spatial"), 8),
        busy = pad_left(&tr!("staffing.busy"), 6),
        rostered = pad_left(&tr!("staffing.rostered"), 9),
        on_file = pad_left(&tr!("staffing.on_file"), 7),
    );
    println!("{header}");
    for s in &report.stations {
        println!(
            "{:<10} {:>9.1} {:>8.2} {:>6.2} {:>6} {:>7.1}% {:>7.1}% {:>8} {:>5.0}% {:>9} {:>7}  {}",
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
            crate::names::pick(&s.name_zh, &s.name_en)
        );
    }
    let legend = tr!(
        "staffing.legend",
        level = format!("{:.0}", report.level * 100.0),
        reached = if report.spatial_met {
            String::new()
        } else {
            tr!("staffing.not_reached")
        }
    );
    println!("{legend}");
    Ok(())
}

/// An RFC 3339 time of the report on the dataset's clock, with its offset.
fn local_time(rfc3339: &str, zone: chrono_tz::Tz) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| rfc3339.to_string(),
        |t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M %:z").to_string(),
    )
}
