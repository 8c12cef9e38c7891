//! `fengqiao bench scale`: a large city's incidents (10 million by default)
//! into a fresh database the way an import commits them (batches of 10,000,
//! each with its ledger entries, jurisdictions assigned), the first signed
//! checkpoint over all of them, cases on top, and then the latency of the
//! queries the pages make: incident aggregates, a page of incidents, the
//! positions behind the density map, a case board and the KPI report.
//!
//! The incidents are the demo city's year replicated: copy k of each row is
//! moved back (k mod 3) × 52 weeks and forward (37 k mod 1440) minutes, so
//! the data spans three years with the demo's places, categories and
//! rhythm. Beside each figure, in the same run: the same rows into a bare
//! table (no index, no ledger) as the floor of writing, and one full scan
//! (`count(*)`) as the floor of reading.

use crate::ledger::signer;
use chrono::{Duration, Utc};
use fengqiao_cases::CaseConfig;
use fengqiao_demo::{DEMO_MAPPING, DemoCity, DemoConfig};
use fengqiao_domain::{CategoryTable, NewIncident};
use fengqiao_ingest::{
    CsvSource, ImportOptions, Mapping, import, jurisdiction_lookup, load_facilities, load_jurisdictions,
};
use fengqiao_store::{Dimension, ImportCounts, ImportStart, IncidentFilter, PageRequest, Store};
use fengqiao_store_sqlite::SqliteStore;
use serde_json::{Value, json};
use std::time::Instant;

const BATCH: usize = 10_000;
const RUNS: usize = 5;

/// The demo city's year as stored rows (through the real importer).
fn templates(store: &dyn Store) -> Result<Vec<NewIncident>, String> {
    let city = DemoCity::generate(DemoConfig::default());
    load_jurisdictions(store, &city.jurisdictions_geojson(), "demo").map_err(|e| e.to_string())?;
    load_facilities(store, &city.facilities_json(), "demo").map_err(|e| e.to_string())?;
    let csv = city.incidents_csv().into_bytes();
    let source = CsvSource {
        total_bytes: csv.len() as u64,
        reader: Box::new(std::io::Cursor::new(csv)),
        bytes_read: Default::default(),
    };
    let mapping = Mapping::from_toml(DEMO_MAPPING, "demo mapping").map_err(|e| e.to_string())?;
    let lookup = jurisdiction_lookup(store).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    import(
        source,
        "demo",
        "scale",
        mapping,
        &CategoryTable::default_110(),
        Some(&lookup),
        &ImportOptions::default(),
        &|_, _, _| {},
        |batch: &[NewIncident], mut c: ImportCounts| {
            rows.extend_from_slice(batch);
            c.imported += batch.len() as u64;
            Ok(c)
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(rows)
}

fn replica(t: &NewIncident, k: u64) -> NewIncident {
    let shift = Duration::weeks(-52 * (k % 3) as i64) + Duration::minutes(((37 * k) % 1440) as i64);
    let mut r = t.clone();
    r.source_key = format!("{}-{k}", t.source_key);
    r.occurred_at += shift;
    for at in [
        &mut r.received_at,
        &mut r.dispatched_at,
        &mut r.arrived_at,
        &mut r.closed_at,
    ] {
        *at = at.map(|x| x + shift);
    }
    r
}

/// Median milliseconds of `RUNS` calls after one cold call (also returned).
fn time(mut f: impl FnMut() -> Result<(), String>) -> Result<(f64, f64), String> {
    let started = Instant::now();
    f()?;
    let cold = started.elapsed().as_secs_f64() * 1e3;
    let mut ms: Vec<f64> = (0..RUNS)
        .map(|_| {
            let s = Instant::now();
            f().map(|()| s.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<Result<_, _>>()?;
    ms.sort_by(f64::total_cmp);
    Ok((ms[RUNS / 2], cold))
}

pub fn run(incidents: u64, cases: usize, json_out: bool) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("fengqiao-bench-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = measure(&dir, incidents, cases);
    let _ = std::fs::remove_dir_all(&dir);
    let out = result?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        return Ok(());
    }
    print(&out);
    Ok(())
}

fn measure(dir: &std::path::Path, incidents: u64, cases: usize) -> Result<Value, String> {
    let store = SqliteStore::open(&dir.join("scale.sqlite")).map_err(|e| e.to_string())?;
    let base = templates(&store)?;
    let n = base.len() as u64;
    let bar = indicatif::ProgressBar::new(incidents);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta})")
            .map_err(|e| e.to_string())?,
    );
    bar.set_message("importing");
    let (run, _) = store
        .begin_import(&ImportStart {
            dataset: "scale".into(),
            profile: "demo".into(),
            timezone: "Asia/Shanghai".into(),
            file_name: "synthetic".into(),
            file_sha256: "0".repeat(64),
        })
        .map_err(|e| e.to_string())?;
    let mut counts = ImportCounts::default();
    let mut batch = Vec::with_capacity(BATCH);
    let started = Instant::now();
    let mut i = 0u64;
    while i < incidents {
        batch.clear();
        while batch.len() < BATCH && i < incidents {
            batch.push(replica(&base[(i % n) as usize], i / n));
            i += 1;
        }
        counts.read += batch.len() as u64;
        counts.last_line = counts.read + 1;
        counts = store.import_batch(run, &batch, counts).map_err(|e| e.to_string())?;
        bar.set_position(i);
    }
    store.finish_import(run, counts).map_err(|e| e.to_string())?;
    let import_s = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    // The floor of writing: the same rows into a bare table, same batches.
    let floor_path = dir.join("floor.sqlite");
    let mut bare = rusqlite::Connection::open(&floor_path).map_err(|e| e.to_string())?;
    bare.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE t (k TEXT, at INTEGER, category TEXT, lon REAL, lat REAL, j INTEGER)",
    )
    .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut i = 0u64;
    while i < incidents {
        let tx = bare.transaction().map_err(|e| e.to_string())?;
        {
            let mut stmt = tx
                .prepare_cached("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .map_err(|e| e.to_string())?;
            for _ in 0..BATCH.min((incidents - i) as usize) {
                let r = replica(&base[(i % n) as usize], i / n);
                stmt.execute(rusqlite::params![
                    r.source_key,
                    r.occurred_at.timestamp(),
                    r.category,
                    r.lon,
                    r.lat,
                    r.jurisdiction_id
                ])
                .map_err(|e| e.to_string())?;
                i += 1;
            }
        }
        tx.commit().map_err(|e| e.to_string())?;
    }
    let floor_s = started.elapsed().as_secs_f64();
    drop(bare);

    let key = signer(&dir.join("signing.key"))?;
    let started = Instant::now();
    fengqiao_store::ledger::sequence(&store, &key).map_err(|e| e.to_string())?;
    let checkpoint_s = started.elapsed().as_secs_f64();

    // Cases on top: hazards across the city's towns, a board and the report.
    let config = CaseConfig::builtin();
    let towns: Vec<String> = store
        .jurisdictions()
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Village)
        .map(|j| j.jurisdiction.code)
        .collect();
    let now = Utc::now();
    let started = Instant::now();
    for c in 0..cases {
        let new = fengqiao_store::cases::NewCase {
            case_type: "hazard".into(),
            category: "hazard.fire".into(),
            title: format!("隐患 {c}"),
            description: String::new(),
            jurisdiction: towns.get(c % towns.len().max(1)).cloned(),
            address: None,
            lon: None,
            lat: None,
            origin: "officer".into(),
            parties: Vec::new(),
            stock: Some(c % 3 == 0),
            risk_grade: None,
            risk: None,
            token_hash: None,
            in_person_visits: 0,
            incident_id: None,
        };
        let at = now - Duration::minutes((cases - c) as i64 * 5);
        fengqiao_store::cases::open_case(&store, &config, &new, "officer", "bench", at).map_err(|e| e.to_string())?;
    }
    let cases_s = started.elapsed().as_secs_f64();

    let last = store
        .datasets()
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|d| d.name == "scale")
        .and_then(|d| d.last_at)
        .ok_or("no data")?;
    let month = IncidentFilter {
        dataset: Some("scale".into()),
        from: Some(last - Duration::days(30)),
        to: Some(last + Duration::seconds(1)),
        ..Default::default()
    };
    let everything = IncidentFilter {
        dataset: Some("scale".into()),
        ..Default::default()
    };
    let town = towns.first().map(|c| c[..c.len().min(9)].to_string());
    let mut queries: Vec<(&str, (f64, f64))> = Vec::new();
    let conn = rusqlite::Connection::open(dir.join("scale.sqlite")).map_err(|e| e.to_string())?;
    let scan = time(|| {
        conn.query_row("SELECT count(*) FROM incidents", [], |r| r.get::<_, i64>(0))
            .map(drop)
            .map_err(|e| e.to_string())
    })?;
    let e = |e: fengqiao_store::StoreError| e.to_string();
    queries.push((
        "datasets (count, first, last, extent)",
        time(|| store.datasets().map(drop).map_err(e))?,
    ));
    queries.push((
        "aggregate by category, everything",
        time(|| {
            store
                .aggregate(&everything, Dimension::CategoryTop)
                .map(drop)
                .map_err(e)
        })?,
    ));
    queries.push((
        "aggregate by area, last 30 days",
        time(|| store.aggregate(&month, Dimension::Jurisdiction).map(drop).map_err(e))?,
    ));
    queries.push((
        "aggregate by hour of week, last 30 days",
        time(|| store.aggregate(&month, Dimension::HourOfWeek).map(drop).map_err(e))?,
    ));
    queries.push((
        "positions for the density map, last 30 days",
        time(|| store.positions(&month).map(drop).map_err(e))?,
    ));
    let in_town = IncidentFilter {
        jurisdiction: town,
        ..month.clone()
    };
    queries.push((
        "newest 100 incidents of a town, last 30 days",
        time(|| {
            store
                .incidents(
                    &in_town,
                    &PageRequest {
                        limit: 100,
                        after: None,
                    },
                )
                .map(drop)
                .map_err(e)
        })?,
    ));
    let board = fengqiao_store::cases::CaseFilter {
        case_type: Some("hazard".into()),
        open_only: true,
        limit: Some(100),
        ..Default::default()
    };
    queries.push((
        "case board: 100 open hazards, overdue first",
        time(|| store.cases(&board).map(drop).map_err(e))?,
    ));
    let today = now.date_naive();
    queries.push((
        "KPI report by month, last year",
        time(|| {
            fengqiao_store::cases::report(
                &store,
                &config,
                today - Duration::days(365),
                today + Duration::days(1),
                now,
                fengqiao_store::cases::ReportBy::Month,
            )
            .map(drop)
            .map_err(e)
        })?,
    ));
    let bytes = std::fs::metadata(dir.join("scale.sqlite"))
        .map(|m| m.len())
        .unwrap_or(0);
    Ok(json!({
        "backend": "sqlite",
        "incidents": incidents,
        "import_rows_per_second": incidents as f64 / import_s,
        "bare_insert_rows_per_second": incidents as f64 / floor_s,
        "import_ratio_to_floor": floor_s / import_s,
        "first_checkpoint_seconds": checkpoint_s,
        "cases": cases,
        "cases_opened_per_second": cases as f64 / cases_s,
        "database_bytes": bytes,
        "full_scan_ms": scan.0,
        "queries": queries.iter().map(|(name, (median, cold))| json!({
            "query": name, "median_ms": median, "cold_ms": cold, "ratio_to_full_scan": median / scan.0,
        })).collect::<Vec<_>>(),
    }))
}

fn print(v: &Value) {
    let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
    println!(
        "scale benchmark ({}): {} incidents, {} cases, database {:.1} GB",
        v["backend"].as_str().unwrap_or(""),
        crate::output::thousands(v["incidents"].as_u64().unwrap_or(0)),
        crate::output::thousands(v["cases"].as_u64().unwrap_or(0)),
        f("database_bytes") / 1e9
    );
    println!(
        "  import with ledger entries and areas: {:>10.0} rows/s   bare table, no index: {:>10.0} rows/s   ratio {:.2}",
        f("import_rows_per_second"),
        f("bare_insert_rows_per_second"),
        f("import_ratio_to_floor")
    );
    println!(
        "  first signed checkpoint over every entry: {:.1} s",
        f("first_checkpoint_seconds")
    );
    println!("  cases opened: {:.0}/s", f("cases_opened_per_second"));
    println!(
        "  {:<46} {:>10} {:>10} {:>10}",
        "query (median of 5 after a cold run)", "median ms", "cold ms", "÷ scan"
    );
    println!(
        "  {:<46} {:>10.1}",
        "full scan, count(*) (the floor of reading)",
        f("full_scan_ms")
    );
    for q in v["queries"].as_array().into_iter().flatten() {
        println!(
            "  {:<46} {:>10.1} {:>10.1} {:>10.2}",
            q["query"].as_str().unwrap_or(""),
            q["median_ms"].as_f64().unwrap_or(0.0),
            q["cold_ms"].as_f64().unwrap_or(0.0),
            q["ratio_to_full_scan"].as_f64().unwrap_or(0.0)
        );
    }
}
