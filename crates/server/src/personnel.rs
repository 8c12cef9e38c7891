//! The personnel registry and leave over HTTP, with the rules of
//! [`fengqiao_app::personnel`]: a reader sees the stations of their
//! jurisdiction, names and phones masked unless their role handles
//! personal data.

use crate::api::{Q, on_worker};
use crate::error::{ApiError, Code};
use crate::{AppState, params};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fengqiao_app::personnel::{self, Filter, Viewer};
use fengqiao_auth::Principal;
use fengqiao_domain::personnel::{LEAVE_KINDS, QUALIFICATIONS, StaffKind};
use fengqiao_store::personnel::{NewLeave, NewPerson};
use serde_json::{Value, json};

/// Largest personnel export the import route reads.
pub const IMPORT_MAX_BYTES: usize = 2 * 1024 * 1024;

fn viewer(state: &AppState, who: &Principal) -> Viewer {
    Viewer::of(who, &state.policy, &state.cases)
}

fn today(state: &AppState) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&state.timezone).date_naive()
}

fn id_of(what: &str, id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::invalid_parameter("id", id, format!("expected a {what} id (a whole number)")))
}

/// `GET /api/v1/duty`: the shift types, duty patterns and levels, roster rules, staff kinds,
/// qualifications and kinds of leave, for forms and rosters.
pub async fn duty(State(state): State<AppState>) -> Json<Value> {
    let duty = &state.settings.city.duty;
    let pairs = |list: &[(&str, &str)]| -> Vec<Value> {
        list.iter()
            .map(|(code, zh)| json!({"code": code, "name_zh": zh}))
            .collect()
    };
    Json(json!({
        "shifts": duty.shifts,
        "rules": duty.rules,
        "levels": duty.levels,
        "patterns": duty.patterns,
        "default_pattern": fengqiao_app::roster::DEFAULT_PATTERN,
        "kinds": StaffKind::ALL.iter().map(|k| json!({"code": k.as_str(), "name_zh": k.zh(), "sworn": k.is_sworn()})).collect::<Vec<_>>(),
        "qualifications": pairs(&QUALIFICATIONS),
        "leave_kinds": pairs(&LEAVE_KINDS),
        "timezone": state.timezone.name(),
        "today": today(&state),
    }))
}

/// `GET /api/v1/personnel`: the registry as the reader may see it, with
/// the stations they may see; `station=` one of them, `all=true` those who
/// left too.
pub async fn list(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["station", "all"])?;
    let all = match q.get("all").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => return Err(ApiError::invalid_parameter("all", v, "expected true or false")),
    };
    let filter = Filter {
        station: q.get("station").filter(|s| !s.is_empty()).cloned(),
        all,
    };
    let viewer = viewer(&state, &who);
    let day = today(&state);
    let (items, stations) = on_worker(&state, move |s| -> fengqiao_app::Result<_> {
        let items = personnel::list(s, &viewer, &filter, day)?;
        let stations: Vec<Value> = personnel::stations(s)?
            .into_iter()
            .filter(|f| viewer.sees(f))
            .map(|f| json!({"code": f.code, "name_zh": f.name_zh, "name_en": f.name_en}))
            .collect();
        Ok((items, stations))
    })
    .await??;
    Ok(Json(json!({"items": items, "stations": stations, "today": day})))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonBody {
    badge: String,
    name: String,
    kind: String,
    station: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    qualifications: Vec<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default = "forty")]
    weekly_hours: u8,
    #[serde(default)]
    shifts: Vec<String>,
    /// Updates only: the version read, and whether still on the strength.
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    active: Option<bool>,
}

fn forty() -> u8 {
    40
}

impl PersonBody {
    fn person(&self) -> Result<NewPerson, ApiError> {
        let kind = personnel::staff_kind(&self.kind)?;
        Ok(NewPerson {
            badge: self.badge.clone(),
            name: self.name.clone(),
            kind,
            station: self.station.clone(),
            team: self.team.clone(),
            qualifications: self.qualifications.clone(),
            phone: self.phone.clone(),
            weekly_hours: self.weekly_hours,
            shifts: self.shifts.clone(),
        })
    }
}

/// `POST /api/v1/personnel`: add a member of staff (logged).
pub async fn add(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b: PersonBody = crate::body::json(&raw)?;
    let p = b.person()?;
    let viewer = viewer(&state, &who);
    let duty = state.settings.city.duty.clone();
    let id = on_worker(&state, move |s| {
        personnel::add(s, &duty, &viewer, &p, &who.username, chrono::Utc::now())
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/personnel/{id}`: rewrite a member of staff at the version
/// read (a transfer, a qualification, leaving the strength); logged.
pub async fn update(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = id_of("person", &id)?;
    let b: PersonBody = crate::body::json(&raw)?;
    let p = b.person()?;
    let version = b.version.ok_or_else(|| {
        let mut e = ApiError::new(
            Code::InvalidBody,
            "request body: `version` (the version read) is required".into(),
        );
        e.details = json!({"field": "version"});
        e
    })?;
    let active = b.active.unwrap_or(true);
    let viewer = viewer(&state, &who);
    let duty = state.settings.city.duty.clone();
    let person = on_worker(&state, move |s| {
        personnel::update(
            s,
            &duty,
            &viewer,
            id,
            &p,
            active,
            version,
            &who.username,
            chrono::Utc::now(),
        )
    })
    .await??;
    Ok(Json(json!(person)))
}

/// `POST /api/v1/personnel/import`: a personnel export (CSV, UTF-8) added
/// in one go — every row or none.
pub async fn import(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    headers: axum::http::HeaderMap,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let media = crate::body::media_type(&headers);
    if media.as_deref() != Some("text/csv") {
        return Err(crate::body::unsupported(media, "text/csv"));
    }
    let viewer = viewer(&state, &who);
    let duty = state.settings.city.duty.clone();
    let summary = on_worker(&state, move |s| {
        personnel::import_csv(s, &duty, &viewer, &raw, &who.username, chrono::Utc::now())
    })
    .await??;
    Ok(Json(json!(summary)))
}

/// `GET /api/v1/leave`: leave overlapping local days `[from, to]` (default:
/// today and the 27 days after) of the people the reader may see.
pub async fn leave(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["from", "to"])?;
    let day = |k: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        q.get(k)
            .map(|v| {
                v.parse()
                    .map_err(|_| ApiError::invalid_parameter(k, v, "expected a local day YYYY-MM-DD"))
            })
            .transpose()
    };
    let from = day("from")?.unwrap_or_else(|| today(&state));
    let to = day("to")?.unwrap_or(from + chrono::Duration::days(27));
    let viewer = viewer(&state, &who);
    let items = on_worker(&state, move |s| personnel::leave(s, &viewer, from, to)).await??;
    Ok(Json(json!({"from": from, "to": to, "items": items})))
}

/// `POST /api/v1/leave`: record leave (logged).
pub async fn add_leave(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let l: NewLeave = crate::body::json(&raw)?;
    let viewer = viewer(&state, &who);
    let id = on_worker(&state, move |s| {
        personnel::add_leave(s, &viewer, &l, &who.username, chrono::Utc::now())
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/leave/{id}/cancel`: cancel leave (logged).
pub async fn cancel_leave(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = id_of("leave", &id)?;
    let viewer = viewer(&state, &who);
    let l = on_worker(&state, move |s| {
        personnel::cancel_leave(s, &viewer, id, &who.username, chrono::Utc::now())
    })
    .await??;
    Ok(Json(json!(l)))
}

/// `GET /api/v1/rosters?station=`: a station's rosters, newest first.
pub async fn rosters(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    params::reject_unknown(&q, &["station"])?;
    let station = q
        .get("station")
        .filter(|s| !s.is_empty())
        .cloned()
        .ok_or_else(|| ApiError::invalid_parameter("station", "", "a station's code, e.g. ?station=PS01"))?;
    let viewer = viewer(&state, &who);
    let items = on_worker(&state, move |s| fengqiao_app::roster::list(s, &viewer, &station)).await??;
    Ok(Json(json!({"items": items})))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterBody {
    station: String,
    first_day: Option<chrono::NaiveDate>,
    weeks: Option<u32>,
    pattern: Option<PatternField>,
    history_weeks: Option<u32>,
    target_minutes: Option<f64>,
    level: Option<f64>,
    seconds: Option<f64>,
}

/// A duty pattern's code, or the shift codes of one made up on the spot.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum PatternField {
    Code(String),
    Shifts(Vec<String>),
}

/// `POST /api/v1/rosters`: build a draft roster for a station (logged).
pub async fn build_roster(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b: RosterBody = crate::body::json(&raw)?;
    let now = chrono::Utc::now();
    let mut req = fengqiao_app::roster::BuildRequest::new(&b.station, now);
    req.first_day = b.first_day;
    req.weeks = b.weeks.unwrap_or(req.weeks);
    req.pattern = match b.pattern {
        Some(PatternField::Code(code)) => vec![code],
        Some(PatternField::Shifts(codes)) => codes,
        None => req.pattern,
    };
    req.demand.history_weeks = b.history_weeks.unwrap_or(req.demand.history_weeks);
    req.demand.target_minutes = b.target_minutes.unwrap_or(req.demand.target_minutes);
    req.demand.level = b.level.unwrap_or(req.demand.level);
    req.seconds = match b.seconds {
        Some(s) => fengqiao_app::roster::served_seconds(s)?,
        None => req.seconds,
    };
    let _permit = state
        .limiter
        .acquire(&who.username)
        .await
        .ok_or_else(crate::api::busy)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let day = today(&state);
    let view = on_worker(&state, move |s| {
        let r = fengqiao_app::roster::build(
            s,
            &settings.city.duty,
            &settings.cases.config.calendar,
            &viewer,
            &req,
            &who.username,
            day,
        )?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        fengqiao_app::roster::view(s, &viewer, r.id)
    })
    .await??;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `GET /api/v1/rosters/{id}`: one roster with its people as the reader may see them.
pub async fn roster(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = id_of("roster", &id)?;
    let viewer = viewer(&state, &who);
    let v = on_worker(&state, move |s| fengqiao_app::roster::view(s, &viewer, id)).await??;
    Ok(Json(v))
}

/// `POST /api/v1/rosters/{id}/publish`: publish a draft at the version read (logged).
pub async fn publish_roster(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        version: u32,
    }
    let id = id_of("roster", &id)?;
    let b: Body = crate::body::json(&raw)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let v = on_worker(&state, move |s| {
        fengqiao_app::roster::publish(s, &viewer, id, b.version, &who.username)?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        fengqiao_app::roster::view(s, &viewer, id)
    })
    .await??;
    Ok(Json(v))
}

/// `POST /api/v1/rosters/{id}/sick`: a sick call — the leave recorded and
/// the roster repaired with as few changes as possible (logged).
pub async fn sick_call(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        person_id: i64,
        first_day: chrono::NaiveDate,
        last_day: chrono::NaiveDate,
        version: u32,
    }
    let id = id_of("roster", &id)?;
    let b: Body = crate::body::json(&raw)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let day = today(&state);
    let out = on_worker(&state, move |s| -> fengqiao_app::Result<Value> {
        let event = fengqiao_app::roster::sick_call(
            s,
            &settings.city.duty,
            &settings.cases.notify,
            &viewer,
            id,
            b.version,
            b.person_id,
            b.first_day,
            b.last_day,
            &who.username,
            day,
        )?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        Ok(json!({"change": event, "roster": fengqiao_app::roster::view(s, &viewer, id)?}))
    })
    .await??;
    Ok(Json(out))
}

/// `POST /api/v1/rosters/{id}/swaps`: ask for two people to exchange a day's shifts.
pub async fn request_swap(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        person_id: i64,
        with: i64,
        day: chrono::NaiveDate,
        #[serde(default)]
        and_day: Option<chrono::NaiveDate>,
        #[serde(default)]
        note: String,
        version: u32,
    }
    let id = id_of("roster", &id)?;
    let b: Body = crate::body::json(&raw)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let out = on_worker(&state, move |s| -> fengqiao_app::Result<Value> {
        let request = fengqiao_app::roster::request_swap(
            s,
            &settings.city.duty,
            &viewer,
            id,
            b.version,
            b.person_id,
            b.with,
            b.day,
            b.and_day,
            &b.note,
            &who.username,
        )?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        Ok(json!({"request": request, "roster": fengqiao_app::roster::view(s, &viewer, id)?}))
    })
    .await??;
    Ok((StatusCode::CREATED, Json(out)))
}

/// `POST /api/v1/rosters/{id}/swaps/{n}`: a commander approves or refuses a swap.
pub async fn decide_swap(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path((id, n)): axum::extract::Path<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        decision: String,
        version: u32,
    }
    let id = id_of("roster", &id)?;
    let n: usize = n
        .parse()
        .map_err(|_| ApiError::invalid_parameter("n", &n, "expected a swap request's number"))?;
    let b: Body = crate::body::json(&raw)?;
    let approve = fengqiao_app::roster::decision(&b.decision)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let out = on_worker(&state, move |s| -> fengqiao_app::Result<Value> {
        let request = fengqiao_app::roster::decide_swap(
            s,
            &settings.city.duty,
            &settings.cases.notify,
            &viewer,
            id,
            b.version,
            n,
            approve,
            &who.username,
        )?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        Ok(json!({"request": request, "roster": fengqiao_app::roster::view(s, &viewer, id)?}))
    })
    .await??;
    Ok(Json(out))
}

/// `POST /api/v1/rosters/{id}/levels`: raise a duty level (勤务等级) over
/// some days; the roster is repaired to meet it.
pub async fn raise_level(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        level: String,
        first_day: chrono::NaiveDate,
        last_day: chrono::NaiveDate,
        reason: String,
        version: u32,
    }
    let id = id_of("roster", &id)?;
    let b: Body = crate::body::json(&raw)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let day = today(&state);
    let out = on_worker(&state, move |s| -> fengqiao_app::Result<Value> {
        let ask = fengqiao_app::duty_level::Raise {
            level: b.level,
            first_day: b.first_day,
            last_day: b.last_day,
            reason: b.reason,
        };
        let event = fengqiao_app::duty_level::raise(
            s,
            &settings.city.duty,
            &settings.cases.notify,
            &viewer,
            id,
            b.version,
            &ask,
            &who.username,
            day,
        )?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        Ok(json!({"change": event, "roster": fengqiao_app::roster::view(s, &viewer, id)?}))
    })
    .await??;
    Ok(Json(out))
}

/// `POST /api/v1/duty-levels`: raise a duty level at every station in
/// sight, on the published roster over its days.
pub async fn raise_level_everywhere(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        level: String,
        first_day: chrono::NaiveDate,
        last_day: chrono::NaiveDate,
        reason: String,
    }
    let b: Body = crate::body::json(&raw)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let day = today(&state);
    let out = on_worker(&state, move |s| -> fengqiao_app::Result<Value> {
        let ask = fengqiao_app::duty_level::Raise {
            level: b.level,
            first_day: b.first_day,
            last_day: b.last_day,
            reason: b.reason,
        };
        let done = fengqiao_app::duty_level::raise_everywhere(
            s,
            &settings.city.duty,
            &settings.cases.notify,
            &viewer,
            &ask,
            &who.username,
            day,
        )?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        Ok(done)
    })
    .await??;
    Ok(Json(out))
}

/// `POST /api/v1/rosters/{id}/levels/{n}/lower`: lower a raised duty level from today.
pub async fn lower_level(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path((id, n)): axum::extract::Path<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        version: u32,
    }
    let id = id_of("roster", &id)?;
    let n: usize = n
        .parse()
        .map_err(|_| ApiError::invalid_parameter("n", &n, "expected a duty level's number on the roster"))?;
    let b: Body = crate::body::json(&raw)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let day = today(&state);
    let out = on_worker(&state, move |s| -> fengqiao_app::Result<Value> {
        let event = fengqiao_app::duty_level::lower(
            s,
            &settings.city.duty,
            &settings.cases.notify,
            &viewer,
            id,
            b.version,
            n,
            &who.username,
            day,
        )?;
        fengqiao_app::ledger::sequence_after_write(&settings.ledger, s);
        Ok(json!({"change": event, "roster": fengqiao_app::roster::view(s, &viewer, id)?}))
    })
    .await??;
    Ok(Json(out))
}

/// `GET /api/v1/plans/{id}/sheet`: the plan's patrol sheet (勤务卡) — its
/// units manned by the published roster's crews for the plan's shift, with
/// their rounds by area; `format=csv` for a spreadsheet.
pub async fn patrol_sheet(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(q): Q,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    params::reject_unknown(&q, &["format"])?;
    let csv = match q.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return Err(ApiError::invalid_parameter("format", other, "json or csv")),
    };
    let id = id_of("plan", &id)?;
    let viewer = viewer(&state, &who);
    let settings = state.settings.clone();
    let tz = state.timezone;
    let sheet = on_worker(&state, move |s| {
        fengqiao_app::patrol_sheet::sheet(s, &settings.city.duty, &viewer, id, tz)
    })
    .await??;
    if csv {
        let body = fengqiao_app::patrol_sheet::sheet_csv(&sheet);
        let disposition = format!("attachment; filename=\"patrol-sheet-{id}.csv\"");
        return Ok((
            [
                (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (axum::http::header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response());
    }
    Ok(Json(sheet).into_response())
}
