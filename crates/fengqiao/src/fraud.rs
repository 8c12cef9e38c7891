//! `fengqiao fraud`: the anti-fraud centre's warnings in, and how the
//! dissuasion went by station and week (反诈预警劝阻).

use crate::messages::tr;
use crate::output::pad;
use chrono::Utc;
use fengqiao_app::Settings;
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};

#[derive(clap::Subcommand)]
pub enum FraudCommand {
    /// Import the anti-fraud centre's warnings (CSV, UTF-8, Chinese or English headers: 预警时间/received_at, 手机号/phone, 诈骗类型/scam_type, and optionally 姓名/name, 地址/address, 辖区代码/area, 备注/note; times local): each not on file becomes a dissuasion case in the person's area
    Import {
        /// The CSV export
        file: std::path::PathBuf,
        /// Print JSON instead of the summary
        #[arg(long)]
        json: bool,
    },
    /// Communities where fraud is rising (last 28 days against the 84 before, Poisson test), the ages warned, the volunteers who fit
    Rising {
        /// The incidents' dataset [default: the only or newest]
        #[arg(long)]
        dataset: Option<String>,
        /// Print JSON instead of the table
        #[arg(long)]
        json: bool,
    },
    /// Open a campaign of anti-fraud talks and visits in a rising community (once in 28 days)
    Campaign {
        /// The community's jurisdiction code
        #[arg(long)]
        area: String,
        /// The incidents' dataset [default: the only or newest]
        #[arg(long)]
        dataset: Option<String>,
    },
    /// Warnings by station and week: reached (in time), dissuaded, already paid, refused, losses prevented
    Report {
        /// ISO weeks back, this one included
        #[arg(long, default_value_t = 8)]
        weeks: u32,
        /// Only this area (a jurisdiction code) and below
        #[arg(long)]
        area: Option<String>,
        /// Print JSON instead of the table
        #[arg(long)]
        json: bool,
        /// Print CSV instead of the table
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
}

pub fn run(settings: &Settings, cmd: &FraudCommand) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    match cmd {
        FraudCommand::Import { file, json } => {
            let bytes = std::fs::read(file).map_err(|e| Error::input(format!("{}: {e}", file.display())))?;
            let warnings = fengqiao_app::anti_fraud::parse_csv(&bytes, settings.city.timezone)?;
            // The operator at the command line opens them as the centre's desk does.
            let actor = fengqiao_app::cases::Actor {
                role: "system".into(),
                username: "cli".into(),
            };
            let imported = fengqiao_app::anti_fraud::import(store, &settings.cases, warnings, &actor, Utc::now())?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            if *json {
                println!("{}", serde_json::to_string_pretty(&imported)?);
            } else {
                println!(
                    "{}",
                    tr!(
                        "fraud.imported",
                        n = imported.opened.len(),
                        already = imported.already,
                        codes = imported.opened.join(" ")
                    )
                );
            }
            Ok(())
        }
        FraudCommand::Rising { dataset, json } => {
            let dataset = fengqiao_app::forecast::resolve_dataset(store, dataset.as_deref()).ok();
            let items = fengqiao_app::campaigns::rising(
                store,
                &settings.cases.config,
                dataset.as_deref(),
                None,
                true,
                Utc::now(),
            )?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&items)?);
                return Ok(());
            }
            for r in &items {
                let ages: Vec<String> = r.ages.iter().map(|(k, n)| format!("{k} {n}")).collect();
                let names: Vec<&str> = r.volunteers.iter().map(|v| v.name.as_str()).collect();
                println!(
                    "{}",
                    tr!(
                        "fraud.rising",
                        area = r.area,
                        name = r.name,
                        station = r.station,
                        recent = r.recent,
                        expected = format!("{:.1}", r.expected),
                        p = format!("{:.4}", r.p_value),
                        ages = ages.join(", "),
                        volunteers = names.join(", "),
                        campaign = r.campaign.as_ref().map_or("-", |c| c.code.as_str())
                    )
                );
            }
            println!("{}", tr!("fraud.rising_count", n = items.len()));
            Ok(())
        }
        FraudCommand::Campaign { area, dataset } => {
            let dataset = fengqiao_app::forecast::resolve_dataset(store, dataset.as_deref()).ok();
            let actor = fengqiao_app::cases::Actor {
                role: "system".into(),
                username: "cli".into(),
            };
            let code =
                fengqiao_app::campaigns::open(store, &settings.cases, dataset.as_deref(), area, &actor, Utc::now())?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!("{}", tr!("fraud.campaign", code = code, area = area));
            Ok(())
        }
        FraudCommand::Report { weeks, area, json, csv } => {
            let report =
                fengqiao_app::anti_fraud::report(store, &settings.cases.config, area.as_deref(), *weeks, Utc::now())?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(());
            }
            if *csv {
                let mut w = csv::Writer::from_writer(std::io::stdout());
                w.write_record([
                    "station",
                    "week",
                    "warnings",
                    "reached",
                    "reached_in_time",
                    "dissuaded",
                    "already_paid",
                    "refused",
                    "not_found",
                    "open",
                    "overdue",
                    "supervised",
                    "loss_prevented_yuan",
                    "median_minutes_to_reach",
                ])
                .map_err(|e| Error::internal(e.to_string()))?;
                for r in &report.rows {
                    w.write_record([
                        r.station.clone(),
                        r.week.clone(),
                        r.warnings.to_string(),
                        r.reached.to_string(),
                        r.reached_in_time.to_string(),
                        r.dissuaded.to_string(),
                        r.already_paid.to_string(),
                        r.refused.to_string(),
                        r.not_found.to_string(),
                        r.open.to_string(),
                        r.overdue.to_string(),
                        r.supervised.to_string(),
                        r.loss_prevented_yuan.to_string(),
                        r.median_minutes_to_reach
                            .map_or_else(String::new, |m| format!("{m:.1}")),
                    ])
                    .map_err(|e| Error::internal(e.to_string()))?;
                }
                w.flush()?;
                return Ok(());
            }
            println!("{}", tr!("fraud.header"));
            for r in report.rows.iter().chain(std::iter::once(&report.total)) {
                let station = if r.station.is_empty() && r.week.is_empty() {
                    tr!("fraud.total")
                } else {
                    r.station.clone()
                };
                println!(
                    "{} {} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>10} {:>7}",
                    pad(&station, 8),
                    pad(&r.week, 9),
                    r.warnings,
                    r.reached,
                    r.reached_in_time,
                    r.dissuaded,
                    r.already_paid,
                    r.refused,
                    r.open,
                    r.loss_prevented_yuan,
                    r.median_minutes_to_reach
                        .map_or_else(|| "-".into(), |m| format!("{m:.1}"))
                );
            }
            let pct = |x: Option<f64>| x.map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0));
            println!(
                "{}",
                tr!(
                    "fraud.summary",
                    in_time = pct(report.reached_in_time_share),
                    rate = pct(report.dissuasion_rate),
                    loss = report.total.loss_prevented_yuan
                )
            );
            Ok(())
        }
    }
}
