//! Case boards, pages and reports, and each role within its scope.

use crate::helpers::*;

/// Case boards, a case page (personal data masked for a viewer without an
/// account), the configured types and the KPI report; bad input is a 400.
#[tokio::test]
async fn cases_boards_pages_and_reports() {
    use fengqiao_store::cases::{NewCase, Party, act, open_case};
    let app = spawn_app().await;
    let (now, case) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let config = fengqiao_cases::CaseConfig::builtin();
        let now = chrono::Utc::now();
        let new = NewCase {
            case_type: "dispute".into(),
            category: "dispute.family".into(),
            title: "赡养纠纷".into(),
            description: String::new(),
            jurisdiction: None,
            address: Some("中山西路12号".into()),
            lon: None,
            lat: None,
            origin: "officer".into(),
            parties: vec![Party {
                role: "applicant".into(),
                name: "张三丰".into(),
                phone: Some("13812345678".into()),
                id_number: Some("330203199001011236".into()),
                address: None,
                vulnerable: true,
                id_type: Some("resident_id".into()),
            }],
            stock: None,
            risk_grade: Some("high".into()),
            risk: None,
            token_hash: None,
            in_person_visits: 0,
            incident_id: None,
        };
        let case = open_case(store, &config, &new, "officer", "o1", now).unwrap();
        let cmd = fengqiao_cases::Command {
            action: "register".into(),
            role: "officer".into(),
            actor: "o1".into(),
            ..Default::default()
        };
        act(store, &config, case.id, None, &cmd, now).unwrap();
        (now, case)
    });
    let board = app.get("/api/v1/cases?type=dispute&open=true").await;
    assert_eq!(board.status, 200, "{}", board.body);
    let items = board.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["code"].as_str(), items[0]["stage"].as_str()),
        (Some(case.code.as_str()), Some("registered"))
    );
    let page = app.get(&format!("/api/v1/cases/{}", case.code)).await;
    assert_eq!(page.status, 200);
    let v = page.json();
    assert_eq!(v["case"]["parties"][0]["name"], "张**");
    assert_eq!(v["case"]["parties"][0]["id_number"], "330203********1236");
    assert!(
        !page.body.contains("张三丰") && !page.body.contains("13812345678"),
        "{}",
        page.body
    );
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
    assert_eq!(v["ledger_record"], format!("case/{}", case.id));
    assert_eq!(app.get("/api/v1/cases/JF-nope").await.status, 404);
    assert_eq!(app.get("/api/v1/cases?type=parking").await.status, 400);
    assert_eq!(app.get("/api/v1/cases?open=yes").await.status, 400);
    assert_eq!(app.get("/api/v1/cases?colour=red").await.status, 400);
    let types = app.get("/api/v1/case-types").await.json();
    assert_eq!(types["types"].as_array().unwrap().len(), 6);
    let r = app.get("/api/v1/reports/cases?by=type").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    assert_eq!(r["groups"][0]["kpis"]["opened"], 1);
    assert!(r["parameters"]["definitions"]["on_time_closure"].is_string());
    assert_eq!(app.get("/api/v1/reports/cases?by=colour").await.status, 400);
    // Volunteers: masked in the registry, hours and reach from their activities.
    off_runtime(|| {
        let store = app.db.open();
        let v = store
            .add_volunteer(&fengqiao_store::volunteers::NewVolunteer {
                name: "陈老师".into(),
                phone: Some("13912345678".into()),
                skills: vec!["mediation".into()],
                areas: vec!["330203001".into()],
                availability: "周末".into(),
                joined_at: now,
            })
            .unwrap();
        store
            .add_activity(&fengqiao_store::volunteers::NewActivity {
                kind: "safety_talk".into(),
                title: "防诈骗宣讲".into(),
                jurisdiction: None,
                starts_at: now - chrono::Duration::hours(3),
                ends_at: now - chrono::Duration::hours(1),
                reach: 120,
                case_code: None,
                attendance: vec![(v, 2.0)],
            })
            .unwrap();
    });
    let list = app.get("/api/v1/volunteers?skill=mediation").await;
    assert_eq!(list.status, 200);
    let item = &list.json()["items"][0];
    assert_eq!(
        (item["name"].as_str(), item["phone"].as_str(), item["hours"].as_f64()),
        (Some("陈**"), Some("139****5678"), Some(2.0))
    );
    let acts = app.get("/api/v1/volunteers/activities").await.json();
    assert_eq!(
        (acts["safety_talks"].as_u64(), acts["safety_talk_reach"].as_u64()),
        (Some(1), Some(120))
    );
    assert_eq!(app.get("/api/v1/volunteers?age=3").await.status, 400);
    assert_eq!(app.get("/api/v1/reports/cases?from=2026-02-30").await.status, 400);
}

/// Scope: an officer sees only cases of their jurisdiction, a department
/// only what is routed to it, a volunteer only what is assigned to them,
/// with parties masked; out of scope reads as not found, and acting on it
/// too; a role may only take the actions the case configuration gives it.
#[tokio::test]
async fn each_role_sees_and_acts_within_its_scope() {
    let app = spawn_app().await;
    let towns: Vec<String> = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let towns: Vec<String> = fengqiao_store::Store::jurisdictions(store)
            .unwrap()
            .into_iter()
            .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Town)
            .map(|j| j.jurisdiction.code)
            .collect();
        towns
    });
    let commander = user_token(&app, "boss", "commander", (None, None, None));
    let admin = |method: &'static str, path: String, body: String| {
        let (app, t) = (&app, commander.clone());
        async move {
            app.call(method, &path, &[("Authorization", &format!("Bearer {t}"))], &body)
                .await
        }
    };
    let open = |town: &str, t: &str, cat: &str| {
        format!(
            r#"{{"type":"{t}","category":"{cat}","title":"t","jurisdiction":"{town}","parties":[{{"role":"applicant","name":"张三丰","phone":"13812345678","id_number":null,"address":null,"vulnerable":false}}]}}"#
        )
    };
    let mine = admin(
        "POST",
        "/api/v1/cases".into(),
        open(&towns[0], "dispute", "dispute.family"),
    )
    .await
    .json()["case"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = admin(
        "POST",
        "/api/v1/cases".into(),
        open(&towns[1], "hazard", "hazard.other"),
    )
    .await
    .json()["case"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let officer = user_token(&app, "officer1", "officer", (Some(towns[0].clone()), None, None));
    let as_officer = |method: &'static str, path: String, body: &'static str| {
        let (app, t) = (&app, officer.clone());
        async move {
            app.call(method, &path, &[("Authorization", &format!("Bearer {t}"))], body)
                .await
        }
    };
    let board = as_officer("GET", "/api/v1/cases".into(), "").await.json();
    let codes: Vec<&str> = board["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [mine.as_str()]);
    assert_eq!(
        as_officer("GET", format!("/api/v1/cases/{theirs}"), "").await.status,
        404
    );
    assert_eq!(
        as_officer("GET", format!("/api/v1/cases?jurisdiction={}", towns[1]), "")
            .await
            .status,
        403
    );
    let page = as_officer("GET", format!("/api/v1/cases/{mine}"), "").await.json();
    assert_eq!(page["case"]["parties"][0]["name"], "张三丰", "officers see parties");
    assert!(page["actions"].as_array().unwrap().iter().any(|a| a == "register"));
    let r = as_officer(
        "POST",
        format!("/api/v1/cases/{mine}/actions"),
        r#"{"action":"register","version":1}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = as_officer(
        "POST",
        format!("/api/v1/cases/{mine}/actions"),
        r#"{"action":"register","version":1}"#,
    )
    .await;
    assert_eq!(r.status, 409, "stale or wrong stage: {}", r.body);
    assert_eq!(
        as_officer(
            "POST",
            format!("/api/v1/cases/{theirs}/actions"),
            r#"{"action":"register"}"#
        )
        .await
        .status,
        404
    );
    // A volunteer: only cases assigned to them, parties masked, and only volunteer actions.
    let pool = fengqiao_cases::CaseConfig::builtin().mediators;
    let r = as_officer("POST", format!("/api/v1/cases/{mine}/actions"), "").await;
    assert_eq!(r.status, 400, "an empty body is not an action");
    let assign = format!(r#"{{"action":"assign","assignee":"{}"}}"#, pool[3].name);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/cases/{mine}/actions"),
            &[("Authorization", &format!("Bearer {officer}"))],
            &assign,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let volunteer = user_token(&app, "vol1", "volunteer", (None, None, Some(pool[3].name.clone())));
    let other_volunteer = user_token(&app, "vol2", "volunteer", (None, None, Some(pool[0].name.clone())));
    let get_as = |t: &str, path: String| {
        let (app, t) = (&app, t.to_string());
        async move {
            app.call("GET", &path, &[("Authorization", &format!("Bearer {t}"))], "")
                .await
        }
    };
    let seen = get_as(&volunteer, "/api/v1/cases".into()).await.json();
    assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    let page = get_as(&volunteer, format!("/api/v1/cases/{mine}")).await.json();
    assert_eq!(page["case"]["parties"][0]["name"], "张**");
    assert_eq!(page["case"]["parties"][0]["phone"], "138****5678");
    assert!(
        get_as(&other_volunteer, "/api/v1/cases".into()).await.json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        get_as(&other_volunteer, format!("/api/v1/cases/{mine}")).await.status,
        404
    );
    let as_volunteer = |body: &'static str| {
        let (app, t, path) = (&app, volunteer.clone(), format!("/api/v1/cases/{mine}/actions"));
        async move {
            app.call("POST", &path, &[("Authorization", &format!("Bearer {t}"))], body)
                .await
        }
    };
    let r = as_volunteer(r#"{"action":"reassign","assignee":"x"}"#).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (403, Some("forbidden")),
        "{}",
        r.body
    );
    let r = as_volunteer(r#"{"action":"session","reason":"上门调解一次"}"#).await;
    assert_eq!(r.status, 200, "volunteers hold sessions: {}", r.body);
    assert_eq!(
        get_as(&volunteer, "/api/v1/incidents".into()).await.status,
        403,
        "volunteers do not read incidents"
    );
    // An officer's incidents are their jurisdiction's.
    let all = app.get("/api/v1/incidents?limit=1").await.json()["total"]
        .as_u64()
        .unwrap();
    let theirs_only = get_as(&officer, "/api/v1/incidents?limit=1".into()).await.json()["total"]
        .as_u64()
        .unwrap();
    let town = app
        .get(&format!("/api/v1/incidents?limit=1&jurisdiction={}", towns[0]))
        .await
        .json()["total"]
        .as_u64()
        .unwrap();
    assert!(theirs_only < all && theirs_only == town, "{theirs_only} {town} {all}");
    assert_eq!(
        get_as(&officer, format!("/api/v1/incidents?jurisdiction={}", towns[1]))
            .await
            .status,
        403
    );
}
