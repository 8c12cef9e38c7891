//! 防范: the near-repeat analysis an analyst or commander reads before
//! choosing cocoon alert zones.

use crate::helpers::{spawn_app, user_token};

#[tokio::test]
async fn near_repeat_tables_and_zones_for_a_category_bounded_and_by_role() {
    let app = spawn_app().await;
    let path = "/api/v1/near-repeat?category=criminal.theft.burglary&space_band=200&time_band=2&iterations=19&zones=200x3,400x7";
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    let n = v["events"].as_u64().unwrap();
    assert!(n >= 10, "{n} burglaries in the demo's fortnight");
    let observed: u64 = v["observed"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|c| c.as_u64().unwrap()))
        .sum();
    assert_eq!(observed, n * (n - 1) / 2, "every pair once");
    assert_eq!(v["space"].as_array().unwrap().len(), 5);
    assert_eq!(v["p_value"][1].as_array().unwrap().len(), 4);
    let zones = v["zones"].as_array().unwrap();
    assert!(zones.len() >= 2);
    assert_eq!(zones[0]["rule"]["radius_m"], 200.0);
    // The demo's stations are on file: the workload is theirs.
    assert!(zones[0]["zones_per_station_day"].as_f64().unwrap() > 0.0);
    // The same request, the same tables.
    assert_eq!(app.get(path).await.json()["expected"], v["expected"]);

    for (query, parameter) in [
        ("space_band=200", "category"),
        ("category=criminal.theft.burglary&iterations=1000", "iterations"),
        ("category=criminal.theft.burglary&space_bands=two", "space_bands"),
        ("category=criminal.theft.burglary&colour=red", "colour"),
    ] {
        let e = app.get(&format!("/api/v1/near-repeat?{query}")).await;
        assert_eq!(e.status, 400, "{query}: {}", e.body);
        assert_eq!(e.json()["details"]["parameter"], parameter, "{query}");
    }
    for query in [
        "category=criminal.theft.burglary&space_band=99999",
        "category=criminal.theft.burglary&zones=200",
        "category=criminal.theft.burglary&distance=taxicab",
        "category=criminal.theft.burglary&from=2020-01-01&to=2020-01-31",
    ] {
        let e = app.get(&format!("/api/v1/near-repeat?{query}")).await;
        assert_eq!(
            (e.status, e.json()["code"].as_str()),
            (422, Some("invalid_input")),
            "{query}: {}",
            e.body
        );
    }

    let bearer = |t: &str| format!("Bearer {t}");
    let analyst = user_token(&app, "analyst-1", "analyst", (None, None, None));
    let r = app.call("GET", path, &[("Authorization", &bearer(&analyst))], "").await;
    assert_eq!(r.status, 200);
    let volunteer = user_token(&app, "volunteer-1", "volunteer", (None, None, None));
    let r = app
        .call("GET", path, &[("Authorization", &bearer(&volunteer))], "")
        .await;
    assert_eq!(r.status, 403);
}

/// Cocoon zones open around the demo's recent burglaries (the built-in
/// rule), follow the rule a commander sets, and stop when turned off; the
/// public sees areas and dates, never a place.
#[tokio::test]
async fn alert_zones_follow_the_rules_and_the_public_sees_areas_only() {
    let app = spawn_app().await;
    let now = chrono::Utc::now();
    let v = app.get("/api/v1/alert-zones").await.json();
    assert_eq!(
        v["rules"],
        serde_json::json!([{"category": "criminal.theft.burglary", "radius_m": 200.0, "days": 7}])
    );
    let zones = v["items"].as_array().unwrap();
    assert!(!zones.is_empty(), "the demo's last week has burglaries");
    for z in zones {
        assert_eq!(z["category"], "criminal.theft.burglary");
        assert_eq!(z["radius_m"], 200.0);
        let closes: chrono::DateTime<chrono::Utc> = z["closes_at"].as_str().unwrap().parse().unwrap();
        let opened: chrono::DateTime<chrono::Utc> = z["opened_at"].as_str().unwrap().parse().unwrap();
        assert!(closes > now && opened <= now, "{z}");
        assert!(closes - opened >= chrono::Duration::days(7));
        assert!(z["station"].as_str().unwrap().starts_with("PS"), "{z}");
    }

    // The public: each area and category once, no coordinates.
    let public = app.call("GET", "/api/v1/public/alerts", &[], "").await;
    assert_eq!(public.status, 200);
    let items = public.json()["items"].as_array().unwrap().clone();
    assert!(!items.is_empty());
    assert!(!public.body.contains("lon") && !public.body.contains("lat") && !public.body.contains("station"));
    for i in &items {
        assert_eq!(i["category"]["name_zh"], "入室盗窃");
        assert!(i["area"]["name_zh"].as_str().is_some());
    }

    let bearer = |t: &str| format!("Bearer {t}");
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    let set = |body: &'static str| {
        let (app, auth) = (&app, bearer(&commander));
        async move {
            app.call("POST", "/api/v1/alert-zones/rules", &[("Authorization", &auth)], body)
                .await
        }
    };
    // A wider, shorter zone: fewer zones, none open past three days from its last burglary.
    assert_eq!(
        set(r#"{"category":"criminal.theft.burglary","radius_m":400,"days":3}"#)
            .await
            .status,
        204
    );
    let wide = app.get("/api/v1/alert-zones").await.json();
    assert_eq!(wide["rules"][0]["radius_m"], 400.0);
    for z in wide["items"].as_array().unwrap() {
        let closes: chrono::DateTime<chrono::Utc> = z["closes_at"].as_str().unwrap().parse().unwrap();
        assert!(closes <= now + chrono::Duration::days(3), "{z}");
    }
    // Setting a rule opens a round of warnings (a `prevention` case) for
    // each zone it opens, in the zone's area; setting it again opens none.
    let rounds = app.get("/api/v1/cases?type=prevention&limit=200").await.json();
    let items = rounds["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), wide["items"].as_array().unwrap().len(), "{rounds}");
    let again = set(r#"{"category":"criminal.theft.burglary","radius_m":400,"days":3}"#).await;
    assert_eq!(again.status, 204);
    let rounds = app.get("/api/v1/cases?type=prevention&limit=200").await.json();
    assert_eq!(
        rounds["items"].as_array().unwrap().len(),
        items.len(),
        "no zone gets two rounds"
    );
    let zone_tasks: Vec<String> = app.get("/api/v1/alert-zones").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["task"].as_str().unwrap().to_string())
        .collect();
    let code = items[0]["code"].as_str().unwrap().to_string();
    assert!(zone_tasks.contains(&code));
    assert_eq!(items[0]["category"], "prevention.cocoon");
    assert!(
        items[0]["title"]
            .as_str()
            .unwrap()
            .contains("入室盗窃防范提醒：周边400米")
    );
    // The commander warns the neighbours and says how many households were told.
    let act = |body: String| {
        let (app, auth, code) = (&app, bearer(&commander), code.clone());
        async move {
            app.call(
                "POST",
                &format!("/api/v1/cases/{code}/actions"),
                &[("Authorization", &auth)],
                &body,
            )
            .await
        }
    };
    let r = act(r#"{"action":"warn","details":{"households":-3}}"#.into()).await;
    assert_eq!(
        (r.status, r.json()["details"]["parameter"].clone()),
        (422, serde_json::json!("details.households"))
    );
    let r = act(r#"{"action":"warn","details":{"households":23,"notices":2,"note":"3栋、5栋逐户敲门"}}"#.into()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let case = app.get(&format!("/api/v1/cases/{code}")).await.json();
    assert_eq!(case["case"]["state"]["stage"], "warned", "{case}");
    let warned = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "warn")
        .unwrap();
    assert_eq!(warned["details"]["households"], 23);
    // The rounds' figures are the hand counts: every round opened today, one warned on time.
    let rounds = app.get("/api/v1/alert-zones?days=7").await.json()["rounds"].clone();
    assert_eq!(rounds["opened"].as_u64().unwrap() as usize, items.len());
    assert_eq!(
        (
            rounds["warned"].clone(),
            rounds["warned_on_time"].clone(),
            rounds["closed"].clone()
        ),
        (serde_json::json!(1), serde_json::json!(1), serde_json::json!(0))
    );
    assert_eq!(
        (rounds["households"].clone(), rounds["notices"].clone()),
        (serde_json::json!(23), serde_json::json!(2))
    );
    assert_eq!(rounds["overdue"], 0);
    let per_station: u64 = rounds["by_station"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["opened"].as_u64().unwrap())
        .sum();
    assert_eq!(per_station as usize, items.len());
    assert_eq!(app.get("/api/v1/alert-zones?days=0").await.status, 400);

    // Another category too, then burglary off.
    assert_eq!(
        set(r#"{"category":"public_order.fight","radius_m":100,"days":1}"#)
            .await
            .status,
        204
    );
    assert_eq!(set(r#"{"category":"criminal.theft.burglary"}"#).await.status, 204);
    let after = app.get("/api/v1/alert-zones").await.json();
    assert_eq!(
        after["rules"],
        serde_json::json!([{"category": "public_order.fight", "radius_m": 100.0, "days": 1}])
    );
    assert!(
        after["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|z| z["category"] == "public_order.fight")
    );

    for (body, status) in [
        (
            r#"{"category":"criminal.theft.burglary","radius_m":9000,"days":7}"#,
            400,
        ),
        (r#"{"category":"criminal.theft.burglary","radius_m":200}"#, 400),
        (r#"{"category":"criminal.nothing","radius_m":200,"days":7}"#, 422),
        (r#"{"category":"criminal.theft.burglary","colour":"red"}"#, 400),
    ] {
        assert_eq!(set(body).await.status, status, "{body}");
    }
    let volunteer = user_token(&app, "volunteer-1", "volunteer", (None, None, None));
    let as_volunteer = [("Authorization", bearer(&volunteer))];
    let h: Vec<(&str, &str)> = as_volunteer.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call("GET", "/api/v1/alert-zones", &h, "").await.status, 403);
    let r = app
        .call(
            "POST",
            "/api/v1/alert-zones/rules",
            &h,
            r#"{"category":"criminal.theft.burglary"}"#,
        )
        .await;
    assert_eq!(r.status, 403);
}
