//! A primal simplex for the column-generation master: few rows (one per
//! person, one per cover), columns added as the pricing finds them. Adding
//! a column keeps the basis feasible, so each master goes on from where the
//! last stopped — what a general solver that re-solves (or grows its basis
//! with every cut on the dual side) cannot do cheaply. The basis inverse is
//! kept dense (the masters have a few hundred rows), updated per pivot and
//! recomputed from the basis now and then to shed rounding.
//!
//! It starts from one artificial column per row (cost `big`): a master
//! whose artificials stay basic at the optimum has no feasible solution.

use std::time::Instant;

/// A column: its cost and its non-zero entries by row.
#[derive(Debug, Clone)]
struct Column {
    cost: f64,
    entries: Vec<(u32, f64)>,
    /// Barred columns cost `big` and never enter: they leave the basis as
    /// soon as the others allow.
    barred: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The deadline came first.
    Time,
    /// The basis lost its rank to rounding, or a column improves without end.
    Numerical,
}

/// Pivots between fresh inverses (a fresh one costs about as much as a few
/// hundred pivots; on the benchmark's masters 400 lost no accuracy).
const REFACTOR: usize = 400;
/// Reduced costs above this are taken as non-negative.
const OPTIMAL: f64 = 1e-7;
/// Entries below this are not pivoted on.
const PIVOT: f64 = 1e-9;
/// The slack the ratio test allows a basic value below zero (Harris).
const FEASIBLE: f64 = 1e-9;
/// Degenerate pivots in a row after which the entering column is chosen by
/// Bland's rule (lowest index) until one moves: no cycling.
const STALL: usize = 60;

pub(crate) struct Simplex {
    m: usize,
    rhs: Vec<f64>,
    big: f64,
    columns: Vec<Column>,
    /// The column basic in each row position.
    basis: Vec<usize>,
    basic: Vec<bool>,
    /// `inverse[i * m + k]`: the basis inverse, row-major.
    inverse: Vec<f64>,
    /// The basic columns' values by row position.
    values: Vec<f64>,
    /// The duals (`y = c_B B⁻¹`) as of the last solve.
    duals: Vec<f64>,
    pivots: usize,
}

impl Simplex {
    /// A master `A x = rhs, x ≥ 0` with no columns yet but its artificials.
    pub(crate) fn new(rhs: Vec<f64>, big: f64) -> Self {
        let m = rhs.len();
        let mut s = Simplex {
            m,
            rhs,
            big,
            columns: Vec::new(),
            basis: (0..m).collect(),
            basic: Vec::new(),
            inverse: vec![0.0; m * m],
            values: vec![0.0; m],
            duals: vec![0.0; m],
            pivots: 0,
        };
        for i in 0..m {
            let sign = if s.rhs[i] < 0.0 { -1.0 } else { 1.0 };
            s.columns.push(Column {
                cost: big,
                entries: vec![(i as u32, sign)],
                barred: false,
            });
            s.basic.push(true);
            s.inverse[i * m + i] = sign;
            s.values[i] = s.rhs[i].abs();
        }
        s
    }

    /// A new column (nonbasic at zero: the basis stays feasible); its index.
    pub(crate) fn add(&mut self, cost: f64, entries: Vec<(u32, f64)>) -> usize {
        self.columns.push(Column {
            cost,
            entries,
            barred: false,
        });
        self.basic.push(false);
        self.columns.len() - 1
    }

    /// Takes column `j` out of the program (it leaves the basis at the next
    /// solve); the basis stays feasible.
    pub(crate) fn bar(&mut self, j: usize) {
        self.columns[j].barred = true;
    }

    /// Every barred column back in.
    pub(crate) fn unbar_all(&mut self) {
        self.columns.iter_mut().for_each(|c| c.barred = false);
    }

    fn cost(&self, j: usize) -> f64 {
        let c = &self.columns[j];
        if c.barred { self.big.max(c.cost) } else { c.cost }
    }

    /// Each row's dual as of the last solve.
    pub(crate) fn duals(&self) -> &[f64] {
        &self.duals
    }

    /// Each column's value in the current basis.
    pub(crate) fn values(&self) -> Vec<f64> {
        let mut x = vec![0.0; self.columns.len()];
        for (i, &j) in self.basis.iter().enumerate() {
            x[j] = self.values[i].max(0.0);
        }
        x
    }

    pub(crate) fn objective(&self) -> f64 {
        self.basis
            .iter()
            .zip(&self.values)
            .map(|(&j, v)| self.cost(j) * v.max(0.0))
            .sum()
    }

    /// Whether an artificial is still basic above zero: no solution.
    pub(crate) fn infeasible(&self) -> bool {
        self.basis
            .iter()
            .zip(&self.values)
            .any(|(&j, &v)| j < self.m && v > 1e-6)
    }

    fn compute_duals(&mut self) {
        let m = self.m;
        self.duals.iter_mut().for_each(|y| *y = 0.0);
        for i in 0..m {
            let c = self.cost(self.basis[i]);
            if c != 0.0 {
                let row = &self.inverse[i * m..(i + 1) * m];
                for (y, b) in self.duals.iter_mut().zip(row) {
                    *y += c * b;
                }
            }
        }
    }

    fn reduced(&self, j: usize) -> f64 {
        let c = &self.columns[j];
        self.cost(j) - c.entries.iter().map(|&(r, a)| self.duals[r as usize] * a).sum::<f64>()
    }

    /// Recomputes the inverse from the basis (Gauss–Jordan, partial
    /// pivoting) and the basic values from it.
    fn refactor(&mut self) -> Result<(), Failure> {
        let m = self.m;
        let mut b = vec![0.0; m * m];
        for (k, &j) in self.basis.iter().enumerate() {
            for &(r, a) in &self.columns[j].entries {
                b[r as usize * m + k] = a;
            }
        }
        let mut inv = vec![0.0; m * m];
        for i in 0..m {
            inv[i * m + i] = 1.0;
        }
        for col in 0..m {
            let pivot_row = (col..m)
                .max_by(|&a, &c| b[a * m + col].abs().total_cmp(&b[c * m + col].abs()))
                .ok_or(Failure::Numerical)?;
            let pivot = b[pivot_row * m + col];
            if pivot.abs() < 1e-12 {
                return Err(Failure::Numerical);
            }
            if pivot_row != col {
                for k in 0..m {
                    b.swap(pivot_row * m + k, col * m + k);
                    inv.swap(pivot_row * m + k, col * m + k);
                }
            }
            // Left of `col` the pivot row is already zero.
            b[col * m + col..(col + 1) * m].iter_mut().for_each(|x| *x /= pivot);
            inv[col * m..(col + 1) * m].iter_mut().for_each(|x| *x /= pivot);
            let b_pivot = b[col * m + col..(col + 1) * m].to_vec();
            let inv_pivot = inv[col * m..(col + 1) * m].to_vec();
            for (i, (b_row, inv_row)) in b.chunks_exact_mut(m).zip(inv.chunks_exact_mut(m)).enumerate() {
                let f = b_row[col];
                if i != col && f != 0.0 {
                    for (x, p) in b_row[col..].iter_mut().zip(&b_pivot) {
                        *x -= f * p;
                    }
                    for (x, p) in inv_row.iter_mut().zip(&inv_pivot) {
                        *x -= f * p;
                    }
                }
            }
        }
        // B⁻¹ maps row equations to basis positions: `inv` now holds it
        // with rows in the basis' order.
        self.inverse = inv;
        for i in 0..m {
            self.values[i] = (0..m).map(|k| self.inverse[i * m + k] * self.rhs[k]).sum();
        }
        Ok(())
    }

    /// Every column's reduced cost at the current duals (basic ones zero).
    fn all_reduced(&self) -> Vec<f64> {
        (0..self.columns.len())
            .map(|j| if self.basic[j] { 0.0 } else { self.reduced(j) })
            .collect()
    }

    /// Pivots to an optimum from the current basis. Reduced costs are
    /// updated pivot by pivot from the pivot row (recomputed with each
    /// fresh inverse); the entering column is the one of the steepest
    /// descent by Devex reference weights, which takes far fewer pivots than
    /// the most negative cost on these degenerate masters.
    pub(crate) fn solve(&mut self, deadline: Instant) -> Result<(), Failure> {
        let m = self.m;
        let mut stalled = 0;
        let mut alpha = vec![0.0; m];
        let mut since_refactor = 0;
        self.compute_duals();
        let mut d = self.all_reduced();
        let mut weight = vec![1.0; self.columns.len()];
        loop {
            if since_refactor >= REFACTOR {
                self.refactor()?;
                self.compute_duals();
                d = self.all_reduced();
                since_refactor = 0;
            }
            if self.pivots.is_multiple_of(64) && Instant::now() >= deadline {
                return Err(Failure::Time);
            }
            let bland = stalled >= STALL;
            let mut entering: Option<(usize, f64)> = None;
            for (j, &dj) in d.iter().enumerate() {
                if dj < -OPTIMAL && !self.basic[j] && !self.columns[j].barred {
                    if bland {
                        entering = Some((j, 0.0));
                        break;
                    }
                    let score = dj * dj / weight[j];
                    if entering.is_none_or(|e| score > e.1) {
                        entering = Some((j, score));
                    }
                }
            }
            let Some((q, _)) = entering else {
                // Reduced costs drift between fresh inverses: confirm.
                self.compute_duals();
                let exact = self.all_reduced();
                let improving = exact
                    .iter()
                    .enumerate()
                    .any(|(j, &dj)| dj < -OPTIMAL && !self.basic[j] && !self.columns[j].barred);
                if !improving {
                    return Ok(());
                }
                d = exact;
                continue;
            };
            alpha.iter_mut().for_each(|a| *a = 0.0);
            for &(r, a) in &self.columns[q].entries {
                let r = r as usize;
                for (i, out) in alpha.iter_mut().enumerate() {
                    *out += self.inverse[i * m + r] * a;
                }
            }
            // Harris' ratio test: the largest step any row allows with a
            // little slack, then of the rows within it the largest pivot.
            let bound = alpha
                .iter()
                .zip(&self.values)
                .filter(|(a, _)| **a > PIVOT)
                .map(|(a, v)| (v.max(0.0) + FEASIBLE) / a)
                .fold(f64::INFINITY, f64::min);
            if bound == f64::INFINITY {
                return Err(Failure::Numerical);
            }
            let mut leave: Option<usize> = None;
            for i in 0..m {
                if alpha[i] > PIVOT
                    && self.values[i].max(0.0) / alpha[i] <= bound
                    && leave.is_none_or(|l| alpha[i] > alpha[l])
                {
                    leave = Some(i);
                }
            }
            let r = leave.ok_or(Failure::Numerical)?;
            let step = (self.values[r].max(0.0) / alpha[r]).max(0.0);
            stalled = if step < 1e-12 { stalled + 1 } else { 0 };
            let pivot = alpha[r];
            // The pivot row over the nonbasic columns updates their costs
            // and weights.
            let (dq, wq) = (d[q], weight[q]);
            let ratio = dq / pivot;
            let row = self.inverse[r * m..(r + 1) * m].to_vec();
            for (j, c) in self.columns.iter().enumerate() {
                // Barred columns never enter: their costs are recomputed
                // when they come back.
                if self.basic[j] || c.barred {
                    continue;
                }
                let arj: f64 = c.entries.iter().map(|&(k, a)| row[k as usize] * a).sum();
                if arj != 0.0 {
                    d[j] -= ratio * arj;
                    let scaled = arj / pivot;
                    weight[j] = weight[j].max(scaled * scaled * wq);
                }
            }
            let leaving = self.basis[r];
            d[leaving] = -ratio;
            weight[leaving] = (wq / (pivot * pivot)).max(1.0);
            d[q] = 0.0;
            for (v, a) in self.values.iter_mut().zip(&alpha) {
                *v -= step * a;
            }
            self.values[r] = step;
            for k in 0..m {
                self.inverse[r * m + k] /= pivot;
            }
            let (before, rest) = self.inverse.split_at_mut(r * m);
            let (pivot_row, after) = rest.split_at_mut(m);
            for (i, row) in before.chunks_exact_mut(m).chain(after.chunks_exact_mut(m)).enumerate() {
                let i = if i < r { i } else { i + 1 };
                let f = alpha[i];
                if f != 0.0 {
                    for (x, p) in row.iter_mut().zip(pivot_row.iter()) {
                        *x -= f * p;
                    }
                }
            }
            self.basic[leaving] = false;
            self.basic[q] = true;
            self.basis[r] = q;
            self.pivots += 1;
            since_refactor += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    #[test]
    fn a_small_covering_problem_reaches_its_optimum_and_duals() {
        // min 2a + 3b + 4c  s.t. a + c = 1, b + c = 1, a, b, c ≥ 0:
        // c alone (4) beats a and b (5); the duals price each row so that
        // every column's reduced cost is non-negative and c's is zero.
        let mut s = Simplex::new(vec![1.0, 1.0], 1e4);
        s.add(2.0, vec![(0, 1.0)]);
        s.add(3.0, vec![(1, 1.0)]);
        let c = s.add(4.0, vec![(0, 1.0), (1, 1.0)]);
        s.solve(later()).unwrap();
        assert!(!s.infeasible());
        assert!((s.objective() - 4.0).abs() < 1e-9);
        assert!((s.values()[c] - 1.0).abs() < 1e-9);
        let y = s.duals();
        assert!((y[0] + y[1] - 4.0).abs() < 1e-9);
        assert!(y[0] <= 2.0 + 1e-9 && y[1] <= 3.0 + 1e-9);
        // A cheaper pair of columns added later: the basis goes on from there.
        s.add(1.0, vec![(0, 1.0)]);
        s.add(1.5, vec![(1, 1.0)]);
        s.solve(later()).unwrap();
        assert!((s.objective() - 2.5).abs() < 1e-9);
    }

    #[test]
    fn a_barred_column_leaves_and_comes_back() {
        let mut s = Simplex::new(vec![1.0], 1e4);
        let cheap = s.add(1.0, vec![(0, 1.0)]);
        let dear = s.add(3.0, vec![(0, 1.0)]);
        s.solve(later()).unwrap();
        assert!((s.values()[cheap] - 1.0).abs() < 1e-9);
        s.bar(cheap);
        s.solve(later()).unwrap();
        assert!((s.values()[dear] - 1.0).abs() < 1e-9);
        assert!((s.objective() - 3.0).abs() < 1e-9);
        s.unbar_all();
        s.solve(later()).unwrap();
        assert!((s.objective() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn negative_right_hand_sides_and_surplus_columns() {
        // min x + s with x − s = −2: the surplus column carries it (s = 2).
        let mut s = Simplex::new(vec![-2.0], 1e4);
        s.add(1.0, vec![(0, 1.0)]);
        let surplus = s.add(1.0, vec![(0, -1.0)]);
        s.solve(later()).unwrap();
        assert!((s.values()[surplus] - 2.0).abs() < 1e-9);
        assert!((s.objective() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn an_unsatisfiable_row_keeps_its_artificial() {
        let mut s = Simplex::new(vec![1.0, 1.0], 1e4);
        s.add(1.0, vec![(0, 1.0)]);
        s.solve(later()).unwrap();
        assert!(s.infeasible());
    }

    #[test]
    fn matches_brute_force_on_random_assignment_masters() {
        // Random masters of the roster's shape: people choose one of a few
        // schedules, covers priced for shortfall and excess. The optimum of
        // the LP is at most every integer choice's cost and at least the
        // Lagrangian value of its own duals (weak duality both ways).
        let mut rng = crate::solve::Rng::new(7);
        for _ in 0..40 {
            let (people, covers, options): (usize, usize, usize) = (3, 4, 3);
            let mut rhs = vec![1.0; people];
            rhs.extend((0..covers).map(|_| rng.below(3) as f64));
            let mut s = Simplex::new(rhs.clone(), 1e4);
            let mut schedules = Vec::new();
            for p in 0..people {
                for _ in 0..options {
                    let cost = rng.below(10) as f64;
                    let covered: Vec<usize> = (0..covers).filter(|_| rng.below(2) == 1).collect();
                    let mut entries = vec![(p as u32, 1.0)];
                    entries.extend(covered.iter().map(|&c| ((people + c) as u32, 1.0)));
                    s.add(cost, entries);
                    schedules.push((p, cost, covered));
                }
            }
            let (under, over) = (5.0, 2.0);
            for c in 0..covers {
                s.add(under, vec![((people + c) as u32, 1.0)]);
                s.add(over, vec![((people + c) as u32, -1.0)]);
            }
            s.solve(later()).unwrap();
            assert!(!s.infeasible());
            let lp = s.objective();
            // Every integer choice.
            let mut best_integer = f64::INFINITY;
            for pick in 0..options.pow(people as u32) {
                let mut cover = vec![0.0; covers];
                let mut cost = 0.0;
                for p in 0..people {
                    let (_, c, covered) = &schedules[p * options + (pick / options.pow(p as u32)) % options];
                    cost += c;
                    covered.iter().for_each(|&k| cover[k] += 1.0);
                }
                for k in 0..covers {
                    let gap = rhs[people + k] - cover[k];
                    cost += if gap > 0.0 { under * gap } else { -over * gap };
                }
                best_integer = best_integer.min(cost);
            }
            assert!(
                lp <= best_integer + 1e-9,
                "LP {lp} above an integer roster {best_integer}"
            );
            // Weak duality: the duals' value (each person's cheapest schedule
            // at the prices) equals the LP's optimum.
            let y = s.duals().to_vec();
            let mut lagrangian: f64 = (0..covers).map(|k| y[people + k] * rhs[people + k]).sum();
            for p in 0..people {
                let cheapest = schedules
                    .iter()
                    .filter(|s| s.0 == p)
                    .map(|(_, c, covered)| c - covered.iter().map(|&k| y[people + k]).sum::<f64>())
                    .fold(f64::INFINITY, f64::min);
                lagrangian += cheapest;
            }
            for k in 0..covers {
                assert!(y[people + k] <= under + 1e-9 && y[people + k] >= -over - 1e-9);
            }
            assert!((lagrangian - lp).abs() < 1e-6, "dual value {lagrangian} vs LP {lp}");
        }
    }
}
