//! Incidents: listing, filters and aggregates, geography, one incident with its lifecycle, and bad requests.

use crate::helpers::*;
use std::collections::HashSet;

#[tokio::test]
async fn health_and_landing_page() {
    let app = spawn_app().await;
    let r = app.get("/health").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
    let backend = match app.db {
        TestDb::Sqlite(_) => "sqlite",
        TestDb::Postgres(_) => "postgres",
    };
    assert_eq!(r.json()["backend"], backend);
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.body.contains("枫桥") && page.body.contains("/assets/app.js"));
    assert!(
        !page.body.contains("http://") && !page.body.contains("https://"),
        "no external resources"
    );
    let head = page.head.to_ascii_lowercase();
    assert!(
        head.contains("content-security-policy: default-src 'self'; script-src 'self';"),
        "{head}"
    );
    assert!(head.contains("frame-ancestors 'none'") && head.contains("x-content-type-options: nosniff"));
    for path in ["/incidents", "/cases", "/inbox", "/volunteers", "/dashboard", "/public"] {
        let p = app.get(path).await;
        assert_eq!(p.status, 200, "{path}");
        assert!(
            p.head.to_ascii_lowercase().contains("content-security-policy"),
            "{path}"
        );
        // No inline script: every script is a file the policy allows.
        let handler = p.body.match_indices(" on").any(|(i, _)| {
            let rest = &p.body[i + 3..];
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(!p.body.contains("<script>") && !handler, "{path}: inline script");
    }
    assert_eq!(app.get("/assets/nothing.js").await.status, 404);
    let js = app.get("/assets/app.js").await;
    assert_eq!(js.status, 200);
    assert!(
        js.body.contains("Incident density") && js.body.contains("警情密度"),
        "both languages"
    );
    assert!(!js.body.contains("https://"), "no CDN");
}

#[tokio::test]
async fn incidents_page_through_everything_once() {
    let app = spawn_app().await;
    let mut ids = HashSet::new();
    let mut path = "/api/v1/incidents?limit=1000".to_string();
    let mut last_time = String::from("9999");
    loop {
        let r = app.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        assert_eq!(v["total"].as_u64().unwrap(), app.incidents);
        for item in v["items"].as_array().unwrap() {
            assert!(ids.insert(item["id"].as_i64().unwrap()));
            let t = item["occurred_at"].as_str().unwrap().to_string();
            assert!(t <= last_time, "newest first");
            last_time = t;
        }
        match v["next"].as_str() {
            Some(c) => path = format!("/api/v1/incidents?limit=1000&after={c}"),
            None => break,
        }
    }
    assert_eq!(ids.len() as u64, app.incidents);
}

#[tokio::test]
async fn filters_agree_with_aggregates() {
    let app = spawn_app().await;
    let total = app.incidents;
    let by_top = app.get("/api/v1/incidents/aggregate?by=category_top").await.json();
    assert_eq!(by_top["total"].as_u64().unwrap(), total);
    for g in by_top["groups"].as_array().unwrap() {
        let code = g["key"].as_str().unwrap();
        let page = app
            .get(&format!("/api/v1/incidents?category={code}&limit=5"))
            .await
            .json();
        assert_eq!(page["total"], g["count"], "{code}");
        for item in page["items"].as_array().unwrap() {
            assert!(item["category"].as_str().unwrap().starts_with(code));
        }
    }
    // Hours of week: keys in range, day-only records excluded (there are none here).
    let how = app.get("/api/v1/incidents/aggregate?by=hour_of_week").await.json();
    assert_eq!(how["total"].as_u64().unwrap(), total);
    assert!(
        how["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["key"].as_str().unwrap().parse::<u32>().unwrap() < 168)
    );
    // Cells: every incident lands in one cell.
    let cells = app.get("/api/v1/incidents/aggregate?by=cell&cell=500").await.json();
    let sum: u64 = cells["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, total);
    assert_eq!(cells["cell_m"], 500.0);
    // Jurisdictions: the district holds everything; the towns split it.
    let district = app.get("/api/v1/incidents?jurisdiction=330299&limit=1").await.json();
    assert_eq!(district["total"].as_u64().unwrap(), total);
    let towns = app.get("/api/v1/jurisdictions?level=town").await.json();
    let mut town_sum = 0;
    for f in towns["features"].as_array().unwrap() {
        let code = f["properties"]["code"].as_str().unwrap();
        town_sum += app
            .get(&format!("/api/v1/incidents?jurisdiction={code}&limit=1"))
            .await
            .json()["total"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(town_sum, total);
    // Origin and time window.
    let origins = app.get("/api/v1/incidents/aggregate?by=origin").await.json();
    let keys: Vec<&str> = origins["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["citizen", "officer"]);
    // Two days in the middle of the demo's fortnight.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let (from, to) = (today - chrono::Duration::days(10), today - chrono::Duration::days(9));
    let day = app
        .get(&format!("/api/v1/incidents?from={from}&to={to}&limit=1000"))
        .await
        .json();
    let by_day = app
        .get(&format!("/api/v1/incidents/aggregate?by=day&from={from}&to={to}"))
        .await
        .json();
    assert_eq!(day["total"], by_day["total"]);
    assert!(day["total"].as_u64().unwrap() > 50);
    let bbox = app
        .get("/api/v1/incidents?bbox=121.0,29.0,121.5,30.0&limit=1")
        .await
        .json();
    let rest = app
        .get("/api/v1/incidents?bbox=121.5,29.0,122.0,30.0&limit=1")
        .await
        .json();
    assert!(bbox["total"].as_u64().unwrap() + rest["total"].as_u64().unwrap() >= total);
}

#[tokio::test]
async fn geography_endpoints() {
    let app = spawn_app().await;
    let all = app.get("/api/v1/jurisdictions").await.json();
    assert_eq!(all["type"], "FeatureCollection");
    assert_eq!(all["features"].as_array().unwrap().len(), app.areas);
    let f = app.get("/api/v1/facilities").await.json();
    assert!(f["items"].as_array().unwrap().iter().any(|x| x["kind"] == "station"));
    let ds = app.get("/api/v1/datasets").await.json();
    assert_eq!(ds["default"], "demo");
    assert_eq!(ds["items"][0]["incidents"].as_u64().unwrap(), app.incidents);
    let cats = app.get("/api/v1/categories").await.json();
    assert!(
        cats["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "dispute.neighbour" && c["zh"] == "邻里纠纷")
    );
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let app = spawn_app().await;
    for (path, status, code, param) in [
        (
            "/api/v1/incidents?category=criminal.piracy",
            400,
            "invalid_parameter",
            "category",
        ),
        ("/api/v1/incidents?from=2025-13-01", 400, "invalid_parameter", "from"),
        (
            "/api/v1/incidents?from=2025-02-01&to=2025-01-01",
            400,
            "invalid_parameter",
            "to",
        ),
        ("/api/v1/incidents?limit=0", 400, "invalid_parameter", "limit"),
        ("/api/v1/incidents?limit=5000", 400, "invalid_parameter", "limit"),
        ("/api/v1/incidents?bbox=1,2,3", 400, "invalid_parameter", "bbox"),
        ("/api/v1/incidents?origin=aliens", 400, "invalid_parameter", "origin"),
        ("/api/v1/incidents?after=garbage", 400, "invalid_parameter", "after"),
        (
            "/api/v1/incidents?categroy=criminal",
            400,
            "invalid_parameter",
            "categroy",
        ),
        ("/api/v1/incidents/aggregate?by=colour", 400, "invalid_parameter", "by"),
        (
            "/api/v1/incidents/aggregate?by=cell&cell=1",
            400,
            "invalid_parameter",
            "cell",
        ),
        ("/api/v1/jurisdictions?level=planet", 400, "invalid_parameter", "level"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert!(r.content_type.starts_with("application/json"), "{path}");
        let v = r.json();
        assert_eq!(v["code"], code, "{path}");
        assert_eq!(v["details"]["parameter"], param, "{path}");
        assert!(
            v["message"].as_str().unwrap().contains(param),
            "{path}: {}",
            v["message"]
        );
    }
    let r = app.get("/api/v1/nothing-here").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], "not_found");
}

/// One incident: lifecycle times and the minutes between them, its area,
/// its ledger record; an officer sees only those of its own jurisdiction.
#[tokio::test]
async fn one_incident_with_its_lifecycle() {
    let app = spawn_app().await;
    let page = app.get("/api/v1/incidents?limit=200").await.json();
    let item = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["arrived_at"].is_string() && i["jurisdiction_id"].is_number())
        .expect("an incident with an arrival time")
        .clone();
    let id = item["id"].as_i64().unwrap();
    let one = app.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(one.status, 200, "{}", one.body);
    let v = one.json();
    assert_eq!(v["incident"], item);
    assert_eq!(v["ledger_record"], format!("incident/{id}"));
    let (received, arrived) = (
        chrono::DateTime::parse_from_rfc3339(item["received_at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(item["arrived_at"].as_str().unwrap()).unwrap(),
    );
    let minutes = (arrived - received).num_seconds() as f64 / 60.0;
    assert!((v["durations_min"]["to_arrival"].as_f64().unwrap() - minutes).abs() < 1e-9);
    assert_eq!(v["jurisdiction"]["id"], item["jurisdiction_id"]);
    assert_eq!(v["cases"], serde_json::json!([]));
    // A dispute at the same address opened before the incident: a 民转刑 link on the incident.
    let case = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let before = chrono::DateTime::parse_from_rfc3339(item["occurred_at"].as_str().unwrap())
            .unwrap()
            .to_utc()
            - chrono::Duration::days(2);
        let dispute = fengqiao_store::cases::NewCase {
            case_type: "dispute".into(),
            category: "dispute.neighbour".into(),
            title: "邻里纠纷".into(),
            description: String::new(),
            jurisdiction: None,
            address: item["address"].as_str().map(String::from),
            lon: None,
            lat: None,
            origin: "officer".into(),
            parties: Vec::new(),
            stock: None,
            risk_grade: None,
            risk: None,
            token_hash: None,
            in_person_visits: 0,
            incident_id: None,
        };
        let config = fengqiao_cases::CaseConfig::builtin();
        let case = fengqiao_store::cases::open_case(store, &config, &dispute, "officer", "o1", before).unwrap();
        // Whatever the incident's category, for this test.
        let rule = fengqiao_app::escalation::Rule {
            categories: vec![item["category"].as_str().unwrap().to_string()],
            ..Default::default()
        };
        assert!(
            fengqiao_app::escalation::link_dispute(store, &rule, &case, "test")
                .unwrap()
                .contains(&(case.id, id))
        );
        case
    });
    let v = app.get(&format!("/api/v1/incidents/{id}")).await.json();
    assert_eq!(v["cases"][0]["code"], case.code.as_str());
    assert!(
        v["cases"][0]["reason"].as_str().unwrap().contains("same address"),
        "{v}"
    );
    assert_eq!(app.get("/api/v1/incidents/abc").await.status, 400);
    assert_eq!(app.get("/api/v1/incidents/999999999").await.status, 404);

    let area = v["jurisdiction"]["code"].as_str().unwrap().to_string();
    let inside = user_token(&app, "o-in", "officer", (Some(area[..9].to_string()), None, None));
    let outside = user_token(&app, "o-out", "officer", (Some("339999".into()), None, None));
    let as_officer = |token: String| {
        let app = &app;
        async move {
            app.call(
                "GET",
                &format!("/api/v1/incidents/{id}"),
                &[("Authorization", &format!("Bearer {token}"))],
                "",
            )
            .await
            .status
        }
    };
    assert_eq!(as_officer(inside.clone()).await, 200);
    let seen = app
        .call(
            "GET",
            &format!("/api/v1/incidents/{id}"),
            &[("Authorization", &format!("Bearer {inside}"))],
            "",
        )
        .await
        .json();
    assert_eq!(
        seen["cases"],
        serde_json::json!([]),
        "a linked case outside the officer's scope is not listed"
    );
    assert_eq!(
        as_officer(outside).await,
        404,
        "another jurisdiction's incident is not there"
    );
}

/// An analyst imports a Chinese 110 export from the page's API: the upload
/// says how the file reads, a preview through an edited mapping shows rows
/// and rejects, the import runs in the background and its incidents are
/// then stored; an officer may not import.
#[tokio::test]
async fn an_analyst_imports_a_gbk_export_through_upload_preview_and_import() {
    let app = spawn_app().await;
    let analyst = user_token(&app, "analyst1", "analyst", (None, None, None));
    let officer = user_token(&app, "officer1", "officer", (Some("330203".into()), None, None));
    let file =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/testdata/cn_110_gbk.csv"))
            .unwrap();
    let r = app
        .call_bytes_as(Some(&officer), "POST", "/api/v1/imports/files", "text/csv", &file)
        .await;
    assert_eq!((r.status, r.json()["code"].as_str()), (403, Some("forbidden")));
    let r = app
        .call_bytes_as(Some(&analyst), "POST", "/api/v1/imports/files", "image/png", &file)
        .await;
    assert_eq!(r.status, 415, "{}", r.body);

    let r = app
        .call_bytes_as(Some(&analyst), "POST", "/api/v1/imports/files", "text/csv", &file)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let looked = r.json();
    let id = looked["file"].as_str().unwrap().to_string();
    assert_eq!(looked["encoding"], "GB18030");
    assert_eq!(looked["header"][0], "接警单号");
    assert_eq!(looked["fitting_profiles"][0], "cn-110");
    assert_eq!(
        (looked["read"].as_u64(), looked["rejected"].as_u64()),
        (Some(12), Some(1))
    );
    assert_eq!(looked["incidents"][0]["occurred"], "2026-11-03 08:15:27 +08:00");
    assert_eq!(looked["rejects"][0]["line"], 12);

    let auth = format!("Bearer {analyst}");
    let headers = [("Authorization", auth.as_str())];
    // The profile's text, edited: the bureau's exports are read as 宁波 only.
    let profiles = app.call("GET", "/api/v1/import-profiles", &headers, "").await.json();
    let text = profiles["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cn-110")
        .unwrap()["mapping"]
        .as_str()
        .unwrap()
        .replace("bbox = [73.4, 3.8, 135.1, 53.6]", "bbox = [121.5, 29.85, 121.6, 29.9]");
    let body = serde_json::json!({"file": id, "mapping": text}).to_string();
    let p = app.call("POST", "/api/v1/imports/preview", &headers, &body).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let p = p.json();
    assert_eq!(
        (p["parsed"].as_u64(), p["rejected"].as_u64()),
        (Some(7), Some(5)),
        "{p}"
    );
    assert!(p["rejects"][0]["reason"].as_str().unwrap().contains("outside"));
    // A mapping that cannot be read says where.
    let body = serde_json::json!({"file": id, "mapping": "name = "}).to_string();
    let bad = app.call("POST", "/api/v1/imports/preview", &headers, &body).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.json()["message"].as_str().unwrap().contains("line 1"),
        "{}",
        bad.body
    );
    let unknown = serde_json::json!({"file": "0".repeat(64), "profile": "cn-110"}).to_string();
    assert_eq!(
        app.call("POST", "/api/v1/imports/preview", &headers, &unknown)
            .await
            .status,
        404
    );

    let body = serde_json::json!({"file": id, "profile": "cn-110", "dataset": "宁波110"}).to_string();
    let started = app.call("POST", "/api/v1/imports", &headers, &body).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let job = started.json()["job"].as_u64().unwrap();
    let mut status = serde_json::Value::Null;
    for _ in 0..200 {
        status = app
            .call("GET", &format!("/api/v1/imports/{job}"), &headers, "")
            .await
            .json();
        if status["state"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(
        (
            status["result"]["imported"].as_u64(),
            status["result"]["rejected"].as_u64()
        ),
        (Some(11), Some(1))
    );
    assert!(
        status["result"]["rejects_file"]
            .as_str()
            .is_some_and(|f| f.ends_with("宁波110-run2.csv")),
        "{status}"
    );
    let datasets = app.get("/api/v1/datasets").await.json();
    let ds = datasets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "宁波110")
        .unwrap();
    assert_eq!(ds["incidents"], 11);
    let bad = serde_json::json!({"file": id, "profile": "cn-110", "dataset": "a b"}).to_string();
    assert_eq!(app.call("POST", "/api/v1/imports", &headers, &bad).await.status, 422);
}
