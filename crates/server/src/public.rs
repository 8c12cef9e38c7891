//! The public channel (最多跑一次) for citizens without an account: the
//! request categories, submitting a request (limited per address), and
//! following and rating it with the tracking token handed out once. What a
//! citizen sees is where the request is and when it moved, never who
//! handled it or anyone's personal data.

use crate::error::{ApiError, Code};
use crate::{AppState, body};
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use fengqiao_store::cases::{CaseRecord, Party, token_hash};
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
    Json(json!({"items": items, "timezone": state.timezone.name()}))
}

/// `GET /api/v1/public/map`: the towns' boundaries for the page's map (public
/// administrative areas, nothing else) and the base-map tiles, if any.
pub async fn map(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let all = crate::api::blocking(&state, |s| s.jurisdictions()).await?;
    let features: Vec<Value> = all
        .into_iter()
        .filter(|j| matches!(j.jurisdiction.level, fengqiao_domain::Level::Town | fengqiao_domain::Level::Village))
        .map(|j| {
            let geometry: Value = serde_json::from_str(&j.geometry).unwrap_or(Value::Null);
            json!({"type": "Feature", "id": j.jurisdiction.code, "geometry": geometry,
                   "properties": {"name_zh": j.jurisdiction.name_zh, "name_en": j.jurisdiction.name_en, "level": j.jurisdiction.level}})
        })
        .collect();
    Ok(Json(json!({
        "type": "FeatureCollection", "features": features, "tiles": state.tiles,
    })))
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
    headers: axum::http::HeaderMap,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let client = crate::client_ip(&state, peer.ip(), &headers);
    if !state.submissions.has_room(client) {
        return Err(ApiError::new(
            Code::Throttled,
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
            id_type: None,
        }],
    };
    let title = state
        .cases
        .case_type("request")
        .and_then(|t| t.category_names.get(&s.category))
        .map_or(s.category.clone(), |[zh, _]| zh.clone());
    let req = fengqiao_app::cases::OpenCase {
        case_type: "request".into(),
        category: s.category,
        title,
        description,
        // The application routes it: a pin by the area it falls in, a typed address by the area it names.
        jurisdiction: None,
        address,
        lon: s.lon,
        lat: s.lat,
        parties,
        stock: None,
        threats: false,
        risk_grade: None,
        in_person_visits: 0,
        incident_id: None,
        origin: Some("web".into()),
    };
    let settings = state.settings.clone();
    let citizen = fengqiao_app::cases::Actor {
        role: "citizen".into(),
        username: "citizen:web".into(),
    };
    let opened = crate::api::on_worker(&state, move |st| {
        fengqiao_app::cases::open(st, &settings.cases, req, &citizen, chrono::Utc::now())
    })
    .await??;
    // Only what was accepted counts against the address's hourly quota.
    state.submissions.record(client);
    Ok((
        StatusCode::CREATED,
        Json(json!({"code": opened.case.code, "token": opened.tracking_token, "due_at": opened.case.state.due_at})),
    ))
}

/// The code of the deepest area a point falls in, if any: where a pinned
/// request is routed, whichever channel it came by.
pub(crate) async fn route_pin(state: &AppState, lon: f64, lat: f64) -> Result<Option<String>, ApiError> {
    Ok(crate::api::on_worker(state, move |st| fengqiao_app::cases::route_point(st, lon, lat)).await??)
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
    found.ok_or_else(|| ApiError::new(Code::NotFound, "no request with that tracking token".into()))
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
    .map_err(|e| ApiError::from(fengqiao_app::Error::from(e)))?;
    let events = crate::api::blocking(&state, move |s| s.case_events(after.id)).await?;
    let (c, _) = by_token(&state, &token).await?;
    Ok(Json(view(&state, &c, &events)))
}

/// Largest photo a citizen may add.
pub const PHOTO_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Photos per request.
const PHOTOS_PER_REQUEST: usize = 3;
const PHOTO_ACTOR: &str = "citizen:web";

/// The image type the bytes really are (by their first bytes), if allowed.
fn image_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    fengqiao_app::attachments::sniff(bytes).filter(|(t, _)| t.starts_with("image/"))
}

/// `POST /api/v1/public/requests/{token}/photos`: a photo of the problem,
/// its bytes as the body. Kept under its SHA-256 and logged like any
/// attachment; at most three per request, only while it is open.
pub async fn photo(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (c, _) = by_token(&state, &token).await?;
    let unsupported = |why: String| ApiError::new(Code::UnsupportedMediaType, why);
    let Some((media_type, ext)) = image_type(&raw) else {
        return Err(unsupported(
            "the body must be a JPEG, PNG or WebP image (its bytes are not one)".into(),
        ));
    };
    if declared.split(';').next().unwrap_or("").trim() != media_type {
        return Err(unsupported(format!(
            "Content-Type {declared:?} does not match the image's bytes ({media_type})"
        )));
    }
    if c.state.closed_at.is_some() {
        return Err(ApiError::new(
            Code::Closed,
            "the request is closed; photos are taken while it is open".into(),
        ));
    }
    let dir = state
        .files_dir
        .clone()
        .ok_or_else(|| ApiError::new(Code::Unavailable, "this server takes no uploads".into()))?;
    let case_id = c.id;
    let added = crate::api::on_worker(&state, move |s| -> fengqiao_app::Result<Option<(i64, String, u64)>> {
        let existing = s.attachments(case_id)?;
        let photos = existing.iter().filter(|(_, a)| a.added_by == PHOTO_ACTOR).count();
        if photos >= PHOTOS_PER_REQUEST {
            return Ok(None);
        }
        let (sha256, size) = fengqiao_store::files::store_bytes(&dir, &raw)?;
        let a = fengqiao_store::cases::Attachment {
            file_name: format!("photo-{}.{ext}", photos + 1),
            media_type: media_type.into(),
            sha256: sha256.clone(),
            size,
            added_by: PHOTO_ACTOR.into(),
            added_at: chrono::Utc::now(),
        };
        let id = s.add_attachment(case_id, &a)?;
        Ok(Some((id, sha256, size)))
    })
    .await??;
    let Some((id, sha256, size)) = added else {
        return Err(ApiError::new(
            Code::TooManyPhotos,
            format!("a request takes at most {PHOTOS_PER_REQUEST} photos"),
        ));
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "sha256": sha256, "size": size, "media_type": media_type})),
    ))
}

/// Submissions per client address in the last hour.
#[derive(Debug, Default)]
pub struct Submissions {
    seen: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, Vec<std::time::Instant>>>,
}

impl Submissions {
    fn recent(&self, ip: std::net::IpAddr) -> usize {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let list = seen.entry(ip).or_default();
        list.retain(|t| t.elapsed() < std::time::Duration::from_secs(3600));
        let n = list.len();
        if n == 0 {
            seen.remove(&ip);
        }
        n
    }

    /// Whether this address may submit one more request this hour.
    pub(crate) fn has_room(&self, ip: std::net::IpAddr) -> bool {
        self.recent(ip) < SUBMISSIONS_PER_HOUR
    }

    /// Counts an accepted submission.
    pub(crate) fn record(&self, ip: std::net::IpAddr) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, l| l.iter().any(|t| t.elapsed() < std::time::Duration::from_secs(3600)));
        }
        seen.entry(ip).or_default().push(std::time::Instant::now());
    }
}
