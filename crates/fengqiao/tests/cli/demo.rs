//! The demo city and the server it starts.

use crate::helpers::*;
use serde_json::Value;

#[test]
fn port_in_use_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let e = one_line_error(&run(dir.path(), &["serve", "--bind", &addr, "--db", "db.sqlite"]));
    assert!(e.contains(&addr) && e.contains("--bind"), "{e}");
}

#[test]
fn demo_loads_once_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("明州区") && out.contains("rejected             0"),
        "{out}"
    );
    for f in [
        "fengqiao.sqlite",
        "demo/incidents-110.csv",
        "demo/jurisdictions.geojson",
        "demo/facilities.json",
        "demo/mapping.toml",
    ] {
        assert!(dir.path().join("fengqiao-data").join(f).is_file(), "{f}");
    }
    // The demo is live: its data run up to now, its forecast and plan are for the real next shift.
    let before = chrono::Utc::now().timestamp();
    let db = rusqlite::Connection::open(dir.path().join("fengqiao-data/fengqiao.sqlite")).unwrap();
    let (start, end): (i64, i64) = db
        .query_row(
            "SELECT window_start, window_end FROM forecast_runs WHERE window_kind = 'shift' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        start > before - 600 && start <= before + 8 * 3600 && end - start == 8 * 3600,
        "{start} {before}"
    );
    let planned: i64 = db
        .query_row("SELECT COUNT(*) FROM plans WHERE window_start = ?1", [start], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(planned >= 1, "a plan for the next shift");
    let newest: i64 = db
        .query_row("SELECT MAX(occurred_at) FROM incidents", [], |r| r.get(0))
        .unwrap();
    assert!(
        newest <= before && newest > before - 86_400,
        "incidents up to now: {newest} {before}"
    );
    drop(db);
    let again = run(dir.path(), &["demo", "--no-serve", "--days", "7"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already loaded"));
    // A different demo into the same database is refused rather than mixed in.
    let e = one_line_error(&run(dir.path(), &["demo", "--no-serve", "--days", "8"]));
    assert!(e.contains("different demo"), "{e}");
    // The exported 110 file imports through its mapping like any real export.
    let o = run(
        dir.path(),
        &[
            "import",
            "incidents",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--json",
        ],
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["imported"].as_u64(), Some(0));
    assert_eq!(v["duplicates"], v["read"]);

    // Serve it and ask for health, then stop the process.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let mut child = bin()
        .current_dir(dir.path())
        .args(["serve", "--bind", &addr.to_string()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let http = |req: String| -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let mut body = String::new();
    for _ in 0..100 {
        if std::net::TcpStream::connect(addr).is_ok() {
            body = http("GET /health HTTP/1.0\r\n\r\n".into());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        body.starts_with("HTTP/1.0 200") && body.contains("\"status\":\"ok\""),
        "{body}"
    );
    // The duty commander signs in with the demo account and runs a forecast and a plan over the API.
    let creds = r#"{"username":"commander","password":"demo-commander-2026"}"#;
    let login = http(format!(
        "POST /api/v1/session HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{creds}",
        creds.len()
    ));
    assert!(login.starts_with("HTTP/1.0 200"), "{login}");
    let cookie = login
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let csrf = serde_json::from_str::<Value>(login.split("\r\n\r\n").nth(1).unwrap()).unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let post = |path: &str| {
        http(format!(
            "POST {path} HTTP/1.0\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
        ))
    };
    let f = post("/api/v1/forecasts");
    assert!(f.starts_with("HTTP/1.0 201"), "{f}");
    let p = post("/api/v1/plans");
    assert!(p.starts_with("HTTP/1.0 201"), "{p}");
    let plan_id = serde_json::from_str::<Value>(p.split("\r\n\r\n").nth(1).unwrap()).unwrap()["id"].clone();
    let r = post(&format!("/api/v1/plans/{plan_id}/replay"));
    assert!(r.starts_with("HTTP/1.0 200"), "{r}");
    let report = serde_json::from_str::<Value>(r.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert!(report["plan"]["visibility_rate"].is_number(), "{report}");
    // The command centre's cards: the demo planned the shift holding the newest
    // incident, scored here on that shift's real incidents, as a replay scores it.
    let k = http(format!("GET /api/v1/kpis/shift HTTP/1.0\r\nCookie: {cookie}\r\n\r\n"));
    assert!(k.starts_with("HTTP/1.0 200"), "{k}");
    let k = serde_json::from_str::<Value>(k.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert!(
        at(&k["window"][0]) <= at(&k["data_until"]) && at(&k["data_until"]) < at(&k["window"][1]),
        "{k}"
    );
    assert!(
        k["incidents"].as_u64().unwrap() > 0 && k["forecast_expected"].as_f64().unwrap() > 0.0,
        "{k}"
    );
    let r = post(&format!("/api/v1/plans/{}/replay", k["plan_id"]));
    let replayed = serde_json::from_str::<Value>(r.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(replayed["plan"]["visibility_rate"], k["visibility_rate"]);
    assert_eq!(replayed["plan"]["handling_rate"], k["handling_rate"]);
    assert_eq!(replayed["baselines"]["posts_only"], k["posts_only"]);
    let anon =
        http("POST /api/v1/forecasts HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".into());
    assert!(anon.starts_with("HTTP/1.0 401"), "{anon}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn chicago_demo_loads_the_shipped_real_subset() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--dataset", "chicago", "--no-serve"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ds: Value = serde_json::from_slice(&run(dir.path(), &["datasets", "--json"]).stdout).unwrap();
    assert_eq!(ds[0]["name"], "chicago");
    // 15,328 rows of 2019; a handful fall outside the city's box and are rejected.
    let n = ds[0]["incidents"].as_u64().unwrap();
    assert!((15_200..=15_328).contains(&n), "{n}");
}

/// A station's day at the command line in Chinese: the demo, the forecast,
/// plan and staffing, cases, the KPI report, rosters, personnel,
/// volunteers, accounts and the ledger all read as Chinese, with only codes,
/// commands and data in Latin letters.
#[test]
fn a_station_s_day_at_the_command_line_reads_as_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let zh = |args: &[&str]| {
        let o = bin()
            .current_dir(dir.path())
            .env("FENGQIAO_LANG", "zh-CN")
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let demo = zh(&["demo", "--no-serve", "--days", "7"]);
    assert!(
        demo.contains("演示城市 明州区") && demo.contains("个派出所发布四周排班表"),
        "{demo}"
    );
    let code = {
        let o = run(dir.path(), &["case", "list", "--json", "--limit", "1"]);
        let cases: Value = serde_json::from_slice(&o.stdout).unwrap();
        cases[0]["code"].as_str().unwrap().to_string()
    };
    let mut all = demo.clone();
    for args in [
        vec!["datasets"],
        vec!["forecast"],
        vec!["plan"],
        vec!["staffing"],
        vec!["case", "list"],
        vec!["case", "show", code.as_str(), "--role", "officer"],
        vec!["case", "mediators"],
        vec!["report"],
        vec!["report", "--by", "department"],
        vec!["roster", "list", "--station", "PS01"],
        vec!["roster", "show", "1"],
        vec!["personnel", "list", "--station", "PS01"],
        vec!["volunteer", "list"],
        vec!["volunteer", "activities"],
        vec!["ledger", "verify"],
    ] {
        let out = zh(&args);
        assert!(!out.trim().is_empty(), "{args:?} printed nothing");
        all.push_str(&out);
    }
    assert!(
        all.contains("部署方案") && all.contains("按期结案率") && all.contains("共 "),
        "{all}"
    );
    assert!(all.contains("每条记录和整棵树都核验通过"), "{all}");
    // Data and codes: the demo's file and dataset, the accounts it made,
    // the forecast model's code, the command and file the report cites.
    let data = [
        "demo",
        "admin",
        "commander",
        "officer",
        "fq",
        "README",
        "fengqiao",
        "report",
        "equity",
        "--json",
        "docs",
        "PRODUCT.md",
    ];
    assert_eq!(latin_words(&all, &data), Vec::<String>::new(), "{all}");
    // The same commands in English keep their English.
    let o = run(dir.path(), &["case", "list", "--limit", "3"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 cases"), "{}", stderr(&o));
}
