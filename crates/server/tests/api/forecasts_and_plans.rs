//! Forecasts and plans as the map reads them.

use crate::helpers::*;

#[tokio::test]
async fn latest_forecast_as_json_and_geojson() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/forecasts/latest?window=day").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["message"].as_str().unwrap().contains("fengqiao forecast"));
    // Store one forecast through the same store the server uses.
    let () = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let run = fengqiao_store::ForecastRun {
            id: 0,
            dataset: "demo".into(),
            model: "fq".into(),
            window_kind: "day".into(),
            window_start: chrono::Utc::now(),
            window_end: chrono::Utc::now() + chrono::Duration::days(1),
            shift: 0,
            category: None,
            cell_m: 150.0,
            centre: [121.5, 29.86],
            origin: [-1500.0, -1500.0],
            cols: 20,
            rows: 20,
            data_cutoff: chrono::Utc::now(),
            params: serde_json::json!({"valid_cells": 3}),
            version: "test".into(),
            created_at: chrono::Utc::now(),
        };
        fengqiao_store::Store::save_forecast(
            store,
            &fengqiao_store::NewForecast {
                run,
                cells: vec![(0, 0.5), (21, 1.5), (399, 0.1)],
            },
        )
        .unwrap();
    });
    let v = app.get("/api/v1/forecasts/latest?window=day").await.json();
    assert_eq!(v["cells"].as_array().unwrap().len(), 3);
    assert!((v["expected_total"].as_f64().unwrap() - 2.1).abs() < 1e-9);
    let b = v["cells"][0]["bounds"].as_array().unwrap();
    assert!(b[0].as_f64().unwrap() < b[2].as_f64().unwrap() && b[1].as_f64().unwrap() < b[3].as_f64().unwrap());
    let g = app
        .get("/api/v1/forecasts/latest?window=day&format=geojson")
        .await
        .json();
    assert_eq!(g["type"], "FeatureCollection");
    assert_eq!(g["features"][0]["properties"]["cell"], 21, "ranked by expected count");
    assert_eq!(g["features"][0]["properties"]["rank"], 1);
    let ring = g["features"][0]["geometry"]["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.len(), 5);
    assert_eq!(ring[0], ring[4]);
    let bad = app.get("/api/v1/forecasts/latest?window=month").await;
    assert_eq!(bad.status, 400);
    // The hottest share only, hottest first, with the whole forecast's total.
    let top = app.get("/api/v1/forecasts/latest?window=day&top=0.5").await.json();
    let cells: Vec<i64> = top["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cell"].as_i64().unwrap())
        .collect();
    let valid = top["forecast"]["params"]["valid_cells"].as_u64().unwrap_or(3) as f64;
    assert_eq!(cells.len(), (0.5 * valid).ceil() as usize);
    assert_eq!(cells[0], 21);
    assert_eq!(top["expected_total"], v["expected_total"]);
    assert_eq!(top["stored_cells"], 3);
    for bad in ["0", "1.5", "x"] {
        assert_eq!(
            app.get(&format!("/api/v1/forecasts/latest?window=day&top={bad}"))
                .await
                .status,
            400
        );
    }
}

#[tokio::test]
async fn plans_latest_and_by_id() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/plans/latest").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["message"].as_str().unwrap().contains("fengqiao plan"));
    let (geojson, id) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let geojson = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.5, 29.86]}, "properties": {"kind": "unit"}}
        ]});
        let id = fengqiao_store::Store::save_plan(
            store,
            &fengqiao_store::NewPlan {
                dataset: "demo".into(),
                forecast_id: None,
                window_start: chrono::Utc::now(),
                window_end: chrono::Utc::now() + chrono::Duration::hours(8),
                params: serde_json::json!({"response_minutes": 5}),
                summary: serde_json::json!({"objective": 1.5, "coverage": {"1": 0.1, "3": 0.5, "5": 0.9}, "gap": null}),
                body: serde_json::json!({"units": []}),
                geojson: geojson.to_string(),
                version: "test".into(),
                created_at: chrono::Utc::now(),
            },
        )
        .unwrap();
        (geojson, id)
    });
    let v = app.get("/api/v1/plans/latest").await.json();
    assert_eq!(v["id"], id);
    assert_eq!(v["summary"]["coverage"]["5"], 0.9);
    let g = app.get(&format!("/api/v1/plans/{id}?format=geojson")).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.content_type, "application/geo+json");
    let mut want = geojson.clone();
    want["fengqiao_record"] = serde_json::json!(format!("plan/{id}"));
    assert_eq!(g.json(), want, "the stored GeoJSON with its ledger record");
    assert_eq!(app.get("/api/v1/plans/9999").await.status, 404);
    assert_eq!(app.get("/api/v1/plans/x").await.status, 400);
    assert_eq!(app.get("/api/v1/plans/latest?format=kml").await.status, 400);
}

#[tokio::test]
async fn staffing_from_the_latest_forecast() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/staffing").await;
    assert_eq!(r.status, 422, "no forecast yet");
    assert!(r.json()["message"].as_str().unwrap().contains("fengqiao forecast"));
    off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        // Long after the demo's fortnight: no handled calls in the 90 days before it.
        let now = chrono::Utc::now() + chrono::Duration::days(200);
        let run = fengqiao_store::ForecastRun {
            id: 0,
            dataset: "demo".into(),
            model: "fq".into(),
            window_kind: "shift".into(),
            window_start: now,
            window_end: now + chrono::Duration::hours(8),
            shift: 0,
            category: None,
            cell_m: 150.0,
            centre: [121.5, 29.86],
            origin: [-1500.0, -1500.0],
            cols: 20,
            rows: 20,
            data_cutoff: now,
            params: serde_json::json!({}),
            version: "test".into(),
            created_at: now,
        };
        // 16 expected incidents near the grid's first cell, 4 near its last.
        fengqiao_store::Store::save_forecast(
            store,
            &fengqiao_store::NewForecast {
                run,
                cells: vec![(0, 16.0), (399, 4.0)],
            },
        )
        .unwrap();
        let station = |code: &str, lon: f64, lat: f64| fengqiao_domain::Facility {
            code: code.into(),
            kind: fengqiao_domain::FacilityKind::Station,
            name_zh: format!("{code}派出所"),
            name_en: code.into(),
            lon,
            lat,
            jurisdiction: None,
            units: 4,
        };
        // One station at the grid's south-west corner, one at its north-east.
        store
            .replace_facilities(&[station("SW", 121.485, 29.847), station("NE", 121.515, 29.873)])
            .unwrap();
    });
    let v = app
        .get("/api/v1/staffing?target_minutes=5&level=0.9&service_minutes=48")
        .await
        .json();
    // No handled calls on file: the default service time, said so.
    assert_eq!(v["service_basis"], "default");
    assert_eq!(v["service_minutes"], 48.0);
    let by = |code: &str| {
        v["stations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()
            .clone()
    };
    let (sw, ne) = (by("SW"), by("NE"));
    assert_eq!(sw["expected_incidents"], 16.0);
    assert_eq!(ne["expected_incidents"], 4.0);
    // 16 incidents in 8 h at 48 min: load 1.6; 4 in 8 h: 0.4. Erlang C at 90 % within 5 min.
    assert!((sw["load"].as_f64().unwrap() - 1.6).abs() < 1e-9);
    let need = |a: f64| fengqiao_staffing::erlang::servers_needed(a, 5.0 / 48.0, 0.9).unwrap();
    assert_eq!(sw["crews"].as_u64(), Some(u64::from(need(1.6))));
    assert_eq!(ne["crews"].as_u64(), Some(u64::from(need(0.4))));
    assert!(sw["crews"].as_u64() > ne["crews"].as_u64());
    // The hypercube model over both stations: at least Erlang C's crews,
    // enough for each station's own crews to answer 90 % of its calls at once.
    assert_eq!(v["spatial_met"], true);
    for s in [&sw, &ne] {
        assert!(s["spatial_crews"].as_u64() >= s["crews"].as_u64(), "{s}");
        assert!(s["spatial_own_share"].as_f64().unwrap() >= 0.9, "{s}");
        let shared = s["spatial_own_share"].as_f64().unwrap() + s["helped_share"].as_f64().unwrap();
        assert!(shared <= 1.0 + 1e-9 && s["workload"].as_f64().unwrap() > 0.0, "{s}");
        assert_eq!(s["rostered_crews"], serde_json::Value::Null, "no roster published");
    }
    // Malformed parameters are 400; well-formed but out of range, 422 (the code table's statuses).
    for (bad, status, names) in [
        ("target_minutes=x", 400, "target_minutes"),
        ("window=month", 400, "window"),
        ("colour=red", 400, "colour"),
        ("level=1", 422, "level 1"),
        ("history_days=0", 422, "0 days"),
    ] {
        let r = app.get(&format!("/api/v1/staffing?{bad}")).await;
        assert_eq!(r.status, status, "{bad}");
        assert!(
            r.json()["message"].as_str().unwrap().contains(names),
            "{bad}: {}",
            r.json()
        );
    }
}

/// The map page's accuracy panel: the last days replayed by counting, the
/// flagship and the ceiling; bounded, and read by who reads forecasts.
#[tokio::test]
async fn the_last_days_replayed_for_the_accuracy_panel() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/forecasts/accuracy?days=7").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    let names: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["naive", "fq", "peek"]);
    assert_eq!(v["windows"], 7);
    assert_eq!(v["denominator"], "all_events");
    assert_eq!(v["timezone"], "Asia/Shanghai");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    assert_eq!(v["to"], (today - chrono::Duration::days(1)).to_string());
    assert_eq!(v["from"], (today - chrono::Duration::days(7)).to_string());
    assert!(v["events_total"].as_u64().unwrap() > 0);
    let hit = |m: usize, c: &str| v["models"][m]["hit_rate"][c].as_f64().unwrap();
    for m in 0..3 {
        let curve: Vec<f64> = ["0.01", "0.02", "0.05", "0.1", "0.2"]
            .iter()
            .map(|c| hit(m, c))
            .collect();
        assert!(curve.windows(2).all(|w| w[0] <= w[1]), "{curve:?}");
    }
    assert!(hit(2, "0.05") >= hit(0, "0.05"), "the ceiling sees the future");
    let paired = &v["models"][1]["paired"][0];
    assert_eq!(paired["against"], "naive");
    assert!(paired["difference_ci"]["0.05"].is_array());
    for bad in ["days=3", "days=93", "days=x", "window=week", "colour=red"] {
        assert_eq!(
            app.get(&format!("/api/v1/forecasts/accuracy?{bad}")).await.status,
            400,
            "{bad}"
        );
    }
    let clerk = user_token(&app, "a.clerk", "department", (None, None, None));
    let r = app
        .call(
            "GET",
            "/api/v1/forecasts/accuracy?days=7",
            &[("Authorization", &format!("Bearer {clerk}"))],
            "",
        )
        .await;
    assert_eq!(r.status, 403);
}
