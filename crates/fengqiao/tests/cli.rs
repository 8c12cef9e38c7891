//! The `fengqiao` binary as a user runs it: real files, real databases,
//! exit codes and one-line errors.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fengqiao"));
    // Settings come from flags in these tests, never from the environment.
    for v in [
        "FENGQIAO_CONFIG",
        "FENGQIAO_DATA_DIR",
        "FENGQIAO_DB",
        "FENGQIAO_BIND",
        "FENGQIAO_TIMEZONE",
        "FENGQIAO_CELL_M",
    ] {
        c.env_remove(v);
    }
    c
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ingest/testdata")
        .join(name)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn one_line_error(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected failure, got success: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let e = stderr(o);
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    assert!(e.starts_with("error: "), "{e}");
    e
}

#[test]
fn import_prints_json_counts_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let file = testdata("chicago_aggravated_assaults.csv.gz");
    let args = [
        "import",
        "incidents",
        file.to_str().unwrap(),
        "--profile",
        "chicago",
        "--db",
        "db.sqlite",
        "--json",
    ];
    let first = run(dir.path(), &args);
    assert!(first.status.success(), "{}", stderr(&first));
    let v: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(
        (
            v["read"].as_u64(),
            v["imported"].as_u64(),
            v["duplicates"].as_u64(),
            v["rejected"].as_u64()
        ),
        (Some(60), Some(60), Some(0), Some(0))
    );
    let again: Value = serde_json::from_slice(&run(dir.path(), &args).stdout).unwrap();
    assert_eq!(
        (again["imported"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(60))
    );
    // The plain file and the gzip file are the same rows.
    let plain = testdata("chicago_aggravated_assaults.csv");
    let third = run(
        dir.path(),
        &[
            "import",
            "incidents",
            plain.to_str().unwrap(),
            "--profile",
            "chicago",
            "--db",
            "db.sqlite",
            "--json",
        ],
    );
    let third: Value = serde_json::from_slice(&third.stdout).unwrap();
    assert_eq!(third["duplicates"].as_u64(), Some(60));
    let ds = run(dir.path(), &["datasets", "--db", "db.sqlite", "--json"]);
    let ds: Value = serde_json::from_slice(&ds.stdout).unwrap();
    assert_eq!(ds[0]["incidents"].as_u64(), Some(60));
}

#[test]
fn rejected_rows_go_to_a_rejects_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = testdata("houston_crime_2010.csv");
    let o = run(
        dir.path(),
        &[
            "import",
            "incidents",
            file.to_str().unwrap(),
            "--profile",
            "houston",
            "--db",
            "db.sqlite",
            "--rejects",
            "r.csv",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rejected"].as_u64(), Some(4));
    let rejects = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 5);
    assert!(
        rejects.contains("18,lon/lat,") && rejects.contains("blank coordinate"),
        "{rejects}"
    );
}

#[test]
fn bad_input_gets_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = testdata("vancouver_thefts.csv");
    let f = file.to_str().unwrap();
    let e = one_line_error(&run(
        dir.path(),
        &["import", "incidents", f, "--profile", "atlantis", "--db", "db.sqlite"],
    ));
    assert!(e.contains("unknown profile") && e.contains("vancouver"), "{e}");

    // Wrong CRS: every row rejected, nothing stored, no dataset left behind.
    let map = dir.path().join("wrong.toml");
    let text = include_str!("../../ingest/profiles/vancouver.toml").replace("EPSG:32610", "EPSG:4326");
    std::fs::write(&map, text).unwrap();
    let e = one_line_error(&run(
        dir.path(),
        &[
            "import",
            "incidents",
            f,
            "--map",
            map.to_str().unwrap(),
            "--db",
            "db.sqlite",
        ],
    ));
    assert!(
        e.contains("not a longitude/latitude pair") && e.contains("EPSG:4326"),
        "{e}"
    );
    let ds: Value =
        serde_json::from_slice(&run(dir.path(), &["datasets", "--db", "db.sqlite", "--json"]).stdout).unwrap();
    assert_eq!(ds, Value::Array(vec![]));

    let bad_map = dir.path().join("bad.toml");
    std::fs::write(&bad_map, "name = \"x\"\nx = 1\n").unwrap();
    let e = one_line_error(&run(
        dir.path(),
        &[
            "import",
            "incidents",
            f,
            "--map",
            bad_map.to_str().unwrap(),
            "--db",
            "db.sqlite",
        ],
    ));
    assert!(e.contains("bad.toml"), "{e}");

    let e = one_line_error(&run(
        dir.path(),
        &[
            "import",
            "incidents",
            "missing.csv",
            "--profile",
            "chicago",
            "--db",
            "db.sqlite",
        ],
    ));
    assert!(e.contains("missing.csv"), "{e}");

    // A database path under a regular file cannot be created.
    std::fs::write(dir.path().join("plainfile"), b"x").unwrap();
    let e = one_line_error(&run(
        dir.path(),
        &[
            "import",
            "incidents",
            f,
            "--profile",
            "vancouver",
            "--db",
            "plainfile/db.sqlite",
        ],
    ));
    assert!(e.contains("plainfile"), "{e}");

    let e = one_line_error(&run(dir.path(), &["serve", "--bind", "localhost", "--db", "db.sqlite"]));
    assert!(e.contains("IP:PORT"), "{e}");
}

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

#[test]
fn profiles_lists_every_dataset_profile() {
    let o = bin().arg("profiles").output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    for p in [
        "chicago",
        "houston",
        "nyc-vehicle",
        "vancouver",
        "cincinnati",
        "medellin",
        "sf",
        "portland",
    ] {
        assert!(out.lines().any(|l| l.starts_with(p)), "{p} missing from {out}");
    }
}

#[test]
fn a_custom_category_table_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cats.toml"),
        "[[category]]\ncode = \"other\"\nzh = \"其他\"\nen = \"Other\"\n[[category]]\ncode = \"violence\"\nzh = \"暴力\"\nen = \"Violence\"\n",
    )
    .unwrap();
    let map = dir.path().join("m.toml");
    let text = include_str!("../../ingest/profiles/chicago.toml").replace("criminal.assault.aggravated", "violence");
    std::fs::write(&map, text).unwrap();
    let file = testdata("chicago_aggravated_assaults.csv");
    let args = [
        "--categories",
        "cats.toml",
        "import",
        "incidents",
        file.to_str().unwrap(),
        "--map",
        "m.toml",
        "--db",
        "db.sqlite",
        "--json",
    ];
    let o = run(dir.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    // The built-in table does not know `violence`: the same mapping fails without the custom table.
    let e = one_line_error(&run(dir.path(), &args[2..]));
    assert!(e.contains("violence"), "{e}");
}

/// kill -9 in the middle of an import: what was committed is whole batches
/// with a record of where they stopped, and running the import again
/// finishes it with every row counted once.
#[test]
fn an_import_killed_midway_resumes_without_loss() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    let rows = 300_000;
    let mut text = String::from("date,loc_cat,longitude,latitude,district\n");
    let start = chrono::NaiveDate::from_ymd_opt(2015, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    for i in 0..rows {
        let t = start + chrono::Duration::minutes(i);
        let _ = writeln!(
            text,
            "{},street,{:.4},{:.4},1",
            t.format("%Y-%m-%d %H:%M"),
            -87.7 + (i % 97) as f64 * 0.001,
            41.8 + (i % 89) as f64 * 0.001
        );
    }
    std::fs::write(&file, text).unwrap();
    let f = file.to_str().unwrap();
    let args = [
        "import",
        "incidents",
        f,
        "--profile",
        "chicago",
        "--db",
        "db.sqlite",
        "--json",
    ];
    let mut child = bin()
        .current_dir(dir.path())
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut committed = 0;
    for _ in 0..400 {
        let o = run(dir.path(), &["datasets", "--db", "db.sqlite", "--json"]);
        if let Ok(v) = serde_json::from_slice::<Value>(&o.stdout) {
            committed = v.get(0).and_then(|d| d["incidents"].as_u64()).unwrap_or(0);
        }
        if committed > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(committed > 0, "no batch was committed before the kill");
    let o = run(dir.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    eprintln!("second run after the kill: {v}");
    assert_eq!(v["read"].as_u64(), Some(rows as u64));
    assert_eq!(
        v["imported"].as_u64().unwrap() + v["duplicates"].as_u64().unwrap(),
        rows as u64
    );
    let ds: Value =
        serde_json::from_slice(&run(dir.path(), &["datasets", "--db", "db.sqlite", "--json"]).stdout).unwrap();
    assert_eq!(ds[0]["incidents"].as_u64(), Some(rows as u64));
    // Unless the first run finished before the kill landed, the second knew where it had stopped.
    if v["duplicates"].as_u64().unwrap() < rows as u64 {
        let line = v["resumed_after_line"]
            .as_u64()
            .expect("the interrupted run was recorded");
        assert!(line > 1 && line <= rows as u64 + 1, "{line}");
        assert_eq!(
            v["duplicates"].as_u64().unwrap(),
            line - 1,
            "committed batches end exactly at the recorded line"
        );
    }
}

#[test]
fn backtest_scores_every_model_on_the_demo_city() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "120"])
            .status
            .success()
    );
    let svg = dir.path().join("plot.svg");
    let o = run(
        dir.path(),
        &[
            "backtest",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--from",
            "2025-04-01",
            "--to",
            "2025-04-30",
            "--cell",
            "250",
            "--bootstrap",
            "100",
            "--json",
            "--plot",
            svg.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["windows"].as_u64(), Some(30));
    assert!(v["valid_cells"].as_u64().unwrap() > 100);
    let names: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["naive", "retro", "prospective", "etas", "fq"]);
    for m in v["models"].as_array().unwrap() {
        for c in ["0.01", "0.02", "0.05", "0.1", "0.2"] {
            let h = m["hit_rate"][c].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&h));
            assert!((m["pai"][c].as_f64().unwrap() - h / c.parse::<f64>().unwrap()).abs() < 1e-9);
            assert!(m["pei"][c].as_f64().unwrap() <= 1.0);
            let ci = m["ci"][c].as_array().unwrap();
            assert!(ci[0].as_f64().unwrap() <= h + 1e-9 && h <= ci[1].as_f64().unwrap() + 1e-9);
        }
        assert!(m["seconds"].as_f64().is_some());
    }
    // Hot spots in the demo city are stable: every model beats chance by far.
    assert!(v["models"][0]["pai"]["0.05"].as_f64().unwrap() > 3.0);
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.starts_with("<svg") && plot.contains("fq"));
    // From the database, with the jurisdiction polygons as the study area.
    let o = run(
        dir.path(),
        &[
            "backtest",
            "--dataset",
            "demo",
            "--from",
            "2025-04-01",
            "--to",
            "2025-04-14",
            "--models",
            "naive,fq,peek",
            "--cell",
            "250",
            "--study-area",
            "jurisdictions",
            "--bootstrap",
            "50",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["study_area"].as_str().unwrap().contains("jurisdiction"));
    assert!(
        j["valid_cells"].as_u64().unwrap() > v["valid_cells"].as_u64().unwrap(),
        "the polygons cover more cells than the history"
    );
    let d = &j["models"][1]["paired"][0];
    assert_eq!(d["against"], "naive");
    let (lo, hi) = (
        d["difference_ci"]["0.05"][0].as_f64().unwrap(),
        d["difference_ci"]["0.05"][1].as_f64().unwrap(),
    );
    assert!(lo <= d["difference"]["0.05"].as_f64().unwrap() && d["difference"]["0.05"].as_f64().unwrap() <= hi);
    // The ceiling is reported but never taken as the best baseline.
    assert_eq!(j["models"][2]["name"], "peek");
    for m in j["models"].as_array().unwrap() {
        assert!(m["paired"].as_array().unwrap().iter().all(|p| p["against"] != "peek"));
    }
    // Unknown model names are refused with the list of known ones.
    let e = one_line_error(&run(
        dir.path(),
        &[
            "backtest",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--from",
            "2025-04-01",
            "--to",
            "2025-04-02",
            "--models",
            "crystalball",
        ],
    ));
    assert!(e.contains("crystalball") && e.contains("prospective"), "{e}");
}

#[test]
fn forecast_writes_a_stored_run_and_geojson() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "90"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("forecast for the next shift"));
    let o = run(
        dir.path(),
        &["forecast", "--window", "day", "--json", "--geojson", "fc.geojson"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["forecast"];
    assert_eq!(
        (f["dataset"].as_str(), f["window_kind"].as_str(), f["model"].as_str()),
        (Some("demo"), Some("day"), Some("fq"))
    );
    // The next day after the data: the demo's 90 days end on 2025-03-31 (Beijing time).
    assert_eq!(f["window_start"].as_str(), Some("2025-03-31T16:00:00Z"));
    assert!(f["data_cutoff"].as_str().unwrap() < f["window_start"].as_str().unwrap());
    let total = v["expected_total"].as_f64().unwrap();
    assert!(
        (80.0..400.0).contains(&total),
        "a day of the demo city expects about 180 incidents, got {total}"
    );
    let g: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("fc.geojson")).unwrap()).unwrap();
    assert_eq!(g["features"][0]["properties"]["rank"], 1);
    let e = one_line_error(&run(dir.path(), &["forecast", "--model", "oracle"]));
    assert!(e.contains("oracle"), "{e}");
}

#[test]
fn feedback_simulation_reports_the_three_controls() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "60"])
            .status
            .success()
    );
    let o = run(
        dir.path(),
        &[
            "simulate",
            "feedback",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--days",
            "60",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let weights: Vec<f64> = runs
        .iter()
        .map(|r| r["config"]["officer_weight"].as_f64().unwrap())
        .collect();
    assert_eq!(weights, [1.0, 0.5, 0.0]);
    for r in runs {
        assert_eq!(r["days"].as_array().unwrap().len(), 60);
        let e = r["final_efficiency"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&e));
    }
    // Patrols still discover incidents under the control; it only keeps them out of the record.
    assert!(
        runs[2]["days"][59]["officer_share"].as_f64().unwrap() > 0.0,
        "discoveries happen"
    );
    let e = one_line_error(&run(
        dir.path(),
        &[
            "simulate",
            "feedback",
            "--input",
            "x.csv",
            "--profile",
            "chicago",
            "--report-rate",
            "2",
        ],
    ));
    assert!(e.contains("--report-rate"), "{e}");
}

#[test]
fn plan_covers_the_demo_forecast_and_names_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "90"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("deployment plan"));
    let o = run(dir.path(), &["plan", "--json", "--geojson", "plan.geojson"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = |k: &str| v["coverage"][k].as_f64().unwrap();
    assert!(0.0 < c("1") && c("1") <= c("3") && c("3") <= c("5") && c("5") <= 1.0);
    assert!(v["objective"].as_f64().unwrap() > 0.0 && v["seconds"].as_f64().is_some());
    assert!(v.get("gap").is_some());
    let units = v["units"].as_array().unwrap();
    let stations: u64 = v["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["units"].as_u64().unwrap())
        .sum();
    assert_eq!(units.len() as u64, stations);
    assert!(units.len() >= 8, "every demo station sends its units");
    for u in units {
        let visits = u["visits"].as_array().unwrap();
        assert!(!visits.is_empty(), "{u}");
        let times: Vec<&str> = visits.iter().map(|v| v["start"].as_str().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "visits in order");
        assert!(times[0].ends_with("+08:00"), "local times: {}", times[0]);
    }
    let g: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.geojson")).unwrap()).unwrap();
    let kinds: std::collections::HashSet<&str> = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap())
        .collect();
    for k in ["unit", "round", "response_ring", "post"] {
        assert!(kinds.contains(k), "{k} in {kinds:?}");
    }
    // A units file: two cars at one station, one foot patrol at another, and a presence rule.
    std::fs::write(
        dir.path().join("units.toml"),
        "[[station]]\ncode = \"PS01\"\nunits = { car = 2 }\n[[station]]\ncode = \"PS02\"\nunits = { foot = 1 }\n",
    )
    .unwrap();
    let o = run(dir.path(), &["plan", "--units", "units.toml", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let types: Vec<&str> = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "car").count(), 2);
    assert_eq!(types.iter().filter(|t| **t == "foot").count(), 1);
    // Travel by road: a sparse grid of streets reaches less than straight lines do.
    let mut roads = Vec::new();
    for i in 0..=12 {
        let f = 121.40 + 0.26 * f64::from(i) / 12.0;
        let g = 29.76 + 0.22 * f64::from(i) / 12.0;
        roads.push(serde_json::json!({"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": [[121.40, g], [121.66, g]]}}));
        roads.push(serde_json::json!({"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": [[f, 29.76], [f, 29.98]]}}));
    }
    std::fs::write(
        dir.path().join("roads.geojson"),
        serde_json::json!({"type": "FeatureCollection", "features": roads}).to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("by-road.toml"),
        "[roads]\ngeojson = \"roads.geojson\"\n",
    )
    .unwrap();
    let o = run(dir.path(), &["plan", "--units", "by-road.toml", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let by_road: Value = serde_json::from_slice(&o.stdout).unwrap();
    let o = run(dir.path(), &["plan", "--json"]);
    let straight: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        by_road["coverage"]["1"].as_f64().unwrap() < straight["coverage"]["1"].as_f64().unwrap(),
        "road {} straight {}",
        by_road["coverage"],
        straight["coverage"]
    );
    // Bad input is named.
    let plan_error = |units: &str| {
        std::fs::write(dir.path().join("bad.toml"), units).unwrap();
        one_line_error(&run(dir.path(), &["plan", "--units", "bad.toml"]))
    };
    let e = plan_error("[[station]]\ncode = \"PS99\"\nunits = { car = 1 }\n");
    assert!(e.contains("unknown station \"PS99\""), "{e}");
    let e = plan_error("[[station]]\ncode = \"PS01\"\nunits = { car = 0 }\n");
    assert!(e.contains("no units"), "{e}");
    let e = plan_error(
        "[[station]]\ncode = \"PS01\"\nunits = { car = 1 }\n[[presence]]\njurisdiction = \"330299001\"\nunits = 3\n",
    );
    assert!(e.contains("330299001"), "{e}");
    let e = one_line_error(&run(dir.path(), &["plan", "--forecast", "999"]));
    assert!(e.contains("no forecast with id 999"), "{e}");
    // A past shift: forecast it from what came before, plan it, replay its real incidents.
    let o = run(
        dir.path(),
        &["forecast", "--date", "2025-03-01", "--shift", "1", "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let f: Value = serde_json::from_slice(&o.stdout).unwrap();
    let cutoff = f["forecast"]["data_cutoff"].as_str().unwrap();
    assert!(
        cutoff < f["forecast"]["window_start"].as_str().unwrap(),
        "cut-off {cutoff} before the window"
    );
    let id = f["forecast"]["id"].to_string();
    let o = run(dir.path(), &["plan", "--forecast", &id, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plan_id = serde_json::from_slice::<Value>(&o.stdout).unwrap()["id"].to_string();
    let o = run(dir.path(), &["replay", "--plan", &plan_id, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["plan"]["incidents"].as_u64().unwrap() > 20);
    assert!(
        r["plan"]["handling_rate"].as_f64().unwrap() > r["baselines"]["posts_only"]["handling_rate"].as_f64().unwrap(),
        "{r}"
    );
    let e = one_line_error(&run(dir.path(), &["replay", "--plan", "777"]));
    assert!(e.contains("no plan with id 777"), "{e}");
}

#[test]
fn plan_solves_covering_files_and_proves_small_ones() {
    let dir = tempfile::tempdir().unwrap();
    // Four demands, three sites, two to open: sites 0 and 2 cover everything (weight 10).
    std::fs::write(dir.path().join("tiny.txt"), "4 3 2\n4 1 0\n3 2 0 1\n2 1 2\n1 2 1 2\n").unwrap();
    let o = run(dir.path(), &["plan", "--mclp", "tiny.txt", "--exact", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["objective"], 10.0);
    assert_eq!(v["exact"]["objective"], 10.0);
    assert_eq!(v["exact"]["proven"], true);
    assert_eq!(v["gap"], 0.0);
    assert_eq!(v["gap_is_exact"], true);
    std::fs::write(dir.path().join("bad.txt"), "2 3 1\n4 1 0\n3 2 0 5\n").unwrap();
    let e = one_line_error(&run(dir.path(), &["plan", "--mclp", "bad.txt"]));
    assert!(
        e.contains("bad.txt") && e.contains("line 3") && e.contains("site 5"),
        "{e}"
    );
}

#[test]
fn replay_scores_plans_against_baselines() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "100"])
            .status
            .success()
    );
    let o = run(
        dir.path(),
        &[
            "replay",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--from",
            "2025-04-05",
            "--to",
            "2025-04-06",
            "--stations",
            "4",
            "--bootstrap",
            "50",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["shifts"], 6);
    assert_eq!(v["units"], 8);
    let names: Vec<&str> = v["baselines"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(names, ["even", "last_month", "posts_only", "yesterday"]);
    for k in std::iter::once(&v["plan"]).chain(v["baselines"].as_object().unwrap().values()) {
        let (vis, hand) = (
            k["visibility_rate"].as_f64().unwrap(),
            k["handling_rate"].as_f64().unwrap(),
        );
        assert!((0.0..=1.0).contains(&vis) && (0.0..=1.0).contains(&hand));
        assert_eq!(
            k["rings"]["5"].as_f64().unwrap(),
            hand,
            "handling = within the 5-minute target"
        );
        assert!(k["incidents"].as_u64().unwrap() > 100);
    }
    let u = &v["uplift"]["posts_only"]["handling_rate"];
    let (lo, d, hi) = (
        u["ci"][0].as_f64().unwrap(),
        u["difference"].as_f64().unwrap(),
        u["ci"][1].as_f64().unwrap(),
    );
    assert!(lo <= d && d <= hi);
}

#[test]
fn ledger_verifies_proves_and_names_tampered_records() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "20"])
            .status
            .success()
    );
    let key = std::fs::metadata(dir.path().join("fengqiao-data/ledger-signing.key")).unwrap();
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&key.permissions()) & 0o777,
        0o600
    );
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], true);
    let entries = v["entries"].as_u64().unwrap();
    assert!(entries > 1000, "every incident, the forecast and the plan: {entries}");
    assert_eq!(v["checkpoint"]["size"], entries);
    // A proof anyone can check with the checkpoint's public key.
    let o = run(dir.path(), &["ledger", "proof", "incident", "7", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p: Value = serde_json::from_slice(&o.stdout).unwrap();
    let vkey = fengqiao_tlog::note::Verifier::parse(p["vkey"].as_str().unwrap()).unwrap();
    let note = fengqiao_tlog::note::open(p["checkpoint"].as_str().unwrap().as_bytes(), &[vkey]).unwrap();
    let cp = fengqiao_tlog::Checkpoint::parse(&note.text).unwrap();
    let b64 =
        |s: &Value| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, s.as_str().unwrap()).unwrap();
    let proof: Vec<Vec<u8>> = p["proof"].as_array().unwrap().iter().map(b64).collect();
    let refs: Vec<&[u8]> = proof.iter().map(Vec::as_slice).collect();
    let leaf = fengqiao_tlog::leaf_hash(p["leaf"].as_str().unwrap().as_bytes());
    fengqiao_tlog::verify_inclusion(p["index"].as_u64().unwrap(), cp.size, &leaf, &refs, &cp.root).unwrap();
    let o = run(dir.path(), &["ledger", "consistency", "10", &entries.to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Tampering, each caught and named.
    let db = rusqlite::Connection::open(dir.path().join("fengqiao-data/fengqiao.sqlite")).unwrap();
    db.execute("UPDATE incidents SET lon = lon + 0.001 WHERE id = 5", [])
        .unwrap();
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(!o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["mismatches"][0]["record"], "incident 5", "{v}");
    db.execute("UPDATE incidents SET lon = lon - 0.001 WHERE id = 5", [])
        .unwrap();
    assert!(run(dir.path(), &["ledger", "verify"]).status.success(), "restored");
    db.execute("UPDATE plans SET summary = '{}'", []).unwrap();
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    assert!(
        v["mismatches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["record"] == "plan 1"),
        "{v}"
    );
    db.execute("DELETE FROM ledger_entries WHERE seq = 3", []).unwrap();
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    let reasons: Vec<&str> = v["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("entries were removed")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("the log was rewritten")),
        "{reasons:?}"
    );
}

/// A fresh demo with a signed ledger, then one kind of tampering: `ledger
/// verify` fails and its mismatches mention `expect`.
fn tampered(tamper: impl Fn(&Path, &rusqlite::Connection), expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "10"])
            .status
            .success()
    );
    assert!(run(dir.path(), &["ledger", "verify"]).status.success());
    let db = rusqlite::Connection::open(dir.path().join("fengqiao-data/fengqiao.sqlite")).unwrap();
    tamper(dir.path(), &db);
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(!o.status.success(), "{expect}: tampering went unnoticed");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = v["mismatches"].to_string();
    assert!(all.contains(expect), "{expect} not in {all}");
}

#[test]
fn ledger_catches_every_kind_of_tampering() {
    // A row deleted: named by the record.
    tampered(
        |_, db| drop(db.execute("DELETE FROM incidents WHERE id = 9", [])),
        "incident 9",
    );
    // An entry changed: its record no longer matches, and the tree no longer hashes to the checkpoint.
    tampered(
        |_, db| drop(db.execute("UPDATE ledger_entries SET actor = 'someone else' WHERE seq = 2", [])),
        "the log was rewritten",
    );
    // Entries reordered.
    tampered(
        |_, db| {
            db.execute_batch(
                "UPDATE ledger_entries SET seq = -1 WHERE seq = 0;
                 UPDATE ledger_entries SET seq = 0 WHERE seq = 1;
                 UPDATE ledger_entries SET seq = 1 WHERE seq = -1;",
            )
            .unwrap();
        },
        "the log was rewritten",
    );
    // The log truncated.
    tampered(
        |_, db| drop(db.execute("DELETE FROM ledger_entries WHERE seq >= 100", [])),
        "the log was rewritten",
    );
    // A checkpoint with a forged signature.
    tampered(
        |_, db| {
            let note: String = db
                .query_row(
                    "SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let (text, sig) = note.rsplit_once(' ').unwrap();
            let mut bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sig.trim()).unwrap();
            bytes[10] ^= 1;
            let forged = format!(
                "{text} {}\n",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
            );
            db.execute("UPDATE ledger_checkpoints SET note = ?1", [forged]).unwrap();
        },
        "signature",
    );
    // A validly signed checkpoint for a different tree.
    tampered(
        |dir, db| {
            let skey = std::fs::read_to_string(dir.join("fengqiao-data/ledger-signing.key")).unwrap();
            let signer = fengqiao_tlog::note::Signer::parse(skey.trim()).unwrap();
            let size: i64 = db
                .query_row("SELECT MAX(size) FROM ledger_checkpoints", [], |r| r.get(0))
                .unwrap();
            let other = fengqiao_tlog::Checkpoint {
                origin: "fengqiao/ledger".into(),
                size: size as u64,
                root: fengqiao_tlog::leaf_hash(b"another history"),
                extensions: vec![],
            };
            let note = fengqiao_tlog::note::sign(&other.to_text(), &[&signer]).unwrap();
            db.execute(
                "UPDATE ledger_checkpoints SET note = ?1 WHERE size = ?2",
                rusqlite::params![note, size],
            )
            .unwrap();
        },
        "the log was rewritten",
    );
    // A stored tree tile changed: proofs served from it would not verify.
    tampered(
        |_, db| {
            drop(db.execute(
                "UPDATE ledger_tiles SET hashes = zeroblob(length(hashes)) WHERE level = 0 AND idx = 0",
                [],
            ))
        },
        "tile/0/000",
    );
}

/// The signing key lives where the settings say, outside the data directory
/// if asked; a checkpoint signed by another key then fails verification.
#[test]
fn the_signing_key_is_where_the_settings_say() {
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("ledger.key");
    let with_key = ["--ledger-key", key.to_str().unwrap()];
    let o = run(
        dir.path(),
        &[&["demo", "--no-serve", "--days", "2"][..], &with_key].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(key.exists() && !dir.path().join("fengqiao-data/ledger-signing.key").exists());
    assert!(
        run(dir.path(), &[&["ledger", "verify"][..], &with_key].concat())
            .status
            .success()
    );
    // Without it the default key is created, and it did not sign the stored checkpoint.
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("signature"));
}

/// A witness is trusted by its key, gets the add-checkpoint request, and its
/// cosignature is stored, served with the checkpoint and checked by verify.
#[test]
fn witnesses_cosign_the_ledger() {
    use fengqiao_tlog::cosignature::{WitnessKey, cosign, line};
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["demo", "--no-serve", "--days", "3"]).status.success());
    let witness = WitnessKey::from_seed("witness.example/w1", [21; 32]);
    let o = run(dir.path(), &["ledger", "witness", "add", &witness.vkey()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(dir.path(), &["ledger", "witness", "list"]);
    assert_eq!(String::from_utf8(o.stdout).unwrap().trim(), witness.vkey());
    let o = run(dir.path(), &["ledger", "witness-request", "--old", "0"]);
    let request = String::from_utf8(o.stdout).unwrap();
    let (head, note) = request.split_once("\n\n").unwrap();
    assert_eq!(head, "old 0");
    // The witness checks the log's signature and cosigns the checkpoint body.
    let body = &note[..note.find("\n\n").unwrap() + 1];
    let cp = fengqiao_tlog::Checkpoint::parse(body).unwrap();
    let response = dir.path().join("cosignature.txt");
    std::fs::write(
        &response,
        line(&witness.name, &cosign(&witness.name, [21; 32], &cp, 1_700_000_000)),
    )
    .unwrap();
    let o = run(dir.path(), &["ledger", "cosign", response.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(
        v["checkpoint"]["witnessed_by"],
        serde_json::json!(["witness.example/w1"])
    );
    // A cosignature by someone else is refused; a stored one altered is caught.
    let stranger = line(
        "witness.example/w2",
        &cosign("witness.example/w2", [22; 32], &cp, 1_700_000_000),
    );
    std::fs::write(&response, stranger).unwrap();
    let o = run(dir.path(), &["ledger", "cosign", response.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a witness of this log"));
    let db = rusqlite::Connection::open(dir.path().join("fengqiao-data/fengqiao.sqlite")).unwrap();
    let mut other = cp.clone();
    other.size += 1;
    let forged = line(&witness.name, &cosign(&witness.name, [21; 32], &other, 1_700_000_000));
    db.execute("UPDATE ledger_cosignatures SET line = ?1", [forged.trim_end()])
        .unwrap();
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["mismatches"]
            .to_string()
            .contains("cosignature by witness.example/w1 does not verify"),
        "{v}"
    );
}

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

fn open_hazard(dir: &Path, title: &str, data_dir: &str) -> String {
    let o = run(
        dir,
        &[
            "--data-dir",
            data_dir,
            "case",
            "open",
            "--type",
            "hazard",
            "--category",
            "hazard.fire",
            "--title",
            title,
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice::<Value>(&o.stdout).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A backup taken while another process keeps writing restores into an
/// empty data directory with every record, key and file of the moment it
/// was taken, and the ledger verifies; a changed or unfinished backup is
/// refused before anything is touched; an existing database is replaced
/// only with --force, and kept beside.
#[test]
fn backup_online_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = open_hazard(d, "楼道堆物", "live");
    let photo = d.join("photo.jpg");
    std::fs::write(&photo, b"\xff\xd8\xff a photo").unwrap();
    let o = run(
        d,
        &["--data-dir", "live", "case", "attach", &code, photo.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Another process writes cases all through the backup.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, d) = (stop.clone(), d.to_path_buf());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || n < 3 {
                open_hazard(&d, &format!("隐患{n}"), "live");
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let o = run(d, &["--data-dir", "live", "backup", "b", "--json"]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"fengqiao.sqlite") && files.contains(&"ledger-signing.key"),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.starts_with("attachments/")), "{files:?}");
    let o = run(d, &["--data-dir", "restored", "restore", "b"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("every record and the tree verify"));
    let list = |data: &str| -> usize {
        let o = run(d, &["--data-dir", data, "case", "list", "--json"]);
        serde_json::from_slice::<Value>(&o.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    let (restored, live) = (list("restored"), list("live"));
    assert!(restored >= 1 && restored <= live, "{restored} of {live}");
    assert_eq!(live, 1 + written);
    assert_eq!(manifest["ledger"]["entries"].as_u64().unwrap() as usize, {
        let o = run(d, &["--data-dir", "restored", "ledger", "verify", "--json"]);
        serde_json::from_slice::<Value>(&o.stdout).unwrap()["entries"]
            .as_u64()
            .unwrap() as usize
    });

    // Refusals, each before anything is written.
    let e = one_line_error(&run(d, &["--data-dir", "restored", "restore", "b"]));
    assert!(e.contains("--force"), "{e}");
    let e = one_line_error(&run(d, &["--data-dir", "live", "backup", "b"]));
    assert!(e.contains("not empty"), "{e}");
    let att = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().starts_with("attachments/"))
        .unwrap();
    let tampered = d.join("b").join(att["path"].as_str().unwrap());
    let original = std::fs::read(&tampered).unwrap();
    std::fs::write(&tampered, b"another photo").unwrap();
    let e = one_line_error(&run(d, &["--data-dir", "fresh", "restore", "b"]));
    assert!(
        e.contains(att["path"].as_str().unwrap()) && e.contains("no longer match"),
        "{e}"
    );
    assert!(!d.join("fresh/fengqiao.sqlite").exists(), "nothing written");
    std::fs::write(&tampered, original).unwrap();
    std::fs::rename(d.join("b/MANIFEST.json"), d.join("b/manifest.bak")).unwrap();
    let e = one_line_error(&run(d, &["--data-dir", "fresh", "restore", "b"]));
    assert!(e.contains("unfinished"), "{e}");
    std::fs::rename(d.join("b/manifest.bak"), d.join("b/MANIFEST.json")).unwrap();
    // --force replaces the live database and keeps the old one beside it.
    let o = run(d, &["--data-dir", "live", "restore", "b", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(list("live"), restored);
    let kept = std::fs::read_dir(d.join("live")).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("fengqiao.sqlite.before-restore-")
    });
    assert_eq!(kept.count(), 1);
}

/// Starts `args`, kills it with SIGKILL after `ms` milliseconds (or lets it
/// finish first); true if it was still running when killed.
fn kill_after(dir: &Path, args: &[&str], ms: u64) -> bool {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(ms));
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap(); // SIGKILL on Unix: no chance to clean up
    child.wait().unwrap();
    running
}

/// A client opening and registering hazards through the server at `addr`
/// until it stops answering; gives the writes it was told succeeded, as
/// (case code, version answered).
fn write_cases_until_gone(addr: std::net::SocketAddr, token: String) -> std::thread::JoinHandle<Vec<(String, u64)>> {
    std::thread::spawn(move || {
        let bearer = format!("Bearer {token}");
        let auth = [("Authorization", bearer.as_str())];
        let mut acked: Vec<(String, u64)> = Vec::new();
        for n in 0.. {
            let body = format!(r#"{{"type":"hazard","category":"hazard.fire","title":"隐患 {n}"}}"#);
            let Some((201, _, v)) = try_http(addr, "POST", "/api/v1/cases", &auth, &body) else {
                break;
            };
            let code = v["case"]["code"].as_str().unwrap().to_string();
            acked.push((code.clone(), v["case"]["state"]["version"].as_u64().unwrap()));
            let act = r#"{"action":"register","version":1}"#;
            let Some((200, _, v)) = try_http(addr, "POST", &format!("/api/v1/cases/{code}/actions"), &auth, act) else {
                break;
            };
            acked.push((code, v["case"]["state"]["version"].as_u64().unwrap()));
        }
        acked
    })
}

/// Every acknowledged case write is stored, at its acknowledged version or later.
fn acknowledged_writes_present(dir: &Path, database: &[&str], acked: &[(String, u64)]) {
    assert!(
        acked.len() > 10,
        "the client got answers before the kill: {}",
        acked.len()
    );
    for (code, version) in acked {
        let o = run(dir, &[database, &["case", "show", code, "--json"]].concat());
        assert!(o.status.success(), "{code} acknowledged but missing: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(
            v["case"]["state"]["version"].as_u64().unwrap() >= *version,
            "{code}: acknowledged version {version}, stored {}",
            v["case"]["state"]["version"]
        );
    }
}

fn ledger_verifies(dir: &Path, data: &str) {
    let o = run(dir, &["--data-dir", data, "ledger", "verify", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    assert!(o.status.success() && v["ok"] == true, "{data}: {v} {}", stderr(&o));
}

/// kill -9 in the middle of an import, of the sequencer signing a checkpoint
/// and of a server taking case transitions: afterwards every batch is whole
/// and matches the run's recorded progress, the import completes when run
/// again with exactly the rows of an uninterrupted one, every acknowledged
/// case write is there, and the ledger verifies each time.
#[test]
fn killed_processes_lose_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Four months of the demo city as a 110 export with its mapping.
    assert!(
        run(d, &["--data-dir", "src", "demo", "--no-serve", "--days", "120"])
            .status
            .success()
    );
    let file = d.join("src/demo/incidents-110.csv");
    let map = d.join("src/demo/mapping.toml");
    let import = |data: &str| -> Vec<String> {
        [
            "--data-dir",
            data,
            "import",
            "incidents",
            file.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
            "--dataset",
            "city",
        ]
        .map(String::from)
        .to_vec()
    };
    let count = |data: &str| -> u64 {
        let o = run(d, &["--data-dir", data, "datasets", "--json"]);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "city")
            .map_or(0, |x| x["incidents"].as_u64().unwrap())
    };
    let args = import("ref");
    assert!(
        run(d, &args.iter().map(String::as_str).collect::<Vec<_>>())
            .status
            .success()
    );
    let whole = count("ref");
    assert!(whole > 15_000, "{whole}");

    // The import, killed at several moments.
    let mut interrupted = 0;
    for (i, ms) in [150u64, 450, 900].into_iter().enumerate() {
        let data = format!("import{i}");
        let args = import(&data);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if kill_after(d, &args, ms) {
            interrupted += 1;
        }
        let db = rusqlite::Connection::open(d.join(&data).join("fengqiao.sqlite")).unwrap();
        let runs: Vec<(i64, i64, String)> = db
            .prepare("SELECT id, imported, status FROM import_runs")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (run_id, imported, status) in &runs {
            let stored: i64 = db
                .query_row("SELECT count(*) FROM incidents WHERE import_run = ?1", [run_id], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(
                stored, *imported,
                "run {run_id} ({status}): rows stored = progress recorded"
            );
        }
        drop(db);
        ledger_verifies(d, &data);
        let o = run(d, &args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(count(&data), whole, "completed by running it again, nothing twice");
        ledger_verifies(d, &data);
    }
    assert!(interrupted > 0, "at least one import was killed midway");

    // The sequencer, killed while it builds the tiles and signs.
    let mut interrupted = 0;
    for ms in [40u64, 120, 250] {
        let db = rusqlite::Connection::open(d.join("ref/fengqiao.sqlite")).unwrap();
        db.execute_batch("DELETE FROM ledger_checkpoints; DELETE FROM ledger_tiles;")
            .unwrap();
        drop(db);
        if kill_after(d, &["--data-dir", "ref", "ledger", "checkpoint"], ms) {
            interrupted += 1;
        }
        ledger_verifies(d, "ref");
        assert!(run(d, &["--data-dir", "ref", "ledger", "checkpoint"]).status.success());
        ledger_verifies(d, "ref");
    }
    assert!(interrupted > 0, "at least one sequencing was killed midway");

    // A server taking case writes from a client, killed mid-stream.
    assert!(
        run(d, &["--data-dir", "srv", "demo", "--no-serve", "--days", "3"])
            .status
            .success()
    );
    let o = run(
        d,
        &["--data-dir", "srv", "user", "token", "commander", "--name", "crash"],
    );
    let token = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let (server, addr) = start_server(d, &["--data-dir", "srv"]);
    let client = write_cases_until_gone(addr, token);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    drop(server);
    acknowledged_writes_present(d, &["--data-dir", "srv"], &client.join().unwrap());
    ledger_verifies(d, "srv");
}

use fengqiao_store_postgres::testing::TestDatabase as PgDb;

/// One HTTP/1.0 exchange: (status, head, JSON body or null).
fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, Value) {
    try_http(addr, method, path, headers, body).expect("an HTTP answer")
}

/// A server process, killed when dropped (also when a test fails midway, so
/// no server outlives its test holding the test's output open).
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `fengqiao serve` with `args` on a free port and waits until it answers.
fn start_server(dir: &Path, args: &[&str]) -> (Running, std::net::SocketAddr) {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let server = bin()
        .current_dir(dir)
        .args(args)
        .args(["serve", "--bind", &addr.to_string()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Running(server);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(std::time::Instant::now() < until, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (server, addr)
}

/// Two `fengqiao serve` processes on one PostgreSQL database, as a city
/// bureau runs them behind a load balancer: case writes through either are
/// seen by both, a race on one case version has one winner across them, a
/// sign-out on one is honoured by the other at once, both sequence the
/// ledger (with `ledger checkpoint` from the command line as a third
/// signer) without forking it, and no entry is lost or written twice.
#[test]
fn two_servers_share_one_postgres_database() {
    let Some(pg) = PgDb::new("cli_two") else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = pg.url();
    let base = ["--data-dir", "shared", "--db", url.as_str()];
    let with = |more: &[&str]| -> Vec<String> { base.iter().chain(more).map(|s| s.to_string()).collect() };
    let runv = |args: Vec<String>| run(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let o = runv(with(&["demo", "--no-serve", "--days", "3"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = runv(with(&["user", "token", "commander", "--name", "two-servers"]));
    let token = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let bearer = format!("Bearer {token}");
    let (server_a, a) = start_server(d, &base);
    let (server_b, b) = start_server(d, &base);
    let auth = [("Authorization", bearer.as_str())];

    // Cases opened on one server and moved on the other, from four clients at
    // once, while a third process signs checkpoints from the command line.
    let signer = {
        let args = with(&["ledger", "checkpoint"]);
        let dir = d.to_path_buf();
        std::thread::spawn(move || {
            for _ in 0..6 {
                let o = run(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
                assert!(o.status.success(), "{}", stderr(&o));
                std::thread::sleep(std::time::Duration::from_millis(400));
            }
        })
    };
    let acked: Vec<(String, u64)> = std::thread::scope(|s| {
        let clients: Vec<_> = (0..4)
            .map(|c| {
                let auth = &auth;
                s.spawn(move || {
                    let mut acked = Vec::new();
                    for n in 0..15 {
                        let (open_on, move_on) = if (c + n) % 2 == 0 { (a, b) } else { (b, a) };
                        let body = format!(r#"{{"type":"hazard","category":"hazard.fire","title":"隐患 {c}-{n}"}}"#);
                        let (status, _, v) = http(open_on, "POST", "/api/v1/cases", auth, &body);
                        assert_eq!(status, 201, "{v}");
                        let code = v["case"]["code"].as_str().unwrap().to_string();
                        let act = r#"{"action":"register","version":1}"#;
                        let (status, _, v) = http(move_on, "POST", &format!("/api/v1/cases/{code}/actions"), auth, act);
                        assert_eq!(status, 200, "{code} opened on one server, moved on the other: {v}");
                        acked.push((code, v["case"]["state"]["version"].as_u64().unwrap()));
                    }
                    acked
                })
            })
            .collect();
        clients.into_iter().flat_map(|c| c.join().unwrap()).collect()
    });
    signer.join().unwrap();
    let codes: std::collections::HashSet<&String> = acked.iter().map(|(c, _)| c).collect();
    assert_eq!(codes.len(), 60, "every case got its own number across both servers");

    // Eight writers, four on each server, all moving one case from version 1.
    let (_, _, v) = http(
        a,
        "POST",
        "/api/v1/cases",
        &auth,
        r#"{"type":"hazard","category":"hazard.fire","title":"争"}"#,
    );
    let contested = v["case"]["code"].as_str().unwrap().to_string();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let racers: Vec<_> = (0..8)
            .map(|i| {
                let (auth, path) = (&auth, format!("/api/v1/cases/{contested}/actions"));
                s.spawn(move || {
                    let server = if i % 2 == 0 { a } else { b };
                    http(server, "POST", &path, auth, r#"{"action":"register","version":1}"#).0
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| [200, 409].contains(s)), "{statuses:?}");

    // A session opened on A works on B, and signing out on A ends it on B
    // before B's cache would have expired it (five seconds).
    let (status, head, v) = http(
        a,
        "POST",
        "/api/v1/session",
        &[],
        r#"{"username":"commander","password":"demo-commander-2026"}"#,
    );
    assert_eq!(status, 200, "{v}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let csrf = v["csrf_token"].as_str().unwrap().to_string();
    let me = |on| http(on, "GET", "/api/v1/me", &[("Cookie", cookie.as_str())], "").0;
    assert_eq!(me(b), 200);
    let (status, _, _) = http(
        a,
        "DELETE",
        "/api/v1/session",
        &[("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())],
        "",
    );
    assert_eq!(status, 204);
    let signed_out = std::time::Instant::now();
    while me(b) != 401 {
        assert!(
            signed_out.elapsed() < std::time::Duration::from_secs(1),
            "B still honours a session A ended"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    // Both servers sequence every five seconds: wait for one more round.
    std::thread::sleep(std::time::Duration::from_secs(6));
    drop((server_a, server_b));
    for (code, version) in &acked {
        let o = runv(with(&["case", "show", code, "--json"]));
        assert!(o.status.success(), "{code}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["case"]["state"]["version"].as_u64(), Some(*version), "{code}");
    }
    let mut db = pg.client();
    let broken: i64 = db
        .query_one(
            "SELECT count(*) FROM (SELECT record_id FROM ledger_entries WHERE record_type = 'case' GROUP BY record_id
             HAVING count(*) <> count(DISTINCT version) OR min(version) <> 1 OR max(version) <> count(*)) x",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(broken, 0, "each case version has exactly one ledger entry");
    let (entries, last): (i64, i64) = {
        let r = db
            .query_one("SELECT count(*), coalesce(max(seq), -1) FROM ledger_entries", &[])
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(entries, last + 1, "positions are gapless");
    let checkpoints: i64 = db
        .query_one("SELECT count(*) FROM ledger_checkpoints", &[])
        .unwrap()
        .get(0);
    assert!(
        checkpoints >= 3,
        "the servers and the command line signed: {checkpoints}"
    );
    let o = runv(with(&["ledger", "verify", "--json"]));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(o.status.success(), "{report}");
    assert_eq!(report["entries"].as_i64(), Some(entries));
    assert_eq!(
        report["checkpoint"]["size"].as_i64(),
        Some(entries),
        "the last round signed everything"
    );
    assert!(report["earlier_checkpoints"].as_u64().unwrap() >= 2, "{report}");
}

/// The crash test on PostgreSQL: kill -9 in the middle of an import, of the
/// sequencer and of a server taking case writes; afterwards every batch is
/// whole (rows, keys, rollup and the run's progress agree), the rerun
/// completes the import exactly, every acknowledged case write is there and
/// the ledger verifies.
#[test]
fn killed_processes_on_postgres_lose_nothing_acknowledged() {
    let Some(reference) = PgDb::new("cli_crash_ref") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        run(d, &["--data-dir", "src", "demo", "--no-serve", "--days", "120"])
            .status
            .success()
    );
    let file = d.join("src/demo/incidents-110.csv");
    let map = d.join("src/demo/mapping.toml");
    let import = |url: &str| -> Vec<String> {
        [
            "--data-dir",
            "pg",
            "--db",
            url,
            "import",
            "incidents",
            file.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
            "--dataset",
            "city",
        ]
        .map(String::from)
        .to_vec()
    };
    let runs = |args: &[String]| run(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let stored = |db: &PgDb| -> i64 {
        db.client()
            .query_one("SELECT count(*) FROM incidents", &[])
            .unwrap()
            .get(0)
    };
    let verifies = |db: &PgDb| {
        let o = run(
            d,
            &["--data-dir", "pg", "--db", &db.url(), "ledger", "verify", "--json"],
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        assert!(o.status.success() && v["ok"] == true, "{v} {}", stderr(&o));
    };
    let o = runs(&import(&reference.url()));
    assert!(o.status.success(), "{}", stderr(&o));
    let whole = stored(&reference);
    assert!(whole > 15_000, "{whole}");

    let mut interrupted = 0;
    for (i, ms) in [300u64, 700, 1200].into_iter().enumerate() {
        let db = PgDb::new(&format!("cli_crash{i}")).unwrap();
        let args = import(&db.url());
        if kill_after(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), ms) {
            interrupted += 1;
        }
        let mut c = db.client();
        let parts = c.query_one(
            "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM incident_keys),
                    (SELECT coalesce(sum(n), 0)::BIGINT FROM incident_rollup), (SELECT coalesce(sum(imported), 0)::BIGINT FROM import_runs)",
            &[],
        );
        // A kill before the schema was made leaves nothing to check.
        if let Ok(r) = parts {
            let (rows, keys, rollup, progress): (i64, i64, i64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
            assert_eq!((keys, rollup, progress), (rows, rows, rows), "batches are whole");
            verifies(&db);
        }
        let o = runs(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stored(&db), whole, "completed by running it again, nothing twice");
        verifies(&db);
    }
    assert!(interrupted > 0, "at least one import was killed midway");

    // The sequencer, killed while it builds the tiles and signs.
    let mut interrupted = 0;
    for ms in [60u64, 200, 400] {
        reference
            .client()
            .batch_execute("DELETE FROM ledger_checkpoints; DELETE FROM ledger_tiles;")
            .unwrap();
        if kill_after(
            d,
            &["--data-dir", "pg", "--db", &reference.url(), "ledger", "checkpoint"],
            ms,
        ) {
            interrupted += 1;
        }
        verifies(&reference);
        let o = run(
            d,
            &["--data-dir", "pg", "--db", &reference.url(), "ledger", "checkpoint"],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        verifies(&reference);
    }
    assert!(interrupted > 0, "at least one sequencing was killed midway");

    // A server taking case writes, killed mid-stream.
    let o = run(
        d,
        &[
            "--data-dir",
            "pg",
            "--db",
            &reference.url(),
            "user",
            "add",
            "boss",
            "--role",
            "commander",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        d,
        &[
            "--data-dir",
            "pg",
            "--db",
            &reference.url(),
            "user",
            "token",
            "boss",
            "--name",
            "crash",
        ],
    );
    let token = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let url = reference.url();
    let (server, addr) = start_server(d, &["--data-dir", "pg", "--db", &url]);
    let client = write_cases_until_gone(addr, token);
    std::thread::sleep(std::time::Duration::from_millis(2000));
    drop(server);
    acknowledged_writes_present(d, &["--data-dir", "pg", "--db", &url], &client.join().unwrap());
    verifies(&reference);
}

/// Like [`http`], but `None` when the server is gone.
fn try_http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String, Value)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    let mut req = format!(
        "{method} {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((
        status,
        head.to_string(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    ))
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
    std::fs::write(&map, include_str!("../../demo/src/demo_mapping.toml")).unwrap();
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
