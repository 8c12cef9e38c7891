//! The equity report beside a forecast and its plan.

use crate::helpers::*;
use serde_json::Value;
use std::collections::HashMap;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

/// The report's citizen counts per town equal the store's own counts by
/// area (the import's jurisdiction, summed up to the town); the shares of
/// hot cells, patrol time and citizen incidents each add up to one with
/// what lies outside every town; every flag follows the rule; the loop's
/// figures are shares; and it reads who may read forecasts.
#[tokio::test]
async fn equity_by_town_matches_hand_counts_and_flags_by_the_rule() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/equity").await;
    assert_eq!(r.status, 404, "no forecast yet: {}", r.body);
    let forecast = app.post("/api/v1/forecasts", "{}").await;
    assert_eq!(forecast.status, 201, "{}", forecast.body);
    let before_plan = app.get("/api/v1/equity").await.json();
    assert_eq!(before_plan["plan_id"], Value::Null);
    assert!(
        before_plan["areas"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["patrol_share"].is_null())
    );
    let plan = app.post("/api/v1/plans", "{}").await;
    assert_eq!(plan.status, 201, "{}", plan.body);
    let plan_id = plan.json()["id"].as_i64().unwrap();

    let v = app.get("/api/v1/equity?level=town").await.json();
    assert_eq!(v["plan_id"], plan_id, "the latest plan made from the forecast");
    assert_eq!(v["forecast_id"], forecast.json()["id"]);
    assert_eq!(v["citizen_basis"], "citizen");
    assert!(v["window_start"].as_str().unwrap().ends_with("+08:00"), "city time");
    let areas = v["areas"].as_array().unwrap();
    assert!(!areas.is_empty());

    // Hand counts: citizen-reported incidents by deepest area, summed to towns.
    let by_area = app
        .get("/api/v1/incidents/aggregate?by=jurisdiction&origin=citizen")
        .await
        .json();
    let towns = app.get("/api/v1/jurisdictions?level=town").await.json();
    let town_codes: Vec<String> = towns["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["properties"]["code"].as_str().unwrap().to_string())
        .collect();
    let mut hand: HashMap<String, u64> = HashMap::new();
    for g in by_area["groups"].as_array().unwrap() {
        let code = g["key"].as_str().unwrap();
        if let Some(town) = town_codes
            .iter()
            .filter(|t| code.starts_with(t.as_str()))
            .max_by_key(|t| t.len())
        {
            *hand.entry(town.clone()).or_default() += g["count"].as_u64().unwrap();
        }
    }
    for a in areas {
        let code = a["code"].as_str().unwrap();
        assert_eq!(
            a["citizen_incidents"].as_u64().unwrap(),
            hand.get(code).copied().unwrap_or(0),
            "citizen incidents of {code}"
        );
    }
    let officers = app.get("/api/v1/incidents/aggregate?by=origin").await.json();
    let count_of = |k: &str| {
        officers["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == k)
            .map_or(0, |g| g["count"].as_u64().unwrap())
    };
    assert_eq!(v["officer_incidents"].as_u64().unwrap(), count_of("officer"));
    assert_eq!(v["citizen_incidents"].as_u64().unwrap(), count_of("citizen"));
    let officer_share = count_of("officer") as f64 / v["incidents"].as_u64().unwrap() as f64;
    assert!((f(&v["officer_share"]) - officer_share).abs() < 1e-9);
    assert_eq!(f(&v["officer_weight"]), 1.0);

    let sum = |k: &str| areas.iter().map(|a| f(&a[k])).sum::<f64>();
    let outside = &v["outside"];
    let hot_total = v["hot_cells"].as_u64().unwrap() as f64;
    assert!(hot_total > 0.0);
    assert!((sum("hot_share") + outside["hot_cells"].as_u64().unwrap() as f64 / hot_total - 1.0).abs() < 1e-9);
    let minutes = f(&v["patrol_minutes"]);
    assert!(minutes > 0.0);
    assert!((sum("patrol_share") + f(&outside["patrol_minutes"]) / minutes - 1.0).abs() < 1e-9);
    let citizens = v["citizen_incidents"].as_u64().unwrap() as f64;
    assert!(
        (sum("citizen_share") + outside["citizen_incidents"].as_u64().unwrap() as f64 / citizens - 1.0).abs() < 1e-9
    );

    // Flags by the rule, both ways.
    let rule = |share: f64, citizen: f64| {
        if share >= 1.5 * citizen && share - citizen >= 0.05 {
            Value::from("over")
        } else if share * 1.5 <= citizen && citizen - share >= 0.05 {
            Value::from("under")
        } else {
            Value::Null
        }
    };
    let mut over = 0;
    for a in areas {
        let c = f(&a["citizen_share"]);
        assert_eq!(a["hot_flag"], rule(f(&a["hot_share"]), c), "{a}");
        assert_eq!(a["patrol_flag"], rule(f(&a["patrol_share"]), c), "{a}");
        over += usize::from(a["hot_flag"] == "over" || a["patrol_flag"] == "over");
    }
    assert_eq!(v["flagged_over"].as_u64().unwrap() as usize, over);
    for k in ["same_as_day_0", "overlap_with_truth", "efficiency"] {
        for run in ["current", "alternative"] {
            let x = f(&v["lock_in"][run][k]);
            assert!((0.0..=1.0).contains(&x), "{run} {k} {x}");
        }
    }
    assert_eq!(f(&v["lock_in"]["current"]["officer_weight"]), 1.0);
    assert_eq!(f(&v["lock_in"]["alternative"]["officer_weight"]), 0.0);

    // By grid: finer areas, the same totals.
    let grid = app.get("/api/v1/equity?level=grid").await.json();
    assert_eq!(grid["level"], "grid");
    assert!(grid["areas"].as_array().unwrap().len() > areas.len());
    assert_eq!(grid["citizen_incidents"], v["citizen_incidents"]);

    for bad in [
        "level=city",
        "level=x",
        "hot_share=0",
        "hot_share=2",
        "forecast=x",
        "window=month",
        "colour=red",
    ] {
        assert_eq!(app.get(&format!("/api/v1/equity?{bad}")).await.status, 400, "{bad}");
    }
    assert_eq!(app.get("/api/v1/equity?forecast=999999").await.status, 404);
    assert_eq!(app.get("/api/v1/equity?plan=999999").await.status, 404);

    // Who reads forecasts reads their equity; an officer of one town sees
    // that town's row and its counts, not the city's; a department's clerk
    // reads none.
    let town = areas[0]["code"].as_str().unwrap().to_string();
    let officer = user_token(&app, "an.officer", "officer", (Some(town.clone()), None, None));
    let clerk = user_token(&app, "a.clerk", "department", (None, None, None));
    let as_ = |token: &str| format!("Bearer {token}");
    let mine = app
        .call("GET", "/api/v1/equity", &[("Authorization", &as_(&officer))], "")
        .await;
    assert_eq!(mine.status, 200);
    let mine = mine.json();
    let rows = mine["areas"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0], areas[0], "the town's row as the city sees it");
    assert_eq!(mine["within"], town.as_str());
    assert_eq!(mine["citizen_incidents"], areas[0]["citizen_incidents"]);
    assert_eq!(mine["incidents"], areas[0]["incidents"]);
    assert_eq!(mine["outside"]["citizen_incidents"], 0);
    assert_eq!(
        app.call("GET", "/api/v1/equity", &[("Authorization", &as_(&clerk))], "")
            .await
            .status,
        403
    );
}
