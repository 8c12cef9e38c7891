//! `fengqiao report`: governance KPIs over cases (PRODUCT.md definitions)
//! for a period, in total and by jurisdiction, department, person, case
//! type or month, as a table, JSON or CSV, with the parameters beside them.

use crate::config::Settings;
use crate::import::open_store;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use fengqiao_cases::kpi::{KpiCase, Kpis, Ratio, compute};
use fengqiao_store::Store;
use fengqiao_store::cases::{CaseFilter, CaseRecord};
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
    #[arg(long)]
    pub json: bool,
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

fn start_of(settings: &Settings, d: NaiveDate) -> DateTime<Utc> {
    settings
        .timezone
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .expect("a local midnight exists")
        .with_timezone(&Utc)
}

fn pct(r: &Ratio) -> String {
    r.rate
        .map_or("-".into(), |v| format!("{:.1}% ({}/{})", 100.0 * v, r.num, r.den))
}

pub fn run(settings: &Settings, args: &ReportArgs) -> Result<(), String> {
    let store = open_store(settings)?;
    let now = Utc::now();
    let today = now.with_timezone(&settings.timezone).date_naive();
    let to = args.to.unwrap_or(today + chrono::Duration::days(1));
    let from = args.from.unwrap_or(to - chrono::Duration::days(30));
    if from >= to {
        return Err(format!("--from {from} is not before --to {to}"));
    }
    let cases = store.cases(&CaseFilter::default()).map_err(|e| e.to_string())?;
    let escalated: std::collections::HashSet<i64> = store
        .escalated_cases()
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    let levels = settings
        .cases
        .case_type("dispute")
        .map(|t| t.levels.clone())
        .unwrap_or_default();
    let (start, end) = (start_of(settings, from), start_of(settings, to));
    let kpi = |group: &[&CaseRecord], a: DateTime<Utc>, b: DateTime<Utc>| -> Kpis {
        let input: Vec<KpiCase> = group
            .iter()
            .map(|c| KpiCase {
                state: &c.state,
                stock: c.case.stock,
                escalated_to_crime: escalated.contains(&c.id),
            })
            .collect();
        compute(&input, a, b, now, &levels)
    };
    let all: Vec<&CaseRecord> = cases.iter().collect();
    let mut rows: Vec<(String, Kpis)> = vec![("all".into(), kpi(&all, start, end))];
    match args.by.as_deref() {
        None => {}
        Some("month") => {
            let mut m = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).expect("month");
            while m < to {
                let next = if m.month() == 12 {
                    NaiveDate::from_ymd_opt(m.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1)
                }
                .expect("month");
                let (a, b) = (start_of(settings, m.max(from)), start_of(settings, next.min(to)));
                rows.push((m.format("%Y-%m").to_string(), kpi(&all, a, b)));
                m = next;
            }
        }
        Some(by @ ("jurisdiction" | "department" | "person" | "type")) => {
            let key = |c: &CaseRecord| -> String {
                match by {
                    "jurisdiction" => c.case.jurisdiction.clone(),
                    "department" => c.state.department.clone(),
                    "person" => c.state.assignee.clone(),
                    _ => Some(c.case.case_type.clone()),
                }
                .unwrap_or_else(|| "(none)".into())
            };
            let mut groups: std::collections::BTreeMap<String, Vec<&CaseRecord>> = Default::default();
            for c in &cases {
                groups.entry(key(c)).or_default().push(c);
            }
            for (k, g) in groups {
                rows.push((k, kpi(&g, start, end)));
            }
        }
        Some(other) => {
            return Err(format!(
                "--by {other}: expected jurisdiction, department, person, type or month"
            ));
        }
    }
    let params = json!({
        "period": {"from": from, "to": to, "timezone": settings.timezone.name()},
        "as_of": now,
        "definitions": {
            "on_time_closure": "closed by due time / cases due in the period up to now, never deferred; open cases past due count as late",
            "rework": "cases opened in the period and reported back at least once: sent back at verification / handled",
            "mediation_success": "disputes opened in the period with a session: agreement reached / mediated",
            "resolved_by_level": "disputes closed with an agreement in the period, by level",
            "escalated_to_crime": "disputes opened in the period with an incident later linked (民转刑)",
            "satisfaction": "ratings of requests closed in the period: mean, and share of 4 or 5",
        },
    });
    if args.json {
        let groups: Vec<_> = rows.iter().map(|(k, v)| json!({"group": k, "kpis": v})).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"parameters": params, "by": args.by, "groups": groups}))
                .map_err(|e| e.to_string())?
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
                .map(|(l, n)| format!("{l} {n}"))
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
        w.write_record(head).map_err(|e| e.to_string())?;
        for r in &rows {
            w.write_record(cells(r)).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
        return Ok(());
    }
    println!(
        "case KPIs {from} to {to} (local days, {}), as of {}",
        settings.timezone.name(),
        crate::case::local(settings, now)
    );
    for r in &rows {
        let c = cells(r);
        println!("{}", c[0]);
        for (h, v) in head.iter().zip(&c).skip(1) {
            println!("  {h:<22} {v}");
        }
    }
    println!("definitions: `fengqiao report --json` states each one; PRODUCT.md has them all");
    Ok(())
}
