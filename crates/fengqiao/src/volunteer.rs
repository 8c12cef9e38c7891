//! `fengqiao volunteer`: the volunteer registry (鸿雁志愿者), activities
//! with attendance and hours, safety talks and their reach.

use crate::messages::tr;
use crate::names;
use crate::output::pad;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use fengqiao_app::Settings;
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
use fengqiao_store::volunteers::{NewActivity, NewVolunteer};

#[derive(clap::Subcommand)]
pub enum VolunteerCommand {
    /// Register a volunteer
    Add {
        /// The volunteer's name (masked unless the reader's role may see it)
        #[arg(long)]
        name: String,
        /// Phone number (masked unless the reader's role may see it)
        #[arg(long)]
        phone: Option<String>,
        /// Comma-separated, e.g. mediation,first_aid,patrol
        #[arg(long, value_delimiter = ',')]
        skills: Vec<String>,
        /// Jurisdiction codes served, comma-separated
        #[arg(long, value_delimiter = ',')]
        areas: Vec<String>,
        /// When the volunteer can help, in words (e.g. weekday evenings)
        #[arg(long, default_value = "")]
        availability: String,
        /// The account (user name, role volunteer) the volunteer signs in with
        #[arg(long)]
        account: Option<String>,
    },
    /// List volunteers with their hours (names masked unless the role may see them)
    List {
        /// Only volunteers with this skill
        #[arg(long)]
        skill: Option<String>,
        /// Only volunteers serving this jurisdiction code
        #[arg(long)]
        area: Option<String>,
        /// The role to read as: names and phones are masked unless it may see them
        #[arg(long, default_value = "analyst")]
        role: String,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Record an activity (patrol, mediation, safety_talk, other) and who took part
    Activity {
        /// What kind of activity: patrol, mediation, safety_talk or other
        #[arg(long)]
        kind: String,
        /// A short title
        #[arg(long)]
        title: String,
        /// Where it took place (a jurisdiction code)
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Local start, YYYY-MM-DDTHH:MM
        #[arg(long)]
        start: String,
        /// Local end, YYYY-MM-DDTHH:MM
        #[arg(long)]
        end: String,
        /// People reached (safety talks)
        #[arg(long, default_value_t = 0)]
        reach: u32,
        /// The case the activity served (its code), if any
        #[arg(long)]
        case: Option<String>,
        /// Volunteer ids that took part, comma-separated (each credited the activity's length)
        #[arg(long, value_delimiter = ',')]
        volunteers: Vec<i64>,
    },
    /// Activities in a period with volunteers' hours and safety-talk reach
    Activities {
        /// Local days [from, to); default the last 30 days
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last local day (YYYY-MM-DD), included [default: today]
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
}

fn local(settings: &Settings, text: &str, what: &str) -> Result<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .map_err(|_| Error::input(format!("--{what} {text:?}: expected local YYYY-MM-DDTHH:MM")))?;
    settings
        .city
        .timezone
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::input(format!("--{what} {text:?}: not a local time")))
}

pub fn run(settings: &Settings, cmd: &VolunteerCommand) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    match cmd {
        VolunteerCommand::Add {
            name,
            phone,
            skills,
            areas,
            availability,
            account,
        } => {
            let id = fengqiao_app::volunteers::register_with_account(
                store,
                &NewVolunteer {
                    name: name.clone(),
                    phone: phone.clone(),
                    skills: skills.clone(),
                    areas: areas.clone(),
                    availability: availability.clone(),
                    joined_at: Utc::now(),
                },
                account.as_deref(),
                "cli",
                Utc::now(),
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!("{}", tr!("volunteer.registered", id = id));
            Ok(())
        }
        VolunteerCommand::List {
            skill,
            area,
            role,
            json,
        } => {
            let sees = settings.cases.config.sees_personal_data(role);
            let list: Vec<_> = store
                .volunteers(skill.as_deref(), area.as_deref())?
                .into_iter()
                .map(|v| v.masked(sees))
                .collect();
            if *json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for v in &list {
                    let skills: Vec<String> = v.volunteer.skills.iter().map(|s| names::activity_kind(s)).collect();
                    println!(
                        "{}",
                        tr!(
                            "volunteer.line",
                            id = format!("{:>4}", v.id),
                            name = pad(&v.volunteer.name, 8),
                            phone = pad(v.volunteer.phone.as_deref().unwrap_or("-"), 13),
                            hours = format!("{:>6.1}", v.hours),
                            activities = format!("{:>3}", v.activities),
                            skills = skills.join(","),
                            areas = v.volunteer.areas.join(","),
                            availability = v.volunteer.availability
                        )
                    );
                }
                println!("{}", tr!("volunteer.count", n = list.len()));
            }
            Ok(())
        }
        VolunteerCommand::Activity {
            kind,
            title,
            jurisdiction,
            start,
            end,
            reach,
            case,
            volunteers,
        } => {
            let (starts_at, ends_at) = (local(settings, start, "start")?, local(settings, end, "end")?);
            let hours = (ends_at - starts_at).num_minutes() as f64 / 60.0;
            let id = fengqiao_app::volunteers::record_activity(
                store,
                &NewActivity {
                    kind: kind.clone(),
                    title: title.clone(),
                    jurisdiction: jurisdiction.clone(),
                    starts_at,
                    ends_at,
                    reach: *reach,
                    case_code: case.clone(),
                    attendance: volunteers.iter().map(|v| (*v, hours)).collect(),
                },
            )?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}",
                tr!(
                    "volunteer.recorded",
                    id = id,
                    n = volunteers.len(),
                    hours = format!("{hours:.1}")
                )
            );
            Ok(())
        }
        VolunteerCommand::Activities { from, to, json } => {
            let today = Utc::now().with_timezone(&settings.city.timezone).date_naive();
            let to = to.unwrap_or(today + chrono::Duration::days(1));
            let from = from.unwrap_or(to - chrono::Duration::days(30));
            let at = |d: chrono::NaiveDate| local(settings, &format!("{d}T00:00"), "from");
            let list = store.activities(at(from)?, at(to)?)?;
            let hours: f64 = list
                .iter()
                .flat_map(|a| a.activity.attendance.iter().map(|x| x.1))
                .sum();
            let talks: Vec<_> = list.iter().filter(|a| a.activity.kind == "safety_talk").collect();
            let reach: u64 = talks.iter().map(|a| u64::from(a.activity.reach)).sum();
            if *json {
                let out = serde_json::json!({
                    "from": from, "to": to, "activities": list, "volunteer_hours": hours,
                    "safety_talks": talks.len(), "safety_talk_reach": reach,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for a in &list {
                    let reach = if a.activity.reach > 0 {
                        tr!("volunteer.reach", n = a.activity.reach)
                    } else {
                        String::new()
                    };
                    println!(
                        "{}",
                        tr!(
                            "volunteer.activity",
                            id = format!("{:>4}", a.id),
                            at = crate::case::local(settings, a.activity.starts_at),
                            kind = pad(&names::activity_kind(&a.activity.kind), 11),
                            title = pad(&a.activity.title, 24),
                            n = a.activity.attendance.len(),
                            reach = reach
                        )
                    );
                }
                println!(
                    "{}",
                    tr!(
                        "volunteer.summary",
                        from = from,
                        last = to.pred_opt().unwrap_or(to),
                        activities = list.len(),
                        hours = format!("{hours:.1}"),
                        talks = talks.len(),
                        reach = reach
                    )
                );
            }
            Ok(())
        }
    }
}
