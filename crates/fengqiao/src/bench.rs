//! `fengqiao bench import`: import speed and memory on a real file, beside
//! the `sqlite3` shell's `.import` of the same file into a bare table (the
//! physical floor for SQLite), reported as a ratio.

use crate::config::Settings;
use crate::import::{import_file, mapping_for};
use crate::output::thousands;
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
    /// Import FILE into fresh databases; compare with `sqlite3 .import`
    Import {
        file: PathBuf,
        #[arg(long, conflicts_with = "map", required_unless_present = "map")]
        profile: Option<String>,
        #[arg(long)]
        map: Option<PathBuf>,
        /// Timed runs of each side; the median is reported
        #[arg(long, default_value_t = 3)]
        runs: usize,
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
    let BenchCommand::Import {
        file,
        profile,
        map,
        runs,
        json,
    } = cmd;
    let mapping = mapping_for(profile.as_deref(), map.as_deref())?;
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
        let r = import_file(&store, file, "bench", mapping.clone(), &settings.categories, None, true)?;
        ours.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let second = import_file(&store, file, "bench", mapping.clone(), &settings.categories, None, true)?;
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
