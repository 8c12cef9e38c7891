//! `fengqiao replay`: the application's replays, asked and printed: a
//! stored plan against the incidents of its shift, or every shift of a
//! period of a real incident file beside the baseline deployments.

use chrono::NaiveDate;
use fengqiao_app::replay_period::{ReplayPeriodRequest, STRATEGIES, replay_period};
use fengqiao_app::{Error, Result};
use serde_json::Value;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// A stored plan to replay against the incidents of its window (from the
    /// database, or from --input)
    #[arg(long)]
    pub plan: Option<i64>,
    /// Incident file (.csv or .csv.gz) whose period is replayed
    #[arg(long, required_unless_present = "plan")]
    pub input: Option<PathBuf>,
    /// A built-in profile for the file's layout (see `fengqiao profiles`)
    #[arg(long, conflicts_with = "map")]
    pub profile: Option<String>,
    /// A mapping TOML file describing the file's columns (instead of --profile)
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// First local day replayed (YYYY-MM-DD)
    #[arg(long, required_unless_present = "plan")]
    pub from: Option<NaiveDate>,
    /// Last local day replayed, inclusive
    #[arg(long, required_unless_present = "plan")]
    pub to: Option<NaiveDate>,
    /// Local start hours of the shifts
    #[arg(long, value_delimiter = ',', default_value = "0,8,16")]
    pub shifts: Vec<u32>,
    /// Grid cell size in metres
    #[arg(long, default_value_t = 150.0)]
    pub cell: f64,
    /// Stations, placed at the k-means centres of the year's incidents before --from
    #[arg(long, default_value_t = 22)]
    pub stations: usize,
    /// Patrol units each station sends out per shift
    #[arg(long, default_value_t = 2)]
    pub units_per_station: usize,
    /// Patrol car speed, km/h
    #[arg(long, default_value_t = 30.0)]
    pub speed: f64,
    /// Road distance / straight-line distance
    #[arg(long, default_value_t = 1.3)]
    pub detour: f64,
    /// Response-time target, minutes
    #[arg(long, default_value_t = 5.0)]
    pub response: f64,
    /// Visibility radius, metres
    #[arg(long, default_value_t = 200.0)]
    pub visibility: f64,
    /// Hot-spot visit length, minutes
    #[arg(long, default_value_t = 15.0)]
    pub visit: f64,
    /// Hot cells in each unit's round
    #[arg(long, default_value_t = 6)]
    pub hot_cells: usize,
    /// Visits stay within this many minutes of the unit's planned position
    #[arg(long, default_value_t = 0.5)]
    pub roam: f64,
    /// Share of a demand's weight earned again by a second unit in reach (the
    /// replay scores one incident at a time, which a second unit does not help)
    #[arg(long, default_value_t = 0.0)]
    pub backup: f64,
    /// Weight of demand within the visibility radius of a unit, beside demand within response reach
    #[arg(long, default_value_t = 1.0)]
    pub visibility_weight: f64,
    /// Forecasting model behind the plan
    #[arg(long, default_value = "fq")]
    pub model: String,
    /// Bootstrap resamples for the confidence intervals
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Also compare the same crew-shifts rostered fixed (the same crews every
    /// shift) and by the calls (staffing), replayed with busy crews, and
    /// roster each station's people on both
    #[arg(long, conflicts_with = "plan")]
    pub rosters: bool,
    /// Minutes a crew is busy with a call (default: measured from the file's
    /// handling times, else 45)
    #[arg(long, requires = "rosters")]
    pub service: Option<f64>,
    /// The staffing roster moves crews between stations too (else each
    /// station's crews move only in time)
    #[arg(long, requires = "rosters")]
    pub across_stations: bool,
    /// Print JSON instead of the human-readable report
    #[arg(long)]
    pub json: bool,
}

pub fn run(settings: &fengqiao_app::Settings, args: &ReplayArgs) -> Result<()> {
    if let Some(id) = args.plan {
        return replay_stored_plan(settings, args, id);
    }
    let (Some(input), Some(from), Some(to)) = (&args.input, args.from, args.to) else {
        return Err(Error::input("give --plan ID, or --input FILE with --from and --to"));
    };
    let req = ReplayPeriodRequest {
        input: input.clone(),
        profile: args.profile.clone(),
        map: args.map.clone(),
        from,
        to,
        shifts: args.shifts.clone(),
        cell: args.cell,
        stations: args.stations,
        units_per_station: args.units_per_station,
        speed: args.speed,
        detour: args.detour,
        response: args.response,
        visibility: args.visibility,
        visit: args.visit,
        hot_cells: args.hot_cells,
        roam: args.roam,
        backup: args.backup,
        visibility_weight: args.visibility_weight,
        model: args.model.clone(),
        bootstrap: args.bootstrap,
        rosters: args.rosters,
        service: args.service,
        across_stations: args.across_stations,
    };
    let bar = crate::output::progress_bar(0, args.json);
    bar.set_message("shifts");
    let report = replay_period(settings, &req, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let report = report?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(args, &report);
    }
    Ok(())
}

fn print_report(args: &ReplayArgs, r: &Value) {
    println!(
        "replay {} {}..={}: {} shifts, {} stations x {} cars at {} km/h (detour {}), response {} min, visibility {} m",
        args.input.as_deref().unwrap_or(std::path::Path::new("-")).display(),
        args.from.map_or(String::new(), |d| d.to_string()),
        args.to.map_or(String::new(), |d| d.to_string()),
        r["shifts"],
        r["stations"],
        args.units_per_station,
        args.speed,
        args.detour,
        args.response,
        args.visibility
    );
    println!(
        "\n{:<12} {:>9} {:>11} {:>9} {:>7} {:>7} {:>7} {:>9}",
        "deployment", "incidents", "visibility", "handling", "<=1min", "<=3min", "<=5min", "p50 min"
    );
    let row = |name: &str, v: &Value| {
        println!(
            "{:<12} {:>9} {:>11.3} {:>9.3} {:>7.3} {:>7.3} {:>7.3} {:>9}",
            name,
            v["incidents"],
            v["visibility_rate"].as_f64().unwrap_or(f64::NAN),
            v["handling_rate"].as_f64().unwrap_or(f64::NAN),
            v["rings"]["1"].as_f64().unwrap_or(f64::NAN),
            v["rings"]["3"].as_f64().unwrap_or(f64::NAN),
            v["rings"]["5"].as_f64().unwrap_or(f64::NAN),
            v["response_minutes"]["p50"]
                .as_f64()
                .map_or("-".into(), |m| format!("{m:.2}")),
        );
    };
    row(&format!("plan ({})", args.model), &r["plan"]);
    for name in STRATEGIES.iter().skip(1) {
        row(name, &r["baselines"][*name]);
    }
    println!("\nplan minus baseline (pooled, bootstrap 95% over shifts)");
    for name in STRATEGIES.iter().skip(1) {
        let u = &r["uplift"][*name];
        let f = |k: &str| {
            format!(
                "{:+.3} [{:+.3}, {:+.3}]",
                u[k]["difference"].as_f64().unwrap_or(f64::NAN),
                u[k]["ci"][0].as_f64().unwrap_or(f64::NAN),
                u[k]["ci"][1].as_f64().unwrap_or(f64::NAN)
            )
        };
        println!(
            "{:<12} visibility {}   handling {}",
            name,
            f("visibility_rate"),
            f("handling_rate")
        );
    }
    if !r["rosters"].is_null() {
        print_rosters(&r["rosters"]);
    }
    println!("\n{:.1} s", r["seconds"].as_f64().unwrap_or(f64::NAN));
}

/// The fixed and the staffing-driven roster side by side.
fn print_rosters(r: &Value) {
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    println!(
        "\nrosters, the same crew-shifts ({:.0} person-hours fixed, {:.0} staffing); crews busy {:.1} min a call ({}); staffing from {} incidents over {:.1} weeks before",
        f(&r["person_hours"]["fixed"]),
        f(&r["person_hours"]["staffing"]),
        f(&r["service_minutes"]),
        r["service_basis"].as_str().unwrap_or(""),
        r["history_incidents"],
        f(&r["history_weeks"]),
    );
    println!(
        "{:<10} {:>11} {:>9} {:>7} {:>7} {:>7} {:>9} {:>7}",
        "roster", "visibility", "handling", "<=1min", "<=3min", "<=5min", "p50 min", "queued"
    );
    for name in ["fixed", "staffing"] {
        let v = &r[name];
        println!(
            "{:<10} {:>11.3} {:>9.3} {:>7.3} {:>7.3} {:>7.3} {:>9} {:>7.3}",
            name,
            f(&v["visibility_rate"]),
            f(&v["handling_rate"]),
            f(&v["rings"]["1"]),
            f(&v["rings"]["3"]),
            f(&v["rings"]["5"]),
            v["response_minutes"]["p50"]
                .as_f64()
                .map_or("-".into(), |m| format!("{m:.2}")),
            f(&v["queued_rate"]),
        );
    }
    println!("staffing minus fixed (bootstrap 95% over shifts)");
    for (key, label) in [
        ("visibility_rate", "visibility"),
        ("handling_rate", "handling"),
        ("within_1", "<=1min"),
        ("within_3", "<=3min"),
        ("within_5", "<=5min"),
        ("response_p50_minutes", "p50 min"),
        ("queued_rate", "queued"),
    ] {
        let d = &r["difference"][key];
        println!(
            "  {:<11} {:+.3} [{:+.3}, {:+.3}]",
            label,
            f(&d["difference"]),
            f(&d["ci"][0]),
            f(&d["ci"][1])
        );
    }
    let shifts: Vec<String> = r["crews_by_shift"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            format!(
                "shift {}: {} fixed, {:.2} staffing ({}..{})",
                s["shift"],
                s["fixed"],
                f(&s["staffing_mean"]),
                s["staffing_min"],
                s["staffing_max"]
            )
        })
        .collect();
    println!("crews a station: {}", shifts.join("; "));
    let p = &r["people"];
    if p.is_null() {
        return;
    }
    println!(
        "people: {} stations' strength rostered over {} days ({} h a week, {}x relief): fixed {} sworn + {} auxiliaries, staffing {} + {}",
        p["stations"],
        p["days"],
        p["contract_hours_per_week"],
        p["relief"],
        p["strength"]["fixed"]["sworn"],
        p["strength"]["fixed"]["auxiliary"],
        p["strength"]["staffing"]["sworn"],
        p["strength"]["staffing"]["auxiliary"],
    );
    for name in ["fixed", "staffing"] {
        let v = &p[name];
        let spread = |group: usize, what: &str| {
            let s = &v["fairness"][group][what];
            format!("{}-{}", s["min"], s["max"])
        };
        println!(
            "  {:<9} crews short {}, duty short {}, overtime {:.0} h, breaches {}; sworn nights {} weekends {}; auxiliaries nights {} weekends {}",
            name,
            v["crews_short"],
            v["duty_short"],
            f(&v["overtime_hours"]),
            v["rule_breaches"],
            spread(0, "nights"),
            spread(0, "weekends"),
            spread(1, "nights"),
            spread(1, "weekends"),
        );
    }
}

/// `fengqiao replay --plan ID`: the application's replay of a stored plan, printed.
fn replay_stored_plan(settings: &fengqiao_app::Settings, args: &ReplayArgs, id: i64) -> Result<()> {
    let store = fengqiao_app::store::open_store(settings)?;
    let params = fengqiao_app::replay_plan::ReplayParams {
        input: args.input.clone(),
        profile: args.profile.clone(),
        map: args.map.clone(),
        detour: args.detour,
        response: args.response,
        visibility: args.visibility,
    };
    let report = fengqiao_app::replay_plan::report(store.as_ref(), &settings.city.categories, &params, id)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("serialisable"));
        return Ok(());
    }
    print(id, &report);
    Ok(())
}

fn print(id: i64, report: &serde_json::Value) {
    println!(
        "plan {id} ({} .. {}): {} incidents",
        report["window"][0].as_str().unwrap_or(""),
        report["window"][1].as_str().unwrap_or(""),
        report["plan"]["incidents"]
    );
    for (name, r) in std::iter::once(("plan", &report["plan"])).chain(
        report["baselines"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v)),
    ) {
        println!(
            "  {:<11} visibility {:.3}  handling {:.3}  within 1 / 3 / 5 min {:.3} / {:.3} / {:.3}",
            name,
            r["visibility_rate"].as_f64().unwrap_or(0.0),
            r["handling_rate"].as_f64().unwrap_or(0.0),
            r["rings"]["1"].as_f64().unwrap_or(0.0),
            r["rings"]["3"].as_f64().unwrap_or(0.0),
            r["rings"]["5"].as_f64().unwrap_or(0.0),
        );
    }
}
