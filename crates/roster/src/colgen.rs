//! Column generation over people's schedules (Dantzig–Wolfe): a master
//! problem picks one schedule per person from a pool, each cover's
//! shortfall and excess priced; new schedules come from each person's
//! exact search at the master's prices. The master's linear relaxation is
//! solved by a primal simplex of its own (`simplex`): a new schedule is one
//! more column, and the basis goes on from where it stopped.
//!
//! Its optimum is the relaxation's bound, on these instances within a few
//! units of the best roster. A dive then fixes the people whose schedule
//! the relaxation has settled (the others' schedules barred from the
//! master), prices again for the rest, and so on until everyone has one: a
//! roster the search goes on from. Once dives take too long to repeat,
//! the best roster is improved a window of days at a time, each window a
//! small master of its own with the days outside kept (also how horizons
//! too long to price whole are rostered).

use crate::dp::{Pace, PersonModel, Workspace};
use crate::problem::{Problem, Roster};
use crate::simplex::Simplex;
use crate::solve::{Rng, Shared};
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

/// How many of the largest shares a varied dive picks from.
const DIVE_CHOICES: usize = 3;

/// A dive's step stops pricing once the master is this close to its
/// Lagrangian bound (the costs are whole numbers), or once this many rounds
/// in a row have lowered it by less than `GAIN`: the master is as good as
/// solved, and the rounds left would only prove it (degenerate masters
/// tail off for dozens of rounds).
const TAILING: usize = 3;
const GAIN: f64 = 0.5;

/// How many people an unsettled step of a dive fixes while more than half
/// are free (one after): on instance 12 the relaxation stayed at its
/// optimum through those steps, and the dive finished in the minute (51–57
/// s) where fixing one a step did not; fixing more in the second half (two
/// from 20 or 15 left) made the dive later and its roster worse.
const FIX_EARLY: usize = 3;

/// A dive with this many people free or fewer fixes one a step (instances
/// 1–8, up to 30 people, finish their dives in time so).
const FEW: usize = 30;

/// Whole-horizon dives go on while one takes less than this share of the
/// time left; after, the time goes to windows of the best roster, each a
/// small master of its own (instance 12: its dive takes most of the
/// minute, and windows then take its roster from 4478 to 4045–4105; on
/// instances 4 and 10 varied whole dives prove the optimum in seconds).
const DIVE_SHARE: f64 = 0.25;

/// The share of the time left after which the first dive stops pricing and
/// fixes the rest from the schedules it has, so that the windows have time
/// to repair what that costs: on instance 12 the last few people's steps
/// take half the minute, priced. Measured there (two runs each): 0.35
/// gave 4052–4069, 0.6 gave 4045 both times; rounding the rest at once
/// instead (at 0.6 or 0.8) left the windows 4046–4167.
const HURRY: f64 = 0.6;

/// A schedule whose share of the relaxation reaches this is taken as settled.
const SETTLED: f64 = 0.99;

/// The most schedules the pool holds: past it a dive's master grows slow
/// to rebuild, and the search has enough to go on.
const MAX_COLUMNS: usize = 20_000;

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
    /// The master's linear program once built: a row per person, then one
    /// per cover; the columns after the artificials are each cover's
    /// shortfall and excess, then the pool in its order.
    lp: Option<Simplex>,
    /// The pool schedule each person has been fixed to in a dive.
    fixed: Vec<Option<usize>>,
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
            lp: None,
            fixed: vec![None; p.staff.len()],
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

    /// The pool's index of a schedule, added if new (to the master's
    /// program too, once there is one).
    fn add(&mut self, person: usize, row: Vec<Option<usize>>) -> usize {
        let next = self.pool.len();
        let j = *self.known.entry((person, row.clone())).or_insert(next);
        if j == next {
            let cost = self.cost_of(person, &row);
            let column = Column { person, row, cost };
            if let Some(lp) = self.lp.as_mut() {
                let (cost, entries) = column_entries(&column, self.p.staff.len(), self.p.shifts.len());
                lp.add(cost, entries);
            }
            self.pool.push(column);
        }
        j
    }

    /// The simplex column of pool schedule `j`.
    fn lp_column(&self, j: usize) -> usize {
        let rows = self.p.staff.len() + self.days() * self.p.shifts.len();
        rows + 2 * (rows - self.p.staff.len()) + j
    }

    /// The master's program over the whole pool, every person's row
    /// asking for one schedule and every cover its requirement.
    fn build(&self) -> Simplex {
        let (n, sc) = (self.p.staff.len(), self.p.shifts.len());
        let covers = self.days() * sc;
        let mut rhs = vec![1.0; n];
        rhs.extend((0..covers).map(|i| f64::from(self.cover(i).requirement)));
        // An artificial must cost more than any person's schedule can change
        // the rest: its requests and a full excess or shortfall on each day.
        let heaviest = (0..covers)
            .map(|i| {
                let c = self.cover(i);
                f64::from(c.under_weight.max(c.over_weight))
            })
            .fold(0.0, f64::max);
        let dearest = self.pool.iter().map(|c| c.cost).fold(0.0, f64::max);
        let big = 10.0 * (dearest + heaviest * self.days() as f64 * 2.0) + 1_000.0;
        let mut lp = Simplex::new(rhs, big);
        for i in 0..covers {
            let c = self.cover(i);
            lp.add(f64::from(c.under_weight), vec![((n + i) as u32, 1.0)]);
            lp.add(f64::from(c.over_weight), vec![((n + i) as u32, -1.0)]);
        }
        for c in &self.pool {
            let (cost, entries) = column_entries(c, n, sc);
            lp.add(cost, entries);
        }
        lp
    }

    /// Solves the relaxation, pricing new schedules for the people marked
    /// `free` until none helps (or time runs out); the others keep the
    /// schedule they were fixed to (`fixed`). `on_bound` hears each
    /// Lagrangian value and the master's, and may stop the pricing (the
    /// Lagrangian value bounds the optimum when everyone is free, and the
    /// master restricted to the fixed schedules otherwise).
    fn relax(&mut self, free: &[bool], mut on_bound: impl FnMut(f64, f64) -> bool) -> Option<()> {
        let (p, sc, n) = (self.p, self.p.shifts.len(), self.p.staff.len());
        let stride = sc + 1;
        if self.lp.is_none() {
            self.lp = Some(self.build());
        }
        let mut cost = vec![0.0; p.days * stride];
        loop {
            let lp = self.lp.as_mut()?;
            lp.solve(self.deadline).ok()?;
            if lp.infeasible() {
                return None;
            }
            let objective = lp.objective();
            let duals = lp.duals();
            let prices = duals[n..].to_vec();
            let values = duals[..n].to_vec();
            let mut lagrangian: f64 = (0..self.days() * sc)
                .map(|i| prices[i] * f64::from(self.cover(i).requirement))
                .sum();
            let mut new = Vec::new();
            for e in (0..n).filter(|&e| free[e]) {
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
                if v < values[e] - 1e-6 {
                    new.push((e, part.clone()));
                }
                self.last[e][self.from..self.to].copy_from_slice(&part);
            }
            for e in (0..n).filter(|&e| !free[e]) {
                let c = &self.pool[self.fixed[e]?];
                lagrangian += c.cost
                    - c.row
                        .iter()
                        .enumerate()
                        .filter_map(|(d, x)| x.map(|s| prices[d * sc + s]))
                        .sum::<f64>();
            }
            if !on_bound(lagrangian, objective) || new.is_empty() || self.pool.len() + new.len() > MAX_COLUMNS {
                return Some(());
            }
            for (e, row) in new {
                self.add(e, row);
            }
        }
    }

    /// Each pool schedule's share in the relaxation as last solved, for the
    /// people still free.
    fn shares(&self, free: &[bool]) -> Option<Vec<(usize, f64)>> {
        let values = self.lp.as_ref()?.values();
        Some(
            (0..self.pool.len())
                .filter(|&j| free[self.pool[j].person])
                .map(|j| (j, values[self.lp_column(j)]))
                .collect(),
        )
    }

    /// Fixes people one settled schedule at a time, pricing again between,
    /// until everyone has a schedule. With `rng`, an unsettled step fixes
    /// one of the few largest shares at random (dives after the first),
    /// otherwise the largest. From `hurry` on, the steps price no more: the
    /// master chooses among the schedules it has.
    fn dive(&mut self, mut rng: Option<&mut Rng>, hurry: Option<Instant>) -> Option<Roster> {
        let n = self.p.staff.len();
        let mut free = vec![true; n];
        if let Some(lp) = self.lp.as_mut() {
            lp.unbar_all();
        }
        self.fixed = vec![None; n];
        let mut roster: Roster = vec![Vec::new(); n];
        while free.iter().any(|&f| f) {
            let (mut since_gain, mut last) = (0, f64::INFINITY);
            let left = free.iter().filter(|&&f| f).count();
            self.relax(&free, |lagrangian, objective| {
                since_gain = if objective < last - GAIN { 0 } else { since_gain + 1 };
                last = last.min(objective);
                let late = hurry.is_some_and(|h| Instant::now() >= h);
                objective - lagrangian >= 1.0 && since_gain < TAILING && !late
            })?;
            let shares = self.shares(&free)?;
            let mut settle: Vec<usize> = shares.iter().filter(|s| s.1 >= SETTLED).map(|s| s.0).collect();
            if settle.is_empty() {
                // Nothing settled: one schedule of the largest share (fixing
                // several at once all the way down was measured worse on
                // instance 8).
                let mut largest = shares;
                largest.sort_by(|a, b| b.1.total_cmp(&a.1));
                let pick = rng.as_mut().map_or(0, |r| r.below(DIVE_CHOICES.min(largest.len())));
                let picked = *largest.get(pick)?;
                settle.push(picked.0);
                // While more than half the people (and more than a small
                // station's worth) are free the relaxation barely moves as
                // they are fixed: the next largest shares (of other people)
                // are fixed with it. Small masters dive in time one a step.
                if 2 * left > n && left > FEW {
                    largest.insert(0, picked);
                    settle = of_different_people(&largest, FIX_EARLY, |j| self.pool[j].person);
                }
            }
            for j in settle {
                let person = self.pool[j].person;
                if !free[person] {
                    continue;
                }
                free[person] = false;
                self.fixed[person] = Some(j);
                roster[person] = self.pool[j].row.clone();
                // The person's other schedules leave the program.
                for k in (0..self.pool.len()).filter(|&k| k != j && self.pool[k].person == person) {
                    let column = self.lp_column(k);
                    self.lp.as_mut()?.bar(column);
                }
            }
        }
        Some(roster)
    }
}

/// The first `k` schedules of `ranked` (pool index, share) that belong to
/// different people.
fn of_different_people(ranked: &[(usize, f64)], k: usize, person: impl Fn(usize) -> usize) -> Vec<usize> {
    let mut people = Vec::with_capacity(k);
    let mut out = Vec::with_capacity(k);
    for &(j, _) in ranked {
        if out.len() == k {
            break;
        }
        if !people.contains(&person(j)) {
            people.push(person(j));
            out.push(j);
        }
    }
    out
}

/// A pool schedule as a column of the master: its cost, a one in its
/// person's row and in each cover it works.
fn column_entries(c: &Column, people: usize, shifts: usize) -> (f64, Vec<(u32, f64)>) {
    let mut entries = vec![(c.person as u32, 1.0)];
    for (d, x) in c.row.iter().enumerate() {
        if let Some(s) = x {
            entries.push(((people + d * shifts + s) as u32, 1.0));
        }
    }
    (c.cost, entries)
}

/// Raises the relaxation's bound (into `shared.lower`), then dives for a
/// roster, handing it to the search through `shared` with the prices' own
/// schedules before it, and dives again while dives are quick; then
/// improves the best roster a window at a time until the deadline (see
/// `DIVE_SHARE`). Returns the best bound; None when not even one
/// pricing finished, the relaxation failed, or it could not finish in time
/// (with `solved` false: the caller may bound another way).
pub(crate) fn bound_and_dive(p: &Problem, deadline: Instant, seed: u64, shared: &Shared) -> (Option<u64>, bool) {
    let start = Instant::now();
    let hurry = start + deadline.saturating_duration_since(start).mul_f64(HURRY);
    let Some(mut master) = Master::new(p, deadline, (0, p.days), None) else {
        return (None, false);
    };
    let everyone = vec![true; p.staff.len()];
    let mut best: Option<u64> = None;
    let stop = || shared.stop.load(Ordering::Relaxed);
    let solved = master
        .relax(&everyone, |value, _| {
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
            let began = Instant::now();
            let Some(roster) = master.dive((!first).then_some(&mut rng), Some(hurry)) else {
                break;
            };
            // A roster the search has not yet taken is still a roster: no
            // bound needs to rise past it.
            shared
                .upper
                .fetch_min(crate::check::evaluate(p, &roster).objective, Ordering::Relaxed);
            shared.offer(roster);
            first = false;
            let now = Instant::now();
            let left = deadline.saturating_duration_since(now);
            if now >= hurry || (now - began).as_secs_f64() > DIVE_SHARE * left.as_secs_f64() {
                drop(master);
                improve_windows(p, deadline, seed, shared);
                break;
            }
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
/// handed to the search. Dives follow the largest shares until a pass of
/// the short windows gains little; then they vary, and the windows grow
/// once a varied pass gains little too.
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
            // A pass that gained less than this share moves on: to varied
            // dives over the same windows, then to longer ones (instance 12
            // after its dive: 4045–4105 in four runs, where longer windows
            // first left 4150–4165 in two of seven).
            if best as f64 > pass_from as f64 * (1.0 - PASS_GAIN) {
                if !varied {
                    varied = true;
                } else if level + 1 < lengths.len() && lengths[level] < p.days {
                    level += 1;
                    spans = windows(p, lengths[level]);
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
        if master.relax(&everyone, |_, _| !stop()).is_none() || stop() {
            continue;
        }
        solved = true;
        let Some(parts) = master.dive(varied.then_some(&mut rng), None) else {
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

    /// Instance 1 five times over in people (40).
    fn forty_people() -> Problem {
        instance("Instance1.txt")
            .tiled(crate::problem::Tiling { horizon: 1, staff: 5 })
            .unwrap()
    }

    fn whole_horizon_master(p: &Problem) -> Master<'_> {
        Master::new(p, Instant::now() + Duration::from_secs(120), (0, p.days), None).unwrap()
    }

    #[test]
    fn a_dive_over_forty_people_keeps_every_rule() {
        // Instance 1 five times over in people (40): five copies of its
        // optimum cost 3035.
        let p = forty_people();
        let mut m = whole_horizon_master(&p);
        let mut bound = 0.0;
        m.relax(&vec![true; p.staff.len()], |value, _| {
            bound = value;
            true
        })
        .unwrap();
        assert!(bound <= 3035.0 + 1e-6, "bound {bound}");
        let roster = m.dive(None, None).expect("a roster from the dive");
        let ev = evaluate(&p, &roster);
        assert!(ev.feasible(), "{:?}", ev.violations);
        assert!(
            ev.objective as f64 >= bound - 1e-6,
            "{} below the bound {bound}",
            ev.objective
        );
        // Everyone has a whole schedule.
        assert!(roster.iter().all(|row| row.len() == p.days));
    }

    #[test]
    fn a_hurried_dive_prices_nothing_new_and_keeps_every_rule() {
        let p = forty_people();
        let mut m = whole_horizon_master(&p);
        m.relax(&vec![true; p.staff.len()], |_, _| true).unwrap();
        let pool = m.pool.len();
        let roster = m.dive(None, Some(Instant::now())).expect("a roster from the dive");
        assert_eq!(m.pool.len(), pool, "a hurried dive added schedules");
        let ev = evaluate(&p, &roster);
        assert!(ev.feasible(), "{:?}", ev.violations);
        // The unhurried dive over the same master adds schedules as it goes.
        m.dive(None, None).expect("a roster from the dive");
        assert!(m.pool.len() > pool, "an unhurried dive priced nothing");
    }

    #[test]
    fn several_fixed_at_once_are_the_largest_shares_of_different_people() {
        // Schedules 0..5 of people 0, 0, 1, 2, 3, ranked by share.
        let ranked = [(0, 0.9), (1, 0.8), (2, 0.7), (3, 0.6), (4, 0.5)];
        let owner = [0, 0, 1, 2, 3];
        assert_eq!(of_different_people(&ranked, 3, |j| owner[j]), vec![0, 2, 3]);
        assert_eq!(of_different_people(&ranked[..2], 3, |j| owner[j]), vec![0]);
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
