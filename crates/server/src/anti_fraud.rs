//! 反诈预警劝阻: the anti-fraud centre's warnings in (JSON or its CSV
//! export), and how the dissuasion went by station and week.

use crate::api::{Q, on_worker};
use crate::error::Code;
use crate::{ApiError, AppState, params};
use axum::Json;
use axum::extract::{Query, State};
use fengqiao_auth::{Principal, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Warnings {
    warnings: Vec<fengqiao_app::anti_fraud::Warning>,
}

/// `POST /api/v1/fraud-warnings`: `{"warnings": [...]}` as JSON, or the
/// centre's export as `text/csv` (times local to the city). Each warning not
/// on file becomes a dissuasion case in the person's area; one wrong
/// warning refuses the list.
pub async fn import(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    headers: axum::http::HeaderMap,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let media = crate::body::media_type(&headers);
    let warnings = match media.as_deref() {
        Some("application/json") => crate::body::json::<Warnings>(&raw)?.warnings,
        Some("text/csv") => fengqiao_app::anti_fraud::parse_csv(&raw, state.timezone)?,
        _ => return Err(crate::body::unsupported(media, "application/json or text/csv")),
    };
    // An officer's import could only be of their own area's warnings; the
    // centre's desk (analysts, commanders) sends the city's.
    if let Some(own) = params::scoped_jurisdiction(&state, &who, None)?
        && let Some(w) = warnings
            .iter()
            .find(|w| !w.area.as_deref().is_some_and(|a| a.starts_with(own.as_str())))
    {
        return Err(ApiError::new(
            Code::OutOfScope,
            format!(
                "a warning for area {:?} is outside yours ({own})",
                w.area.as_deref().unwrap_or("")
            ),
        ));
    }
    let settings = state.settings.clone();
    let actor = fengqiao_app::cases::Actor {
        role: who.role.clone(),
        username: who.username.clone(),
    };
    let imported = on_worker(&state, move |s| {
        fengqiao_app::anti_fraud::import(s, &settings.cases, warnings, &actor, chrono::Utc::now())
    })
    .await??;
    Ok(Json(json!(imported)))
}

/// The area a by-area reader reads: theirs, or the one asked within it;
/// a department's or a mediator's account reads none.
fn area_of(state: &AppState, who: &Principal, asked: Option<String>) -> Result<Option<String>, ApiError> {
    match state.policy.scope(&who.role) {
        Scope::All | Scope::Jurisdiction => params::scoped_jurisdiction(state, who, asked),
        Scope::Department | Scope::Assignee => Err(ApiError::new(
            Code::OutOfScope,
            "anti-fraud warnings are the police's, by area: this account's scope is a department or its own cases"
                .into(),
        )),
    }
}

/// `GET /api/v1/fraud-warnings/rising?dataset=`: communities where fraud is
/// rising in the reader's area, with the volunteers who fit (names masked
/// unless the role sees personal data).
pub async fn rising(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["dataset"])?;
    let area = area_of(&state, &who, None)?;
    let dataset = q.get("dataset").cloned().or_else(|| state.default_dataset.clone());
    let config = state.cases.clone();
    let sees = state.cases.sees_personal_data(&who.role);
    let items = on_worker(&state, move |s| {
        let dataset = fengqiao_app::forecast::resolve_dataset(s, dataset.as_deref()).ok();
        fengqiao_app::campaigns::rising(
            s,
            &config,
            dataset.as_deref(),
            area.as_deref(),
            sees,
            chrono::Utc::now(),
        )
    })
    .await??;
    Ok(Json(
        json!({"items": items, "recent_days": fengqiao_app::campaigns::RECENT_DAYS,
                    "baseline_days": fengqiao_app::campaigns::BASELINE_DAYS}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CampaignAsk {
    area: String,
    dataset: Option<String>,
}

/// `POST /api/v1/fraud-warnings/campaigns`: a campaign of talks and visits
/// in a rising community of the reader's area.
pub async fn campaign(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let ask: CampaignAsk = crate::body::json(&raw)?;
    area_of(&state, &who, Some(ask.area.clone()))?;
    let settings = state.settings.clone();
    let dataset = ask.dataset.or_else(|| state.default_dataset.clone());
    let actor = fengqiao_app::cases::Actor {
        role: who.role.clone(),
        username: who.username.clone(),
    };
    let code = on_worker(&state, move |s| {
        let dataset = fengqiao_app::forecast::resolve_dataset(s, dataset.as_deref()).ok();
        fengqiao_app::campaigns::open(
            s,
            &settings.cases,
            dataset.as_deref(),
            &ask.area,
            &actor,
            chrono::Utc::now(),
        )
    })
    .await??;
    Ok(Json(json!({"case": code})))
}

/// `GET /api/v1/fraud-warnings/report?weeks=8&area=`: warnings by station
/// and ISO week — reached (in time), dissuaded, already paid, refused, not
/// found, open, overdue, losses prevented — over the reader's area.
pub async fn report(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["weeks", "area"])?;
    let weeks: u32 = match q.get("weeks") {
        None => 8,
        Some(v) => v
            .parse()
            .ok()
            .filter(|w| (1..=fengqiao_app::anti_fraud::MAX_REPORT_WEEKS).contains(w))
            .ok_or_else(|| ApiError::invalid_parameter("weeks", v, "a whole number of weeks, 1 to 53"))?,
    };
    let area = area_of(&state, &who, q.get("area").filter(|a| !a.is_empty()).cloned())?;
    let config = state.cases.clone();
    let report = on_worker(&state, move |s| {
        fengqiao_app::anti_fraud::report(s, &config, area.as_deref(), weeks, chrono::Utc::now())
    })
    .await??;
    Ok(Json(json!(report)))
}
