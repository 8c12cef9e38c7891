//! `fengqiao callbacks`: the week's 110 callback sample drawn (once, from a
//! seed the ledger fixes), shown again, and satisfaction and perceived
//! safety with their sample sizes and intervals.

use crate::messages::tr;
use crate::output::pad;
use chrono::Utc;
use fengqiao_app::callbacks::{Group, Share};
use fengqiao_app::store::open_store;
use fengqiao_app::{Result, Settings};

#[derive(clap::Subcommand)]
pub enum CallbacksCommand {
    /// Draw a week's sample (a week that has ended; once) and open a callback case for each
    Draw {
        /// ISO week, e.g. 2026-W48 [default: last week]
        #[arg(long)]
        week: Option<String>,
        /// Share of each station and kind's incidents and cases to call
        #[arg(long, default_value_t = fengqiao_app::callbacks::DEFAULT_SHARE)]
        share: f64,
        /// The incidents' dataset [default: the only or newest]
        #[arg(long)]
        dataset: Option<String>,
        /// Print JSON instead of the summary
        #[arg(long)]
        json: bool,
    },
    /// A week's draw as kept: its seed, strata and callbacks
    Show {
        /// ISO week, e.g. 2026-W48
        #[arg(long)]
        week: String,
    },
    /// Satisfaction and perceived safety by station and month, with sample sizes and 95 % intervals
    Report {
        /// Calendar months back, this one included
        #[arg(long, default_value_t = 6)]
        months: u32,
        /// Only this area (a jurisdiction code) and below
        #[arg(long)]
        area: Option<String>,
        /// Print JSON instead of the table
        #[arg(long)]
        json: bool,
    },
}

fn share_text(s: &Share) -> String {
    match (s.share, s.low, s.high) {
        (Some(p), Some(lo), Some(hi)) => format!("{:.1}% [{:.1}–{:.1}%] n={}", p * 100.0, lo * 100.0, hi * 100.0, s.n),
        _ => format!("- n={}", s.n),
    }
}

fn line(label: &str, g: &Group) -> String {
    format!(
        "{} {:>5} {:>5} {:>5} {:>5} {:>5}  {:<28} {:<28} {:>4}",
        pad(label, 10),
        g.drawn,
        g.reached,
        g.satisfied,
        g.basically,
        g.unsatisfied,
        share_text(&g.satisfaction),
        share_text(&g.safety),
        g.follow_ups
    )
}

pub fn run(settings: &Settings, cmd: &CallbacksCommand) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    match cmd {
        CallbacksCommand::Draw {
            week,
            share,
            dataset,
            json,
        } => {
            let week = week.clone().unwrap_or_else(|| {
                let today = Utc::now().with_timezone(&settings.city.timezone).date_naive();
                fengqiao_app::callbacks::week_of(today - chrono::Duration::days(7))
            });
            let dataset = fengqiao_app::forecast::resolve_dataset(store, dataset.as_deref())?;
            let desk = fengqiao_app::cases::Actor {
                role: "system".into(),
                username: "cli".into(),
            };
            let draw =
                fengqiao_app::callbacks::draw(store, &settings.cases, &dataset, &week, *share, &desk, Utc::now())?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            if *json {
                println!("{}", serde_json::to_string_pretty(&draw)?);
            } else {
                let population: usize = draw.strata.iter().map(|s| s.population).sum();
                println!(
                    "{}",
                    tr!(
                        "callbacks.drawn",
                        week = draw.week,
                        n = draw.callbacks.len(),
                        population = population,
                        strata = draw.strata.len(),
                        seed = &draw.seed[..16],
                        from = draw.seed_from
                    )
                );
            }
            Ok(())
        }
        CallbacksCommand::Show { week } => {
            match fengqiao_app::callbacks::draw_of(store, week)? {
                Some(d) => println!("{}", serde_json::to_string_pretty(&d)?),
                None => {
                    return Err(fengqiao_app::Error::not_found(format!(
                        "week {week} has not been drawn"
                    )));
                }
            }
            Ok(())
        }
        CallbacksCommand::Report { months, area, json } => {
            let r =
                fengqiao_app::callbacks::report(store, &settings.cases.config, area.as_deref(), *months, Utc::now())?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(());
            }
            println!("{}", tr!("callbacks.header"));
            for g in r.by_station.iter() {
                println!("{}", line(if g.key.is_empty() { "-" } else { &g.key }, g));
            }
            for g in r.by_month.iter() {
                println!("{}", line(&g.key, g));
            }
            println!("{}", line(&tr!("callbacks.total"), &r.total));
            Ok(())
        }
    }
}
