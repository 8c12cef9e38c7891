//! `fengqiao case`: open a dispute, hazard or citizen's request, act on it
//! as a role, show it (personal data masked per role), list boards, and run
//! the supervision sweep. Every change goes through the case engine and is
//! logged; the ledger is sequenced after each write command.

use chrono::Utc;
use fengqiao_app::Settings;
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
use fengqiao_cases::Command as EngineCommand;
use fengqiao_store::Store;
use fengqiao_store::cases::{CaseError, CaseFilter, CaseRecord, Party, act};

#[derive(clap::Subcommand)]
pub enum CaseCommand {
    /// Open a case (dispute, hazard or request) at its first stage
    Open(OpenArgs),
    /// Take an action on a case as a role (register, dispatch, start, report, verify, rework, close, ...)
    Act(ActArgs),
    /// Show a case with its history, personal data masked unless the role may see it
    Show {
        code: String,
        /// The role to act or read as: what it may see and do (personal data masked unless it may see it)
        #[arg(long, default_value = "analyst")]
        role: String,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// List cases, overdue first
    List(ListArgs),
    /// Raise supervision (督办) on every case past a deadline
    Supervise,
    /// Attach a file (photo, document, rectification evidence) to a case
    Attach {
        code: String,
        file: std::path::PathBuf,
        /// Who acts, as recorded in the case's history and the ledger
        #[arg(long, default_value = "cli")]
        actor: String,
    },
    /// Follow a citizen's request with its tracking token (no account needed)
    Track {
        token: String,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Rate a closed request with its tracking token (1-5)
    Rate { token: String, rating: u8 },
    /// The mediator pool with each mediator's workload (open and settled disputes)
    Mediators {
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// The configured case types: stages, actions and who may take them
    Types {
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct OpenArgs {
    /// dispute, hazard or request
    #[arg(long = "type")]
    pub case_type: String,
    /// e.g. hazard.fire, dispute.neighbour, request.noise
    #[arg(long)]
    pub category: String,
    /// A short title
    #[arg(long)]
    pub title: String,
    /// What happened, in words
    #[arg(long, default_value = "")]
    pub description: String,
    /// Jurisdiction code
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// The address, resolved to its community
    #[arg(long)]
    pub address: Option<String>,
    /// Longitude (WGS84)
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    pub lon: Option<f64>,
    /// Latitude (WGS84)
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    pub lat: Option<f64>,
    /// A party as ROLE:NAME[:PHONE] (repeatable), e.g. applicant:张三:13800000000
    #[arg(long = "party")]
    pub parties: Vec<String>,
    /// Hazards: an existing (stock, 存量) hazard rather than a new one
    #[arg(long)]
    pub stock: bool,
    /// Disputes: threats were made (raises the escalation-risk grade)
    #[arg(long)]
    pub threats: bool,
    /// Disputes: a party is a minor, elderly, disabled or otherwise vulnerable
    #[arg(long)]
    pub vulnerable: bool,
    /// Hazards: the risk level (low, medium, high, critical)
    #[arg(long, value_parser = ["low", "medium", "high", "critical"])]
    pub risk: Option<String>,
    /// Requests: times the citizen had to come in person (最多跑一次: at most once)
    #[arg(long, default_value_t = 0)]
    pub in_person_visits: u32,
    /// The role to act or read as: what it may see and do (personal data masked unless it may see it)
    #[arg(long, default_value = "officer")]
    pub role: String,
    /// Who acts, as recorded in the case's history and the ledger
    #[arg(long, default_value = "cli")]
    pub actor: String,
    /// Print JSON instead of the human-readable report
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ActArgs {
    pub code: String,
    pub action: String,
    /// The role to act or read as: what it may see and do (personal data masked unless it may see it)
    #[arg(long)]
    pub role: String,
    /// Who acts, as recorded in the case's history and the ledger
    #[arg(long, default_value = "cli")]
    pub actor: String,
    /// The reason, recorded with the action
    #[arg(long)]
    pub reason: Option<String>,
    /// The department to send it to (dispatch) or to filter by (list)
    #[arg(long)]
    pub department: Option<String>,
    /// The mediator or volunteer to assign it to (assign) or to filter by (list)
    #[arg(long)]
    pub assignee: Option<String>,
    /// The citizen's rating, 1 (unsatisfied) to 5 (very satisfied)
    #[arg(long)]
    pub rating: Option<u8>,
    /// The record the action makes, as JSON: a session's minutes
    /// ({"held_on","place","attendees","said","agreed","next_step"}), an
    /// agreement's terms ({"terms","performance","signed_on"}), a visit's
    /// outcome ({"visited_on","outcome","note"})
    #[arg(long)]
    pub details: Option<String>,
    /// Refuse if the case is no longer at this version (as read)
    #[arg(long)]
    pub version: Option<u32>,
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Only cases of this type (dispute, hazard, request, ...)
    #[arg(long = "type")]
    pub case_type: Option<String>,
    /// Only cases at this stage
    #[arg(long)]
    pub stage: Option<String>,
    /// The department to send it to (dispatch) or to filter by (list)
    #[arg(long)]
    pub department: Option<String>,
    /// The mediator or volunteer to assign it to (assign) or to filter by (list)
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only cases in this jurisdiction and below (a code)
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// Open cases only
    #[arg(long)]
    pub open: bool,
    /// At most this many cases
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print JSON instead of the human-readable report
    #[arg(long)]
    pub json: bool,
    /// Print CSV instead of the human-readable report
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

fn party(text: &str) -> Result<Party> {
    let mut parts = text.splitn(3, ':');
    let (Some(role), Some(name)) = (parts.next(), parts.next()) else {
        return Err(Error::input(format!("--party {text:?}: expected ROLE:NAME[:PHONE]")));
    };
    if name.trim().is_empty() {
        return Err(Error::input(format!("--party {text:?}: the name is empty")));
    }
    Ok(Party {
        role: role.trim().into(),
        name: name.trim().into(),
        phone: parts.next().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
        id_number: None,
        address: None,
        vulnerable: false,
        id_type: None,
    })
}

fn error(e: CaseError) -> Error {
    e.into()
}

fn find(store: &dyn Store, code: &str) -> Result<CaseRecord> {
    store
        .case_by_code(code)?
        .ok_or_else(|| Error::not_found(format!("no case {code}")))
}

fn by_token(store: &dyn Store, token: &str) -> Result<CaseRecord> {
    store
        .case_by_token(&fengqiao_store::cases::token_hash(token))?
        .ok_or_else(|| Error::not_found("no request with that tracking token"))
}

pub fn run(settings: &Settings, cmd: &CaseCommand) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let config = &settings.cases.config;
    let now = Utc::now();
    match cmd {
        CaseCommand::Open(a) => {
            let mut parties = a.parties.iter().map(|p| party(p)).collect::<Result<Vec<_>>>()?;
            if a.vulnerable
                && let Some(p) = parties.first_mut()
            {
                p.vulnerable = true;
            }
            let req = fengqiao_app::cases::OpenCase {
                case_type: a.case_type.clone(),
                category: a.category.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                jurisdiction: a.jurisdiction.clone(),
                address: a.address.clone(),
                lon: a.lon,
                lat: a.lat,
                parties,
                stock: (a.case_type == "hazard").then_some(a.stock),
                threats: a.threats,
                risk_grade: a.risk.clone(),
                in_person_visits: a.in_person_visits,
                incident_id: None,
                origin: None,
            };
            let actor = fengqiao_app::cases::Actor {
                role: a.role.clone(),
                username: a.actor.clone(),
            };
            let opened = fengqiao_app::cases::open(store, &settings.cases, req, &actor, now)?;
            let (case, token) = (opened.case, opened.tracking_token);
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            if a.json {
                let mut v = serde_json::to_value(case.for_role(config, &a.role))?;
                v["tracking_token"] = serde_json::json!(token);
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "{} opened: {} ({}), due {}",
                    case.code,
                    case.state.stage,
                    case.case.category,
                    local(settings, case.state.due_at)
                );
                if let Some(t) = token {
                    println!("tracking token: {t}  (shown once: the citizen follows and rates the request with it)");
                }
                if let Some(w) =
                    fengqiao_app::cases::calendar_warning(&fengqiao_app::cases::calendar_gaps(config, &case.state))
                {
                    eprintln!("warning: {w}");
                }
            }
            Ok(())
        }
        CaseCommand::Act(a) => {
            let case = find(store, &a.code)?;
            let cmd = EngineCommand {
                action: a.action.clone(),
                role: a.role.clone(),
                actor: a.actor.clone(),
                reason: a.reason.clone(),
                department: a.department.clone(),
                assignee: a.assignee.clone(),
                rating: a.rating,
                details: match &a.details {
                    Some(text) => Some(
                        serde_json::from_str(text).map_err(|e| Error::input(format!("--details: not JSON ({e})")))?,
                    ),
                    None => None,
                },
            };
            let (case, _) = fengqiao_app::cases::act(store, &settings.cases, case.id, a.version, &cmd, now)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}: {} → {} (version {}{})",
                case.code,
                a.action,
                case.state.stage,
                case.state.version,
                case.state
                    .department
                    .as_deref()
                    .map(|d| format!(", department {d}"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        CaseCommand::Show { code, role, json } => {
            let case = find(store, code)?.for_role(config, role);
            let events = store.case_events(case.id)?;
            let attachments: Vec<_> = store.attachments(case.id)?.into_iter().map(|(_, a)| a).collect();
            let escalations = store.case_incidents(case.id)?;
            if *json {
                let out = serde_json::json!({
                    "case": case, "events": events, "attachments": attachments, "escalations": escalations,
                    "overdue": config.is_overdue(&case.state, now),
                    "calendar_gaps": fengqiao_app::cases::calendar_gaps(config, &case.state),
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            println!(
                "{}  {}  [{}]  {}",
                case.code, case.case.title, case.case.category, case.state.stage
            );
            println!(
                "  due {}{}  department {}  assignee {}",
                local(settings, case.state.due_at),
                if config.is_overdue(&case.state, now) {
                    " (OVERDUE)"
                } else {
                    ""
                },
                case.state.department.as_deref().unwrap_or("-"),
                case.state.assignee.as_deref().unwrap_or("-")
            );
            if let Some(w) =
                fengqiao_app::cases::calendar_warning(&fengqiao_app::cases::calendar_gaps(config, &case.state))
            {
                println!("  warning: {w}");
            }
            for p in &case.case.parties {
                println!("  {}: {} {}", p.role, p.name, p.phone.as_deref().unwrap_or(""));
            }
            for e in events {
                println!(
                    "  v{:<3} {}  {:<18} {} → {}  by {} ({}){}",
                    e.version,
                    local(settings, e.at),
                    e.action,
                    e.from_stage.as_deref().unwrap_or("-"),
                    e.to_stage,
                    e.actor,
                    e.role,
                    e.reason.map(|r| format!(": {r}")).unwrap_or_default()
                );
            }
            for a in &attachments {
                println!(
                    "  attachment {} ({}, {} bytes, sha256 {})",
                    a.file_name, a.media_type, a.size, a.sha256
                );
            }
            for l in &escalations {
                println!(
                    "  民转刑 incident {} at {} ({}): {}",
                    l.incident_id,
                    local(settings, l.occurred_at),
                    l.category,
                    l.reason
                );
            }
            Ok(())
        }
        CaseCommand::List(a) => {
            let filter = CaseFilter {
                case_type: a.case_type.clone(),
                stage: a.stage.clone(),
                jurisdiction: a.jurisdiction.clone(),
                department: a.department.clone(),
                assignee: a.assignee.clone(),
                open_only: a.open,
                limit: Some(a.limit),
            };
            let cases = store.cases(&filter)?;
            let rows: Vec<[String; 7]> = cases
                .iter()
                .map(|c| {
                    [
                        c.code.clone(),
                        c.case.category.clone(),
                        c.state.stage.clone(),
                        c.state.department.clone().unwrap_or_default(),
                        local(settings, c.state.due_at),
                        if config.is_overdue(&c.state, now) {
                            "overdue".into()
                        } else {
                            String::new()
                        },
                        c.case.title.clone(),
                    ]
                })
                .collect();
            let head = ["code", "category", "stage", "department", "due", "overdue", "title"];
            if a.json {
                let v: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        head.iter()
                            .zip(r)
                            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                            .collect()
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else if a.csv {
                let mut w = csv::Writer::from_writer(std::io::stdout());
                w.write_record(head).map_err(|e| Error::internal(e.to_string()))?;
                for r in &rows {
                    w.write_record(r).map_err(|e| Error::internal(e.to_string()))?;
                }
                w.flush()?;
            } else {
                for r in &rows {
                    println!(
                        "{:<26} {:<26} {:<11} {:<10} {} {:<7} {}",
                        r[0], r[1], r[2], r[3], r[4], r[5], r[6]
                    );
                }
                println!("{} cases", rows.len());
            }
            Ok(())
        }
        CaseCommand::Supervise => {
            let done = fengqiao_app::cases::supervise_overdue(store, &settings.cases, now)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "supervision raised on {} overdue cases{}",
                done.len(),
                if done.is_empty() {
                    String::new()
                } else {
                    format!(": {}", done.join(", "))
                }
            );
            Ok(())
        }
        CaseCommand::Attach { code, file, actor } => {
            let case = find(store, code)?;
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| Error::input(format!("{}: no file name", file.display())))?;
            let bytes = fengqiao_store::files::read_file(file)?;
            let declared = fengqiao_store::files::media_type(&file_name);
            let dir = &settings.store.data_dir;
            let upload = fengqiao_app::attachments::Upload {
                name: &file_name,
                declared,
                bytes: &bytes,
            };
            let (_, a) = fengqiao_app::attachments::attach(store, dir, &case, &upload, actor, now)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}: attached {} ({} bytes, sha256 {})",
                case.code, a.file_name, a.size, a.sha256
            );
            Ok(())
        }
        CaseCommand::Track { token, json } => {
            let case = by_token(store, token)?.for_role(config, "citizen");
            let events = store.case_events(case.id)?;
            let t = config
                .case_type(&case.case.case_type)
                .ok_or_else(|| Error::input("unknown case type"))?;
            let stage_name = |code: &str| t.stage(code).map_or(code.to_string(), |s| format!("{} {}", s.zh, s.en));
            // What a citizen sees: where the request is and when it moved, not who handled it.
            let history: Vec<serde_json::Value> = events
                .iter()
                .map(|e| serde_json::json!({"at": e.at, "stage": e.to_stage, "action": e.action}))
                .collect();
            let open311_status = if case.state.closed_at.is_some() {
                "closed"
            } else {
                "open"
            };
            if *json {
                let out = serde_json::json!({
                    "code": case.code, "category": case.case.category, "title": case.case.title,
                    "stage": case.state.stage, "status": open311_status, "due_at": case.state.due_at,
                    "rating": case.state.rating, "history": history,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!(
                    "{}  {}  — {} ({open311_status})",
                    case.code,
                    case.case.title,
                    stage_name(&case.state.stage)
                );
                for e in &events {
                    println!("  {}  {}", local(settings, e.at), stage_name(&e.to_stage));
                }
            }
            Ok(())
        }
        CaseCommand::Rate { token, rating } => {
            let case = by_token(store, token)?;
            let cmd = EngineCommand {
                action: "rate".into(),
                role: "citizen".into(),
                actor: "citizen".into(),
                rating: Some(*rating),
                ..Default::default()
            };
            act(store, config, case.id, None, &cmd, now).map_err(error)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!("{}: rated {rating} — thank you", case.code);
            Ok(())
        }
        CaseCommand::Mediators { json } => {
            let rows: Vec<serde_json::Value> = fengqiao_app::mediators::workload(store, &settings.cases)?
                .iter()
                .map(|w| {
                    let m = &w.mediator;
                    serde_json::json!({"name": m.name, "kind": m.kind, "areas": m.areas, "open": w.open_cases, "settled": w.settled_cases})
                })
                .collect();
            if *json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in &rows {
                    println!(
                        "{:<24} {:<18} open {:>3}  settled {:>3}",
                        r["name"].as_str().unwrap_or(""),
                        r["kind"].as_str().unwrap_or(""),
                        r["open"],
                        r["settled"]
                    );
                }
            }
            Ok(())
        }
        CaseCommand::Types { json } => {
            if *json {
                let types: Vec<_> = config.types.values().collect();
                println!("{}", serde_json::to_string_pretty(&types)?);
                return Ok(());
            }
            for t in config.types.values() {
                println!(
                    "{} {} ({}): {}",
                    t.code,
                    t.zh,
                    t.en,
                    t.stages.iter().map(|s| s.code.as_str()).collect::<Vec<_>>().join(" → ")
                );
                for a in &t.actions {
                    println!(
                        "  {:<18} {} → {}  [{}]{}",
                        a.name,
                        a.from.join("|"),
                        a.to.as_deref().unwrap_or("(stays)"),
                        a.roles.join(", "),
                        if a.needs_reason { "  reason required" } else { "" }
                    );
                }
            }
            Ok(())
        }
    }
}

/// A UTC instant in the city's local time, to the minute.
pub fn local(settings: &Settings, t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&settings.city.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
