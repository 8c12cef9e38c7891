//! Case boards, case pages, opening cases and acting on them, case types,
//! volunteers and the KPI report over HTTP. Every case a principal reads or
//! changes must be in its scope (its jurisdiction, its department, or
//! assigned to it; out of scope reads as not found), and parties' personal
//! data is masked unless its role may see it.

use crate::api::{Q, blocking};
use crate::error::{ApiError, Code};
use crate::{AppState, params};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fengqiao_store::cases::{CaseFilter, KPI_DEFINITIONS, ReportBy};
use serde_json::{Value, json};

use fengqiao_auth::{Principal, Scope};
use fengqiao_store::cases::CaseRecord;

/// Narrows a case filter to what the principal may see; a request for
/// another jurisdiction than an officer's own is refused.
fn scoped(state: &AppState, p: &Principal, mut f: CaseFilter) -> Result<CaseFilter, ApiError> {
    match state.policy.scope(&p.role) {
        Scope::All => {}
        Scope::Jurisdiction => f.jurisdiction = params::scoped_jurisdiction(state, p, f.jurisdiction.take())?,
        Scope::Department => f.department = Some(p.department.clone().unwrap_or_default()),
        Scope::Assignee => f.assignee = Some(p.assignee.clone().unwrap_or_default()),
    }
    Ok(f)
}

/// Whether one case is within the principal's scope.
pub(crate) fn in_scope(state: &AppState, p: &Principal, c: &CaseRecord) -> bool {
    match state.policy.scope(&p.role) {
        Scope::All => true,
        Scope::Jurisdiction => match (&p.jurisdiction, &c.case.jurisdiction) {
            (Some(own), Some(j)) => j.starts_with(own.as_str()),
            _ => false,
        },
        Scope::Department => {
            let d = p.department.as_deref();
            d.is_some()
                && (c.state.department.as_deref() == d || c.state.co_departments.iter().any(|x| Some(x.as_str()) == d))
        }
        Scope::Assignee => p.assignee.is_some() && c.state.assignee == p.assignee,
    }
}

fn text(q: &std::collections::HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k).filter(|v| !v.is_empty()).cloned()
}

/// `GET /api/v1/cases`: a board, overdue first.
pub async fn list(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(
        &q,
        &[
            "type",
            "stage",
            "department",
            "assignee",
            "jurisdiction",
            "open",
            "limit",
        ],
    )?;
    let config = state.cases.clone();
    if let Some(t) = q.get("type").filter(|t| config.case_type(t).is_none()) {
        return Err(ApiError::invalid_parameter(
            "type",
            t,
            "expected a configured case type (see /api/v1/case-types)",
        ));
    }
    let open = match q.get("open").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(ApiError::invalid_parameter("open", other, "expected true or false")),
    };
    let limit = params::limit(&q, 100, 1000)?;
    let filter = CaseFilter {
        case_type: text(&q, "type"),
        stage: text(&q, "stage"),
        jurisdiction: text(&q, "jurisdiction"),
        department: text(&q, "department"),
        assignee: text(&q, "assignee"),
        open_only: open,
        limit: Some(limit as usize),
    };
    let filter = scoped(&state, &who, filter)?;
    let cases = blocking(&state, move |s| s.cases(&filter)).await?;
    let now = chrono::Utc::now();
    let items: Vec<Value> = cases
        .into_iter()
        .map(|c| {
            let overdue = config.is_overdue(&c.state, now);
            let c = c.for_role(&config, &who.role);
            json!({
                "code": c.code, "type": c.case.case_type, "category": c.case.category, "title": c.case.title,
                "stage": c.state.stage, "department": c.state.department, "assignee": c.state.assignee,
                "jurisdiction": c.case.jurisdiction, "opened_at": c.state.opened_at, "due_at": c.state.due_at,
                "stage_due_at": c.state.stage_due_at, "closed_at": c.state.closed_at, "overdue": overdue,
                "supervisions": c.state.supervisions, "risk_grade": c.case.risk_grade,
            })
        })
        .collect();
    Ok(Json(json!({"items": items})))
}

/// `GET /api/v1/cases/{code}`: one case with its history.
pub async fn one(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let config = state.cases.clone();
    let key = code.clone();
    let found = blocking(&state, move |s| {
        let Some(case) = s.case_by_code(&key)? else {
            return Ok(None);
        };
        let events = s.case_events(case.id)?;
        let attachments = s.attachments(case.id)?;
        let escalations = s.case_incidents(case.id)?;
        Ok(Some((case, events, attachments, escalations)))
    })
    .await?;
    let (case, events, attachments, escalations) = found
        .filter(|(c, _, _, _)| in_scope(&state, &who, c))
        .ok_or_else(|| ApiError::new(Code::NotFound, format!("no case {code}")))?;
    let overdue = config.is_overdue(&case.state, chrono::Utc::now());
    let calendar_gaps = fengqiao_app::cases::calendar_gaps(&config, &case.state);
    let record = format!("case/{}", case.id);
    let code = case.code.clone();
    let allowed = fengqiao_app::cases::available(&state.settings.cases, &case, &who.role, who.department.as_deref());
    Ok(Json(json!({
        "case": case.for_role(&config, &who.role), "events": events, "overdue": overdue,
        "calendar_gaps": calendar_gaps,
        "ledger_record": record, "actions": allowed,
        "escalations": escalations.iter().map(|x| {
            // The category's name beside its code: the page shows words, not keys.
            let mut v = json!(x);
            if let Some(c) = state.categories.get(&x.category) {
                v["category_zh"] = json!(c.zh);
                v["category_en"] = json!(c.en);
            }
            v
        }).collect::<Vec<_>>(),
        "attachments": attachments.iter().map(|(id, a)| {
            let mut v = json!(a);
            v["id"] = json!(id);
            v["url"] = json!(format!("/api/v1/cases/{code}/attachments/{id}"));
            v["ledger_record"] = json!(format!("attachment/{id}"));
            v
        }).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/cases/{code}/attachments/{id}`: the file, if its bytes still
/// match the hash that was logged (else 409: the ledger check names it).
pub async fn attachment(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path((code, id)): axum::extract::Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let not_found = || ApiError::new(Code::NotFound, format!("no attachment {id} on case {code}"));
    let wanted: i64 = id.parse().map_err(|_| not_found())?;
    let key = code.clone();
    let found = blocking(&state, move |s| {
        let Some(case) = s.case_by_code(&key)? else {
            return Ok(None);
        };
        let a = s.attachments(case.id)?.into_iter().find(|(i, _)| *i == wanted);
        Ok(a.map(|a| (case, a.1)))
    })
    .await?;
    let (_, a) = found.filter(|(c, _)| in_scope(&state, &who, c)).ok_or_else(not_found)?;
    let dir = state.files_dir.clone().ok_or_else(not_found)?;
    let sha = a.sha256.clone();
    let bytes = crate::api::on_worker(&state, move |_| fengqiao_store::files::read(&dir, &sha))
        .await?
        .map_err(|reason| ApiError::new(Code::FileChanged, format!("attachment {id}: {reason}")))?;
    // Images are shown in place; anything else is downloaded, never run.
    let disposition = if a.media_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let safe_name: String = a
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, a.media_type.clone()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{safe_name}\""),
            ),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".into(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Largest file a case takes over HTTP.
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// `POST /api/v1/cases/{code}/attachments?name=`: a file for a case in the
/// principal's scope, its bytes as the body and its type as Content-Type.
pub async fn add_attachment(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(q): Q,
    headers: axum::http::HeaderMap,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    params::reject_unknown(&q, &["name"])?;
    let name = text(&q, "name")
        .ok_or_else(|| ApiError::invalid_parameter("name", "", "the file's name, e.g. ?name=整改后.jpg"))?;
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let key = code.clone();
    let case = blocking(&state, move |s| s.case_by_code(&key))
        .await?
        .filter(|c| in_scope(&state, &who, c))
        .ok_or_else(|| ApiError::new(Code::NotFound, format!("no case {code}")))?;
    let dir = state
        .files_dir
        .clone()
        .ok_or_else(|| ApiError::new(Code::Unavailable, "this server takes no uploads".into()))?;
    let actor = who.username.clone();
    let (id, a) = crate::api::on_worker(&state, move |s| {
        let upload = fengqiao_app::attachments::Upload {
            name: &name,
            declared: &declared,
            bytes: &raw,
        };
        fengqiao_app::attachments::attach(s, &dir, &case, &upload, &actor, chrono::Utc::now())
    })
    .await??;
    let mut body = json!(a);
    body["id"] = json!(id);
    body["url"] = json!(format!("/api/v1/cases/{code}/attachments/{id}"));
    body["ledger_record"] = json!(format!("attachment/{id}"));
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /api/v1/places/resolve?lon=&lat=` or `?address=`: the area a case
/// there would be routed to, with the areas above it, for the person
/// opening it to confirm; `code` is null when neither names an area.
pub async fn resolve_place(State(state): State<AppState>, axum::extract::Query(q): Q) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["lon", "lat", "address"])?;
    let number = |k: &str| -> Result<Option<f64>, ApiError> {
        match text(&q, k) {
            None => Ok(None),
            Some(v) => v
                .parse::<f64>()
                .map(Some)
                .map_err(|_| ApiError::invalid_parameter(k, &v, "expected a number of degrees")),
        }
    };
    let position = fengqiao_app::cases::check_position(number("lon")?, number("lat")?)?;
    let address = text(&q, "address");
    if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
        return Err(ApiError::invalid_parameter("address", "…", "at most 200 characters"));
    }
    if position.is_none() && address.is_none() {
        return Err(ApiError::invalid_parameter(
            "address",
            "",
            "give lon and lat, or an address",
        ));
    }
    let (code, areas) = crate::api::on_worker(&state, move |s| -> fengqiao_app::Result<_> {
        let code = fengqiao_app::cases::locate(s, position, address.as_deref())?;
        Ok((code, s.jurisdictions()?))
    })
    .await??;
    // The chain from the city down to the area found.
    let mut chain = Vec::new();
    let mut next = code.clone();
    while let Some(c) = next.take() {
        let Some(a) = areas.iter().find(|a| a.jurisdiction.code == c) else {
            break;
        };
        let j = &a.jurisdiction;
        chain.push(json!({"code": j.code, "level": j.level, "name_zh": j.name_zh, "name_en": j.name_en}));
        next = j.parent_code.clone().filter(|_| chain.len() < 8);
    }
    chain.reverse();
    Ok(Json(json!({"code": code, "areas": chain})))
}

/// `GET /api/v1/case-types`: the configured types, stages, actions and roles.
pub async fn types(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let settings = state.settings.clone();
    let pool = crate::api::on_worker(&state, move |s| fengqiao_app::mediators::workload(s, &settings.cases)).await??;
    let c = &state.cases;
    let mediators: Vec<Value> = pool
        .iter()
        .filter(|w| w.mediator.active)
        .map(|w| {
            let m = &w.mediator;
            json!({"name": m.name, "kind": m.kind, "areas": m.areas, "open_cases": w.open_cases})
        })
        .collect();
    Ok(Json(json!({
        "types": c.types_in_order().collect::<Vec<_>>(),
        "roles": c.roles,
        "departments": c.departments,
        "mediators": mediators,
        "timezone": c.calendar.timezone().name(),
        "id_types": fengqiao_cases::identity::ID_TYPES.iter().map(|(c, zh, en)| json!({"code": c, "zh": zh, "en": en})).collect::<Vec<_>>(),
        "party_roles": fengqiao_cases::identity::PARTY_ROLES.iter().map(|(c, zh, en)| json!({"code": c, "zh": zh, "en": en})).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/mediators`: the pool, retired mediators included, with
/// each one's open and settled disputes.
pub async fn mediators(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let settings = state.settings.clone();
    let items = crate::api::on_worker(&state, move |s| fengqiao_app::mediators::workload(s, &settings.cases)).await??;
    Ok(Json(json!({"items": items})))
}

/// `POST /api/v1/mediators`: add a mediator to the pool.
pub async fn add_mediator(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        name: String,
        kind: String,
        #[serde(default)]
        areas: Vec<String>,
    }
    let b: Body = crate::body::json(&raw)?;
    let settings = state.settings.clone();
    let m = fengqiao_store::mediators::NewMediator {
        name: b.name,
        kind: b.kind,
        areas: b.areas,
    };
    let id = crate::api::on_worker(&state, move |s| {
        fengqiao_app::mediators::add(s, &settings.cases, &m, &who.username, chrono::Utc::now())
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/mediators/{id}/retire`: retire a mediator (on file, no new disputes).
pub async fn retire_mediator(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid_parameter("id", &id, "expected a mediator id (a whole number)"))?;
    let m = crate::api::on_worker(&state, move |s| fengqiao_app::mediators::retire(s, id, &who.username)).await??;
    Ok(Json(json!(m)))
}

/// `GET /api/v1/reports/cases`: KPIs for local days `[from, to)`, by a grouping.
pub async fn report(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["from", "to", "by"])?;
    // An officer's report covers its jurisdiction's cases, a department's its own.
    let scope = scoped(&state, &who, CaseFilter::default())?;
    let _permit = state
        .limiter
        .acquire(&who.username)
        .await
        .ok_or_else(crate::api::busy)?;
    let config = state.cases.clone();
    let tz = config.calendar.timezone();
    let now = chrono::Utc::now();
    let (from, to) = params::day_range(&q, tz, now)?;
    let by_text = q.get("by").cloned().unwrap_or_default();
    let by = ReportBy::parse(&by_text).ok_or_else(|| {
        ApiError::invalid_parameter(
            "by",
            &by_text,
            "expected jurisdiction, department, person, type or month",
        )
    })?;
    let rows = blocking(&state, move |s| {
        fengqiao_store::cases::report(s, &config, &scope, from, to, now, by)
    })
    .await?;
    Ok(Json(json!({
        "parameters": {
            "from": from, "to": to, "timezone": tz.name(), "as_of": now, "by": by_text,
            "definitions": KPI_DEFINITIONS.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        },
        "groups": rows.into_iter().map(|(g, k)| json!({"group": g, "kpis": k})).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/volunteers`: the registry with hours (names and phones masked).
pub async fn volunteers(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["skill", "area"])?;
    let (skill, area) = (text(&q, "skill"), text(&q, "area"));
    let list = blocking(&state, move |s| s.volunteers(skill.as_deref(), area.as_deref())).await?;
    let sees = state.cases.sees_personal_data(&who.role);
    let items: Vec<_> = list.into_iter().map(|v| v.masked(sees)).collect();
    Ok(Json(json!({"items": items})))
}

/// `GET /api/v1/volunteers/activities`: activities of local days `[from, to)`.
pub async fn activities(State(state): State<AppState>, axum::extract::Query(q): Q) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["from", "to"])?;
    let tz = state.cases.calendar.timezone();
    let now = chrono::Utc::now();
    let (from, to) = params::day_range(&q, tz, now)?;
    let at = |d: chrono::NaiveDate| fengqiao_cases::calendar::day_start(&tz, d);
    let (a, b) = (at(from), at(to));
    let list = blocking(&state, move |s| s.activities(a, b)).await?;
    let hours: f64 = list
        .iter()
        .flat_map(|a| a.activity.attendance.iter().map(|x| x.1))
        .sum();
    let talks = list.iter().filter(|a| a.activity.kind == "safety_talk");
    let reach: u64 = talks.clone().map(|a| u64::from(a.activity.reach)).sum();
    Ok(Json(json!({
        "from": from, "to": to, "items": list, "volunteer_hours": hours,
        "safety_talks": talks.count(), "safety_talk_reach": reach,
    })))
}

/// `POST /api/v1/cases`: open a case as the signed-in user's role. The
/// body is the application's [`fengqiao_app::cases::OpenCase`]: a dispute's
/// risk grade is computed there, whatever the body says.
pub async fn open(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut req: fengqiao_app::cases::OpenCase = crate::body::json(&raw)?;
    if req.jurisdiction.is_none() {
        // Routed first, so that an officer's case lands in the community its
        // pin or address names, which must then lie within theirs.
        let position = fengqiao_app::cases::check_position(req.lon, req.lat)?;
        let address = req.address.clone();
        req.jurisdiction = crate::api::on_worker(&state, move |s| {
            fengqiao_app::cases::locate(s, position, address.as_deref())
        })
        .await??;
    }
    // An officer opens cases in their own jurisdiction, from its incidents.
    req.jurisdiction = params::scoped_jurisdiction(&state, &who, req.jurisdiction)?;
    if let (Some(id), Some(own)) = (req.incident_id, params::scoped_jurisdiction(&state, &who, None)?) {
        let area = blocking(&state, move |s| {
            let Some(i) = s.incident(id)? else { return Ok(None) };
            let areas = s.jurisdictions()?;
            Ok(i.record
                .jurisdiction_id
                .and_then(|j| areas.into_iter().find(|a| a.jurisdiction.id == j)))
        })
        .await?;
        if !area.is_some_and(|a| a.jurisdiction.code.starts_with(own.as_str())) {
            return Err(ApiError::new(Code::NotFound, format!("no incident {id}")));
        }
    }
    if req.jurisdiction.as_deref().is_some_and(|j| j.starts_with('\u{0}')) {
        return Err(ApiError::new(
            Code::OutOfScope,
            "this account has no jurisdiction to open cases in: ask an administrator to give it one".into(),
        ));
    }
    let settings = state.settings.clone();
    let role = who.role.clone();
    let actor = fengqiao_app::cases::Actor {
        role: who.role.clone(),
        username: who.username.clone(),
    };
    let opened = crate::api::on_worker(&state, move |s| {
        fengqiao_app::cases::open(s, &settings.cases, req, &actor, chrono::Utc::now())
    })
    .await??;
    let mut body = json!({"case": opened.case.for_role(&state.cases, &role), "escalation_links": opened.links.len()});
    if let Some(t) = opened.tracking_token {
        body["tracking_token"] = json!(t);
    }
    Ok((StatusCode::CREATED, Json(body)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ActBody {
    action: String,
    reason: Option<String>,
    department: Option<String>,
    assignee: Option<String>,
    rating: Option<u8>,
    /// The record the action makes (a session's minutes, an agreement's
    /// terms, a visit's outcome): see `fengqiao_app::mediation`.
    details: Option<Value>,
    /// The version the case was read at; a stale one is a 409.
    version: Option<u32>,
}

/// `POST /api/v1/cases/{code}/actions`: take an action as the signed-in user's role.
pub async fn act(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(code): axum::extract::Path<String>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let b: ActBody = crate::body::json(&raw)?;
    let key = code.clone();
    let case = blocking(&state, move |s| s.case_by_code(&key)).await?;
    let case = case
        .filter(|c| in_scope(&state, &who, c))
        .ok_or_else(|| ApiError::new(Code::NotFound, format!("no case {code}")))?;
    fengqiao_app::cases::check_department_part(&state.settings.cases, &case, &b.action, who.department.as_deref())?;
    let cmd = fengqiao_cases::Command {
        action: b.action,
        role: who.role.clone(),
        actor: who.username.clone(),
        reason: b.reason,
        department: b.department,
        assignee: b.assignee,
        rating: b.rating,
        details: b.details,
    };
    let settings = state.settings.clone();
    let role = who.role.clone();
    let (after, event) = crate::api::on_worker(&state, move |s| {
        fengqiao_app::cases::act(s, &settings.cases, case.id, b.version, &cmd, chrono::Utc::now())
    })
    .await??;
    Ok(Json(
        json!({"case": after.for_role(&state.cases, &role), "event": event}),
    ))
}

/// `POST /api/v1/volunteers`: register a volunteer (and link the account
/// they sign in with, if `account` names one).
pub async fn add_volunteer(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        name: String,
        phone: Option<String>,
        #[serde(default)]
        skills: Vec<String>,
        #[serde(default)]
        areas: Vec<String>,
        #[serde(default)]
        availability: String,
        /// The volunteer's account (a volunteer-role user name).
        account: Option<String>,
    }
    let b: Body = crate::body::json(&raw)?;
    let account = b.account.filter(|a| !a.trim().is_empty());
    let v = fengqiao_store::volunteers::NewVolunteer {
        name: b.name,
        phone: b.phone,
        skills: b.skills,
        areas: b.areas,
        availability: b.availability,
        joined_at: chrono::Utc::now(),
    };
    let actor = who.username.clone();
    let id = crate::api::on_worker(&state, move |s| {
        fengqiao_app::volunteers::register_with_account(s, &v, account.as_deref(), &actor, chrono::Utc::now())
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `GET /api/v1/me/volunteering`: the signed-in volunteer's own record,
/// hours and the activities they took part in over the last year.
pub async fn my_volunteering(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    let now = chrono::Utc::now();
    let username = who.username.clone();
    let found = crate::api::on_worker(&state, move |s| -> fengqiao_app::Result<_> {
        let Some(me) = fengqiao_app::volunteers::of_account(s, &username)? else {
            return Ok(None);
        };
        let mine: Vec<_> = s
            .activities(now - chrono::Duration::days(366), now + chrono::Duration::days(1))?
            .into_iter()
            .filter(|a| a.activity.attendance.iter().any(|(v, _)| *v == me.id))
            .collect();
        Ok(Some((me, mine)))
    })
    .await??;
    let (me, mine) = found.ok_or_else(|| {
        ApiError::new(
            Code::NotFound,
            "this account is not linked to a registered volunteer".into(),
        )
    })?;
    let hours_year: f64 = mine
        .iter()
        .flat_map(|a| a.activity.attendance.iter().filter(|(v, _)| *v == me.id).map(|x| x.1))
        .sum();
    Ok(Json(
        json!({"volunteer": me, "hours_last_year": hours_year, "activities": mine}),
    ))
}

/// `POST /api/v1/me/activities`: a volunteer records an activity they did
/// (themselves the only attendee, with their hours).
pub async fn my_activity(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let activity: fengqiao_app::volunteers::OwnActivity = crate::body::json(&raw)?;
    let username = who.username.clone();
    let id = crate::api::on_worker(&state, move |s| {
        fengqiao_app::volunteers::record_own_activity(s, &username, activity)
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/volunteers/activities`: record an activity and who took part.
pub async fn add_activity(
    State(state): State<AppState>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let a: fengqiao_store::volunteers::NewActivity = crate::body::json(&raw)?;
    let id = crate::api::on_worker(&state, move |s| fengqiao_app::volunteers::record_activity(s, &a)).await??;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}
