//! Column generation over people's schedules (Dantzig–Wolfe): a master
//! problem picks one schedule per person from a pool, each cover's
//! shortfall and excess priced; new schedules come from each person's
//! exact search at the master's prices. The master's linear relaxation is
//! solved on its dual side — a price on each cover, a value on each
//! person, one cut per schedule — so that a new schedule is one more cut
//! for the dual simplex (microlp) to take from where it stopped.
//!
//! Its optimum is the relaxation's bound, on these instances within a few
//! units of the best roster. A dive then fixes the people whose schedule
//! the relaxation has settled, prices again for the rest, and so on until
//! everyone has one: a roster the search goes on from.

use crate::dp::{Pace, PersonModel, Workspace};
use crate::problem::{Problem, Roster};
use crate::solve::{Rng, Shared};
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem as Lp, SolveOutcome, Variable};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// A schedule in the pool: whose, what, and its requests' cost.
#[derive(Debug, Clone)]
struct Column {
    person: usize,
    row: Vec<Option<usize>>,
    cost: f64,
}

/// The master's dual as solved so far.
struct Dual {
    value: Vec<Option<Variable>>,
    price: Vec<Variable>,
    solution: Option<microlp::Solution>,
}

impl Dual {
    /// A schedule's cut: its person's value and the prices of its covers
    /// are at most its cost.
    fn cut(&self, c: &Column, shifts: usize) -> Option<(LinearExpr, f64)> {
        let mut expr = LinearExpr::empty();
        expr.add(self.value[c.person]?, 1.0);
        for (d, x) in c.row.iter().enumerate() {
            if let Some(s) = x {
                expr.add(self.price[d * shifts + s], 1.0);
            }
        }
        Some((expr, c.cost))
    }

    /// One more schedule, the dual simplex going on from where it stopped.
    fn add(&mut self, c: &Column, shifts: usize) -> Option<()> {
        let (expr, rhs) = self.cut(c, shifts)?;
        let SolveOutcome::Solution(next) = self.solution.take()?.add_constraint(expr, ComparisonOp::Le, rhs).ok()?
        else {
            return None;
        };
        self.solution = Some(next);
        Some(())
    }
}

/// How many of the largest shares a varied dive picks from.
const DIVE_CHOICES: usize = 3;

/// A schedule whose share of the relaxation reaches this is taken as settled.
const SETTLED: f64 = 0.99;

/// The most schedules the pool holds: past it a dive's master grows slow
/// to rebuild, and the search has enough to go on.
const MAX_COLUMNS: usize = 20_000;

/// The schedules of each person the dual is solved with: those of least
/// reduced cost at the last prices.
const ACTIVE_PER_PERSON: usize = 8;

struct Master<'a> {
    p: &'a Problem,
    /// The days the master plans, `[from, to)`; the days outside stay as
    /// each person's row in `last` has them. Columns and prices are the
    /// window's, counted from `from`.
    from: usize,
    to: usize,
    models: Vec<PersonModel>,
    requests: Vec<Vec<f64>>,
    ws: Workspace,
    pool: Vec<Column>,
    /// Each person's whole row with the window's schedule last priced
    /// (keeps the rules: bounds the next search).
    last: Vec<Vec<Option<usize>>>,
    deadline: Instant,
    /// Each cover's price in the last relaxation, `[day * shifts + shift]`.
    prices: Option<Vec<f64>>,
    /// The pool's schedules by person and days.
    known: HashMap<(usize, Vec<Option<usize>>), usize>,
}

impl<'a> Master<'a> {
    /// The pool starts with each person's best schedule when every cover
    /// is priced at half its shortfall's weight (as the Lagrangian bound
    /// starts), and, over a window of a roster `base`, with the roster's own.
    fn new(p: &'a Problem, deadline: Instant, (from, to): (usize, usize), base: Option<&Roster>) -> Option<Self> {
        let models: Vec<PersonModel> = (0..p.staff.len())
            .map(|e| PersonModel::new(p, e))
            .collect::<Result<_, _>>()
            .ok()?;
        let mut m = Master {
            p,
            from,
            to,
            models,
            requests: crate::solve::request_costs(p),
            ws: Workspace::default(),
            pool: Vec::new(),
            last: Vec::new(),
            deadline,
            prices: None,
            known: HashMap::new(),
        };
        let stride = p.shifts.len() + 1;
        for e in 0..p.staff.len() {
            let empty = vec![None; p.days];
            let row = base.map_or(&empty, |b| &b[e]);
            let mut cost = m.requests[e].clone();
            for (d, row) in p.cover.iter().enumerate() {
                for (s, c) in row.iter().enumerate() {
                    cost[d * stride + s + 1] -= f64::from(c.under_weight) / 2.0;
                }
            }
            let (_, part) = m.models[e].best_window(row, from, to, Pace::Exact, &cost, base.is_some(), &mut m.ws)?;
            if base.is_some() {
                m.add(e, row[from..to].to_vec());
            }
            let mut whole = row.clone();
            whole[from..to].copy_from_slice(&part);
            m.last.push(whole);
            m.add(e, part);
        }
        Some(m)
    }

    /// The window's days.
    fn days(&self) -> usize {
        self.to - self.from
    }

    fn cost_of(&self, e: usize, part: &[Option<usize>]) -> f64 {
        let stride = self.p.shifts.len() + 1;
        part.iter()
            .enumerate()
            .map(|(d, x)| self.requests[e][(self.from + d) * stride + x.map_or(0, |s| s + 1)])
            .sum()
    }

    /// The window's cover, `[day * shifts + shift]` with days from `from`.
    fn cover(&self, i: usize) -> crate::problem::Cover {
        let sc = self.p.shifts.len();
        self.p.cover[self.from + i / sc][i % sc]
    }

    /// The pool's index of a schedule, added if new.
    fn add(&mut self, person: usize, row: Vec<Option<usize>>) -> usize {
        let next = self.pool.len();
        let j = *self.known.entry((person, row.clone())).or_insert(next);
        if j == next {
            let cost = self.cost_of(person, &row);
            self.pool.push(Column { person, row, cost });
        }
        j
    }

    /// Each free person's pool schedules with the least reduced cost at
    /// the last prices (all of them before any prices): the cuts the dual
    /// is solved with. A cut left out is found again by the pricing if the
    /// prices come to need it, so the relaxation stays exact.
    fn active(&self, free: &[bool]) -> Vec<usize> {
        let mut by_person: Vec<Vec<(f64, usize)>> = vec![Vec::new(); self.p.staff.len()];
        for (j, c) in self.pool.iter().enumerate().filter(|(_, c)| free[c.person]) {
            let reduced = self
                .prices
                .as_ref()
                .map_or(0.0, |prices| c.cost - self.priced(prices, &c.row));
            by_person[c.person].push((reduced, j));
        }
        let mut out = Vec::new();
        for mut cols in by_person {
            // Newest first among equals: the latest pricing's schedule stays.
            cols.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
            out.extend(cols.into_iter().take(ACTIVE_PER_PERSON).map(|c| c.1));
        }
        out
    }

    fn priced(&self, prices: &[f64], row: &[Option<usize>]) -> f64 {
        let sc = self.p.shifts.len();
        row.iter()
            .enumerate()
            .filter_map(|(d, x)| x.map(|s| prices[d * sc + s]))
            .sum()
    }

    /// The dual of the master over the pool schedules `cuts`: a value for
    /// each free person, a price for each cover.
    fn dual(&self, free: &[bool], need: &[f64], cuts: &[usize]) -> Option<Dual> {
        let sc = self.p.shifts.len();
        let mut lp = Lp::new(OptimizationDirection::Maximize);
        let value: Vec<Option<Variable>> = free
            .iter()
            .map(|&f| f.then(|| lp.add_var(1.0, (f64::NEG_INFINITY, f64::INFINITY))))
            .collect();
        let price: Vec<Variable> = (0..self.days() * sc)
            .map(|i| {
                let c = self.cover(i);
                lp.add_var(need[i], (-f64::from(c.over_weight), f64::from(c.under_weight)))
            })
            .collect();
        let dual = Dual {
            value,
            price,
            solution: None,
        };
        for &j in cuts {
            let (expr, rhs) = dual.cut(&self.pool[j], sc)?;
            lp.add_constraint(expr, ComparisonOp::Le, rhs);
        }
        lp.set_time_limit(self.deadline.saturating_duration_since(Instant::now()));
        let SolveOutcome::Solution(solution) = lp.solve().ok()? else {
            return None;
        };
        Some(Dual {
            solution: Some(solution),
            ..dual
        })
    }

    /// Solves the relaxation for the people marked `free`, the others'
    /// schedules counted in `taken[day * shifts + shift]`, pricing new
    /// schedules until none helps (or time runs out); the prices are kept.
    /// `on_bound` hears each Lagrangian value (a bound only when everyone
    /// is free) and may stop the pricing.
    fn relax(&mut self, free: &[bool], taken: &[u32], mut on_bound: impl FnMut(f64) -> bool) -> Option<()> {
        let (p, sc) = (self.p, self.p.shifts.len());
        let stride = sc + 1;
        let need: Vec<f64> = (0..self.days() * sc)
            .map(|i| f64::from(self.cover(i).requirement) - f64::from(taken[i]))
            .collect();
        let mut cost = vec![0.0; p.days * stride];
        let mut dual = self.dual(free, &need, &self.active(free))?;
        loop {
            let solution = dual.solution.as_ref()?;
            let prices: Vec<f64> = dual.price.iter().map(|&v| solution.var_value(v)).collect();
            let mut lagrangian: f64 = (0..self.days() * sc).map(|i| prices[i] * need[i]).sum();
            let mut new = Vec::new();
            for e in (0..p.staff.len()).filter(|&e| free[e]) {
                if Instant::now() >= self.deadline {
                    return None;
                }
                cost.copy_from_slice(&self.requests[e]);
                for (i, v) in prices.iter().enumerate() {
                    cost[(self.from + i / sc) * stride + i % sc + 1] -= v;
                }
                let (v, part) = self.models[e].best_window(
                    &self.last[e],
                    self.from,
                    self.to,
                    Pace::Exact,
                    &cost,
                    true,
                    &mut self.ws,
                )?;
                lagrangian += v;
                if v < solution.var_value(dual.value[e]?) - 1e-6 {
                    new.push((e, part.clone()));
                }
                self.last[e][self.from..self.to].copy_from_slice(&part);
            }
            self.prices = Some(prices);
            if !on_bound(lagrangian) || new.is_empty() || self.pool.len() + new.len() > MAX_COLUMNS {
                return Some(());
            }
            for (e, row) in new {
                let j = self.add(e, row);
                dual.add(&self.pool[j], sc)?;
            }
        }
    }

    /// Each pool schedule's share in the relaxation's optimum (the primal
    /// side, over the pool as it is), for the people still free.
    fn shares(&self, free: &[bool], taken: &[u32]) -> Option<Vec<(usize, f64)>> {
        let (p, sc) = (self.p, self.p.shifts.len());
        let mut lp = Lp::new(OptimizationDirection::Minimize);
        let mut one: Vec<LinearExpr> = (0..p.staff.len()).map(|_| LinearExpr::empty()).collect();
        let mut cover: Vec<LinearExpr> = (0..self.days() * sc).map(|_| LinearExpr::empty()).collect();
        let mut vars = Vec::new();
        for (j, c) in self.pool.iter().enumerate().filter(|(_, c)| free[c.person]) {
            let v = lp.add_var(c.cost, (0.0, 1.0));
            one[c.person].add(v, 1.0);
            for (d, x) in c.row.iter().enumerate() {
                if let Some(s) = x {
                    cover[d * sc + s].add(v, 1.0);
                }
            }
            vars.push((j, v));
        }
        for (expr, _) in one.into_iter().zip(free).filter(|(_, f)| **f) {
            lp.add_constraint(expr, ComparisonOp::Eq, 1.0);
        }
        for (i, mut expr) in cover.into_iter().enumerate() {
            let c = self.cover(i);
            expr.add(lp.add_var(f64::from(c.under_weight), (0.0, f64::INFINITY)), 1.0);
            expr.add(lp.add_var(f64::from(c.over_weight), (0.0, f64::INFINITY)), -1.0);
            lp.add_constraint(expr, ComparisonOp::Eq, f64::from(c.requirement) - f64::from(taken[i]));
        }
        lp.set_time_limit(self.deadline.saturating_duration_since(Instant::now()));
        let SolveOutcome::Solution(sol) = lp.solve().ok()? else {
            return None;
        };
        Some(vars.into_iter().map(|(j, v)| (j, sol.var_value(v))).collect())
    }

    /// Fixes people one settled schedule at a time, pricing again between,
    /// until everyone has a schedule. With `rng`, an unsettled step fixes one of the few largest shares
    /// at random (dives after the first), otherwise the largest.
    fn dive(&mut self, mut rng: Option<&mut Rng>) -> Option<Roster> {
        let (n, sc) = (self.p.staff.len(), self.p.shifts.len());
        let mut free = vec![true; n];
        let mut taken = vec![0u32; self.days() * sc];
        let mut roster: Roster = vec![Vec::new(); n];
        while free.iter().any(|&f| f) {
            self.relax(&free, &taken, |_| true)?;
            let shares = self.shares(&free, &taken)?;
            let mut settle: Vec<usize> = shares.iter().filter(|s| s.1 >= SETTLED).map(|s| s.0).collect();
            if settle.is_empty() {
                // Nothing settled: one schedule of the largest share (fixing
                // several at once was measured worse on instance 8).
                let mut largest = shares;
                largest.sort_by(|a, b| b.1.total_cmp(&a.1));
                let pick = rng.as_mut().map_or(0, |r| r.below(DIVE_CHOICES.min(largest.len())));
                settle.push(largest.get(pick)?.0);
            }
            for j in settle {
                let c = &self.pool[j];
                if !free[c.person] {
                    continue;
                }
                free[c.person] = false;
                for (d, x) in c.row.iter().enumerate() {
                    if let Some(s) = x {
                        taken[d * sc + s] += 1;
                    }
                }
                roster[c.person] = c.row.clone();
            }
        }
        Some(roster)
    }
}

/// Raises the relaxation's bound (into `shared.lower`), then dives for a
/// roster, handing it to the search through `shared` with the prices' own
/// schedules before it. Returns the best bound; None when not even one
/// pricing finished, the relaxation failed, or it could not finish in time
/// (with `solved` false: the caller may bound another way).
pub(crate) fn bound_and_dive(p: &Problem, deadline: Instant, seed: u64, shared: &Shared) -> (Option<u64>, bool) {
    let Some(mut master) = Master::new(p, deadline, (0, p.days), None) else {
        return (None, false);
    };
    let everyone = vec![true; p.staff.len()];
    let none = vec![0u32; p.days * p.shifts.len()];
    let mut best: Option<u64> = None;
    let stop = || shared.stop.load(Ordering::Relaxed);
    let solved = master
        .relax(&everyone, &none, |value| {
            let proven = (value - 1e-6).ceil().max(0.0) as u64;
            if best.is_none_or(|b| proven > b) {
                best = Some(proven);
                shared.lower.fetch_max(proven, Ordering::Relaxed);
            }
            !stop() && proven < shared.upper.load(Ordering::Relaxed)
        })
        .is_some();
    if solved && !stop() && best.is_some_and(|b| b < shared.upper.load(Ordering::Relaxed)) {
        shared.offer(master.last.clone());
        // The first dive follows the largest shares; later ones vary them,
        // each with the pool the dives before have grown.
        let mut rng = Rng::new(seed);
        let mut first = true;
        while !stop() && best.is_some_and(|b| b < shared.upper.load(Ordering::Relaxed)) {
            let Some(roster) = master.dive((!first).then_some(&mut rng)) else {
                break;
            };
            // A roster the search has not yet taken is still a roster: no
            // bound needs to rise past it.
            shared
                .upper
                .fetch_min(crate::check::evaluate(p, &roster).objective, Ordering::Relaxed);
            shared.offer(roster);
            first = false;
        }
    }
    (best, solved)
}

/// About the most people × days × shift types a short window's master
/// plans (its linear programs then take well under a second on the
/// benchmark); a window is one or two weeks, and twice that once a pass of
/// the short ones gains little (a person's hours can then move further in
/// time).
const WINDOW_CELLS: usize = 2_000;

/// A pass over the windows that gains less than this share of the cost
/// moves on to longer windows (or, at the longest, to varied dives).
const PASS_GAIN: f64 = 0.01;

/// Windows of `len` days, each starting half a window after the one before
/// (from the first Monday; the first takes the days before it, the last
/// ends with the horizon).
fn windows(p: &Problem, len: usize) -> Vec<(usize, usize)> {
    if p.days <= len {
        return vec![(0, p.days)];
    }
    let step = (len / 2).max(1);
    let first_monday = (7 - p.first_weekday % 7) % 7;
    let mut out = vec![(0, (first_monday + len).min(p.days))];
    let mut at = first_monday + step;
    while at + len < p.days {
        out.push((at, at + len));
        at += step;
    }
    if out.last().is_some_and(|w| w.1 < p.days) {
        out.push((p.days - len, p.days));
    }
    out
}

/// Over a horizon too long to price whole: column generation over one
/// window of days at a time, the rest of the search's best roster kept,
/// then a dive; a roster that costs less than the one it started from is
/// handed to the search. Dives follow the largest shares until a pass at
/// the longest windows gains little; then they vary.
pub(crate) fn improve_windows(p: &Problem, deadline: Instant, seed: u64, shared: &Shared) {
    let stop = || shared.stop.load(Ordering::Relaxed) || Instant::now() >= deadline;
    let mut rng = Rng::new(seed);
    let everyone = vec![true; p.staff.len()];
    // Short windows first (whole weeks, as many as keep the master small),
    // twice as long once a pass gains little.
    let per_day = p.staff.len() * p.shifts.len();
    let short = ((WINDOW_CELLS / per_day.max(1)) / 7 * 7).clamp(7, 14);
    let lengths = [short, 2 * short];
    let (mut level, mut varied) = (0, false);
    let mut spans = windows(p, lengths[level]);
    // The best cost when the pass began, and now; whether any window's
    // master was solved in the pass (if none was, none will be).
    let (mut k, mut pass_from, mut best, mut solved) = (0, u64::MAX, u64::MAX, false);
    while !stop() {
        if k == spans.len() {
            if !solved {
                return;
            }
            // A pass that gained less than this share moves on.
            if best as f64 > pass_from as f64 * (1.0 - PASS_GAIN) {
                if level + 1 < lengths.len() && lengths[level] < p.days {
                    level += 1;
                    spans = windows(p, lengths[level]);
                } else {
                    varied = true;
                }
            }
            (k, pass_from, solved) = (0, best, false);
        }
        let Some(base) = shared.best.lock().ok().and_then(|b| b.clone()) else {
            std::thread::sleep(std::time::Duration::from_millis(20));
            continue;
        };
        let (from, to) = spans[k];
        k += 1;
        let Some(mut master) = Master::new(p, deadline, (from, to), Some(&base)) else {
            continue;
        };
        let none = vec![0u32; master.days() * p.shifts.len()];
        if master.relax(&everyone, &none, |_| !stop()).is_none() || stop() {
            continue;
        }
        solved = true;
        let Some(parts) = master.dive(varied.then_some(&mut rng)) else {
            continue;
        };
        let mut roster = base.clone();
        for (row, part) in roster.iter_mut().zip(&parts) {
            row[from..to].copy_from_slice(part);
        }
        let cost = crate::check::evaluate(p, &roster).objective;
        let base_cost = crate::check::evaluate(p, &base).objective;
        if pass_from == u64::MAX {
            pass_from = base_cost;
        }
        best = best.min(base_cost).min(cost);
        if cost < base_cost {
            shared.upper.fetch_min(cost, Ordering::Relaxed);
            shared.offer_better(roster);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::evaluate;
    use crate::format::parse;
    use std::time::Duration;

    fn instance(name: &str) -> Problem {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        parse(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_relaxation_bounds_the_optimum_and_the_dive_keeps_every_rule() {
        // Instance 2 (14 people, 2 shift types): proven optimum 828.
        let p = instance("Instance2.txt");
        let shared = Shared::new();
        let (bound, solved) = bound_and_dive(&p, Instant::now() + Duration::from_secs(60), 1, &shared);
        assert!(solved);
        let bound = bound.expect("a bound");
        // The relaxation is tight on this instance (published optimum 828).
        assert!((800..=828).contains(&bound), "bound {bound}");
        let dived = shared.hint.lock().unwrap().take().expect("a roster from the dive");
        assert!(shared.fresh.load(Ordering::Relaxed));
        let ev = evaluate(&p, &dived);
        assert!(ev.feasible(), "{:?}", ev.violations);
        assert!(ev.objective >= 828, "{} below the proven optimum", ev.objective);
    }

    #[test]
    fn a_schedule_priced_twice_is_one_column() {
        let p = instance("Instance1.txt");
        let mut m = Master::new(&p, Instant::now() + Duration::from_secs(60), (0, p.days), None).unwrap();
        let before = m.pool.len();
        assert_eq!(before, p.staff.len());
        let row = m.pool[0].row.clone();
        assert_eq!(m.add(0, row.clone()), 0);
        assert_eq!(m.pool.len(), before);
        // The same days for another person are their own column.
        assert_eq!(m.add(1, row), before);
    }
}
