//! `GET /api/v1/equity`: the equity report of a forecast and its plan, by
//! town, village or grid (counts and shares per area: no person, no cell).

use crate::api::{Q, cached, on_worker};
use crate::{ApiError, AppState, params};
use axum::extract::{Query, State};
use fengqiao_app::equity::{EquityRequest, equity_report, parse_level};
use serde_json::json;

/// `?dataset=&window=shift&forecast=ID&plan=ID&level=town&hot_share=0.05`.
pub async fn report(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    headers: axum::http::HeaderMap,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(&q, &["dataset", "window", "forecast", "plan", "level", "hot_share"])?;
    let window = params::window(&q, "shift")?;
    let level = match q.get("level") {
        Some(v) => parse_level(v)
            .map_err(|_| ApiError::invalid_parameter("level", v, "expected district, town, village or grid"))?,
        None => fengqiao_domain::Level::Town,
    };
    let hot_share = params::share(&q, "hot_share")?.unwrap_or(0.05);
    let req = EquityRequest {
        dataset: q.get("dataset").cloned().or_else(|| state.default_dataset.clone()),
        window,
        forecast: params::number(&q, "forecast")?,
        plan: params::number(&q, "plan")?,
        level,
        hot_share,
    };
    // A reader scoped to an area sees its areas and their counts only.
    let scope = params::scoped_jurisdiction(&state, &who, None)?;
    // The simulation costs about a second on a city: computed once per forecast, plan, grouping and scope.
    let key = format!(
        "equity {:?} {} {:?} {:?} {} {} {scope:?}",
        req.dataset,
        req.window,
        req.forecast,
        req.plan,
        req.level.as_str(),
        req.hot_share
    );
    let generation = state.store.incidents_generation();
    let st = state.clone();
    cached(&state, &headers, &who.username, key, generation, move || async move {
        let report = on_worker(&st, move |s| equity_report(s, &req)).await??;
        let report = match &scope {
            Some(code) => report.within(code),
            None => report,
        };
        Ok(crate::cache::Answer::json(&json!(report)))
    })
    .await
}
