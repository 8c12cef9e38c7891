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
    ledger_verifies(dir.path(), "fengqiao-data");
}
