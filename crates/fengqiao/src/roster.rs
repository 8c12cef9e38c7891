//! `fengqiao roster`: a station's roster from the demand, its people and
//! the duty rules — build a draft, list, show, publish.

use crate::messages::tr;
use crate::names;
use crate::output::pad;
use chrono::Utc;
use fengqiao_app::personnel::Viewer;
use fengqiao_app::roster::{self, BuildRequest};
use fengqiao_app::store::open_store;
use fengqiao_app::{Result, Settings};
use serde_json::Value;

#[derive(clap::Subcommand)]
pub enum RosterCommand {
    /// Build a draft roster for a station (from the Monday after today, 4 weeks, 三班倒 by default)
    Build {
        /// The station's code (a facility code, e.g. PS01)
        #[arg(long)]
        station: String,
        /// First day, YYYY-MM-DD [default: the Monday after today]
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Weeks to roster, from the Monday after today
        #[arg(long, default_value_t = 4)]
        weeks: u32,
        /// A duty pattern (three_shift, three_shift_peak, four_team_three_shift,
        /// four_team_two_shift, duty24_one_in_four…), or shift codes, comma-separated
        #[arg(long, value_delimiter = ',', default_value = "three_shift")]
        pattern: Vec<String>,
        /// Weeks of incidents the hour-of-week demand is averaged over
        #[arg(long, default_value_t = 8)]
        history_weeks: u32,
        /// A call should wait at most this long for a crew…
        #[arg(long, default_value_t = 5.0)]
        target_minutes: f64,
        /// …in at least this share of calls
        #[arg(long, default_value_t = 0.9)]
        level: f64,
        /// Time for the solver, seconds
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
        /// Seed of the random choices, for a result that can be reproduced
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// A station's rosters, newest first
    List {
        /// The station's code (a facility code, e.g. PS01)
        #[arg(long)]
        station: String,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// One roster: who works which shift, day by day (or the crews of one day)
    Show {
        /// The roster's id (`fengqiao roster list`)
        id: i64,
        /// The crews of this day, YYYY-MM-DD
        #[arg(long)]
        day: Option<chrono::NaiveDate>,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// A sick call: record the leave and repair the roster (refills, moves, then overtime)
    Sick {
        /// The roster's id (`fengqiao roster list`)
        id: i64,
        /// The person's badge
        #[arg(long)]
        badge: String,
        /// First local day (YYYY-MM-DD)
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last local day (YYYY-MM-DD), included
        #[arg(long)]
        to: chrono::NaiveDate,
        /// The roster's version as read (`roster show`): refused if it has changed since
        #[arg(long)]
        version: u32,
    },
    /// Ask for two people to exchange a day's shifts (and a second day's, for 换班)
    Swap {
        /// The roster's id (`fengqiao roster list`)
        id: i64,
        /// The person's badge number (警号)
        #[arg(long)]
        badge: String,
        /// The colleague's badge
        #[arg(long)]
        with: String,
        /// The local day (YYYY-MM-DD)
        #[arg(long)]
        day: chrono::NaiveDate,
        /// A second day, for a swap over two days (换班)
        #[arg(long)]
        and_day: Option<chrono::NaiveDate>,
        /// A note (at most 200 characters)
        #[arg(long, default_value = "")]
        note: String,
        /// The roster's version as read (`roster show`): refused if it has changed since
        #[arg(long)]
        version: u32,
    },
    /// Approve or refuse swap request N
    Decide {
        /// The roster's id (`fengqiao roster list`)
        id: i64,
        /// The swap request's number in the roster
        n: usize,
        /// approve or refuse
        decision: String,
        /// The roster's version as read (`roster show`): refused if it has changed since
        #[arg(long)]
        version: u32,
    },
    /// Raise a duty level (勤务等级) over some days: its share of the station on post, another on standby
    Level {
        /// The roster's id (`fengqiao roster list`)
        id: i64,
        #[command(flatten)]
        ask: LevelArgs,
        /// The roster's version as read (`roster show`): refused if it has changed since
        #[arg(long)]
        version: u32,
    },
    /// Raise a duty level at every station, on each one's published roster over the days
    LevelAll {
        #[command(flatten)]
        ask: LevelArgs,
    },
    /// Lower raised duty level N from today
    Lower {
        /// The roster's id (`fengqiao roster list`)
        id: i64,
        /// The raised level's number in the roster
        n: usize,
        /// The roster's version as read (`roster show`): refused if it has changed since
        #[arg(long)]
        version: u32,
    },
    /// Publish a draft roster
    Publish {
        /// The roster's id (`fengqiao roster list`)
        id: i64,
        /// The version read (from `show`)
        #[arg(long)]
        version: u32,
    },
}

/// A duty level asked for: which, over which days, why.
#[derive(clap::Args)]
pub struct LevelArgs {
    /// A level code of the duty configuration (built in: 1, 2, 3)
    #[arg(long)]
    level: String,
    /// First local day (YYYY-MM-DD)
    #[arg(long)]
    from: chrono::NaiveDate,
    /// Last local day (YYYY-MM-DD), included
    #[arg(long)]
    to: chrono::NaiveDate,
    /// Why (a holiday, a typhoon, a major event)
    #[arg(long)]
    reason: String,
}

impl LevelArgs {
    fn ask(&self) -> fengqiao_app::duty_level::Raise {
        fengqiao_app::duty_level::Raise {
            level: self.level.clone(),
            first_day: self.from,
            last_day: self.to,
            reason: self.reason.clone(),
        }
    }
}

/// A word from the `roster` catalogue for a code the API writes (a state, a
/// fairness group), the code itself where there is none.
fn word(code: &str) -> String {
    names::word("roster", code)
}

fn summary(r: &Value, duty: &fengqiao_domain::duty::DutyConfig) -> String {
    let b = &r["body"];
    let fair = b["fairness"]
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .filter(|g| g["people"].as_u64() > Some(0))
                .map(|g| {
                    let holidays = if g["holidays"].is_object() {
                        tr!(
                            "roster.fair_holidays",
                            min = g["holidays"]["min"],
                            max = g["holidays"]["max"]
                        )
                    } else {
                        String::new()
                    };
                    tr!(
                        "roster.fair_group",
                        group = word(g["group"].as_str().unwrap_or("")),
                        nights_min = g["nights"]["min"],
                        nights_max = g["nights"]["max"],
                        weekends_min = g["weekends"]["min"],
                        weekends_max = g["weekends"]["max"],
                        holidays = holidays
                    )
                })
                .collect::<Vec<_>>()
                .join(&tr!("roster.separator"))
        })
        .unwrap_or_default();
    let pattern_name = |code: &str| {
        duty.patterns
            .iter()
            .find(|p| p.code == code)
            .map_or_else(|| code.to_string(), |p| names::pick(&p.name_zh, &p.name_en))
    };
    let pattern = match (b["duty_pattern"].as_str(), b["rotation"]["teams"].as_u64()) {
        (Some(p), Some(teams)) => tr!(
            "roster.rotation",
            pattern = pattern_name(p),
            teams = teams,
            crews = b["rotation"]["crews_per_team"],
            others = b["rotation"]["team"]
                .as_array()
                .map_or(0, |t| t.iter().filter(|x| x.is_null()).count())
        ),
        (Some(p), None) => pattern_name(p),
        _ => b["pattern"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|code| shift_name(duty, code))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default(),
    };
    tr!(
        "roster.summary",
        id = r["id"],
        station = r["station"].as_str().unwrap_or(""),
        first_day = r["first_day"].as_str().unwrap_or(""),
        days = r["days"],
        pattern = pattern,
        state = word(r["state"].as_str().unwrap_or("")),
        version = r["version"],
        short = b["shortfalls"].as_array().map_or(0, Vec::len),
        breaches = b["violations"].as_array().map_or(0, Vec::len),
        objective = b["objective"],
        bound = b["lower_bound"]
            .as_u64()
            .map(|l| tr!("roster.bound", bound = l))
            .unwrap_or_default(),
        fair = fair
    )
}

/// A shift's name in this run's language; the code where the duty has no such shift.
fn shift_name(duty: &fengqiao_domain::duty::DutyConfig, code: &str) -> String {
    duty.shifts
        .iter()
        .find(|s| s.code == code)
        .map_or_else(|| code.to_string(), |s| names::pick(&s.name_zh, &s.name_en))
}

/// A shift in one character, as a roster's grid shows it: 白, 中, 夜 in
/// Chinese; D, E, N in English.
fn shift_mark(duty: &fengqiao_domain::duty::DutyConfig, code: &str) -> String {
    let name = shift_name(duty, code);
    let first = name.chars().next().unwrap_or('?');
    if first.is_ascii_digit() {
        // "24小时值班", "24-hour duty": the duty's own mark.
        return tr!("roster.duty_mark");
    }
    first.to_uppercase().to_string()
}

/// A duty level's name (一级勤务…) as the API wrote it: the term itself,
/// which English output keeps as it keeps 民警 and 辅警.
fn level_name(e: &Value) -> String {
    e["name_zh"].as_str().unwrap_or("").to_string()
}

fn person_id(store: &dyn fengqiao_store::Store, badge: &str) -> Result<i64> {
    store
        .personnel()?
        .into_iter()
        .find(|p| p.person.badge == badge)
        .map(|p| p.id)
        .ok_or_else(|| fengqiao_app::Error::not_found(format!("no person with badge {badge}")))
}

pub fn run(settings: &Settings, cmd: &RosterCommand) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let op = Viewer::operator();
    let today = Utc::now().with_timezone(&settings.city.timezone).date_naive();
    match cmd {
        RosterCommand::Build {
            station,
            from,
            weeks,
            pattern,
            history_weeks,
            target_minutes,
            level,
            seconds,
            seed,
            json,
        } => {
            let mut req = BuildRequest::new(station, Utc::now());
            req.first_day = *from;
            req.weeks = *weeks;
            req.pattern = pattern.clone();
            req.demand.history_weeks = *history_weeks;
            req.demand.target_minutes = *target_minutes;
            req.demand.level = *level;
            req.seconds = *seconds;
            req.seed = *seed;
            let r = roster::build(
                store,
                &settings.city.duty,
                &settings.cases.config.calendar,
                &op,
                &req,
                "cli",
                today,
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            let v = roster::view(store, &op, r.id)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{}", summary(&v, &settings.city.duty));
            }
            Ok(())
        }
        RosterCommand::List { station, json } => {
            let list = roster::list(store, &op, station)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for r in &list {
                    println!(
                        "{}",
                        tr!(
                            "roster.list_line",
                            id = format!("{:>4}", r["id"]),
                            first_day = r["first_day"].as_str().unwrap_or(""),
                            days = format!("{:>3}", r["days"]),
                            state = pad(&word(r["state"].as_str().unwrap_or("")), 9),
                            version = r["version"],
                            short = r["shortfalls"]
                        )
                    );
                }
            }
            Ok(())
        }
        RosterCommand::Show { id, day, json } => {
            let v = roster::view(store, &op, *id)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(());
            }
            println!("{}", summary(&v, &settings.city.duty));
            let b = &v["body"];
            let first: chrono::NaiveDate = serde_json::from_value(v["first_day"].clone())?;
            let pattern: Vec<String> = serde_json::from_value(b["pattern"].clone())?;
            let people = b["people"].as_array().cloned().unwrap_or_default();
            let name = |id: &Value| {
                people
                    .iter()
                    .find(|p| &p["id"] == id)
                    .map(|p| {
                        format!(
                            "{} {}",
                            p["badge"].as_str().unwrap_or(""),
                            p["name"].as_str().unwrap_or("")
                        )
                    })
                    .unwrap_or_default()
            };
            match day {
                Some(d) => {
                    let k = (*d - first).num_days();
                    let teams = b["teams"]
                        .get(k.max(0) as usize)
                        .filter(|_| k >= 0)
                        .ok_or_else(|| fengqiao_app::Error::input(format!("{d} is not in roster {id}")))?;
                    for (s, t) in pattern.iter().zip(teams.as_array().into_iter().flatten()) {
                        println!(
                            "{}",
                            tr!(
                                "roster.duty",
                                day = d,
                                shift = shift_name(&settings.city.duty, s),
                                duty = name(&t["duty"])
                            )
                        );
                        for c in t["crews"].as_array().into_iter().flatten() {
                            let members: Vec<String> =
                                c["members"].as_array().into_iter().flatten().map(name).collect();
                            println!(
                                "  {}  {}{}",
                                c["call_sign"].as_str().unwrap_or(""),
                                members.join(", "),
                                if c["driver"].as_bool() == Some(true) {
                                    String::new()
                                } else {
                                    tr!("roster.no_driver")
                                }
                            );
                        }
                    }
                }
                None => {
                    let assignment = b["assignment"].as_array().cloned().unwrap_or_default();
                    for (p, row) in people.iter().zip(&assignment) {
                        let cells: String = row
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|x| {
                                x.as_u64().and_then(|s| pattern.get(s as usize)).map_or_else(
                                    || tr!("roster.off_mark"),
                                    |code| shift_mark(&settings.city.duty, code),
                                )
                            })
                            .collect();
                        println!("{} {cells}", pad(&name(&p["id"]), 18));
                    }
                }
            }
            Ok(())
        }
        RosterCommand::Sick {
            id,
            badge,
            from,
            to,
            version,
        } => {
            let person = person_id(store, badge)?;
            let event = roster::sick_call(
                store,
                &settings.city.duty,
                &settings.cases.notify,
                &op,
                *id,
                *version,
                person,
                *from,
                *to,
                "cli",
                today,
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            let cells = event["cells"].as_array().cloned().unwrap_or_default();
            println!("{}", tr!("roster.sick", n = cells.len()));
            let shift = |v: &Value| {
                v.as_str()
                    .map_or_else(|| tr!("roster.off"), |c| shift_name(&settings.city.duty, c))
            };
            for c in &cells {
                println!(
                    "{}",
                    tr!(
                        "roster.changed",
                        person = c["person"],
                        day = c["day"].as_str().unwrap_or(""),
                        from = shift(&c["from"]),
                        to = shift(&c["to"]),
                        overtime = if c["overtime"] == true {
                            tr!("roster.overtime")
                        } else {
                            String::new()
                        }
                    )
                );
            }
            Ok(())
        }
        RosterCommand::Swap {
            id,
            badge,
            with,
            day,
            and_day,
            note,
            version,
        } => {
            let (a, b) = (person_id(store, badge)?, person_id(store, with)?);
            let r = roster::request_swap(
                store,
                &settings.city.duty,
                &op,
                *id,
                *version,
                a,
                b,
                *day,
                *and_day,
                note,
                "cli",
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            let verdict = if r["keeps_rules"] == true {
                tr!("roster.swap_keeps")
            } else {
                tr!("roster.swap_breaks", reasons = r["reasons"])
            };
            println!("{}", tr!("roster.swap_pending", n = r["n"], verdict = verdict));
            Ok(())
        }
        RosterCommand::Decide {
            id,
            n,
            decision,
            version,
        } => {
            let approve = roster::decision(decision)?;
            let r = roster::decide_swap(
                store,
                &settings.city.duty,
                &settings.cases.notify,
                &op,
                *id,
                *version,
                *n,
                approve,
                "cli",
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}",
                tr!(
                    "roster.swap_state",
                    n = n,
                    state = word(r["state"].as_str().unwrap_or(""))
                )
            );
            Ok(())
        }
        RosterCommand::Level { id, ask, version } => {
            let (from, to) = (ask.from, ask.to);
            let ask = ask.ask();
            let e = fengqiao_app::duty_level::raise(
                store,
                &settings.city.duty,
                &settings.cases.notify,
                &op,
                *id,
                *version,
                &ask,
                "cli",
                today,
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}",
                tr!(
                    "roster.raised",
                    name = level_name(&e),
                    from = from,
                    to = to,
                    n = e["cells"].as_array().map_or(0, Vec::len)
                )
            );
            let shown = fengqiao_app::roster::view(store, &op, *id)?;
            let levels = shown["body"]["levels"].as_array().cloned().unwrap_or_default();
            for d in levels
                .iter()
                .filter(|l| l["n"] == e["n"])
                .flat_map(|l| l["days"].as_array().cloned().unwrap_or_default())
            {
                println!(
                    "{}",
                    tr!(
                        "roster.level_day",
                        day = d["day"].as_str().unwrap_or(""),
                        on_post = d["on_post"],
                        available = d["available"],
                        on_post_wanted = d["on_post_wanted"],
                        standby = d["standby"].as_array().map_or(0, Vec::len),
                        standby_wanted = d["standby_wanted"]
                    )
                );
            }
            Ok(())
        }
        RosterCommand::LevelAll { ask } => {
            let ask = ask.ask();
            let done = fengqiao_app::duty_level::raise_everywhere(
                store,
                &settings.city.duty,
                &settings.cases.notify,
                &op,
                &ask,
                "cli",
                today,
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            for r in done["raised"].as_array().into_iter().flatten() {
                println!(
                    "{}",
                    tr!(
                        "roster.raised_station",
                        station = r["station"].as_str().unwrap_or(""),
                        roster = r["roster"],
                        name = level_name(r),
                        n = r["cells"]
                    )
                );
            }
            let without: Vec<&str> = done["without_roster"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if !without.is_empty() {
                println!("{}", tr!("roster.not_raised", stations = without.join(", ")));
            }
            Ok(())
        }
        RosterCommand::Lower { id, n, version } => {
            let e = fengqiao_app::duty_level::lower(
                store,
                &settings.city.duty,
                &settings.cases.notify,
                &op,
                *id,
                *version,
                *n,
                "cli",
                today,
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}",
                tr!(
                    "roster.lowered",
                    name = level_name(&e),
                    first_day = e["first_day"].as_str().unwrap_or(""),
                    n = e["cells"].as_array().map_or(0, Vec::len)
                )
            );
            Ok(())
        }
        RosterCommand::Publish { id, version } => {
            let r = roster::publish(store, &op, *id, *version, "cli")?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!("{}", tr!("roster.publish", id = r.id, version = r.version));
            Ok(())
        }
    }
}
