//! `fengqiao bench near-repeat`: the Knox test on a real file's first N
//! incidents beside `scripts/knox_numpy.py`, a vectorised numpy version of
//! the same test run on the same events in the same run; their observed
//! tables must be equal, and the times are reported as a ratio.

use crate::near_repeat::{NearRepeatArgs, run_with_progress, to_json};
use crate::output::thousands;
use fengqiao_app::Settings;
use serde_json::json;
use std::fmt::Write as _;
use std::process::Command;

pub fn run(settings: &Settings, args: &NearRepeatArgs, events: usize, numpy: bool) -> Result<(), String> {
    let req = args.request(Some(events));
    let out = run_with_progress(settings, &req, args.json).map_err(|e| e.message)?;
    let r = &out.result;
    let theirs = if numpy { Some(versus_numpy(&out, args)?) } else { None };
    if let Some(t) = &theirs
        && t["observed"] != json!(r.observed)
    {
        return Err(format!(
            "the numpy version observed {} where fengqiao observed {:?}",
            t["observed"], r.observed
        ));
    }
    if args.json {
        let mut v = to_json(&out);
        if let Some(t) = theirs {
            let ns = t["seconds"].as_f64().unwrap_or(f64::NAN);
            v["numpy"] = json!({"version": t["numpy"], "seconds": ns, "close_pairs": t["close_pairs"],
                                "observed_equal": true, "speedup": ns / out.seconds});
        }
        println!("{v}");
        return Ok(());
    }
    println!(
        "near-repeat Knox test on {}: first {} incidents ({} to {}), {} m × {} and {} days × {} bands, {} shuffles, {}",
        out.source,
        thousands(r.events as u64),
        day(out.events.first().map_or(0, |e| e.day)),
        day(out.events.last().map_or(0, |e| e.day)),
        r.config.space_band,
        r.config.space_bands,
        r.config.time_band,
        r.config.time_bands,
        r.config.iterations,
        args.distance
    );
    println!("  fengqiao   {:>8.3} s", out.seconds);
    if let Some(t) = theirs {
        let ns = t["seconds"].as_f64().unwrap_or(f64::NAN);
        println!(
            "  numpy {}  {:>8.3} s  ({:.1}× fengqiao's time; observed tables equal, {} close pairs)",
            t["numpy"].as_str().unwrap_or("?"),
            ns,
            ns / out.seconds,
            t["close_pairs"]
        );
    }
    Ok(())
}

fn day(days: i64) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + chrono::Duration::days(days)
}

/// Runs `scripts/knox_numpy.py` on the same events and settings.
fn versus_numpy(
    out: &fengqiao_app::near_repeat::NearRepeatOutcome,
    args: &NearRepeatArgs,
) -> Result<serde_json::Value, String> {
    let dir = std::env::temp_dir().join(format!("fengqiao-knox-numpy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut text = String::new();
    for e in &out.events {
        let _ = writeln!(text, "{},{},{}", e.x, e.y, e.day);
    }
    std::fs::write(dir.join("events.csv"), text).map_err(|e| e.to_string())?;
    let c = &out.result.config;
    let params = json!({"space_band": c.space_band, "space_bands": c.space_bands, "time_band": c.time_band,
                        "time_bands": c.time_bands, "iterations": c.iterations, "distance": args.distance,
                        "seed": c.seed});
    std::fs::write(dir.join("params.json"), params.to_string()).map_err(|e| e.to_string())?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/knox_numpy.py");
    let run = Command::new("python3").arg(script).arg(&dir).output();
    let _ = std::fs::remove_dir_all(&dir);
    let run = run.map_err(|e| format!("cannot run python3 ({e}); the numpy version needs python3 with numpy"))?;
    if !run.status.success() {
        return Err(format!(
            "the numpy version failed: {}",
            String::from_utf8_lossy(&run.stderr).trim()
        ));
    }
    serde_json::from_slice(&run.stdout).map_err(|e| e.to_string())
}
