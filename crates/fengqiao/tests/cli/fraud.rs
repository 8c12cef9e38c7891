//! `fengqiao fraud` and `fengqiao callbacks`: the anti-fraud centre's
//! warnings imported from its CSV export (once, every row or none) and the
//! dissuasion report in a table, JSON and CSV; the week's 110 callbacks
//! drawn once and their satisfaction report.

use crate::helpers::{one_line_error, run, stderr};
use serde_json::Value;

#[test]
fn warnings_imported_once_every_row_or_none_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = |args: &[&str]| {
        let o = run(dir.path(), &[&["fraud", "report"], args].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };
    let before: Value = serde_json::from_slice(&report(&["--json"]).stdout).unwrap();
    // The demo's warnings, four weeks of them, at every stage.
    let warned = before["total"]["warnings"].as_u64().unwrap();
    assert!(warned >= 40, "{warned}");
    assert!(before["total"]["dissuaded"].as_u64().unwrap() > 0);
    assert!(before["total"]["open"].as_u64().unwrap() > 0);

    // A village of the demo city, from a case's code (FZ-<area>-<day>-<n>).
    let list: Vec<Value> =
        serde_json::from_slice(&run(dir.path(), &["case", "list", "--type", "fraud", "--json"]).stdout).unwrap();
    let code = list[0]["code"].as_str().unwrap();
    let area = code["FZ-".len()..].rsplitn(3, '-').nth(2).unwrap().to_string();
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
    let at = (now - chrono::Duration::minutes(2)).format("%Y-%m-%d %H:%M");
    let file = dir.path().join("warnings.csv");
    std::fs::write(
        &file,
        format!("received_at,phone,name,scam_type,area\n{at},13911112222,李某,investment,{area}\n{at},13911113333,,fraud.loan,{area}\n"),
    )
    .unwrap();
    let import = |lang: &str| run(dir.path(), &["--lang", lang, "fraud", "import", file.to_str().unwrap()]);
    let o = import("en");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("2 warnings opened as dissuasion cases, 0 on file already  FZ-")
    );
    let o = import("zh-CN");
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("已为 0 条预警建立劝阻任务，2 条此前已导入"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // One bad row: nothing opened, the row and the column named, exit 6.
    std::fs::write(
        &file,
        format!(
            "received_at,phone,scam_type,area\n{at},13911114444,investment,{area}\n{at},13911115555,lottery,{area}\n"
        ),
    )
    .unwrap();
    let o = import("en");
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    let e = one_line_error(&o);
    assert!(e.contains("warning 2") && e.contains("lottery"), "{e}");
    std::fs::write(&file, "phone,scam_type\n13911116666,investment\n").unwrap();
    let e = one_line_error(&import("en"));
    assert!(e.contains("received_at"), "{e}");

    let after: Value = serde_json::from_slice(&report(&["--json"]).stdout).unwrap();
    assert_eq!(after["total"]["warnings"].as_u64().unwrap(), warned + 2);
    assert_eq!(
        after["total"]["open"].as_u64().unwrap(),
        before["total"]["open"].as_u64().unwrap() + 2
    );

    let csv = String::from_utf8(report(&["--csv", "--weeks", "5"]).stdout).unwrap();
    assert!(
        csv.starts_with("station,week,warnings,reached,reached_in_time,dissuaded,"),
        "{csv}"
    );
    assert!(csv.lines().count() > 2);
    let table = String::from_utf8(report(&["--weeks", "5"]).stdout).unwrap();
    assert!(
        table.contains("及时联系率") || table.contains("reached in time"),
        "{table}"
    );
    let e = one_line_error(&run(dir.path(), &["fraud", "report", "--weeks", "60"]));
    assert!(e.contains("weeks"), "{e}");

    // The demo drew last week's 110 callbacks and answered most: drawn once.
    let o = run(dir.path(), &["callbacks", "report", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        r["total"]["drawn"].as_u64().unwrap() > 0 && r["total"]["reached"].as_u64().unwrap() > 0,
        "{r}"
    );
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let week = fengqiao_app::callbacks::week_of(today - chrono::Duration::days(7));
    let shown: Value =
        serde_json::from_slice(&run(dir.path(), &["callbacks", "show", "--week", &week]).stdout).unwrap();
    assert_eq!(shown["week"], week.as_str());
    assert_eq!(shown["seed"].as_str().unwrap().len(), 64);
    let o = run(dir.path(), &["--lang", "en", "callbacks", "draw", "--week", &week]);
    let e = one_line_error(&o);
    assert!(e.contains("drawn already"), "{e}");
    let table = String::from_utf8(run(dir.path(), &["--lang", "zh-CN", "callbacks", "report"]).stdout).unwrap();
    assert!(table.contains("满意率") && table.contains("n="), "{table}");
}
