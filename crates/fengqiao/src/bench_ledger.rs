//! `fengqiao bench ledger`: the transparency log beside the physical limit
//! of this machine (SHA-256 hashes per second on one core): appends into
//! the in-memory tree, durable appends into SQLite (each with its incident,
//! in import batches), checkpoints (tiles written), inclusion proofs read
//! from tiles beside rebuilding the tree, and `ledger verify` over the log.

use chrono::{Duration, TimeZone, Utc};
use fengqiao_domain::{NewIncident, Origin, TimePrecision};
use fengqiao_store::{ImportCounts, ImportStart, Store};
use fengqiao_store_sqlite::SqliteStore;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Instant;

fn synthetic(i: u64) -> NewIncident {
    let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::seconds((i * 37) as i64);
    NewIncident {
        source_key: format!("B{i:09}"),
        occurred_at: t,
        time_precision: TimePrecision::Minute,
        hour_of_week: Some((i % 168) as u8),
        received_at: Some(t),
        dispatched_at: None,
        arrived_at: None,
        closed_at: None,
        unit: Some("PS01".into()),
        category: "criminal.theft.other".into(),
        raw_category: Some("盗窃".into()),
        lon: 121.4 + (i % 1000) as f64 * 1e-4,
        lat: 29.8 + (i / 1000 % 1000) as f64 * 1e-4,
        address: Some(format!("{} 号", i % 500)),
        place_type: Some("street".into()),
        jurisdiction_id: None,
        origin: Origin::Citizen,
    }
}

pub fn run(entries: u64, json_out: bool) -> Result<(), String> {
    // The physical limit: SHA-256 of a node (65 bytes) on one core.
    let started = Instant::now();
    let mut h = [0u8; 32];
    let n_hash = 2_000_000u32;
    for i in 0..n_hash {
        let mut d = Sha256::new();
        d.update([1u8]);
        d.update(h);
        d.update(i.to_le_bytes());
        h = d.finalize().into();
    }
    let hashes_per_s = f64::from(n_hash) / started.elapsed().as_secs_f64();
    // In-memory appends: leaf hash of an entry-sized record plus the tree's nodes.
    let started = Instant::now();
    let mut tree = fengqiao_tlog::Tree::new();
    for i in 0..entries {
        let leaf = format!(
            "fengqiao-ledger/v1\n{i}\nincident\n{i}\n1\nimport:1\n1700000000\n{}\n",
            "ab".repeat(32)
        );
        tree.push(fengqiao_tlog::leaf_hash(leaf.as_bytes()));
    }
    let _ = tree.root(entries);
    let memory_per_s = entries as f64 / started.elapsed().as_secs_f64();
    // Durable appends: an import into a fresh database, one entry per incident.
    let dir = std::env::temp_dir().join(format!("fengqiao-bench-ledger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let store = SqliteStore::open(&dir.join("ledger.sqlite")).map_err(|e| e.to_string())?;
    let (run, _) = store
        .begin_import(&ImportStart {
            dataset: "bench".into(),
            profile: "bench".into(),
            timezone: "Asia/Shanghai".into(),
            file_name: "synthetic".into(),
            file_sha256: format!("{entries}"),
        })
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut counts = ImportCounts::default();
    let mut next = 0;
    while next < entries {
        let batch: Vec<NewIncident> = (next..(next + 10_000).min(entries)).map(synthetic).collect();
        counts = store.import_batch(run, &batch, counts).map_err(|e| e.to_string())?;
        next += batch.len() as u64;
    }
    let durable_per_s = entries as f64 / started.elapsed().as_secs_f64();
    let signer = fengqiao_tlog::note::Signer::from_seed("bench/ledger", [3; 32]).map_err(|e| e.to_string())?;
    let started = Instant::now();
    fengqiao_app::ledger::sequence(&store, &signer).map_err(|e| e.to_string())?;
    let sequence_all_s = started.elapsed().as_secs_f64();
    // One more import batch, then the checkpoint for it: reads only the edge tiles.
    let batch: Vec<NewIncident> = (entries..entries + 1000).map(synthetic).collect();
    store.import_batch(run, &batch, counts).map_err(|e| e.to_string())?;
    let started = Instant::now();
    fengqiao_app::ledger::sequence(&store, &signer).map_err(|e| e.to_string())?;
    let sequence_batch_ms = started.elapsed().as_secs_f64() * 1e3;
    // Inclusion proofs read from the tiles, beside rebuilding the tree from every entry.
    let probes = 200u64;
    let started = Instant::now();
    for k in 0..probes {
        let id = 1 + (k * 7919) % entries;
        fengqiao_store::ledger::inclusion(&store, "incident", &id.to_string())
            .map_err(|e| e.to_string())?
            .ok_or("no proof")?;
    }
    let proof_ms = started.elapsed().as_secs_f64() * 1e3 / probes as f64;
    let started = Instant::now();
    let all = fengqiao_store::ledger::all_entries(&store).map_err(|e| e.to_string())?;
    let rebuilt = fengqiao_store::ledger::tree_of(&all);
    let _ = rebuilt.inclusion_proof(entries / 2, rebuilt.size());
    let rebuild_ms = started.elapsed().as_secs_f64() * 1e3;
    drop((all, rebuilt));
    let started = Instant::now();
    let report = fengqiao_app::ledger::verify_report(&store, &signer.verifier(), None).map_err(|e| e.to_string())?;
    let verify_s = started.elapsed().as_secs_f64();
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    let out = json!({
        "entries": entries, "sha256_per_second_one_core": hashes_per_s,
        "memory_appends_per_second": memory_per_s, "durable_appends_per_second": durable_per_s,
        "verify_seconds": verify_s, "verify_ok": report["ok"],
        "sequence_all_seconds": sequence_all_s, "sequence_batch_of_1000_ms": sequence_batch_ms,
        "inclusion_proof_ms": proof_ms, "inclusion_proof_by_rebuilding_ms": rebuild_ms,
    });
    if json_out {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        return Ok(());
    }
    println!("ledger benchmark, {entries} entries");
    println!("  SHA-256 of a node, one core (the physical limit): {hashes_per_s:>12.0} hashes/s");
    println!(
        "  in-memory tree appends:                          {memory_per_s:>12.0} appends/s  ({:.2} of the limit)",
        memory_per_s / hashes_per_s
    );
    println!("  durable appends into SQLite, with their incidents: {durable_per_s:>10.0} appends/s");
    println!("  first checkpoint over all entries (tiles written): {sequence_all_s:>10.2} s");
    println!("  checkpoint after 1,000 more entries:              {sequence_batch_ms:>12.1} ms");
    println!(
        "  inclusion proof from stored tiles:                {proof_ms:>12.2} ms  (rebuilding the tree: {rebuild_ms:.0} ms, {:.0}x slower)",
        rebuild_ms / proof_ms
    );
    println!(
        "  ledger verify (commitments, tree and tiles):     {verify_s:>12.2} s  (ok: {})",
        report["ok"]
    );
    Ok(())
}
