//! The public channel (最多跑一次) for citizens without an account: the
//! request categories, submitting a request (limited per address), and
//! following and rating it with the tracking token handed out once. What a
//! citizen sees is where the request is and when it moved, never who
//! handled it or anyone's personal data.

use crate::error::ApiError;
use crate::{AppState, body};
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use fengqiao_store::cases::{CaseRecord, NewCase, Party, token_hash};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

/// Requests one address may submit per hour.
pub const SUBMISSIONS_PER_HOUR: usize = 10;

pub async fn services(State(state): State<AppState>) -> Json<Value> {
    let t = state.cases.case_type("request");
    let items: Vec<Value> = t
        .map(|t| {
            t.categories
                .iter()
                .map(|c| {
                    let [zh, en] = t
                        .category_names
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| [c.clone(), c.clone()]);
                    json!({"code": c, "zh": zh, "en": en})
                })
                .collect()
        })
        .unwrap_or_default();
    Json(json!({"items": items}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Submission {
    category: String,
    description: String,
    address: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
    name: Option<String>,
    phone: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !state.submissions.allow(peer.ip()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("at most {SUBMISSIONS_PER_HOUR} requests an hour from one address"),
        ));
    }
    let s: Submission = body::json(&raw)?;
    let description = s.description.trim().to_string();
    if description.is_empty() || description.chars().count() > 2000 {
        return Err(ApiError::invalid_parameter("description", "", "1 to 2,000 characters"));
    }
    let address = s.address.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    match (s.lon, s.lat) {
        (Some(lon), Some(lat)) if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) => {}
        (None, None) if address.is_some() => {}
        _ => {
            return Err(ApiError::invalid_parameter(
                "address",
                "",
                "give an address, or lon and lat (WGS84 degrees)",
            ));
        }
    }
    if let Some(p) = s.phone.as_deref().filter(|p| !p.is_empty())
        && !(5..=20).contains(&p.len())
    {
        return Err(ApiError::invalid_parameter("phone", p, "5 to 20 characters"));
    }
    let parties = match (
        s.name.filter(|n| !n.trim().is_empty()),
        s.phone.filter(|p| !p.is_empty()),
    ) {
        (None, None) => Vec::new(),
        (name, phone) => vec![Party {
            role: "reporter".into(),
            name: name.unwrap_or_else(|| "(anonymous)".into()),
            phone,
            id_number: None,
            address: None,
            vulnerable: false,
        }],
    };
    let (token, hash) = fengqiao_store::cases::new_tracking_token().map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("no randomness: {e}"),
        )
    })?;
    let title = state
        .cases
        .case_type("request")
        .and_then(|t| t.category_names.get(&s.category))
        .map_or(s.category.clone(), |[zh, _]| zh.clone());
    let new = NewCase {
        case_type: "request".into(),
        category: s.category,
        title,
        description,
        jurisdiction: None,
        address,
        lon: s.lon,
        lat: s.lat,
        origin: "web".into(),
        parties,
        stock: None,
        risk_grade: None,
        risk: None,
        token_hash: Some(hash),
        in_person_visits: 0,
        incident_id: None,
    };
    let config = state.cases.clone();
    let opened = crate::api::on_worker(&state, move |st| {
        fengqiao_store::cases::open_case(st, &config, &new, "citizen", "citizen:web", chrono::Utc::now())
    })
    .await?
    .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "refused", e.to_string()))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"code": opened.code, "token": token, "due_at": opened.state.due_at})),
    ))
}

fn view(state: &AppState, c: &CaseRecord, events: &[fengqiao_cases::Event]) -> Value {
    let t = state.cases.case_type(&c.case.case_type);
    let stage = |code: &str| {
        t.and_then(|t| t.stage(code))
            .map_or(json!({"code": code}), |s| json!({"code": code, "zh": s.zh, "en": s.en}))
    };
    json!({
        "code": c.code, "category": c.case.category, "title": c.case.title,
        "stage": stage(&c.state.stage), "status": if c.state.closed_at.is_some() { "closed" } else { "open" },
        "opened_at": c.state.opened_at, "due_at": c.state.due_at, "rating": c.state.rating,
        "can_rate": c.state.closed_at.is_some() && c.state.rating.is_none(),
        "history": events.iter().map(|e| json!({"at": e.at, "stage": stage(&e.to_stage)})).collect::<Vec<_>>(),
    })
}

async fn by_token(state: &AppState, token: &str) -> Result<(CaseRecord, Vec<fengqiao_cases::Event>), ApiError> {
    let hash = token_hash(token);
    let found = crate::api::blocking(state, move |s| {
        let Some(c) = s.case_by_token(&hash)? else {
            return Ok(None);
        };
        let events = s.case_events(c.id)?;
        Ok(Some((c, events)))
    })
    .await?;
    found.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no request with that tracking token".into(),
        )
    })
}

pub async fn follow(State(state): State<AppState>, Path(token): Path<String>) -> Result<Json<Value>, ApiError> {
    let (c, events) = by_token(&state, &token).await?;
    Ok(Json(view(&state, &c, &events)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rating {
    rating: u8,
}

pub async fn rate(
    State(state): State<AppState>,
    Path(token): Path<String>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let r: Rating = body::json(&raw)?;
    let (c, _) = by_token(&state, &token).await?;
    let cmd = fengqiao_cases::Command {
        action: "rate".into(),
        role: "citizen".into(),
        actor: "citizen:web".into(),
        rating: Some(r.rating),
        ..Default::default()
    };
    let config = state.cases.clone();
    let (after, _) = crate::api::on_worker(&state, move |s| {
        fengqiao_store::cases::act(s, &config, c.id, None, &cmd, chrono::Utc::now())
    })
    .await?
    .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", e.to_string()))?;
    let events = crate::api::blocking(&state, move |s| s.case_events(after.id)).await?;
    let (c, _) = by_token(&state, &token).await?;
    Ok(Json(view(&state, &c, &events)))
}

/// Submissions per client address in the last hour.
#[derive(Debug, Default)]
pub struct Submissions {
    seen: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, Vec<std::time::Instant>>>,
}

impl Submissions {
    fn allow(&self, ip: std::net::IpAddr) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let list = seen.entry(ip).or_default();
        list.retain(|t| t.elapsed() < std::time::Duration::from_secs(3600));
        if list.len() >= SUBMISSIONS_PER_HOUR {
            return false;
        }
        list.push(std::time::Instant::now());
        true
    }
}
