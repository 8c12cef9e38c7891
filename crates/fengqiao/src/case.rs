//! `fengqiao case`: open a dispute, hazard or citizen's request, act on it
//! as a role, show it (personal data masked per role), list boards, and run
//! the supervision sweep. Every change goes through the case engine and is
//! logged; the ledger is sequenced after each write command.

use crate::messages::tr;
use crate::names;
use crate::output::pad;
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
        /// The case's code, e.g. SQ-330299004001-02-20261031-0001
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
        /// The case's code
        code: String,
        /// The file to attach (JPEG, PNG, WebP or PDF)
        file: std::path::PathBuf,
        /// Who acts, as recorded in the case's history and the ledger
        #[arg(long, default_value = "cli")]
        actor: String,
    },
    /// Follow a citizen's request with its tracking token (no account needed)
    Track {
        /// The tracking token the citizen was given when the request was opened
        token: String,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Rate a closed request with its tracking token (1-5)
    Rate {
        /// The tracking token the citizen was given when the request was opened
        token: String,
        /// 1 (very unsatisfied) to 5 (very satisfied)
        rating: u8,
    },
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
    /// The case's code
    pub code: String,
    /// The action, by its code (register, dispatch, start, report, verify, rework, close…: `fengqiao case types`)
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
                let t = config.case_type(&case.case.case_type);
                println!(
                    "{}",
                    tr!(
                        "case.opened",
                        code = case.code,
                        stage = names::stage(t, &case.state.stage),
                        category = names::category(t, &case.case.category),
                        due = local(settings, case.state.due_at)
                    )
                );
                if let Some(t) = token {
                    println!("{}", tr!("case.token", token = t));
                }
                if let Some(w) = names::calendar_gap(&fengqiao_app::cases::calendar_gaps(config, &case.state)) {
                    eprintln!("{}", tr!("case.warning", text = w));
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
            let department = case
                .state
                .department
                .as_deref()
                .map(|d| tr!("case.acted_department", department = names::department(config, d)));
            println!(
                "{}",
                tr!(
                    "case.acted",
                    code = case.code,
                    action = names::action(&a.action),
                    stage = names::stage(config.case_type(&case.case.case_type), &case.state.stage),
                    version = case.state.version,
                    department = department.unwrap_or_default()
                )
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
            let t = config.case_type(&case.case.case_type);
            let stage = |code: &str| names::stage(t, code);
            println!(
                "{}",
                tr!(
                    "case.show_head",
                    code = case.code,
                    title = case.case.title,
                    category = names::category(t, &case.case.category),
                    stage = stage(&case.state.stage)
                )
            );
            let overdue = if config.is_overdue(&case.state, now) {
                tr!("case.overdue_mark")
            } else {
                String::new()
            };
            println!(
                "{}",
                tr!(
                    "case.show_due",
                    due = local(settings, case.state.due_at),
                    overdue = overdue,
                    department = case
                        .state
                        .department
                        .as_deref()
                        .map_or("-".into(), |d| names::department(config, d)),
                    assignee = case.state.assignee.as_deref().unwrap_or("-")
                )
            );
            if let Some(w) = names::calendar_gap(&fengqiao_app::cases::calendar_gaps(config, &case.state)) {
                println!("  {}", tr!("case.warning", text = w));
            }
            for p in &case.case.parties {
                println!(
                    "{}",
                    tr!(
                        "case.party",
                        role = names::party_role(&p.role),
                        name = p.name,
                        phone = p.phone.as_deref().unwrap_or("")
                    )
                );
            }
            for e in events {
                // The actor is recorded as "user:role"; older events kept the role apart.
                let actor = if e.actor.contains(':') {
                    names::actor(&e.actor)
                } else {
                    names::actor(&format!("{}:{}", e.actor, e.role))
                };
                let reason = e.reason.map(|r| match r.as_str() {
                    "deadline passed" => tr!("case.deadline_passed"),
                    _ => r,
                });
                println!(
                    "{}",
                    tr!(
                        "case.event",
                        version = e.version,
                        at = local(settings, e.at),
                        action = names::action(&e.action),
                        from = e.from_stage.as_deref().map_or("-".into(), stage),
                        to = stage(&e.to_stage),
                        actor = actor,
                        reason = reason.map(|r| tr!("case.reason", reason = r)).unwrap_or_default()
                    )
                );
            }
            for a in &attachments {
                println!(
                    "{}",
                    tr!(
                        "case.attachment",
                        name = a.file_name,
                        media_type = a.media_type,
                        size = a.size,
                        sha256 = a.sha256
                    )
                );
            }
            for l in &escalations {
                println!(
                    "{}",
                    tr!(
                        "case.escalation",
                        incident = l.incident_id,
                        at = local(settings, l.occurred_at),
                        category = names::incident_category(&settings.city.categories, &l.category),
                        reason = names::bilingual(&l.reason)
                    )
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
            // Codes in JSON and CSV, names for people.
            let human = !a.json && !a.csv;
            let rows: Vec<[String; 7]> = cases
                .iter()
                .map(|c| {
                    let t = config.case_type(&c.case.case_type);
                    let department = c.state.department.clone().unwrap_or_default();
                    [
                        c.code.clone(),
                        if human {
                            names::category(t, &c.case.category)
                        } else {
                            c.case.category.clone()
                        },
                        if human {
                            names::stage(t, &c.state.stage)
                        } else {
                            c.state.stage.clone()
                        },
                        if human && !department.is_empty() {
                            names::department(config, &department)
                        } else {
                            department
                        },
                        local(settings, c.state.due_at),
                        if config.is_overdue(&c.state, now) {
                            if human { tr!("case.overdue") } else { "overdue".into() }
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
                        "{} {} {} {} {} {} {}",
                        pad(&r[0], 32),
                        pad(&r[1], 16),
                        pad(&r[2], 14),
                        pad(&r[3], 16),
                        r[4],
                        pad(&r[5], 7),
                        r[6]
                    );
                }
                println!("{}", tr!("case.count", n = rows.len()));
            }
            Ok(())
        }
        CaseCommand::Supervise => {
            let done = fengqiao_app::cases::supervise_overdue(store, &settings.cases, now)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            let codes = if done.is_empty() {
                String::new()
            } else {
                tr!("case.reason", reason = done.join(", "))
            };
            println!("{}", tr!("case.supervised", n = done.len(), codes = codes));
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
                "{}",
                tr!(
                    "case.attached",
                    code = case.code,
                    name = a.file_name,
                    size = a.size,
                    sha256 = a.sha256
                )
            );
            Ok(())
        }
        CaseCommand::Track { token, json } => {
            let case = by_token(store, token)?.for_role(config, "citizen");
            let events = store.case_events(case.id)?;
            let t = config
                .case_type(&case.case.case_type)
                .ok_or_else(|| Error::input("unknown case type"))?;
            let stage_name = |code: &str| names::stage(Some(t), code);
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
                let status = if case.state.closed_at.is_some() {
                    tr!("case.status_closed")
                } else {
                    tr!("case.status_open")
                };
                println!(
                    "{}",
                    tr!(
                        "case.track_head",
                        code = case.code,
                        title = case.case.title,
                        stage = stage_name(&case.state.stage),
                        status = status
                    )
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
            println!("{}", tr!("case.rated", code = case.code, rating = rating));
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
                        "{}",
                        tr!(
                            "case.mediator",
                            name = pad(r["name"].as_str().unwrap_or(""), 24),
                            kind = pad(&names::word("mediator_kind", r["kind"].as_str().unwrap_or("")), 18),
                            open = format!("{:>3}", r["open"]),
                            settled = format!("{:>3}", r["settled"])
                        )
                    );
                }
            }
            Ok(())
        }
        CaseCommand::Types { json } => {
            if *json {
                let types: Vec<_> = config.types_in_order().collect();
                println!("{}", serde_json::to_string_pretty(&types)?);
                return Ok(());
            }
            // The codes, which the command line takes, beside their names.
            let named = |code: &str, name: String| if name == code { name } else { format!("{code} {name}") };
            for t in config.types_in_order() {
                let stages: Vec<String> = t
                    .stages
                    .iter()
                    .map(|s| named(&s.code, names::stage(Some(t), &s.code)))
                    .collect();
                println!(
                    "{}",
                    tr!(
                        "case.type_head",
                        code = t.code,
                        name = names::pick(&t.zh, &format!("{} ({})", t.zh, t.en)),
                        stages = stages.join(" → ")
                    )
                );
                for a in &t.actions {
                    let roles: Vec<String> = a.roles.iter().map(|r| names::role(r)).collect();
                    println!(
                        "{}",
                        tr!(
                            "case.type_action",
                            action = pad(&named(&a.name, names::action(&a.name)), 22),
                            from = a.from.join("|"),
                            to = a.to.as_deref().map_or_else(|| tr!("case.stays"), str::to_string),
                            roles = roles.join(", "),
                            reason = if a.needs_reason {
                                tr!("case.needs_reason")
                            } else {
                                String::new()
                            }
                        )
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
