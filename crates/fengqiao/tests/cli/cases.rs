//! Cases from the command line, and the rules every face obeys.

use crate::helpers::*;
use serde_json::Value;

/// The demo holds cases of every type at every configured stage; a case is
/// opened, refused to a role the configuration does not allow, moved by the
/// right one, shown masked to a volunteer and in full to an officer, and
/// counted in the report; the ledger covers it and catches a changed row.
#[test]
fn cases_round_the_loop_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(dir.path(), &["case", "list", "--json", "--limit", "1000"]);
    let all: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let types: Value = serde_json::from_slice(&run(dir.path(), &["case", "types", "--json"]).stdout).unwrap();
    for t in types.as_array().unwrap() {
        let prefix = t["prefix"].as_str().unwrap();
        for stage in t["stages"].as_array().unwrap() {
            let stage = stage["code"].as_str().unwrap();
            assert!(
                all.iter()
                    .any(|c| c["code"].as_str().unwrap().starts_with(prefix) && c["stage"] == stage),
                "no demo {} at stage {stage}",
                t["code"]
            );
        }
    }
    let o = run(
        dir.path(),
        &[
            "case",
            "open",
            "--type",
            "dispute",
            "--category",
            "dispute.neighbour",
            "--title",
            "噪声纠纷",
            "--address",
            "中山西路12号",
            "--party",
            "applicant:张三丰:13812345678",
            "--party",
            "respondent:李四",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let case: Value = serde_json::from_slice(&o.stdout).unwrap();
    let code = case["code"].as_str().unwrap().to_string();
    assert_eq!(case["risk_grade"], "low", "nothing on file yet: {case}");
    // The same applicant again, with threats: graded from what is on file, with reasons.
    let o = run(
        dir.path(),
        &[
            "case",
            "open",
            "--type",
            "dispute",
            "--category",
            "dispute.neighbour",
            "--title",
            "再次纠纷",
            "--party",
            "applicant:张三丰:13812345678",
            "--threats",
            "--json",
        ],
    );
    let again: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(again["risk_grade"], "high", "{again}");
    let reasons: Vec<&str> = again["risk"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["threats", "repeated"]);
    let o = run(dir.path(), &["case", "act", &code, "register", "--role", "volunteer"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("role volunteer may not register"), "{}", stderr(&o));
    let o = run(dir.path(), &["case", "act", &code, "register", "--role", "officer"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        dir.path(),
        &[
            "case",
            "act",
            &code,
            "assign",
            "--role",
            "officer",
            "--assignee",
            "李师傅",
            "--version",
            "1",
        ],
    );
    assert!(stderr(&o).contains("version 2, not 1"), "stale: {}", stderr(&o));
    let shown = |role: &str| -> Value {
        serde_json::from_slice(&run(dir.path(), &["case", "show", &code, "--role", role, "--json"]).stdout).unwrap()
    };
    let masked = shown("volunteer");
    assert_eq!(masked["case"]["parties"][0]["name"], "张**");
    assert_eq!(masked["case"]["parties"][0]["phone"], "138****5678");
    assert_eq!(masked["case"]["address"], "中山西路…");
    let full = shown("officer");
    assert_eq!(full["case"]["parties"][0]["name"], "张三丰");
    assert_eq!(full["events"].as_array().unwrap().len(), 2);
    let report: Value = serde_json::from_slice(&run(dir.path(), &["report", "--json", "--by", "type"]).stdout).unwrap();
    assert!(report["groups"][0]["kpis"]["opened"].as_u64().unwrap() > 40);
    assert!(report["parameters"]["definitions"]["on_time_closure"].is_string());
    let o = run(dir.path(), &["ledger", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let db = rusqlite::Connection::open(dir.path().join("fengqiao-data/fengqiao.sqlite")).unwrap();
    db.execute("UPDATE case_parties SET name = '王五' WHERE name = '张三丰'", [])
        .unwrap();
    let id: i64 = db
        .query_row("SELECT id FROM cases WHERE code = ?1", [&code], |r| r.get(0))
        .unwrap();
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["mismatches"].to_string().contains(&format!("case {id}")), "{v}");
}

/// 最多跑一次: a citizen submits a request without an account and gets a
/// token; the request is handled, fails verification, is reworked and
/// closed; the citizen follows it and rates it with the token, once.
#[test]
fn a_citizen_request_is_followed_and_rated_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "case",
            "open",
            "--type",
            "request",
            "--category",
            "request.noise",
            "--title",
            "夜间施工噪声",
            "--role",
            "citizen",
            "--party",
            "reporter:赵六:13900001111",
            "--in-person-visits",
            "0",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let opened: Value = serde_json::from_slice(&o.stdout).unwrap();
    let token = opened["tracking_token"].as_str().unwrap().to_string();
    assert_eq!(
        opened["parties"][0]["name"], "赵*",
        "a citizen's own view is masked too"
    );
    assert!(
        opened.get("token_hash").is_none_or(Value::is_null),
        "the hash never leaves the store"
    );
    let code = opened["code"].as_str().unwrap().to_string();
    let track =
        || -> Value { serde_json::from_slice(&run(dir.path(), &["case", "track", &token, "--json"]).stdout).unwrap() };
    assert_eq!(
        (track()["stage"].as_str(), track()["status"].as_str()),
        (Some("accepted"), Some("open"))
    );
    for step in [
        &["register", "--role", "officer"][..],
        &["dispatch", "--role", "analyst"],
        &["start", "--role", "department"],
        &["report", "--role", "department"],
        &["rework", "--role", "officer", "--reason", "夜间仍有施工"],
        &["report", "--role", "department"],
        &["verify", "--role", "officer"],
        &["close", "--role", "officer"],
    ] {
        let o = run(dir.path(), &[&["case", "act", &code][..], step].concat());
        assert!(o.status.success(), "{step:?}: {}", stderr(&o));
    }
    let t = track();
    assert_eq!(
        (t["stage"].as_str(), t["status"].as_str()),
        (Some("closed"), Some("closed"))
    );
    assert_eq!(t["history"].as_array().unwrap().len(), 9);
    assert!(
        !t.to_string().contains("officer"),
        "no handler names in the public view: {t}"
    );
    assert!(
        run(dir.path(), &["case", "rate", &token.to_lowercase(), "5"])
            .status
            .success()
    );
    let again = run(dir.path(), &["case", "rate", &token, "4"]);
    assert!(stderr(&again).contains("already rated"), "{}", stderr(&again));
    assert!(
        !run(dir.path(), &["case", "track", "AAAA-BBBB-CCCC-DDDD"])
            .status
            .success()
    );
    let report: Value = serde_json::from_slice(&run(dir.path(), &["report", "--json"]).stdout).unwrap();
    let k = &report["groups"][0]["kpis"];
    assert_eq!(
        (k["rework"]["num"].as_u64(), k["satisfaction_mean"].as_f64()),
        (Some(1), Some(5.0))
    );
}

/// Evidence attached to a case is stored under its hash and logged; a file
/// swapped on disk afterwards is caught by `ledger verify`.
#[test]
fn attachments_are_stored_by_hash_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "case",
            "open",
            "--type",
            "hazard",
            "--category",
            "hazard.fire",
            "--title",
            "楼道堆物",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let code = serde_json::from_slice::<Value>(&o.stdout).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let photo = dir.path().join("现场照片.jpg");
    std::fs::write(&photo, b"\xff\xd8\xff not really a jpeg").unwrap();
    let o = run(dir.path(), &["case", "attach", &code, photo.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown: Value = serde_json::from_slice(&run(dir.path(), &["case", "show", &code, "--json"]).stdout).unwrap();
    let a = &shown["attachments"][0];
    assert_eq!(
        (a["file_name"].as_str(), a["media_type"].as_str()),
        (Some("现场照片.jpg"), Some("image/jpeg"))
    );
    let sha = a["sha256"].as_str().unwrap().to_string();
    let stored = dir.path().join("fengqiao-data/attachments").join(&sha[..2]).join(&sha);
    assert_eq!(std::fs::read(&stored).unwrap(), std::fs::read(&photo).unwrap());
    assert!(run(dir.path(), &["ledger", "verify"]).status.success());
    std::fs::write(&stored, b"another picture").unwrap();
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(!o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["mismatches"].to_string().contains("no longer match its hash"), "{v}");
    let missing = run(dir.path(), &["case", "attach", &code, "/nonexistent/file.pdf"]);
    assert!(
        stderr(&missing).contains("/nonexistent/file.pdf"),
        "{}",
        stderr(&missing)
    );
}

/// The rules every face obeys, through the CLI: a dispute's grade is the
/// server's, not the officer's; an imported fight at the dispute's address
/// (written differently) is linked to it, counted by the report and logged
/// in the ledger; errors exit with their code's number.
#[test]
fn disputes_are_graded_and_linked_to_the_incidents_that_follow() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(
        d,
        &[
            "case",
            "open",
            "--type",
            "dispute",
            "--category",
            "dispute.neighbour",
            "--title",
            "噪声纠纷",
            "--address",
            "鼓楼街道彩虹社区新典路88号",
            "--threats",
            "--party",
            "applicant:张三:13800000000",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let case: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(case["risk_grade"], "medium", "{case}");
    assert_eq!(case["risk"]["reasons"][0]["code"], "threats", "{case}");
    // A 110 export the next day: a fight at "新典路 ８８ 号", and a traffic call there too.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let csv = d.join("110.csv");
    std::fs::write(
        &csv,
        format!(
            "警情编号,发案时间,接警时间,派警时间,到场时间,处警结束时间,警情类别,警情来源,经度,纬度,发生地址,场所类型,处警单位\n\
             J1,{tomorrow},,,,,打架斗殴,110报警,121.55,29.87,鼓楼区新典路 ８８ 号,住宅,\n\
             J2,{tomorrow},,,,,交通事故,110报警,121.55,29.87,新典路88号,道路,\n"
        ),
    )
    .unwrap();
    let map = d.join("map.toml");
    std::fs::write(&map, include_str!("../../../demo/src/demo_mapping.toml")).unwrap();
    let o = run(
        d,
        &[
            "import",
            "incidents",
            csv.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let imported: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(imported["imported"], 2, "{imported}");
    assert_eq!(imported["escalation_links"], 1, "only the fight: {imported}");
    let o = run(d, &["report", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout).replace([' ', '\n'], "");
    assert!(report.contains("\"escalated_to_crime\":1"), "{report}");
    let o = run(d, &["ledger", "verify", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let code = case["code"].as_str().unwrap();
    let shown: Value = serde_json::from_slice(&run(d, &["case", "show", code, "--json"]).stdout).unwrap();
    assert_eq!(shown["escalations"][0]["category"], "public_order.fight", "{shown}");
    assert!(
        shown["escalations"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("同一地址")
    );
    let o = run(d, &["ledger", "proof", "link", "1", "--json"]);
    assert!(o.status.success(), "the link is a logged record: {}", stderr(&o));
    // Exit codes come from the error's code.
    let code = |args: &[&str]| run(d, args).status.code().unwrap();
    assert_eq!(code(&["case", "show", "XX-000000-20260101-0001"]), 3, "not found");
    assert_eq!(code(&["--timezone", "Mars/Base", "datasets"]), 6, "bad input");
    assert_eq!(code(&["case", "open", "--type", "dispute"]), 2, "usage");
    let o = run(
        d,
        &[
            "case",
            "open",
            "--type",
            "dispute",
            "--category",
            "dispute.neighbour",
            "--title",
            "x",
            "--lon",
            "200",
            "--lat",
            "30",
        ],
    );
    assert_eq!(o.status.code(), Some(6));
    assert!(one_line_error(&o).contains("not a WGS84 position"));
}

/// A deadline in a year whose public holidays the working calendar does
/// not list is flagged where it is shown: on opening, in `case show` and
/// its JSON.
#[test]
fn a_deadline_in_a_year_without_a_holiday_calendar_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let config = include_str!("../../../cases/data/default.toml").replace("years = [2025, 2026]", "years = []");
    assert!(config.contains("years = []"), "the built-in calendar names its years");
    std::fs::write(dir.path().join("cases.toml"), config).unwrap();
    let o = run(
        dir.path(),
        &[
            "--cases",
            "cases.toml",
            "case",
            "open",
            "--type",
            "hazard",
            "--category",
            "hazard.fire",
            "--title",
            "楼道堆放杂物",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let year = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y")
        .to_string();
    let warned = stderr(&o);
    assert!(
        warned.contains(&format!("no public holidays are on file for {year}")),
        "{warned}"
    );
    let code = String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let shown = run(dir.path(), &["--cases", "cases.toml", "case", "show", &code]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("warning: no public holidays"));
    let json = run(dir.path(), &["--cases", "cases.toml", "case", "show", &code, "--json"]);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["calendar_gaps"][0].as_i64(), Some(year.parse().unwrap()));
}
