//! Importing incidents: counts, rejects, one-line errors, profiles, category tables, resuming.

use crate::helpers::*;
use serde_json::Value;

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
fn each_import_run_keeps_its_own_rejects_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = testdata("houston_crime_2010.csv");
    let args = [
        "import",
        "incidents",
        file.to_str().unwrap(),
        "--profile",
        "houston",
        "--json",
    ];
    // Three in a row, well within a second of each other.
    let runs: Vec<Value> = (0..3)
        .map(|_| {
            let o = run(dir.path(), &args);
            assert!(o.status.success(), "{}", stderr(&o));
            serde_json::from_slice(&o.stdout).unwrap()
        })
        .collect();
    let files: Vec<&str> = runs.iter().map(|v| v["rejects_file"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "fengqiao-data/rejects/houston-run1.csv",
            "fengqiao-data/rejects/houston-run2.csv",
            "fengqiao-data/rejects/houston-run3.csv"
        ]
    );
    for f in files {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert_eq!(text.lines().count(), 5, "{f}: its run's four rejects under the header");
    }
}

#[test]
fn a_gbk_export_imports_with_the_chinese_profile() {
    let dir = tempfile::tempdir().unwrap();
    let file = testdata("cn_110_gbk.csv");
    let o = run(
        dir.path(),
        &[
            "import",
            "incidents",
            file.to_str().unwrap(),
            "--profile",
            "cn-110",
            "--db",
            "db.sqlite",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("profile cn-110, read as GB18030"), "{out}");
    assert!(out.contains("imported            11"), "{out}");
    // Told the wrong encoding, it says which it used and how to choose.
    let o = run(
        dir.path(),
        &[
            "import",
            "incidents",
            file.to_str().unwrap(),
            "--profile",
            "cn-110",
            "--db",
            "db.sqlite",
            "--encoding",
            "utf-16be",
        ],
    );
    let e = one_line_error(&o);
    assert!(e.contains("UTF-16BE") && e.contains("--encoding"), "{e}");
}

#[test]
fn fengqiaos_own_export_imports_with_its_profile() {
    let dir = tempfile::tempdir().unwrap();
    let city = fengqiao_demo::DemoCity::generate(fengqiao_demo::DemoConfig {
        days: 7,
        daily_mean: 40.0,
        ..Default::default()
    });
    std::fs::write(dir.path().join("export.csv"), city.incidents_csv()).unwrap();
    let o = run(
        dir.path(),
        &[
            "import",
            "incidents",
            "export.csv",
            "--profile",
            "fengqiao",
            "--db",
            "db.sqlite",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["read"].as_u64(), Some(city.incidents.len() as u64));
    assert_eq!(
        (v["rejected"].as_u64(), v["encoding"].as_str()),
        (Some(0), Some("UTF-8"))
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
    let text = include_str!("../../../ingest/profiles/vancouver.toml").replace("EPSG:32610", "EPSG:4326");
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
    let text = include_str!("../../../ingest/profiles/chicago.toml").replace("criminal.assault.aggravated", "violence");
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
fn in_chinese_the_import_datasets_forecast_and_errors_read_as_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let file = testdata("cn_110_gbk.csv");
    let import = |env: (&str, &str), lang: &[&str]| {
        let mut c = bin();
        c.current_dir(dir.path()).env(env.0, env.1).args(lang);
        c.args([
            "import",
            "incidents",
            file.to_str().unwrap(),
            "--profile",
            "cn-110",
            "--db",
            "db.sqlite",
        ]);
        c.output().unwrap()
    };
    // The flag wins over an English locale.
    let o = import(("LANG", "en_GB.UTF-8"), &["--lang", "zh-CN"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("导入数据集“cn-110”（导出格式 cn-110，按 GB18030 编码读取）"),
        "{out}"
    );
    let line = |label: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(label))
            .map(|l| l.split_whitespace().last().unwrap_or("").to_string())
    };
    assert_eq!(
        (line("新增"), line("拒收")),
        (Some("11".into()), Some("1".into())),
        "{out}"
    );
    assert!(out.contains("第 12 行"), "{out}");
    let data = ["cn_110_gbk", "cn_110_gbk.csv", "cn-110", "GB18030", "rejects", "csv"];
    assert_eq!(latin_words(&out, &data), Vec::<String>::new(), "{out}");
    // A Chinese locale is enough; the same file again is all duplicates.
    let o = import(("LANG", "zh_CN.UTF-8"), &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.lines().any(|l| l.contains("已有（重复）") && l.ends_with(" 11")),
        "{out}"
    );
    let mut c = bin();
    let o = c
        .current_dir(dir.path())
        .env("FENGQIAO_LANG", "zh-CN")
        .args(["datasets", "--db", "db.sqlite"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("11 起警情"), "{out}");
    assert_eq!(latin_words(&out, &data), Vec::<String>::new(), "{out}");
    // Errors: the code's sentence in Chinese, the particulars after it.
    let mut c = bin();
    let o = c
        .current_dir(dir.path())
        .args(["--lang", "zh", "forecast", "--model", "oracle", "--db", "db.sqlite"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(6));
    let e = stderr(&o);
    assert!(
        e.starts_with("错误：所给的值或文件有误（") && e.contains("oracle"),
        "{e}"
    );
    // Machine-readable output is never translated.
    let mut c = bin();
    let o = c
        .current_dir(dir.path())
        .args(["--lang", "zh-CN", "datasets", "--json", "--db", "db.sqlite"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["incidents"], 11);
}
