//! 110 回访: a week's sample drawn once, stratified as asked and drawn again
//! from its seed; answers checked; an unsatisfied answer opens a follow-up;
//! the satisfaction report counts what the answers say.

use crate::helpers::*;
use serde_json::{Value, json};

fn last_week() -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    fengqiao_app::callbacks::week_of(today - chrono::Duration::days(7))
}

#[tokio::test]
async fn a_weekly_sample_is_stratified_reproducible_drawn_once_and_its_answers_counted() {
    let app = spawn_app().await;
    let bearer = |t: &str| format!("Bearer {t}");
    let analyst = user_token(&app, "desk", "analyst", (None, None, None));
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    let officer = user_token(&app, "beat", "officer", (None, None, None));
    let post = |token: &str, path: &str, body: Value| {
        let (app, auth, path) = (&app, bearer(token), path.to_string());
        async move {
            app.call("POST", &path, &[("Authorization", &auth)], &body.to_string())
                .await
        }
    };
    let week = last_week();
    let r = post(&analyst, "/api/v1/callbacks/draws", json!({"week": week, "share": 0.2})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let draw = r.json();
    let strata = draw["strata"].as_array().unwrap();
    assert!(!strata.is_empty());
    let mut drawn = 0;
    for s in strata {
        let (n, k) = (
            s["population"].as_u64().unwrap(),
            s["drawn"].as_array().unwrap().len() as u64,
        );
        assert_eq!(k, (n as f64 * 0.2 - 1e-9).ceil() as u64, "⌈20 % of {n}⌉ in {s}");
        drawn += k;
    }
    assert_eq!(draw["callbacks"].as_array().unwrap().len() as u64, drawn);
    assert!(
        strata
            .iter()
            .any(|s| s["kind"].as_str().unwrap().starts_with("incident."))
    );

    // Drawn again from its seed and the same week's incidents: the same sample.
    let kept = app.get(&format!("/api/v1/callbacks/draws/{week}")).await.json();
    assert_eq!(kept["seed"], draw["seed"]);
    let again = off_runtime(|| {
        let store = app.db.open();
        let monday = fengqiao_app::callbacks::week_monday(&week).unwrap();
        let units =
            fengqiao_app::callbacks::population(store.as_ref(), "demo", monday, chrono_tz::Asia::Shanghai).unwrap();
        fengqiao_app::callbacks::sample(&units, kept["seed"].as_str().unwrap(), 0.2)
    });
    assert_eq!(json!(again), kept["strata"]);

    // Once a week, a week that has ended, by the command centre.
    let r = post(&analyst, "/api/v1/callbacks/draws", json!({"week": week})).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (409, Some("conflict")),
        "{}",
        r.body
    );
    let this_week = fengqiao_app::callbacks::week_of(
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive(),
    );
    let r = post(&analyst, "/api/v1/callbacks/draws", json!({"week": this_week})).await;
    assert_eq!(
        (r.status, r.json()["details"]["parameter"].as_str()),
        (422, Some("week")),
        "{}",
        r.body
    );
    for (body, parameter) in [
        (json!({"week": "2026-48"}), "week"),
        (json!({"week": "2020-W10"}), "week"),
        (json!({"week": week, "share": 0}), "share"),
    ] {
        let r = post(&analyst, "/api/v1/callbacks/draws", body).await;
        assert_eq!(r.json()["details"]["parameter"].as_str(), Some(parameter), "{}", r.body);
    }
    let r = post(&officer, "/api/v1/callbacks/draws", json!({"week": "2026-W01"})).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(app.get("/api/v1/callbacks/draws/2026-W01").await.status, 404);

    // Answers: the duty commander calls; not the officers who handled it.
    let codes: Vec<String> = serde_json::from_value(draw["callbacks"].clone()).unwrap();
    let act = |token: &str, code: &str, body: Value| post(token, &format!("/api/v1/cases/{code}/actions"), body);
    let area = app.get(&format!("/api/v1/cases/{}", codes[0])).await.json()["case"]["jurisdiction"].clone();
    let local = user_token(&app, "local", "officer", (area.as_str().map(String::from), None, None));
    let r = act(
        &local,
        &codes[0],
        json!({"action": "answer", "details": {"satisfaction": "satisfied"}}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = act(
        &commander,
        &codes[0],
        json!({"action": "answer", "details": {"satisfaction": "unsatisfied"}}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["details"]["parameter"].as_str()),
        (422, Some("details.reasons")),
        "{}",
        r.body
    );
    let r = act(&commander, &codes[0], json!({"action": "answer", "details": {"satisfaction": "unsatisfied", "reasons": ["slow"], "comment": "等了四十分钟"}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(
        &commander,
        &codes[1],
        json!({"action": "answer", "details": {"satisfaction": "basically", "safety": "safe"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    if codes.len() > 2 {
        let r = act(
            &commander,
            &codes[2],
            json!({"action": "unreached", "reason": "三次无人接听"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // The unsatisfied answer opened a follow-up in the closed loop, naming it.
    let requests = app.get("/api/v1/cases?type=request").await.json();
    let follow: Vec<&Value> = requests["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["category"] == "request.police_service")
        .collect();
    assert_eq!(follow.len(), 1, "{requests}");
    let page = app
        .get(&format!("/api/v1/cases/{}", follow[0]["code"].as_str().unwrap()))
        .await
        .json();
    assert!(
        page["case"]["description"].as_str().unwrap().contains(&codes[0]),
        "{page}"
    );
    assert!(page["case"]["description"].as_str().unwrap().contains("出警慢"));

    let r = app.get("/api/v1/callbacks/report?months=2").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = &r.json()["total"];
    assert_eq!(t["drawn"].as_u64(), Some(drawn));
    assert_eq!(
        (
            t["reached"].as_u64(),
            t["basically"].as_u64(),
            t["unsatisfied"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(
        (
            t["satisfaction"]["n"].as_u64(),
            t["satisfaction"]["yes"].as_u64(),
            t["satisfaction"]["share"].as_f64()
        ),
        (Some(2), Some(1), Some(0.5))
    );
    assert!(t["satisfaction"]["low"].as_f64().unwrap() > 0.0 && t["satisfaction"]["high"].as_f64().unwrap() < 1.0);
    assert_eq!(
        (t["safety"]["n"].as_u64(), t["safety"]["yes"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(t["follow_ups"].as_u64(), Some(1));
    for q in ["months=0", "months=25", "colour=red"] {
        assert_eq!(
            app.get(&format!("/api/v1/callbacks/report?{q}")).await.status,
            400,
            "{q}"
        );
    }
    // Scope and masking: an officer reads their own area's callbacks and
    // satisfaction only; a case's person comes with its callback, their
    // number in full to the commander who calls, masked to the analyst.
    let outside = user_token(&app, "outside", "officer", (Some("\u{1}elsewhere".into()), None, None));
    let mine = app
        .call(
            "GET",
            "/api/v1/callbacks/report",
            &[("Authorization", &bearer(&outside))],
            "",
        )
        .await;
    assert_eq!(
        (mine.status, mine.json()["total"]["drawn"].as_u64()),
        (200, Some(0)),
        "{}",
        mine.body
    );
    let r = app
        .call(
            "GET",
            &format!("/api/v1/cases/{}", codes[0]),
            &[("Authorization", &bearer(&outside))],
            "",
        )
        .await;
    assert_eq!(r.status, 404);
    let with_person = off_runtime(|| {
        use fengqiao_store::cases::{NewCase, Party, open_case};
        let store = app.db.open();
        let store = store.as_ref();
        let config = &app.settings.cases.config;
        let village = fengqiao_store::Store::jurisdictions(store)
            .unwrap()
            .into_iter()
            .find(|j| j.jurisdiction.level == fengqiao_domain::Level::Village)
            .unwrap()
            .jurisdiction
            .code;
        let new = NewCase {
            case_type: "request".into(),
            category: "request.noise".into(),
            title: "夜间施工噪声".into(),
            description: String::new(),
            jurisdiction: Some(village),
            address: None,
            lon: None,
            lat: None,
            origin: "citizen".into(),
            parties: vec![Party {
                role: "reporter".into(),
                name: "赵六".into(),
                phone: Some("13600006666".into()),
                id_number: None,
                address: None,
                vulnerable: false,
                id_type: None,
            }],
            stock: None,
            risk_grade: None,
            risk: None,
            token_hash: None,
            in_person_visits: 0,
            incident_id: None,
        };
        // Opened and closed in a week three weeks back, drawn whole.
        let at = chrono::Utc::now() - chrono::Duration::weeks(3);
        let case = open_case(store, config, &new, "citizen", "c", at).unwrap();
        for (action, role) in [
            ("register", "officer"),
            ("dispatch", "commander"),
            ("start", "department"),
            ("report", "department"),
            ("verify", "officer"),
            ("close", "officer"),
        ] {
            let cmd = fengqiao_cases::Command {
                action: action.into(),
                role: role.into(),
                actor: "t".into(),
                department: (action == "dispatch").then(|| "urban".into()),
                ..Default::default()
            };
            fengqiao_store::cases::act(store, config, case.id, None, &cmd, at).unwrap();
        }
        let desk = fengqiao_app::cases::Actor {
            role: "analyst".into(),
            username: "desk".into(),
        };
        let week = fengqiao_app::callbacks::week_of(at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive());
        let draw = fengqiao_app::callbacks::draw(
            store,
            &app.settings.cases,
            "demo",
            &week,
            1.0,
            &desk,
            chrono::Utc::now(),
        )
        .unwrap();
        draw.callbacks
            .into_iter()
            .find(|c| {
                store
                    .case_by_code(c)
                    .unwrap()
                    .unwrap()
                    .case
                    .parties
                    .iter()
                    .any(|p| p.name == "赵六")
            })
            .expect("the closed request is called back")
    });
    let read = |token: &str| {
        let (app, path, auth) = (&app, format!("/api/v1/cases/{with_person}"), bearer(token));
        async move { app.call("GET", &path, &[("Authorization", &auth)], "").await.json() }
    };
    assert_eq!(read(&commander).await["case"]["parties"][0]["phone"], "13600006666");
    let masked = read(&analyst).await;
    assert!(
        masked["case"]["parties"][0]["phone"].as_str().unwrap().contains('*'),
        "{masked}"
    );
}
