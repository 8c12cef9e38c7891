//! 防范: cocoon alert zones in force, their rules, and the public's view of
//! them (areas and dates only, never a place).

use crate::api::{Q, on_worker};
use crate::{ApiError, AppState, params};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use fengqiao_forecast::cocoon::ZoneRule;
use serde::Deserialize;
use serde_json::{Value, json};

/// `GET /api/v1/alert-zones`: the zones open now, the rules in force, and
/// the rounds of warnings of the last `days` (30) days; kept until the
/// next write (a few seconds at most as zones close).
pub async fn zones(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<fengqiao_auth::Principal>,
    headers: axum::http::HeaderMap,
    Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    params::reject_unknown(&q, &["dataset", "days"])?;
    let dataset = q.get("dataset").cloned().or_else(|| state.default_dataset.clone());
    let days: i64 = match q.get("days") {
        None => 30,
        Some(v) => v
            .parse()
            .ok()
            .filter(|d| (1..=fengqiao_app::prevention::MAX_REPORT_DAYS).contains(d))
            .ok_or_else(|| ApiError::invalid_parameter("days", v, "a whole number of days, 1 to 366"))?,
    };
    let key = format!("alert zones {dataset:?} {days}");
    let generation = state.store.generation();
    let st = state.clone();
    crate::api::cached(&state, &headers, &who.username, key, generation, move || async move {
        let categories = st.categories.clone();
        let (zones, rules, rounds) = on_worker(&st, move |s| -> fengqiao_app::Result<_> {
            let now = chrono::Utc::now();
            let dataset = fengqiao_app::forecast::resolve_dataset(s, dataset.as_deref())?;
            let zones = fengqiao_app::prevention::open_zones(s, &categories, &dataset, now)?;
            let rounds = fengqiao_app::prevention::rounds_report(s, days, now)?;
            Ok((zones, fengqiao_app::prevention::rules(s, &categories)?, rounds))
        })
        .await??;
        let rules: Vec<Value> = rules
            .iter()
            .map(|(c, r)| json!({"category": c, "radius_m": r.radius_m, "days": r.days}))
            .collect();
        Ok(crate::cache::Answer::json(
            &json!({"items": zones, "rules": rules, "rounds": rounds}),
        ))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleChange {
    category: String,
    /// Both, or neither to turn the category's zones off.
    radius_m: Option<f64>,
    days: Option<u32>,
}

/// `POST /api/v1/alert-zones/rules`: a category's zone from now on.
pub async fn set_rule(State(state): State<AppState>, raw: axum::body::Bytes) -> Result<StatusCode, ApiError> {
    let change: RuleChange = crate::body::json(&raw)?;
    let rule = match (change.radius_m, change.days) {
        (Some(r), Some(d)) => Some(ZoneRule::parse(&format!("{r}x{d}")).ok_or_else(|| {
            ApiError::invalid_parameter("radius_m", &r.to_string(), "a zone is 1 to 5000 m for 1 to 90 days")
        })?),
        (None, None) => None,
        _ => {
            return Err(ApiError::invalid_parameter(
                "days",
                "",
                "give radius_m and days together, or neither to turn the zones off",
            ));
        }
    };
    let categories = state.categories.clone();
    let (settings, dataset) = (state.settings.clone(), state.default_dataset.clone());
    on_worker(&state, move |s| -> fengqiao_app::Result<()> {
        fengqiao_app::prevention::set_rule(s, &categories, &change.category, rule)?;
        // Zones the new rule opens get their rounds of warnings at once.
        if let Some(dataset) = dataset {
            let opened = fengqiao_app::prevention::open_visit_tasks(
                s,
                &settings.cases,
                &categories,
                &dataset,
                chrono::Utc::now(),
            )?;
            if !opened.is_empty() {
                fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
            }
        }
        Ok(())
    })
    .await??;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/public/alerts`: for the public page, each area under a
/// zone of a category and until when — no place, no incident. Kept until
/// the next write (and a few seconds at most as zones close), so anyone
/// may ask as often as they like.
pub async fn public_alerts(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    let client = crate::client_ip(&state, peer.ip(), &headers).to_string();
    let generation = state.store.generation();
    let st = state.clone();
    crate::api::cached(
        &state,
        &headers,
        &client,
        "public alerts".into(),
        generation,
        move || async move { Ok(crate::cache::Answer::json(&alert_lines(&st).await?)) },
    )
    .await
}

async fn alert_lines(state: &AppState) -> Result<Value, ApiError> {
    let categories = state.categories.clone();
    let dataset = state.default_dataset.clone();
    let zones = on_worker(state, move |s| -> fengqiao_app::Result<_> {
        let Ok(dataset) = fengqiao_app::forecast::resolve_dataset(s, dataset.as_deref()) else {
            return Ok(Vec::new());
        };
        fengqiao_app::prevention::open_zones(s, &categories, &dataset, chrono::Utc::now())
    })
    .await??;
    // One line per area and category, open until the last of its zones closes.
    let mut lines: std::collections::BTreeMap<(String, String), Value> = std::collections::BTreeMap::new();
    for z in &zones {
        let Some(area) = &z.area else { continue };
        let cat = state.categories.all().iter().find(|c| c.code == z.category);
        let key = (area.code.clone(), z.category.clone());
        let until = lines
            .get(&key)
            .and_then(|v| v["until"].as_str().map(String::from))
            .map_or(z.closes_at.to_rfc3339(), |u| u.max(z.closes_at.to_rfc3339()));
        lines.insert(
            key,
            json!({
                "area": {"code": area.code, "name_zh": area.name_zh, "name_en": area.name_en},
                "category": {"code": z.category, "name_zh": cat.map(|c| c.zh.clone()), "name_en": cat.map(|c| c.en.clone())},
                "until": until,
            }),
        );
    }
    Ok(json!({"items": lines.into_values().collect::<Vec<_>>()}))
}
