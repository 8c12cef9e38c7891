//! `fengqiao report`: governance KPIs over cases (docs/PRODUCT.md definitions)
//! for a period, in total and by jurisdiction, department, person, case
//! type or month, as a table, JSON or CSV, with the parameters beside them.

use crate::messages::{text, tr};
use crate::output::pad;
use chrono::{NaiveDate, Utc};
use fengqiao_app::Settings;
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
use fengqiao_cases::kpi::{Kpis, Ratio};
use fengqiao_store::cases::{KPI_DEFINITIONS, ReportBy, report};
use serde_json::json;

#[derive(clap::Args)]
pub struct ReportArgs {
    /// First local day of the period (default: 30 days before --to)
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Local day after the period (default: tomorrow)
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// jurisdiction, department, person, type or month
    #[arg(long)]
    pub by: Option<String>,
    /// Print JSON instead of the human-readable report
    #[arg(long)]
    pub json: bool,
    /// Print CSV instead of the human-readable report
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

fn pct(r: &Ratio) -> String {
    r.rate
        .map_or("-".into(), |v| format!("{:.1}% ({}/{})", 100.0 * v, r.num, r.den))
}

pub fn run(settings: &Settings, args: &ReportArgs) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let now = Utc::now();
    let today = now.with_timezone(&settings.city.timezone).date_naive();
    let to = args.to.unwrap_or(today + chrono::Duration::days(1));
    let from = args.from.unwrap_or(to - chrono::Duration::days(30));
    if from >= to {
        return Err(Error::input(format!("--from {from} is not before --to {to}")));
    }
    let by = match args.by.as_deref() {
        None => ReportBy::Total,
        Some(b) => ReportBy::parse(b).ok_or_else(|| {
            Error::input(format!(
                "--by {b}: expected jurisdiction, department, person, type or month"
            ))
        })?,
    };
    let rows = report(store, &settings.cases.config, &Default::default(), from, to, now, by)?;
    let params = json!({
        "period": {"from": from, "to": to, "timezone": settings.city.timezone.name()},
        "as_of": now,
        "definitions": KPI_DEFINITIONS.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    if args.json {
        let groups: Vec<_> = rows.iter().map(|(k, v)| json!({"group": k, "kpis": v})).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"parameters": params, "by": args.by, "groups": groups}))?
        );
        return Ok(());
    }
    let head = [
        "group",
        "opened",
        "closed",
        "on_time",
        "rework",
        "mediation_success",
        "resolved_by_level",
        "escalated_to_crime",
        "mean_hours_to_close",
        "satisfaction_mean",
        "satisfied",
        "hazards_cleared_stock",
        "hazards_cleared_new",
        "hazards_open_stock",
        "hazards_open_new",
    ];
    let cells = |(k, v): &(String, Kpis)| -> Vec<String> {
        vec![
            k.clone(),
            v.opened.to_string(),
            v.closed.to_string(),
            pct(&v.on_time_closure),
            pct(&v.rework),
            pct(&v.mediation_success),
            v.resolved_by_level
                .iter()
                .map(|(l, n)| {
                    // Level names for people; the codes in CSV.
                    let name = if args.csv {
                        l.clone()
                    } else {
                        crate::names::word("report", l)
                    };
                    format!("{name} {n}")
                })
                .collect::<Vec<_>>()
                .join(" / "),
            v.escalated_to_crime.to_string(),
            v.mean_hours_to_close.map_or("-".into(), |h| format!("{h:.1}")),
            v.satisfaction_mean.map_or("-".into(), |s| format!("{s:.2}")),
            pct(&v.satisfied),
            v.hazards_cleared_stock.to_string(),
            v.hazards_cleared_new.to_string(),
            v.hazards_open_stock.to_string(),
            v.hazards_open_new.to_string(),
        ]
    };
    if args.csv {
        let mut w = csv::Writer::from_writer(std::io::stdout());
        w.write_record(head).map_err(|e| Error::internal(e.to_string()))?;
        for r in &rows {
            w.write_record(cells(r)).map_err(|e| Error::internal(e.to_string()))?;
        }
        w.flush()?;
        return Ok(());
    }
    println!(
        "{}",
        tr!(
            "report.title",
            from = from,
            last = to.pred_opt().unwrap_or(to),
            timezone = settings.city.timezone.name(),
            now = crate::case::local(settings, now)
        )
    );
    let config = &settings.cases.config;
    for r in &rows {
        let c = cells(r);
        let group = match (c[0].as_str(), args.by.as_deref()) {
            ("all", _) => tr!("report.all"),
            ("(none)", _) => tr!("report.none"),
            (g, Some("department")) => crate::names::department(config, g),
            (g, Some("type")) => config
                .case_type(g)
                .map_or(g.to_string(), |t| crate::names::pick(&t.zh, &t.en)),
            (g, _) => g.to_string(),
        };
        println!("{group}");
        for (h, v) in head.iter().zip(&c).skip(1) {
            println!("  {} {v}", pad(&text(&format!("report.{h}"), &[]), 22));
        }
    }
    println!(
        "{}",
        tr!(
            "report.footer",
            command = "fengqiao report --json",
            file = "docs/PRODUCT.md"
        )
    );
    Ok(())
}
