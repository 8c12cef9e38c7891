//! Signing in and out, and one's own account: `POST /api/v1/session` sets an
//! HttpOnly, SameSite=Strict session cookie and returns the CSRF token the
//! page sends back on every change; `DELETE` ends it; `/api/v1/me` says who
//! is signed in and what the role may do.

use crate::auth::{COOKIE, SessionToken};
use crate::error::{ApiError, Code};
use crate::{AppState, body};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fengqiao_auth::Permission;
use fengqiao_store::users::{LoginError, SESSION_LIFETIME, User, UserChange, hash_password, login, new_secret};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .expect("ASCII cookie")
}

fn permissions(state: &AppState, role: &str) -> Vec<&'static str> {
    Permission::ALL
        .into_iter()
        .filter(|p| state.policy.allows(role, *p))
        .map(Permission::name)
        .collect()
}

/// Failed sign-ins per client address in a sliding window: past the limit,
/// that address is refused for a while whatever user name it tries (the
/// per-account lockout does not stop one address trying many accounts).
#[derive(Debug, Default)]
pub struct Throttle {
    failures: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, Vec<std::time::Instant>>>,
}

/// Failed sign-ins allowed per address in [`THROTTLE_WINDOW`].
pub const THROTTLE_LIMIT: usize = 20;
pub const THROTTLE_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

impl Throttle {
    fn recent(&self, ip: std::net::IpAddr) -> usize {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let list = map.entry(ip).or_default();
        list.retain(|t| t.elapsed() < THROTTLE_WINDOW);
        list.len()
    }

    fn fail(&self, ip: std::net::IpAddr) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, l| l.iter().any(|t| t.elapsed() < THROTTLE_WINDOW));
        }
        map.entry(ip).or_default().push(std::time::Instant::now());
    }
}

pub async fn create(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    raw: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let c: Credentials = body::json(&raw)?;
    let client = crate::client_ip(&state, peer.ip(), &headers);
    let now = chrono::Utc::now();
    if state.throttle.recent(client) >= THROTTLE_LIMIT {
        // Refused before the password is looked at, and recorded like any attempt.
        let name = c.username.clone();
        crate::api::blocking(&state, move |s| fengqiao_store::users::record_throttled(s, &name, now)).await?;
        let mut r = ApiError::new(
            Code::Throttled,
            "too many failed sign-ins from this address; wait and try again".into(),
        )
        .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("600"));
        return Ok(r);
    }
    let outcome = crate::api::on_worker(&state, move |store| -> Result<(User, String, String), LoginError> {
        let user = login(store, &c.username, &c.password, now)?;
        let (token, hash) = new_secret()?;
        let (csrf, _) = new_secret()?;
        store.create_session(&hash, user.id, &csrf, now + SESSION_LIFETIME)?;
        Ok((user, token, csrf))
    })
    .await?;
    if !matches!(outcome, Ok(_) | Err(LoginError::Store(_))) {
        state.throttle.fail(client);
    }
    let (user, token, csrf) = match outcome {
        Ok(ok) => ok,
        Err(LoginError::Store(e)) => return Err(e.into()),
        // One answer for an unknown name, a wrong password, a locked or a
        // disabled account: the answer must not tell which accounts exist.
        Err(LoginError::Wrong | LoginError::Locked(_) | LoginError::Disabled) => {
            return Err(ApiError::new(
                Code::WrongCredentials,
                format!(
                    "wrong user name or password, or the account is locked or disabled (after {} wrong passwords in a row an account is locked for {} minutes)",
                    fengqiao_store::users::MAX_FAILED_LOGINS,
                    fengqiao_store::users::LOCKOUT.num_minutes()
                ),
            ));
        }
    };
    let body = json!({
        "user": user, "csrf_token": csrf, "must_change_password": user.must_change,
        "permissions": permissions(&state, &user.role),
    });
    let mut r = Json(body).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&state, &token, SESSION_LIFETIME.num_seconds()),
    );
    Ok(r)
}

pub async fn delete(
    State(state): State<AppState>,
    token: Option<axum::Extension<SessionToken>>,
) -> Result<Response, ApiError> {
    if let Some(axum::Extension(SessionToken(hash))) = token {
        crate::api::blocking(&state, move |store| store.delete_session(&hash)).await?;
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(header::SET_COOKIE, cookie(&state, "", 0));
    Ok(r)
}

pub async fn me(
    State(state): State<AppState>,
    axum::Extension(user): axum::Extension<User>,
) -> Json<serde_json::Value> {
    let scope = format!("{:?}", state.policy.scope(&user.role)).to_lowercase();
    Json(
        json!({"user": user, "permissions": permissions(&state, &user.role), "scope": scope,
                "map": {"tiles": state.tiles}, "city": {"timezone": state.timezone.name()}}),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current: String,
    new: String,
}

/// Changes one's own password (the current one is checked like a login);
/// every session of the account ends, so the page signs in again.
pub async fn change_password(
    State(state): State<AppState>,
    axum::Extension(user): axum::Extension<User>,
    raw: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let change: PasswordChange = body::json(&raw)?;
    fengqiao_auth::password::check_policy(&change.new, &user.username).map_err(|why| {
        let mut e = ApiError::invalid_parameter("new", "(hidden)", why.to_string());
        e.details["reason"] = serde_json::json!(why.code);
        e
    })?;
    let now = chrono::Utc::now();
    let done = crate::api::on_worker(&state, move |store| -> Result<(), LoginError> {
        login(store, &user.username, &change.current, now)?;
        let hash = hash_password(&change.new)?;
        let ch = UserChange {
            password_hash: Some(hash),
            must_change: Some(false),
            ..Default::default()
        };
        store.update_user(user.id, &ch, &user.username)?;
        Ok(())
    })
    .await?;
    match done {
        Ok(()) => Ok(Json(json!({"message": "password changed; sign in again"}))),
        Err(LoginError::Store(e)) => Err(e.into()),
        Err(_) => Err(ApiError::new(
            Code::WrongPassword,
            "the current password is wrong".into(),
        )),
    }
}

/// `GET /api/v1/users`: every account (administrators).
pub async fn users(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let list = crate::api::blocking(&state, |s| s.users()).await?;
    Ok(Json(json!({"items": list})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserBody {
    username: String,
    role: String,
    display_name: Option<String>,
    jurisdiction: Option<String>,
    department: Option<String>,
    assignee: Option<String>,
}

/// `GET /api/v1/credentials`: every API token and Open311 key (never a secret).
pub async fn credentials(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let list = crate::api::blocking(&state, |s| s.credentials()).await?;
    Ok(Json(json!({"items": list})))
}

/// `POST /api/v1/credentials`: issue an API token or an Open311 key; the
/// secret is in the answer, once.
pub async fn issue_credential(
    State(state): State<AppState>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let c: fengqiao_app::users::NewCredential = body::json(&raw)?;
    let secret = crate::api::on_worker(&state, move |s| {
        fengqiao_app::users::issue_credential(s, &c, chrono::Utc::now())
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!({"secret": secret}))))
}

/// `POST /api/v1/credentials/{id}/revoke`: revoke a token or key at once.
pub async fn revoke_credential(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let key = id.clone();
    let done = crate::api::blocking(&state, move |s| s.revoke_credential(&key)).await?;
    if done {
        Ok(Json(json!({"revoked": id})))
    } else {
        Err(ApiError::new(Code::NotFound, format!("no credential {id}")))
    }
}

/// `GET /api/v1/notifications`: the newest notifications and how their delivery went.
pub async fn notifications(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let list = crate::api::blocking(&state, |s| s.notifications(200)).await?;
    Ok(Json(json!({"items": list})))
}

/// `POST /api/v1/users`: create an account; its one-time password is in the answer, once.
pub async fn create_user(
    State(state): State<AppState>,
    axum::Extension(admin): axum::Extension<User>,
    raw: axum::body::Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let b: NewUserBody = body::json(&raw)?;
    let settings = state.settings.clone();
    let created = crate::api::on_worker(&state, move |s| -> fengqiao_app::Result<_> {
        let scope = (b.jurisdiction, b.department, b.assignee);
        fengqiao_app::users::check(s, &settings.cases, &b.role, &scope)?;
        let display = b.display_name.clone().unwrap_or_else(|| b.username.clone());
        Ok(fengqiao_store::users::add_user(
            s,
            &b.username,
            &display,
            &b.role,
            scope,
            &admin.username,
        )?)
    })
    .await??;
    Ok((
        StatusCode::CREATED,
        Json(json!({"user": created.0, "one_time_password": created.1})),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserChangeBody {
    role: Option<String>,
    jurisdiction: Option<Option<String>>,
    department: Option<Option<String>>,
    assignee: Option<Option<String>>,
    disabled: Option<bool>,
    #[serde(default)]
    reset_password: bool,
}

/// `POST /api/v1/users/{username}`: change role, scope or status, or reset the password.
pub async fn change_user(
    State(state): State<AppState>,
    axum::Extension(admin): axum::Extension<User>,
    axum::extract::Path(username): axum::extract::Path<String>,
    raw: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let b: UserChangeBody = body::json(&raw)?;
    let settings = state.settings.clone();
    let out = crate::api::on_worker(&state, move |s| -> fengqiao_app::Result<_> {
        let (user, _) = s
            .user_credentials(&username)?
            .ok_or_else(|| fengqiao_store::StoreError::NotFound {
                what: format!("user {username}"),
            })?;
        // The account as it will be: its role and scope checked together.
        let role = b.role.clone().unwrap_or_else(|| user.role.clone());
        let after = |new: &Option<Option<String>>, old: &Option<String>| new.clone().unwrap_or_else(|| old.clone());
        let scope = (
            after(&b.jurisdiction, &user.jurisdiction),
            after(&b.department, &user.department),
            after(&b.assignee, &user.assignee),
        );
        fengqiao_app::users::check(s, &settings.cases, &role, &scope)?;
        let otp = if b.reset_password {
            Some(fengqiao_store::users::one_time_password()?)
        } else {
            None
        };
        let ch = UserChange {
            role: b.role,
            jurisdiction: b.jurisdiction,
            department: b.department,
            assignee: b.assignee,
            password_hash: otp.as_deref().map(hash_password).transpose()?,
            must_change: otp.as_ref().map(|_| true),
            disabled: b.disabled,
        };
        let user = s.update_user(user.id, &ch, &admin.username)?;
        Ok((user, otp))
    })
    .await??;
    Ok(Json(json!({"user": out.0, "one_time_password": out.1})))
}
