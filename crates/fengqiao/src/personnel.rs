//! `fengqiao personnel`: the personnel registry (民警, 辅警, 巡特警) and
//! leave, with the page's and the API's rules.

use crate::messages::tr;
use crate::names;
use crate::output::pad;
use chrono::Utc;
use fengqiao_app::personnel::{self, Filter, Viewer};
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result, Settings};
use fengqiao_domain::personnel::StaffKind;
use fengqiao_store::personnel::{NewLeave, NewPerson};

#[derive(clap::Subcommand)]
pub enum PersonnelCommand {
    /// List a station's people (or every station's) with today's leave
    List {
        /// Only this station's people (a facility code, e.g. PS01)
        #[arg(long)]
        station: Option<String>,
        /// Include those who left the strength
        #[arg(long)]
        all: bool,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Add a member of staff
    Add {
        /// 警号
        #[arg(long)]
        badge: String,
        /// The person's name
        #[arg(long)]
        name: String,
        /// officer (民警), auxiliary (辅警) or special (巡特警)
        #[arg(long)]
        kind: String,
        /// The station's code or name
        #[arg(long)]
        station: String,
        /// 中队 / 警组
        #[arg(long, default_value = "")]
        team: String,
        /// Comma-separated: driving, firearm, mediation, first_aid, english, sign_language, dialect
        #[arg(long, value_delimiter = ',')]
        qualifications: Vec<String>,
        /// Phone number (masked unless the reader's role may see it)
        #[arg(long)]
        phone: Option<String>,
        /// Contracted hours a week
        #[arg(long, default_value_t = 40)]
        weekly_hours: u8,
        /// Shift types the person may work, comma-separated (default: any)
        #[arg(long, value_delimiter = ',')]
        shifts: Vec<String>,
    },
    /// Import a personnel export (CSV, UTF-8, Chinese or English headers): every row or none
    Import {
        /// A CSV roll: 警号, 姓名, 类别, 所属单位 and optional 中队, 资质, 电话, 周工时, 班次 (Chinese or English headers)
        file: std::path::PathBuf,
    },
    /// Record leave (annual, sick, personal, training, compensatory), or days wished off or to work (wish_off, wish_on: granted by the roster where the cover allows)
    Leave {
        /// The person's badge
        #[arg(long)]
        badge: String,
        /// annual, sick, personal, training, compensatory, wish_off or wish_on
        #[arg(long)]
        kind: String,
        /// First day of the leave (YYYY-MM-DD)
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day of the leave (YYYY-MM-DD), included
        #[arg(long)]
        to: chrono::NaiveDate,
        /// A note (at most 200 characters)
        #[arg(long, default_value = "")]
        note: String,
    },
}

pub fn run(settings: &Settings, cmd: &PersonnelCommand) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let op = Viewer::operator();
    let duty = &settings.city.duty;
    let today = Utc::now().with_timezone(&settings.city.timezone).date_naive();
    match cmd {
        PersonnelCommand::List { station, all, json } => {
            let filter = Filter {
                station: station.clone(),
                all: *all,
            };
            let list = personnel::list(store, &op, &filter, today)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&list)?);
                return Ok(());
            }
            for v in &list {
                let p = &v.person.person;
                let kind = p.kind.zh();
                let qualifications: Vec<String> = p.qualifications.iter().map(|q| names::qualification(q)).collect();
                println!(
                    "{} {} {} {} {} {}  {} {}",
                    pad(&p.station, 8),
                    pad(&p.badge, 10),
                    pad(&p.name, 8),
                    pad(kind, 6),
                    pad(&p.team, 8),
                    pad(&tr!("personnel.hours", n = format!("{:>2}", p.weekly_hours)), 12),
                    pad(&qualifications.join(","), 20),
                    match (&v.leave_today, v.person.active) {
                        (_, false) => tr!("personnel.left"),
                        (Some(l), _) => tr!("personnel.on_leave", kind = names::leave_kind(l)),
                        (None, _) => tr!("personnel.available"),
                    }
                );
            }
            let count = |k: StaffKind| {
                list.iter()
                    .filter(|v| v.person.active && v.person.person.kind == k)
                    .count()
            };
            println!(
                "{}",
                tr!(
                    "personnel.count",
                    n = list.len(),
                    officers = count(StaffKind::Officer),
                    auxiliaries = count(StaffKind::Auxiliary),
                    special = count(StaffKind::Special),
                    on_leave = list.iter().filter(|v| v.leave_today.is_some()).count()
                )
            );
            Ok(())
        }
        PersonnelCommand::Add {
            badge,
            name,
            kind,
            station,
            team,
            qualifications,
            phone,
            weekly_hours,
            shifts,
        } => {
            let kind = personnel::staff_kind(kind)?;
            let p = NewPerson {
                badge: badge.clone(),
                name: name.clone(),
                kind,
                station: station.clone(),
                team: team.clone(),
                qualifications: qualifications.clone(),
                phone: phone.clone(),
                weekly_hours: *weekly_hours,
                shifts: shifts.clone(),
            };
            let id = personnel::add(store, duty, &op, &p, "cli", Utc::now())?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!("{}", tr!("personnel.added", id = id, badge = badge));
            Ok(())
        }
        PersonnelCommand::Import { file } => {
            let bytes = std::fs::read(file).map_err(|e| Error::input(format!("{}: {e}", file.display())))?;
            let s = personnel::import_csv(store, duty, &op, &bytes, "cli", Utc::now())
                .map_err(|e| e.context(file.display()))?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            let ignored = if s.ignored_columns.is_empty() {
                String::new()
            } else {
                tr!("personnel.ignored", columns = s.ignored_columns.join(", "))
            };
            println!(
                "{}",
                tr!(
                    "personnel.imported",
                    file = file.display(),
                    added = s.added,
                    unchanged = s.unchanged,
                    ignored = ignored
                )
            );
            Ok(())
        }
        PersonnelCommand::Leave {
            badge,
            kind,
            from,
            to,
            note,
        } => {
            let person = store
                .personnel()?
                .into_iter()
                .find(|p| &p.person.badge == badge)
                .ok_or_else(|| Error::not_found(format!("no person with badge {badge}")))?;
            let l = NewLeave {
                person_id: person.id,
                kind: kind.clone(),
                first_day: *from,
                last_day: *to,
                note: note.clone(),
            };
            let id = personnel::add_leave(store, &op, &l, "cli", Utc::now())?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}",
                tr!(
                    "personnel.leave",
                    id = id,
                    badge = badge,
                    kind = names::leave_kind(kind),
                    from = from,
                    to = to
                )
            );
            Ok(())
        }
    }
}
