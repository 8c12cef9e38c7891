//! Opening cases as staff do in the page: from an incident, with parties
//! whose documents are checked, at a place the server resolves for
//! confirmation, with files attached afterwards.

use crate::helpers::*;

/// The demo's towns, first and second, by code.
fn towns(app: &TestApp) -> (String, String) {
    off_runtime(|| {
        let areas = app.db.open().as_ref().jurisdictions().unwrap();
        let mut towns = areas
            .into_iter()
            .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Town)
            .map(|j| j.jurisdiction.code);
        (towns.next().unwrap(), towns.next().unwrap())
    })
}

fn two_parties(second_id: &str) -> String {
    format!(
        r#"[{{"role":"applicant","name":"王建国","phone":"13912341340","id_type":"resident_id","id_number":"11010519491231002X","address":null,"vulnerable":false}},
            {{"role":"respondent","name":"李秀英","phone":"0574-87654321","id_type":"resident_id","id_number":"{second_id}","address":null,"vulnerable":true}}]"#
    )
}

/// An officer turns one of their own incidents into a dispute with two
/// parties: a mistyped ID number is refused naming the party and the
/// field; the case carries the incident's place, both records name each
/// other, a photo is kept by its real type, and another town's officer
/// cannot open a case from the incident.
#[tokio::test]
async fn an_officer_turns_an_incident_into_a_dispute_with_parties_and_a_photo() {
    let app = spawn_app().await;
    let (town, other) = towns(&app);
    let officer = user_token(&app, "officer-a", "officer", (Some(town.clone()), None, None));
    let stranger = user_token(&app, "officer-b", "officer", (Some(other), None, None));
    let auth = |t: &str| format!("Bearer {t}");
    let list = app
        .call(
            "GET",
            "/api/v1/incidents?limit=1",
            &[("Authorization", &auth(&officer))],
            "",
        )
        .await
        .json();
    let incident = &list["items"][0];
    let id = incident["id"].as_i64().expect("an incident in the officer's town");
    let body = |second: &str| {
        format!(
            r#"{{"type":"dispute","category":"dispute.neighbour","title":"邻里噪声纠纷","description":"110 报警转调解",
                "lon":{},"lat":{},"address":{},"incident_id":{id},"parties":{}}}"#,
            incident["lon"],
            incident["lat"],
            incident["address"],
            two_parties(second)
        )
    };
    // One digit wrong in the second party's resident ID.
    let bad = app
        .call(
            "POST",
            "/api/v1/cases",
            &[("Authorization", &auth(&officer))],
            &body("330203198506074562"),
        )
        .await;
    assert_eq!(
        (bad.status, bad.json()["code"].as_str()),
        (422, Some("invalid_input")),
        "{}",
        bad.body
    );
    assert_eq!(bad.json()["details"]["parameter"], "parties[1].id_number");
    assert!(
        bad.json()["message"].as_str().unwrap().contains("check character"),
        "{}",
        bad.body
    );
    // Another town's officer: the place is outside theirs, and so is the incident.
    let refused = app
        .call(
            "POST",
            "/api/v1/cases",
            &[("Authorization", &auth(&stranger))],
            &body("330203198506074561"),
        )
        .await;
    assert_eq!(refused.json()["code"], "out_of_scope", "{}", refused.body);
    let no_place = format!(r#"{{"type":"dispute","category":"dispute.neighbour","title":"t","incident_id":{id}}}"#);
    let refused = app
        .call(
            "POST",
            "/api/v1/cases",
            &[("Authorization", &auth(&stranger))],
            &no_place,
        )
        .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let r = app
        .call(
            "POST",
            "/api/v1/cases",
            &[("Authorization", &auth(&officer))],
            &body("330203198506074561"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.json()["case"].clone();
    let code = case["code"].as_str().unwrap().to_string();
    assert_eq!(case["incident_id"], id);
    assert!(case["jurisdiction"].as_str().unwrap().starts_with(&town), "{case}");
    // Both records name each other.
    let seen = app
        .call(
            "GET",
            &format!("/api/v1/incidents/{id}"),
            &[("Authorization", &auth(&officer))],
            "",
        )
        .await
        .json();
    assert_eq!(seen["cases"][0]["code"], code.as_str(), "{seen}");
    assert!(
        seen["cases"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("opened from this incident")
    );
    // What the store kept: both parties with their documents.
    let stored = off_runtime(|| app.db.open().as_ref().case_by_code(&code).unwrap().unwrap());
    let kinds: Vec<_> = stored
        .case
        .parties
        .iter()
        .map(|p| (p.role.as_str(), p.id_type.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [("applicant", Some("resident_id")), ("respondent", Some("resident_id"))]
    );
    // A photo, by its bytes; bytes that are not what they claim are refused.
    let path = format!("/api/v1/cases/{code}/attachments?name=%E7%8E%B0%E5%9C%BA.jpg");
    let jpeg = b"\xff\xd8\xff\xe0 a photo of the stairwell";
    let ok = app
        .call_bytes_as(Some(&officer), "POST", &path, "image/jpeg", jpeg)
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.json()["file_name"], "现场.jpg");
    let fake = app
        .call_bytes_as(
            Some(&officer),
            "POST",
            &path,
            "image/jpeg",
            b"<script>alert(1)</script>",
        )
        .await;
    assert_eq!(
        (fake.status, fake.json()["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let theirs = app
        .call_bytes_as(Some(&stranger), "POST", &path, "image/jpeg", jpeg)
        .await;
    assert_eq!(theirs.status, 404);
    let files = off_runtime(|| {
        let store = app.db.open();
        store.as_ref().attachments(stored.id).unwrap()
    });
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].1.media_type.as_str(), files[0].1.added_by.as_str()),
        ("image/jpeg", "officer-a")
    );
}

/// A place is resolved for confirmation: an address to the village it
/// names with the areas above it, a pin to the area it falls in, a place
/// in neither to nothing; a request naming neither is refused.
#[tokio::test]
async fn a_place_is_resolved_to_its_area_with_the_areas_above() {
    let app = spawn_app().await;
    let (village, town, inside) = off_runtime(|| {
        let areas = app.db.open().as_ref().jurisdictions().unwrap();
        let v = areas
            .iter()
            .find(|a| a.jurisdiction.level == fengqiao_domain::Level::Village)
            .unwrap();
        let t = areas
            .iter()
            .find(|a| Some(&a.jurisdiction.code) == v.jurisdiction.parent_code.as_ref())
            .unwrap();
        // A point well inside the village: its polygon's first vertex nudged toward the centroid.
        let g: serde_json::Value = serde_json::from_str(&v.geometry).unwrap();
        let ring = if g["type"] == "Polygon" {
            &g["coordinates"][0]
        } else {
            &g["coordinates"][0][0]
        };
        let pts: Vec<(f64, f64)> = ring
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        let n = pts.len() as f64;
        let c = (
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        );
        (v.jurisdiction.clone(), t.jurisdiction.clone(), c)
    });
    let address = format!("{}{}新典路88号", town.name_zh, village.name_zh);
    let by_address = app
        .get(&format!("/api/v1/places/resolve?address={}", urlencode(&address)))
        .await
        .json();
    assert_eq!(by_address["code"], village.code.as_str(), "{by_address}");
    let names: Vec<&str> = by_address["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name_zh"].as_str().unwrap())
        .collect();
    assert!(
        names.ends_with(&[town.name_zh.as_str(), village.name_zh.as_str()]),
        "{names:?}"
    );
    let by_pin = app
        .get(&format!("/api/v1/places/resolve?lon={}&lat={}", inside.0, inside.1))
        .await
        .json();
    // The deepest area: a grid of the village, if it has grids.
    assert!(by_pin["code"].as_str().unwrap().starts_with(&village.code), "{by_pin}");
    let nowhere = app
        .get("/api/v1/places/resolve?address=%E7%81%AB%E6%98%9F")
        .await
        .json();
    assert!(
        nowhere["code"].is_null() && nowhere["areas"].as_array().unwrap().is_empty(),
        "{nowhere}"
    );
    let neither = app.get("/api/v1/places/resolve").await;
    assert_eq!(
        (neither.status, neither.json()["code"].as_str()),
        (400, Some("invalid_parameter"))
    );
    let off_earth = app.get("/api/v1/places/resolve?lon=200&lat=10").await;
    assert_eq!(off_earth.status, 422, "{}", off_earth.body);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A session's minutes and an agreement's terms are records of their own,
/// checked before the case moves: a session without attendees is refused
/// naming the field and leaves the case as it was; a well-formed one is
/// kept on its event; a record given to an action that makes none is refused.
#[tokio::test]
async fn mediation_records_are_checked_and_kept() {
    let app = spawn_app().await;
    let (town, _) = towns(&app);
    let officer = user_token(&app, "officer-a", "officer", (Some(town), None, None));
    let post = |path: String, body: String| {
        let officer = officer.clone();
        let app = &app;
        async move {
            app.call("POST", &path, &[("Authorization", &format!("Bearer {officer}"))], &body)
                .await
        }
    };
    let r = post(
        "/api/v1/cases".into(),
        r#"{"type":"dispute","category":"dispute.neighbour","title":"噪声纠纷","address":"新典路88号"}"#.into(),
    )
    .await;
    let code = r.json()["case"]["code"].as_str().unwrap().to_string();
    let act = format!("/api/v1/cases/{code}/actions");
    assert_eq!(post(act.clone(), r#"{"action":"register"}"#.into()).await.status, 200);
    let dispatch_with_record = post(
        act.clone(),
        r#"{"action":"assign","assignee":"社区民警·周警官","details":{"x":1}}"#.into(),
    )
    .await;
    assert_eq!(
        dispatch_with_record.json()["details"]["parameter"],
        "details",
        "{}",
        dispatch_with_record.body
    );
    assert_eq!(
        post(
            act.clone(),
            r#"{"action":"assign","assignee":"社区民警·周警官"}"#.into()
        )
        .await
        .status,
        200
    );
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d")
        .to_string();
    let no_one = post(
        act.clone(),
        format!(
            r#"{{"action":"session","details":{{"held_on":"{today}","place":"调解室","attendees":[],"said":"陈述"}}}}"#
        ),
    )
    .await;
    assert_eq!(
        (no_one.status, no_one.json()["details"]["parameter"].as_str()),
        (422, Some("details.attendees"))
    );
    let unchanged = app.get(&format!("/api/v1/cases/{code}")).await.json();
    assert_eq!(unchanged["case"]["state"]["stage"], "assigned");
    let ok = post(
        act.clone(),
        format!(r#"{{"action":"session","details":{{"held_on":"{today}","place":"调解室","attendees":["王建国","李秀英"],"said":"双方陈述"}}}}"#),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let events = app.get(&format!("/api/v1/cases/{code}")).await.json()["events"].clone();
    let session = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "session")
        .unwrap();
    assert_eq!(session["details"]["attendees"], serde_json::json!(["王建国", "李秀英"]));
    assert!(
        events[0].get("details").is_none(),
        "events without a record carry none: {}",
        events[0]
    );
}
