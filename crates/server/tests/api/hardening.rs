//! Bounded cost, privacy and accounts, each as an attacker or a busy
//! command centre would try them (issue 16's findings, one test or more each).

use crate::helpers::*;
use serde_json::Value;

/// The centre of the first town's boundary (a point inside the district).
async fn a_point_inside(app: &TestApp) -> (f64, f64) {
    let map = app.call("GET", "/api/v1/public/map", &[], "").await.json();
    let geometry = &map["features"][0]["geometry"];
    let polygon = match geometry["type"].as_str() {
        Some("MultiPolygon") => &geometry["coordinates"][0],
        _ => &geometry["coordinates"],
    };
    let ring = polygon[0].as_array().unwrap();
    let n = ring.len() as f64 - 1.0;
    ring[..ring.len() - 1].iter().fold((0.0, 0.0), |(x, y), p| {
        (x + p[0].as_f64().unwrap() / n, y + p[1].as_f64().unwrap() / n)
    })
}

fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Finding 1: only cell sizes the server accepts make cache keys; answers
/// carry ETags (304 on a match) and come gzipped to clients that take it.
#[tokio::test]
async fn aggregate_keys_are_the_accepted_values_and_answers_revalidate() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.token);
    for odd in ["25.001", "25.002", "333", "1e5", "NaN"] {
        let r = app
            .get(&format!("/api/v1/incidents/aggregate?by=cell&cell={odd}"))
            .await;
        assert_eq!(
            (r.status, r.json()["code"].as_str()),
            (400, Some("invalid_parameter")),
            "{odd}"
        );
        assert!(r.json()["message"].as_str().unwrap().contains("500"), "names the sizes");
    }
    let path = "/api/v1/incidents/aggregate?by=cell&cell=500";
    let first = app.get(path).await;
    assert_eq!(first.status, 200);
    let etag = header(&first, "etag").expect("an ETag").to_string();
    assert_eq!(header(&first, "cache-control"), Some("private, no-cache"));
    let again = app
        .call("GET", path, &[("Authorization", &auth), ("If-None-Match", &etag)], "")
        .await;
    assert_eq!((again.status, again.body.as_str()), (304, ""));
    let zipped = app
        .call(
            "GET",
            path,
            &[("Authorization", &auth), ("Accept-Encoding", "gzip, br")],
            "",
        )
        .await;
    assert_eq!(header(&zipped, "content-encoding"), Some("gzip"));
    assert_eq!(header(&zipped, "etag"), Some(etag.as_str()));
    // The same for the map's other calls.
    for path in ["/api/v1/datasets", "/open311/v2/requests.json"] {
        let r = app.get(path).await;
        assert!(header(&r, "etag").is_some(), "{path}");
    }
}

/// Finding 2: report periods are bounded (400 naming the limit) and no date
/// makes the server panic, not even China's 1940s summer time.
#[tokio::test]
async fn report_periods_are_bounded_and_every_date_answers() {
    let app = spawn_app().await;
    let r = app
        .get("/api/v1/reports/cases?from=2026-01-01&to=9999-12-31&by=month")
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["details"]["limit_days"], 3660);
    assert!(r.json()["message"].as_str().unwrap().contains("3660 days"));
    let r = app
        .get("/api/v1/reports/cases?from=1940-01-01&to=1941-01-01&by=month")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["groups"].as_array().unwrap().len(),
        13,
        "the total and twelve months"
    );
    for (from, to) in [
        ("1940-06-01", "1940-06-02"),
        ("1986-05-04", "1986-05-05"),
        ("1919-04-13", "1919-04-14"),
    ] {
        let r = app.get(&format!("/api/v1/incidents?from={from}&to={to}&limit=1")).await;
        assert_eq!(r.status, 200, "{from}: {}", r.body);
        let r = app
            .get(&format!("/api/v1/volunteers/activities?from={from}&to={to}"))
            .await;
        assert_eq!(r.status, 200, "{from}: {}", r.body);
    }
    let r = app
        .get("/api/v1/volunteers/activities?from=1900-01-01&to=2100-01-01")
        .await;
    assert_eq!(r.status, 400);
}

/// Finding 4: a citizen cannot store control characters, by either channel,
/// and the public lists stay well-formed XML.
#[tokio::test]
async fn control_characters_are_refused_and_xml_stays_well_formed() {
    let app = spawn_app().await;
    let (lon, lat) = a_point_inside(&app).await;
    for bad in ["\\u0001", "\\u0000", "\\u001b[31m"] {
        let body = format!(r#"{{"category":"request.road","description":"井盖{bad}缺失","lon":{lon},"lat":{lat}}}"#);
        let r = app.call("POST", "/api/v1/public/requests", &[], &body).await;
        assert_eq!(
            (r.status, r.json()["code"].as_str()),
            (422, Some("invalid")),
            "{bad}: {}",
            r.body
        );
        assert!(
            r.json()["message"].as_str().unwrap().contains("control character"),
            "{}",
            r.body
        );
    }
    let key = open311_key(&app, "test app");
    let r = app
        .call(
            "POST",
            "/open311/v2/requests.json",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &format!("api_key={key}&service_code=request.noise&lat={lat}&long={lon}&description=a%01b"),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // A good one, and the list parses.
    let body =
        format!(r#"{{"category":"request.road","description":"井盖 <缺失> & \"危险\"","lon":{lon},"lat":{lat}}}"#);
    assert_eq!(
        app.call("POST", "/api/v1/public/requests", &[], &body).await.status,
        201
    );
    let xml = app.call("GET", "/open311/v2/requests.xml", &[], "").await;
    roxmltree::Document::parse(&xml.body).unwrap_or_else(|e| panic!("{e}: {}", xml.body));
}

/// Finding 6: behind a trusted proxy the client is the forwarded address;
/// only accepted submissions use up the public quota.
#[tokio::test]
async fn rate_limits_key_on_the_client_behind_trusted_proxies() {
    let app = spawn_app_with(|s| {
        s.server.network = std::sync::Arc::new(fengqiao_server::net::Network {
            trusted_proxies: vec![fengqiao_server::net::Block::parse("127.0.0.1").unwrap()],
            ..Default::default()
        });
    })
    .await;
    let attempt = |from: &'static str| {
        let app = &app;
        async move {
            app.call(
                "POST",
                "/api/v1/session",
                &[("X-Forwarded-For", from)],
                r#"{"username":"nobody","password":"whatever-pw"}"#,
            )
            .await
            .status
        }
    };
    for _ in 0..fengqiao_server::session::THROTTLE_LIMIT {
        assert_eq!(attempt("203.0.113.7").await, 401);
    }
    assert_eq!(attempt("203.0.113.7").await, 429, "that client is throttled");
    assert_eq!(
        attempt("198.51.100.20").await,
        401,
        "another client behind the same proxy is not"
    );
    // Rejected submissions do not use up the quota of a valid one.
    let (lon, lat) = a_point_inside(&app).await;
    for _ in 0..fengqiao_server::public::SUBMISSIONS_PER_HOUR + 2 {
        let r = app
            .call(
                "POST",
                "/api/v1/public/requests",
                &[],
                r#"{"category":"request.road","description":""}"#,
            )
            .await;
        assert_eq!(r.status, 400);
    }
    let good = format!(r#"{{"category":"request.road","description":"路灯不亮","lon":{lon},"lat":{lat}}}"#);
    let r = app.call("POST", "/api/v1/public/requests", &[], &good).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

/// Findings 7 and 11: an officer's report and ledger proofs stay within its
/// town; entry tiles (every record and its writer) only for roles that see all.
#[tokio::test]
async fn reports_and_ledger_proofs_follow_the_officers_scope() {
    let app = spawn_app().await;
    let towns: Vec<String> = off_runtime(|| {
        let store = app.db.open();
        fengqiao_store::Store::jurisdictions(store.as_ref())
            .unwrap()
            .into_iter()
            .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Town)
            .map(|j| j.jurisdiction.code)
            .collect()
    });
    let commander = format!("Bearer {}", user_token(&app, "boss", "commander", (None, None, None)));
    for (i, town) in towns.iter().take(2).enumerate() {
        let body =
            format!(r#"{{"type":"hazard","category":"hazard.other","title":"隐患{i}","jurisdiction":"{town}"}}"#);
        let r = app
            .call("POST", "/api/v1/cases", &[("Authorization", &commander)], &body)
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let officer = user_token(&app, "officer1", "officer", (Some(towns[0].clone()), None, None));
    let as_officer = |path: String| {
        let (app, t) = (&app, officer.clone());
        async move {
            app.call("GET", &path, &[("Authorization", &format!("bearer {t}"))], "")
                .await
        }
    };
    let all = app.get("/api/v1/reports/cases?by=jurisdiction").await.json();
    let mine = as_officer("/api/v1/reports/cases?by=jurisdiction".into()).await.json();
    let keys = |v: &Value| -> Vec<String> {
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .map(|g| g["group"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(keys(&all).len() >= 2);
    assert!(!keys(&mine).is_empty());
    assert!(
        keys(&mine).iter().all(|k| k.starts_with(&towns[0])),
        "{:?}",
        keys(&mine)
    );
    // Proofs: sign a checkpoint, then ask for an incident in each town.
    off_runtime(|| {
        let store = app.db.open();
        let signer = fengqiao_tlog::note::Signer::from_seed("test/ledger", [9; 32]).unwrap();
        fengqiao_store::ledger::sequence(store.as_ref(), &signer).unwrap();
    });
    let incident_in = |town: &str| {
        let (app, town) = (&app, town.to_string());
        async move {
            app.get(&format!("/api/v1/incidents?jurisdiction={town}&limit=1"))
                .await
                .json()["items"][0]["id"]
                .as_i64()
                .unwrap()
        }
    };
    let (own, other) = (incident_in(&towns[0]).await, incident_in(&towns[1]).await);
    let r = as_officer(format!("/api/v1/ledger/proof?record=incident/{own}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = as_officer(format!("/api/v1/ledger/proof?record=incident/{other}")).await;
    assert_eq!(
        r.status, 404,
        "another town's record, and so its writer, is not shown: {}",
        r.body
    );
    assert_eq!(
        as_officer("/api/v1/ledger/proof?record=login/1".into()).await.status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/ledger/proof?record=incident/{other}"))
            .await
            .status,
        200
    );
    assert_eq!(as_officer("/api/v1/ledger/tile/entries/000".into()).await.status, 403);
    assert_eq!(
        as_officer("/api/v1/ledger/tile/0/000".into()).await.status,
        200,
        "hashes are for everyone"
    );
}

fn open311_key(app: &TestApp, name: &str) -> String {
    off_runtime(|| {
        let store = app.db.open();
        let (key, hash) = fengqiao_store::users::new_secret().unwrap();
        fengqiao_store::Store::add_open311_key(store.as_ref(), &hash, name).unwrap();
        key
    })
}

/// Findings 9 and 12: Open311 posts need a real location and are routed by
/// their pin; discovery is absolute; lists carry `updated_datetime` and show
/// the public only what a bureau publishes, partners everything.
#[tokio::test]
async fn open311_locations_discovery_and_what_the_public_sees() {
    let app = spawn_app_with(|s| {
        s.server.network = std::sync::Arc::new(fengqiao_server::net::Network {
            public_url: Some("https://fq.example.gov.cn/".into()),
            open311_partners: vec!["city hotline".into()],
            ..Default::default()
        });
    })
    .await;
    let key = open311_key(&app, "civic app");
    let partner = open311_key(&app, "city hotline");
    let post = |form: String| {
        let app = &app;
        async move {
            app.call(
                "POST",
                "/open311/v2/requests.json",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                &form,
            )
            .await
        }
    };
    let base = format!("api_key={key}&service_code=request.noise");
    for (form, why) in [
        (format!("{base}&lat=0&long=0"), "outside the area"),
        (format!("{base}&address_id=12345"), "an address_id alone"),
        (base.clone(), "no location"),
    ] {
        let r = post(form).await;
        assert_eq!(r.status, 400, "{why}: {}", r.body);
    }
    let (lon, lat) = a_point_inside(&app).await;
    let r = post(format!(
        "{base}&lat={lat}&long={lon}&address_string=%E9%BC%93%E6%A5%BC%E8%A1%97%E9%81%93%E9%9B%86%E5%A3%AB%E6%B8%AF%E8%B7%AF100%E5%8F%B7&description=%E6%A5%BC%E4%B8%8B%E7%83%A7%E7%83%A4%E5%BA%97%E6%AF%8F%E6%99%9A%E8%90%A5%E4%B8%9A"
    ))
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()[0]["service_request_id"].as_str().unwrap().to_string();
    let case = app.get(&format!("/api/v1/cases/{id}")).await.json();
    assert!(case["case"]["jurisdiction"].is_string(), "routed by its pin: {case}");

    let d = app.call("GET", "/open311/v2/discovery.json", &[], "").await.json();
    assert_eq!(d["endpoints"][0]["url"], "https://fq.example.gov.cn/open311/v2");
    assert!(d["key_service"].as_str().unwrap().contains("fengqiao user open311-key"));

    let public = app.call("GET", "/open311/v2/requests.json", &[], "").await;
    assert_eq!(header(&public, "cache-control"), Some("private, no-cache"));
    let public = public.json();
    let mine = public
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service_request_id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(mine["updated_datetime"].as_str().unwrap().ends_with("+08:00"), "{mine}");
    assert!(mine["description"].is_null(), "not published: {mine}");
    let text = public.to_string();
    assert!(
        !text.contains("集士港路100号") && !text.contains("烧烤"),
        "no free text or door: {mine}"
    );
    assert!(
        mine["address"].as_str().is_some_and(|a| !a.is_empty()),
        "the community: {mine}"
    );
    let rounded = mine["lat"].as_str().unwrap().parse::<f64>().unwrap();
    assert!(
        (rounded - lat).abs() > 1e-9 && (rounded - lat).abs() <= 0.0016,
        "{rounded} vs {lat}"
    );
    let full = app
        .call("GET", &format!("/open311/v2/requests.json?api_key={partner}"), &[], "")
        .await
        .json();
    let theirs = full
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service_request_id"] == id.as_str())
        .unwrap();
    assert!(theirs["description"].as_str().unwrap().contains("烧烤"), "{theirs}");
    assert!(theirs["address"].as_str().unwrap().contains("集士港路100号"));
    let other = app
        .call("GET", &format!("/open311/v2/requests.json?api_key={key}"), &[], "")
        .await
        .json();
    assert!(
        !other.to_string().contains("烧烤"),
        "an ordinary client's key is the public's view"
    );
    // Staff publish the description; then the public sees it.
    let commander = format!("Bearer {}", user_token(&app, "boss", "commander", (None, None, None)));
    let r = app
        .call(
            "POST",
            &format!("/api/v1/cases/{id}/actions"),
            &[("Authorization", &commander)],
            r#"{"action":"publish"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let public = app.call("GET", "/open311/v2/requests.json", &[], "").await.json();
    assert!(public.to_string().contains("烧烤"));
}

/// Finding 10: JSON routes take JSON only (415), a large body is refused
/// in the API's shape, personal data is not cached, `bearer` is the same as
/// `Bearer`, and /health answers without the database.
#[tokio::test]
async fn content_types_body_limits_caching_and_auth_scheme() {
    let app = spawn_app().await;
    let login = r#"{"username":"admin","password":"whatever-pw"}"#;
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = app
            .call("POST", "/api/v1/session", &[("Content-Type", ct)], login)
            .await;
        assert_eq!(
            (r.status, r.json()["code"].as_str()),
            (415, Some("unsupported_media_type")),
            "{ct}"
        );
    }
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[("Content-Type", "application/json; charset=utf-8")],
            login,
        )
        .await;
    assert_eq!(r.status, 401);
    let big = format!(r#"{{"username":"{}","password":"x"}}"#, "x".repeat(300 * 1024));
    let r = app.call("POST", "/api/v1/session", &[], &big).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (413, Some("payload_too_large")),
        "{}",
        r.body
    );
    for path in [
        "/api/v1/incidents?limit=1",
        "/api/v1/cases",
        "/api/v1/me",
        "/api/v1/users",
    ] {
        let r = app.get(path).await;
        assert_eq!(header(&r, "cache-control"), Some("no-store"), "{path}");
    }
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let r = app
            .call(
                "GET",
                "/api/v1/me",
                &[("Authorization", &format!("{scheme} {}", app.token))],
                "",
            )
            .await;
        assert_eq!(r.status, 200, "{scheme}");
    }
    let r = app.call("GET", "/health", &[], "").await;
    assert_eq!(r.json()["status"], "ok");
    let r = app.call("GET", "/ready", &[], "").await;
    assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("ready")));
}

/// Finding 10: the database, its WAL and attachment files are the owner's alone.
#[test]
fn data_files_are_created_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.sqlite");
    let store = fengqiao_store_sqlite::SqliteStore::open(&db).unwrap();
    fengqiao_store::Store::set_setting(&store, "k", "v").unwrap();
    for f in ["fresh.sqlite", "fresh.sqlite-wal"] {
        let mode = std::fs::metadata(dir.path().join(f)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{f}: {mode:o}");
    }
    let (sha, _) = fengqiao_store::files::store_bytes(dir.path(), b"a photo").unwrap();
    let file = std::fs::read_dir(dir.path().join("attachments"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o077, 0);
    let stored = std::fs::read_dir(&file).unwrap().next().unwrap().unwrap();
    assert_eq!(stored.file_name().to_str().unwrap(), sha);
    assert_eq!(stored.metadata().unwrap().permissions().mode() & 0o077, 0);
}
