//! Work the server starts but does not itself know how to do: making a
//! forecast, making a plan. The binary supplies the implementation (the
//! same code as `fengqiao forecast` and `fengqiao plan`), so the server
//! crate stays free of the forecasting and planning orchestration.

use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fengqiao_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastJob {
    pub dataset: Option<String>,
    #[serde(default = "default_model")]
    pub model: String,
    #[serde(default = "default_window")]
    pub window: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanJob {
    pub dataset: Option<String>,
    /// A forecast id, or `latest`.
    #[serde(default = "default_forecast")]
    pub forecast: String,
}

fn default_model() -> String {
    "fq".into()
}
fn default_window() -> String {
    "shift".into()
}
fn default_forecast() -> String {
    "latest".into()
}

pub trait Jobs: Send + Sync {
    /// Makes and stores a forecast; returns its id. `Err` is for the user.
    fn forecast(&self, store: &dyn Store, job: &ForecastJob) -> Result<i64, String>;
    /// Makes and stores a plan; returns its id.
    fn plan(&self, store: &dyn Store, job: &PlanJob) -> Result<i64, String>;
    /// Replays stored plan `id` against the real incidents of its window.
    fn replay(&self, store: &dyn Store, id: i64) -> Result<Value, String>;
}

async fn run<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Jobs, &dyn Store) -> Result<T, String> + Send + 'static,
) -> Result<T, ApiError> {
    let jobs = state.jobs.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "this server cannot run jobs".into(),
        )
    })?;
    crate::api::on_worker(state, move |s| f(jobs.as_ref(), s))
        .await?
        .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "job_refused", m))
}

/// `POST /api/v1/forecasts`: make the next window's forecast now.
pub async fn forecast(
    State(state): State<AppState>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let job: ForecastJob = crate::body::json(if raw.is_empty() { b"{}" } else { &raw })?;
    let id = run(&state, move |j, s| j.forecast(s, &job)).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/plans`: make a deployment plan from a stored forecast.
pub async fn plan(
    State(state): State<AppState>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let job: PlanJob = crate::body::json(if raw.is_empty() { b"{}" } else { &raw })?;
    let id = run(&state, move |j, s| j.plan(s, &job)).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/plans/{id}/replay`: score a stored plan on the real incidents of its window.
pub async fn replay(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid_parameter("id", &id, "expected a plan id (a whole number)"))?;
    let report = run(&state, move |j, s| j.replay(s, id)).await?;
    Ok(Json(report))
}

/// `GET /api/v1/kpis/shift`: the command centre's cards. The latest plan
/// whose shift has begun by the dataset's newest incident, replayed on the
/// real incidents of that shift (visibility and handling rates, beside the
/// same units standing at their stations), and the incidents of the shift
/// beside what its forecast expected.
pub async fn shift_kpis(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<axum::response::Response, ApiError> {
    crate::params::reject_unknown(&q, &["dataset"])?;
    let dataset = q
        .get("dataset")
        .cloned()
        .or_else(|| state.default_dataset.clone())
        .ok_or_else(|| ApiError::invalid_parameter("dataset", "", "no dataset given and no default"))?;
    let key = format!("shift kpis {dataset}");
    let generation = state.store.incidents_generation();
    let st = state.clone();
    crate::api::cached(&state, &headers, &who.username, key, generation, move || async move {
        let name = dataset.clone();
        let answer = run(&st, move |jobs, s| {
            let newest = s
                .datasets()
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|d| d.name == name)
                .and_then(|d| d.last_at)
                .ok_or_else(|| format!("dataset {name} has no incidents"))?;
            let Some(plan) = s.latest_plan_started_by(&name, newest).map_err(|e| e.to_string())? else {
                return Ok(Value::Null);
            };
            let expected = match plan.plan.forecast_id {
                Some(f) => s
                    .forecast(f)
                    .map_err(|e| e.to_string())?
                    .map(|(_, cells)| cells.iter().map(|c| c.1).sum::<f64>()),
                None => None,
            };
            let replay = jobs.replay(s, plan.id)?;
            Ok(json!({
                "dataset": name,
                "plan_id": plan.id,
                "window": [plan.plan.window_start, plan.plan.window_end],
                "data_until": newest,
                "incidents": replay["plan"]["incidents"],
                "forecast_expected": expected,
                "visibility_rate": replay["plan"]["visibility_rate"],
                "handling_rate": replay["plan"]["handling_rate"],
                "posts_only": replay["baselines"]["posts_only"],
                "parameters": replay["parameters"],
                "ledger_record": format!("plan/{}", plan.id),
            }))
        })
        .await?;
        if answer.is_null() {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no plan for a shift of {dataset} that has begun: make one with fengqiao plan --date"),
            ));
        }
        Ok(crate::cache::Answer::json(&answer))
    })
    .await
}
