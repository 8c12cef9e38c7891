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
//!
//! With `--postgres CONNECTION`, the same on a fresh database created on that
//! server (and dropped after); the floor there is the same rows into a bare
//! table by the same one-statement-per-batch insert.

use chrono::{Duration, Utc};
use fengqiao_app::ledger::signer;
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
    let source = CsvSource::from_utf8(csv);
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

/// Where the benchmark writes: a SQLite file, or a database of its own on a
/// PostgreSQL server.
enum Target {
    Sqlite(std::path::PathBuf),
    Postgres { server: String, url: String, name: String },
}

impl Target {
    fn open(&self) -> Result<Box<dyn Store>, String> {
        Ok(match self {
            Target::Sqlite(path) => Box::new(SqliteStore::open(path).map_err(|e| e.to_string())?),
            Target::Postgres { url, .. } => {
                let key = fengqiao_store::secrets::random_bytes::<32>().map_err(|e| e.to_string())?;
                Box::new(fengqiao_store_postgres::PgStore::open(url, key).map_err(|e| e.to_string())?)
            }
        })
    }

    /// The same rows into a bare table, same batches: the floor of writing.
    fn bare_insert(
        &self,
        dir: &std::path::Path,
        rows: &mut dyn FnMut(usize) -> Vec<NewIncident>,
        total: u64,
    ) -> Result<f64, String> {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let started = Instant::now();
        let mut done = 0u64;
        match self {
            Target::Sqlite(_) => {
                let mut bare = rusqlite::Connection::open(dir.join("floor.sqlite")).map_err(|x| e(&x))?;
                bare.execute_batch(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                     CREATE TABLE t (k TEXT, at INTEGER, category TEXT, lon REAL, lat REAL, j INTEGER)",
                )
                .map_err(|x| e(&x))?;
                while done < total {
                    let batch = rows(BATCH.min((total - done) as usize));
                    let tx = bare.transaction().map_err(|x| e(&x))?;
                    {
                        let mut stmt = tx
                            .prepare_cached("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                            .map_err(|x| e(&x))?;
                        for r in &batch {
                            stmt.execute(rusqlite::params![
                                r.source_key,
                                r.occurred_at.timestamp(),
                                r.category,
                                r.lon,
                                r.lat,
                                r.jurisdiction_id
                            ])
                            .map_err(|x| e(&x))?;
                        }
                    }
                    tx.commit().map_err(|x| e(&x))?;
                    done += batch.len() as u64;
                }
            }
            Target::Postgres { url, .. } => {
                let mut c = fengqiao_store_postgres::connect(url).map_err(|x| e(&x))?;
                c.batch_execute(
                    "CREATE TABLE bare (k TEXT, at BIGINT, category TEXT, lon DOUBLE PRECISION, lat DOUBLE PRECISION, j BIGINT)",
                )
                .map_err(|x| e(&x))?;
                while done < total {
                    let batch = rows(BATCH.min((total - done) as usize));
                    let k: Vec<&str> = batch.iter().map(|r| r.source_key.as_str()).collect();
                    let at: Vec<i64> = batch.iter().map(|r| r.occurred_at.timestamp()).collect();
                    let cat: Vec<&str> = batch.iter().map(|r| r.category.as_str()).collect();
                    let lon: Vec<f64> = batch.iter().map(|r| r.lon).collect();
                    let lat: Vec<f64> = batch.iter().map(|r| r.lat).collect();
                    let j: Vec<Option<i64>> = batch.iter().map(|r| r.jurisdiction_id).collect();
                    c.execute(
                        "INSERT INTO bare SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::float8[], $5::float8[], $6::bigint[])",
                        &[&k, &at, &cat, &lon, &lat, &j],
                    )
                    .map_err(|x| e(&x))?;
                    done += batch.len() as u64;
                }
                c.batch_execute("DROP TABLE bare").map_err(|x| e(&x))?;
            }
        }
        Ok(started.elapsed().as_secs_f64())
    }

    /// One full scan of the incidents: the floor of reading.
    fn full_scan(&self) -> Result<(f64, f64), String> {
        match self {
            Target::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                time(|| {
                    conn.query_row("SELECT count(*) FROM incidents", [], |r| r.get::<_, i64>(0))
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
            }
            Target::Postgres { url, .. } => {
                let mut c = fengqiao_store_postgres::connect(url).map_err(|e| e.to_string())?;
                time(|| {
                    c.query_one("SELECT count(*) FROM incidents", &[])
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
            }
        }
    }

    fn bytes(&self) -> u64 {
        match self {
            Target::Sqlite(path) => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            Target::Postgres { url, .. } => fengqiao_store_postgres::connect(url)
                .ok()
                .and_then(|mut c| c.query_one("SELECT pg_database_size(current_database())", &[]).ok())
                .map_or(0, |r| r.get::<_, i64>(0) as u64),
        }
    }

    fn backend(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "sqlite",
            Target::Postgres { .. } => "postgres",
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Target::Postgres { server, name, .. } = self
            && let Ok(mut c) = fengqiao_store_postgres::connect(server)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

pub fn run(incidents: u64, cases: usize, postgres: Option<&str>, json_out: bool) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("fengqiao-bench-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let target = match postgres {
        None => Target::Sqlite(dir.join("scale.sqlite")),
        Some(server) => {
            let name = format!("fengqiao_bench_scale_{}", std::process::id());
            let mut c = fengqiao_store_postgres::connect(server).map_err(|e| e.to_string())?;
            c.batch_execute(&format!("CREATE DATABASE {name}")).map_err(|e| {
                format!(
                    "cannot create the benchmark's database on {}: {e}",
                    fengqiao_store_postgres::redact(server)
                )
            })?;
            let url = if server.contains("://") {
                // postgres://user@host/db → the same server, the new database.
                let (head, _) = server.rsplit_once('/').unwrap_or((server, ""));
                format!("{head}/{name}")
            } else {
                format!("{server} dbname={name}")
            };
            Target::Postgres {
                server: server.to_string(),
                url,
                name,
            }
        }
    };
    let result = measure(&dir, &target, incidents, cases);
    drop(target);
    let _ = std::fs::remove_dir_all(&dir);
    let out = result?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        return Ok(());
    }
    print(&out);
    Ok(())
}

fn measure(dir: &std::path::Path, target: &Target, incidents: u64, cases: usize) -> Result<Value, String> {
    let store = target.open()?;
    let store = store.as_ref();
    let base = templates(store)?;
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
    let mut next = 0u64;
    let floor_s = target.bare_insert(
        dir,
        &mut |size| {
            let batch: Vec<NewIncident> = (next..next + size as u64)
                .map(|i| replica(&base[(i % n) as usize], i / n))
                .collect();
            next += size as u64;
            batch
        },
        incidents,
    )?;

    let key = signer(&dir.join("signing.key")).map_err(|e| e.to_string())?;
    let started = Instant::now();
    fengqiao_store::ledger::sequence(store, &key).map_err(|e| e.to_string())?;
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
        fengqiao_store::cases::open_case(store, &config, &new, "officer", "bench", at).map_err(|e| e.to_string())?;
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
    let scan = target.full_scan()?;
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
                store,
                &config,
                &Default::default(),
                today - Duration::days(365),
                today + Duration::days(1),
                now,
                fengqiao_store::cases::ReportBy::Month,
            )
            .map(drop)
            .map_err(e)
        })?,
    ));
    let bytes = target.bytes();
    Ok(json!({
        "backend": target.backend(),
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
