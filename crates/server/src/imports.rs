//! Importing an incident file from the page: upload, preview through a
//! mapping, then the import itself in the background with its progress —
//! the application's use cases, as `fengqiao import incidents` runs them.

use crate::AppState;
use crate::api::on_worker;
use crate::error::{ApiError, Code};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fengqiao_app::incident_files::{self, MappingChoice};
use fengqiao_auth::Principal;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Finished imports whose outcome is kept to be asked for.
const KEPT_JOBS: usize = 20;

/// Imports this server runs or ran lately; one at a time.
#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    list: Mutex<VecDeque<Arc<Job>>>,
}

struct Job {
    id: u64,
    by: String,
    bytes: AtomicU64,
    total: AtomicU64,
    rows: AtomicU64,
    outcome: Mutex<Option<Result<Value, ApiError>>>,
}

impl Job {
    fn status(&self) -> Value {
        let outcome = self.outcome.lock().expect("not poisoned");
        let (state, result, error) = match &*outcome {
            None => ("running", Value::Null, Value::Null),
            Some(Ok(v)) => ("done", v.clone(), Value::Null),
            Some(Err(e)) => (
                "failed",
                Value::Null,
                json!({"code": e.code.name(), "message": e.message, "details": e.details}),
            ),
        };
        json!({
            "job": self.id, "by": self.by, "state": state,
            "bytes": self.bytes.load(Ordering::Relaxed), "total_bytes": self.total.load(Ordering::Relaxed),
            "rows": self.rows.load(Ordering::Relaxed), "result": result, "error": error,
        })
    }
}

fn files_dir(state: &AppState) -> Result<std::path::PathBuf, ApiError> {
    state
        .files_dir
        .clone()
        .ok_or_else(|| ApiError::new(Code::Unavailable, "this server takes no uploads".into()))
}

/// Media types an incident file may be sent as.
const FILE_TYPES: [&str; 8] = [
    "text/csv",
    "text/plain",
    "application/zip",
    "application/x-zip-compressed",
    "application/gzip",
    "application/x-gzip",
    "application/vnd.ms-excel",
    "application/octet-stream",
];

/// `POST /api/v1/imports/files`: keeps an incident file (CSV, zip or gzip,
/// any encoding) and answers with how it reads: encoding, columns, first
/// rows, the built-in profiles that fit, and the first that fits applied.
pub async fn upload(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let media = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    if !media.as_deref().is_some_and(|m| FILE_TYPES.contains(&m)) {
        let mut e = ApiError::new(
            Code::UnsupportedMediaType,
            format!(
                "send the file as one of {} (got {})",
                FILE_TYPES.join(", "),
                media.as_deref().unwrap_or("none")
            ),
        );
        e.details = json!({"content_type": media});
        return Err(e);
    }
    let dir = files_dir(&state)?;
    let categories = state.categories.clone();
    let preview = on_worker(&state, move |_| {
        let id = incident_files::keep(&dir, &raw)?;
        incident_files::preview(&dir, &categories, &id, None, &MappingChoice::default())
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!(preview))))
}

/// What the page asks of an uploaded file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRequest {
    pub file: String,
    pub profile: Option<String>,
    pub mapping: Option<String>,
    pub encoding: Option<String>,
    /// Imports only: the dataset to import into [default: the mapping's name].
    pub dataset: Option<String>,
}

impl FileRequest {
    fn choice(&self) -> MappingChoice {
        MappingChoice {
            profile: self.profile.clone(),
            mapping: self.mapping.clone(),
        }
    }
}

/// `POST /api/v1/imports/preview`: an uploaded file through a mapping —
/// its first rows as incidents and its first rejects; nothing is stored.
pub async fn preview(State(state): State<AppState>, raw: axum::body::Bytes) -> Result<Json<Value>, ApiError> {
    let req: FileRequest = crate::body::json(&raw)?;
    if req.dataset.is_some() {
        return Err(ApiError::invalid_parameter(
            "dataset",
            "",
            "a preview stores nothing: no dataset",
        ));
    }
    let dir = files_dir(&state)?;
    let categories = state.categories.clone();
    let preview = on_worker(&state, move |_| {
        incident_files::preview(&dir, &categories, &req.file, req.encoding.as_deref(), &req.choice())
    })
    .await??;
    Ok(Json(json!(preview)))
}

/// `POST /api/v1/imports`: imports an uploaded file in the background;
/// `GET /api/v1/imports/{job}` tells how far it is and what it did.
pub async fn start(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: FileRequest = crate::body::json(&raw)?;
    let dir = files_dir(&state)?;
    let settings = state.settings.clone();
    let (import, mapping) = {
        let settings = settings.clone();
        on_worker(&state, move |_| {
            incident_files::import_request(
                &dir,
                &settings,
                &req.file,
                req.encoding.as_deref(),
                &req.choice(),
                req.dataset.as_deref(),
            )
        })
        .await??
    };
    let job = {
        let mut list = state.imports.list.lock().expect("not poisoned");
        if let Some(running) = list.iter().find(|j| j.outcome.lock().expect("not poisoned").is_none()) {
            let mut e = ApiError::new(
                Code::Busy,
                format!(
                    "import {} (by {}) is still running: try again when it is done",
                    running.id, running.by
                ),
            );
            e.details = json!({"job": running.id});
            return Err(e);
        }
        let job = Arc::new(Job {
            id: state.imports.next.fetch_add(1, Ordering::Relaxed) + 1,
            by: who.username.clone(),
            bytes: AtomicU64::new(0),
            total: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            outcome: Mutex::new(None),
        });
        list.push_back(job.clone());
        while list.len() > KEPT_JOBS {
            list.pop_front();
        }
        job
    };
    let store = state.store.clone();
    let running = job.clone();
    // The import is long and blocks on the store: a thread of its own, not the runtime's.
    std::thread::spawn(move || {
        let progress = |bytes: u64, total: u64, rows: u64| {
            running.bytes.store(bytes, Ordering::Relaxed);
            running.total.store(total, Ordering::Relaxed);
            running.rows.store(rows, Ordering::Relaxed);
        };
        // A fault of the program fails this import, not every later one (the job would stay "running").
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fengqiao_app::imports::import_incidents(store.as_ref(), &settings, &import, mapping, &progress)
                .map(|imported| {
                    fengqiao_app::ledger::sequence_after_write(&settings.ledger, store.as_ref());
                    json!(imported)
                })
                .map_err(ApiError::from)
        }))
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                Code::Internal,
                "the import failed: a fault of the program, logged".into(),
            ))
        });
        *running.outcome.lock().expect("not poisoned") = Some(outcome);
    });
    Ok((StatusCode::ACCEPTED, Json(job.status())))
}

/// `GET /api/v1/imports/{job}`: an import's progress, then what it did.
pub async fn status(State(state): State<AppState>, Path(job): Path<String>) -> Result<Json<Value>, ApiError> {
    let id: u64 = job
        .parse()
        .map_err(|_| ApiError::invalid_parameter("job", &job, "an import's number"))?;
    let list = state.imports.list.lock().expect("not poisoned");
    let found = list
        .iter()
        .find(|j| j.id == id)
        .ok_or_else(|| ApiError::new(Code::NotFound, format!("no import {id} on this server lately")))?;
    Ok(Json(found.status()))
}

/// `GET /api/v1/import-profiles`: the built-in mappings, with their text to start an own one from.
pub async fn profiles() -> Json<Value> {
    let list: Vec<Value> = fengqiao_ingest::profile_names()
        .into_iter()
        .filter_map(|name| {
            let m = fengqiao_ingest::profile(name).ok()?;
            Some(json!({
                "name": name, "crs": m.crs, "timezone": m.timezone,
                "mapping": fengqiao_ingest::profile_text(name)?,
            }))
        })
        .collect();
    Json(json!({ "profiles": list, "encodings": ["utf-8", "gb18030", "utf-16le", "utf-16be"] }))
}
