//! The Fengqiao HTTP server: the JSON API under `/api/v1` and the offline
//! landing page, on axum.
//!
//! Handlers parse and check their parameters, call the [`Store`] on a
//! blocking thread and render JSON. No business rule lives here; errors are
//! one type, [`ApiError`], rendered as `{code, message, details}`.

mod accuracy;
mod anti_fraud;
mod api;
mod application;
pub mod auth;
mod body;
pub mod cache;
mod callbacks;
mod cases;
mod equity;
mod error;
mod imports;
pub mod jobs;
pub mod open311;
pub mod openapi;
mod params;
mod personnel;
mod prevention;
pub mod public;
pub mod session;

use crate::error::Code;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use fengqiao_domain::CategoryTable;
use fengqiao_store::Store;
use std::sync::Arc;

pub use application::{Application, BuildOptions};
pub use error::ApiError;
pub use fengqiao_app::net;

use fengqiao_geo::LonLat;
use fengqiao_store::ForecastRun;
use serde_json::json;

/// A forecast's cells as a GeoJSON FeatureCollection (WGS84 squares with `expected` and `rank`).
pub fn forecast_geojson(run: &ForecastRun, cells: &[(u32, f64)]) -> serde_json::Value {
    let grid = fengqiao_geo::Grid {
        origin: fengqiao_geo::Xy::new(run.origin[0], run.origin[1]),
        cell_m: run.cell_m,
        cols: run.cols,
        rows: run.rows,
    };
    let centre = LonLat::new(run.centre[0], run.centre[1]);
    let mut ranked: Vec<&(u32, f64)> = cells.iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let features: Vec<serde_json::Value> = ranked
        .iter()
        .enumerate()
        .map(|(rank, (cell, expected))| {
            json!({"type": "Feature", "properties": {"cell": cell, "expected": expected, "rank": rank + 1},
                   "geometry": {"type": "Polygon", "coordinates": [fengqiao_forecast::prepare::cell_ring(centre, &grid, *cell)]}})
        })
        .collect();
    json!({"type": "FeatureCollection", "forecast": run, "features": features})
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub categories: Arc<CategoryTable>,
    /// IANA zone used for date-only query parameters and local display.
    pub timezone: chrono_tz::Tz,
    /// Default grid cell size for aggregates, metres.
    pub cell_m: f64,
    /// Dataset shown when a request names none.
    pub default_dataset: Option<String>,
    /// The case engine's configuration.
    pub cases: Arc<fengqiao_cases::CaseConfig>,
    /// Who may use which capability.
    pub policy: Arc<fengqiao_auth::Policy>,
    /// Mark the session cookie `Secure` (off only for plain-HTTP loopback serving).
    pub secure_cookies: bool,
    /// The `jurisdiction_id` the Open311 endpoint serves.
    pub open311_jurisdiction: String,
    /// Computed answers (aggregates, forecasts, plans, Open311 lists) until the next write.
    pub cache: Arc<cache::Cache>,
    /// Expensive requests in flight per principal.
    pub limiter: Arc<cache::Limiter>,
    /// Trusted proxies, the public address, trusted Open311 partners.
    pub network: Arc<net::Network>,
    /// Every setting, for the use cases the handlers call.
    pub settings: Arc<fengqiao_app::Settings>,
    /// Failed sign-ins per client address.
    pub throttle: Arc<session::Throttle>,
    /// Public submissions per client address.
    pub submissions: Arc<public::Submissions>,
    /// Where attachment files are kept (`None`: this server takes no uploads).
    pub files_dir: Option<std::path::PathBuf>,
    /// Incident imports started from the page.
    pub imports: Arc<imports::Jobs>,
    /// A base-map tile URL template (`{z}/{x}/{y}`) for deployments with
    /// their own map server; `None`: the map draws only its own layers.
    pub tiles: Option<String>,
}

impl AppState {
    /// The state of a server on `store` with `settings`.
    pub fn new(store: Arc<dyn Store>, settings: Arc<fengqiao_app::Settings>, default_dataset: Option<String>) -> Self {
        AppState {
            store,
            categories: settings.city.categories.clone(),
            timezone: settings.city.timezone,
            cell_m: settings.city.cell_m,
            default_dataset,
            cases: settings.cases.config.clone(),
            policy: settings.cases.policy.clone(),
            // Browsers keep Secure cookies from http://127.0.0.1 and localhost too, but
            // plain-HTTP clients on loopback (tests, curl) would drop them.
            secure_cookies: !settings.server.bind.ip().is_loopback(),
            open311_jurisdiction: OPEN311_JURISDICTION.into(),
            cache: Default::default(),
            limiter: Default::default(),
            network: settings.server.network.clone(),
            throttle: Default::default(),
            submissions: Default::default(),
            files_dir: Some(settings.store.data_dir.clone()),
            imports: Default::default(),
            tiles: settings.server.tiles.clone(),
            settings,
        }
    }
}

/// The Open311 `jurisdiction_id` this server answers to.
pub const OPEN311_JURISDICTION: &str = "fengqiao";

/// The client's address behind the deployment's trusted proxies.
pub(crate) fn client_ip(state: &AppState, peer: std::net::IpAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    state.network.client_ip(peer, forwarded)
}

/// The pages, by path: plain HTML, their scripts and one style sheet below,
/// all compiled into the binary (no CDN, nothing fetched elsewhere).
const PAGES: [(&str, &str); 16] = [
    ("/", include_str!("../assets/index.html")),
    ("/public", include_str!("../assets/public.html")),
    ("/cases", include_str!("../assets/cases.html")),
    ("/inbox", include_str!("../assets/cases.html")),
    ("/incidents", include_str!("../assets/incidents.html")),
    ("/imports", include_str!("../assets/imports.html")),
    ("/volunteers", include_str!("../assets/volunteers.html")),
    ("/dashboard", include_str!("../assets/dashboard.html")),
    ("/agreement", include_str!("../assets/agreement.html")),
    ("/users", include_str!("../assets/users.html")),
    ("/personnel", include_str!("../assets/personnel.html")),
    ("/roster", include_str!("../assets/roster.html")),
    ("/sheet", include_str!("../assets/sheet.html")),
    ("/staffing", include_str!("../assets/staffing.html")),
    ("/prevention", include_str!("../assets/prevention.html")),
    ("/fraud", include_str!("../assets/fraud.html")),
];

const ASSETS: [(&str, &str, &str); 24] = [
    ("app.css", "text/css; charset=utf-8", include_str!("../assets/app.css")),
    ("app.js", JS, include_str!("../assets/app.js")),
    ("case_form.js", JS, include_str!("../assets/case_form.js")),
    ("cases.js", JS, include_str!("../assets/cases.js")),
    ("clock.js", JS, include_str!("../assets/clock.js")),
    ("common.js", JS, include_str!("../assets/common.js")),
    ("dashboard.js", JS, include_str!("../assets/dashboard.js")),
    ("incidents.js", JS, include_str!("../assets/incidents.js")),
    ("imports.js", JS, include_str!("../assets/imports.js")),
    ("agreement.js", JS, include_str!("../assets/agreement.js")),
    ("ledger.js", JS, include_str!("../assets/ledger.js")),
    ("mediation.js", JS, include_str!("../assets/mediation.js")),
    ("map.js", JS, include_str!("../assets/map.js")),
    ("public.js", JS, include_str!("../assets/public.js")),
    ("personnel.js", JS, include_str!("../assets/personnel.js")),
    ("roster.js", JS, include_str!("../assets/roster.js")),
    ("sheet.js", JS, include_str!("../assets/sheet.js")),
    ("staffing.js", JS, include_str!("../assets/staffing.js")),
    ("prevention.js", JS, include_str!("../assets/prevention.js")),
    ("fraud.js", JS, include_str!("../assets/fraud.js")),
    ("equity.js", JS, include_str!("../assets/equity.js")),
    ("accuracy.js", JS, include_str!("../assets/accuracy.js")),
    ("users.js", JS, include_str!("../assets/users.js")),
    ("volunteers.js", JS, include_str!("../assets/volunteers.js")),
];
const JS: &str = "text/javascript; charset=utf-8";

/// What the pages may load: their own scripts and styles, this server's API,
/// and images from here (and from the deployment's tile server, if any);
/// no inline script, no plugins, no framing.
fn content_security_policy(tiles: Option<&str>) -> String {
    let tile_origin = tiles
        .and_then(|t| {
            let rest = t.split_once("://")?;
            Some(format!(" {}://{}", rest.0, rest.1.split('/').next()?))
        })
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{tile_origin}; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> axum::response::Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, media_type, body)) => ([(header::CONTENT_TYPE, *media_type)], *body).into_response(),
        None => ApiError::new(Code::NotFound, format!("no asset {name}")).into_response(),
    }
}

pub fn router(state: AppState) -> Router {
    let policy: &'static str = Box::leak(content_security_policy(state.tiles.as_deref()).into_boxed_str());
    let mut router = Router::new();
    for (path, html) in PAGES {
        router = router.route(
            path,
            get(move || async move {
                (
                    [
                        (header::CONTENT_SECURITY_POLICY, policy),
                        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                        (header::REFERRER_POLICY, "no-referrer"),
                    ],
                    Html(html),
                )
            }),
        );
    }
    router
        .route("/assets/{name}", get(asset))
        .route("/health", get(api::health))
        .route("/ready", get(api::ready))
        .route("/api/openapi.json", get(|| async { axum::Json(openapi::document()) }))
        .route("/open311/v2/{*path}", get(open311::get).post(open311::post))
        .route(
            "/api/v1/session",
            axum::routing::post(session::create).delete(session::delete),
        )
        .route("/api/v1/me", get(session::me))
        .route("/api/v1/changes", get(api::changes))
        .route("/api/v1/public/services", get(public::services))
        .route("/api/v1/public/map", get(public::map))
        .route("/api/v1/public/requests", axum::routing::post(public::submit))
        .route("/api/v1/public/requests/{token}", get(public::follow))
        .route(
            "/api/v1/public/requests/{token}/photos",
            axum::routing::post(public::photo).layer(axum::extract::DefaultBodyLimit::max(public::PHOTO_MAX_BYTES)),
        )
        .route(
            "/api/v1/public/requests/{token}/rating",
            axum::routing::post(public::rate),
        )
        .route("/api/v1/users", get(session::users).post(session::create_user))
        .route("/api/v1/notifications", get(session::notifications))
        .route(
            "/api/v1/credentials",
            get(session::credentials).post(session::issue_credential),
        )
        .route(
            "/api/v1/credentials/{id}/revoke",
            axum::routing::post(session::revoke_credential),
        )
        .route("/api/v1/users/{username}", axum::routing::post(session::change_user))
        .route("/api/v1/me/password", axum::routing::post(session::change_password))
        .route("/api/v1/me/volunteering", get(cases::my_volunteering))
        .route("/api/v1/me/activities", axum::routing::post(cases::my_activity))
        .route("/api/v1/datasets", get(api::datasets))
        .route(
            "/api/v1/imports/files",
            axum::routing::post(imports::upload).layer(axum::extract::DefaultBodyLimit::max(
                fengqiao_app::incident_files::MAX_BYTES,
            )),
        )
        .route("/api/v1/imports/preview", axum::routing::post(imports::preview))
        .route("/api/v1/imports", axum::routing::post(imports::start))
        .route("/api/v1/imports/{job}", get(imports::status))
        .route("/api/v1/import-profiles", get(imports::profiles))
        .route("/api/v1/categories", get(api::categories))
        .route("/api/v1/jurisdictions", get(api::jurisdictions))
        .route("/api/v1/facilities", get(api::facilities))
        .route("/api/v1/incidents", get(api::incidents))
        .route("/api/v1/incidents/aggregate", get(api::aggregate))
        .route("/api/v1/incidents/{id}", get(api::incident))
        .route("/api/v1/kpis/shift", get(jobs::shift_kpis))
        .route("/api/v1/forecasts", axum::routing::post(jobs::forecast))
        .route("/api/v1/forecasts/latest", get(api::latest_forecast))
        .route("/api/v1/forecasts/accuracy", get(accuracy::recent))
        .route("/api/v1/plans", axum::routing::post(jobs::plan))
        .route("/api/v1/plans/latest", get(api::latest_plan))
        .route("/api/v1/equity", get(equity::report))
        .route("/api/v1/staffing", get(api::staffing))
        .route("/api/v1/near-repeat", get(api::near_repeat))
        .route("/api/v1/alert-zones", get(prevention::zones))
        .route("/api/v1/alert-zones/rules", axum::routing::post(prevention::set_rule))
        .route("/api/v1/public/alerts", get(prevention::public_alerts))
        .route("/api/v1/fraud-warnings", axum::routing::post(anti_fraud::import))
        .route("/api/v1/fraud-warnings/report", get(anti_fraud::report))
        .route("/api/v1/fraud-warnings/rising", get(anti_fraud::rising))
        .route(
            "/api/v1/fraud-warnings/campaigns",
            axum::routing::post(anti_fraud::campaign),
        )
        .route("/api/v1/callbacks/draws", axum::routing::post(callbacks::draw))
        .route("/api/v1/callbacks/draws/{week}", get(callbacks::draw_of))
        .route("/api/v1/callbacks/report", get(callbacks::report))
        .route("/api/v1/plans/{id}", get(api::plan_by_id))
        .route("/api/v1/plans/{id}/sheet", get(personnel::patrol_sheet))
        .route("/api/v1/plans/{id}/replay", axum::routing::post(jobs::replay))
        .route("/api/v1/cases", get(cases::list).post(cases::open))
        .route("/api/v1/cases/{code}", get(cases::one))
        .route("/api/v1/cases/{code}/actions", axum::routing::post(cases::act))
        .route(
            "/api/v1/cases/{code}/attachments",
            axum::routing::post(cases::add_attachment)
                .layer(axum::extract::DefaultBodyLimit::max(cases::ATTACHMENT_MAX_BYTES)),
        )
        .route("/api/v1/cases/{code}/attachments/{id}", get(cases::attachment))
        .route("/api/v1/places/resolve", get(cases::resolve_place))
        .route("/api/v1/case-types", get(cases::types))
        .route("/api/v1/mediators", get(cases::mediators).post(cases::add_mediator))
        .route(
            "/api/v1/mediators/{id}/retire",
            axum::routing::post(cases::retire_mediator),
        )
        .route("/api/v1/duty", get(personnel::duty))
        .route("/api/v1/personnel", get(personnel::list).post(personnel::add))
        .route(
            "/api/v1/personnel/import",
            axum::routing::post(personnel::import)
                .layer(axum::extract::DefaultBodyLimit::max(personnel::IMPORT_MAX_BYTES)),
        )
        .route("/api/v1/personnel/{id}", axum::routing::post(personnel::update))
        .route("/api/v1/leave", get(personnel::leave).post(personnel::add_leave))
        .route("/api/v1/rosters", get(personnel::rosters).post(personnel::build_roster))
        .route("/api/v1/rosters/{id}", get(personnel::roster))
        .route(
            "/api/v1/rosters/{id}/publish",
            axum::routing::post(personnel::publish_roster),
        )
        .route("/api/v1/rosters/{id}/sick", axum::routing::post(personnel::sick_call))
        .route(
            "/api/v1/rosters/{id}/swaps",
            axum::routing::post(personnel::request_swap),
        )
        .route(
            "/api/v1/rosters/{id}/swaps/{n}",
            axum::routing::post(personnel::decide_swap),
        )
        .route(
            "/api/v1/rosters/{id}/levels",
            axum::routing::post(personnel::raise_level),
        )
        .route(
            "/api/v1/duty-levels",
            axum::routing::post(personnel::raise_level_everywhere),
        )
        .route(
            "/api/v1/rosters/{id}/levels/{n}/lower",
            axum::routing::post(personnel::lower_level),
        )
        .route(
            "/api/v1/leave/{id}/cancel",
            axum::routing::post(personnel::cancel_leave),
        )
        .route("/api/v1/volunteers", get(cases::volunteers).post(cases::add_volunteer))
        .route(
            "/api/v1/volunteers/activities",
            get(cases::activities).post(cases::add_activity),
        )
        .route("/api/v1/reports/cases", get(cases::report))
        .route("/api/v1/ledger/checkpoint", get(api::ledger_checkpoint))
        .route(
            "/api/v1/ledger/cosignatures",
            axum::routing::post(api::ledger_cosignatures),
        )
        .route("/api/v1/ledger/proof", get(api::ledger_proof))
        .route("/api/v1/ledger/consistency", get(api::ledger_consistency))
        .route("/api/v1/ledger/tile/{*path}", get(api::ledger_tile))
        .fallback(|| async { ApiError::new(Code::NotFound, "no such route".to_string()).into_response() })
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::guard))
        .layer(axum::middleware::from_fn(body::shape))
        .layer(axum::extract::DefaultBodyLimit::max(body::MAX_BYTES))
        .with_state(state)
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
