//! Backups, crashes and several servers on one database.

use crate::helpers::*;
use serde_json::Value;

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
