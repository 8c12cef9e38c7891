//! The personnel registry from the command line, with the API's rules.

use crate::helpers::*;
use serde_json::Value;

/// The demo has each station's 民警 and 辅警 (enough for a 民警 to lead
/// every patrol car's crew round the clock); an import with a bad row adds
/// no one and says which line; leave shows on the day; the ledger covers it.
#[test]
fn personnel_are_listed_imported_and_given_leave() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(dir.path(), &["personnel", "list", "--station", "PS01", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let people: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let count = |k: &str| people.iter().filter(|p| p["kind"] == k).count();
    assert!(count("officer") >= 20 && count("auxiliary") >= 20, "{people:?}");
    assert!(
        people
            .iter()
            .all(|p| p["station"] == "PS01" && p["name"].as_str().unwrap().chars().count() >= 2)
    );

    let file = dir.path().join("roll.csv");
    std::fs::write(
        &file,
        "警号,姓名,人员类别,所属单位,班次\n099001,周正,民警,鼓楼派出所,白班\n099002,吴用,协警,PS01,\n",
    )
    .unwrap();
    let o = run(dir.path(), &["personnel", "import", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(one_line_error(&o).contains("line 3"), "{}", stderr(&o));
    std::fs::write(
        &file,
        "badge,name,kind,station,shifts\n099001,周正,officer,PS01,白班\n099002,吴用,辅警,PS01,\n",
    )
    .unwrap();
    let o = run(dir.path(), &["personnel", "import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 added"));

    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        .to_string();
    let o = run(
        dir.path(),
        &[
            "personnel",
            "leave",
            "--badge",
            "099001",
            "--kind",
            "annual",
            "--from",
            &today,
            "--to",
            &today,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        dir.path(),
        &[
            "personnel",
            "leave",
            "--badge",
            "099001",
            "--kind",
            "sick",
            "--from",
            &today,
            "--to",
            &today,
        ],
    );
    assert_eq!(o.status.code(), Some(4), "overlapping leave: {}", stderr(&o));
    let o = run(dir.path(), &["personnel", "list", "--station", "PS01", "--json"]);
    let people: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let zhou = people.iter().find(|p| p["badge"] == "099001").unwrap();
    assert_eq!(
        (zhou["leave_today"].as_str(), zhou["shifts"][0].as_str()),
        (Some("annual"), Some("day"))
    );

    // The demo publishes a four-week roster for each station from this Monday.
    let o = run(dir.path(), &["roster", "list", "--station", "PS01", "--json"]);
    let list: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (list[0]["state"].as_str(), list[0]["days"].as_u64()),
        (Some("published"), Some(28))
    );
    // A roster for the station: its rules kept, crews with the station's call signs; published once.
    let o = run(
        dir.path(),
        &[
            "roster",
            "build",
            "--station",
            "PS01",
            "--from",
            &today,
            "--weeks",
            "1",
            "--seconds",
            "1",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let roster: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(roster["body"]["violations"], serde_json::json!([]));
    let rows = roster["body"]["people"].as_array().unwrap();
    let zhou_row = rows.iter().position(|p| p["id"] == zhou["id"]).unwrap();
    assert!(
        roster["body"]["assignment"][zhou_row][0].is_null(),
        "on leave on the first day"
    );
    assert!(
        roster["body"]["assignment"][zhou_row]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.is_null() || s == 0),
        "days only"
    );
    let id = roster["id"].to_string();
    let o = run(dir.path(), &["roster", "show", &id, "--day", &today]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("鼓楼巡01"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        run(dir.path(), &["roster", "publish", &id, "--version", "1"])
            .status
            .success()
    );
    assert_eq!(
        run(dir.path(), &["roster", "publish", &id, "--version", "2"])
            .status
            .code(),
        Some(4)
    );

    // A sick call repairs it; a 民警's seat offered to a 辅警 is refused with the reason.
    let worker = rows
        .iter()
        .enumerate()
        .find(|(i, p)| p["kind"] == "officer" && !roster["body"]["assignment"][*i][1].is_null())
        .map(|(_, p)| p["badge"].as_str().unwrap().to_string())
        .unwrap();
    let day1 = (chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap() + chrono::Duration::days(1)).to_string();
    let o = run(
        dir.path(),
        &[
            "roster",
            "sick",
            &id,
            "--badge",
            &worker,
            "--from",
            &day1,
            "--to",
            &day1,
            "--version",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("shifts changed"));
    let o = run(
        dir.path(),
        &[
            "roster",
            "swap",
            &id,
            "--badge",
            &worker,
            "--with",
            "099002",
            "--day",
            &today,
            "--version",
            "3",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("sworn officer's seat"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = run(dir.path(), &["roster", "decide", &id, "1", "approve", "--version", "4"]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));

    // 二级勤务 over two days: half the station on post, the other half standing by; then lowered.
    let day2 = (chrono::NaiveDate::parse_from_str(&day1, "%Y-%m-%d").unwrap() + chrono::Duration::days(1)).to_string();
    let level = |code: &str, version: &str| {
        run(
            dir.path(),
            &[
                "roster",
                "level",
                &id,
                "--level",
                code,
                "--from",
                &day1,
                "--to",
                &day2,
                "--reason",
                "国庆安保",
                "--version",
                version,
            ],
        )
    };
    let e = one_line_error(&level("7", "4"));
    assert!(e.contains("level \"7\": one of 1, 2, 3"), "{e}");
    let o = level("2", "4");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("二级勤务") && text.contains("on standby"), "{text}");
    let o = run(dir.path(), &["roster", "lower", &id, "1", "--version", "5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("lowered"));
    // Every station's published roster over the days at once: the demo publishes one per station.
    let o = run(
        dir.path(),
        &[
            "roster",
            "level-all",
            "--level",
            "3",
            "--from",
            &day1,
            "--to",
            &day2,
            "--reason",
            "台风",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.matches("三级勤务 raised").count(), 8, "{text}");
    ledger_verifies(dir.path(), "fengqiao-data");
}
