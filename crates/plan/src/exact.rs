//! An exact solve by branch and bound on the facilities, bounded by the
//! Lagrangian relaxation (warm-started from the parent's multipliers) with
//! reduced-cost fixing: a facility whose forced opening or closing would
//! take the bound below the incumbent is fixed for the whole subtree. Meant
//! for instances of hundreds of facilities; it stops at a time limit and
//! then reports the best bound it has, so a gap is always known.

use crate::Instance;
use crate::coverage::Coverage;
use crate::lagrange::{Fix, Relaxation};
use crate::search::Swapper;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct ExactOutcome {
    pub value: f64,
    pub open: Vec<u32>,
    /// Upper bound on the optimum: equal to `value` (within rounding) when proven.
    pub bound: f64,
    pub proven: bool,
    pub nodes: usize,
}

/// The smallest step between weights' sums, when weights have at most three
/// decimals: a bound below incumbent + step proves the incumbent optimal.
fn weight_step(inst: &Instance) -> f64 {
    for step in [1.0, 0.1, 0.01, 0.001] {
        if inst
            .weights
            .iter()
            .all(|w| ((w / step) - (w / step).round()).abs() < 1e-6)
        {
            return step;
        }
    }
    0.0
}

struct Node {
    fixes: Vec<Fix>,
    lambda: Vec<f64>,
    parent_bound: f64,
}

/// Proves the optimum (first covers only; the backup weight must be 0 and
/// there must be no minimum-presence groups), starting from `start` if given.
pub fn solve_exact(inst: &Instance, start: Option<&[u32]>, limit: Duration) -> Option<ExactOutcome> {
    if inst.backup != 0.0 || !inst.groups.is_empty() {
        return None;
    }
    let began = Instant::now();
    let step = weight_step(inst);
    let tolerance = if step > 0.0 { step - 1e-7 } else { 1e-9 };
    let first = match start {
        Some(open) => Coverage::from_open(inst, open),
        None => crate::greedy::greedy(inst).ok()?,
    };
    let mut best_value = first.value;
    let mut best_open = first.open_list();
    let root = Relaxation::new(inst);
    let mut stack = vec![Node {
        fixes: vec![Fix::Free; inst.facilities()],
        lambda: root.lambda,
        parent_bound: f64::INFINITY,
    }];
    let mut nodes = 0;
    let mut open_bound = f64::NEG_INFINITY; // best bound among nodes left unexplored at the time limit
    while let Some(node) = stack.pop() {
        if node.parent_bound <= best_value + tolerance {
            continue;
        }
        if began.elapsed() > limit {
            open_bound = open_bound.max(node.parent_bound);
            open_bound = stack.iter().map(|n| n.parent_bound).fold(open_bound, f64::max);
            break;
        }
        nodes += 1;
        let mut relax = Relaxation::new(inst);
        relax.lambda = node.lambda;
        let iterations = if nodes == 1 { 2000 } else { 150 };
        let out = relax.run(&node.fixes, best_value, iterations, tolerance);
        for (_, placement) in out.placements.iter().take(2) {
            let mut cov = Coverage::from_open(inst, placement);
            if cov.value > best_value - 1e-9 {
                Swapper::new(&cov).improve(&mut cov, &[]);
            }
            if cov.value > best_value + 1e-9 {
                best_value = cov.value;
                best_open = cov.open_list();
            }
        }
        let bound = out.bound.min(node.parent_bound);
        if bound <= best_value + tolerance {
            continue;
        }
        // Reduced-cost fixing, class by class.
        let mut fixes = node.fixes;
        let mut chosen = vec![false; inst.facilities()];
        for &f in &out.open {
            chosen[f as usize] = true;
        }
        let mut branch: Option<(u32, f64)> = None;
        for members in &inst.members {
            let free = || members.iter().copied().filter(|&f| fixes[f as usize] == Fix::Free);
            let lowest_in = free()
                .filter(|&f| chosen[f as usize])
                .map(|f| out.score[f as usize])
                .fold(f64::INFINITY, f64::min);
            let highest_out = free()
                .filter(|&f| !chosen[f as usize])
                .map(|f| out.score[f as usize])
                .fold(f64::NEG_INFINITY, f64::max);
            let mut set = Vec::new();
            for f in free() {
                let s = out.score[f as usize];
                if chosen[f as usize] {
                    let margin = s - highest_out;
                    if highest_out.is_finite() && out.bound - margin <= best_value + tolerance {
                        set.push((f, Fix::Open));
                    } else if branch.is_none_or(|(_, m)| margin < m) {
                        branch = Some((f, margin));
                    }
                } else if lowest_in.is_finite() && out.bound - (lowest_in - s) <= best_value + tolerance {
                    set.push((f, Fix::Closed));
                }
            }
            for (f, fix) in set {
                fixes[f as usize] = fix;
            }
        }
        let Some((f, _)) = branch else {
            continue; // every facility decided: the relaxed solution was evaluated above
        };
        let mut closed = fixes.clone();
        closed[f as usize] = Fix::Closed;
        fixes[f as usize] = Fix::Open;
        // Depth first, the branch that keeps the relaxed choice explored first.
        stack.push(Node {
            fixes: closed,
            lambda: relax.lambda.clone(),
            parent_bound: bound,
        });
        stack.push(Node {
            fixes,
            lambda: relax.lambda,
            parent_bound: bound,
        });
    }
    let proven = open_bound == f64::NEG_INFINITY;
    Some(ExactOutcome {
        value: best_value,
        open: best_open,
        bound: if proven { best_value } else { open_bound.max(best_value) },
        proven,
        nodes,
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
