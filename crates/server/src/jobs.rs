//! Forecasts, plans and replays on request, made by the application
//! crate's use cases (the same code as `fengqiao forecast`, `plan` and
//! `replay`), each write followed by a signed ledger checkpoint.

use crate::AppState;
use crate::error::{ApiError, Code};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fengqiao_app::deployment::PlanRequest;
use fengqiao_app::forecast::ForecastRequest;
use fengqiao_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

/// What a client may ask of a forecast: the dataset, the model, the window.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastJob {
    pub dataset: Option<String>,
    #[serde(default = "default_model")]
    pub model: String,
    #[serde(default = "default_window")]
    pub window: String,
    /// The first window after the newest incident, however long ago,
    /// instead of the next one from now (a historical dataset).
    #[serde(default)]
    pub after_data: bool,
}

/// What a client may ask of a plan: the dataset and the forecast.
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

async fn run<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> fengqiao_app::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    Ok(crate::api::on_worker(state, f).await??)
}

/// The replay of stored plan `id` with `fengqiao replay --plan ID`'s assumptions.
fn replay_plan(state: &AppState, store: &dyn Store, id: i64) -> fengqiao_app::Result<Value> {
    fengqiao_app::replay_plan::report(store, &state.categories, &Default::default(), id)
}

/// `POST /api/v1/forecasts`: make the next window's forecast now.
pub async fn forecast(
    State(state): State<AppState>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let job: ForecastJob = crate::body::json(if raw.is_empty() { b"{}" } else { &raw })?;
    if !["shift", "day", "week"].contains(&job.window.as_str()) {
        return Err(ApiError::invalid_parameter("window", &job.window, "shift, day or week"));
    }
    let req = ForecastRequest {
        dataset: job.dataset,
        model: job.model,
        window: job.window,
        after_data: job.after_data,
        ..ForecastRequest::default()
    };
    let settings = state.settings.clone();
    let id = run(&state, move |s| {
        let (run, _) = fengqiao_app::forecast::make_forecast(s, &req)?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        Ok(run.id)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/plans`: make a deployment plan from a stored forecast.
pub async fn plan(
    State(state): State<AppState>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let job: PlanJob = crate::body::json(if raw.is_empty() { b"{}" } else { &raw })?;
    let req = PlanRequest {
        dataset: job.dataset,
        forecast: job.forecast,
        ..PlanRequest::default()
    };
    let settings = state.settings.clone();
    let id = run(&state, move |s| {
        let (id, _, _, _) = fengqiao_app::deployment::plan_from_forecast(s, &req)?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        Ok(id)
    })
    .await?;
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
    let st = state.clone();
    let report = run(&state, move |s| replay_plan(&st, s, id)).await?;
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
        let st2 = st.clone();
        let answer = run(&st, move |s| {
            let newest = s
                .datasets()?
                .into_iter()
                .find(|d| d.name == name)
                .and_then(|d| d.last_at)
                .ok_or_else(|| fengqiao_app::Error::not_found(format!("dataset {name} has no incidents")))?;
            let Some(plan) = s.latest_plan_started_by(&name, newest)? else {
                return Ok(Value::Null);
            };
            let expected = match plan.plan.forecast_id {
                Some(f) => s.forecast(f)?.map(|(_, cells)| cells.iter().map(|c| c.1).sum::<f64>()),
                None => None,
            };
            let replay = replay_plan(&st2, s, plan.id)?;
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
                Code::NotFound,
                format!("no plan for a shift of {dataset} that has begun: make one with fengqiao plan --date"),
            ));
        }
        Ok(crate::cache::Answer::json(&answer))
    })
    .await
}
