//! Case boards, case pages, case types and the KPI report over HTTP. Read
//! only until accounts land: every response is what an unauthenticated
//! viewer may see, so parties' personal data is always masked here.

use crate::api::{Q, blocking};
use crate::error::ApiError;
use crate::{AppState, params};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fengqiao_store::cases::{CaseFilter, KPI_DEFINITIONS, ReportBy};
use serde_json::{Value, json};

/// The role the masking applies for a request without an account.
const VIEWER: &str = "public";

fn text(q: &std::collections::HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k).filter(|v| !v.is_empty()).cloned()
}

/// `GET /api/v1/cases`: a board, overdue first.
pub async fn list(State(state): State<AppState>, axum::extract::Query(q): Q) -> Result<Json<Value>, ApiError> {
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
    let cases = blocking(&state, move |s| s.cases(&filter)).await?;
    let now = chrono::Utc::now();
    let items: Vec<Value> = cases
        .into_iter()
        .map(|c| {
            let overdue = config.is_overdue(&c.state, now);
            let c = c.for_role(&config, VIEWER);
            json!({
                "code": c.code, "type": c.case.case_type, "category": c.case.category, "title": c.case.title,
                "stage": c.state.stage, "department": c.state.department, "assignee": c.state.assignee,
                "jurisdiction": c.case.jurisdiction, "opened_at": c.state.opened_at, "due_at": c.state.due_at,
                "stage_due_at": c.state.stage_due_at, "closed_at": c.state.closed_at, "overdue": overdue,
                "supervisions": c.state.supervisions, "risk_grade": c.case.risk_grade,
            })
        })
        .collect();
    Ok(Json(json!({"items": items, "viewer": VIEWER})))
}

/// `GET /api/v1/cases/{code}`: one case with its history.
pub async fn one(
    State(state): State<AppState>,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let config = state.cases.clone();
    let key = code.clone();
    let found = blocking(&state, move |s| {
        let Some(case) = s.case_by_code(&key)? else {
            return Ok(None);
        };
        let events = s.case_events(case.id)?;
        Ok(Some((case, events)))
    })
    .await?;
    let (case, events) =
        found.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no case {code}")))?;
    let overdue = config.is_overdue(&case.state, chrono::Utc::now());
    let record = format!("case/{}", case.id);
    Ok(Json(json!({
        "case": case.for_role(&config, VIEWER), "events": events, "overdue": overdue,
        "ledger_record": record, "viewer": VIEWER,
    })))
}

/// `GET /api/v1/case-types`: the configured types, stages, actions and roles.
pub async fn types(State(state): State<AppState>) -> Json<Value> {
    let c = &state.cases;
    Json(json!({
        "types": c.types.values().collect::<Vec<_>>(),
        "roles": c.roles,
        "departments": c.departments,
    }))
}

/// `GET /api/v1/reports/cases`: KPIs for local days `[from, to)`, by a grouping.
pub async fn report(State(state): State<AppState>, axum::extract::Query(q): Q) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["from", "to", "by"])?;
    let config = state.cases.clone();
    let tz = config.calendar.timezone();
    let now = chrono::Utc::now();
    let day = |k: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        q.get(k)
            .map(|v| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| ApiError::invalid_parameter(k, v, "expected a local day YYYY-MM-DD"))
            })
            .transpose()
    };
    let to = day("to")?.unwrap_or(now.with_timezone(&tz).date_naive() + chrono::Duration::days(1));
    let from = day("from")?.unwrap_or(to - chrono::Duration::days(30));
    if from >= to {
        return Err(ApiError::invalid_parameter(
            "from",
            &from.to_string(),
            "must be before `to`",
        ));
    }
    let by_text = q.get("by").cloned().unwrap_or_default();
    let by = ReportBy::parse(&by_text).ok_or_else(|| {
        ApiError::invalid_parameter(
            "by",
            &by_text,
            "expected jurisdiction, department, person, type or month",
        )
    })?;
    let rows = blocking(&state, move |s| {
        fengqiao_store::cases::report(s, &config, from, to, now, by)
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
pub async fn volunteers(State(state): State<AppState>, axum::extract::Query(q): Q) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["skill", "area"])?;
    let (skill, area) = (text(&q, "skill"), text(&q, "area"));
    let list = blocking(&state, move |s| s.volunteers(skill.as_deref(), area.as_deref())).await?;
    let sees = state.cases.sees_personal_data(VIEWER);
    let items: Vec<_> = list.into_iter().map(|v| v.masked(sees)).collect();
    Ok(Json(json!({"items": items, "viewer": VIEWER})))
}

/// `GET /api/v1/volunteers/activities`: activities of local days `[from, to)`.
pub async fn activities(State(state): State<AppState>, axum::extract::Query(q): Q) -> Result<Json<Value>, ApiError> {
    use chrono::TimeZone;
    params::reject_unknown(&q, &["from", "to"])?;
    let tz = state.cases.calendar.timezone();
    let now = chrono::Utc::now();
    let day = |k: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        q.get(k)
            .map(|v| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| ApiError::invalid_parameter(k, v, "expected a local day YYYY-MM-DD"))
            })
            .transpose()
    };
    let to = day("to")?.unwrap_or(now.with_timezone(&tz).date_naive() + chrono::Duration::days(1));
    let from = day("from")?.unwrap_or(to - chrono::Duration::days(30));
    let at = |d: chrono::NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .expect("midnight exists")
            .with_timezone(&chrono::Utc)
    };
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
