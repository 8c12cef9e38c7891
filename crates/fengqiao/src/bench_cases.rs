//! `fengqiao bench cases`: how many case transitions per second the store
//! sustains on SQLite with every write logged (engine check, optimistic
//! version check, event row, keyed commitment over the case, its parties and
//! history, ledger entry: one transaction each), beside the floor of the
//! same database doing bare one-row write transactions.

use chrono::Utc;
use fengqiao_cases::{CaseConfig, Command};
use fengqiao_store::cases::{NewCase, Party, act, open_case};
use fengqiao_store_sqlite::SqliteStore;
use serde_json::json;
use std::time::Instant;

const LOOP: &[(&str, &str)] = &[
    ("register", "officer"),
    ("dispatch", "commander"),
    ("start", "department"),
    ("report", "department"),
    ("rework", "officer"),
    ("report", "department"),
    ("verify", "officer"),
    ("close", "officer"),
];

pub fn run(cases: usize, json_out: bool) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("fengqiao-bench-cases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let store = SqliteStore::open(&dir.join("cases.sqlite")).map_err(|e| e.to_string())?;
    let config = CaseConfig::builtin();
    let now = Utc::now();
    let new = |i: usize| NewCase {
        case_type: "hazard".into(),
        category: "hazard.fire".into(),
        title: format!("bench {i}"),
        description: String::new(),
        jurisdiction: None,
        address: Some(format!("中山西路{i}号")),
        lon: Some(121.5),
        lat: Some(29.86),
        origin: "officer".into(),
        parties: vec![Party {
            role: "reporter".into(),
            name: "张三".into(),
            phone: Some("13800000000".into()),
            id_number: None,
            address: None,
            vulnerable: false,
            id_type: None,
        }],
        stock: Some(false),
        risk_grade: None,
        risk: None,
        token_hash: None,
        in_person_visits: 0,
        incident_id: None,
    };
    let started = Instant::now();
    let mut ids = Vec::with_capacity(cases);
    for i in 0..cases {
        ids.push(
            open_case(&store, &config, &new(i), "officer", "bench", now)
                .map_err(|e| e.to_string())?
                .id,
        );
    }
    let open_per_s = cases as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut transitions = 0u64;
    for (action, role) in LOOP {
        let cmd = Command {
            action: action.to_string(),
            role: role.to_string(),
            actor: "bench".into(),
            reason: Some("bench".into()),
            ..Default::default()
        };
        for id in &ids {
            act(&store, &config, *id, None, &cmd, now).map_err(|e| e.to_string())?;
            transitions += 1;
        }
    }
    let per_s = transitions as f64 / started.elapsed().as_secs_f64();
    drop(store);
    // The floor: the same database file, one bare single-row write transaction each.
    let conn = rusqlite::Connection::open(dir.join("cases.sqlite")).map_err(|e| e.to_string())?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for k in 0..transitions {
        let id = ids[(k as usize) % ids.len()];
        conn.execute("UPDATE cases SET version = version WHERE id = ?1", [id])
            .map_err(|e| e.to_string())?;
    }
    let floor_per_s = transitions as f64 / started.elapsed().as_secs_f64();
    drop(conn);
    let _ = std::fs::remove_dir_all(&dir);
    let out = json!({
        "cases": cases, "transitions": transitions, "open_per_second": open_per_s,
        "transitions_per_second": per_s, "bare_write_transactions_per_second": floor_per_s,
        "ratio_to_floor": per_s / floor_per_s,
    });
    if json_out {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        return Ok(());
    }
    println!("case engine benchmark: {cases} hazards, {transitions} transitions (one transaction each)");
    println!("  cases opened (with parties, event, ledger entry): {open_per_s:>10.0} /s");
    println!("  transitions with ledger entries:                  {per_s:>10.0} /s");
    println!("  bare one-row write transactions (the floor):      {floor_per_s:>10.0} /s");
    println!(
        "  ratio to the floor:                               {:>10.2}",
        per_s / floor_per_s
    );
    Ok(())
}
