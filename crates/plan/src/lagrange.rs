//! Lagrangian relaxation of the covering constraints (z_d <= sum of open
//! facilities reaching d), solved by subgradient optimisation. For
//! multipliers λ the relaxed problem splits: a demand is "covered" when its
//! weight exceeds λ_d, and each class opens its facilities with the largest
//! Σ λ over what they reach. Its value bounds the optimum from above (the
//! bound equals the LP relaxation's), and each relaxed solution is a
//! feasible placement, which is how the heuristic is guided by the LP.
//!
//! The bound counts first covers only; with a backup weight it is not a bound.

use crate::Instance;
use crate::coverage::Coverage;

pub(crate) struct Relaxed {
    /// The best (lowest) bound found, or -inf when the fixes leave no feasible placement.
    pub bound: f64,

    /// Feasible placements met on the way, best first, distinct.
    pub placements: Vec<(f64, Vec<u32>)>,
}

pub(crate) struct Relaxation<'a> {
    inst: &'a Instance,
    pub lambda: Vec<f64>,
    constant: f64,
}

impl<'a> Relaxation<'a> {
    pub fn new(inst: &'a Instance) -> Self {
        let lambda = inst
            .weights
            .iter()
            .zip(&inst.fixed_cover)
            .map(|(w, &c)| if c > 0 { 0.0 } else { w * 0.5 })
            .collect();
        let constant = inst
            .weights
            .iter()
            .zip(&inst.fixed_cover)
            .filter(|(_, c)| **c > 0)
            .map(|(w, _)| w)
            .sum();
        Self { inst, lambda, constant }
    }

    /// One evaluation: the bound at the current λ and the facilities it opens.
    fn evaluate(&self, score: &mut [f64], open: &mut Vec<u32>) -> f64 {
        let inst = self.inst;
        let mut value = self.constant;
        for (d, (&w, &l)) in inst.weights.iter().zip(&self.lambda).enumerate() {
            if inst.fixed_cover[d] == 0 && w > l {
                value += w - l;
            }
        }
        for (f, cover) in inst.covers.iter().enumerate() {
            score[f] = cover.iter().map(|&d| self.lambda[d as usize]).sum();
        }
        open.clear();
        let mut ranked = Vec::new();
        for (class, members) in inst.members.iter().enumerate() {
            let k = inst.budgets[class];
            ranked.clear();
            ranked.extend_from_slice(members);
            if k > 0 && k < ranked.len() {
                ranked.select_nth_unstable_by(k - 1, |a, b| {
                    score[*b as usize].total_cmp(&score[*a as usize]).then(a.cmp(b))
                });
            }
            for &f in &ranked[..k] {
                open.push(f);
                value += score[f as usize];
            }
        }
        value
    }

    /// Subgradient optimisation from the current λ for at most `iterations`
    /// steps, stopping early once the bound is within `target` of the best
    /// placement's covered weight.
    pub fn run(&mut self, lower: f64, iterations: usize, target: f64) -> Relaxed {
        let inst = self.inst;
        let n = inst.facilities();
        let mut score = vec![0.0; n];
        let mut open = Vec::new();
        let mut best = Relaxed {
            bound: f64::INFINITY,
            placements: Vec::new(),
        };
        let mut lower = lower;
        let mut step = 2.0;
        let mut since_better = 0;
        let mut count = vec![0u32; inst.demands()];
        let mut best_lambda = self.lambda.clone();
        for _ in 0..iterations.max(1) {
            let bound = self.evaluate(&mut score, &mut open);
            let cov = Coverage::from_open(inst, &open);
            if inst.groups.is_empty() || cov.feasible() {
                lower = lower.max(cov.covered_weight());
                let mut sorted = open.clone();
                sorted.sort_unstable();
                if !best.placements.iter().any(|(_, p)| *p == sorted) {
                    best.placements.push((cov.value, sorted));
                }
            }
            if bound < best.bound - 1e-12 {
                best.bound = bound;
                best_lambda.clone_from(&self.lambda);
                since_better = 0;
            } else {
                since_better += 1;
                if since_better >= 30 {
                    step /= 2.0;
                    since_better = 0;
                }
            }
            if best.bound - lower <= target || step < 1e-5 {
                break;
            }
            // Subgradient: covers the relaxed solution provides minus covers it claims.
            count.iter_mut().for_each(|c| *c = 0);
            for &f in &open {
                for &d in &inst.covers[f as usize] {
                    count[d as usize] += 1;
                }
            }
            let mut norm = 0.0;
            let grad = |d: usize| -> f64 {
                if inst.fixed_cover[d] > 0 {
                    return 0.0;
                }
                let z = if inst.weights[d] > self.lambda[d] { 1.0 } else { 0.0 };
                f64::from(count[d]) - z
            };
            for d in 0..inst.demands() {
                norm += grad(d).powi(2);
            }
            if norm == 0.0 {
                break; // the relaxed solution is optimal for the original problem
            }
            let t = step * (bound - lower).max(1e-9) / norm;
            let updated: Vec<f64> = (0..inst.demands())
                .map(|d| (self.lambda[d] - t * grad(d)).clamp(0.0, inst.weights[d]))
                .collect();
            self.lambda = updated;
        }
        self.lambda = best_lambda;
        best.placements.sort_by(|a, b| b.0.total_cmp(&a.0));
        best.placements.truncate(8);
        best
    }
}

/// The Lagrangian upper bound and the best placement it met.
#[derive(Debug, Clone)]
pub struct LagrangeResult {
    pub bound: f64,
    pub best_value: f64,
    pub best: Vec<u32>,
}

/// Runs the relaxation on the whole instance (no backup weight).
pub fn lagrangian_bound(inst: &Instance, iterations: usize) -> LagrangeResult {
    let mut r = Relaxation::new(inst);
    let out = r.run(0.0, iterations, 0.0);
    let (best_value, best) = out.placements.first().cloned().unwrap_or_default();
    LagrangeResult {
        bound: out.bound,
        best_value,
        best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two facilities, one slot: the bound reaches the optimum (3) and never goes below it.
    #[test]
    fn bound_is_tight_on_a_small_case() {
        let inst = Instance::single_class(vec![2.0, 1.0, 1.0], vec![vec![0, 1], vec![1, 2]], 1).unwrap();
        let r = lagrangian_bound(&inst, 500);
        assert!(r.bound >= 3.0 - 1e-9, "{}", r.bound);
        assert!(r.bound <= 3.0 + 1e-3, "{}", r.bound);
        assert_eq!(r.best, [0]);
        assert_eq!(r.best_value, 3.0);
    }
}
