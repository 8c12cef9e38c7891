//! Swap local search: close one open facility and open another of the same
//! class when that gains, until no single swap does. Gains of every closed
//! facility are kept up to date as counts change, and the overlap between
//! the facility leaving and the one arriving is corrected exactly, so a full
//! pass costs about one sweep of the instance (Whitaker's fast interchange).

use crate::coverage::Coverage;

pub(crate) struct Swapper {
    add_gain: Vec<f64>,
    correction: Vec<f64>,
    touched: Vec<u32>,
}

impl Swapper {
    pub fn new(cov: &Coverage<'_>) -> Self {
        let n = cov.inst.facilities();
        Self {
            add_gain: (0..n as u32).map(|f| cov.gain(f)).collect(),
            correction: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn recount(&mut self, cov: &Coverage<'_>, d: u32, from: u32, to: u32) {
        let inst = cov.inst;
        let delta = inst.weights[d as usize] * (inst.increment(to) - inst.increment(from));
        if delta != 0.0 {
            for &h in &inst.reached_by[d as usize] {
                self.add_gain[h as usize] += delta;
            }
        }
    }

    fn close(&mut self, cov: &mut Coverage<'_>, f: u32) {
        for &d in &cov.inst.covers[f as usize] {
            let c = cov.count[d as usize];
            self.recount(cov, d, c, c - 1);
        }
        cov.remove(f);
    }

    fn open(&mut self, cov: &mut Coverage<'_>, f: u32) {
        for &d in &cov.inst.covers[f as usize] {
            let c = cov.count[d as usize];
            self.recount(cov, d, c, c + 1);
        }
        cov.add(f);
    }

    /// The best facility to open in place of the open `f`, with the net gain, if any gains.
    fn best_swap(&mut self, cov: &Coverage<'_>, f: u32, allowed: impl Fn(u32) -> bool) -> Option<(u32, f64)> {
        let inst = cov.inst;
        let class = inst.class_of[f as usize];
        let loss = cov.loss(f);
        // Demands f reaches would count one less without it: facilities that
        // also reach them gain more than their stored gain says.
        for &d in &inst.covers[f as usize] {
            let c = cov.count[d as usize];
            let delta = inst.weights[d as usize] * (inst.increment(c - 1) - inst.increment(c));
            if delta != 0.0 {
                for &h in &inst.reached_by[d as usize] {
                    if inst.class_of[h as usize] != class {
                        continue;
                    }
                    if self.correction[h as usize] == 0.0 {
                        self.touched.push(h);
                    }
                    self.correction[h as usize] += delta;
                }
            }
        }
        let tolerance = 1e-9 * (1.0 + loss.abs());
        let mut best: Option<(u32, f64)> = None;
        for &g in &inst.members[class as usize] {
            if cov.open[g as usize] || !allowed(g) {
                continue;
            }
            let net = self.add_gain[g as usize] + self.correction[g as usize] - loss;
            if net > tolerance && best.is_none_or(|(_, b)| net > b) {
                best = Some((g, net));
            }
        }
        for h in self.touched.drain(..) {
            self.correction[h as usize] = 0.0;
        }
        best
    }

    /// Swaps until no single swap gains; returns the number of swaps made.
    /// Only classes whose facilities' gains a swap changed are looked at again.
    pub fn improve(&mut self, cov: &mut Coverage<'_>, fixed: &[bool]) -> usize {
        let inst = cov.inst;
        let mut swaps = 0;
        let mut dirty = vec![true; inst.budgets.len()];
        let mut next = vec![false; inst.budgets.len()];
        loop {
            let mut improved = false;
            for f in cov.open_list() {
                if !dirty[inst.class_of[f as usize] as usize]
                    || !cov.open[f as usize]
                    || fixed.get(f as usize).copied().unwrap_or(false)
                {
                    continue;
                }
                // Groups at their minimum that f belongs to: whatever replaces f must be in them too.
                let critical: Vec<u32> = inst.groups_of[f as usize]
                    .iter()
                    .copied()
                    .filter(|&g| cov.in_group[g as usize] <= inst.groups[g as usize].min)
                    .collect();
                let allowed = |g: u32| {
                    !fixed.get(g as usize).copied().unwrap_or(false)
                        && critical.iter().all(|c| inst.groups_of[g as usize].contains(c))
                };
                if let Some((g, _)) = self.best_swap(cov, f, allowed) {
                    self.close(cov, f);
                    self.open(cov, g);
                    for &d in inst.covers[f as usize].iter().chain(&inst.covers[g as usize]) {
                        for &h in &inst.reached_by[d as usize] {
                            next[inst.class_of[h as usize] as usize] = true;
                        }
                    }
                    swaps += 1;
                    improved = true;
                }
            }
            if !improved {
                return swaps;
            }
            std::mem::swap(&mut dirty, &mut next);
            next.iter_mut().for_each(|d| *d = false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Instance;

    /// Greedy takes the big middle facility first and is stuck with it; one
    /// swap later the two side facilities cover everything.
    #[test]
    fn a_swap_escapes_the_greedy_trap() {
        let inst =
            Instance::single_class(vec![1.0; 6], vec![vec![1, 2, 3, 4], vec![0, 1, 2], vec![3, 4, 5]], 2).unwrap();
        let mut cov = crate::greedy::greedy(&inst).unwrap();
        assert_eq!(cov.value, 5.0);
        assert!(cov.open[0]);
        let mut s = Swapper::new(&cov);
        assert_eq!(s.improve(&mut cov, &[]), 1);
        assert_eq!(cov.open_list(), [1, 2]);
        assert_eq!(cov.value, 6.0);
    }
}
