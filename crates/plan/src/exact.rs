//! The exact solve: the reduced instance as a mixed-integer program
//! (binary y per facility, z per demand in [0, 1], z_d <= Σ y over the
//! facilities that reach d, Σ y = budget per class), solved by microlp's
//! LP-based branch and bound (pure Rust), warm-started from the heuristic
//! and stopped at a time limit with its best bound, so a gap is always known.

use crate::Instance;
use crate::coverage::Coverage;
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, SolutionStatus, SolveOutcome};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ExactOutcome {
    pub value: f64,
    pub open: Vec<u32>,
    /// Upper bound on the optimum: equal to `value` (within rounding) when proven.
    pub bound: f64,
    pub proven: bool,
    pub nodes: u64,
}

/// An equivalent smaller instance: facilities whose reach is inside another
/// facility's of the same class are dropped (swapping one for the other
/// never loses), demands no facility reaches are dropped, and demands
/// reached by exactly the same facilities are merged.
struct Reduced {
    inst: Instance,
    /// Reduced facility -> original facility.
    original: Vec<u32>,
    /// Original facility -> a kept facility that reaches at least as much.
    kept_for: Vec<u32>,
}

fn reduce(inst: &Instance) -> Reduced {
    let n = inst.facilities();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&f| (std::cmp::Reverse(inst.covers[f as usize].len()), f));
    let mut kept_for: Vec<u32> = (0..n as u32).collect();
    let mut kept = vec![false; n];
    let mut left: Vec<usize> = inst.members.iter().map(Vec::len).collect();
    let mut mark = vec![u32::MAX; inst.demands()];
    for &f in &order {
        let cover = &inst.covers[f as usize];
        let class = inst.class_of[f as usize];
        let dominator = cover.first().and_then(|&d0| {
            for &d in cover {
                mark[d as usize] = f;
            }
            inst.reached_by[d0 as usize].iter().copied().find(|&g| {
                g != f
                    && kept[g as usize]
                    && inst.class_of[g as usize] == class
                    && cover
                        .iter()
                        .filter(|&&d| inst.covers[g as usize].binary_search(&d).is_ok())
                        .count()
                        == cover.len()
            })
        });
        let dominator = if cover.is_empty() {
            inst.members[class as usize]
                .iter()
                .copied()
                .find(|&g| g != f && kept[g as usize])
        } else {
            dominator
        };
        match dominator {
            Some(g) if left[class as usize] > inst.budgets[class as usize] => {
                kept_for[f as usize] = g;
                left[class as usize] -= 1;
            }
            _ => kept[f as usize] = true,
        }
    }
    let original: Vec<u32> = (0..n as u32).filter(|&f| kept[f as usize]).collect();
    // Demands by the set of kept facilities that reach them.
    let mut groups: std::collections::HashMap<(Vec<u32>, u32), u32> = std::collections::HashMap::new();
    let mut weights = Vec::new();
    let mut fixed = Vec::new();
    let mut new_of = vec![u32::MAX; inst.demands()];
    let mut constant = 0.0;
    for (d, reached_by) in inst.reached_by.iter().enumerate() {
        let by: Vec<u32> = reached_by.iter().copied().filter(|&f| kept[f as usize]).collect();
        if by.is_empty() {
            // Only fixed posts can reach it: a constant, kept as one demand.
            if inst.fixed_cover[d] > 0 {
                constant += inst.weights[d];
            }
            continue;
        }
        let key = (by, inst.fixed_cover[d]);
        let id = *groups.entry(key).or_insert_with(|| {
            weights.push(0.0);
            fixed.push(inst.fixed_cover[d]);
            weights.len() as u32 - 1
        });
        weights[id as usize] += inst.weights[d];
        new_of[d] = id;
    }
    if constant > 0.0 {
        weights.push(constant);
        fixed.push(1);
    }
    let covers: Vec<Vec<u32>> = original
        .iter()
        .map(|&f| {
            let mut c: Vec<u32> = inst.covers[f as usize].iter().map(|&d| new_of[d as usize]).collect();
            c.sort_unstable();
            c.dedup();
            c
        })
        .collect();
    let class_of = original.iter().map(|&f| inst.class_of[f as usize]).collect();
    let reduced = Instance::new(weights, covers, class_of, inst.budgets.clone())
        .expect("a reduction of a valid instance is valid")
        .with_fixed_cover(fixed);
    Reduced {
        inst: reduced,
        original,
        kept_for,
    }
}

/// Proves the optimum (first covers only; the backup weight must be 0 and
/// there must be no minimum-presence groups), starting from `start` if given.
pub fn solve_exact(inst: &Instance, start: Option<&[u32]>, limit: Duration) -> Option<ExactOutcome> {
    if inst.backup != 0.0 || !inst.groups.is_empty() {
        return None;
    }
    let r = reduce(inst);
    let position: std::collections::HashMap<u32, u32> =
        r.original.iter().enumerate().map(|(i, &f)| (f, i as u32)).collect();
    let start: Option<Vec<u32>> = start.map(|open| {
        let mut mapped: Vec<u32> = Vec::new();
        for &f in open {
            // Follow the chain of dominators to a kept facility not yet taken.
            let mut g = f;
            while !position.contains_key(&g) {
                g = r.kept_for[g as usize];
            }
            let at = position[&g];
            if !mapped.contains(&at) {
                mapped.push(at);
            }
        }
        mapped
    });
    let start = start.filter(|s| s.len() == open_count(&r.inst));
    let mut out = mixed_integer(&r.inst, start.as_deref(), limit)?;
    out.open = out.open.iter().map(|&f| r.original[f as usize]).collect();
    out.open.sort_unstable();
    Some(out)
}

fn open_count(inst: &Instance) -> usize {
    inst.budgets.iter().sum()
}

fn mixed_integer(inst: &Instance, start: Option<&[u32]>, limit: Duration) -> Option<ExactOutcome> {
    let mut problem = Problem::new(OptimizationDirection::Maximize);
    let y: Vec<_> = (0..inst.facilities()).map(|_| problem.add_binary_var(0.0)).collect();
    let mut constant = 0.0;
    let mut z = Vec::new();
    for d in 0..inst.demands() {
        if inst.fixed_cover[d] > 0 {
            constant += inst.weights[d];
            continue;
        }
        let zd = problem.add_var(inst.weights[d], (0.0, 1.0));
        let mut e = LinearExpr::empty();
        e.add(zd, 1.0);
        for &f in &inst.reached_by[d] {
            e.add(y[f as usize], -1.0);
        }
        problem.add_constraint(e, ComparisonOp::Le, 0.0);
        z.push((d, zd));
    }
    for (members, &budget) in inst.members.iter().zip(&inst.budgets) {
        let mut e = LinearExpr::empty();
        for &f in members {
            e.add(y[f as usize], 1.0);
        }
        problem.add_constraint(e, ComparisonOp::Eq, budget as f64);
    }
    let mut options = microlp::SolveOptions::default();
    options.time_limit = Some(limit);
    if let Some(open) = start {
        let cov = Coverage::from_open(inst, open);
        let mut hint: Vec<_> = y
            .iter()
            .enumerate()
            .map(|(f, &v)| (v, f64::from(u8::from(cov.open[f]))))
            .collect();
        hint.extend(z.iter().map(|&(d, v)| (v, f64::from(u8::from(cov.count[d] > 0)))));
        options.warm_start = Some(hint);
    }
    let SolveOutcome::Solution(solution) = problem.solve_with(options).ok()? else {
        return None;
    };
    let open: Vec<u32> = (0..inst.facilities() as u32)
        .filter(|&f| solution.var_value(y[f as usize]) > 0.5)
        .collect();
    let value = Coverage::from_open(inst, &open).value;
    let proven = solution.status() == SolutionStatus::Optimal;
    let stats = solution.stats();
    Some(ExactOutcome {
        value,
        open,
        bound: if proven {
            value
        } else {
            stats.best_bound.map_or(f64::INFINITY, |b| b + constant).max(value)
        },
        proven,
        nodes: stats.nodes_solved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute_force(inst: &Instance, p: usize) -> f64 {
        let n = inst.facilities();
        let mut best: f64 = 0.0;
        for mask in 0u32..(1 << n) {
            if mask.count_ones() as usize == p {
                let open: Vec<u32> = (0..n as u32).filter(|f| mask & (1 << f) != 0).collect();
                best = best.max(Coverage::from_open(inst, &open).value);
            }
        }
        best
    }

    proptest! {
        /// On random small instances the exact solve matches enumeration, and
        /// the heuristic never beats it.
        #[test]
        fn matches_enumeration(
            seed in 0u64..10_000,
            demands in 3usize..25,
            sites in 3usize..11,
            p in 1usize..4,
        ) {
            let mut rng = crate::solve::tests::Rng::new(seed);
            let weights: Vec<f64> = (0..demands).map(|_| (rng.below(9) + 1) as f64).collect();
            let covers: Vec<Vec<u32>> = (0..sites)
                .map(|_| (0..demands as u32).filter(|_| rng.below(4) == 0).collect())
                .collect();
            let p = p.min(sites);
            let inst = Instance::single_class(weights, covers, p).unwrap();
            let truth = brute_force(&inst, p);
            let exact = solve_exact(&inst, None, Duration::from_secs(10)).unwrap();
            prop_assert!(exact.proven);
            prop_assert!((exact.value - truth).abs() < 1e-9, "exact {} truth {}", exact.value, truth);
            prop_assert!((Coverage::from_open(&inst, &exact.open).value - truth).abs() < 1e-9);
            let heuristic = crate::solve(&inst, &crate::SolveOptions::default()).unwrap();
            prop_assert!(heuristic.objective <= truth + 1e-9);
            prop_assert!(heuristic.bound.unwrap() >= truth - 1e-6);
        }
    }
}
