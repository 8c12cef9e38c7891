//! Who is asking, and may they: every `/api/` request passes [`guard`],
//! which finds the principal from the session cookie or a bearer token
//! (401 without one), checks the permission the route needs (403), and
//! for cookie sessions checks the CSRF token on every unsafe method. The
//! route → permission table is [`ROUTES`], one place for the guard, the
//! authorisation-matrix test and the OpenAPI document.

use crate::AppState;
use crate::error::{ApiError, Code};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fengqiao_auth::{Permission, Principal};
use fengqiao_store::users::{User, secret_hash};

/// The session cookie.
pub const COOKIE: &str = "fq_session";
/// The header a cookie session sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// No account (logging in; Open311).
    Public,
    /// Any signed-in user (reference data, one's own account).
    SignedIn,
    Permission(Permission),
}

/// (method, path pattern, need); `*` matches one path segment, a trailing
/// `**` the rest. First match wins.
pub const ROUTES: &[(&str, &str, Need)] = &[
    ("GET", "/api/openapi.json", Need::Public),
    ("POST", "/api/v1/session", Need::Public),
    ("GET", "/api/v1/public/services", Need::Public),
    ("POST", "/api/v1/public/requests", Need::Public),
    ("GET", "/api/v1/public/requests/*", Need::Public),
    ("POST", "/api/v1/public/requests/*/rating", Need::Public),
    ("POST", "/api/v1/public/requests/*/photos", Need::Public),
    ("GET", "/api/v1/public/map", Need::Public),
    ("GET", "/api/v1/public/alerts", Need::Public),
    ("DELETE", "/api/v1/session", Need::SignedIn),
    ("GET", "/api/v1/me", Need::SignedIn),
    ("GET", "/api/v1/changes", Need::SignedIn),
    ("GET", "/api/v1/me/volunteering", Need::SignedIn),
    ("POST", "/api/v1/me/activities", Need::SignedIn),
    ("POST", "/api/v1/me/password", Need::SignedIn),
    ("GET", "/api/v1/datasets", Need::SignedIn),
    ("GET", "/api/v1/categories", Need::SignedIn),
    ("GET", "/api/v1/jurisdictions", Need::SignedIn),
    ("GET", "/api/v1/facilities", Need::SignedIn),
    ("GET", "/api/v1/case-types", Need::SignedIn),
    ("GET", "/api/v1/incidents", Need::Permission(Permission::IncidentsRead)),
    (
        "POST",
        "/api/v1/imports/files",
        Need::Permission(Permission::IncidentsImport),
    ),
    (
        "POST",
        "/api/v1/imports/preview",
        Need::Permission(Permission::IncidentsImport),
    ),
    ("POST", "/api/v1/imports", Need::Permission(Permission::IncidentsImport)),
    (
        "GET",
        "/api/v1/imports/*",
        Need::Permission(Permission::IncidentsImport),
    ),
    (
        "GET",
        "/api/v1/import-profiles",
        Need::Permission(Permission::IncidentsImport),
    ),
    (
        "GET",
        "/api/v1/incidents/aggregate",
        Need::Permission(Permission::IncidentsRead),
    ),
    (
        "GET",
        "/api/v1/incidents/*",
        Need::Permission(Permission::IncidentsRead),
    ),
    ("GET", "/api/v1/kpis/shift", Need::Permission(Permission::PlansRead)),
    (
        "GET",
        "/api/v1/forecasts/latest",
        Need::Permission(Permission::ForecastsRead),
    ),
    (
        "POST",
        "/api/v1/forecasts",
        Need::Permission(Permission::ForecastsWrite),
    ),
    ("POST", "/api/v1/plans", Need::Permission(Permission::PlansWrite)),
    ("GET", "/api/v1/plans/latest", Need::Permission(Permission::PlansRead)),
    // The last days replayed by counting, the flagship and the ceiling: counts per coverage.
    (
        "GET",
        "/api/v1/forecasts/accuracy",
        Need::Permission(Permission::ForecastsRead),
    ),
    // Shares per area of a forecast's hot cells and a plan's patrol time: an analysis like the forecast.
    ("GET", "/api/v1/equity", Need::Permission(Permission::ForecastsRead)),
    // The patrol sheet names the crews: the station's people, not only the plan.
    (
        "GET",
        "/api/v1/plans/*/sheet",
        Need::Permission(Permission::PersonnelRead),
    ),
    ("GET", "/api/v1/staffing", Need::Permission(Permission::PlansRead)),
    (
        "GET",
        "/api/v1/alert-zones",
        Need::Permission(Permission::ForecastsRead),
    ),
    (
        "POST",
        "/api/v1/alert-zones/rules",
        Need::Permission(Permission::PlansWrite),
    ),
    // Warnings open cases (the engine says which roles may); the report is
    // counts by station, scoped to the reader's area.
    (
        "POST",
        "/api/v1/fraud-warnings",
        Need::Permission(Permission::CasesWrite),
    ),
    (
        "GET",
        "/api/v1/fraud-warnings/report",
        Need::Permission(Permission::CasesRead),
    ),
    (
        "GET",
        "/api/v1/fraud-warnings/rising",
        Need::Permission(Permission::CasesRead),
    ),
    (
        "POST",
        "/api/v1/fraud-warnings/campaigns",
        Need::Permission(Permission::CasesWrite),
    ),
    // The draw opens callback cases (the engine says which roles may); the
    // draw kept names incidents and cases, no person; the report is counts.
    (
        "POST",
        "/api/v1/callbacks/draws",
        Need::Permission(Permission::CasesWrite),
    ),
    (
        "GET",
        "/api/v1/callbacks/draws/*",
        Need::Permission(Permission::CasesRead),
    ),
    (
        "GET",
        "/api/v1/callbacks/report",
        Need::Permission(Permission::ReportsRead),
    ),
    // Counts of pairs only: an analysis of where and when, like a forecast.
    (
        "GET",
        "/api/v1/near-repeat",
        Need::Permission(Permission::ForecastsRead),
    ),
    ("GET", "/api/v1/plans/*", Need::Permission(Permission::PlansRead)),
    (
        "POST",
        "/api/v1/plans/*/replay",
        Need::Permission(Permission::PlansRead),
    ),
    ("GET", "/api/v1/cases", Need::Permission(Permission::CasesRead)),
    ("POST", "/api/v1/cases", Need::Permission(Permission::CasesWrite)),
    ("GET", "/api/v1/cases/*", Need::Permission(Permission::CasesRead)),
    (
        "GET",
        "/api/v1/cases/*/attachments/*",
        Need::Permission(Permission::CasesRead),
    ),
    (
        "POST",
        "/api/v1/cases/*/actions",
        Need::Permission(Permission::CasesWrite),
    ),
    (
        "POST",
        "/api/v1/cases/*/attachments",
        Need::Permission(Permission::CasesWrite),
    ),
    ("GET", "/api/v1/places/resolve", Need::Permission(Permission::CasesRead)),
    (
        "GET",
        "/api/v1/volunteers",
        Need::Permission(Permission::VolunteersRead),
    ),
    (
        "GET",
        "/api/v1/volunteers/activities",
        Need::Permission(Permission::VolunteersRead),
    ),
    (
        "POST",
        "/api/v1/volunteers",
        Need::Permission(Permission::VolunteersWrite),
    ),
    (
        "POST",
        "/api/v1/volunteers/activities",
        Need::Permission(Permission::VolunteersWrite),
    ),
    (
        "GET",
        "/api/v1/reports/cases",
        Need::Permission(Permission::ReportsRead),
    ),
    (
        "POST",
        "/api/v1/ledger/cosignatures",
        Need::Permission(Permission::LedgerWitness),
    ),
    ("GET", "/api/v1/ledger/**", Need::Permission(Permission::LedgerRead)),
    ("GET", "/api/v1/users", Need::Permission(Permission::UsersAdmin)),
    ("GET", "/api/v1/notifications", Need::Permission(Permission::UsersAdmin)),
    ("GET", "/api/v1/credentials", Need::Permission(Permission::UsersAdmin)),
    ("POST", "/api/v1/credentials", Need::Permission(Permission::UsersAdmin)),
    (
        "POST",
        "/api/v1/credentials/*/revoke",
        Need::Permission(Permission::UsersAdmin),
    ),
    ("GET", "/api/v1/mediators", Need::Permission(Permission::CasesRead)),
    ("POST", "/api/v1/mediators", Need::Permission(Permission::UsersAdmin)),
    (
        "POST",
        "/api/v1/mediators/*/retire",
        Need::Permission(Permission::UsersAdmin),
    ),
    ("GET", "/api/v1/duty", Need::Permission(Permission::PersonnelRead)),
    ("GET", "/api/v1/personnel", Need::Permission(Permission::PersonnelRead)),
    (
        "POST",
        "/api/v1/personnel",
        Need::Permission(Permission::PersonnelWrite),
    ),
    (
        "POST",
        "/api/v1/personnel/import",
        Need::Permission(Permission::PersonnelWrite),
    ),
    (
        "POST",
        "/api/v1/personnel/*",
        Need::Permission(Permission::PersonnelWrite),
    ),
    ("GET", "/api/v1/leave", Need::Permission(Permission::PersonnelRead)),
    ("POST", "/api/v1/leave", Need::Permission(Permission::PersonnelWrite)),
    (
        "POST",
        "/api/v1/leave/*/cancel",
        Need::Permission(Permission::PersonnelWrite),
    ),
    ("GET", "/api/v1/rosters", Need::Permission(Permission::PersonnelRead)),
    ("GET", "/api/v1/rosters/*", Need::Permission(Permission::PersonnelRead)),
    ("POST", "/api/v1/rosters", Need::Permission(Permission::PersonnelWrite)),
    (
        "POST",
        "/api/v1/rosters/*/publish",
        Need::Permission(Permission::PersonnelWrite),
    ),
    (
        "POST",
        "/api/v1/rosters/*/sick",
        Need::Permission(Permission::PersonnelWrite),
    ),
    // Any reader of the station's roster may ask for a swap; a commander decides.
    (
        "POST",
        "/api/v1/rosters/*/swaps",
        Need::Permission(Permission::PersonnelRead),
    ),
    (
        "POST",
        "/api/v1/rosters/*/swaps/*",
        Need::Permission(Permission::PersonnelWrite),
    ),
    (
        "POST",
        "/api/v1/rosters/*/levels",
        Need::Permission(Permission::PersonnelWrite),
    ),
    (
        "POST",
        "/api/v1/duty-levels",
        Need::Permission(Permission::PersonnelWrite),
    ),
    (
        "POST",
        "/api/v1/rosters/*/levels/*/lower",
        Need::Permission(Permission::PersonnelWrite),
    ),
    ("POST", "/api/v1/users", Need::Permission(Permission::UsersAdmin)),
    ("POST", "/api/v1/users/*", Need::Permission(Permission::UsersAdmin)),
];

/// What an account may do while it has a one-time password.
const ONE_TIME_PASSWORD_ROUTES: [(&str, &str); 3] = [
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("DELETE", "/api/v1/session"),
];

fn matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut s) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), s.next()) {
            (Some("**"), Some(_)) => return true,
            (Some("*"), Some(seg)) if !seg.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// What `method path` needs; `None` for a route that does not exist.
pub fn need(method: &Method, path: &str) -> Option<Need> {
    ROUTES
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && matches(p, path))
        .map(|(_, _, n)| *n)
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn unauthenticated(message: &str) -> Response {
    let mut r = ApiError::new(Code::Unauthenticated, message.to_string()).into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer realm=\"fengqiao\""),
    );
    r
}

/// The session's token hash, for logging out.
#[derive(Debug, Clone)]
pub struct SessionToken(pub String);

pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    let method = req.method().clone();
    // Fail closed: a route missing from the table is not reachable at all.
    let Some(need) = need(&method, &path) else {
        return ApiError::new(Code::NotFound, format!("no route {method} {path}")).into_response();
    };
    if need == Need::Public {
        return next.run(req).await;
    }
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let session = cookie(headers, COOKIE);
    let sent_csrf = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // Who a token or session belongs to is remembered until the next write
    // (a role change, a sign-out, a disabled account are all writes) or the TTL.
    let generation = state.store.generation();
    let cache_key = match (&bearer, &session) {
        (Some(t), _) => Some(format!("auth bearer {}", secret_hash(t))),
        (None, Some(t)) => Some(format!("auth session {}", secret_hash(t))),
        _ => None,
    };
    let remembered = cache_key
        .as_ref()
        .and_then(|k| state.cache.get(k, generation))
        .and_then(|v| serde_json::from_slice::<(User, Option<String>, Option<String>)>(&v.body).ok());
    let store = state.store.clone();
    let now = chrono::Utc::now();
    let found = match remembered {
        Some(found) => Ok(Ok(Some(found))),
        None => {
            tokio::task::spawn_blocking(move || -> fengqiao_store::Result<_> {
                if let Some(token) = bearer {
                    return Ok(store
                        .api_token_user(&secret_hash(&token), now)?
                        .map(|u| (u, None, None)));
                }
                if let Some(token) = session {
                    let hash = secret_hash(&token);
                    return Ok(store.session(&hash, now)?.map(|(u, csrf)| (u, Some(csrf), Some(hash))));
                }
                Ok(None)
            })
            .await
        }
    };
    let (user, csrf, session_hash) = match found {
        Ok(Ok(Some(found))) => {
            if let (Some(k), Ok(v)) = (cache_key, serde_json::to_vec(&found)) {
                state.cache.put(
                    k,
                    generation,
                    std::sync::Arc::new(crate::cache::Answer::new(v, "application/json")),
                );
            }
            found
        }
        Ok(Ok(None)) => {
            return unauthenticated("sign in (POST /api/v1/session) or send an API token as `Authorization: Bearer`");
        }
        Ok(Err(e)) => return ApiError::from(e).into_response(),
        Err(e) => {
            return ApiError::new(Code::Internal, format!("worker failed: {e}")).into_response();
        }
    };
    // A cookie rides along with any request the browser makes; the CSRF token only with ours.
    let unsafe_method = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if let Some(csrf) = &csrf
        && unsafe_method
        && sent_csrf.as_deref() != Some(csrf.as_str())
    {
        return ApiError::new(
            Code::Csrf,
            format!("send the session's CSRF token in the {CSRF_HEADER} header"),
        )
        .into_response();
    }
    // A session opened with a one-time password opens nothing but the change
    // of it. (API tokens are issued by an administrator on purpose, for
    // machines that never sign in with a password.)
    if user.must_change
        && session_hash.is_some()
        && !ONE_TIME_PASSWORD_ROUTES.contains(&(method.as_str(), path.as_str()))
    {
        return ApiError::new(
            Code::PasswordChangeRequired,
            "this account still has its one-time password: change it first (POST /api/v1/me/password)".into(),
        )
        .into_response();
    }
    let principal = user.principal();
    match need {
        Need::SignedIn | Need::Public => {}
        Need::Permission(p) if state.policy.allows(&principal.role, p) => {}
        Need::Permission(p) => {
            return ApiError::new(
                Code::Forbidden,
                format!("role {} does not have {}", principal.role, p.name()),
            )
            .into_response();
        }
    }
    if let Some(hash) = session_hash {
        req.extensions_mut().insert(SessionToken(hash));
    }
    req.extensions_mut().insert(user);
    req.extensions_mut().insert(principal);
    next.run(req).await
}

/// The principal of a request that passed [`guard`].
pub fn principal(req: &axum::http::Extensions) -> Option<Principal> {
    req.get::<Principal>().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_patterns() {
        assert!(matches("/api/v1/cases/*", "/api/v1/cases/JF-1"));
        assert!(!matches("/api/v1/cases/*", "/api/v1/cases"));
        assert!(matches("/api/v1/cases/*/actions", "/api/v1/cases/JF-1/actions"));
        assert!(matches("/api/v1/ledger/**", "/api/v1/ledger/tile/0/000"));
        assert_eq!(need(&Method::POST, "/api/v1/session"), Some(Need::Public));
        assert_eq!(
            need(&Method::POST, "/api/v1/cases/JF-1/actions"),
            Some(Need::Permission(Permission::CasesWrite))
        );
        assert_eq!(need(&Method::GET, "/api/v1/nothing"), None);
    }
}
