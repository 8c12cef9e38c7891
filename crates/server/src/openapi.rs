//! The OpenAPI 3.1 document of `/api/v1` and `/open311/v2`, built from the
//! same route table the guard enforces ([`crate::auth::ROUTES`]) and a table
//! of what each route takes and answers. A test checks the two tables name
//! the same routes, and schemathesis checks the server against the document.

use crate::auth::{Need, ROUTES};
use fengqiao_app::Code;
use serde_json::{Value, json};

/// (method, OpenAPI path, summary, query parameters (name, schema type), JSON body, success status).
type Doc = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
    u16,
);

const FILTERS: &[(&str, &str)] = &[
    ("dataset", "string"),
    ("from", "string"),
    ("to", "string"),
    ("category", "string"),
    ("jurisdiction", "string"),
    ("bbox", "string"),
    ("origin", "string"),
];

pub const DOCS: &[Doc] = &[
    ("GET", "/api/openapi.json", "This document", &[], None, 200),
    (
        "POST",
        "/api/v1/session",
        "Sign in; sets the session cookie and returns the CSRF token",
        &[],
        Some("credentials"),
        200,
    ),
    ("DELETE", "/api/v1/session", "Sign out", &[], None, 204),
    (
        "GET",
        "/api/v1/public/services",
        "Request categories for citizens (no account)",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/public/requests",
        "A citizen submits a request (no account); the answer holds its tracking token, once",
        &[],
        Some("public_request"),
        201,
    ),
    (
        "GET",
        "/api/v1/public/requests/{token}",
        "Follow a request with its tracking token",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/public/map",
        "Town boundaries and the base-map tile template for the public page's map",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/public/requests/{token}/photos",
        "Add a photo (JPEG, PNG or WebP, at most 5 MB, 3 per request) to an open request",
        &[],
        Some("photo"),
        201,
    ),
    (
        "POST",
        "/api/v1/public/requests/{token}/rating",
        "Rate a closed request (1-5) with its tracking token",
        &[],
        Some("rating"),
        200,
    ),
    (
        "GET",
        "/api/v1/me",
        "Who is signed in, the role's permissions and scope",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/me/password",
        "Change one's own password",
        &[],
        Some("password_change"),
        200,
    ),
    ("GET", "/api/v1/datasets", "Datasets", &[], None, 200),
    (
        "POST",
        "/api/v1/imports/files",
        "Upload an incident file (CSV, zip or gzip; UTF-8, GB18030/GBK or UTF-16) to import: how it reads — encoding, columns, first rows, the built-in profiles that fit and the first one applied",
        &[],
        Some("incident_file"),
        201,
    ),
    (
        "POST",
        "/api/v1/imports/preview",
        "An uploaded incident file through a profile or a mapping: its first rows as incidents and its first rejects (reads at most 1000 rows; stores nothing)",
        &[],
        Some("import_preview"),
        200,
    ),
    (
        "POST",
        "/api/v1/imports",
        "Import an uploaded incident file into a dataset, in the background (one import at a time per server)",
        &[],
        Some("import_start"),
        202,
    ),
    (
        "GET",
        "/api/v1/imports/{job}",
        "An import's progress (bytes and rows read), then what it did or why it failed",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/import-profiles",
        "The built-in incident file profiles with their mapping text, and the encodings a file may be read in",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/categories",
        "The incident category table",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/jurisdictions",
        "Jurisdictions as GeoJSON",
        &[("level", "enum:city|district|town|village|grid")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/facilities",
        "Stations, posts and the places the forecast reads (transport hubs, malls, bars, markets, schools, hospitals, industrial parks)",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/case-types",
        "Configured case types, stages, actions, roles, departments",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/incidents",
        "Incidents, newest first (an officer's: its jurisdiction)",
        &[("limit", "integer"), ("after", "string")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/incidents/{id}",
        "One incident: lifecycle times, jurisdiction, linked cases",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/kpis/shift",
        "Visibility and handling rates of the latest begun shift's plan, incidents vs forecast",
        &[("dataset", "string")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/incidents/aggregate",
        "Incident counts by a dimension or grid cell",
        &[
            (
                "by",
                "enum:cell|category|category_top|hour_of_week|jurisdiction|origin|day",
            ),
            ("cell", "numbers:50|100|150|200|250|500|1000|2000|5000|10000"),
        ],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/forecasts/latest",
        "The latest stored forecast",
        &[
            ("dataset", "string"),
            ("window", "enum:shift|day|week"),
            ("format", "enum:json|geojson"),
            ("category", "string"),
            ("top", "number"),
        ],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/plans/latest",
        "The latest deployment plan",
        &[("dataset", "string"), ("format", "enum:json|geojson|csv")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/forecasts/accuracy",
        "The last days (7 to 92, the city's calendar) replayed: each window forecast from the incidents before it by counting (naive) and the flagship (fq), beside the peek ceiling that sees the future; hit rates of all events at 1-20 % coverage with intervals, and the paired comparisons",
        &[("dataset", "string"), ("window", "enum:day|shift"), ("days", "integer")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/equity",
        "Equity of a forecast and its plan by town, village or grid: shares of hot cells and patrol time against the share of citizen-reported incidents (flagged over / under), the officer-initiated share of the training data, and the feedback loop's lock-in under the forecast's settings",
        &[
            ("dataset", "string"),
            ("window", "enum:shift|day|week"),
            ("forecast", "integer"),
            ("plan", "integer"),
            ("level", "enum:district|town|village|grid"),
            ("hot_share", "number"),
        ],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/alert-zones",
        "Cocoon alert zones open now (a zone of the category's radius around each recent incident, for its days), the rules in force, and the rounds of warnings of the last days (households told, on time)",
        &[("dataset", "string"), ("days", "integer")],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/alert-zones/rules",
        "Set a category's alert zone (radius_m and days), or turn its zones off (neither)",
        &[],
        Some("zone_rule"),
        204,
    ),
    (
        "POST",
        "/api/v1/fraud-warnings",
        "Anti-fraud warnings from the anti-fraud centre (JSON, or its CSV export with Chinese or English headers, times local): each not on file becomes a dissuasion case in the person's area, due round the clock; one wrong warning refuses the list",
        &[],
        Some("fraud_warnings"),
        200,
    ),
    (
        "GET",
        "/api/v1/fraud-warnings/report",
        "Anti-fraud warnings by station and ISO week: reached (in time), dissuaded, already paid, refused, not found, open, overdue, losses prevented",
        &[("weeks", "integer"), ("area", "string")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/fraud-warnings/rising",
        "Communities where fraud is rising: anti-fraud warnings and fraud incidents of the last 28 days against the 84 before (one-sided Poisson test at 5 %), the ages of the people warned, the volunteers whose skills and areas fit, and the campaign opened there with its reach",
        &[("dataset", "string")],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/fraud-warnings/campaigns",
        "Open a campaign of anti-fraud talks and visits in a community where fraud is rising (once in 28 days), naming the volunteers whose skills fit",
        &[],
        Some("fraud_campaign"),
        200,
    ),
    (
        "POST",
        "/api/v1/callbacks/draws",
        "Draw a week's 110 callback sample (a week that has ended, once): of each station and kind's citizen-reported incidents and cases closed that week, the share asked (0.1), ranked by a seed from the ledger's latest checkpoint; opens a callback case for each",
        &[],
        Some("callback_draw"),
        200,
    ),
    (
        "GET",
        "/api/v1/callbacks/draws/{week}",
        "A week's callback draw as kept: its seed and what it came from, each stratum's size and the units drawn, the callbacks opened",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/callbacks/report",
        "Satisfaction (satisfied or basically, of those reached) and perceived safety from the callbacks, with sample sizes and 95 % Wilson intervals, by station, town and month",
        &[("months", "integer"), ("area", "string")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/public/alerts",
        "Areas under an alert zone now, by category, and until when: no place, no incident",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/near-repeat",
        "Near repeats (the Knox test, as the Near Repeat Calculator) of a category's incidents over a period, with cocoon alert zones backtested on them",
        &[
            ("dataset", "string"),
            ("category", "string"),
            ("from", "string"),
            ("to", "string"),
            ("space_band", "number"),
            ("space_bands", "integer"),
            ("time_band", "integer"),
            ("time_bands", "integer"),
            ("iterations", "integer"),
            ("distance", "enum:manhattan|euclidean"),
            ("zones", "string"),
            ("seed", "integer"),
        ],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/staffing",
        "Crews each station needs in a forecast's window to answer calls within a target: Erlang C per station, and the hypercube model's crews when stations answer each other's calls",
        &[
            ("dataset", "string"),
            ("forecast", "string"),
            ("window", "enum:shift|day|week"),
            ("target_minutes", "number"),
            ("level", "number"),
            ("service_minutes", "number"),
            ("history_days", "integer"),
        ],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/plans/{id}",
        "A deployment plan",
        &[("format", "enum:json|geojson|csv")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/cases",
        "A case board within the role's scope, overdue first",
        &[
            ("type", "string"),
            ("stage", "string"),
            ("department", "string"),
            ("assignee", "string"),
            ("jurisdiction", "string"),
            ("open", "enum:true|false"),
            ("limit", "integer"),
        ],
        None,
        200,
    ),
    ("POST", "/api/v1/cases", "Open a case", &[], Some("case_open"), 201),
    (
        "GET",
        "/api/v1/cases/{code}",
        "A case with its history and the actions the role may take",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/cases/{code}/attachments/{id}",
        "An attachment's bytes, checked against their SHA-256",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/cases/{code}/attachments",
        "Add a file (JPEG, PNG, WebP or PDF, at most 10 MB, 40 per case) to an open case; ?name= its file name",
        &[("name", "string")],
        Some("attachment"),
        201,
    ),
    (
        "GET",
        "/api/v1/me/volunteering",
        "The signed-in volunteer's own record, hours and activities of the last year",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/me/activities",
        "A volunteer records an activity they did, with their hours",
        &[],
        Some("my_activity"),
        201,
    ),
    (
        "GET",
        "/api/v1/mediators",
        "The mediator pool, retired mediators included, with each one's open and settled disputes",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/mediators",
        "Add a mediator to the pool (logged)",
        &[],
        Some("mediator_new"),
        201,
    ),
    (
        "POST",
        "/api/v1/mediators/{id}/retire",
        "Retire a mediator: kept on file, given no new disputes (logged)",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/duty",
        "The stations' shift types and roster rules, staff kinds, qualifications and kinds of leave",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/personnel",
        "The personnel registry (民警, 辅警, 巡特警) of the stations the reader may see, with today's leave; names and phones masked unless the role handles personal data",
        &[("station", "string"), ("all", "boolean")],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/personnel",
        "Add a member of staff (logged)",
        &[],
        Some("person_new"),
        201,
    ),
    (
        "POST",
        "/api/v1/personnel/import",
        "Add the people of a personnel export (CSV, UTF-8, Chinese or English headers): every row or none",
        &[],
        Some("personnel_csv"),
        200,
    ),
    (
        "POST",
        "/api/v1/personnel/{id}",
        "Rewrite a member of staff at the version read: a transfer, a qualification, leaving the strength (logged)",
        &[],
        Some("person_update"),
        200,
    ),
    (
        "GET",
        "/api/v1/leave",
        "Leave overlapping local days from..to (default: the next four weeks) of the people the reader may see",
        &[("from", "string"), ("to", "string")],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/leave",
        "Record leave for a member of staff; it may not overlap their other leave (logged)",
        &[],
        Some("leave_new"),
        201,
    ),
    (
        "POST",
        "/api/v1/leave/{id}/cancel",
        "Cancel leave (logged)",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/rosters",
        "A station's rosters, newest first, with their shortfalls and rule breaches counted",
        &[("station", "string")],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/rosters",
        "Build a draft roster for a station: crews each shift needs from the hour-of-week demand (Erlang C), the station's people under the duty rules, crews led by a sworn officer (logged)",
        &[],
        Some("roster_new"),
        201,
    ),
    (
        "GET",
        "/api/v1/rosters/{id}",
        "One roster: who works which shift, the crews with call signs and members, the demand, shortfalls, rule checks and fairness; names masked unless the role handles personal data",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/rosters/{id}/publish",
        "Publish a draft roster at the version read (logged)",
        &[],
        Some("version"),
        200,
    ),
    (
        "POST",
        "/api/v1/rosters/{id}/sick",
        "A sick call: the leave recorded and the roster repaired with as few changes as possible, each listed (logged)",
        &[],
        Some("sick_call"),
        200,
    ),
    (
        "POST",
        "/api/v1/rosters/{id}/swaps",
        "Ask for two people of the same group to exchange what they work on a day; kept pending for a commander, with whether it keeps the rules (logged)",
        &[],
        Some("swap_request"),
        201,
    ),
    (
        "POST",
        "/api/v1/rosters/{id}/swaps/{n}",
        "Approve (applied if it keeps every rule, refused with the reasons otherwise) or refuse a swap request (logged)",
        &[],
        Some("swap_decision"),
        200,
    ),
    (
        "POST",
        "/api/v1/rosters/{id}/levels",
        "Raise a duty level (勤务等级) over days of the roster from today: its share of the station on post each day and another on standby (备勤), the roster repaired to meet it, each change listed (logged)",
        &[],
        Some("duty_level"),
        200,
    ),
    (
        "POST",
        "/api/v1/duty-levels",
        "Raise a duty level at every station in the caller's sight, on each one's published roster over the days; refused whole (409, naming the stations) if a level is raised already at any of them; stations without such a roster are listed (logged)",
        &[],
        Some("duty_level_everywhere"),
        200,
    ),
    (
        "POST",
        "/api/v1/rosters/{id}/levels/{n}/lower",
        "Lower a raised duty level from today: its days' demand restored and the shifts it added that are unchanged taken back (logged)",
        &[],
        Some("version"),
        200,
    ),
    (
        "GET",
        "/api/v1/plans/{id}/sheet",
        "The plan's patrol sheet (勤务卡): each unit manned by a crew of the station's published roster for the plan's shift (call sign, members, driver, duty officer), with its round by time and area; format=csv",
        &[("format", "enum:json|csv")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/credentials",
        "Every API token and Open311 key (a handle, a name, the account, when made and when it expires; never the secret)",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/credentials",
        "Issue an API token for an account or an Open311 key for a civic app; the secret is answered once",
        &[],
        Some("credential_new"),
        201,
    ),
    (
        "POST",
        "/api/v1/credentials/{id}/revoke",
        "Revoke an API token or Open311 key at once",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/notifications",
        "The newest notifications (dispatch, return, 督办 ...) and how their delivery went",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/changes",
        "The store's generations for pages to poll (send the ETag back as If-None-Match: 304 while nothing changed)",
        &[],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/places/resolve",
        "The area a case at a pin (lon, lat) or an address would be routed to, with the areas above it",
        &[("lon", "number"), ("lat", "number"), ("address", "string")],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/cases/{code}/actions",
        "Take an action on a case",
        &[],
        Some("case_action"),
        200,
    ),
    (
        "GET",
        "/api/v1/volunteers",
        "Volunteers with their hours",
        &[("skill", "string"), ("area", "string")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/volunteers/activities",
        "Volunteer activities, hours and safety-talk reach",
        &[("from", "string"), ("to", "string")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/reports/cases",
        "Case KPIs with their definitions",
        &[
            ("from", "string"),
            ("to", "string"),
            ("by", "enum:jurisdiction|department|person|type|month"),
        ],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/ledger/cosignatures",
        "A witness's cosignature lines for a checkpoint",
        &[("size", "integer")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/ledger/checkpoint",
        "The latest (or a given) signed checkpoint with cosignatures",
        &[("format", "enum:text|json"), ("size", "integer")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/ledger/proof",
        "Inclusion proof of a record",
        &[("record", "string"), ("format", "enum:json|text")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/ledger/consistency",
        "Consistency proof between two tree sizes",
        &[("old", "integer"), ("new", "integer")],
        None,
        200,
    ),
    (
        "GET",
        "/api/v1/ledger/tile/{path}",
        "C2SP tlog-tiles: hash tiles and entry bundles",
        &[],
        None,
        200,
    ),
    ("GET", "/api/v1/users", "Users (administrators)", &[], None, 200),
    (
        "POST",
        "/api/v1/plans/{id}/replay",
        "Replay a stored plan on the real incidents of its window",
        &[],
        None,
        200,
    ),
    (
        "POST",
        "/api/v1/forecasts",
        "Make and store the next window's forecast",
        &[],
        Some("forecast_job"),
        201,
    ),
    (
        "POST",
        "/api/v1/plans",
        "Make and store a deployment plan from a forecast",
        &[],
        Some("plan_job"),
        201,
    ),
    (
        "POST",
        "/api/v1/users",
        "Create a user; the answer holds its one-time password",
        &[],
        Some("user_new"),
        201,
    ),
    (
        "POST",
        "/api/v1/users/{username}",
        "Change a user's role, scope or status, or reset its password",
        &[],
        Some("user_change"),
        200,
    ),
    (
        "POST",
        "/api/v1/volunteers",
        "Register a volunteer",
        &[],
        Some("volunteer_new"),
        201,
    ),
    (
        "POST",
        "/api/v1/volunteers/activities",
        "Record a volunteer activity",
        &[],
        Some("activity_new"),
        201,
    ),
];

/// `string`, `integer`, ... or `enum:a|b|c`.
fn param_schema(t: &str) -> Value {
    if let Some(values) = t.strip_prefix("numbers:") {
        let values: Vec<f64> = values.split('|').filter_map(|v| v.parse().ok()).collect();
        return json!({"type": "number", "enum": values});
    }
    match t.strip_prefix("enum:") {
        Some(values) => json!({"type": "string", "enum": values.split('|').collect::<Vec<_>>()}),
        None if t == "integer" => json!({"type": "integer", "minimum": 0}),
        None => json!({"type": t}),
    }
}

fn body_schema(name: &str) -> Value {
    let s = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required, "additionalProperties": false});
    match name {
        "fraud_campaign" => s(
            json!({"area": {"type": "string"}, "dataset": {"type": ["string", "null"]}}),
            &["area"],
        ),
        "callback_draw" => s(
            json!({"week": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"},
                   "share": {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 1},
                   "dataset": {"type": ["string", "null"]}}),
            &["week"],
        ),
        "fraud_warnings" => s(
            json!({"warnings": {"type": "array", "maxItems": 2000, "items": {
                "type": "object", "additionalProperties": false, "required": ["received_at", "phone", "scam_type"],
                "properties": {
                    "received_at": {"type": "string", "format": "date-time"},
                    "phone": {"type": "string"}, "name": {"type": ["string", "null"]},
                    "scam_type": {"type": "string"}, "address": {"type": ["string", "null"]},
                    "area": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]},
                    "id_number": {"type": ["string", "null"]}}}}}),
            &["warnings"],
        ),
        "zone_rule" => s(
            json!({"category": {"type": "string"}, "radius_m": {"type": ["number", "null"], "minimum": 1, "maximum": 5000},
                   "days": {"type": ["integer", "null"], "minimum": 1, "maximum": 90}}),
            &["category"],
        ),
        "credentials" => s(
            json!({"username": {"type": "string"}, "password": {"type": "string"}}),
            &["username", "password"],
        ),
        "password_change" => s(
            json!({"current": {"type": "string"}, "new": {"type": "string"}}),
            &["current", "new"],
        ),
        "forecast_job" => s(
            json!({"dataset": {"type": ["string", "null"]}, "model": {"type": "string"},
                   "window": {"type": "string", "enum": ["shift", "day", "week"]}, "after_data": {"type": "boolean"}}),
            &[],
        ),
        "plan_job" => s(
            json!({"dataset": {"type": ["string", "null"]}, "forecast": {"type": "string"}}),
            &[],
        ),
        "user_new" => s(
            json!({"username": {"type": "string"}, "role": {"type": "string"}, "display_name": {"type": ["string", "null"]},
                   "jurisdiction": {"type": ["string", "null"]}, "department": {"type": ["string", "null"]},
                   "assignee": {"type": ["string", "null"]}}),
            &["username", "role"],
        ),
        "user_change" => s(
            json!({"role": {"type": ["string", "null"]}, "jurisdiction": {"type": ["string", "null"]},
                   "department": {"type": ["string", "null"]}, "assignee": {"type": ["string", "null"]},
                   "disabled": {"type": ["boolean", "null"]}, "reset_password": {"type": "boolean"}}),
            &[],
        ),
        "volunteer_new" => s(
            json!({"name": {"type": "string"}, "phone": {"type": ["string", "null"]}, "skills": {"type": "array", "items": {"type": "string"}},
                   "areas": {"type": "array", "items": {"type": "string"}}, "availability": {"type": "string"},
                   "account": {"type": ["string", "null"]}}),
            &["name"],
        ),
        "credential_new" => s(
            json!({"kind": {"type": "string", "enum": ["api_token", "open311_key"]}, "name": {"type": "string"},
                   "username": {"type": "string"}, "days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650}}),
            &["kind", "name"],
        ),
        "person_new" | "person_update" => {
            let mut props = json!({"badge": {"type": "string"}, "name": {"type": "string"},
                   "kind": {"type": "string", "enum": ["officer", "auxiliary", "special"]}, "station": {"type": "string"},
                   "team": {"type": "string"}, "qualifications": {"type": "array", "items": {"type": "string"}},
                   "phone": {"type": ["string", "null"]}, "weekly_hours": {"type": "integer", "minimum": 1, "maximum": 72},
                   "shifts": {"type": "array", "items": {"type": "string"}}});
            let mut required = vec!["badge", "name", "kind", "station"];
            if name == "person_update" {
                props["version"] = json!({"type": "integer", "minimum": 1});
                props["active"] = json!({"type": "boolean"});
                required.push("version");
            }
            s(props, &required)
        }
        "roster_new" => s(
            json!({"station": {"type": "string"}, "first_day": {"type": ["string", "null"], "format": "date"},
                   "weeks": {"type": "integer", "minimum": 1, "maximum": 13}, "pattern": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                   "history_weeks": {"type": "integer", "minimum": 1, "maximum": 52}, "target_minutes": {"type": "number"},
                   "level": {"type": "number"}, "seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 30}}),
            &["station"],
        ),
        "version" => s(json!({"version": {"type": "integer", "minimum": 1}}), &["version"]),
        "sick_call" => s(
            json!({"person_id": {"type": "integer"}, "first_day": {"type": "string", "format": "date"},
                   "last_day": {"type": "string", "format": "date"}, "version": {"type": "integer", "minimum": 1}}),
            &["person_id", "first_day", "last_day", "version"],
        ),
        "swap_request" => s(
            json!({"person_id": {"type": "integer"}, "with": {"type": "integer"}, "day": {"type": "string", "format": "date"},
                   "and_day": {"type": ["string", "null"], "format": "date"}, "note": {"type": "string"},
                   "version": {"type": "integer", "minimum": 1}}),
            &["person_id", "with", "day", "version"],
        ),
        "duty_level" => s(
            json!({"level": {"type": "string"}, "first_day": {"type": "string", "format": "date"},
                   "last_day": {"type": "string", "format": "date"}, "reason": {"type": "string", "minLength": 1, "maxLength": 200},
                   "version": {"type": "integer", "minimum": 1}}),
            &["level", "first_day", "last_day", "reason", "version"],
        ),
        "duty_level_everywhere" => s(
            json!({"level": {"type": "string"}, "first_day": {"type": "string", "format": "date"},
                   "last_day": {"type": "string", "format": "date"}, "reason": {"type": "string", "minLength": 1, "maxLength": 200}}),
            &["level", "first_day", "last_day", "reason"],
        ),
        "swap_decision" => s(
            json!({"decision": {"type": "string", "enum": ["approve", "refuse"]}, "version": {"type": "integer", "minimum": 1}}),
            &["decision", "version"],
        ),

        "import_preview" | "import_start" => {
            let mut props = json!({"file": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "profile": {"type": ["string", "null"]},
                   "mapping": {"type": ["string", "null"]}, "encoding": {"type": ["string", "null"], "enum": ["utf-8", "gbk", "gb18030", "utf-16le", "utf-16be", null]}});
            if name == "import_start" {
                props["dataset"] = json!({"type": ["string", "null"]});
            }
            s(props, &["file"])
        }
        "leave_new" => s(
            json!({"person_id": {"type": "integer"}, "kind": {"type": "string", "enum": ["annual", "sick", "personal", "training", "compensatory"]},
                   "first_day": {"type": "string", "format": "date"}, "last_day": {"type": "string", "format": "date"},
                   "note": {"type": "string"}}),
            &["person_id", "kind", "first_day", "last_day"],
        ),
        "mediator_new" => s(
            json!({"name": {"type": "string"}, "kind": {"type": "string", "enum": ["officer", "volunteer", "studio", "village_committee", "judicial"]},
                   "areas": {"type": "array", "items": {"type": "string"}}}),
            &["name", "kind"],
        ),
        "my_activity" => s(
            json!({"kind": {"type": "string", "enum": ["patrol", "mediation", "safety_talk", "other"]}, "title": {"type": "string"},
                   "jurisdiction": {"type": ["string", "null"]}, "starts_at": {"type": "string", "format": "date-time"},
                   "ends_at": {"type": "string", "format": "date-time"}, "reach": {"type": "integer", "minimum": 0},
                   "hours": {"type": "number"}}),
            &["kind", "title", "starts_at", "ends_at", "hours"],
        ),
        "activity_new" => s(
            json!({"kind": {"type": "string", "enum": ["patrol", "mediation", "safety_talk", "other"]}, "title": {"type": "string"},
                   "jurisdiction": {"type": ["string", "null"]}, "starts_at": {"type": "string", "format": "date-time"},
                   "ends_at": {"type": "string", "format": "date-time"}, "reach": {"type": "integer", "minimum": 0},
                   "case_code": {"type": ["string", "null"]},
                   "attendance": {"type": "array", "items": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "number"}]}}}),
            &["kind", "title", "starts_at", "ends_at", "reach", "attendance"],
        ),
        "public_request" => s(
            json!({"category": {"type": "string"}, "description": {"type": "string"}, "address": {"type": ["string", "null"]},
                   "lon": {"type": ["number", "null"]}, "lat": {"type": ["number", "null"]},
                   "name": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]}}),
            &["category", "description"],
        ),
        "rating" => s(
            json!({"rating": {"type": "integer", "minimum": 1, "maximum": 5}}),
            &["rating"],
        ),
        "case_open" => s(
            json!({
                "type": {"type": "string"}, "category": {"type": "string"}, "title": {"type": "string"},
                "description": {"type": "string"}, "jurisdiction": {"type": ["string", "null"]},
                "address": {"type": ["string", "null"]}, "lon": {"type": ["number", "null"]}, "lat": {"type": ["number", "null"]},
                "parties": {"type": "array", "items": {"type": "object"}}, "stock": {"type": ["boolean", "null"]},
                "risk_grade": {"type": ["string", "null"], "description": "hazards only: low, medium, high or critical; a dispute's grade is computed by the server"},
                "threats": {"type": "boolean", "description": "disputes: threats were made (a fact the grade is computed from)"},
                "in_person_visits": {"type": "integer", "minimum": 0, "maximum": 4294967295_u64},
                "incident_id": {"type": ["integer", "null"]},
            }),
            &["type", "category", "title"],
        ),
        _ => s(
            json!({
                "action": {"type": "string"}, "reason": {"type": ["string", "null"]}, "department": {"type": ["string", "null"]},
                "assignee": {"type": ["string", "null"]}, "rating": {"type": ["integer", "null"], "minimum": 0, "maximum": 255},
                "version": {"type": ["integer", "null"], "minimum": 0}, "details": {"type": ["object", "null"]},
            }),
            &["action"],
        ),
    }
}

const ERROR_CODES: [u16; 10] = [400, 401, 403, 404, 409, 413, 415, 422, 429, 503];

fn error_response(code: u16) -> Value {
    let description = match code {
        400 => "bad input: the message and details say what and where",
        401 => "no valid session or API token",
        403 => "the role may not do this (or a missing CSRF token)",
        404 => "no such record, or not within the role's scope",
        409 => "the record moved on (stale version) or is at another stage",
        413 => "the body is too large",
        415 => "the body is not of a type this route takes",
        422 => "the request is understood but refused",
        429 => {
            "too many requests: failed sign-ins from this address, public submissions from it, or expensive requests of this user in flight"
        }
        500 => "a fault of the program, logged on the server",
        _ => "the database could not answer, or the server cannot do that now",
    };
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The error codes a route can answer with, from what it is: guarded or
/// public, with a body or parameters, one record or many, and the few
/// routes with rules of their own.
pub fn route_codes(method: &str, path: &str, body: Option<&str>, need: Option<Need>, has_query: bool) -> Vec<Code> {
    let mut codes = vec![Code::Internal, Code::DatabaseUnavailable];
    if !matches!(need, Some(Need::Public)) {
        codes.extend([Code::Unauthenticated, Code::Forbidden, Code::PasswordChangeRequired]);
        if method != "GET" {
            codes.push(Code::Csrf);
        }
    }
    if body.is_some() {
        codes.extend([Code::InvalidBody, Code::PayloadTooLarge, Code::UnsupportedMediaType]);
    }
    if has_query || path.contains('{') {
        codes.push(Code::InvalidParameter);
    }
    if path.contains('{') {
        codes.push(Code::NotFound);
    }
    let extra: &[Code] = match (method, path) {
        ("POST", "/api/v1/session") => &[Code::WrongCredentials, Code::Throttled],
        ("POST", "/api/v1/me/password") => &[Code::WrongPassword, Code::InvalidInput],
        ("POST", "/api/v1/public/requests") => &[Code::Throttled, Code::InvalidInput, Code::Unknown, Code::Invalid],
        ("POST", "/api/v1/public/requests/{token}/photos") => &[Code::TooManyPhotos, Code::Closed],
        ("POST", "/api/v1/cases/{code}/attachments") => {
            &[Code::TooManyPhotos, Code::Closed, Code::UnsupportedMediaType]
        }
        ("POST", "/api/v1/cases") => &[Code::InvalidInput, Code::Unknown, Code::Invalid, Code::OutOfScope],
        ("POST", "/api/v1/fraud-warnings") => &[
            Code::InvalidInput,
            Code::OutOfScope,
            Code::Forbidden,
            Code::UnsupportedMediaType,
        ],
        ("GET", "/api/v1/fraud-warnings/report") => &[Code::InvalidInput, Code::OutOfScope],
        ("GET", "/api/v1/fraud-warnings/rising") => &[Code::InvalidInput, Code::OutOfScope],
        ("POST", "/api/v1/fraud-warnings/campaigns") => {
            &[Code::InvalidInput, Code::OutOfScope, Code::Conflict, Code::Forbidden]
        }
        ("POST", "/api/v1/callbacks/draws") => &[Code::InvalidInput, Code::Conflict, Code::Forbidden],
        ("GET", "/api/v1/callbacks/draws/{week}") => &[Code::InvalidInput, Code::NotFound],
        ("GET", "/api/v1/callbacks/report") => &[Code::InvalidInput, Code::OutOfScope],
        ("POST", "/api/v1/personnel") | ("POST", "/api/v1/personnel/import") | ("POST", "/api/v1/personnel/{id}") => {
            &[Code::InvalidInput, Code::OutOfScope, Code::Conflict]
        }
        ("GET", "/api/v1/personnel") | ("GET", "/api/v1/rosters") => &[Code::OutOfScope, Code::InvalidInput],
        ("POST", "/api/v1/rosters") => &[Code::InvalidInput, Code::OutOfScope, Code::NotFound, Code::Busy],
        ("POST", "/api/v1/rosters/{id}/publish") => &[Code::Conflict],
        ("GET", "/api/v1/plans/{id}/sheet") => &[Code::NotFound],
        ("POST", "/api/v1/rosters/{id}/sick")
        | ("POST", "/api/v1/rosters/{id}/swaps")
        | ("POST", "/api/v1/rosters/{id}/swaps/{n}")
        | ("POST", "/api/v1/rosters/{id}/levels")
        | ("POST", "/api/v1/duty-levels")
        | ("POST", "/api/v1/rosters/{id}/levels/{n}/lower") => &[Code::Conflict, Code::InvalidInput, Code::OutOfScope],
        ("GET", "/api/v1/leave") => &[Code::InvalidInput],
        ("POST", "/api/v1/imports/files") => &[
            Code::InvalidInput,
            Code::PayloadTooLarge,
            Code::UnsupportedMediaType,
            Code::Unavailable,
        ],
        ("POST", "/api/v1/imports/preview") => &[Code::InvalidInput, Code::NotFound, Code::Unavailable],
        ("POST", "/api/v1/imports") => &[Code::InvalidInput, Code::NotFound, Code::Busy, Code::Unavailable],
        ("GET", "/api/v1/imports/{job}") => &[Code::NotFound],
        ("POST", "/api/v1/leave") => &[Code::InvalidInput, Code::NotFound, Code::Conflict],
        ("POST", "/api/v1/leave/{id}/cancel") => &[Code::Conflict],
        ("POST", "/api/v1/cases/{code}/actions") | ("POST", "/api/v1/public/requests/{token}/rating") => {
            &[Code::Unknown, Code::Invalid, Code::WrongStage, Code::Conflict]
        }
        ("GET", "/api/v1/cases/{code}/attachments/{id}") => &[Code::FileChanged],
        ("POST", "/api/v1/forecasts") | ("POST", "/api/v1/plans") | ("POST", "/api/v1/plans/{id}/replay") => {
            &[Code::InvalidInput, Code::NotFound, Code::Busy]
        }
        ("POST", "/api/v1/ledger/cosignatures") => &[
            Code::MalformedCosignature,
            Code::BadCosignature,
            Code::UnknownWitness,
            Code::NotFound,
        ],
        _ if path.starts_with("/api/v1/ledger") => &[Code::NoProof, Code::OutOfScope],
        _ if path.contains("aggregate") || path.contains("forecasts") || path.contains("plans") => {
            &[Code::Busy, Code::InvalidGrid, Code::InvalidQuery]
        }
        _ => &[],
    };
    for c in extra {
        if !codes.contains(c) {
            codes.push(*c);
        }
    }
    codes
}

/// The one table of error codes, as the document lists it.
fn code_table() -> Value {
    Code::ALL
        .iter()
        .map(|c| json!({"code": c.name(), "status": c.http_status(), "exit_code": c.exit_code(), "description": c.description()}))
        .collect()
}

/// The document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, query, body, ok) in DOCS {
        let need = ROUTES
            .iter()
            .find(|(m, p, _)| m == method && same_route(p, path))
            .map(|r| r.2);
        let mut params: Vec<Value> = query
            .iter()
            .chain(
                if *path == "/api/v1/incidents" || *path == "/api/v1/incidents/aggregate" {
                    FILTERS
                } else {
                    &[]
                },
            )
            .map(|(n, t)| json!({"name": n, "in": "query", "required": false, "schema": param_schema(t)}))
            .collect();
        for seg in path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(|c| c == '{' || c == '}');
            params.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
        }
        let mut responses = serde_json::Map::new();
        responses.insert(ok.to_string(), json!({"description": "success"}));
        let codes = route_codes(method, path, *body, need, !query.is_empty());
        for status in ERROR_CODES {
            let mut r = error_response(status);
            let here: Vec<&str> = codes
                .iter()
                .filter(|c| c.http_status() == status)
                .map(|c| c.name())
                .collect();
            if !here.is_empty() {
                r["x-error-codes"] = json!(here);
            }
            responses.insert(status.to_string(), r);
        }
        responses.insert("500".into(), error_response(500));
        let mut op = json!({"summary": summary, "parameters": params, "responses": responses,
                            "x-error-codes": codes.iter().map(|c| c.name()).collect::<Vec<_>>()});
        if let Some(b) = body {
            // A file's bytes as they are, no JSON around them.
            let binary = json!({"schema": {"type": "string", "format": "binary"}});
            let content = if *b == "photo" {
                json!({"image/jpeg": binary, "image/png": binary, "image/webp": binary})
            } else if *b == "incident_file" {
                json!({"text/csv": binary, "application/zip": binary, "application/gzip": binary, "application/octet-stream": binary})
            } else if *b == "personnel_csv" {
                json!({"text/csv": {"schema": {"type": "string"}}})
            } else if *b == "fraud_warnings" {
                json!({"application/json": {"schema": body_schema(b)}, "text/csv": {"schema": {"type": "string"}}})
            } else if *b == "attachment" {
                json!({"image/jpeg": binary, "image/png": binary, "image/webp": binary, "application/pdf": binary})
            } else {
                json!({"application/json": {"schema": body_schema(b)}})
            };
            op["requestBody"] = json!({"required": true, "content": content});
        }
        let security = match need {
            Some(Need::Public) => json!([]),
            Some(Need::Permission(p)) => {
                op["description"] = json!(format!("Needs the `{}` permission.", p.name()));
                json!([{"bearer": []}, {"session": []}])
            }
            _ => json!([{"bearer": []}, {"session": []}]),
        };
        op["security"] = security;
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Fengqiao 枫桥 API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Incidents, forecasts, plans, cases, volunteers, reports and the transparency log. Open311 GeoReport v2 is at /open311/v2 (see its specification)."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token from `fengqiao user token`"},
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE},
            },
            "schemas": {"Error": {"type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string", "enum": Code::ALL.iter().map(|c| c.name()).collect::<Vec<_>>()},
                               "message": {"type": "string"}, "details": {}}}},
        },
        "x-error-codes": code_table(),
    })
}

/// Whether a guard pattern (`*`, `**`) and an OpenAPI path (`{x}`) name the same route.
fn same_route(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let q: Vec<&str> = path.split('/').collect();
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| a == b || ((*a == "*" || *a == "**") && b.starts_with('{')))
        || pattern.ends_with("/**") && path.starts_with(pattern.trim_end_matches("**"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every guarded route is documented and every documented route guarded.
    #[test]
    fn the_document_names_every_route() {
        for (m, p, _) in ROUTES {
            assert!(
                DOCS.iter().any(|d| d.0 == *m && same_route(p, d.1)),
                "{m} {p} is not documented"
            );
        }
        for d in DOCS {
            assert!(
                ROUTES.iter().any(|(m, p, _)| *m == d.0 && same_route(p, d.1)),
                "{} {} is not guarded",
                d.0,
                d.1
            );
        }
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        // Each operation lists its codes, each under its own status.
        let open = &doc["paths"]["/api/v1/cases"]["post"];
        for code in ["invalid_input", "unknown", "forbidden", "invalid_body", "out_of_scope"] {
            assert!(
                open["x-error-codes"].as_array().unwrap().iter().any(|c| c == code),
                "{code}"
            );
        }
        assert_eq!(open["responses"]["403"]["x-error-codes"][0], "forbidden");
        assert_eq!(doc["x-error-codes"].as_array().unwrap().len(), Code::ALL.len());
        assert!(doc["paths"]["/api/v1/cases/{code}/actions"]["post"]["requestBody"].is_object());
    }
}
