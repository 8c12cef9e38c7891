//! `fengqiao bench plan`: the planner against exact solves on the shared
//! covering instances and the CUMCM 2011 B road network, and the time of a
//! city-scale plan (30,000 cells, 200 units) beside lazy greedy alone.

use crate::plan::{PlanArgs, mclp_report, network_report};
use fengqiao_plan::SolveOptions;
use fengqiao_plan::deploy::{DeployInput, Station, UnitType};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;

fn args(exact: bool, time_limit: f64) -> PlanArgs {
    PlanArgs {
        forecast: "latest".into(),
        dataset: None,
        window: "shift".into(),
        units: None,
        geojson: None,
        mclp: None,
        network: None,
        posts: None,
        reach: 30.0,
        exact,
        time_limit,
        json: true,
    }
}

/// A synthetic city: `side` x `side` cells of 150 m with demand from 40
/// Gaussian hot spots over a low background, 20 stations of 10 cars.
fn city(side: usize) -> DeployInput {
    let mut seed = 0x9e37_79b9_u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let size = side as f64 * 150.0;
    let spots: Vec<(f64, f64, f64)> = (0..40).map(|_| (next() * size, next() * size, 0.5 + next())).collect();
    let mut demand = Vec::with_capacity(side * side);
    for r in 0..side {
        for c in 0..side {
            let (x, y) = ((c as f64 + 0.5) * 150.0, (r as f64 + 0.5) * 150.0);
            let heat: f64 = spots
                .iter()
                .map(|(sx, sy, k)| k * (-((x - sx).powi(2) + (y - sy).powi(2)) / (2.0 * 600.0f64.powi(2))).exp())
                .sum();
            demand.push(((x, y), 0.002 + 0.05 * heat));
        }
    }
    let stations = (0..20)
        .map(|i| Station {
            code: format!("S{i:02}"),
            xy: (((i % 5) as f64 + 0.5) * size / 5.0, ((i / 5) as f64 + 0.5) * size / 4.0),
            units: vec![(0, 10)],
            area: None,
        })
        .collect();
    DeployInput {
        demand,
        unit_types: vec![UnitType {
            name: "car".into(),
            speed_kmh: 30.0,
        }],
        stations,
        posts: Vec::new(),
        presence: Vec::new(),
        response_minutes: 5.0,
        detour: 1.3,
        backup: 0.25,
        visibility_weight: 1.0,
        visibility_m: 200.0,
        roads: None,
        positions_per_station: 300,
    }
}

pub fn run(data: &Path, time_limit: f64, json_out: bool) -> Result<(), String> {
    let mut report = serde_json::Map::new();
    let mut files: Vec<_> = std::fs::read_dir(data.join("mclp"))
        .map_err(|e| format!("{}: {e}", data.join("mclp").display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for f in &files {
        let r = mclp_report(f, &args(true, time_limit)).map_err(|e| e.to_string())?;
        report.insert(f.file_name().unwrap_or_default().to_string_lossy().into(), r);
    }
    let cumcm = data.join("cumcm2011b");
    if cumcm.exists() {
        report.insert(
            "cumcm2011b".into(),
            network_report(&cumcm, &args(true, time_limit)).map_err(|e| e.to_string())?,
        );
    }
    let input = city(173);
    let started = Instant::now();
    let full = input.plan(&SolveOptions::default()).map_err(|e| e.to_string())?;
    let full_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let greedy = input
        .plan(&SolveOptions {
            lagrange_iterations: 0,
            kicks: 0,
            polish: 0,
            ..SolveOptions::default()
        })
        .map_err(|e| e.to_string())?;
    let greedy_seconds = started.elapsed().as_secs_f64();
    report.insert(
        "city_30k".into(),
        json!({
            "cells": input.demand.len(), "units": full.units.len(),
            "seconds": full_seconds, "objective": full.solution.objective,
            "greedy_swap_seconds": greedy_seconds, "greedy_swap_objective": greedy.solution.objective,
            "coverage_5min": full.rings[2],
        }),
    );
    let report = Value::Object(report);
    if json_out {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>10} {:>9} {:>11} {:>9}",
        "instance", "greedy", "ours", "seconds", "exact", "proven", "exact s", "ours/ex"
    );
    for (name, r) in report.as_object().into_iter().flatten() {
        let Some(e) = r.get("exact") else { continue };
        println!(
            "{:<34} {:>9.1} {:>9.1} {:>9.3} {:>10.1} {:>9} {:>11.2} {:>9.4}",
            name,
            f(&r["greedy_objective"]),
            f(&r["objective"]),
            f(&r["seconds"]),
            f(&e["objective"]),
            e["proven"],
            f(&e["seconds"]),
            f(&r["objective"]) / f(&e["objective"]),
        );
    }
    if let Some(c) = report.get("cumcm2011b") {
        println!(
            "cumcm2011b: existing {} posts cover {:.1} of {:.1}; planned {:.1}; posts to reach every node {} ({})",
            c["existing"]["posts"],
            f(&c["existing"]["covered"]),
            f(&c["total_weight"]),
            f(&c["objective"]),
            c["posts_to_reach_every_node"]["posts"],
            if c["posts_to_reach_every_node"]["proven"] == true {
                "proven"
            } else {
                "not proven"
            }
        );
    }
    let c = &report["city_30k"];
    println!(
        "city of {} cells, {} units: {:.2} s (objective {:.1}); greedy + swaps alone {:.2} s ({:.1}); ratio {:.2}",
        c["cells"],
        c["units"],
        f(&c["seconds"]),
        f(&c["objective"]),
        f(&c["greedy_swap_seconds"]),
        f(&c["greedy_swap_objective"]),
        f(&c["seconds"]) / f(&c["greedy_swap_seconds"]),
    );
    Ok(())
}
