//! `fengqiao plan`: deployment plans by weighted maximal covering, from a
//! covering-instance file (`--mclp`) or a road network with demand per
//! intersection and existing posts (`--network`, the CUMCM 2011 B layout).

use crate::messages::tr;
use crate::output::pad;
use fengqiao_app::deployment::{PlanRequest, plan_from_forecast};
use fengqiao_app::units::{Rows, column, field, read_table};
use fengqiao_app::{Error, Result};
use fengqiao_plan::{Instance, RoadNetwork, Solution, SolveOptions, parse_mclp, solve, solve_exact};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(clap::Args)]
pub struct PlanArgs {
    /// A stored forecast to plan for: its id, or `latest` (of --window)
    #[arg(long, default_value = "latest")]
    pub forecast: String,
    /// Dataset of the latest forecast [default: the default dataset]
    #[arg(long)]
    pub dataset: Option<String>,
    /// The window: a shift, a day or a week
    #[arg(long, value_parser = ["shift", "day", "week"], default_value = "shift")]
    pub window: String,
    /// Units, speeds, posts and rules (TOML); without it the stations and posts in the database
    #[arg(long)]
    pub units: Option<PathBuf>,
    /// Also write the plan as GeoJSON to this file
    #[arg(long)]
    pub geojson: Option<PathBuf>,
    /// A covering instance: `n_demand n_sites p`, then `weight k site...` per demand
    #[arg(long, conflicts_with = "network")]
    pub mclp: Option<PathBuf>,
    /// A directory with nodes.csv (id,x,y,...,rate), edges.csv (u,v) and platforms.csv (...,node)
    #[arg(long)]
    pub network: Option<PathBuf>,
    /// With --network: how many posts to place (default: as many as exist now)
    #[arg(long)]
    pub posts: Option<usize>,
    /// With --network: reach by road, in the network's units (CUMCM: 30 = 3 minutes at 60 km/h)
    #[arg(long, default_value_t = 30.0)]
    pub reach: f64,
    /// Also prove the optimum by branch and bound (first covers only)
    #[arg(long)]
    pub exact: bool,
    /// Time limit of the exact solve, in seconds
    #[arg(long, default_value_t = 120.0)]
    pub time_limit: f64,
    /// Print JSON instead of the human-readable report
    #[arg(long)]
    pub json: bool,
}

pub fn run(settings: &fengqiao_app::Settings, args: &PlanArgs) -> Result<()> {
    if let Some(path) = &args.mclp {
        let report = mclp_report(path, args)?;
        return print(args, &report, &format!("{}", path.display()));
    }
    if let Some(dir) = &args.network {
        let report = network_report(dir, args)?;
        return print(
            args,
            &report,
            &format!("{} (reach {} by road)", dir.display(), args.reach),
        );
    }
    from_forecast(settings, args)
}

/// Solves a covering-instance file (and proves it with `args.exact`).
pub fn mclp_report(path: &Path, args: &PlanArgs) -> Result<Value> {
    let text = read(path)?;
    let inst = parse_mclp(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    solve_and_report(&inst, args)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::input(format!("{}: {e}", path.display())))
}

/// Heuristic solution, and with --exact the proven optimum beside it.
fn solve_and_report(inst: &Instance, args: &PlanArgs) -> Result<Value> {
    let s = solve(inst, &SolveOptions::default()).map_err(|e| Error::input(e.to_string()))?;
    let mut report = solution_json(inst, &s);
    if args.exact {
        let started = std::time::Instant::now();
        let limit = Duration::from_secs_f64(args.time_limit.max(0.0));
        let e = solve_exact(inst, Some(&s.open), limit)
            .ok_or_else(|| Error::input("the exact solve handles first covers only, without minimum-presence rules"))?;
        report["exact"] = json!({
            "objective": e.value, "bound": e.bound, "proven": e.proven, "nodes": e.nodes,
            "seconds": started.elapsed().as_secs_f64(),
        });
        // The true gap of the heuristic when the optimum is proven; else against the better bound.
        let bound = if e.proven {
            e.value
        } else {
            e.bound.min(s.bound.unwrap_or(f64::INFINITY))
        };
        report["gap"] = json!(((bound - s.objective) / bound).max(0.0));
        report["gap_is_exact"] = json!(e.proven);
    }
    Ok(report)
}

fn solution_json(inst: &Instance, s: &Solution) -> Value {
    let total = inst.total_weight();
    json!({
        "objective": s.objective, "covered": s.covered, "total_weight": total,
        "covered_share": if total > 0.0 { s.covered / total } else { 0.0 },
        "bound": s.bound, "gap": s.gap, "gap_is_exact": false, "method": s.method,
        "greedy_objective": s.greedy_objective, "seconds": s.seconds, "open": s.open,
    })
}

fn print(args: &PlanArgs, report: &Value, source: &str) -> Result<()> {
    if args.json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    let f = |k: &str| report[k].as_f64().unwrap_or(f64::NAN);
    println!("{}", tr!("plan.title", source = source));
    let covered = tr!(
        "plan.covered",
        covered = format!("{:.1}", f("covered")),
        total = format!("{:.1}", f("total_weight")),
        share = format!("{:.1}", 100.0 * f("covered_share")),
        objective = format!("{:.1}", f("objective")),
        method = report["method"].as_str().unwrap_or("?"),
        seconds = format!("{:.3}", f("seconds")),
        greedy = format!("{:.1}", f("greedy_objective")),
    );
    println!("{covered}");
    if let Some(b) = report["bound"].as_f64() {
        println!("{}", tr!("plan.bound", bound = format!("{b:.2}")));
    }
    if let Some(e) = report.get("exact") {
        println!(
            "  exact: {:.1} {} ({} nodes, {:.2} s); bound {:.2}",
            e["objective"].as_f64().unwrap_or(f64::NAN),
            if e["proven"] == true {
                "proven optimal"
            } else {
                "not proven (time limit)"
            },
            e["nodes"],
            e["seconds"].as_f64().unwrap_or(f64::NAN),
            e["bound"].as_f64().unwrap_or(f64::NAN),
        );
    }
    if let Some(g) = report["gap"].as_f64() {
        let kind = if report["gap_is_exact"] == true {
            "to the proven optimum"
        } else {
            "at most, to the bound"
        };
        println!("  gap {:.3}% {kind}", 100.0 * g);
    }
    if let Some(extra) = report.get("existing") {
        println!(
            "  existing posts: {} covering {:.1} ({:.1}%)",
            extra["posts"],
            extra["covered"].as_f64().unwrap_or(f64::NAN),
            100.0 * extra["covered_share"].as_f64().unwrap_or(f64::NAN)
        );
    }
    if let Some(m) = report.get("posts_to_reach_every_node") {
        println!(
            "  posts needed to reach every node: {} ({})",
            m["posts"],
            if m["proven"] == true {
                "proven minimum"
            } else {
                "best found; the minimum is not proven"
            }
        );
    }
    Ok(())
}

/// A CSV with a header line, as rows of named fields, with errors that name the line.
struct Network {
    net: RoadNetwork,
    rates: Vec<f64>,
    posts: Vec<u32>,
    /// How the posts file was read, when not as plain node ids.
    note: Option<String>,
}

/// Posts given as (district, k): the k-th node (1-based, in file order) of that district.
fn posts_by_district(path: &Path, header: &[String], rows: &Rows, districts: &[(String, u32)]) -> Result<Vec<u32>> {
    let repeated = || {
        Error::input(format!(
            "{}: a node appears more than once and there is no district to read it by",
            path.display()
        ))
    };
    let by = column(path, header, "tppsp").map_err(|_| repeated())?;
    let at = column(path, header, "node")?;
    if districts.is_empty() {
        return Err(repeated());
    }
    let mut posts = Vec::new();
    for (line, row) in rows {
        let d = row.get(by).map_or("", String::as_str);
        let k: usize = field(path, *line, row, at, "node")?;
        let node = districts
            .iter()
            .filter(|(name, _)| name == d)
            .nth(k.wrapping_sub(1))
            .ok_or_else(|| {
                Error::input(format!(
                    "{}:{line}: district {d:?} has no node number {k}",
                    path.display()
                ))
            })?;
        if posts.contains(&node.1) {
            return Err(Error::input(format!(
                "{}:{line}: this post stands where another already does",
                path.display()
            )));
        }
        posts.push(node.1);
    }
    Ok(posts)
}

fn load_network(dir: &Path) -> Result<Network> {
    let path = dir.join("nodes.csv");
    let (header, rows) = read_table(&path)?;
    let (id, x, y, rate) = (
        column(&path, &header, "id")?,
        column(&path, &header, "x")?,
        column(&path, &header, "y")?,
        column(&path, &header, "rate")?,
    );
    let district = header.iter().position(|h| h == "district");
    let mut index = std::collections::HashMap::new();
    let (mut xy, mut rates, mut districts) = (Vec::new(), Vec::new(), Vec::<(String, u32)>::new());
    let mut note = None;
    for (line, row) in &rows {
        let node: u64 = field(&path, *line, row, id, "id")?;
        if index.insert(node, xy.len() as u32).is_some() {
            return Err(Error::input(format!(
                "{}:{line}: node {node} appears twice",
                path.display()
            )));
        }
        xy.push((field(&path, *line, row, x, "x")?, field(&path, *line, row, y, "y")?));
        let r: f64 = field(&path, *line, row, rate, "rate")?;
        if !(r.is_finite() && r >= 0.0) {
            return Err(Error::input(format!(
                "{}:{line}: field rate: {r} must be a number >= 0",
                path.display()
            )));
        }
        rates.push(r);
        if let Some(at) = district {
            districts.push((row.get(at).cloned().unwrap_or_default(), xy.len() as u32 - 1));
        }
    }
    let mut net = RoadNetwork::new(xy);
    let node_at = |path: &Path, line: usize, row: &[String], at: usize, name: &str| -> Result<u32> {
        let n: u64 = field(path, line, row, at, name)?;
        index.get(&n).copied().ok_or_else(|| {
            Error::input(format!(
                "{}:{line}: field {name}: node {n} is not in nodes.csv",
                path.display()
            ))
        })
    };
    let path = dir.join("edges.csv");
    let (header, rows) = read_table(&path)?;
    let (u, v) = (column(&path, &header, "u")?, column(&path, &header, "v")?);
    for (line, row) in &rows {
        net.add_edge(
            node_at(&path, *line, row, u, "u")?,
            node_at(&path, *line, row, v, "v")?,
            None,
        );
    }
    let path = dir.join("platforms.csv");
    let (header, rows) = read_table(&path)?;
    let at = column(&path, &header, "node")?;
    let mut posts = Vec::new();
    for (line, row) in &rows {
        posts.push(node_at(&path, *line, row, at, "node")?);
    }
    let mut seen = std::collections::HashSet::new();
    if !posts.iter().all(|p| seen.insert(*p)) {
        // The CUMCM 2011 B release: `tppsp` is the district and `node` the
        // position among that district's nodes (its platforms are its first ones).
        posts = posts_by_district(&path, &header, &rows, &districts)?;
        note = Some("platforms.csv lists nodes more than once: read as (district, k-th node of the district)".into());
    }
    Ok(Network {
        net,
        rates,
        posts,
        note,
    })
}

/// Plans posts on a road network; reports the existing posts and the fewest that reach every node.
pub fn network_report(dir: &Path, args: &PlanArgs) -> Result<Value> {
    let Network {
        net,
        rates,
        posts,
        note,
    } = load_network(dir)?;
    if let Some(note) = &note {
        eprintln!("note: {note}");
    }
    // Facility = a node; it reaches the nodes within `reach` by road.
    let covers: Vec<Vec<u32>> = (0..net.nodes() as u32)
        .map(|s| net.within(s, args.reach).into_iter().map(|(v, _)| v).collect())
        .collect();
    let p = args.posts.unwrap_or(posts.len());
    if p == 0 {
        return Err(Error::input("--posts must be at least 1"));
    }
    let inst = Instance::single_class(rates.clone(), covers.clone(), p.min(net.nodes()))
        .map_err(|e| Error::input(e.to_string()))?;
    let mut report = solve_and_report(&inst, args)?;
    let existing = fengqiao_plan::covered_weight(&inst, &posts);
    let total = inst.total_weight();
    report["existing"] =
        json!({"posts": posts.len(), "covered": existing, "covered_share": existing / total, "read_as": note});
    // The fewest posts that reach every node: the smallest p whose optimum
    // with unit weights covers all nodes.
    let unit = Instance::single_class(vec![1.0; net.nodes()], covers, 1).map_err(|e| Error::input(e.to_string()))?;
    report["posts_to_reach_every_node"] = fewest_to_cover_all(&unit, args);
    Ok(report)
}

/// Counts down from greedy's answer; the first p that neither the heuristic
/// nor (with --exact) the exact solve can make cover everything proves p + 1.
fn fewest_to_cover_all(unit: &Instance, args: &PlanArgs) -> Value {
    let n = unit.demands() as f64;
    let covers_all = |p: usize| -> (bool, bool) {
        let mut inst = unit.clone();
        inst.budgets = vec![p];
        let s = solve(&inst, &SolveOptions::default()).expect("valid instance");
        if s.covered >= n - 0.5 {
            return (true, true);
        }
        if s.bound.is_some_and(|b| b < n - 0.5) {
            return (false, true);
        }
        if args.exact {
            let limit = Duration::from_secs_f64(args.time_limit.max(0.0));
            if let Some(e) = solve_exact(&inst, Some(&s.open), limit) {
                return (e.value >= n - 0.5, e.proven || e.bound < n - 0.5);
            }
        }
        (false, false)
    };
    let mut p = 1;
    while !covers_all(p).0 {
        p = (p * 2).min(unit.facilities());
    }
    // Now p works; walk down.
    let mut best = p;
    let mut proven = false;
    while best > 1 {
        let (ok, sure) = covers_all(best - 1);
        if ok {
            best -= 1;
        } else {
            proven = sure;
            break;
        }
    }
    json!({"posts": best, "proven": proven || best == 1})
}

fn from_forecast(settings: &fengqiao_app::Settings, args: &PlanArgs) -> Result<()> {
    let store = fengqiao_app::store::open_store(settings)?;
    let store = store.as_ref();
    let req = PlanRequest {
        dataset: args.dataset.clone(),
        forecast: args.forecast.clone(),
        window: args.window.clone(),
        units: args.units.clone(),
    };
    let (id, summary, body, geojson) = plan_from_forecast(store, &req)?;
    fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
    if let Some(path) = &args.geojson {
        std::fs::write(path, geojson.to_string()).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    }
    if args.json {
        let mut out = summary.clone();
        out["id"] = json!(id);
        out["units"] = body["units"].clone();
        out["stations"] = body["stations"].clone();
        out["equity"] = json!(fengqiao_app::equity::equity_report(
            store,
            &fengqiao_app::equity::EquityRequest {
                plan: Some(id),
                ..Default::default()
            },
        )?);
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let pct = |k: &str| 100.0 * summary["coverage"][k].as_f64().unwrap_or(0.0);
    println!(
        "{}",
        tr!(
            "plan.detail",
            id = id,
            units = summary["units"],
            p1 = format!("{:.1}", pct("1")),
            p3 = format!("{:.1}", pct("3")),
            p5 = format!("{:.1}", pct("5")),
            objective = format!("{:.2}", summary["objective"].as_f64().unwrap_or(0.0)),
            gap = summary["gap"].as_f64().map_or_else(
                || tr!("plan.gap_unknown"),
                |g| tr!("plan.gap_at_most", gap = format!("{:.2}", 100.0 * g))
            ),
            seconds = format!("{:.2}", summary["seconds"].as_f64().unwrap_or(0.0))
        )
    );
    for st in body["stations"].as_array().into_iter().flatten() {
        println!(
            "\n{}",
            tr!(
                "plan.station",
                code = st["code"].as_str().unwrap_or(""),
                name = st["name"].as_str().unwrap_or(""),
                units = st["units"],
                expected = format!("{:.1}", st["area_expected"].as_f64().unwrap_or(0.0))
            )
        );
        for u in body["units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|u| u["station"] == st["code"])
        {
            let visits: Vec<String> = u["visits"]
                .as_array()
                .into_iter()
                .flatten()
                .take(4)
                .map(|v| {
                    format!(
                        "{} ({:.5},{:.5})",
                        v["start"].as_str().unwrap_or("").get(11..16).unwrap_or(""),
                        v["at"][0].as_f64().unwrap_or(0.0),
                        v["at"][1].as_f64().unwrap_or(0.0)
                    )
                })
                .collect();
            let n = u["visits"].as_array().map_or(0, Vec::len);
            println!(
                "{}",
                tr!(
                    "plan.unit",
                    id = pad(u["id"].as_str().unwrap_or(""), 16),
                    lon = format!("{:.5}", u["position"][0].as_f64().unwrap_or(0.0)),
                    lat = format!("{:.5}", u["position"][1].as_f64().unwrap_or(0.0)),
                    n = n,
                    visits = visits.join(", "),
                    more = if n > 4 { tr!("plan.more") } else { String::new() }
                )
            );
        }
    }
    println!();
    crate::equity::print_summary(store, None, Some(id))?;
    Ok(())
}
