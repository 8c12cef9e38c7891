//! The rules every face obeys, through HTTP: the application crate decides,
//! whatever the body says.

use crate::helpers::*;

/// An officer of the demo's first town, who opens disputes and hazards there.
fn officer(app: &TestApp) -> String {
    let town = off_runtime(|| {
        app.db
            .open()
            .as_ref()
            .jurisdictions()
            .unwrap()
            .into_iter()
            .find(|j| j.jurisdiction.level == fengqiao_domain::Level::Town)
            .unwrap()
            .jurisdiction
            .code
    });
    user_token(app, "officer-1", "officer", (Some(town), None, None))
}

impl TestApp {
    async fn post_as(&self, token: &str, path: &str, body: &str) -> Response {
        self.call("POST", path, &[("Authorization", &format!("Bearer {token}"))], body)
            .await
    }
}

/// A dispute opened with `risk_grade: "low"` and threats is graded by the
/// server, with its reasons; a hazard keeps the level its reporter judged.
#[tokio::test]
async fn the_server_grades_a_dispute_whatever_the_client_says() {
    let app = spawn_app().await;
    let officer = officer(&app);
    let r = app
        .post_as(
            &officer,
            "/api/v1/cases",
            r#"{"type":"dispute","category":"dispute.neighbour","title":"噪声纠纷","risk_grade":"low","threats":true,
                "address":"鼓楼街道彩虹社区新典路88号","parties":[{"role":"applicant","name":"张三","phone":"13800000000","id_number":null,"address":null,"vulnerable":true}]}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = &r.json()["case"];
    // threats 3 + a vulnerable party 2 = 5 points: high.
    assert_eq!(case["risk_grade"], "high", "{case}");
    let codes: Vec<&str> = case["risk"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["threats", "vulnerable"]);
    assert!(case["risk"]["reasons"][0]["zh"].as_str().unwrap().contains("威胁"));
    let hazard = app
        .post_as(
            &officer,
            "/api/v1/cases",
            r#"{"type":"hazard","category":"hazard.fire","title":"楼道堆物","risk_grade":"high"}"#,
        )
        .await;
    assert_eq!(hazard.status, 201, "{}", hazard.body);
    assert_eq!(hazard.json()["case"]["risk_grade"], "high");
    let bad = app
        .post_as(
            &officer,
            "/api/v1/cases",
            r#"{"type":"hazard","category":"hazard.fire","title":"楼道堆物","risk_grade":"dire"}"#,
        )
        .await;
    assert_eq!((bad.status, bad.json()["code"].as_str()), (422, Some("invalid_input")));
}

/// An incident imported after a dispute at the same building, written
/// another way, is linked to it over HTTP's eyes too: the incident shows the
/// dispute, the case report counts it, and the link is in the ledger.
#[tokio::test]
async fn an_incident_after_a_dispute_at_its_address_is_a_logged_warning() {
    let app = spawn_app().await;
    let officer = officer(&app);
    let r = app
        .post_as(
            &officer,
            "/api/v1/cases",
            r#"{"type":"dispute","category":"dispute.neighbour","title":"邻里纠纷","address":"鼓楼街道彩虹社区新典路88号"}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.json()["case"]["code"].as_str().unwrap().to_string();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("110.csv");
    std::fs::write(
        &csv,
        format!(
            "警情编号,发案时间,接警时间,派警时间,到场时间,处警结束时间,警情类别,警情来源,经度,纬度,发生地址,场所类型,处警单位\n\
             R1,{tomorrow},,,,,打架斗殴,110报警,121.55,29.87,新典路 ８８ 号,住宅,\n"
        ),
    )
    .unwrap();
    let links = off_runtime(|| {
        let store = app.db.open();
        let settings = fengqiao_app::Settings::resolve(&Default::default(), None).unwrap();
        let req = fengqiao_app::imports::ImportIncidents {
            file: csv.clone(),
            dataset: "demo".into(),
            rejects: None,
            ..Default::default()
        };
        let mapping = fengqiao_ingest::Mapping::from_toml(fengqiao_demo::DEMO_MAPPING, "demo").unwrap();
        let imported =
            fengqiao_app::imports::import_incidents(store.as_ref(), &settings, &req, mapping, &|_, _, _| {}).unwrap();
        let logged = fengqiao_store::ledger::all_entries(store.as_ref())
            .unwrap()
            .iter()
            .filter(|e| e.record_type == "link")
            .count();
        (imported.escalation_links, logged)
    });
    assert_eq!(links, (1, 1));
    let incidents = app.get("/api/v1/incidents?limit=5").await.json();
    let id = incidents["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source_key"] == "R1")
        .map(|i| i["id"].as_i64().unwrap())
        .expect("the imported incident");
    let v = app.get(&format!("/api/v1/incidents/{id}")).await.json();
    assert_eq!(v["cases"][0]["code"], code.as_str(), "{v}");
    let reason = v["cases"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("同一地址") && reason.contains("same address"),
        "{reason}"
    );
    // The dispute's side: its linked incidents, without their addresses.
    let case = app.get(&format!("/api/v1/cases/{code}")).await.json();
    assert_eq!(case["escalations"][0]["incident_id"], id, "{case}");
    assert_eq!(case["escalations"][0]["category"], "public_order.fight");
    let report = app.get("/api/v1/reports/cases").await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report
            .body
            .replace([' ', '\n'], "")
            .contains("\"escalated_to_crime\":1"),
        "{}",
        report.body
    );
}

/// Every code of the one table answers with its own status.
#[tokio::test]
async fn error_codes_answer_with_their_table_status() {
    use fengqiao_app::Code;
    let app = spawn_app().await;
    for (path, code) in [
        ("/api/v1/cases/XX-000000-20260101-0001", Code::NotFound),
        ("/api/v1/incidents/abc", Code::InvalidParameter),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.json()["code"], code.name(), "{path}: {}", r.body);
        assert_eq!(r.status, code.http_status(), "{path}");
    }
    let officer = officer(&app);
    let r = app.post_as(&officer, "/api/v1/cases", r#"{"type":"dispute"}"#).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (Code::InvalidBody.http_status(), Some("invalid_body"))
    );
    let r = app
        .post_as(
            &officer,
            "/api/v1/cases",
            r#"{"type":"dispute","category":"dispute.neighbour","title":"x","lon":200,"lat":30}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (422, Some("invalid_input")),
        "{}",
        r.body
    );
}

/// A citizen's request with a typed address and no pin is routed to the
/// community (or village) the address names, so its station sees it.
#[tokio::test]
async fn a_typed_address_is_routed_to_the_area_it_names() {
    let app = spawn_app().await;
    let (village, town) = off_runtime(|| {
        let areas = app.db.open().as_ref().jurisdictions().unwrap();
        let village = areas
            .iter()
            .find(|a| a.jurisdiction.level == fengqiao_domain::Level::Village)
            .unwrap()
            .jurisdiction
            .clone();
        let town = areas
            .iter()
            .find(|a| Some(&a.jurisdiction.code) == village.parent_code.as_ref())
            .unwrap()
            .jurisdiction
            .clone();
        (village, town)
    });
    let body = format!(
        r#"{{"category":"request.road","description":"路面塌陷","address":"{}{} 中山西路12号"}}"#,
        town.name_zh, village.name_zh
    );
    let r = app.call("POST", "/api/v1/public/requests", &[], &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.json()["code"].as_str().unwrap().to_string();
    let case = app.get(&format!("/api/v1/cases/{code}")).await.json();
    assert_eq!(case["case"]["jurisdiction"], village.code.as_str(), "{case}");
}

/// The mediator pool is offered with each mediator's workload: the open
/// disputes assigned to them now.
#[tokio::test]
async fn mediators_come_with_their_workload() {
    let app = spawn_app().await;
    let officer = officer(&app);
    let pool = app.get("/api/v1/case-types").await.json()["mediators"].clone();
    let first = pool[0]["name"].as_str().unwrap().to_string();
    assert_eq!(pool[0]["open_cases"], 0, "{pool}");
    let r = app
        .post_as(
            &officer,
            "/api/v1/cases",
            r#"{"type":"dispute","category":"dispute.neighbour","title":"邻里纠纷"}"#,
        )
        .await;
    let code = r.json()["case"]["code"].as_str().unwrap().to_string();
    let act = |action: &str, extra: &str| format!(r#"{{"action":"{action}"{extra}}}"#);
    let path = format!("/api/v1/cases/{code}/actions");
    assert_eq!(app.post_as(&officer, &path, &act("register", "")).await.status, 200);
    let assign = act("assign", &format!(r#","assignee":"{first}""#));
    let r = app.post_as(&officer, &path, &assign).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let pool = app.get("/api/v1/case-types").await.json()["mediators"].clone();
    assert_eq!(pool[0]["open_cases"], 1, "{pool}");
}

/// The mediator pool is data: seeded from the configuration, a mediator is
/// added (known kind, unique name) and retired, each change logged; a
/// retired mediator is no longer offered nor assignable.
#[tokio::test]
async fn the_mediator_pool_is_kept_in_the_store() {
    let app = spawn_app().await;
    let pool = app.get("/api/v1/mediators").await.json();
    assert_eq!(
        pool["items"].as_array().unwrap().len(),
        fengqiao_cases::CaseConfig::builtin().mediators.len(),
        "seeded from the configuration: {pool}"
    );
    let bad = app
        .post("/api/v1/mediators", r#"{"name":"张阿姨","kind":"auntie"}"#)
        .await;
    assert_eq!(
        (bad.status, bad.json()["details"]["parameter"].as_str()),
        (422, Some("kind"))
    );
    let r = app
        .post(
            "/api/v1/mediators",
            r#"{"name":"枫桥调解工作室·张阿姨","kind":"studio"}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let again = app
        .post(
            "/api/v1/mediators",
            r#"{"name":"枫桥调解工作室·张阿姨","kind":"studio"}"#,
        )
        .await;
    assert_eq!(again.status, 409);
    let offered = |v: &serde_json::Value| {
        v["mediators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "枫桥调解工作室·张阿姨")
    };
    assert!(offered(&app.get("/api/v1/case-types").await.json()));
    // Assignable while active: a dispute registered and assigned to the new mediator.
    let officer = officer(&app);
    let opened = app
        .post_as(
            &officer,
            "/api/v1/cases",
            r#"{"type":"dispute","category":"dispute.neighbour","title":"t"}"#,
        )
        .await;
    let code = opened.json()["case"]["code"].as_str().unwrap().to_string();
    let act = format!("/api/v1/cases/{code}/actions");
    assert_eq!(
        app.post_as(&officer, &act, r#"{"action":"register"}"#).await.status,
        200
    );
    let retired = app.post(&format!("/api/v1/mediators/{id}/retire"), "").await;
    assert_eq!(
        (retired.status, retired.json()["active"].as_bool()),
        (200, Some(false)),
        "{}",
        retired.body
    );
    assert!(!offered(&app.get("/api/v1/case-types").await.json()));
    let refused = app
        .post_as(
            &officer,
            &act,
            r#"{"action":"assign","assignee":"枫桥调解工作室·张阿姨"}"#,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let logged = off_runtime(|| {
        fengqiao_store::ledger::all_entries(app.db.open().as_ref())
            .unwrap()
            .iter()
            .filter(|e| e.record_type == "mediator" && e.record_id == id.to_string())
            .map(|e| e.version)
            .collect::<Vec<_>>()
    });
    assert_eq!(logged, [1, 2]);
}

/// A case two departments handle: the lead department moves it; the joint
/// (协办) department reports on its own part, which leaves the stage; each
/// is offered only what is theirs.
#[tokio::test]
async fn a_joint_department_reports_on_its_part_and_the_lead_moves_the_case() {
    let app = spawn_app().await;
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    let housing = user_token(
        &app,
        "housing-clerk",
        "department",
        (None, Some("housing".into()), None),
    );
    let urban = user_token(&app, "urban-clerk", "department", (None, Some("urban".into()), None));
    let r = app
        .post_as(
            &commander,
            "/api/v1/cases",
            r#"{"type":"hazard","category":"hazard.building","title":"外墙脱落","risk_grade":"high"}"#,
        )
        .await;
    let code = r.json()["case"]["code"].as_str().unwrap().to_string();
    let act = format!("/api/v1/cases/{code}/actions");
    for a in ["register", "dispatch"] {
        assert_eq!(
            app.post_as(&commander, &act, &format!(r#"{{"action":"{a}"}}"#))
                .await
                .status,
            200
        );
    }
    let offered = |token: &str| {
        let (app, token, code) = (&app, token.to_string(), code.clone());
        async move {
            let v = app
                .call(
                    "GET",
                    &format!("/api/v1/cases/{code}"),
                    &[("Authorization", &format!("Bearer {token}"))],
                    "",
                )
                .await
                .json();
            v["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(offered(&urban).await, ["assist"]);
    assert!(!offered(&housing).await.contains(&"assist".to_string()));
    let moved = app.post_as(&urban, &act, r#"{"action":"start"}"#).await;
    assert_eq!(
        (moved.status, moved.json()["code"].as_str()),
        (403, Some("forbidden")),
        "{}",
        moved.body
    );
    let part = app
        .post_as(&urban, &act, r#"{"action":"assist","reason":"已清理楼下占道堆物"}"#)
        .await;
    assert_eq!(part.status, 200, "{}", part.body);
    assert_eq!(part.json()["case"]["state"]["stage"], "dispatched", "the stage stays");
    assert_eq!(app.post_as(&housing, &act, r#"{"action":"start"}"#).await.status, 200);
    assert_eq!(
        app.post_as(&housing, &act, r#"{"action":"assist","reason":"x"}"#)
            .await
            .status,
        403
    );
}
