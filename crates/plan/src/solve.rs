//! The default solver: lazy greedy, then placements from the Lagrangian
//! relaxation (LP-guided), each polished by swap local search; the best wins,
//! and the relaxation's bound gives the gap.

use crate::coverage::Coverage;
use crate::lagrange::Relaxation;
use crate::search::Swapper;
use crate::{Instance, InstanceError};
use serde::Serialize;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Subgradient iterations of the relaxation (0: greedy and swaps only).
    pub lagrange_iterations: usize,
    /// Fewer iterations on big instances: at most this many cover entries touched in all.
    pub lagrange_work_limit: f64,
    /// Relaxed placements polished by local search.
    pub polish: usize,
    /// Rounds of ruin and recreate: close a few units at random, refill
    /// greedily, polish, keep if better.
    pub kicks: usize,
    /// Fewer kicks on big instances: at most this many cover entries touched in all.
    pub kick_work_limit: f64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            lagrange_iterations: 1500,
            lagrange_work_limit: 1e8,
            polish: 8,
            kicks: 300,
            kick_work_limit: 3e7,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Greedy,
    GreedySwap,
    LagrangeSwap,
    Perturbation,
}

#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    /// Open facilities, ascending.
    pub open: Vec<u32>,
    /// Σ weight × (1 for a first cover + backup for a second).
    pub objective: f64,
    /// Weight reached by at least one facility (fixed posts included).
    pub covered: f64,
    /// Upper bound on the optimum of the first-cover objective, when known.
    pub bound: Option<f64>,
    /// (bound − objective) / bound, when the bound is known.
    pub gap: Option<f64>,
    pub method: Method,
    /// The greedy solution's objective, for comparison.
    pub greedy_objective: f64,
    pub seconds: f64,
}

pub fn solve(inst: &Instance, opts: &SolveOptions) -> Result<Solution, InstanceError> {
    let started = Instant::now();
    let mut best = crate::greedy::greedy(inst)?;
    let greedy_objective = best.value;
    let mut method = Method::Greedy;
    if Swapper::new(&best).improve(&mut best, &[]) > 0 {
        method = Method::GreedySwap;
    }
    let entries: usize = inst.covers.iter().map(Vec::len).sum();
    let mut bound = None;
    let iterations = opts
        .lagrange_iterations
        .min((opts.lagrange_work_limit / entries.max(1) as f64) as usize);
    if iterations >= 50 {
        let mut relax = Relaxation::new(inst);
        let out = relax.run(best.covered_weight(), iterations, 0.0);
        if inst.backup == 0.0 && out.bound.is_finite() {
            bound = Some(out.bound);
        }
        for (_, placement) in out.placements.iter().take(opts.polish) {
            let mut cov = Coverage::from_open(inst, placement);
            Swapper::new(&cov).improve(&mut cov, &[]);
            if cov.feasible() && cov.value > best.value + 1e-9 {
                best = cov;
                method = Method::LagrangeSwap;
            }
        }
    }
    let kicks = opts.kicks.min((opts.kick_work_limit / entries.max(1) as f64) as usize);
    if kicks > 0 && crate::perturb::ruin_and_recreate(&mut best, kicks) {
        method = Method::Perturbation;
    }
    let objective = best.value;
    Ok(Solution {
        open: best.open_list(),
        objective,
        covered: best.covered_weight(),
        gap: bound.map(|b| if b > 0.0 { ((b - objective) / b).max(0.0) } else { 0.0 }),
        bound,
        method,
        greedy_objective,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::MinGroup;

    pub use crate::rng::Rng;

    /// Two stations with one unit each; the north must keep its unit at home
    /// even though the south's demand is larger.
    #[test]
    fn minimum_presence_is_kept() {
        // Facilities 0, 1 in the north (class 0), 2, 3 in the south (class 1).
        let inst = Instance::new(
            vec![1.0, 10.0, 8.0],
            vec![vec![0], vec![1], vec![1], vec![2]],
            vec![0, 0, 1, 1],
            vec![1, 1],
        )
        .unwrap();
        let free = solve(&inst, &SolveOptions::default()).unwrap();
        assert_eq!(free.objective, 18.0);
        let ruled = inst
            .with_groups(vec![MinGroup {
                name: "north area".into(),
                facilities: vec![0],
                min: 1,
            }])
            .unwrap();
        let s = solve(&ruled, &SolveOptions::default()).unwrap();
        assert!(s.open.contains(&0), "{:?}", s.open);
        assert_eq!(s.objective, 11.0);
    }

    /// A second cover earns the backup share.
    #[test]
    fn backup_cover_counts() {
        let inst = Instance::single_class(vec![10.0, 3.0], vec![vec![0], vec![0], vec![1]], 2)
            .unwrap()
            .with_backup(0.5)
            .unwrap();
        // Covering 0 twice earns 15; covering both once earns 13.
        let s = solve(&inst, &SolveOptions::default()).unwrap();
        assert_eq!(s.open, [0, 1]);
        assert_eq!(s.objective, 15.0);
        assert_eq!(s.bound, None);
    }

    /// Fixed posts already reach some demand: units go elsewhere.
    #[test]
    fn fixed_posts_are_counted() {
        let inst = Instance::single_class(vec![10.0, 3.0], vec![vec![0], vec![1]], 1)
            .unwrap()
            .with_fixed_cover(vec![1, 0]);
        let s = solve(&inst, &SolveOptions::default()).unwrap();
        assert_eq!(s.open, [1]);
        assert_eq!(s.covered, 13.0);
    }
}
