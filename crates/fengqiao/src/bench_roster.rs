//! `fengqiao bench roster`: the roster solver on the Employee Shift
//! Scheduling Benchmark (Curtois & Qu): per instance its objective, the
//! time, the gap to the proven optimum where one is published, the
//! solver's own lower bound, and the measured CP-SAT peer beside it.

use fengqiao_roster::{Options, check::evaluate, format::parse, problem::Tiling, solve};
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Proven optima of instances 1–12 as the benchmark publishes them, and
/// the objective OR-Tools CP-SAT 9.15 reached in 60 s with 2 workers on a
/// machine like ours (`../shared/data/rostering/README.md`). A README in
/// the data directory with a table `| instance | … | optimum |` adds to or
/// overrides the optima.
const PUBLISHED: [(u32, u64, u64); 12] = [
    (1, 607, 607),
    (2, 828, 828),
    (3, 1001, 1003),
    (4, 1716, 1722),
    (5, 1143, 1348),
    (6, 1950, 2255),
    (7, 1056, 1288),
    (8, 1300, 2123),
    (9, 439, 446),
    (10, 4631, 5165),
    (11, 3443, 3810),
    (12, 4040, 6562),
];

/// The instance number in a name such as `Instance12.txt`.
fn number(path: &Path) -> Option<u32> {
    let stem = path.file_stem()?.to_str()?;
    let digits: String = stem.chars().rev().take_while(char::is_ascii_digit).collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

/// Optima from a markdown table in the directory's README whose header
/// has `instance` first and an `optimum` column.
fn optima_from_readme(dir: &Path) -> Vec<(u32, u64)> {
    let Ok(text) = std::fs::read_to_string(dir.join("README.md")) else {
        return Vec::new();
    };
    let mut column = None;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.first().is_some_and(|c| c.eq_ignore_ascii_case("instance")) {
            column = cells.iter().position(|c| c.eq_ignore_ascii_case("optimum"));
            continue;
        }
        if let (Some(i), Some(Ok(n))) = (column, cells.first().map(|c| c.parse::<u32>()))
            && let Some(Ok(v)) = cells.get(i).map(|c| c.replace(',', "").parse::<u64>())
        {
            out.push((n, v));
        }
    }
    out
}

/// Every benchmark instance in `dir`, ordered by number then name.
fn instances(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort_by_key(|p| (number(p), p.clone()));
    if files.is_empty() {
        return Err(format!(
            "{}: no instance files (*.txt in the benchmark's format)",
            dir.display()
        ));
    }
    Ok(files)
}

/// How each instance is solved.
pub struct How<'a> {
    pub time_limit: f64,
    pub seed: u64,
    /// `HxS`: each instance repeated (see `Problem::tiled`).
    pub tile: Option<&'a str>,
    /// No second thread.
    pub search_only: bool,
}

pub fn run(data: &Path, only: &[u32], how: &How, json_out: bool) -> Result<(), String> {
    let How {
        time_limit,
        seed,
        tile,
        search_only,
    } = *how;
    if !(0.1..=3600.0).contains(&time_limit) {
        return Err(format!("--time-limit {time_limit}: 0.1 to 3600 seconds"));
    }
    let tiling = tile
        .map(Tiling::parse)
        .transpose()
        .map_err(|e| format!("--tile: {e}"))?;
    let mut optima: Vec<(u32, u64)> = PUBLISHED.iter().map(|&(n, o, _)| (n, o)).collect();
    for (n, o) in optima_from_readme(data) {
        optima.retain(|&(m, _)| m != n);
        optima.push((n, o));
    }
    let mut rows = Vec::new();
    if !json_out {
        println!(
            "{:<16} {:>5} {:>6} {:>7} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8}",
            "instance", "days", "staff", "shifts", "objective", "seconds", "optimum", "gap", "bound", "CP-SAT"
        );
    }
    for file in instances(data)? {
        let n = number(&file);
        if !only.is_empty() && !n.is_some_and(|n| only.contains(&n)) {
            continue;
        }
        let name = file.file_name().unwrap_or_default().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut problem = parse(&text).map_err(|e| format!("{name}: {e}"))?;
        if let Some(t) = tiling {
            problem = problem.tiled(t).map_err(|e| format!("{name}: {e}"))?;
        }
        let progress = !json_out && std::io::stderr().is_terminal();
        if progress {
            eprint!("{name}: solving for up to {time_limit} s…\r");
        }
        let sol = solve(
            &problem,
            &Options {
                time_limit: Duration::from_secs_f64(time_limit),
                seed,
                bound: !search_only,
            },
        )
        .map_err(|e| format!("{name}: {e}"))?;
        if progress {
            eprint!("\r\x1b[K");
        }
        let check = evaluate(&problem, &sol.roster);
        if !check.feasible() || check.objective != sol.objective {
            return Err(format!(
                "{name}: the checker disagrees with the solver ({} vs {}; {:?})",
                check.objective, sol.objective, check.violations
            ));
        }
        // A tiled instance has no published optimum; repeating only the
        // people gives one from above (copies of the original's optimum).
        let optimum = n
            .and_then(|n| optima.iter().find(|o| o.0 == n).map(|o| o.1))
            .filter(|_| tiling.is_none_or(|t| t.horizon == 1))
            .map(|o| o * tiling.map_or(1, |t| t.staff) as u64);
        let peer = n
            .and_then(|n| PUBLISHED.iter().find(|o| o.0 == n).map(|o| o.2))
            .filter(|_| tiling.is_none());
        let gap = optimum.map(|o| (sol.objective as f64 - o as f64) / o as f64);
        let row = json!({
            "instance": name, "days": problem.days, "staff": problem.staff.len(), "shift_types": problem.shifts.len(),
            "objective": sol.objective, "seconds": sol.seconds, "proven_optimal": sol.optimal,
            "tiling": tiling.map(|t| format!("{}x{}", t.horizon, t.staff)),
            "optimum": optimum.filter(|_| tiling.is_none()),
            "optimum_at_most": optimum.filter(|_| tiling.is_some()),
            "gap": gap, "lower_bound": sol.lower_bound,
            "cp_sat_60s": peer, "ahead_of_cp_sat": peer.map(|c| sol.objective < c), "moves": sol.moves,
        });
        if !json_out {
            let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
            println!(
                "{:<16} {:>5} {:>6} {:>7} {:>8} {:>8.1} {:>7} {:>8} {:>8} {:>8}",
                name,
                problem.days,
                problem.staff.len(),
                problem.shifts.len(),
                format!("{}{}", sol.objective, if sol.optimal { "*" } else { "" }),
                sol.seconds,
                or_dash(optimum.map(|o| if tiling.is_some() {
                    format!("≤{o}")
                } else {
                    o.to_string()
                })),
                or_dash(gap.map(|g| format!("{:.2}%", g * 100.0))),
                or_dash(sol.lower_bound.map(|b| b.to_string())),
                or_dash(peer.map(|c| c.to_string())),
            );
        }
        rows.push(row);
    }
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(&Value::Array(rows)).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "* proven optimal by the solver's own bound; gap = (objective − optimum) / optimum; CP-SAT: 60 s, 2 workers"
        );
        if let Some(t) = tiling {
            println!(
                "tiled {}x{}: each horizon repeated {} times, each staff {} times; ≤N: the published optimum times {}, met by copies of an optimal roster",
                t.horizon, t.staff, t.horizon, t.staff, t.staff
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_numbers_and_readme_optima() {
        assert_eq!(number(Path::new("x/Instance12.txt")), Some(12));
        assert_eq!(number(Path::new("x/notes.txt")), None);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("README.md"),
            "| instance | days | optimum |\n|---|---|---|\n| 13 | 28 | 1,348 |\n| x | 1 | 2 |\n",
        )
        .unwrap();
        assert_eq!(optima_from_readme(dir.path()), [(13, 1348)]);
    }
}
