//! `fengqiao equity`: the equity report of a forecast and its plan, as a
//! table, JSON or CSV; and the short summary `forecast` and `plan` print.

use crate::messages::{Lang, lang, tr};
use crate::output::{pad, pad_left};
use fengqiao_app::equity::{EquityReport, EquityRequest, Flag, equity_report, parse_level};
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
use fengqiao_store::Store;

#[derive(clap::Args)]
pub struct EquityArgs {
    /// Dataset of the latest forecast [default: the default dataset]
    #[arg(long)]
    pub dataset: Option<String>,
    /// The latest forecast of this window: a shift, a day or a week
    #[arg(long, value_parser = ["shift", "day", "week"], default_value = "shift")]
    pub window: String,
    /// A stored forecast's id instead of the latest
    #[arg(long)]
    pub forecast: Option<i64>,
    /// A stored plan's id [default: the latest plan made from the forecast]
    #[arg(long)]
    pub plan: Option<i64>,
    /// Group by district, town, village or grid
    #[arg(long, default_value = "town")]
    pub level: String,
    /// The hottest share of the forecast's study area counted as hot cells
    #[arg(long, default_value_t = 0.05)]
    pub hot_share: f64,
    /// Print JSON instead of the table
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV (one row per area) instead of the table
    #[arg(long)]
    pub csv: bool,
}

pub fn run(settings: &fengqiao_app::Settings, args: &EquityArgs) -> Result<()> {
    let store = open_store(settings)?;
    let req = EquityRequest {
        dataset: args.dataset.clone(),
        window: args.window.clone(),
        forecast: args.forecast,
        plan: args.plan,
        level: parse_level(&args.level)?,
        hot_share: args.hot_share,
    };
    let report = equity_report(store.as_ref(), &req)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if args.csv {
        print_csv(&report)?;
    } else {
        print_table(&report);
    }
    Ok(())
}

/// The lines `forecast` and `plan` print after their own: the flags, the
/// officers' share and the lock-in, and where the table is.
pub fn print_summary(store: &dyn Store, forecast: Option<i64>, plan: Option<i64>) -> Result<()> {
    let report = equity_report(
        store,
        &EquityRequest {
            forecast,
            plan,
            ..EquityRequest::default()
        },
    )?;
    for line in summary_lines(&report) {
        println!("{line}");
    }
    Ok(())
}

fn share(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn name(a: &fengqiao_app::equity::EquityArea) -> &str {
    match lang() {
        Lang::Zh => &a.name_zh,
        Lang::En => &a.name_en,
    }
}

fn flag_text(hot: Option<Flag>, patrol: Option<Flag>) -> String {
    let one = |f: Option<Flag>, what: &str| match f {
        Some(Flag::Over) => Some(tr!("equity.over", what = what)),
        Some(Flag::Under) => Some(tr!("equity.under", what = what)),
        None => None,
    };
    [one(hot, &tr!("equity.hot")), one(patrol, &tr!("equity.patrol"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

fn level_name(r: &EquityReport) -> String {
    match r.level {
        fengqiao_domain::Level::District => tr!("equity.district"),
        fengqiao_domain::Level::Village => tr!("equity.village"),
        fengqiao_domain::Level::Grid => tr!("equity.grid"),
        _ => tr!("equity.town"),
    }
}

fn summary_lines(r: &EquityReport) -> Vec<String> {
    let over: Vec<&str> = r
        .areas
        .iter()
        .filter(|a| a.hot_flag == Some(Flag::Over) || a.patrol_flag == Some(Flag::Over))
        .map(name)
        .collect();
    vec![
        tr!(
            "equity.summary",
            level = level_name(r),
            over = r.flagged_over,
            under = r.flagged_under,
            names = match (over.is_empty(), lang()) {
                (true, _) => String::new(),
                (false, Lang::Zh) => format!("（{}）", over.join("、")),
                (false, Lang::En) => format!(" ({})", over.join(", ")),
            }
        ),
        tr!(
            "equity.training",
            share = share(r.officer_share),
            used = share(r.officer_share_in_training),
            weight = format!("{:.2}", r.officer_weight)
        ),
        tr!(
            "equity.lock_in",
            same = share(r.lock_in.current.same_as_day_0),
            overlap = share(r.lock_in.current.overlap_with_truth),
            weight = format!("{:.2}", r.lock_in.alternative.officer_weight),
            alt_same = share(r.lock_in.alternative.same_as_day_0),
            alt_overlap = share(r.lock_in.alternative.overlap_with_truth),
        ),
    ]
}

fn print_table(r: &EquityReport) {
    let plan = r.plan_id.map_or_else(|| tr!("equity.no_plan"), |p| p.to_string());
    println!(
        "{}",
        tr!(
            "equity.title",
            forecast = r.forecast_id,
            model = r.model,
            start = &r.window_start[..16.min(r.window_start.len())].replace('T', " "),
            end = &r.window_end[..16.min(r.window_end.len())].replace('T', " "),
            timezone = r.timezone,
            plan = plan,
            level = level_name(r)
        )
    );
    println!(
        "{}",
        tr!(
            "equity.period",
            from = &r.period_from[..10.min(r.period_from.len())],
            to = &r.period_to[..10.min(r.period_to.len())],
            incidents = r.incidents,
            citizen = r.citizen_incidents,
            officer = r.officer_incidents,
            unknown = r.unknown_incidents
        )
    );
    if r.citizen_basis == "all_incidents" {
        println!("{}", tr!("equity.no_origin"));
    }
    println!();
    println!(
        "{} {} {} {} {}  {}",
        pad(&level_name(r), 22),
        pad_left(&tr!("equity.col_hot"), 14),
        pad_left(&tr!("equity.col_patrol"), 14),
        pad_left(&tr!("equity.col_citizen"), 14),
        pad_left(&tr!("equity.col_officer"), 14),
        tr!("equity.col_flag")
    );
    for a in &r.areas {
        println!(
            "{} {} {} {} {}  {}",
            pad(name(a), 22),
            pad_left(&share(a.hot_share), 14),
            pad_left(&a.patrol_share.map_or_else(|| "—".into(), share), 14),
            pad_left(&share(a.citizen_share), 14),
            pad_left(&a.officer_share.map_or_else(|| "—".into(), share), 14),
            flag_text(a.hot_flag, a.patrol_flag)
        );
    }
    let o = &r.outside;
    if o.hot_cells > 0 || o.patrol_minutes > 0.0 || o.citizen_incidents > 0 {
        println!(
            "{}",
            tr!(
                "equity.outside",
                level = level_name(r),
                hot = o.hot_cells,
                minutes = format!("{:.0}", o.patrol_minutes),
                citizen = o.citizen_incidents
            )
        );
    }
    println!();
    for line in summary_lines(r).into_iter().skip(1) {
        println!("{line}");
    }
    println!(
        "{}",
        tr!(
            "equity.assumptions",
            days = r.lock_in.days,
            cells = r.lock_in.patrol_cells,
            report = share(r.lock_in.report_rate),
            discovery = share(r.lock_in.discovery_rate)
        )
    );
    println!("{}", tr!("equity.rule"));
}

fn print_csv(r: &EquityReport) -> Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let e = |e: csv::Error| Error::internal(e.to_string());
    w.write_record([
        "code",
        "name_zh",
        "name_en",
        "hot_cells",
        "hot_share",
        "patrol_minutes",
        "patrol_share",
        "citizen_incidents",
        "citizen_share",
        "officer_incidents",
        "incidents",
        "officer_share",
        "hot_flag",
        "patrol_flag",
    ])
    .map_err(e)?;
    let f = |f: Option<Flag>| match f {
        Some(Flag::Over) => "over".to_string(),
        Some(Flag::Under) => "under".to_string(),
        None => String::new(),
    };
    let opt = |x: Option<f64>| x.map_or_else(String::new, |v| format!("{v:.4}"));
    for a in &r.areas {
        w.write_record([
            a.code.clone(),
            a.name_zh.clone(),
            a.name_en.clone(),
            a.hot_cells.to_string(),
            format!("{:.4}", a.hot_share),
            format!("{:.1}", a.patrol_minutes),
            opt(a.patrol_share),
            a.citizen_incidents.to_string(),
            format!("{:.4}", a.citizen_share),
            a.officer_incidents.to_string(),
            a.incidents.to_string(),
            opt(a.officer_share),
            f(a.hot_flag),
            f(a.patrol_flag),
        ])
        .map_err(e)?;
    }
    w.flush().map_err(|x| Error::internal(x.to_string()))?;
    Ok(())
}
