//! `GET /api/v1/forecasts/accuracy`: the last days replayed, each forecast
//! from the incidents before it by counting and the flagship, beside the
//! ceiling that sees the future — the hit-rate curves an analyst reads.

use crate::api::{Q, cached, on_worker};
use crate::{ApiError, AppState, params};
use axum::extract::{Query, State};

/// `?dataset=&window=day|shift&days=28` (7 to 92 whole days before today, the city's calendar).
pub async fn recent(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    headers: axum::http::HeaderMap,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(&q, &["dataset", "window", "days"])?;
    let window = q.get("window").cloned().unwrap_or_else(|| "day".into());
    if !["day", "shift"].contains(&window.as_str()) {
        return Err(ApiError::invalid_parameter("window", &window, "expected day or shift"));
    }
    let max = fengqiao_app::backtest::RECENT_MAX_DAYS;
    let days =
        match q.get("days") {
            None => 28,
            Some(v) => v.parse::<i64>().ok().filter(|d| (7..=max).contains(d)).ok_or_else(|| {
                ApiError::invalid_parameter("days", v, format!("expected whole days from 7 to {max}"))
            })?,
        };
    let dataset = q.get("dataset").cloned().or_else(|| state.default_dataset.clone());
    let today = chrono::Utc::now().with_timezone(&state.timezone).date_naive();
    // A replay costs seconds: once per dataset, window, length and day, until the next write.
    let key = format!("accuracy {dataset:?} {window} {days} {today}");
    let generation = state.store.incidents_generation();
    let st = state.clone();
    cached(&state, &headers, &who.username, key, generation, move || async move {
        let v = on_worker(&st, move |s| {
            fengqiao_app::backtest::recent_accuracy(s, dataset.as_deref(), &window, days, today)
        })
        .await??;
        Ok(crate::cache::Answer::json(&v))
    })
    .await
}
