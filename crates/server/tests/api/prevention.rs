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
