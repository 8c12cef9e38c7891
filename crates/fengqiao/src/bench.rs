//! `fengqiao bench import`: import speed and memory on a real file, beside
//! the `sqlite3` shell's `.import` of the same file into a bare table (the
//! physical floor for SQLite), reported as a ratio.

use crate::output::thousands;
use fengqiao_app::Settings;
use fengqiao_app::imports::mapping_for;
use fengqiao_domain::Level;
use fengqiao_store::{NewJurisdiction, Store};
use fengqiao_store_sqlite::SqliteStore;
use serde_json::json;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Time model fits and single forecasts on a real file
    Forecast {
        /// An incident CSV (.csv or .csv.gz)
        file: PathBuf,
        /// A built-in profile for the file's layout (see `fengqiao profiles`)
        #[arg(long, conflicts_with = "map", required_unless_present = "map")]
        profile: Option<String>,
        /// A mapping TOML file describing the file's columns (instead of --profile)
        #[arg(long)]
        map: Option<PathBuf>,
        /// Grid cell size in metres (100 m on Chicago gives about 30,000 valid cells)
        #[arg(long, default_value_t = 100.0)]
        cell: f64,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
        /// Also time daily forecasts of naive, retro and prospective over these local
        /// days (FROM,TO) beside an independent numpy implementation (needs python3 + numpy)
        #[arg(long, value_delimiter = ',', num_args = 1)]
        numpy: Option<Vec<chrono::NaiveDate>>,
    },
    /// The planner against exact solves on the shared covering instances and
    /// CUMCM 2011 B, and the time of a 30,000-cell, 200-unit plan
    Plan {
        /// The shared data directory (with mclp/ and cumcm2011b/)
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Time limit of each exact solve, seconds
        #[arg(long, default_value_t = 60.0)]
        time_limit: f64,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// The roster solver on the Employee Shift Scheduling Benchmark: objective, time, gap to the optimum, bound
    Roster {
        /// The directory of instance files (InstanceN.txt)
        #[arg(long, default_value = "../shared/data/rostering")]
        data: PathBuf,
        /// Time limit of each instance, seconds
        #[arg(long, default_value_t = 60.0)]
        time_limit: f64,
        /// Only these instance numbers (e.g. 1,2,8)
        #[arg(long, value_delimiter = ',')]
        only: Vec<u32>,
        /// Seed of the search (runs with the same seed and time repeat closely)
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Each instance repeated HxS: its horizon H times, its staff S times (cover alike), to measure the solver at sizes the published instances do not reach
        #[arg(long)]
        tile: Option<String>,
        /// The search alone: no second thread (no column generation, no bound), to measure what it adds
        #[arg(long)]
        search_only: bool,
        /// Print the table as JSON
        #[arg(long)]
        json: bool,
    },
    /// The near-repeat Knox test on a real file's first incidents, beside a vectorised numpy version of the same test
    NearRepeat {
        #[command(flatten)]
        test: crate::near_repeat::NearRepeatArgs,
        /// The first this many incidents in time
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        /// Also run scripts/knox_numpy.py on the same events (needs python3 with numpy)
        #[arg(long)]
        numpy: bool,
    },
    /// The transparency log beside SHA-256/s on one core: tree appends, durable appends, verify
    Ledger {
        /// Entries appended to the log in the benchmark
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Case transitions per second on SQLite with the ledger on, beside bare one-row write transactions
    Cases {
        /// How many cases to open and move round the loop
        #[arg(long, default_value_t = 2_000)]
        count: usize,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Millions of incidents and thousands of cases: import rate and the latency of the pages' queries
    Scale {
        /// Incidents to load (the demo city's year replicated over three years)
        #[arg(long, default_value_t = 10_000_000)]
        incidents: u64,
        /// Hazards opened on top (cases)
        #[arg(long, default_value_t = 20_000)]
        hazards: usize,
        /// Run on this PostgreSQL server instead of a SQLite file: a fresh database is created on it and dropped after (a connection string with rights to create databases)
        #[arg(long)]
        postgres: Option<String>,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Import FILE into fresh databases; compare with `sqlite3 .import`
    Import {
        /// An incident CSV (.csv or .csv.gz)
        file: PathBuf,
        /// A built-in profile for the file's layout (see `fengqiao profiles`)
        #[arg(long, conflicts_with = "map", required_unless_present = "map")]
        profile: Option<String>,
        /// A mapping TOML file describing the file's columns (instead of --profile)
        #[arg(long)]
        map: Option<PathBuf>,
        /// Timed runs of each side; the median is reported
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
}

/// Square jurisdictions at two levels (5 km "towns" holding 1 km "grids")
/// over the mapping's area, so that the benchmark pays for point-in-polygon
/// assignment as a real deployment does.
fn synthetic_jurisdictions(bbox: [f64; 4]) -> Vec<NewJurisdiction> {
    let centre = fengqiao_geo::LonLat::new((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
    let proj = fengqiao_geo::LocalProjection::centred_on(centre);
    let lo = proj.project(fengqiao_geo::LonLat::new(bbox[0], bbox[1]));
    let hi = proj.project(fengqiao_geo::LonLat::new(bbox[2], bbox[3]));
    let square = |x: f64, y: f64, s: f64| {
        let ring: Vec<[f64; 2]> = [(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)]
            .iter()
            .map(|&(a, b)| {
                let p = proj.unproject(fengqiao_geo::Xy::new(a, b));
                [p.lon, p.lat]
            })
            .collect();
        json!({"type": "Polygon", "coordinates": [ring]}).to_string()
    };
    let mut out = Vec::new();
    let mut y = lo.y;
    while y < hi.y {
        let mut x = lo.x;
        while x < hi.x {
            let town = format!("T{:.0}_{:.0}", x, y);
            out.push(NewJurisdiction {
                code: town.clone(),
                name_zh: town.clone(),
                name_en: town.clone(),
                level: Level::Town,
                parent_code: None,
                geometry: square(x, y, 5000.0),
            });
            for i in 0..5 {
                for j in 0..5 {
                    let code = format!("{town}-{i}{j}");
                    out.push(NewJurisdiction {
                        code: code.clone(),
                        name_zh: code.clone(),
                        name_en: code,
                        level: Level::Grid,
                        parent_code: Some(town.clone()),
                        geometry: square(x + f64::from(i) * 1000.0, y + f64::from(j) * 1000.0, 1000.0),
                    });
                }
            }
            x += 5000.0;
        }
        y += 5000.0;
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Decompresses (if gzip) to a plain CSV for the sqlite3 shell.
fn plain_csv(file: &Path, dir: &Path) -> Result<PathBuf, String> {
    let mut src = fengqiao_ingest::open_csv_source(file).map_err(|e| e.to_string())?;
    let out = dir.join("baseline.csv");
    let mut bytes = Vec::new();
    src.reader
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    std::fs::write(&out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(out)
}

fn sqlite3_import(csv: &Path, db: &Path, delimiter: &str) -> Result<f64, String> {
    let _ = std::fs::remove_file(db);
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run sqlite3 ({e}); install it (apt-get install sqlite3) for the baseline"))?;
    let script = format!(
        ".mode csv\n.separator \"{delimiter}\"\n.import '{}' incidents\n",
        csv.display()
    );
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(script.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "sqlite3 .import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(started.elapsed().as_secs_f64())
}

pub fn run(settings: &Settings, cmd: &BenchCommand) -> Result<(), String> {
    let (file, profile, map, runs, json) = match cmd {
        BenchCommand::Import {
            file,
            profile,
            map,
            runs,
            json,
        } => (file, profile, map, runs, json),
        BenchCommand::Plan { data, time_limit, json } => return crate::bench_plan::run(data, *time_limit, *json),
        BenchCommand::Roster {
            data,
            time_limit,
            only,
            seed,
            tile,
            search_only,
            json,
        } => {
            let how = crate::bench_roster::How {
                time_limit: *time_limit,
                seed: *seed,
                tile: tile.as_deref(),
                search_only: *search_only,
            };
            return crate::bench_roster::run(data, only, &how, *json);
        }
        BenchCommand::NearRepeat { test, events, numpy } => {
            return crate::bench_near_repeat::run(settings, test, *events, *numpy);
        }
        BenchCommand::Ledger { entries, json } => return crate::bench_ledger::run(*entries, *json),
        BenchCommand::Cases { count, json } => return crate::bench_cases::run(*count, *json),
        BenchCommand::Scale {
            incidents,
            hazards,
            postgres,
            json,
        } => return crate::bench_scale::run(*incidents, *hazards, postgres.as_deref(), *json),
        BenchCommand::Forecast {
            file,
            profile,
            map,
            cell,
            json,
            numpy,
        } => {
            return bench_forecast(
                settings,
                file,
                profile.as_deref(),
                map.as_deref(),
                *cell,
                *json,
                numpy.as_deref(),
            );
        }
    };
    let mapping = mapping_for(profile.as_deref(), map.as_deref()).map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("fengqiao-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let jurisdictions = mapping.bbox.map(synthetic_jurisdictions).unwrap_or_default();
    let runs = (*runs).max(1);
    let (mut ours, mut again) = (Vec::new(), Vec::new());
    let mut rows = 0;
    let mut imported = 0;
    let mut assigned = 0;
    for i in 0..runs {
        let db = dir.join(format!("run{i}.sqlite"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let store = SqliteStore::open(&db).map_err(|e| e.to_string())?;
        store.replace_jurisdictions(&jurisdictions).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let r = fengqiao_ingest::load_incidents(
            &store,
            file,
            "bench",
            mapping.clone(),
            &settings.city.categories,
            &Default::default(),
            &|_, _, _| {},
        )
        .map_err(|e| e.to_string())?;
        ours.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let second = fengqiao_ingest::load_incidents(
            &store,
            file,
            "bench",
            mapping.clone(),
            &settings.city.categories,
            &Default::default(),
            &|_, _, _| {},
        )
        .map_err(|e| e.to_string())?;
        again.push(t.elapsed().as_secs_f64());
        if second.summary.imported != 0 {
            return Err(format!(
                "re-import added {} rows: deduplication is broken",
                second.summary.imported
            ));
        }
        rows = r.summary.read;
        imported = r.summary.imported;
        assigned = r.summary.in_jurisdiction;
    }
    let peak = peak_rss_mb();
    let csv = plain_csv(file, &dir)?;
    let baseline: Result<Vec<f64>, String> = (0..runs)
        .map(|_| sqlite3_import(&csv, &dir.join("baseline.sqlite"), &mapping.delimiter))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    let ours_s = median(ours);
    let again_s = median(again);
    let rate = rows as f64 / ours_s;
    let (base_s, base_rate, ratio, base_err) = match baseline {
        Ok(v) => {
            let s = median(v);
            let br = rows as f64 / s;
            (Some(s), Some(br), Some(rate / br), None)
        }
        Err(e) => (None, None, None, Some(e)),
    };
    if *json {
        println!(
            "{}",
            json!({
                "file": file.display().to_string(), "rows": rows, "imported": imported,
                "jurisdictions": jurisdictions.len(), "assigned_to_jurisdiction": assigned, "runs": runs,
                "fengqiao": {"seconds": ours_s, "rows_per_second": rate, "reimport_seconds": again_s,
                             "reimport_rows_per_second": rows as f64 / again_s, "peak_rss_mb": peak},
                "baseline_sqlite3_import": {"seconds": base_s, "rows_per_second": base_rate, "error": base_err},
                "ratio_to_baseline": ratio,
            })
        );
        return Ok(());
    }
    println!(
        "bench import {} ({} rows, median of {runs} runs)",
        file.display(),
        thousands(rows)
    );
    println!(
        "  fengqiao import         {:>8.3} s  {:>10} rows/s  (dedupe + {} jurisdictions, {} rows assigned)",
        ours_s,
        thousands(rate as u64),
        jurisdictions.len(),
        thousands(assigned)
    );
    println!(
        "  fengqiao re-import      {:>8.3} s  {:>10} rows/s  (every row a duplicate)",
        again_s,
        thousands((rows as f64 / again_s) as u64)
    );
    match (base_s, base_rate, ratio) {
        (Some(s), Some(br), Some(r)) => {
            println!(
                "  sqlite3 .import (bare)  {:>8.3} s  {:>10} rows/s",
                s,
                thousands(br as u64)
            );
            println!("  ratio fengqiao / sqlite3 .import: {r:.2}");
        }
        _ => println!("  baseline not run: {}", base_err.unwrap_or_default()),
    }
    if let Some(p) = peak {
        println!("  peak resident memory of this process: {p:.1} MB");
    }
    Ok(())
}

/// One grid-ETAS fit on all of the file's history, one SEPP fit, and one
/// flagship forecast (training included) for the day after the data.
fn bench_forecast(
    settings: &Settings,
    file: &Path,
    profile: Option<&str>,
    map: Option<&Path>,
    cell: f64,
    json_out: bool,
    numpy: Option<&[chrono::NaiveDate]>,
) -> Result<(), String> {
    use fengqiao_forecast::Model;
    use fengqiao_forecast::models::{Flagship, Sepp, fit_grid_etas};
    use fengqiao_forecast::prepare::{self, WindowKind};
    let mapping = mapping_for(profile, map).map_err(|e| e.to_string())?;
    let tz: chrono_tz::Tz = mapping.timezone.parse().map_err(|_| "bad time zone")?;
    let centre = mapping
        .bbox
        .map(|[a, b, c, d]| fengqiao_geo::LonLat::new((a + c) / 2.0, (b + d) / 2.0));
    let rows = fengqiao_app::forecast::read_incidents(file, mapping, &settings.city.categories, None)
        .map_err(|e| e.to_string())?;
    let incidents = fengqiao_app::forecast::to_forecast_incidents(&rows, tz, false, i64::MAX);
    let centre = centre.unwrap_or_else(|| fengqiao_geo::LonLat::new(incidents[0].lon, incidents[0].lat));
    let (grid, events) = prepare::build_events(&incidents, centre, cell, (0.0, 0.0)).map_err(|e| e.to_string())?;
    let (t0, t1) = (events.first().map_or(0.0, |e| e.t), events.last().map_or(0.0, |e| e.t));
    let started = Instant::now();
    let (_, etas) = fit_grid_etas(grid.len(), &events, t0, t1, (0.2, 1.0 / 7.0), 200, true);
    let etas_s = started.elapsed().as_secs_f64();
    // The day after the data, in local time.
    let last_day = chrono::DateTime::from_timestamp((t1 * 86_400.0) as i64, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive();
    let day = last_day.succ_opt().ok_or("date out of range")?;
    let window = prepare::windows(tz, day, day, &WindowKind::Day)[0];
    let validation = prepare::windows(tz, day - chrono::Duration::days(365), last_day, &WindowKind::Day);
    let valid = prepare::cells_with_history(&grid, &events, window.start);
    let ctx = prepare::context(grid, valid, &WindowKind::Day);
    let started = Instant::now();
    let mut fq = Flagship::default();
    fq.start(&ctx, &events, &validation);
    let mut out = vec![0.0; ctx.cells()];
    fq.predict(&ctx, &[], &window, &mut out);
    let fq_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut predict_only = vec![0.0; ctx.cells()];
    fq.predict(&ctx, &[], &window, &mut predict_only);
    let predict_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut sepp = Sepp::default();
    sepp.start(&ctx, &events, &[]);
    let sepp_s = started.elapsed().as_secs_f64();
    let years = (t1 - t0) / 365.25;
    let versus = match numpy {
        Some([from, to]) => Some(versus_numpy(&ctx, &events, tz, *from, *to)?),
        Some(_) => return Err("--numpy takes two dates: FROM,TO".into()),
        None => None,
    };
    if let (Some(v), Some([from, to])) = (&versus, numpy) {
        if json_out {
            println!("{v}");
        } else {
            println!(
                "daily forecasts {from} .. {to} on a {cell} m grid: fengqiao vs numpy (same models, same ranking rule)"
            );
            for m in ["naive", "retro", "prospective", "seppexp"] {
                println!(
                    "  {m:<12} fengqiao {:>7.3} s  numpy {:>7.3} s  ratio {:>6.1}x   hit rate at 5%: {:.4} vs {:.4}",
                    v[m]["fengqiao_seconds"].as_f64().unwrap_or(f64::NAN),
                    v[m]["numpy_seconds"].as_f64().unwrap_or(f64::NAN),
                    v[m]["speedup"].as_f64().unwrap_or(f64::NAN),
                    v[m]["fengqiao_hit_rate_5"].as_f64().unwrap_or(f64::NAN),
                    v[m]["numpy_hit_rate_5"].as_f64().unwrap_or(f64::NAN),
                );
            }
            let fit = |k: &str, side: &str| v["seppexp"][format!("{side}_{k}")].as_f64().unwrap_or(f64::NAN);
            println!(
                "  seppexp fit: theta {:.5} vs {:.5}, omega {:.3} vs {:.3} a day, background share {:.4} vs {:.4}",
                fit("theta", "fengqiao"),
                fit("theta", "numpy"),
                fit("omega", "fengqiao"),
                fit("omega", "numpy"),
                fit("background_share", "fengqiao"),
                fit("background_share", "numpy"),
            );
        }
    }
    if json_out {
        println!(
            "{}",
            json!({"file": file.display().to_string(), "events": events.len(), "years": years, "cell_m": cell,
                   "grid_cells": ctx.cells(), "valid_cells": ctx.valid_cells.len(),
                   "etas_fit_seconds": etas_s, "etas_fit": etas,
                   "fq_train_and_forecast_seconds": fq_s, "fq_forecast_only_seconds": predict_s,
                   "sepp_fit_seconds": sepp_s, "sepp_fit": sepp.params()["fit"]})
        );
        return Ok(());
    }
    println!(
        "bench forecast {} ({} events over {:.1} years, {} m grid: {} cells, {} valid)",
        file.display(),
        thousands(events.len() as u64),
        years,
        cell,
        thousands(ctx.cells() as u64),
        thousands(ctx.valid_cells.len() as u64)
    );
    println!(
        "  grid ETAS fit, all history (EM, day bins)   {etas_s:>7.3} s   θ = {:.4}, mean delay {:.1} days, {} iterations",
        etas.theta,
        1.0 / etas.omega,
        etas.iterations
    );
    println!("  fq: train on a year + forecast one day      {fq_s:>7.3} s");
    println!("  fq: one more forecast (trained)             {predict_s:>7.3} s");
    println!("  continuous SEPP fit (last 2 years)          {sepp_s:>7.3} s");
    Ok(())
}

/// Times naive, retro and prospective daily forecasts here and in
/// `scripts/baselines_numpy.py`, and compares their hit rates at 5%.
fn versus_numpy(
    ctx: &fengqiao_forecast::Context,
    events: &[fengqiao_forecast::Event],
    tz: chrono_tz::Tz,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<serde_json::Value, String> {
    use fengqiao_forecast::prepare::{self, WindowKind};
    use std::fmt::Write as _;
    let windows = prepare::windows(tz, from, to, &WindowKind::Day);
    let first = windows.first().map_or(0.0, |w| w.start);
    let valid = prepare::cells_with_history(&ctx.grid, events, first);
    let ctx = prepare::context(ctx.grid, valid, &WindowKind::Day);
    let dir = std::env::temp_dir().join(format!("fengqiao-numpy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut text = String::new();
    for e in events {
        let _ = writeln!(text, "{},{},{},{}", e.t, e.cell, e.x, e.y);
    }
    std::fs::write(dir.join("events.csv"), text).map_err(|e| e.to_string())?;
    let mut text = String::new();
    for w in &windows {
        let _ = writeln!(text, "{},{}", w.start, w.end);
    }
    std::fs::write(dir.join("windows.csv"), text).map_err(|e| e.to_string())?;
    let grid = json!({"cols": ctx.grid.cols, "rows": ctx.grid.rows, "cell_m": ctx.grid.cell_m,
                      "origin": [ctx.grid.origin.x, ctx.grid.origin.y], "valid": ctx.valid_cells});
    std::fs::write(dir.join("grid.json"), grid.to_string()).map_err(|e| e.to_string())?;
    let cfg = fengqiao_forecast::BacktestConfig {
        bootstrap: 0,
        ..fengqiao_forecast::BacktestConfig::default()
    };
    let models: Vec<Box<dyn fengqiao_forecast::Model>> = ["naive", "retro", "prospective", "seppexp"]
        .iter()
        .map(|m| fengqiao_forecast::model_by_name(m).expect("known model"))
        .collect();
    let ours = fengqiao_forecast::run_backtest(&ctx, events, &windows, &[], models, &cfg);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/baselines_numpy.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&dir)
        .output()
        .map_err(|e| format!("cannot run python3 ({e}); the numpy baseline needs python3 with numpy"))?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!(
            "numpy baseline failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let mut v =
        json!({"windows": windows.len(), "valid_cells": ctx.valid_cells.len(), "numpy_version": theirs["numpy"]});
    for m in &ours.models {
        let t = &theirs[&m.name];
        let ns = t["seconds"].as_f64().unwrap_or(f64::NAN);
        v[&m.name] = json!({"fengqiao_seconds": m.seconds, "numpy_seconds": ns, "speedup": ns / m.seconds,
                            "fengqiao_hit_rate_5": m.hit_rate["0.05"], "numpy_hit_rate_5": t["hit_rate_5"]});
        if m.name == "seppexp" {
            // The fitted parameters, each side's, for the faithfulness check.
            for k in ["theta", "omega", "background_share"] {
                v["seppexp"][format!("fengqiao_{k}")] = m.params["fit"][k].clone();
                v["seppexp"][format!("numpy_{k}")] = t[k].clone();
            }
        }
    }
    Ok(v)
}
