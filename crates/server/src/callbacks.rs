//! 110 回访: a week's sample drawn (once), read back, and satisfaction and
//! perceived safety with their sample sizes and intervals.

use crate::api::{Q, on_worker};
use crate::error::Code;
use crate::{ApiError, AppState, params};
use axum::Json;
use axum::extract::{Path, Query, State};
use fengqiao_auth::{Principal, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DrawAsk {
    /// ISO week, e.g. `2026-W48`.
    week: String,
    share: Option<f64>,
    dataset: Option<String>,
}

/// `POST /api/v1/callbacks/draws`: draws a week's sample and opens its callbacks.
pub async fn draw(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let ask: DrawAsk = crate::body::json(&raw)?;
    let settings = state.settings.clone();
    let dataset = ask.dataset.or_else(|| state.default_dataset.clone());
    let actor = fengqiao_app::cases::Actor {
        role: who.role.clone(),
        username: who.username.clone(),
    };
    let share = ask.share.unwrap_or(fengqiao_app::callbacks::DEFAULT_SHARE);
    let draw = on_worker(&state, move |s| {
        let dataset = fengqiao_app::forecast::resolve_dataset(s, dataset.as_deref())?;
        fengqiao_app::callbacks::draw(
            s,
            &settings.cases,
            &dataset,
            &ask.week,
            share,
            &actor,
            chrono::Utc::now(),
        )
    })
    .await??;
    Ok(Json(json!(draw)))
}

/// `GET /api/v1/callbacks/draws/{week}`: the draw as kept (seed, strata, callbacks).
pub async fn draw_of(State(state): State<AppState>, Path(week): Path<String>) -> Result<Json<Value>, ApiError> {
    let found = on_worker(&state, move |s| fengqiao_app::callbacks::draw_of(s, &week)).await??;
    match found {
        Some(d) => Ok(Json(json!(d))),
        None => Err(ApiError::new(Code::NotFound, "that week has not been drawn".into())),
    }
}

/// `GET /api/v1/callbacks/report?months=6&area=`: satisfaction and perceived
/// safety by station, town and month, over the reader's area.
pub async fn report(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["months", "area"])?;
    let months: u32 = match q.get("months") {
        None => 6,
        Some(v) => v
            .parse()
            .ok()
            .filter(|m| (1..=fengqiao_app::callbacks::MAX_MONTHS).contains(m))
            .ok_or_else(|| ApiError::invalid_parameter("months", v, "a whole number of months, 1 to 24"))?,
    };
    let asked = q.get("area").filter(|a| !a.is_empty()).cloned();
    let area = match state.policy.scope(&who.role) {
        Scope::All | Scope::Jurisdiction => params::scoped_jurisdiction(&state, &who, asked)?,
        Scope::Department | Scope::Assignee => {
            return Err(ApiError::new(
                Code::OutOfScope,
                "satisfaction is reported by area: this account's scope is a department or its own cases".into(),
            ));
        }
    };
    let config = state.cases.clone();
    let report = on_worker(&state, move |s| {
        fengqiao_app::callbacks::report(s, &config, area.as_deref(), months, chrono::Utc::now())
    })
    .await??;
    Ok(Json(json!(report)))
}
