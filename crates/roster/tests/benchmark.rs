//! The benchmark's own instances: the format is read, every roster the
//! search returns keeps every rule by the independent checker, its cost is
//! the checker's, and neither the cost nor the bound crosses the published
//! optimum.

use fengqiao_roster::{Options, check::evaluate, format::parse, solve};
use std::time::Duration;

fn instance(name: &str) -> fengqiao_roster::Problem {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run(name: &str, optimum: u64) {
    let p = instance(name);
    let sol = solve(
        &p,
        &Options {
            time_limit: Duration::from_secs(2),
            seed: 1,
            bound: true,
        },
    )
    .unwrap();
    let ev = evaluate(&p, &sol.roster);
    assert!(ev.feasible(), "{name}: {:?}", ev.violations);
    assert_eq!(ev.objective, sol.objective, "{name}");
    assert!(
        sol.objective >= optimum,
        "{name}: {} below the proven optimum",
        sol.objective
    );
    let lb = sol.lower_bound.expect("a bound");
    assert!(lb <= optimum, "{name}: bound {lb} above the proven optimum {optimum}");
}

#[test]
fn instance_1() {
    let p = instance("Instance1.txt");
    assert_eq!((p.days, p.staff.len(), p.shifts.len()), (14, 8, 1));
    run("Instance1.txt", 607);
}

#[test]
fn instance_2() {
    let p = instance("Instance2.txt");
    assert_eq!((p.days, p.staff.len(), p.shifts.len()), (14, 14, 2));
    run("Instance2.txt", 828);
}

/// Longer and larger than the published instances: the horizon searched a
/// window at a time, column generation over windows beside it; every rule
/// kept, the cost the checker's.
#[test]
fn tiled_instances_keep_every_rule() {
    for (name, tiling) in [("Instance1.txt", "13x1"), ("Instance2.txt", "8x2")] {
        let p = instance(name)
            .tiled(fengqiao_roster::problem::Tiling::parse(tiling).unwrap())
            .unwrap();
        let sol = solve(
            &p,
            &Options {
                time_limit: Duration::from_secs(3),
                seed: 1,
                bound: true,
            },
        )
        .unwrap();
        let ev = evaluate(&p, &sol.roster);
        assert!(ev.feasible(), "{name} tiled {tiling}: {:?}", ev.violations);
        assert_eq!(ev.objective, sol.objective, "{name} tiled {tiling}");
    }
}
