//! Ruin and recreate, to leave the local optimum of single swaps: close a
//! few open facilities at random, reopen the same number greedily, polish by
//! swaps, and keep the result when it is better.

use crate::coverage::Coverage;
use crate::rng::Rng;
use crate::search::Swapper;

/// Improves `best` in place; returns whether any round did.
pub(crate) fn ruin_and_recreate(best: &mut Coverage<'_>, rounds: usize) -> bool {
    let inst = best.inst;
    let mut rng = Rng::new(0x00c0_ffee);
    let mut improved = false;
    for round in 0..rounds {
        let open = best.open_list();
        if open.len() < 2 {
            return improved;
        }
        let mut cov = best.clone();
        // Ruin a few units, more in later rounds.
        let k = (2 + round % 4).min(open.len());
        let mut ruined = Vec::with_capacity(k);
        while ruined.len() < k {
            let f = open[rng.below(open.len())];
            if !ruined.contains(&f) {
                ruined.push(f);
            }
        }
        for &f in &ruined {
            cov.remove(f);
        }
        // Recreate: per ruined unit, the best facility of its class (a little randomised).
        for &f in &ruined {
            let class = inst.class_of[f as usize] as usize;
            let mut top: [(f64, u32); 3] = [(f64::NEG_INFINITY, u32::MAX); 3];
            for &g in &inst.members[class] {
                if cov.open[g as usize] || g == f {
                    continue;
                }
                let gain = cov.gain(g);
                if gain > top[2].0 {
                    top[2] = (gain, g);
                    top.sort_by(|a, b| b.0.total_cmp(&a.0));
                }
            }
            let choices = top.iter().filter(|t| t.1 != u32::MAX).count();
            if choices == 0 {
                continue;
            }
            let pick = if rng.below(3) == 0 { rng.below(choices) } else { 0 };
            cov.add(top[pick].1);
        }
        if !cov.feasible() {
            continue;
        }
        Swapper::new(&cov).improve(&mut cov, &[]);
        // Equal moves are taken too: they walk across plateaus.
        if cov.value >= best.value - 1e-9 {
            improved |= cov.value > best.value + 1e-9;
            *best = cov;
        }
    }
    improved
}
