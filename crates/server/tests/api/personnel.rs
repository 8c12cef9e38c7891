//! The personnel registry over HTTP: an import writes every row or none, an
//! officer sees only their own station, a leader sees names masked, edits
//! need the version read, leave may not overlap, and each change is logged.

use crate::helpers::*;

fn as_user(token: &str) -> [(&'static str, String); 1] {
    [("Authorization", format!("Bearer {token}"))]
}

async fn call_as(app: &TestApp, token: &str, method: &str, path: &str, body: &str) -> Response {
    let h = as_user(token);
    let headers: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.call(method, path, &headers, body).await
}

const ROLL: &str = "警号,姓名,人员类别,所属单位,中队,资质,手机,身份证号\n\
    031001,王建国,民警,PS01,一中队,驾驶、持枪,13812345678,330203198001011234\n\
    F10001,李小明,辅警,PS01,一中队,驾驶,13900001111,\n\
    031002,赵卫东,民警,PS02,二中队,,13700002222,\n";

#[tokio::test]
async fn the_registry_is_imported_whole_scoped_masked_and_logged() {
    let app = spawn_app().await;
    // A bad row refuses the whole file.
    let bad = format!("{ROLL}F10002,钱多多,协警,PS01,,,,\n");
    let r = app
        .call_bytes_as(
            Some(&app.token),
            "POST",
            "/api/v1/personnel/import",
            "text/csv",
            bad.as_bytes(),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (422, Some("invalid_input")),
        "{}",
        r.body
    );
    assert!(
        r.json()["message"].as_str().unwrap().starts_with("line 5"),
        "{}",
        r.body
    );
    assert_eq!(
        app.get("/api/v1/personnel").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let wrong_type = app
        .call_bytes_as(
            Some(&app.token),
            "POST",
            "/api/v1/personnel/import",
            "application/json",
            ROLL.as_bytes(),
        )
        .await;
    assert_eq!(wrong_type.status, 415, "{}", wrong_type.body);
    let ok = app
        .call_bytes_as(
            Some(&app.token),
            "POST",
            "/api/v1/personnel/import",
            "text/csv",
            ROLL.as_bytes(),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["added"], 3);
    assert_eq!(ok.json()["ignored_columns"][0], "身份证号");

    // An officer of PS01's area sees PS01 only, in full; cannot write.
    let area = off_runtime(|| {
        app.db
            .open()
            .as_ref()
            .facilities()
            .unwrap()
            .into_iter()
            .find(|f| f.code == "PS01")
            .unwrap()
            .jurisdiction
            .unwrap()
    });
    let officer = user_token(&app, "officer-1", "officer", (Some(area), None, None));
    let mine = call_as(&app, &officer, "GET", "/api/v1/personnel", "").await.json();
    let badges: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["badge"].as_str().unwrap())
        .collect();
    assert_eq!(badges, ["031001", "F10001"]);
    assert_eq!(mine["items"][0]["name"], "王建国");
    assert_eq!(mine["stations"].as_array().unwrap().len(), 1);
    let other = call_as(&app, &officer, "GET", "/api/v1/personnel?station=PS02", "").await;
    assert_eq!(
        (other.status, other.json()["code"].as_str()),
        (403, Some("out_of_scope"))
    );
    let add = r#"{"badge":"F10003","name":"孙丽","kind":"auxiliary","station":"PS01"}"#;
    assert_eq!(
        call_as(&app, &officer, "POST", "/api/v1/personnel", add).await.status,
        403
    );

    // A leader sees everyone, names and phones masked.
    let leader = user_token(&app, "leader-1", "leader", (None, None, None));
    let all = call_as(&app, &leader, "GET", "/api/v1/personnel", "").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    assert_eq!(all["items"][0]["name"], "王**");
    assert_eq!(all["items"][0]["phone"], "138****5678");

    // A commander adds, edits at the version read, records and cancels leave.
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    let created = call_as(&app, &commander, "POST", "/api/v1/personnel", add).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let moved =
        r#"{"badge":"F10003","name":"孙丽","kind":"auxiliary","station":"PS02","team":"二中队","version":VERSION}"#;
    let stale = call_as(
        &app,
        &commander,
        "POST",
        &format!("/api/v1/personnel/{id}"),
        &moved.replace("VERSION", "7"),
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let done = call_as(
        &app,
        &commander,
        "POST",
        &format!("/api/v1/personnel/{id}"),
        &moved.replace("VERSION", "1"),
    )
    .await;
    assert_eq!(
        (done.status, done.json()["version"].as_u64()),
        (200, Some(2)),
        "{}",
        done.body
    );
    assert_eq!(done.json()["station"], "PS02");
    let duplicate = r#"{"badge":"031001","name":"王二","kind":"officer","station":"PS01"}"#;
    assert_eq!(
        call_as(&app, &commander, "POST", "/api/v1/personnel", duplicate)
            .await
            .status,
        409
    );

    let today = app.get("/api/v1/duty").await.json()["today"]
        .as_str()
        .unwrap()
        .to_string();
    let wang = all["items"][0]["id"].as_i64().unwrap();
    let sick = format!(r#"{{"person_id":{wang},"kind":"sick","first_day":"{today}","last_day":"{today}"}}"#);
    let leave = call_as(&app, &commander, "POST", "/api/v1/leave", &sick).await;
    assert_eq!(leave.status, 201, "{}", leave.body);
    let leave_id = leave.json()["id"].as_i64().unwrap();
    assert_eq!(
        call_as(&app, &commander, "POST", "/api/v1/leave", &sick).await.status,
        409
    );
    let listed = call_as(&app, &officer, "GET", "/api/v1/personnel", "").await.json();
    assert_eq!(listed["items"][0]["leave_today"], "sick");
    let leave_list = call_as(&app, &officer, "GET", "/api/v1/leave", "").await.json();
    assert_eq!(leave_list["items"].as_array().unwrap().len(), 1);
    let cancelled = call_as(
        &app,
        &commander,
        "POST",
        &format!("/api/v1/leave/{leave_id}/cancel"),
        "",
    )
    .await;
    assert_eq!(
        (cancelled.status, cancelled.json()["cancelled"].as_bool()),
        (200, Some(true))
    );

    let logged = off_runtime(|| {
        let entries = fengqiao_store::ledger::all_entries(app.db.open().as_ref()).unwrap();
        let versions = |kind: &str, id: i64| -> Vec<u32> {
            entries
                .iter()
                .filter(|e| e.record_type == kind && e.record_id == id.to_string())
                .map(|e| e.version)
                .collect()
        };
        (versions("person", id), versions("leave", leave_id))
    });
    assert_eq!(logged, (vec![1, 2], vec![1, 2]));
}

/// A roll for PS01 big enough for round-the-clock crews.
fn station_roll() -> String {
    let mut csv = String::from("badge,name,kind,station,qualifications\n");
    for i in 0..26 {
        csv.push_str(&format!("0320{i:02},民警{i},officer,PS01,driving\n"));
    }
    for i in 0..22 {
        csv.push_str(&format!("F200{i:02},辅警{i},auxiliary,PS01,\n"));
    }
    csv
}

/// The Monday after today in the city: the week the tests roster (a sick
/// call repairs from today, so the week must not have begun).
fn monday() -> chrono::NaiveDate {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    fengqiao_app::roster::next_monday(today)
}

/// Day `k` of that week (0: the Monday), as the API writes dates.
fn day(k: i64) -> String {
    (monday() + chrono::Duration::days(k)).to_string()
}

/// PS01's draft roster for the week from [`monday`], built with a second of search.
async fn built_week(app: &TestApp, token: &str) -> serde_json::Value {
    let built = call_as(
        app,
        token,
        "POST",
        "/api/v1/rosters",
        &format!(r#"{{"station":"PS01","first_day":"{}","weeks":1,"seconds":1}}"#, day(0)),
    )
    .await;
    assert_eq!(built.status, 201, "{}", built.body);
    built.json()
}

/// Builds a fortnight's roster for PS01 on `pattern` from `first`.
async fn build_on(app: &TestApp, token: &str, pattern: &str, first: &str, seconds: u32) -> Response {
    call_as(
        app,
        token,
        "POST",
        "/api/v1/rosters",
        &format!(r#"{{"station":"PS01","first_day":"{first}","weeks":2,"seconds":{seconds},"pattern":"{pattern}"}}"#),
    )
    .await
}

/// A fresh server with PS01's roll imported, and a duty commander's token.
async fn station_with_roll() -> (TestApp, String) {
    station_with_roll_and(|_| {}).await
}

/// [`station_with_roll`] with settings of the test's own.
async fn station_with_roll_and(configure: impl FnOnce(&mut fengqiao_app::Settings)) -> (TestApp, String) {
    let app = spawn_app_with(configure).await;
    let roll = station_roll();
    let r = app
        .call_bytes_as(
            Some(&app.token),
            "POST",
            "/api/v1/personnel/import",
            "text/csv",
            roll.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    (app, commander)
}

#[tokio::test]
async fn a_roster_is_built_from_the_demand_scoped_masked_and_published_once() {
    let (app, commander) = station_with_roll().await;
    for (body, field) in [
        (r#"{"station":"PS01","weeks":14}"#, "weeks"),
        (r#"{"station":"PS99"}"#, "station"),
        (r#"{"station":"PS01","pattern":["siesta"]}"#, "pattern"),
        (r#"{"station":"PS01","pattern":"nine_to_five"}"#, "pattern"),
        (r#"{"station":"PS02"}"#, "station"),
        (r#"{"station":"PS01","seconds":31}"#, "seconds"),
    ] {
        let e = call_as(&app, &commander, "POST", "/api/v1/rosters", body).await;
        assert_eq!(
            (e.status, e.json()["details"]["parameter"].as_str()),
            (422, Some(field)),
            "{}",
            e.body
        );
    }
    let built = call_as(
        &app,
        &commander,
        "POST",
        "/api/v1/rosters",
        &format!(r#"{{"station":"PS01","first_day":"{}","weeks":1,"seconds":1}}"#, day(0)),
    )
    .await;
    assert_eq!(built.status, 201, "{}", built.body);
    let v = built.json();
    let (id, body) = (v["id"].as_i64().unwrap(), &v["body"]);
    assert_eq!((v["state"].as_str(), v["days"].as_u64()), (Some("draft"), Some(7)));
    assert_eq!(body["violations"], serde_json::json!([]));
    let sworn: Vec<i64> = body["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] != "auxiliary")
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    for (d, day) in body["teams"].as_array().unwrap().iter().enumerate() {
        for (s, team) in day.as_array().unwrap().iter().enumerate() {
            assert!(
                sworn.contains(&team["duty"].as_i64().unwrap()),
                "day {d} shift {s}: a sworn duty officer"
            );
            let crews = team["crews"].as_array().unwrap();
            assert!(crews.len() as u64 >= team["crews_needed"].as_u64().unwrap().min(1));
            for c in crews {
                assert!(
                    sworn.contains(&c["members"][0].as_i64().unwrap()),
                    "a crew led by a sworn officer"
                );
                // The station's call-sign stem: "鼓楼派出所" → "鼓楼巡01", "鼓楼巡02", …
                assert!(c["call_sign"].as_str().unwrap().starts_with("鼓楼巡"), "{c}");
            }
        }
    }
    assert!(body["basis"]["service_minutes"].as_f64().unwrap() > 0.0);

    // Officers of another area see neither the list nor the roster; a leader sees names masked.
    let area = off_runtime(|| {
        app.db
            .open()
            .as_ref()
            .facilities()
            .unwrap()
            .into_iter()
            .find(|f| f.code == "PS02")
            .unwrap()
            .jurisdiction
            .unwrap()
    });
    let other = user_token(&app, "officer-2", "officer", (Some(area), None, None));
    assert_eq!(
        call_as(&app, &other, "GET", "/api/v1/rosters?station=PS01", "")
            .await
            .status,
        403
    );
    assert_eq!(
        call_as(&app, &other, "GET", &format!("/api/v1/rosters/{id}"), "")
            .await
            .status,
        404
    );
    let leader = user_token(&app, "leader-1", "leader", (None, None, None));
    let seen = call_as(&app, &leader, "GET", &format!("/api/v1/rosters/{id}"), "")
        .await
        .json();
    assert!(seen["body"]["people"][0]["name"].as_str().unwrap().ends_with('*'));
    assert_eq!(
        call_as(
            &app,
            &leader,
            "POST",
            &format!("/api/v1/rosters/{id}/publish"),
            r#"{"version":1}"#
        )
        .await
        .status,
        403
    );

    let publish = format!("/api/v1/rosters/{id}/publish");
    assert_eq!(
        call_as(&app, &commander, "POST", &publish, r#"{"version":7}"#)
            .await
            .status,
        409
    );
    let done = call_as(&app, &commander, "POST", &publish, r#"{"version":1}"#).await;
    assert_eq!(
        (done.status, done.json()["state"].as_str()),
        (200, Some("published")),
        "{}",
        done.body
    );
    assert_eq!(
        call_as(&app, &commander, "POST", &publish, r#"{"version":2}"#)
            .await
            .status,
        409
    );
    let listed = call_as(&app, &commander, "GET", "/api/v1/rosters?station=PS01", "")
        .await
        .json();
    assert_eq!(listed["items"][0]["state"], "published");

    // An officer of the station asks for a swap on day 2; the commander approves it.
    let area = off_runtime(|| {
        app.db
            .open()
            .as_ref()
            .facilities()
            .unwrap()
            .into_iter()
            .find(|f| f.code == "PS01")
            .unwrap()
            .jurisdiction
            .unwrap()
    });
    let officer = user_token(&app, "officer-1", "officer", (Some(area), None, None));
    let roster = call_as(&app, &officer, "GET", &format!("/api/v1/rosters/{id}"), "")
        .await
        .json();
    let people: Vec<(i64, String)> = roster["body"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_i64().unwrap(), p["kind"].as_str().unwrap().to_string()))
        .collect();
    let cell = |r: &serde_json::Value, i: usize, d: usize| r["body"]["assignment"][i][d].clone();
    let officers: Vec<usize> = (0..people.len()).filter(|&i| people[i].1 == "officer").collect();
    let swaps = format!("/api/v1/rosters/{id}/swaps");
    let mut approved = false;
    let mut version = roster["version"].as_u64().unwrap();
    // 换班: another works the first's shift of day 2 and gives back a shift on
    // a day the first is off; day shifts first (a night after a day's work breaks the rest rule).
    let mut pairs: Vec<(usize, usize, usize)> = officers
        .iter()
        .filter(|&&w| !cell(&roster, w, 2).is_null())
        .flat_map(|&w| officers.iter().map(move |&other| (w, other)))
        .filter(|&(w, other)| w != other && cell(&roster, other, 2).is_null())
        .flat_map(|(w, other)| (0..7).map(move |e| (w, other, e)))
        .filter(|&(w, other, e)| e != 2 && cell(&roster, w, e).is_null() && !cell(&roster, other, e).is_null())
        .collect();
    pairs.sort_by_key(|&(w, _, _)| cell(&roster, w, 2).as_u64());
    let mut working = officers[0];
    for (w, other, e) in pairs {
        working = w;
        let ask = format!(
            r#"{{"person_id":{},"with":{},"day":"{}","and_day":"{}","note":"家中有事","version":{version}}}"#,
            people[working].0,
            people[other].0,
            day(2),
            day(e as i64)
        );
        let r = call_as(&app, &officer, "POST", &swaps, &ask).await;
        assert_eq!(r.status, 201, "{}", r.body);
        version += 1;
        let request = r.json()["request"].clone();
        assert_eq!(request["state"], "pending");
        if request["keeps_rules"] != true {
            continue;
        }
        let n = request["n"].as_u64().unwrap();
        let decide = format!(r#"{{"decision":"approve","version":{version}}}"#);
        let by_officer = call_as(&app, &officer, "POST", &format!("{swaps}/{n}"), &decide).await;
        assert_eq!(by_officer.status, 403, "only a commander decides");
        let done = call_as(&app, &commander, "POST", &format!("{swaps}/{n}"), &decide).await;
        assert_eq!(done.status, 200, "{}", done.body);
        version += 1;
        let after = done.json()["roster"].clone();
        assert_eq!(after["body"]["requests"][n as usize - 1]["state"], "approved");
        assert!(cell(&after, working, 2).is_null());
        assert_eq!(cell(&after, other, 2), cell(&roster, working, 2));
        assert_eq!(cell(&after, working, e), cell(&roster, other, e));
        assert_eq!(after["body"]["violations"], serde_json::json!([]));
        approved = true;
        break;
    }
    assert!(approved, "two officers may exchange a shift");
    // A sworn officer's seat never goes to an auxiliary: approving says why.
    let aux = (0..people.len()).find(|&i| people[i].1 == "auxiliary").unwrap();
    let ask = format!(
        r#"{{"person_id":{},"with":{},"day":"{}","version":{version}}}"#,
        people[working].0,
        people[aux].0,
        day(1)
    );
    let r = call_as(&app, &officer, "POST", &swaps, &ask).await;
    assert_eq!(
        (r.status, r.json()["request"]["keeps_rules"].as_bool()),
        (201, Some(false)),
        "{}",
        r.body
    );
    version += 1;
    let n = r.json()["request"]["n"].as_u64().unwrap();
    let no = call_as(
        &app,
        &commander,
        "POST",
        &format!("{swaps}/{n}"),
        &format!(r#"{{"decision":"approve","version":{version}}}"#),
    )
    .await;
    assert_eq!(no.status, 422, "{}", no.body);
    assert!(
        no.json()["details"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("sworn officer's seat")
    );
    // The same, as a page reads it: the rule and whom it names.
    assert_eq!(
        (
            &r.json()["request"]["breaches"][0]["rule"],
            &no.json()["details"]["breaches"][0]["rule"]
        ),
        (&serde_json::json!("mixed_groups"), &serde_json::json!("mixed_groups"))
    );
    assert_eq!(
        no.json()["details"]["breaches"][0]["with"],
        roster["body"]["people"][aux]["badge"]
    );
    let refused = call_as(
        &app,
        &commander,
        "POST",
        &format!("{swaps}/{n}"),
        &format!(r#"{{"decision":"refuse","version":{version}}}"#),
    )
    .await;
    assert_eq!(
        (refused.status, refused.json()["request"]["state"].as_str()),
        (200, Some("refused"))
    );
    version += 1;

    // A sick call on day 1: the person's shift is cleared and the seat refilled.
    let sick_one = (0..people.len())
        .find(|&i| people[i].1 == "officer" && !cell(&roster, i, 1).is_null())
        .unwrap();
    let sick = format!("/api/v1/rosters/{id}/sick");
    let call = |v: u64| {
        format!(
            r#"{{"person_id":{},"first_day":"{d}","last_day":"{d}","version":{v}}}"#,
            people[sick_one].0,
            d = day(1)
        )
    };
    let stale = call_as(&app, &commander, "POST", &sick, &call(1)).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let r = call_as(&app, &commander, "POST", &sick, &call(version)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    version += 1;
    let after = r.json()["roster"].clone();
    assert!(cell(&after, sick_one, 1).is_null());
    let cells = r.json()["change"]["cells"].as_array().unwrap().clone();
    assert!(
        cells.iter().all(|c| c["overtime"].is_boolean()),
        "overtime (加班) marked or not"
    );
    assert!(
        cells
            .iter()
            .any(|c| c["person"] == people[sick_one].0 && c["to"].is_null())
    );
    assert_eq!(after["leave"][people[sick_one].0.to_string()], serde_json::json!([1]));
    let short = |r: &serde_json::Value| -> Vec<serde_json::Value> {
        r["body"]["shortfalls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["day"] == 1)
            .cloned()
            .collect()
    };
    assert_eq!(
        short(&after),
        short(&roster),
        "no shift of that day is left shorter than it was"
    );
    let logged = off_runtime(|| {
        fengqiao_store::ledger::all_entries(app.db.open().as_ref())
            .unwrap()
            .iter()
            .filter(|e| e.record_type == "roster" && e.record_id == id.to_string())
            .map(|e| e.version)
            .collect::<Vec<_>>()
    });
    assert_eq!(logged, (1..=version as u32).collect::<Vec<_>>());
}

/// A day off wished for (希望休息) is recorded like leave but is not leave:
/// the person stays available, the roster grants it where the cover
/// allows, and the roster's view counts the wishes granted.
#[tokio::test]
async fn days_wished_off_are_granted_by_the_roster_and_counted() {
    let (app, commander) = station_with_roll().await;
    let people = call_as(&app, &commander, "GET", "/api/v1/personnel", "").await.json();
    let officer = people["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "officer")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let wish = format!(
        r#"{{"person_id":{officer},"kind":"wish_off","first_day":"{}","last_day":"{}"}}"#,
        day(1),
        day(2)
    );
    let made = call_as(&app, &commander, "POST", "/api/v1/leave", &wish).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = built_week(&app, &commander).await["id"].as_i64().unwrap();
    let seen = call_as(&app, &commander, "GET", &format!("/api/v1/rosters/{id}"), "")
        .await
        .json();
    let k = seen["body"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["id"] == officer)
        .expect("the officer is on the roster: a wish is not leave");
    assert_eq!(seen["wishes_off"][officer.to_string()], serde_json::json!([1, 2]));
    assert_eq!(seen["leave"].get(officer.to_string()), None, "not leave");
    assert_eq!(seen["wishes_granted"], serde_json::json!({"granted": 2, "wished": 2}));
    assert!(seen["body"]["assignment"][k][1].is_null() && seen["body"]["assignment"][k][2].is_null());
    // Falling sick on a wished day is recorded (a wish is not leave), and
    // the day is then leave, not a wish granted.
    let sick = format!(
        r#"{{"person_id":{officer},"first_day":"{d}","last_day":"{d}","version":{}}}"#,
        seen["version"],
        d = day(2)
    );
    let r = call_as(&app, &commander, "POST", &format!("/api/v1/rosters/{id}/sick"), &sick).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let after = &r.json()["roster"];
    assert_eq!(after["leave"][officer.to_string()], serde_json::json!([2]));
    assert_eq!(after["wishes_off"][officer.to_string()], serde_json::json!([1]));
    assert_eq!(after["wishes_granted"], serde_json::json!({"granted": 1, "wished": 1}));
    let unknown = wish.replace("wish_off", "wish_maybe");
    assert_eq!(
        call_as(&app, &commander, "POST", "/api/v1/leave", &unknown)
            .await
            .status,
        422
    );
}

/// A day wished to work (希望上班): the person works it, any shift; the
/// roster lists the wish apart from the days wished off and counts it
/// granted; a wish off on the same day is refused (one wish a day).
#[tokio::test]
async fn a_day_wished_to_work_is_worked() {
    let (app, commander) = station_with_roll().await;
    let people = call_as(&app, &commander, "GET", "/api/v1/personnel", "").await.json();
    let officer = people["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "officer")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let wish = |kind: &str, k: i64| {
        format!(
            r#"{{"person_id":{officer},"kind":"{kind}","first_day":"{d}","last_day":"{d}"}}"#,
            d = day(k)
        )
    };
    for k in [5, 6] {
        let made = call_as(&app, &commander, "POST", "/api/v1/leave", &wish("wish_on", k)).await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let both = call_as(&app, &commander, "POST", "/api/v1/leave", &wish("wish_off", 6)).await;
    assert_eq!(both.status, 409, "{}", both.body);
    let id = built_week(&app, &commander).await["id"].as_i64().unwrap();
    let seen = call_as(&app, &commander, "GET", &format!("/api/v1/rosters/{id}"), "")
        .await
        .json();
    let k = seen["body"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["id"] == officer)
        .unwrap();
    assert_eq!(seen["wishes_on"][officer.to_string()], serde_json::json!([5, 6]));
    assert_eq!(seen["wishes_off"].get(officer.to_string()), None);
    assert_eq!(seen["wishes_granted"], serde_json::json!({"granted": 2, "wished": 2}));
    let row = &seen["body"]["assignment"][k];
    assert!(!row[5].is_null() && !row[6].is_null(), "{row}");
}

/// Public holidays in turn (节假日轮休): a roster over 国庆 marks its
/// holidays and counts, for each person, the holiday shifts they worked in
/// the station's published rosters of the year before (劳动节 here), which
/// the solver weighs (`fengqiao_roster::station`'s tests show the effect).
#[tokio::test]
async fn a_roster_counts_the_holidays_each_person_worked_before() {
    let (app, commander) = station_with_roll().await;
    let build = |first_day: &'static str, weeks: u32| {
        let (app, commander) = (&app, commander.clone());
        async move {
            let body = format!(r#"{{"station":"PS01","first_day":"{first_day}","weeks":{weeks},"seconds":1}}"#);
            let r = call_as(app, &commander, "POST", "/api/v1/rosters", &body).await;
            assert_eq!(r.status, 201, "{}", r.body);
            let id = r.json()["id"].as_i64().unwrap();
            call_as(app, &commander, "GET", &format!("/api/v1/rosters/{id}"), "")
                .await
                .json()
        }
    };
    // 劳动节 2026: 1–5 May, days 4 to 6 of the week from 27 April.
    let may = build("2026-04-27", 1).await;
    assert_eq!(may["body"]["holidays"], serde_json::json!([4, 5, 6]));
    let published = call_as(
        &app,
        &commander,
        "POST",
        &format!("/api/v1/rosters/{}/publish", may["id"]),
        r#"{"version":1}"#,
    )
    .await;
    assert_eq!(published.status, 200, "{}", published.body);
    let ids: Vec<i64> = may["body"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let worked_may = |k: usize| (4..=6).filter(|&d| !may["body"]["assignment"][k][d].is_null()).count() as u64;
    // 国庆 2026: 1–7 October, days 3 to 9 of the fortnight from 28 September.
    let october = build("2026-09-28", 2).await;
    let b = &october["body"];
    assert_eq!(b["holidays"], serde_json::json!([3, 4, 5, 6, 7, 8, 9]));
    for (k, id) in ids.iter().enumerate() {
        assert_eq!(
            b["holidays_before"][id.to_string()].as_u64().unwrap_or(0),
            worked_may(k),
            "person {id}"
        );
    }
    let sworn = b["fairness"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["group"] == "sworn")
        .unwrap();
    assert!(sworn["holidays"]["max"].as_u64().unwrap() >= sworn["holidays"]["min"].as_u64().unwrap());
}

/// A repaired roster is said in the station's group: a sick call's
/// changes (who works what instead) reach the channel of PS01, not PS02's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sick_call_is_announced_in_the_stations_group() {
    let (url, got) = crate::notifications::receiver().await;
    let channels = format!(
        "[[channels]]\nname = \"ps01-group\"\nkind = \"webhook\"\nurl = \"{url}\"\nstations = [\"PS01\"]\n\
         [[channels]]\nname = \"ps02-group\"\nkind = \"webhook\"\nurl = \"{url}\"\nstations = [\"PS02\"]\n"
    );
    let (app, commander) = station_with_roll_and(|s| {
        let config = s.cases.config.clone();
        s.cases.notify = std::sync::Arc::new(fengqiao_app::notify::Channels::from_toml(&channels, &config).unwrap());
    })
    .await;
    let id = built_week(&app, &commander).await["id"].as_i64().unwrap();
    let publish = format!("/api/v1/rosters/{id}/publish");
    assert_eq!(
        call_as(&app, &commander, "POST", &publish, r#"{"version":1}"#)
            .await
            .status,
        200
    );
    let roster = call_as(&app, &commander, "GET", &format!("/api/v1/rosters/{id}"), "")
        .await
        .json();
    let k = (0..roster["body"]["people"].as_array().unwrap().len())
        .find(|&k| !roster["body"]["assignment"][k][1].is_null())
        .unwrap();
    let person = &roster["body"]["people"][k];
    let sick = format!(
        r#"{{"person_id":{},"first_day":"{d}","last_day":"{d}","version":2}}"#,
        person["id"],
        d = day(1)
    );
    let r = call_as(&app, &commander, "POST", &format!("/api/v1/rosters/{id}/sick"), &sick).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cells = r.json()["change"]["cells"].as_array().unwrap().len();
    let body = crate::notifications::wait_for(&got, "病假").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let text = v["text"]["content"].as_str().unwrap();
    let badge = person["badge"].as_str().unwrap();
    let said = (monday() + chrono::Duration::days(1)).format("%-m月%-d日").to_string();
    assert!(
        text.starts_with("【枫桥·排班】鼓楼派出所：") && text.contains(&format!("（{badge}） 病假（{said}至{said}）")),
        "{text}"
    );
    assert!(
        text.contains(&format!("调整 {cells} 处：{said} ")) && text.contains("→"),
        "{text}"
    );
    let list = app.get("/api/v1/notifications").await.json();
    let channels: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels, ["ps01-group"], "only the station's own group");
}

/// 四班三运转 from the duty patterns: four teams on their cycle, each shift
/// with one team and its duty officer every day, the peak shift (placed at
/// the busy hours) worked by the 机动 group; a team member's sick call is
/// stood in for without a shift left short.
#[tokio::test]
async fn a_rotation_keeps_its_teams_on_their_cycle_and_covers_a_sick_call() {
    let (app, commander) = station_with_roll().await;
    let duty = call_as(&app, &commander, "GET", "/api/v1/duty", "").await.json();
    let pattern = duty["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "four_team_three_shift")
        .unwrap()
        .clone();
    assert_eq!(pattern["name_zh"], "四班三运转");
    let built = build_on(&app, &commander, "four_team_three_shift", &day(0), 2).await;
    assert_eq!(built.status, 201, "{}", built.body);
    let v = built.json();
    let (id, body) = (v["id"].as_i64().unwrap(), &v["body"]);
    assert_eq!(body["duty_pattern"], "four_team_three_shift");
    assert_eq!(body["pattern"], serde_json::json!(["day", "evening", "night", "peak"]));
    assert_eq!(
        (body["violations"].clone(), body["shortfalls"].clone()),
        (serde_json::json!([]), serde_json::json!([]))
    );
    let rotation = &body["rotation"];
    let cycle: Vec<Option<String>> = serde_json::from_value(rotation["cycle"].clone()).unwrap();
    assert_eq!(serde_json::json!(cycle), pattern["rotation"]["cycle"]);
    let team: Vec<Option<usize>> = serde_json::from_value(rotation["team"].clone()).unwrap();
    let shift_code = |i: usize, d: usize| {
        body["assignment"][i][d]
            .as_u64()
            .map(|s| body["pattern"][s as usize].as_str().unwrap().to_string())
    };
    // The cycle is dated: the roster's first day is its day `start`.
    let start = rotation["start"].as_u64().unwrap() as usize;
    for (i, t) in team.iter().enumerate() {
        if let Some(t) = t {
            for d in 0..14 {
                assert_eq!(
                    shift_code(i, d),
                    cycle[(start + d + t * 2) % 8],
                    "person {i} of team {t}, day {d}"
                );
            }
        }
    }
    assert_eq!((0..4).filter(|k| team.contains(&Some(*k))).count(), 4);
    assert!(team.iter().any(Option::is_none), "a 机动 group");
    for d in 0..14 {
        for s in 0..3 {
            let duty_officer = body["teams"][d][s]["duty"].as_i64().unwrap();
            let i = body["people"]
                .as_array()
                .unwrap()
                .iter()
                .position(|p| p["id"] == duty_officer)
                .unwrap();
            assert!(team[i].is_some(), "day {d} shift {s}: a team's duty officer");
        }
        assert!(
            body["teams"][d][3]["duty"].is_null(),
            "no duty officer of its own on the peak"
        );
    }
    for d in 0..14 {
        for p in body["teams"][d][3]["crews"].as_array().unwrap() {
            for m in p["members"].as_array().unwrap() {
                let i = body["people"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|q| q["id"] == *m)
                    .unwrap();
                assert!(team[i].is_none(), "the peak is the 机动 group's");
            }
        }
    }
    // A team's lead is sick on a day of the cycle: someone stands in, nothing left short.
    let sick_one = (0..team.len())
        .find(|&i| team[i].is_some() && body["people"][i]["kind"] == "officer" && shift_code(i, 2).is_some())
        .unwrap();
    let r = call_as(
        &app,
        &commander,
        "POST",
        &format!("/api/v1/rosters/{id}/sick"),
        &format!(
            r#"{{"person_id":{},"first_day":"{d}","last_day":"{d}","version":1}}"#,
            body["people"][sick_one]["id"],
            d = day(2)
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let after = &r.json()["roster"]["body"];
    assert!(after["assignment"][sick_one][2].is_null());
    assert_eq!(after["shortfalls"], serde_json::json!([]), "{}", after["shortfalls"]);
    assert_eq!(after["violations"], serde_json::json!([]));
    assert_eq!(after["rotation"], body["rotation"], "the teams are kept");

    // Published, then the next fortnight: everyone stays in their team and
    // each team goes on in its cycle where this one left it.
    let version = r.json()["roster"]["version"].clone();
    let published = call_as(
        &app,
        &commander,
        "POST",
        &format!("/api/v1/rosters/{id}/publish"),
        &format!(r#"{{"version":{version}}}"#),
    )
    .await;
    assert_eq!(published.status, 200, "{}", published.body);
    let next = build_on(&app, &commander, "four_team_three_shift", &day(14), 2).await;
    assert_eq!(next.status, 201, "{}", next.body);
    let next = &next.json()["body"];
    assert_eq!(next["rotation"]["start"], serde_json::json!((start + 14) % 8));
    let team_of = |b: &serde_json::Value| -> std::collections::BTreeMap<i64, Option<u64>> {
        b["people"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["rotation"]["team"].as_array().unwrap())
            .map(|(p, t)| (p["id"].as_i64().unwrap(), t.as_u64()))
            .collect()
    };
    assert_eq!(team_of(next), team_of(body));
}

/// 上二十四休三十六: five teams, each on 24 hours from 08:00, then 36 off,
/// then 24 from 20:00; every day has a team and its duty officer at each
/// change of watch, and the roster breaks no rule.
#[tokio::test]
async fn twenty_four_on_thirty_six_off_relieves_a_team_at_eight_and_at_twenty() {
    let (app, commander) = station_with_roll().await;
    // 67.2 hours a week on average (60 or 72 in a fortnight, by where it
    // starts in the cycle): 40-hour contracts may not join a team.
    let refused = build_on(&app, &commander, "duty24_on_36_off", &day(0), 2).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("hours a week; 0 may"), "{}", refused.body);
    let mut roll = String::from("badge,name,kind,station,qualifications,weekly_hours\n");
    for i in 0..14 {
        roll.push_str(&format!("0340{i:02},民警{i},officer,PS01,driving,68\n"));
    }
    for i in 0..8 {
        roll.push_str(&format!("F400{i:02},辅警{i},auxiliary,PS01,,68\n"));
    }
    let r = app
        .call_bytes_as(
            Some(&app.token),
            "POST",
            "/api/v1/personnel/import",
            "text/csv",
            roll.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let built = build_on(&app, &commander, "duty24_on_36_off", &day(0), 2).await;
    assert_eq!(built.status, 201, "{}", built.body);
    let body = &built.json()["body"];
    assert_eq!(body["pattern"], serde_json::json!(["duty24", "duty24_evening", "peak"]));
    assert_eq!(
        (body["violations"].clone(), body["shortfalls"].clone()),
        (serde_json::json!([]), serde_json::json!([]))
    );
    let team: Vec<Option<usize>> = serde_json::from_value(body["rotation"]["team"].clone()).unwrap();
    assert_eq!((0..5).filter(|k| team.contains(&Some(*k))).count(), 5);
    for (i, t) in team.iter().enumerate() {
        let Some(_) = t else { continue };
        let worked: Vec<(usize, u64)> = (0..14)
            .filter_map(|d| body["assignment"][i][d].as_u64().map(|s| (d, s)))
            .collect();
        // 08:00 and 20:00 in turn, 2 days then 3 days apart (36 hours off each time).
        for w in worked.windows(2) {
            let ((d0, s0), (d1, s1)) = (w[0], w[1]);
            assert_ne!(s0, s1, "person {i}: the watch alternates");
            assert_eq!(d1 - d0, if s0 == 0 { 2 } else { 3 }, "person {i} days {d0}, {d1}");
        }
    }
    for d in 0..14 {
        for s in 0..2 {
            assert!(
                !body["teams"][d][s]["duty"].is_null(),
                "day {d} shift {s}: the team's duty officer"
            );
        }
    }
}

/// A commander raises 一级勤务 over two days: everyone who can is put on
/// post, the change is listed and logged; an officer may not; days already
/// raised, past days and unknown levels are refused; lowering it gives the
/// days back what they needed and takes back the shifts it added.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duty_level_is_raised_over_days_and_lowered_again() {
    let (url, got) = crate::notifications::receiver().await;
    let channels =
        format!("[[channels]]\nname = \"ps01-group\"\nkind = \"webhook\"\nurl = \"{url}\"\nstations = [\"PS01\"]\n");
    let (app, commander) = station_with_roll_and(|s| {
        let config = s.cases.config.clone();
        s.cases.notify = std::sync::Arc::new(fengqiao_app::notify::Channels::from_toml(&channels, &config).unwrap());
    })
    .await;
    let duty = call_as(&app, &commander, "GET", "/api/v1/duty", "").await.json();
    let codes: Vec<&str> = duty["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["1", "2", "3"]);
    // The roster starts tomorrow in the city's zone (UTC+8), so its days are never in the past.
    let first = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive() + chrono::Duration::days(1);
    let built = call_as(
        &app,
        &commander,
        "POST",
        "/api/v1/rosters",
        &format!(r#"{{"station":"PS01","first_day":"{first}","weeks":1,"seconds":1}}"#),
    )
    .await;
    assert_eq!(built.status, 201, "{}", built.body);
    let roster = built.json();
    let id = roster["id"].as_i64().unwrap();
    let day = |k: i64| first + chrono::Duration::days(k);
    let working = |r: &serde_json::Value, d: usize| {
        r["body"]["assignment"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| !row[d].is_null())
            .count()
    };
    let levels = format!("/api/v1/rosters/{id}/levels");
    let ask = |level: &str, from: i64, to: i64, version: u64| {
        format!(
            r#"{{"level":"{level}","first_day":"{}","last_day":"{}","reason":"台风“梅花”登陆","version":{version}}}"#,
            day(from),
            day(to)
        )
    };
    let officer = user_token(&app, "officer-1", "officer", (None, None, None));
    assert_eq!(
        call_as(&app, &officer, "POST", &levels, &ask("1", 1, 2, 1))
            .await
            .status,
        403
    );
    for (body, field) in [
        (ask("9", 1, 2, 1), "level"),
        (ask("1", -3, 2, 1), "first_day"),
        (ask("1", 2, 1, 1), "last_day"),
        (ask("1", 1, 9, 1), "day"),
        (ask("1", 1, 2, 1).replace("台风“梅花”登陆", " "), "reason"),
    ] {
        let e = call_as(&app, &commander, "POST", &levels, &body).await;
        assert_eq!(
            (e.status, e.json()["details"]["parameter"].as_str()),
            (422, Some(field)),
            "{}",
            e.body
        );
    }
    let raised = call_as(&app, &commander, "POST", &levels, &ask("1", 1, 2, 1)).await;
    assert_eq!(raised.status, 200, "{}", raised.body);
    let change = &raised.json()["change"];
    assert_eq!(
        (change["kind"].as_str(), change["name_zh"].as_str()),
        (Some("level"), Some("一级勤务"))
    );
    let after = raised.json()["roster"].clone();
    let level = &after["body"]["levels"][0];
    assert_eq!(level["state"], "raised");
    for (k, d) in level["days"].as_array().unwrap().iter().enumerate() {
        let on = d["on_post"].as_u64().unwrap() as usize;
        assert_eq!(on, working(&after, k + 1));
        assert!(on > working(&roster, k + 1), "more on post than rostered: {d}");
        assert_eq!(d["available"], 48);
        assert_eq!(d["on_post_wanted"], 48);
    }
    assert!(!change["cells"].as_array().unwrap().is_empty());
    // Overtime the raise gave is marked and allowed: the roster breaks no rule.
    assert_eq!(after["body"]["violations"], serde_json::json!([]));
    for d in [0, 3, 4, 5, 6] {
        assert_eq!(
            after["body"]["assignment"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r[d].clone())
                .collect::<Vec<_>>(),
            roster["body"]["assignment"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r[d].clone())
                .collect::<Vec<_>>(),
            "day {d} as it was"
        );
    }
    let demand = |r: &serde_json::Value, d: usize| -> u64 {
        r["body"]["demand"][d]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .sum()
    };
    assert!(demand(&after, 1) > demand(&roster, 1));
    let twice = call_as(&app, &commander, "POST", &levels, &ask("2", 2, 3, 2)).await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert!(twice.body.contains("一级勤务"), "{}", twice.body);

    let lower = format!("/api/v1/rosters/{id}/levels/1/lower");
    assert_eq!(
        call_as(&app, &commander, "POST", &lower, r#"{"version":1}"#)
            .await
            .status,
        409
    );
    // The station's group heard of it, with the reason.
    let heard = crate::notifications::wait_for(&got, "启动").await;
    assert!(
        heard.contains("【枫桥·排班】鼓楼派出所：") && heard.contains("台风“梅花”登陆"),
        "{heard}"
    );
    let lowered = call_as(&app, &commander, "POST", &lower, r#"{"version":2}"#).await;
    assert_eq!(lowered.status, 200, "{}", lowered.body);
    let heard = crate::notifications::wait_for(&got, "解除").await;
    assert!(heard.contains("起解除"), "{heard}");
    let back = lowered.json()["roster"].clone();
    assert_eq!(back["body"]["levels"][0]["state"], "lowered");
    assert_eq!(back["body"]["demand"], roster["body"]["demand"]);
    assert_eq!(
        back["body"]["assignment"], roster["body"]["assignment"],
        "every added shift taken back"
    );
    assert_eq!(
        call_as(&app, &commander, "POST", &lower, r#"{"version":3}"#)
            .await
            .status,
        409,
        "lowered already"
    );
    let kinds: Vec<&str> = back["body"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["level", "level_lowered"]);

    // For a typhoon over the city: every station in sight with a published roster over the days.
    let published = call_as(
        &app,
        &commander,
        "POST",
        &format!("/api/v1/rosters/{id}/publish"),
        r#"{"version":3}"#,
    )
    .await;
    assert_eq!(published.status, 200, "{}", published.body);
    let everywhere = |level: &str| {
        format!(
            r#"{{"level":"{level}","first_day":"{}","last_day":"{}","reason":"台风“梅花”登陆"}}"#,
            day(1),
            day(2)
        )
    };
    assert_eq!(
        call_as(&app, &officer, "POST", "/api/v1/duty-levels", &everywhere("3"))
            .await
            .status,
        403
    );
    let all = call_as(&app, &commander, "POST", "/api/v1/duty-levels", &everywhere("3")).await;
    assert_eq!(all.status, 200, "{}", all.body);
    let all = all.json();
    assert_eq!(all["raised"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            all["raised"][0]["station"].as_str(),
            all["raised"][0]["roster"].as_i64()
        ),
        (Some("PS01"), Some(id))
    );
    assert!(all["without_roster"].as_array().unwrap().iter().any(|s| s == "PS02"));
    let again = call_as(&app, &commander, "POST", "/api/v1/duty-levels", &everywhere("2")).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("PS01"), "{}", again.body);
    let logged = off_runtime(|| {
        fengqiao_store::ledger::all_entries(app.db.open().as_ref())
            .unwrap()
            .iter()
            .filter(|e| e.record_type == "roster" && e.record_id == id.to_string())
            .count()
    });
    assert_eq!(logged, 5);
}

/// The patrol sheet names the crews of the published roster for the plan's
/// shift, unit by unit, with their rounds by area; without a roster it says so.
#[tokio::test]
async fn the_patrol_sheet_mans_the_plans_units_with_the_rosters_crews() {
    let app = spawn_app().await;
    let roll = station_roll();
    let r = app
        .call_bytes_as(
            Some(&app.token),
            "POST",
            "/api/v1/personnel/import",
            "text/csv",
            roll.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (lon, lat) = off_runtime(|| {
        let s = app
            .db
            .open()
            .as_ref()
            .facilities()
            .unwrap()
            .into_iter()
            .find(|f| f.code == "PS01")
            .unwrap();
        (s.lon, s.lat)
    });
    // A day shift: 08:00 Beijing time on the Tuesday of the week rostered.
    let tuesday = day(1);
    let start = chrono::DateTime::parse_from_rfc3339(&format!("{tuesday}T08:00:00+08:00"))
        .unwrap()
        .to_utc();
    let visit = |k: u32| serde_json::json!({"at": [lon, lat], "start": format!("{tuesday}T0{}:00:00+08:00", 8 + k), "end": format!("{tuesday}T0{}:15:00+08:00", 8 + k)});
    let plan = off_runtime(|| {
        fengqiao_store::Store::save_plan(
            app.db.open().as_ref(),
            &fengqiao_store::NewPlan {
                dataset: "demo".into(),
                forecast_id: None,
                window_start: start,
                window_end: start + chrono::Duration::hours(8),
                params: serde_json::json!({}),
                summary: serde_json::json!({}),
                body: serde_json::json!({"units": [
                    {"id": "PS01-car-1", "station": "PS01", "type": "car", "position": [lon, lat], "visits": [visit(0), visit(1)]},
                    {"id": "PS01-car-2", "station": "PS01", "type": "car", "position": [lon, lat], "visits": []},
                ]}),
                geojson: "{}".into(),
                version: "test".into(),
                created_at: chrono::Utc::now(),
            },
        )
        .unwrap()
    });
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    let sheet_path = format!("/api/v1/plans/{plan}/sheet");
    let before = call_as(&app, &commander, "GET", &sheet_path, "").await.json();
    let ps01 = |s: &serde_json::Value| {
        s["stations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == "PS01")
            .unwrap()
            .clone()
    };
    assert!(ps01(&before)["roster"].is_null(), "no published roster yet");
    assert!(ps01(&before)["units"][0]["call_sign"].is_null());

    let id = built_week(&app, &commander).await["id"].as_i64().unwrap();
    assert_eq!(
        call_as(
            &app,
            &commander,
            "POST",
            &format!("/api/v1/rosters/{id}/publish"),
            r#"{"version":1}"#
        )
        .await
        .status,
        200
    );
    let sheet = call_as(&app, &commander, "GET", &sheet_path, "").await;
    assert_eq!(sheet.status, 200, "{}", sheet.body);
    let st = ps01(&sheet.json());
    assert_eq!(
        (st["roster"]["id"].as_i64(), st["roster"]["shift"].as_str()),
        (Some(id), Some("day"))
    );
    assert_eq!(st["roster"]["day"], day(1));
    let unit = &st["units"][0];
    assert_eq!(unit["call_sign"], "鼓楼巡01");
    assert_eq!(unit["members"][0]["kind"], "officer", "the sworn lead first");
    assert!(unit["visits"][0]["area"]["name_zh"].as_str().is_some(), "{unit}");
    // The road, from the addresses of the incidents near the visit: one of
    // those the demo writes for the station's town.
    let road = unit["visits"][0]["road"].as_str().expect("a road near the station");
    let near = off_runtime(|| {
        let store = app.db.open();
        let filter = fengqiao_store::IncidentFilter {
            bbox: Some([lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002]),
            ..Default::default()
        };
        let page = fengqiao_store::PageRequest {
            limit: 1000,
            after: None,
        };
        store.as_ref().incidents(&filter, &page).unwrap().items
    });
    assert!(
        near.iter()
            .any(|i| i.record.address.as_deref().is_some_and(|a| a.contains(road))),
        "{road}"
    );
    assert!(st["duty"]["badge"].as_str().is_some());
    let csv = call_as(&app, &commander, "GET", &format!("{sheet_path}?format=csv"), "").await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.body
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("PS01,鼓楼巡01,PS01-car-1,"),
        "{}",
        csv.body
    );
    assert!(csv.body.lines().next().unwrap().ends_with(",lon,lat,road"));
    assert!(csv.body.lines().nth(1).unwrap().ends_with(&format!(",{road}")));
    // An analyst reads plans but not the station's people.
    let analyst = user_token(&app, "analyst-1", "analyst", (None, None, None));
    assert_eq!(call_as(&app, &analyst, "GET", &sheet_path, "").await.status, 403);
}

/// 四班三运转 on a station whose people are in four 中队: each 中队 is a
/// team (A the first met on the roll), and moving two officers between
/// 一中队 and 四中队 on the roll moves them between teams A and D on the
/// next roster; those in no 中队 are the 机动 group or fill the teams.
#[tokio::test]
async fn the_stations_squads_are_its_rotation_teams_and_moving_someone_moves_them() {
    let app = spawn_app_with(|_| {}).await;
    let squads = ["一中队", "二中队", "三中队", "四中队"];
    let mut roll = String::from("badge,name,kind,station,team,qualifications\n");
    for i in 0..8 {
        roll.push_str(&format!("0330{i:02},民警{i},officer,PS01,{},driving\n", squads[i % 4]));
    }
    for (i, squad) in squads.iter().enumerate() {
        roll.push_str(&format!("F300{i:02},辅警{i},auxiliary,PS01,{squad},\n"));
    }
    for i in 8..12 {
        roll.push_str(&format!("0330{i:02},民警{i},officer,PS01,,driving\n"));
        roll.push_str(&format!("F300{i:02},辅警{i},auxiliary,PS01,,\n"));
    }
    let r = app
        .call_bytes_as(
            Some(&app.token),
            "POST",
            "/api/v1/personnel/import",
            "text/csv",
            roll.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    let build = |first: String| {
        let (app, commander) = (&app, &commander);
        async move {
            let r = build_on(app, commander, "four_team_three_shift", &first, 1).await;
            assert_eq!(r.status, 201, "{}", r.body);
            r.json()["body"].clone()
        }
    };
    // badge -> (its team on the roster, its 中队 on the roll)
    let teams_of = |body: &serde_json::Value, roll: &serde_json::Value| -> Vec<(String, Option<u64>, String)> {
        body["people"]
            .as_array()
            .unwrap()
            .iter()
            .zip(body["rotation"]["team"].as_array().unwrap())
            .map(|(p, t)| {
                let badge = p["badge"].as_str().unwrap().to_string();
                let squad = roll["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|q| q["badge"] == badge.as_str())
                    .unwrap()["team"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                (badge, t.as_u64(), squad)
            })
            .collect()
    };
    let in_their_squads_team = |rows: &[(String, Option<u64>, String)]| {
        for (badge, team, squad) in rows {
            if let Some(k) = squads.iter().position(|s| s == squad) {
                assert_eq!(*team, Some(k as u64), "{badge} of {squad}");
            }
        }
    };
    let roll_now = call_as(&app, &commander, "GET", "/api/v1/personnel", "").await.json();
    let first = build(day(0)).await;
    in_their_squads_team(&teams_of(&first, &roll_now));
    // 033000 (一中队) and 033003 (四中队) change places.
    for (badge, to) in [("033000", "四中队"), ("033003", "一中队")] {
        let p = roll_now["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["badge"] == badge)
            .unwrap();
        let moved = serde_json::json!({
            "badge": badge, "name": p["name"], "kind": "officer", "station": "PS01", "team": to,
            "qualifications": ["driving"], "version": p["version"],
        });
        let r = call_as(
            &app,
            &commander,
            "POST",
            &format!("/api/v1/personnel/{}", p["id"]),
            &moved.to_string(),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let roll_after = call_as(&app, &commander, "GET", "/api/v1/personnel", "").await.json();
    let second = build(day(14)).await;
    let rows = teams_of(&second, &roll_after);
    in_their_squads_team(&rows);
    let team_of = |badge: &str| rows.iter().find(|r| r.0 == badge).unwrap().1;
    assert_eq!((team_of("033000"), team_of("033003")), (Some(3), Some(0)));
}
