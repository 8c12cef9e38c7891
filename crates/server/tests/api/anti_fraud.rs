//! 反诈预警劝阻: the anti-fraud centre's warnings become dissuasion cases in
//! the person's area, once; deadlines in minutes raise supervision when they
//! pass; the report counts what the cases say.

use crate::helpers::*;
use chrono::{Duration, Utc};
use serde_json::{Value, json};

/// A station's area and a village in it, from the demo city on file.
fn station_and_village(app: &TestApp) -> (String, String, String) {
    off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let villages: Vec<String> = fengqiao_store::Store::jurisdictions(store)
            .unwrap()
            .into_iter()
            .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Village)
            .map(|j| j.jurisdiction.code)
            .collect();
        fengqiao_app::personnel::stations(store)
            .unwrap()
            .into_iter()
            .find_map(|s| {
                let area = s.jurisdiction.clone()?;
                let village = villages.iter().find(|v| v.starts_with(&area))?.clone();
                Some((s.code, area, village))
            })
            .expect("a station with a village in its area")
    })
}

fn warning(phone: &str, scam: &str, area: &str, minutes_ago: i64) -> Value {
    json!({"received_at": Utc::now() - Duration::minutes(minutes_ago), "phone": phone, "name": "测试对象",
           "scam_type": scam, "area": area, "note": "预警备注"})
}

#[tokio::test]
async fn warnings_open_cases_in_the_persons_area_once_and_a_wrong_list_opens_nothing() {
    let app = spawn_app().await;
    let (station, town, village) = station_and_village(&app);
    let bearer = |t: &str| format!("Bearer {t}");
    let commander = user_token(&app, "desk", "commander", (None, None, None));
    let post = |token: String, body: Value| {
        let app = &app;
        async move {
            app.call(
                "POST",
                "/api/v1/fraud-warnings",
                &[("Authorization", &bearer(&token)), ("Content-Type", "application/json")],
                &body.to_string(),
            )
            .await
        }
    };
    let list = json!({"warnings": [
        warning("13912345678", "fraud.task", &village, 2),
        warning("13812345679", "冒充公检法", &village, 1),
    ]});
    let r = post(commander.clone(), list.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let opened: Vec<String> = serde_json::from_value(r.json()["opened"].clone()).unwrap();
    assert_eq!((opened.len(), r.json()["already"].as_u64()), (2, Some(0)));
    assert!(opened.iter().all(|c| c.starts_with("FZ-")), "{opened:?}");
    // The same list again opens nothing twice.
    let again = post(commander.clone(), list).await.json();
    assert_eq!(
        (again["opened"].as_array().unwrap().len(), again["already"].as_u64()),
        (0, Some(2))
    );

    let count = || async {
        app.get("/api/v1/cases?type=fraud").await.json()["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count().await, 2);
    for (bad, parameter) in [
        (warning("12", "fraud.task", &village, 1), "phone"),
        (warning("13700000001", "彩票", &village, 1), "scam_type"),
        (warning("13700000001", "fraud.task", "999999", 1), "area"),
        (warning("13700000001", "fraud.task", &village, -60), "received_at"),
    ] {
        let good = warning("13700000002", "fraud.loan", &village, 1);
        let r = post(commander.clone(), json!({"warnings": [good, bad]})).await;
        assert_eq!(r.status, 422, "{parameter}: {}", r.body);
        assert_eq!(r.json()["details"]["parameter"], parameter, "{}", r.body);
        assert!(
            r.json()["message"].as_str().unwrap().starts_with("warning 2: "),
            "{}",
            r.body
        );
        assert_eq!(count().await, 2, "nothing of a refused list is opened");
    }
    let unknown_field = post(
        commander.clone(),
        json!({"warnings": [{"phone": "1", "colour": "red"}]}),
    )
    .await;
    assert_eq!(unknown_field.status, 400, "{}", unknown_field.body);

    // The centre's CSV export, Chinese headers, local times; a body that is neither is a 415.
    let local = (Utc::now() - Duration::minutes(3))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M");
    let csv =
        format!("预警时间,手机号,姓名,诈骗类型,辖区代码,备注\n{local},13612345670,王某,虚假投资理财,{village},\n");
    let r = app
        .call(
            "POST",
            "/api/v1/fraud-warnings",
            &[("Authorization", &bearer(&commander)), ("Content-Type", "text/csv")],
            &csv,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["opened"].as_array().unwrap().len(), 1);
    let plain = app
        .call(
            "POST",
            "/api/v1/fraud-warnings",
            &[("Authorization", &bearer(&commander)), ("Content-Type", "text/plain")],
            &csv,
        )
        .await;
    assert_eq!(
        (plain.status, plain.json()["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );

    // The area's officer sees the number in full; another area's, nothing;
    // an analyst, masked. An officer does not import the centre's list.
    let code = &opened[0];
    let officer = user_token(&app, "beat", "officer", (Some(town.clone()), None, None));
    let elsewhere = user_token(&app, "far", "officer", (Some("\u{1}nowhere".into()), None, None));
    let analyst = user_token(&app, "analyst-1", "analyst", (None, None, None));
    let read = |token: &str| {
        let (app, path, auth) = (&app, format!("/api/v1/cases/{code}"), bearer(token));
        async move { app.call("GET", &path, &[("Authorization", &auth)], "").await }
    };
    let seen = read(&officer).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    let party = &seen.json()["case"]["parties"][0];
    assert_eq!(
        (party["role"].as_str(), party["phone"].as_str()),
        (Some("warned"), Some("13912345678"))
    );
    assert_eq!(read(&elsewhere).await.status, 404);
    let masked = read(&analyst).await.json();
    let phone = masked["case"]["parties"][0]["phone"].as_str().unwrap().to_string();
    assert!(phone.contains('*') && !phone.contains("12345678"), "{phone}");
    assert!(!masked["case"]["parties"][0]["name"].as_str().unwrap().contains("对象"));
    let r = post(
        officer.clone(),
        json!({"warnings": [warning("13500000000", "fraud.task", &village, 1)]}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);

    // The report: by the person's station, this week.
    let report = app.get("/api/v1/fraud-warnings/report?weeks=2").await;
    assert_eq!(report.status, 200, "{}", report.body);
    let report = report.json();
    assert_eq!(report["total"]["warnings"], 3);
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["station"] == station.as_str())
    );
    let mine = app
        .call(
            "GET",
            "/api/v1/fraud-warnings/report",
            &[("Authorization", &bearer(&elsewhere))],
            "",
        )
        .await;
    assert_eq!(mine.json()["total"]["warnings"], 0, "an officer counts their own area");
    for (query, status) in [("weeks=0", 400), ("weeks=54", 400), ("colour=red", 400)] {
        let r = app.get(&format!("/api/v1/fraud-warnings/report?{query}")).await;
        assert_eq!(r.status, status, "{query}: {}", r.body);
    }
    let clerk = user_token(&app, "clerk", "department", (None, Some("urban".into()), None));
    let r = app
        .call(
            "GET",
            "/api/v1/fraud-warnings/report",
            &[("Authorization", &bearer(&clerk))],
            "",
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
}

/// Four warnings worked at set minutes: one reached in time, one late by
/// phone, one gone round and refused after its visit deadline, one still
/// open. Supervision is raised once per passed deadline, and the report's
/// counts are these.
#[tokio::test]
async fn a_dissuasion_task_escalates_when_its_deadline_passes_and_the_report_equals_hand_counts() {
    let app = spawn_app().await;
    let (_, _, village) = station_and_village(&app);
    // Whole seconds, as the store keeps times.
    let t0 = chrono::DateTime::from_timestamp((Utc::now() - Duration::hours(3)).timestamp(), 0).unwrap();
    let settings = app.settings.cases.clone();
    let at = |m: i64| t0 + Duration::minutes(m);
    let (sweeps, supervise_events) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let system = fengqiao_app::cases::Actor {
            role: "system".into(),
            username: "centre".into(),
        };
        let warnings: Vec<fengqiao_app::anti_fraud::Warning> =
            ["13900000001", "13900000002", "13900000003", "13900000004"]
                .iter()
                .map(|p| serde_json::from_value(warning(p, "fraud.task", &village, 0)).unwrap())
                .map(|mut w: fengqiao_app::anti_fraud::Warning| {
                    w.received_at = t0;
                    w
                })
                .collect();
        let codes = fengqiao_app::anti_fraud::import(store, &settings, warnings, &system, t0)
            .unwrap()
            .opened;
        let id = |k: usize| store.case_by_code(&codes[k]).unwrap().unwrap().id;
        let act = |k: usize, action: &str, details: Option<Value>, m: i64| {
            let cmd = fengqiao_cases::Command {
                action: action.into(),
                role: "officer".into(),
                actor: "beat".into(),
                reason: (action != "dissuade").then(|| "无人接听".into()),
                details,
                ..Default::default()
            };
            fengqiao_app::cases::act(store, &settings, id(k), None, &cmd, at(m))
        };
        // A dissuasion says how it ended.
        let e = act(0, "dissuade", None, 4).unwrap_err();
        assert_eq!(e.code.http_status(), 422);
        act(
            0,
            "dissuade",
            Some(json!({"outcome": "dissuaded", "channel": "phone", "loss_prevented": 50000})),
            5,
        )
        .unwrap();
        act(2, "unreachable", None, 8).unwrap();
        let sweep = |m: i64| {
            let mut done = fengqiao_app::cases::supervise_overdue(store, &settings, at(m)).unwrap();
            done.sort();
            done
        };
        let mut sweeps = vec![sweep(9), sweep(11), sweep(12)];
        act(
            1,
            "dissuade",
            Some(json!({"outcome": "already_paid", "channel": "phone"})),
            12,
        )
        .unwrap();
        sweeps.push(sweep(69));
        act(
            2,
            "dissuade",
            Some(json!({"outcome": "refused", "channel": "visit"})),
            70,
        )
        .unwrap();
        sweeps.push(sweep(80));
        let expected = vec![
            vec![],
            {
                let mut v = vec![codes[1].clone(), codes[3].clone()];
                v.sort();
                v
            },
            vec![],
            vec![codes[2].clone()],
            vec![],
        ];
        assert_eq!(
            sweeps, expected,
            "once per passed deadline: the call's at 10 min, the visit's at 60 after it"
        );
        let events = store.case_events(id(1)).unwrap();
        let supervised: Vec<(String, String)> = events
            .iter()
            .filter(|e| e.action == "supervise")
            .map(|e| (e.role.clone(), e.reason.clone().unwrap_or_default()))
            .collect();
        (sweeps, supervised)
    });
    assert_eq!(sweeps.len(), 5);
    assert_eq!(
        supervise_events,
        vec![("system".to_string(), "deadline passed".to_string())]
    );

    let report = app.get("/api/v1/fraud-warnings/report?weeks=2").await;
    assert_eq!(report.status, 200, "{}", report.body);
    let r = report.json();
    let total = &r["total"];
    let counts: Vec<u64> = [
        "warnings",
        "reached",
        "reached_in_time",
        "dissuaded",
        "already_paid",
        "refused",
        "not_found",
        "open",
        "overdue",
        "supervised",
        "loss_prevented_yuan",
    ]
    .iter()
    .map(|k| total[k].as_u64().unwrap())
    .collect();
    assert_eq!(counts, vec![4, 3, 1, 1, 1, 1, 0, 1, 1, 3, 50000], "{total}");
    assert_eq!(total["median_minutes_to_reach"], 12.0);
    assert_eq!(r["reached_in_time_share"], 0.25);
    assert!((r["dissuasion_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
}

/// Five warnings in one community in a week, none before: fraud is rising
/// there (and only there), its people's ages from their ID numbers; a
/// commander opens a campaign of talks and visits once; the zones' rounds
/// do not count it.
#[tokio::test]
async fn a_community_where_fraud_rises_gets_one_campaign() {
    let app = spawn_app().await;
    let (station, _, village) = station_and_village(&app);
    let bearer = |t: &str| format!("Bearer {t}");
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    let analyst = user_token(&app, "desk", "analyst", (None, None, None));
    // Born 1950 and 1990, valid check characters (GB 11643).
    let ids = [
        "330203195001010016",
        "330203195001010024",
        "330203195001010032",
        "330203199001010014",
        "",
    ];
    let warnings: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let mut w = warning(
                &format!("1390000100{k}"),
                "fraud.impersonation",
                &village,
                60 * (k as i64 + 1),
            );
            if !id.is_empty() {
                w["id_number"] = json!(id);
            }
            w
        })
        .collect();
    let r = app
        .call(
            "POST",
            "/api/v1/fraud-warnings",
            &[
                ("Authorization", &bearer(&commander)),
                ("Content-Type", "application/json"),
            ],
            &json!({"warnings": warnings}).to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rising = app.get("/api/v1/fraud-warnings/rising").await;
    assert_eq!(rising.status, 200, "{}", rising.body);
    let items = rising.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    let it = &items[0];
    assert_eq!(
        (it["area"].as_str(), it["station"].as_str()),
        (Some(village.as_str()), Some(station.as_str()))
    );
    assert_eq!((it["recent"].as_u64(), it["baseline"].as_u64()), (Some(5), Some(0)));
    assert_eq!(it["ages"], json!({"60_plus": 3, "30_59": 1, "unknown": 1}));
    assert!(it["p_value"].as_f64().unwrap() < 0.001);
    assert!(it["campaign"].is_null());

    let campaign = |token: String, area: String| {
        let app = &app;
        async move {
            app.call(
                "POST",
                "/api/v1/fraud-warnings/campaigns",
                &[("Authorization", &format!("Bearer {token}"))],
                &json!({"area": area}).to_string(),
            )
            .await
        }
    };
    let r = campaign(analyst.clone(), village.clone()).await;
    assert_eq!(r.status, 403, "analysts read, the police open: {}", r.body);
    let r = campaign(commander.clone(), village.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let code = r.json()["case"].as_str().unwrap().to_string();
    assert!(code.starts_with("FF-"), "{code}");
    let page = app.get(&format!("/api/v1/cases/{code}")).await.json();
    assert_eq!(page["case"]["category"], "prevention.fraud_talk");
    assert!(
        page["case"]["description"].as_str().unwrap().contains("60岁以上 3 人"),
        "{page}"
    );
    let again = campaign(commander.clone(), village.clone()).await;
    assert_eq!(again.status, 409, "{}", again.body);
    let elsewhere = campaign(commander.clone(), format!("{village}9")).await;
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.body);
    // An officer of another area neither sees the community nor opens a campaign there.
    let far = user_token(&app, "far", "officer", (Some("\u{1}nowhere".into()), None, None));
    let seen = app
        .call(
            "GET",
            "/api/v1/fraud-warnings/rising",
            &[("Authorization", &bearer(&far))],
            "",
        )
        .await;
    assert_eq!(seen.json()["items"].as_array().map(Vec::len), Some(0), "{}", seen.body);
    let r = campaign(far, village.clone()).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (403, Some("out_of_scope")),
        "{}",
        r.body
    );
    let now = app.get("/api/v1/fraud-warnings/rising").await.json();
    assert_eq!(now["items"][0]["campaign"]["code"], code.as_str());
    // The zones' rounds are the cocoon rounds only.
    let zones = app.get("/api/v1/alert-zones?days=30").await.json();
    let rounds_before = zones["rounds"]["opened"].as_u64().unwrap();
    let all_prevention = app.get("/api/v1/cases?type=prevention&limit=1000").await.json()["items"]
        .as_array()
        .unwrap()
        .len() as u64;
    assert_eq!(rounds_before + 1, all_prevention);
}
