//! Open311 GeoReport v2 at `/open311/v2`: the public channel existing civic
//! apps speak. Services are the configured request categories; a posted
//! request (form-encoded, with an `api_key` issued by `fengqiao open311
//! key`) becomes a citizen's request in the case engine, followed by its
//! case code (`service_request_id`) or its tracking token. Every resource
//! in `.json` and `.xml` (`text/xml`), errors in the spec's shape, times in
//! ISO 8601 with the city's offset.

use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use fengqiao_store::cases::{CaseFilter, CaseRecord, Party};
use serde_json::{Value, json};
use std::collections::HashMap;

const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";
/// Default window of `GET requests` (the spec's 90 days) and most results.
const DEFAULT_DAYS: i64 = 90;
const MAX_RESULTS: usize = 1000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Json,
    Xml,
}

/// A value rendered as JSON or as the spec's XML.
#[derive(Debug)]
pub enum Node {
    Text(String),
    Null,
    /// Element name, children.
    Record(Vec<(&'static str, Node)>),
    /// Element name of each item, items.
    List(&'static str, Vec<Node>),
}

fn text(s: impl Into<String>) -> Node {
    Node::Text(s.into())
}

fn opt(s: Option<String>) -> Node {
    s.map_or(Node::Null, Node::Text)
}

fn to_json(n: &Node) -> Value {
    match n {
        Node::Text(s) => json!(s),
        Node::Null => Value::Null,
        Node::Record(fields) => Value::Object(fields.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect()),
        Node::List(_, items) => Value::Array(items.iter().map(to_json).collect()),
    }
}

/// Text as XML character data: markup escaped, and what XML 1.0 cannot
/// carry at all (controls other than tab and line breaks, U+FFFE, U+FFFF)
/// replaced by U+FFFD, so a document is well-formed whatever was stored.
fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' => out.push(c),
            // A bare CR would be read back as a line feed.
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

fn to_xml(name: &str, n: &Node, out: &mut String) {
    match n {
        Node::Text(s) => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            escape(s, out);
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        Node::Null => out.push_str(&format!("<{name}/>")),
        Node::Record(fields) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in fields {
                to_xml(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Node::List(item, items) => {
            out.push_str(&format!("<{name}>"));
            for i in items {
                to_xml(item, i, out);
            }
            out.push_str(&format!("</{name}>"));
        }
    }
}

/// A document as sent: its bytes and media type.
pub fn document(format: Format, root: &str, body: &Node) -> (Vec<u8>, &'static str) {
    match format {
        Format::Json => (
            serde_json::to_vec(&to_json(body)).expect("a JSON value serialises"),
            "application/json; charset=utf-8",
        ),
        Format::Xml => {
            let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
            to_xml(root, body, &mut out);
            (out.into_bytes(), "text/xml; charset=utf-8")
        }
    }
}

/// A list of service requests with these texts in every field, as the
/// lists render them (for fuzzing the writers).
pub fn requests_document(format: Format, texts: &[String]) -> Vec<u8> {
    let items = texts
        .iter()
        .map(|t| {
            Node::Record(vec![
                ("service_request_id", text(t.clone())),
                ("description", text(t.clone())),
                ("address", opt(Some(t.clone()))),
            ])
        })
        .collect();
    document(format, "service_requests", &Node::List("request", items)).0
}

/// `root` names the XML root element.
fn render(format: Format, status: StatusCode, root: &str, body: Node) -> Response {
    let (bytes, media_type) = document(format, root, &body);
    let mut r = (status, bytes).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    r
}

/// The spec's error shape: a list of {code, description}.
fn error(format: Format, status: StatusCode, description: &str) -> Response {
    let e = Node::Record(vec![
        ("code", text(status.as_u16().to_string())),
        ("description", text(description)),
    ]);
    render(format, status, "errors", Node::List("error", vec![e]))
}

/// Splits `name.json` / `name.xml`.
fn split_format(path: &str) -> Option<(&str, Format)> {
    let (stem, ext) = path.rsplit_once('.')?;
    let f = match ext {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    Some((stem, f))
}

fn iso(state: &AppState, t: DateTime<Utc>) -> String {
    t.with_timezone(&state.cases.calendar.timezone())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn jurisdiction_id(state: &AppState) -> String {
    state.open311_jurisdiction.clone()
}

fn check_jurisdiction(state: &AppState, q: &HashMap<String, String>) -> Result<(), String> {
    match q.get("jurisdiction_id") {
        Some(j) if *j != jurisdiction_id(state) => Err(format!(
            "jurisdiction_id {j:?} is not served here (this endpoint serves {:?})",
            jurisdiction_id(state)
        )),
        _ => Ok(()),
    }
}

fn services(state: &AppState) -> Vec<(String, String, String)> {
    let Some(t) = state.cases.case_type("request") else {
        return Vec::new();
    };
    t.categories
        .iter()
        .map(|c| {
            let [zh, en] = t
                .category_names
                .get(c)
                .cloned()
                .unwrap_or_else(|| [c.clone(), c.clone()]);
            (c.clone(), format!("{zh} / {en}"), zh)
        })
        .collect()
}

/// The attributes a service asks for (one example service has them).
fn attributes(code: &str) -> Vec<Node> {
    if code != "request.noise" {
        return Vec::new();
    }
    let values = ["day", "evening", "night"]
        .iter()
        .zip(["白天 day", "傍晚 evening", "夜间 night"])
        .map(|(k, n)| Node::Record(vec![("key", text(*k)), ("name", text(n))]))
        .collect();
    vec![Node::Record(vec![
        ("variable", text("true")),
        ("code", text("when")),
        ("datatype", text("singlevaluelist")),
        ("required", text("false")),
        ("datatype_description", Node::Null),
        ("order", text("1")),
        ("description", text("什么时候 When does it happen?")),
        ("values", Node::List("value", values)),
    ])]
}

/// How precisely the public lists place a request: coordinates rounded to
/// this many degrees (about 330 m north-south, 290 m east-west at 30°N), so a
/// pin at the complainant's door shows only the neighbourhood.
const PUBLIC_ROUNDING_DEG: f64 = 0.003;

/// Who reads a request: the public sees the category, status, times, the
/// community and a rounded location, and the description only once staff
/// have marked it publishable; a trusted partner sees it all.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Audience {
    Public,
    Partner,
}

fn request_node(state: &AppState, c: &CaseRecord, audience: Audience, community: Option<String>) -> Node {
    let t = state.cases.case_type(&c.case.case_type);
    let stage = t
        .and_then(|t| t.stage(&c.state.stage))
        .map_or(c.state.stage.clone(), |s| format!("{} {}", s.zh, s.en));
    let service_name = t
        .and_then(|t| t.category_names.get(&c.case.category))
        .map_or(c.case.category.clone(), |[zh, en]| format!("{zh} / {en}"));
    let agency = c.state.department.as_ref().map(|d| {
        state
            .cases
            .departments
            .iter()
            .find(|x| &x.code == d)
            .map_or(d.clone(), |x| format!("{} {}", x.zh, x.en))
    });
    let full = audience == Audience::Partner;
    let round = |v: f64| {
        if full {
            v.to_string()
        } else {
            let r = (v / PUBLIC_ROUNDING_DEG).round() * PUBLIC_ROUNDING_DEG;
            format!("{r:.3}")
        }
    };
    let description = if full || c.state.publishable {
        text(c.case.description.clone())
    } else {
        Node::Null
    };
    let address = if full { c.case.address.clone() } else { community };
    let updated = c.state.updated_at.unwrap_or(c.state.opened_at);
    Node::Record(vec![
        ("service_request_id", text(c.code.clone())),
        (
            "status",
            text(if c.state.closed_at.is_some() { "closed" } else { "open" }),
        ),
        ("status_notes", text(stage)),
        ("service_name", text(service_name)),
        ("service_code", text(c.case.category.clone())),
        ("description", description),
        ("agency_responsible", opt(agency)),
        ("service_notice", Node::Null),
        ("requested_datetime", text(iso(state, c.state.opened_at))),
        ("updated_datetime", text(iso(state, updated))),
        ("expected_datetime", text(iso(state, c.state.due_at))),
        ("address", opt(address)),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", opt(c.case.lat.map(round))),
        ("long", opt(c.case.lon.map(round))),
        ("media_url", Node::Null),
    ])
}

/// The community (village level) each case lies in, by its area code, as
/// "town community" names.
fn communities(all: &[fengqiao_store::JurisdictionRecord]) -> impl Fn(&CaseRecord) -> Option<String> + '_ {
    use fengqiao_domain::Level;
    move |c: &CaseRecord| {
        let code = c.case.jurisdiction.as_deref()?;
        let name = |level: Level| {
            all.iter()
                .filter(|j| j.jurisdiction.level == level && code.starts_with(j.jurisdiction.code.as_str()))
                .max_by_key(|j| j.jurisdiction.code.len())
                .map(|j| j.jurisdiction.name_zh.clone())
        };
        match (name(Level::Town), name(Level::Village)) {
            (Some(t), Some(v)) => Some(format!("{t}{v}")),
            (t, v) => v.or(t),
        }
    }
}

/// Whether the request's `api_key` belongs to a trusted partner (full detail).
async fn audience(state: &AppState, q: &HashMap<String, String>) -> Result<Audience, Response> {
    let Some(key) = q.get("api_key").filter(|k| !k.is_empty()) else {
        return Ok(Audience::Public);
    };
    let hash = fengqiao_store::users::secret_hash(key);
    match worker(state, move |s| s.open311_key(&hash)).await {
        Some(Ok(Some(name))) if state.network.open311_partners.contains(&name) => Ok(Audience::Partner),
        Some(Ok(_)) => Ok(Audience::Public),
        _ => Err(error(
            Format::Json,
            StatusCode::SERVICE_UNAVAILABLE,
            "the database could not answer",
        )),
    }
}

async fn worker<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn fengqiao_store::Store) -> T + Send + 'static,
) -> Option<T> {
    crate::api::on_worker(state, f).await.ok()
}

/// Where this endpoint is reached from outside: the configured public
/// address, else the address the client used.
fn endpoint_url(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    match &state.network.public_url {
        Some(base) => format!("{}/open311/v2", base.trim_end_matches('/')),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
                .unwrap_or("localhost");
            format!("http://{host}/open311/v2")
        }
    }
}

pub async fn get(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    Path(path): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((stem, format)) = split_format(&path) else {
        return error(
            Format::Json,
            StatusCode::NOT_FOUND,
            "ask for a resource ending in .json or .xml",
        );
    };
    if let Err(e) = check_jurisdiction(&state, &q) {
        return error(format, StatusCode::BAD_REQUEST, &e);
    }
    match stem.split_once('/') {
        None if stem == "discovery" => {
            let endpoint = Node::Record(vec![
                ("specification", text(SPEC)),
                ("url", text(endpoint_url(&state, &headers))),
                ("changeset", text("2026-11-28T00:00:00+08:00")),
                ("type", text("production")),
                (
                    "formats",
                    Node::List("format", vec![text("application/json"), text("text/xml")]),
                ),
            ]);
            let body = Node::Record(vec![
                ("changeset", text("2026-11-28T00:00:00+08:00")),
                ("contact", text("Fengqiao 枫桥 — see the operator's contact page")),
                (
                    "key_service",
                    text("API keys are issued by the operator: fengqiao user open311-key --name CLIENT"),
                ),
                ("endpoints", Node::List("endpoint", vec![endpoint])),
            ]);
            render(format, StatusCode::OK, "discovery", body)
        }
        None if stem == "services" => {
            let list = services(&state)
                .into_iter()
                .map(|(code, name, group)| {
                    Node::Record(vec![
                        ("service_code", text(code.clone())),
                        ("service_name", text(name)),
                        ("description", text("")),
                        (
                            "metadata",
                            text(if attributes(&code).is_empty() { "false" } else { "true" }),
                        ),
                        ("type", text("realtime")),
                        ("keywords", text("")),
                        ("group", text(group)),
                    ])
                })
                .collect();
            render(format, StatusCode::OK, "services", Node::List("service", list))
        }
        Some(("services", code)) => {
            if !services(&state).iter().any(|s| s.0 == code) {
                return error(format, StatusCode::NOT_FOUND, &format!("no service {code}"));
            }
            let body = Node::Record(vec![
                ("service_code", text(code)),
                ("attributes", Node::List("attribute", attributes(code))),
            ]);
            render(format, StatusCode::OK, "service_definition", body)
        }
        None if stem == "requests" => {
            let client = crate::client_ip(&state, peer.ip(), &headers).to_string();
            match list_requests(&state, format, &q, &headers, &client).await {
                Ok(r) => r,
                Err(r) => r,
            }
        }
        Some(("requests", id)) => {
            let audience = match audience(&state, &q).await {
                Ok(a) => a,
                Err(r) => return r,
            };
            let id = id.to_string();
            let found = worker(&state, move |s| -> fengqiao_store::Result<_> {
                let Some(c) = s.case_by_code(&id)? else { return Ok(None) };
                Ok(Some((c, s.jurisdictions()?)))
            })
            .await;
            match found {
                Some(Ok(Some((c, areas)))) if c.case.case_type == "request" => render(
                    format,
                    StatusCode::OK,
                    "service_requests",
                    Node::List(
                        "request",
                        vec![request_node(&state, &c, audience, communities(&areas)(&c))],
                    ),
                ),
                Some(Ok(_)) => error(format, StatusCode::NOT_FOUND, "no such service request"),
                _ => error(format, StatusCode::SERVICE_UNAVAILABLE, "the database could not answer"),
            }
        }
        Some(("tokens", token)) => {
            let hash = fengqiao_store::cases::token_hash(token);
            let token = token.to_string();
            match worker(&state, move |s| s.case_by_token(&hash)).await {
                Some(Ok(Some(c))) => {
                    let item = Node::Record(vec![("service_request_id", text(c.code)), ("token", text(token))]);
                    render(
                        format,
                        StatusCode::OK,
                        "service_requests",
                        Node::List("request", vec![item]),
                    )
                }
                Some(Ok(None)) => error(format, StatusCode::NOT_FOUND, "no service request with that token"),
                _ => error(format, StatusCode::SERVICE_UNAVAILABLE, "the database could not answer"),
            }
        }
        _ => error(format, StatusCode::NOT_FOUND, "no such resource"),
    }
}

fn parse_time(v: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v).ok().map(|t| t.with_timezone(&Utc))
}

async fn list_requests(
    state: &AppState,
    format: Format,
    q: &HashMap<String, String>,
    headers: &axum::http::HeaderMap,
    client: &str,
) -> Result<Response, Response> {
    let allowed = [
        "jurisdiction_id",
        "service_request_id",
        "service_code",
        "start_date",
        "end_date",
        "status",
        "api_key",
    ];
    if let Some(k) = q.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(error(
            format,
            StatusCode::BAD_REQUEST,
            &format!("unknown parameter {k}"),
        ));
    }
    let now = Utc::now();
    let mut window = (
        now - chrono::Duration::days(DEFAULT_DAYS),
        now + chrono::Duration::seconds(1),
    );
    for (k, slot) in [("start_date", 0), ("end_date", 1)] {
        if let Some(v) = q.get(k) {
            let Some(t) = parse_time(v) else {
                return Err(error(
                    format,
                    StatusCode::BAD_REQUEST,
                    &format!("{k} {v:?} is not an ISO 8601 time with a zone"),
                ));
            };
            if slot == 0 { window.0 = t } else { window.1 = t }
        }
    }
    let statuses: Vec<String> = q
        .get("status")
        .map_or(vec![], |s| s.split(',').map(str::to_string).collect());
    if let Some(bad) = statuses.iter().find(|s| !matches!(s.as_str(), "open" | "closed")) {
        return Err(error(
            format,
            StatusCode::BAD_REQUEST,
            &format!("status {bad:?}: open or closed"),
        ));
    }
    let ids: Option<Vec<String>> = q
        .get("service_request_id")
        .map(|v| v.split(',').map(str::to_string).collect());
    let codes: Vec<String> = q
        .get("service_code")
        .map_or(vec![], |v| v.split(',').map(str::to_string).collect());
    let audience = audience(state, q).await?;
    // The same list is asked for over and over: kept until the next write.
    let mut asked: Vec<(&String, &String)> = q.iter().filter(|(k, _)| *k != "api_key").collect();
    asked.sort();
    let key = format!("open311 requests {format:?} {audience:?} {asked:?}");
    let generation = state.store.generation();
    let st = state.clone();
    let answer = crate::api::cached(state, headers, client, key, generation, move || async move {
        let filter = CaseFilter {
            case_type: Some("request".into()),
            ..Default::default()
        };
        let (cases, areas) = crate::api::blocking(&st, move |s| Ok((s.cases(&filter)?, s.jurisdictions()?))).await?;
        let mut picked: Vec<&CaseRecord> = cases
            .iter()
            .filter(|c| match &ids {
                // Asking by id ignores the other filters, as the spec says.
                Some(ids) => ids.contains(&c.code),
                None => {
                    (codes.is_empty() || codes.contains(&c.case.category))
                        && (statuses.is_empty()
                            || statuses
                                .iter()
                                .any(|s| s == if c.state.closed_at.is_some() { "closed" } else { "open" }))
                        && window.0 <= c.state.opened_at
                        && c.state.opened_at < window.1
                }
            })
            .collect();
        picked.sort_by_key(|c| std::cmp::Reverse(c.state.opened_at));
        picked.truncate(MAX_RESULTS);
        let community = communities(&areas);
        let items = picked
            .iter()
            .map(|c| request_node(&st, c, audience, community(c)))
            .collect();
        let (bytes, media_type) = document(format, "service_requests", &Node::List("request", items));
        Ok(crate::cache::Answer::new(bytes, media_type))
    })
    .await;
    answer.map_err(|e| error(format, e.status(), &e.message))
}

/// A GeoReport v2 request body: its fields (the last of a repeated name
/// wins) and its `attribute[CODE]` values in order.
#[derive(Debug, Default, PartialEq)]
pub struct RequestForm {
    pub fields: HashMap<String, String>,
    pub attributes: Vec<(String, String)>,
}

/// Parses a form-encoded request body; `None` if it is not one.
pub fn parse_request_form(raw: &[u8]) -> Option<RequestForm> {
    let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).ok()?;
    let mut form = RequestForm::default();
    for (k, v) in pairs {
        match k.strip_prefix("attribute[").and_then(|r| r.strip_suffix(']')) {
            Some(code) => form.attributes.push((code.to_string(), v)),
            None => {
                form.fields.insert(k, v);
            }
        }
    }
    Some(form)
}

/// `POST /open311/v2/requests.{json,xml}`, form-encoded.
pub async fn post(State(state): State<AppState>, Path(path): Path<String>, raw: axum::body::Bytes) -> Response {
    let Some(("requests", format)) = split_format(&path) else {
        return error(
            Format::Json,
            StatusCode::NOT_FOUND,
            "POST requests.json or requests.xml",
        );
    };
    let Some(RequestForm {
        fields: form,
        attributes: attrs,
    }) = parse_request_form(&raw)
    else {
        return error(
            format,
            StatusCode::BAD_REQUEST,
            "the body is not application/x-www-form-urlencoded",
        );
    };
    if let Err(e) = check_jurisdiction(&state, &form) {
        return error(format, StatusCode::BAD_REQUEST, &e);
    }
    let key = form.get("api_key").cloned().unwrap_or_default();
    let key_hash = fengqiao_store::users::secret_hash(&key);
    let client = worker(&state, move |s| s.open311_key(&key_hash)).await;
    let client = match client {
        Some(Ok(Some(name))) => name,
        Some(Ok(None)) => return error(format, StatusCode::FORBIDDEN, "api_key is missing or not valid"),
        _ => return error(format, StatusCode::SERVICE_UNAVAILABLE, "the database could not answer"),
    };
    let Some(code) = form.get("service_code").filter(|c| !c.is_empty()).cloned() else {
        return error(format, StatusCode::BAD_REQUEST, "service_code is required");
    };
    if !services(&state).iter().any(|s| s.0 == code) {
        return error(
            format,
            StatusCode::BAD_REQUEST,
            &format!(
                "service_code {code:?} is not a service (see services.{})",
                if format == Format::Json { "json" } else { "xml" }
            ),
        );
    }
    let num = |k: &str| form.get(k).filter(|v| !v.is_empty()).map(|v| v.parse::<f64>());
    let (lat, lon) = match (num("lat"), num("long")) {
        (Some(Ok(lat)), Some(Ok(lon))) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {
            (Some(lat), Some(lon))
        }
        (None, None) => (None, None),
        _ => {
            return error(
                format,
                StatusCode::BAD_REQUEST,
                "lat and long must both be given, as WGS84 degrees",
            );
        }
    };
    let address = form
        .get("address_string")
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    // A pin is routed like the public page's, by the area it falls in; one
    // outside every area (0,0 say) is no location.
    let jurisdiction = match (lon, lat) {
        (Some(lon), Some(lat)) => match crate::public::route_pin(&state, lon, lat).await {
            Ok(Some(code)) => Some(code),
            Ok(None) if address.is_some() => None,
            Ok(None) => {
                return error(
                    format,
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "lat {lat}, long {lon} is outside the area this endpoint serves; send a point inside it or an address_string"
                    ),
                );
            }
            Err(_) => return error(format, StatusCode::SERVICE_UNAVAILABLE, "the database could not answer"),
        },
        _ => None,
    };
    if lat.is_none() && address.is_none() {
        return error(
            format,
            StatusCode::BAD_REQUEST,
            "a location is required: lat and long inside the area served, or address_string (an address_id alone cannot be resolved here)",
        );
    }
    for (a, v) in &attrs {
        if !(a == "when" && code == "request.noise" && ["day", "evening", "night"].contains(&v.as_str())) {
            return error(
                format,
                StatusCode::BAD_REQUEST,
                &format!("attribute[{a}]={v:?} is not an attribute of {code}"),
            );
        }
    }
    let description = form.get("description").cloned().unwrap_or_default();
    if description.chars().count() > 4000 {
        return error(format, StatusCode::BAD_REQUEST, "description: at most 4,000 characters");
    }
    let name = [form.get("first_name"), form.get("last_name")]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let parties = if name.is_empty() && form.get("phone").is_none_or(|p| p.is_empty()) {
        Vec::new()
    } else {
        vec![Party {
            role: "reporter".into(),
            name: if name.is_empty() { "(anonymous)".into() } else { name },
            phone: form.get("phone").filter(|p| !p.is_empty()).cloned(),
            id_number: None,
            address: None,
            vulnerable: false,
            id_type: None,
        }]
    };
    let title = state
        .cases
        .case_type("request")
        .and_then(|t| t.category_names.get(&code))
        .map_or(code.clone(), |[zh, _]| zh.clone());
    let mut full_description = description.clone();
    for (a, v) in &attrs {
        full_description.push_str(&format!("\n[{a}] {v}"));
    }
    let req = fengqiao_app::cases::OpenCase {
        case_type: "request".into(),
        category: code,
        title,
        description: full_description,
        jurisdiction,
        address,
        lon,
        lat,
        parties,
        stock: None,
        threats: false,
        risk_grade: None,
        in_person_visits: 0,
        incident_id: None,
        origin: Some("open311".into()),
    };
    let settings = state.settings.clone();
    let citizen = fengqiao_app::cases::Actor {
        role: "citizen".into(),
        username: format!("open311:{client}"),
    };
    let opened = worker(&state, move |s| {
        fengqiao_app::cases::open(s, &settings.cases, req, &citizen, Utc::now())
    })
    .await;
    match opened {
        Some(Ok(fengqiao_app::cases::Opened {
            case,
            tracking_token: Some(token),
            ..
        })) => {
            let item = Node::Record(vec![
                ("service_request_id", text(case.code)),
                ("token", text(token)),
                (
                    "service_notice",
                    text(format!("受理 accepted; expected by {}", iso(&state, case.state.due_at))),
                ),
                ("account_id", Node::Null),
            ]);
            render(
                format,
                StatusCode::CREATED,
                "service_requests",
                Node::List("request", vec![item]),
            )
        }
        Some(Ok(_)) => error(
            format,
            StatusCode::INTERNAL_SERVER_ERROR,
            "a request without its tracking token",
        ),
        // GeoReport v2 answers a refused request with 400 whatever the reason; a fault of ours is 503.
        Some(Err(e)) if e.code.http_status() >= 500 => error(
            format,
            StatusCode::SERVICE_UNAVAILABLE,
            "the request could not be stored now",
        ),
        Some(Err(e)) => error(format, StatusCode::BAD_REQUEST, &e.message),
        None => error(format, StatusCode::SERVICE_UNAVAILABLE, "the database could not answer"),
    }
}
