//! Request handlers for `/health` and `/api/v1`.

use crate::error::Code;
use crate::params::{self, FILTER_PARAMS};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Query, State};
use fengqiao_geo::{Grid, LocalProjection, LonLat, Xy};
use fengqiao_store::{Dimension, PageRequest, Store};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub(crate) type Q = Query<HashMap<String, String>>;

/// Runs a store call on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> fengqiao_store::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    on_worker(state, f).await?.map_err(ApiError::from)
}

/// Runs store work on the blocking pool; the outer error is the worker's.
pub(crate) async fn on_worker<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let store: Arc<dyn Store> = state.store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|e| ApiError::new(Code::Internal, format!("worker failed: {e}")))
}

/// Parses the filter parameters, reading local dates in the time zone of
/// the dataset asked for (falling back to the server's).
/// An officer's incidents are those of their jurisdiction (and below).
async fn filter_for(
    state: &AppState,
    who: &fengqiao_auth::Principal,
    q: &HashMap<String, String>,
) -> Result<fengqiao_store::IncidentFilter, ApiError> {
    let dataset = q.get("dataset").cloned().or_else(|| state.default_dataset.clone());
    let tz = match dataset {
        Some(d) if q.contains_key("from") || q.contains_key("to") => blocking(state, move |s| s.dataset_timezone(&d))
            .await?
            .and_then(|t| t.parse::<chrono_tz::Tz>().ok()),
        _ => None,
    };
    let mut filter = params::filter(state, tz.unwrap_or(state.timezone), q)?;
    filter.jurisdiction = params::scoped_jurisdiction(state, who, filter.jurisdiction.take())?;
    Ok(filter)
}

/// Liveness: the process answers (no database, no account), for load
/// balancers and as the floor of the HTTP benchmark.
pub async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"status": "ok", "backend": state.store.backend(), "version": env!("CARGO_PKG_VERSION")}))
}

/// `GET /api/v1/changes`: the store's generations, for open pages to poll
/// so that new incidents and case changes appear without a reload. Sent
/// back as `If-None-Match`, an unchanged answer is a 304 with no body; other
/// processes' writes count too (see the stores' generations).
pub async fn changes(State(state): State<AppState>, headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (all, incidents) = (state.store.generation(), state.store.incidents_generation());
    let etag = format!("\"g{all}-{incidents}\"");
    let unchanged = headers
        .get(axum::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let head = [
        (axum::http::header::ETAG, etag),
        (axum::http::header::CACHE_CONTROL, "no-cache".to_string()),
    ];
    if unchanged {
        (axum::http::StatusCode::NOT_MODIFIED, head).into_response()
    } else {
        (
            head,
            Json(json!({"generation": all, "incidents_generation": incidents})),
        )
            .into_response()
    }
}

/// Readiness: the database answers too (503 if it does not).
pub async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let backend = state.store.backend();
    blocking(&state, |s| s.ping()).await?;
    Ok(Json(json!({"status": "ready", "backend": backend})))
}

/// An answer from the cache, or computed once (per key) and kept until the
/// next write of its kind. Computing is an expensive request: a principal
/// (`who`) has at most [`crate::cache::PER_PRINCIPAL`] running and a short line waiting.
pub(crate) async fn cached<Fut>(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    who: &str,
    key: String,
    generation: u64,
    compute: impl FnOnce() -> Fut + Send + 'static,
) -> Result<axum::response::Response, ApiError>
where
    Fut: std::future::Future<Output = Result<crate::cache::Answer, ApiError>> + Send + 'static,
{
    use crate::cache::Lookup;
    match state.cache.lookup(&key, generation) {
        Lookup::Fresh(hit) => return Ok(hit.respond(headers)),
        // Older than the TTL but no write since here: answer now, refresh behind.
        Lookup::Stale(hit) => {
            let cache = state.cache.clone();
            if let Some(filling) = cache.try_filling(&key) {
                tokio::spawn(async move {
                    if let Ok(fresh) = compute().await {
                        cache.put(key, generation, Arc::new(fresh));
                    }
                    drop(filling);
                });
            }
            return Ok(hit.respond(headers));
        }
        Lookup::Miss => {}
    }
    let _filling = state.cache.filling(&key).await;
    if let Some(hit) = state.cache.get(&key, generation) {
        return Ok(hit.respond(headers));
    }
    let _permit = state.limiter.acquire(who).await.ok_or_else(busy)?;
    let answer = Arc::new(compute().await?);
    state.cache.put(key, generation, answer.clone());
    Ok(answer.respond(headers))
}

/// 429 for a principal with too many expensive requests in flight.
pub(crate) fn busy() -> ApiError {
    let mut e = ApiError::new(
        Code::Busy,
        format!(
            "at most {} expensive requests run at once per user or address and {} more wait; wait for one to finish",
            crate::cache::PER_PRINCIPAL,
            crate::cache::QUEUED_PER_PRINCIPAL
        ),
    );
    e.details = json!({"running": crate::cache::PER_PRINCIPAL, "waiting": crate::cache::QUEUED_PER_PRINCIPAL});
    e
}

pub async fn datasets(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    headers: axum::http::HeaderMap,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(&q, &[])?;
    // Every page asks for this first; counting a large dataset takes tens of ms.
    let generation = state.store.incidents_generation();
    let st = state.clone();
    cached(
        &state,
        &headers,
        &who.username,
        "datasets".into(),
        generation,
        move || async move {
            let list = blocking(&st, |s| s.datasets()).await?;
            Ok(crate::cache::Answer::json(
                &json!({"default": st.default_dataset, "items": list}),
            ))
        },
    )
    .await
}

pub async fn categories(State(state): State<AppState>, Query(q): Q) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &[])?;
    Ok(Json(json!({"items": state.categories.all()})))
}

pub async fn facilities(State(state): State<AppState>, Query(q): Q) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &[])?;
    let list = blocking(&state, |s| s.facilities()).await?;
    Ok(Json(json!({"items": list})))
}

/// Jurisdictions as a GeoJSON FeatureCollection, optionally one level only.
pub async fn jurisdictions(State(state): State<AppState>, Query(q): Q) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["level"])?;
    let level = match q.get("level") {
        None => None,
        Some(v) => Some(fengqiao_domain::Level::parse(v).ok_or_else(|| {
            ApiError::invalid_parameter("level", v, "expected city, district, town, village or grid")
        })?),
    };
    let list = blocking(&state, |s| s.jurisdictions()).await?;
    let features: Vec<Value> = list
        .into_iter()
        .filter(|j| level.is_none_or(|l| j.jurisdiction.level == l))
        .map(|j| {
            let geometry: Value = serde_json::from_str(&j.geometry).unwrap_or(Value::Null);
            json!({"type": "Feature", "id": j.jurisdiction.code, "properties": j.jurisdiction, "geometry": geometry})
        })
        .collect();
    Ok(Json(json!({"type": "FeatureCollection", "features": features})))
}

pub async fn incidents(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let mut allowed = FILTER_PARAMS.to_vec();
    allowed.extend(["limit", "after"]);
    params::reject_unknown(&q, &allowed)?;
    let filter = filter_for(&state, &who, &q).await?;
    let page = PageRequest {
        limit: params::limit(&q, 100, 1000)?,
        after: params::cursor(&q)?,
    };
    let result = blocking(&state, move |s| s.incidents(&filter, &page)).await?;
    Ok(Json(json!({
        "items": result.items,
        "total": result.total,
        "next": result.next.map(|c| c.encode()),
    })))
}

/// `GET /api/v1/incidents/{id}`: one incident with its lifecycle times,
/// its jurisdiction and the cases it is linked to (those the caller may see).
pub async fn incident(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid_parameter("id", &id, "expected an incident id (a whole number)"))?;
    let found = blocking(&state, move |s| {
        let Some(incident) = s.incident(id)? else {
            return Ok(None);
        };
        let jurisdiction = match incident.record.jurisdiction_id {
            Some(j) => s.jurisdictions()?.into_iter().find(|r| r.jurisdiction.id == j),
            None => None,
        };
        let mut cases = Vec::new();
        for link in s.incident_cases(id)? {
            if let Some(case) = s.case_by_code(&link.code)? {
                cases.push((link, case));
            }
        }
        Ok(Some((incident, jurisdiction.map(|j| j.jurisdiction), cases)))
    })
    .await?;
    let own = params::scoped_jurisdiction(&state, &who, None)?;
    let (incident, jurisdiction, cases) = found
        .filter(|(_, j, _)| match &own {
            Some(own) => j.as_ref().is_some_and(|j| j.code.starts_with(own.as_str())),
            None => true,
        })
        .ok_or_else(|| ApiError::new(Code::NotFound, format!("no incident {id}")))?;
    let cases: Vec<Value> = cases
        .into_iter()
        .filter(|(_, c)| crate::cases::in_scope(&state, &who, c))
        .map(|(link, _)| json!(link))
        .collect();
    let r = &incident.record;
    let minutes = |a: Option<chrono::DateTime<chrono::Utc>>, b: Option<chrono::DateTime<chrono::Utc>>| {
        a.zip(b).map(|(a, b)| (b - a).num_seconds() as f64 / 60.0)
    };
    Ok(Json(json!({
        "incident": incident,
        "jurisdiction": jurisdiction,
        "cases": cases,
        "durations_min": {
            "to_dispatch": minutes(r.received_at, r.dispatched_at),
            "to_arrival": minutes(r.received_at, r.arrived_at),
            "to_close": minutes(r.received_at, r.closed_at),
        },
        "ledger_record": format!("incident/{}", incident.id),
    })))
}

fn dimension(v: &str) -> Option<Dimension> {
    Some(match v {
        "category" => Dimension::Category,
        "category_top" => Dimension::CategoryTop,
        "hour_of_week" => Dimension::HourOfWeek,
        "jurisdiction" => Dimension::Jurisdiction,
        "origin" => Dimension::Origin,
        "day" => Dimension::Day,
        _ => return None,
    })
}

/// The grid cell sizes, metres, an aggregate may be asked for (besides the
/// configured default): a fixed set, so that the answers worth keeping are few.
pub const CELL_SIZES: [f64; 10] = [50.0, 100.0, 150.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0];

/// Counts per grid cell (`by=cell`), hour of week, category, jurisdiction,
/// origin or day.
pub async fn aggregate(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    headers: axum::http::HeaderMap,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    let mut allowed = FILTER_PARAMS.to_vec();
    allowed.extend(["by", "cell"]);
    params::reject_unknown(&q, &allowed)?;
    let filter = filter_for(&state, &who, &q).await?;
    let by = q.get("by").map(String::as_str).unwrap_or("category_top").to_string();
    let cell_m = match (by.as_str(), q.get("cell")) {
        ("cell", None) => Some(state.cell_m),
        ("cell", Some(v)) => Some(
            v.parse::<f64>()
                .ok()
                .filter(|c| CELL_SIZES.contains(c) || *c == state.cell_m)
                .ok_or_else(|| {
                    ApiError::invalid_parameter(
                        "cell",
                        v,
                        "expected a cell size in metres: 50, 100, 150, 200, 250, 500, 1000, 2000, 5000 or 10000",
                    )
                })?,
        ),
        (_, Some(v)) => return Err(ApiError::invalid_parameter("cell", v, "only used with by=cell")),
        (_, None) => None,
    };
    let dim = match cell_m {
        Some(_) => None,
        None => Some(dimension(&by).ok_or_else(|| {
            ApiError::invalid_parameter(
                "by",
                &by,
                "expected cell, category, category_top, hour_of_week, jurisdiction, origin or day",
            )
        })?),
    };
    // Dashboards ask the same questions over and over: answer from the cache
    // until the next write (the key is the resolved filter, scope included,
    // and the parsed grouping: only values the server accepts make keys).
    let generation = state.store.incidents_generation();
    let key = format!("aggregate {filter:?} {dim:?} {cell_m:?}");
    let st = state.clone();
    cached(&state, &headers, &who.username, key, generation, move || async move {
        let value = match (cell_m, dim) {
            (Some(cell_m), _) => cells(&st, filter, cell_m).await?,
            (None, Some(dim)) => {
                let rows = blocking(&st, move |s| s.aggregate(&filter, dim)).await?;
                let total: u64 = rows.iter().map(|r| r.1).sum();
                let groups: Vec<Value> = rows.into_iter().map(|(k, n)| json!({"key": k, "count": n})).collect();
                json!({"by": by, "total": total, "groups": groups})
            }
            (None, None) => unreachable!("a grouping was resolved above"),
        };
        Ok(crate::cache::Answer::json(&value))
    })
    .await
}

async fn cells(state: &AppState, filter: fengqiao_store::IncidentFilter, cell_m: f64) -> Result<Value, ApiError> {
    let dataset = filter.dataset.clone();
    let (points, centre) = blocking(state, move |s| {
        let centre = match &dataset {
            Some(d) => s.get_setting(&format!("centre:{d}"))?,
            None => s.get_setting("centre")?,
        };
        Ok((s.positions(&filter)?, centre))
    })
    .await?;
    let centre = centre
        .and_then(|c| {
            let (a, b) = c.split_once(',')?;
            Some(LonLat::new(a.parse().ok()?, b.parse().ok()?))
        })
        .or_else(|| {
            let n = points.len() as f64;
            (n > 0.0).then(|| {
                LonLat::new(
                    points.iter().map(|p| p[0]).sum::<f64>() / n,
                    points.iter().map(|p| p[1]).sum::<f64>() / n,
                )
            })
        });
    let Some(centre) = centre else {
        return Ok(json!({"cell_m": cell_m, "total": 0, "max": 0, "cells": []}));
    };
    let proj = LocalProjection::centred_on(centre);
    let xy: Vec<Xy> = points.iter().map(|p| proj.project(LonLat::new(p[0], p[1]))).collect();
    let (mut min, mut max) = (Xy::new(f64::MAX, f64::MAX), Xy::new(f64::MIN, f64::MIN));
    for p in &xy {
        min = Xy::new(min.x.min(p.x), min.y.min(p.y));
        max = Xy::new(max.x.max(p.x), max.y.max(p.y));
    }
    let grid = Grid::covering(min, max, cell_m).map_err(|e| ApiError::new(Code::InvalidGrid, e.to_string()))?;
    let mut counts: BTreeMap<u32, u64> = BTreeMap::new();
    for p in &xy {
        if let Some(c) = grid.cell_of(*p) {
            *counts.entry(c.0).or_default() += 1;
        }
    }
    let max_count = counts.values().copied().max().unwrap_or(0);
    let cells: Vec<Value> = counts
        .iter()
        .map(|(&id, &n)| {
            let id = fengqiao_geo::CellId(id);
            let lo = grid.cell_min(id);
            let sw = proj.unproject(lo);
            let ne = proj.unproject(Xy::new(lo.x + cell_m, lo.y + cell_m));
            let (col, row) = grid.col_row(id);
            let r = |v: f64| (v * 1e6).round() / 1e6;
            json!({"col": col, "row": row, "count": n, "bounds": [r(sw.lon), r(sw.lat), r(ne.lon), r(ne.lat)]})
        })
        .collect();
    Ok(json!({
        "cell_m": cell_m,
        "centre": [centre.lon, centre.lat],
        "total": xy.len(),
        "max": max_count,
        "cells": cells,
    }))
}

/// The newest forecast for a dataset and window kind: JSON (cells with
/// expected counts and WGS84 bounds) or, with `format=geojson`, a
/// FeatureCollection of cell squares.
pub async fn latest_forecast(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    headers: axum::http::HeaderMap,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(&q, &["dataset", "window", "format", "category", "top"])?;
    // `top`: only the hottest share of the forecast's valid cells, hottest first (what a map draws).
    let top = params::share(&q, "top")?;
    let dataset = q
        .get("dataset")
        .cloned()
        .or_else(|| state.default_dataset.clone())
        .ok_or_else(|| ApiError::invalid_parameter("dataset", "", "no dataset given and no default"))?;
    let window = params::window(&q, "shift")?;
    let format = q.get("format").cloned().unwrap_or_else(|| "json".into());
    if !["json", "geojson"].contains(&format.as_str()) {
        return Err(ApiError::invalid_parameter(
            "format",
            &format,
            "expected json or geojson",
        ));
    }
    let category = q.get("category").cloned();
    let key = format!("forecast {dataset} {window} {category:?} {top:?} {format}");
    let generation = state.store.incidents_generation();
    let st = state.clone();
    cached(&state, &headers, &who.username, key, generation, move || async move {
        let (ds, w) = (dataset.clone(), window.clone());
        let found = blocking(&st, move |s| s.latest_forecast(&ds, &w, category.as_deref())).await?;
        let Some((run, cells)) = found else {
            return Err(ApiError::new(Code::NotFound, format!(
                    "no {window} forecast for dataset {dataset}; make one with `fengqiao forecast --dataset {dataset} --window {window}`"
                ),
            ));
        };
        let value = if format == "geojson" {
            crate::forecast_geojson(&run, &cells)
        } else {
            forecast_json(&run, cells, top)
        };
        Ok(crate::cache::Answer::json(&value))
    })
    .await
}

/// A forecast's cells with WGS84 bounds; with `top`, only the hottest share
/// of its valid cells, hottest first.
fn forecast_json(run: &fengqiao_store::ForecastRun, mut cells: Vec<(u32, f64)>, top: Option<f64>) -> Value {
    let grid = Grid {
        origin: Xy::new(run.origin[0], run.origin[1]),
        cell_m: run.cell_m,
        cols: run.cols,
        rows: run.rows,
    };
    let proj = LocalProjection::centred_on(LonLat::new(run.centre[0], run.centre[1]));
    let r = |v: f64| (v * 1e6).round() / 1e6;
    let total: f64 = cells.iter().map(|c| c.1).sum();
    let stored = cells.len();
    if let Some(share) = top {
        cells = fengqiao_app::forecast::hottest(run, cells, share);
    }
    let items: Vec<Value> = cells
        .iter()
        .map(|(cell, expected)| {
            let lo = grid.cell_min(fengqiao_geo::CellId(*cell));
            let sw = proj.unproject(lo);
            let ne = proj.unproject(Xy::new(lo.x + run.cell_m, lo.y + run.cell_m));
            json!({"cell": cell, "expected": expected, "bounds": [r(sw.lon), r(sw.lat), r(ne.lon), r(ne.lat)]})
        })
        .collect();
    json!({"forecast": run, "expected_total": total, "stored_cells": stored, "cells": items})
}

/// The newest plan for a dataset (`format=geojson`: its map layers), or one by id.
/// Crews per station for a stored forecast's window (`fengqiao staffing`).
pub async fn staffing(State(state): State<AppState>, Query(q): Q) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(
        &q,
        &[
            "dataset",
            "forecast",
            "window",
            "target_minutes",
            "level",
            "service_minutes",
            "history_days",
        ],
    )?;
    let mut req = fengqiao_app::staffing::StaffingRequest {
        dataset: q.get("dataset").cloned().or_else(|| state.default_dataset.clone()),
        ..Default::default()
    };
    if let Some(f) = q.get("forecast") {
        req.forecast = f.clone();
    }
    req.window = params::window(&q, &req.window)?;
    let number = |name: &str| params::number::<f64>(&q, name);
    if let Some(v) = number("target_minutes")? {
        req.target_minutes = v;
    }
    if let Some(v) = number("level")? {
        req.level = v;
    }
    if let Some(v) = number("service_minutes")? {
        req.default_service_minutes = v;
    }
    if let Some(v) = q.get("history_days") {
        req.history_days = v
            .parse()
            .map_err(|_| ApiError::invalid_parameter("history_days", v, "expected a whole number of days"))?;
    }
    let report = on_worker(&state, move |s| fengqiao_app::staffing::need(s, &req)).await??;
    Ok(axum::response::IntoResponse::into_response(axum::Json(report)))
}

pub async fn latest_plan(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    headers: axum::http::HeaderMap,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(&q, &["dataset", "format"])?;
    let dataset = q
        .get("dataset")
        .cloned()
        .or_else(|| state.default_dataset.clone())
        .ok_or_else(|| ApiError::invalid_parameter("dataset", "", "no dataset given and no default"))?;
    let format = q.get("format").cloned().unwrap_or_else(|| "json".into());
    let find = |st: AppState, dataset: String| async move {
        let ds = dataset.clone();
        let found = blocking(&st, move |s| s.latest_plan(&ds)).await?;
        found.ok_or_else(|| {
            ApiError::new(
                Code::NotFound,
                format!("no plan for dataset {dataset}; make one with `fengqiao plan --dataset {dataset}`"),
            )
        })
    };
    if !["json", "geojson"].contains(&format.as_str()) {
        // CSV downloads are rare and carry a file name: not kept.
        return plan_response(find(state.clone(), dataset).await?, Some(&format));
    }
    let key = format!("plan latest {dataset} {format}");
    let generation = state.store.incidents_generation();
    let st = state.clone();
    cached(&state, &headers, &who.username, key, generation, move || async move {
        let plan = find(st, dataset).await?;
        Ok(match format.as_str() {
            "geojson" => crate::cache::Answer::new(plan_geojson(plan).into_bytes(), "application/geo+json"),
            _ => crate::cache::Answer::json(&json!(plan)),
        })
    })
    .await
}

/// A plan's map layers; its ledger record rides along as a GeoJSON foreign member.
fn plan_geojson(plan: fengqiao_store::PlanRecord) -> String {
    match plan.plan.geojson.strip_prefix('{') {
        Some(rest) => format!("{{\"fengqiao_record\":\"plan/{}\",{rest}", plan.id),
        None => plan.plan.geojson,
    }
}

pub async fn plan_by_id(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(&q, &["format"])?;
    let n: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid_parameter("id", &id, "expected a plan id (a whole number)"))?;
    let found = blocking(&state, move |s| s.plan(n)).await?;
    let plan = found.ok_or_else(|| ApiError::new(Code::NotFound, format!("no plan with id {n}")))?;
    plan_response(plan, q.get("format").map(String::as_str))
}

fn plan_response(plan: fengqiao_store::PlanRecord, format: Option<&str>) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    match format.unwrap_or("json") {
        "json" => Ok(Json(plan).into_response()),
        "geojson" => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
            plan_geojson(plan),
        )
            .into_response()),
        "csv" => Ok((
            [
                (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"plan.csv\"",
                ),
            ],
            plan_csv(&plan),
        )
            .into_response()),
        other => Err(ApiError::invalid_parameter(
            "format",
            other,
            "expected json, geojson or csv",
        )),
    }
}

/// One row per unit and visit: where each unit stands and the rounds it drives.
fn plan_csv(plan: &fengqiao_store::PlanRecord) -> String {
    let field = |v: &Value| -> String {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = String::from("unit,type,station,lon,lat,visit,visit_lon,visit_lat,start,end\n");
    for u in plan.plan.body["units"].as_array().into_iter().flatten() {
        let head = [
            &u["id"],
            &u["type"],
            &u["station"],
            &u["position"][0],
            &u["position"][1],
        ]
        .map(field)
        .join(",");
        let visits = u["visits"].as_array().cloned().unwrap_or_default();
        if visits.is_empty() {
            out.push_str(&format!("{head},,,,,\n"));
        }
        for (i, v) in visits.iter().enumerate() {
            let tail = [&v["at"][0], &v["at"][1], &v["start"], &v["end"]].map(field).join(",");
            out.push_str(&format!("{head},{},{tail}\n", i + 1));
        }
    }
    out
}

/// The latest signed checkpoint of the transparency log: the C2SP note as
/// text, or with `format=json` its size, note and verifier key.
pub async fn ledger_checkpoint(
    State(state): State<AppState>,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    params::reject_unknown(&q, &["format", "size"])?;
    let size = optional_size(&q)?;
    let (cp, vkey) = blocking(&state, move |s| {
        Ok((
            fengqiao_store::ledger::cosigned_checkpoint(s, size)?,
            s.get_setting(fengqiao_store::ledger::VKEY_SETTING)?,
        ))
    })
    .await?;
    let (cp, note) = cp.ok_or_else(|| {
        ApiError::new(
            Code::NotFound,
            match size {
                Some(n) => format!("the ledger has no checkpoint of size {n}"),
                None => "the ledger has no checkpoint yet".into(),
            },
        )
    })?;
    match q.get("format").map_or("text", String::as_str) {
        "text" => Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response()),
        "json" => {
            Ok(Json(json!({"size": cp.size, "note": note, "created_at": cp.created_at, "vkey": vkey})).into_response())
        }
        other => Err(ApiError::invalid_parameter("format", other, "expected text or json")),
    }
}

/// Whether `who` may read record `kind/id`, and so its ledger entry (who
/// wrote it and when): the ledger tells nothing of a record out of scope.
async fn may_read_record(
    state: &AppState,
    who: &fengqiao_auth::Principal,
    kind: &str,
    id: &str,
) -> Result<bool, ApiError> {
    use fengqiao_auth::{Permission, Scope};
    let allows = |p: Permission| state.policy.allows(&who.role, p);
    let Ok(n) = id.parse::<i64>() else {
        return Ok(false);
    };
    let case_in_scope = |case_id: Option<i64>| async move {
        let Some(case_id) = case_id else { return Ok(false) };
        let case = blocking(state, move |s| s.case(case_id)).await?;
        Ok::<bool, ApiError>(case.is_some_and(|c| crate::cases::in_scope(state, who, &c)))
    };
    Ok(match kind {
        "incident" if allows(Permission::IncidentsRead) => match params::scoped_jurisdiction(state, who, None)? {
            None => true,
            Some(own) => {
                let code = blocking(state, move |s| {
                    let Some(j) = s.incident(n)?.and_then(|i| i.record.jurisdiction_id) else {
                        return Ok(None);
                    };
                    Ok(s.jurisdictions()?
                        .into_iter()
                        .find(|r| r.jurisdiction.id == j)
                        .map(|r| r.jurisdiction.code))
                })
                .await?;
                code.is_some_and(|c| c.starts_with(own.as_str()))
            }
        },
        "forecast" => allows(Permission::ForecastsRead),
        "plan" => allows(Permission::PlansRead),
        "case" if allows(Permission::CasesRead) => case_in_scope(Some(n)).await?,
        "attachment" if allows(Permission::CasesRead) => {
            let case_id = blocking(state, move |s| s.attachment_case(n)).await?;
            case_in_scope(case_id).await?
        }
        "volunteer" | "activity" => allows(Permission::VolunteersRead),
        "user" | "login" => allows(Permission::UsersAdmin),
        _ => state.policy.scope(&who.role) == Scope::All,
    })
}

/// Inclusion proof of a record (`record=incident/42`) to the latest checkpoint.
pub async fn ledger_proof(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    params::reject_unknown(&q, &["record", "format"])?;
    let record = q.get("record").cloned().unwrap_or_default();
    let Some((kind, id)) = record
        .split_once(['/', ' '])
        .map(|(a, b)| (a.to_string(), b.to_string()))
    else {
        return Err(ApiError::invalid_parameter(
            "record",
            &record,
            "expected TYPE/ID, e.g. incident/42",
        ));
    };
    let (k, i) = (kind.clone(), id.clone());
    let readable = may_read_record(&state, &who, &kind, &id).await?;
    let proof = match readable {
        true => blocking(&state, move |s| fengqiao_store::ledger::inclusion(s, &k, &i)).await?,
        // Out of scope reads as absent, as the record itself does.
        false => None,
    };
    let proof =
        proof.ok_or_else(|| ApiError::new(Code::NotFound, format!("no checkpointed ledger entry for {kind} {id}")))?;
    match q.get("format").map_or("json", String::as_str) {
        "json" => Ok(Json(proof).into_response()),
        "text" => Ok((
            [(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            proof.to_text(),
        )
            .into_response()),
        other => Err(ApiError::invalid_parameter("format", other, "expected json or text")),
    }
}

fn optional_size(q: &HashMap<String, String>) -> Result<Option<u64>, ApiError> {
    q.get("size")
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::invalid_parameter("size", v, "expected a tree size (a whole number)"))
        })
        .transpose()
}

/// A witness hands in its cosignature lines (the body a C2SP tlog-witness
/// returns from add-checkpoint) for the latest checkpoint or `size`. Only
/// configured witnesses are accepted, and only signatures that verify; all
/// lines are stored or none.
pub async fn ledger_cosignatures(
    State(state): State<AppState>,
    Query(q): Q,
    body: String,
) -> Result<Json<Value>, ApiError> {
    use fengqiao_store::ledger::CosignError;
    params::reject_unknown(&q, &["size"])?;
    let size = optional_size(&q)?;
    let out = on_worker(&state, move |s| {
        fengqiao_store::ledger::add_cosignatures(s, size, &body)
    })
    .await?;
    let e = match out {
        Ok(names) => return Ok(Json(json!({"accepted": names}))),
        Err(CosignError::Store(e)) => return Err(ApiError::from(e)),
        Err(e) => e,
    };
    let code = match e {
        CosignError::NoCheckpoint => Code::NotFound,
        CosignError::UnknownWitness { .. } => Code::UnknownWitness,
        CosignError::BadSignature { .. } => Code::BadCosignature,
        CosignError::Malformed { .. } | CosignError::Store(_) => Code::MalformedCosignature,
    };
    Err(ApiError::new(code, e.to_string()))
}

/// Consistency proof between two sizes of the log (`old`, `new`).
pub async fn ledger_consistency(State(state): State<AppState>, Query(q): Q) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["old", "new"])?;
    let size = |k: &str| -> Result<u64, ApiError> {
        let v = q.get(k).cloned().unwrap_or_default();
        v.parse()
            .map_err(|_| ApiError::invalid_parameter(k, &v, "expected a tree size (a whole number)"))
    };
    let (old, new) = (size("old")?, size("new")?);
    let out = blocking(&state, move |s| fengqiao_store::ledger::consistency(s, old, new)).await?;
    out.map(Json).ok_or_else(|| {
        ApiError::new(
            Code::NoProof,
            format!("no consistency proof from {old} to {new}: sizes must satisfy 0 < old <= new <= the log's size"),
        )
    })
}

/// C2SP tlog-tiles read path: `tile/<L>/<N>[.p/<W>]` (concatenated 32-byte
/// hashes) and `tile/entries/<N>[.p/<W>]` (entries, each with a big-endian
/// uint16 length), for the tree of the latest checkpoint.
pub async fn ledger_tile(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    axum::extract::Path(path): axum::extract::Path<String>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let full = format!("tile/{path}");
    let Some((level, index, width)) = fengqiao_tlog::tiles::parse_tile_path(&full) else {
        return Err(ApiError::invalid_parameter(
            "path",
            &full,
            "expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]",
        ));
    };
    // Entries name every record and who wrote it: only for roles that see
    // every record (auditors, witnesses); hashes are for everyone.
    if level.is_none() && state.policy.scope(&who.role) != fengqiao_auth::Scope::All {
        return Err(ApiError::new(
            Code::OutOfScope,
            format!("role {} sees only some records, so not the log's entries", who.role),
        ));
    }
    let body = blocking(&state, move |s| match level {
        Some(l) => fengqiao_store::ledger::tile_bytes(s, l, index, width),
        None => fengqiao_store::ledger::entry_bundle(s, index, width),
    })
    .await?;
    let body = body.ok_or_else(|| ApiError::new(Code::NotFound, format!("no {full} in the latest checkpoint")))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/octet-stream")], body).into_response())
}

/// Most shuffles a request may ask for (the command line allows more).
const NEAR_REPEAT_MAX_ITERATIONS: usize = 999;

/// The near-repeat Knox test of a category's incidents over a period, with
/// cocoon zones backtested on them: counts only, no incident or place.
pub async fn near_repeat(State(state): State<AppState>, Query(q): Q) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(
        &q,
        &[
            "dataset",
            "category",
            "from",
            "to",
            "space_band",
            "space_bands",
            "time_band",
            "time_bands",
            "iterations",
            "distance",
            "zones",
            "seed",
        ],
    )?;
    fn number<T: std::str::FromStr>(q: &HashMap<String, String>, name: &str, default: T) -> Result<T, ApiError> {
        q.get(name).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| ApiError::invalid_parameter(name, v, "expected a number"))
        })
    }
    let date = |name: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        q.get(name)
            .map(|v| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| ApiError::invalid_parameter(name, v, "expected a date YYYY-MM-DD"))
            })
            .transpose()
    };
    let category = q
        .get("category")
        .cloned()
        .ok_or_else(|| ApiError::invalid_parameter("category", "", "a category code is required"))?;
    let iterations = number(&q, "iterations", 99usize)?;
    if iterations > NEAR_REPEAT_MAX_ITERATIONS {
        return Err(ApiError::invalid_parameter(
            "iterations",
            &iterations.to_string(),
            format!("at most {NEAR_REPEAT_MAX_ITERATIONS}"),
        ));
    }
    let req = fengqiao_app::near_repeat::NearRepeatRequest {
        input: None,
        profile: None,
        map: None,
        dataset: q.get("dataset").cloned().or_else(|| state.default_dataset.clone()),
        category: Some(category),
        from: date("from")?,
        to: date("to")?,
        space_band: number(&q, "space_band", 100.0)?,
        space_bands: number(&q, "space_bands", 3)?,
        time_band: number(&q, "time_band", 7)?,
        time_bands: number(&q, "time_bands", 3)?,
        iterations,
        distance: q.get("distance").cloned().unwrap_or_else(|| "manhattan".into()),
        seed: number(&q, "seed", 1)?,
        first: None,
        zones: q
            .get("zones")
            .map(|z| z.split(',').filter(|s| !s.is_empty()).map(String::from).collect())
            .unwrap_or_default(),
        stations: 0,
    };
    let category = req.category.clone();
    let out = on_worker(&state, move |s| fengqiao_app::near_repeat::near_repeat_in(s, &req)).await??;
    let r = &out.result;
    Ok(axum::response::IntoResponse::into_response(Json(json!({
        "source": out.source,
        "category": category,
        "seconds": out.seconds,
        "config": r.config,
        "events": r.events,
        "pairs": r.pairs,
        "space": r.space,
        "time": r.time,
        "observed": r.observed,
        "expected": r.expected,
        "ratio": r.ratio,
        "p_value": r.p_value,
        "findings": r.findings(),
        "suggested_zone": out.suggested,
        "zones": out.zones,
    }))))
}
