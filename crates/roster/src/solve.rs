//! The roster search: every person's schedule is re-optimised exactly
//! against the others' (the cover each shift still lacks or has too much
//! of), and groups of people are ruined and rebuilt to leave local optima.
//! A second thread solves the linear relaxation by column generation
//! (`colgen`: schedules priced by the same exact search), which gives a
//! lower bound that proves a roster optimal when they meet, and dives for
//! rosters the search goes on from; where its linear programs fail, a
//! Lagrangian bound by subgradients (`bound`) instead.

use crate::dp::{Pace, PersonModel, Workspace};
use crate::problem::{Problem, ProblemError, Roster};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Options {
    pub time_limit: Duration,
    pub seed: u64,
    /// Raise a lower bound on a second thread.
    pub bound: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            time_limit: Duration::from_secs(10),
            seed: 1,
            bound: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Solution {
    pub roster: Roster,
    pub objective: u64,
    /// No roster costs less than this.
    pub lower_bound: Option<u64>,
    pub optimal: bool,
    pub seconds: f64,
    /// Schedules re-optimised.
    pub moves: u64,
}

/// What the search and the bound tell each other while they run.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// The best roster's cost so far.
    pub upper: AtomicU64,
    /// The best proven bound so far.
    pub lower: AtomicU64,
    pub stop: AtomicBool,
    /// A roster from the bound's thread that keeps every rule, often close
    /// to a good one: each person's best schedule at its prices, or a dive's.
    pub hint: Mutex<Option<Roster>>,
    /// A roster worth going on from at once has been offered.
    pub fresh: AtomicBool,
    /// The roster offered is the best with one window improved: taken as
    /// it is, without a descent first.
    pub as_is: AtomicBool,
    /// The search's best roster, for the windows' column generation to
    /// improve on.
    pub best: Mutex<Option<Roster>>,
}

impl Shared {
    pub(crate) fn new() -> Self {
        Shared {
            upper: AtomicU64::new(u64::MAX),
            ..Shared::default()
        }
    }

    /// The search's new best roster and its cost.
    pub(crate) fn publish(&self, roster: &Roster, cost: u64) {
        self.upper.fetch_min(cost, Ordering::Relaxed);
        if let Ok(mut best) = self.best.lock() {
            *best = Some(roster.clone());
        }
    }

    /// Hands the search a roster to go on from as soon as it can.
    pub(crate) fn offer(&self, roster: Roster) {
        self.offer_how(roster, false);
    }

    /// Hands the search a roster better than its best, to go on from as it is.
    pub(crate) fn offer_better(&self, roster: Roster) {
        self.offer_how(roster, true);
    }

    fn offer_how(&self, roster: Roster, as_is: bool) {
        if let Ok(mut hint) = self.hint.lock() {
            *hint = Some(roster);
            self.as_is.store(as_is, Ordering::Relaxed);
            self.fresh.store(true, Ordering::Relaxed);
        }
    }
}

/// A small, fast, seedable generator (xorshift64*), so runs repeat.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Each person's cost of each choice from their requests alone:
/// `[person][day * (shifts + 1) + choice]`.
pub(crate) fn request_costs(p: &Problem) -> Vec<Vec<f64>> {
    let stride = p.shifts.len() + 1;
    let mut out = vec![vec![0.0; p.days * stride]; p.staff.len()];
    for r in &p.on_requests {
        for c in 0..stride {
            if c != r.shift + 1 {
                out[r.staff][r.day * stride + c] += f64::from(r.weight);
            }
        }
    }
    for r in &p.off_requests {
        out[r.staff][r.day * stride + r.shift + 1] += f64::from(r.weight);
    }
    for r in &p.work_requests {
        out[r.staff][r.day * stride] += f64::from(r.weight);
    }
    out
}

/// Half the rebuilds price each shift with this much noise (share of its cover weight).
const NOISE: f64 = 0.5;

/// Ruins without a new best after which groups grow by one.
const STALL: u64 = 2_000;

/// How much worse than the best a rebuilt roster may be at the start, as a share.
const THRESHOLD: f64 = 0.02;

struct Search<'a> {
    p: &'a Problem,
    models: Vec<PersonModel>,
    requests: Vec<Vec<f64>>,
    roster: Roster,
    /// `count[day][shift]`: people on the shift.
    count: Vec<Vec<u32>>,
    /// The roster's cost, kept as cells change.
    total: u64,
    /// The spans of days searched at once: the whole horizon when it fits,
    /// otherwise weeks.
    windows: Vec<(usize, usize)>,
    ws: Workspace,
    cost: Vec<f64>,
    moves: u64,
    /// Random change to each shift's cost while rebuilding, as a share of
    /// the cover's weight: rebuilt people try other cells than their best.
    noise: f64,
    noise_rng: Rng,
}

/// The longest horizon searched whole (and bounded): beyond it each
/// person's search carries a season's hours and counts and grows slow.
pub const WHOLE_DAYS: usize = 56;

/// Window lengths tried, longest first, when the horizon is searched a
/// window at a time (whole weeks, so weekends stay inside).
const WINDOW_DAYS: [usize; 3] = [28, 14, 7];

/// The longest spans that every person's search can hold: the whole
/// horizon, or windows of whole weeks from Monday (the first window takes
/// the days before the first Monday, the last any remainder under a week).
fn windows(p: &Problem, models: &[PersonModel]) -> Vec<(usize, usize)> {
    let fits = |w: &[(usize, usize)]| w.iter().all(|&(a, b)| models.iter().all(|m| m.fits(a, b)));
    let whole = vec![(0, p.days)];
    if p.days <= WHOLE_DAYS && fits(&whole) {
        return whole;
    }
    let first_monday = (7 - p.first_weekday % 7) % 7;
    let mut tried = Vec::new();
    for len in WINDOW_DAYS {
        let mut bounds = vec![0];
        let mut at = first_monday + len;
        while at + 7 <= p.days {
            bounds.push(at);
            at += len;
        }
        bounds.push(p.days);
        tried = bounds.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>();
        if fits(&tried) {
            break;
        }
    }
    tried
}

impl Search<'_> {
    fn pen(&self, d: usize, s: usize, n: u32) -> u64 {
        let c = self.p.cover[d][s];
        u64::from(c.requirement.saturating_sub(n)) * u64::from(c.under_weight)
            + u64::from(n.saturating_sub(c.requirement)) * u64::from(c.over_weight)
    }

    fn objective(&self) -> u64 {
        self.total
    }

    /// Puts `part` on days `from..` of person `e`, keeping counts and cost.
    fn set_window(&mut self, e: usize, from: usize, part: &[Option<usize>]) {
        let stride = self.p.shifts.len() + 1;
        for (i, &new) in part.iter().enumerate() {
            let d = from + i;
            let old = self.roster[e][d];
            if old == new {
                continue;
            }
            let request = |x: Option<usize>| self.requests[e][d * stride + x.map_or(0, |s| s + 1)] as u64;
            self.total = self.total - request(old) + request(new);
            if let Some(s) = old {
                self.total -= self.pen(d, s, self.count[d][s]);
                self.count[d][s] -= 1;
                self.total += self.pen(d, s, self.count[d][s]);
            }
            if let Some(s) = new {
                self.total -= self.pen(d, s, self.count[d][s]);
                self.count[d][s] += 1;
                self.total += self.pen(d, s, self.count[d][s]);
            }
            self.roster[e][d] = new;
        }
    }

    fn set(&mut self, e: usize, row: &[Option<usize>]) {
        self.set_window(e, 0, row);
    }

    fn clear_window(&mut self, e: usize, (from, to): (usize, usize)) {
        self.set_window(e, from, &vec![None; to - from]);
    }

    /// Person `e`'s best days in window `w` given everyone else (e is not
    /// counted), the days outside as in `row`; `known`: `row`'s window keeps
    /// the rules.
    fn best_for(
        &mut self,
        e: usize,
        row: &[Option<usize>],
        (from, to): (usize, usize),
        known: bool,
        pace: Pace,
    ) -> Option<Vec<Option<usize>>> {
        let stride = self.p.shifts.len() + 1;
        self.cost.resize(self.p.days * stride, 0.0);
        for d in from..to {
            self.cost[d * stride] = self.requests[e][d * stride];
            for s in 0..self.p.shifts.len() {
                let c = self.p.cover[d][s];
                let mut n = self.count[d][s];
                if self.roster[e][d] == Some(s) {
                    n -= 1;
                }
                let jitter = if self.noise > 0.0 {
                    (self.noise_rng.next() as f64 / u64::MAX as f64 - 0.5) * self.noise * f64::from(c.under_weight)
                } else {
                    0.0
                };
                self.cost[d * stride + s + 1] = self.requests[e][d * stride + s + 1]
                    + jitter
                    + if n < c.requirement {
                        -f64::from(c.under_weight)
                    } else {
                        f64::from(c.over_weight)
                    };
            }
        }
        self.moves += 1;
        self.models[e]
            .best_window(row, from, to, pace, &self.cost, known, &mut self.ws)
            .map(|(_, s)| s)
    }

    /// Re-optimises each person in turn, window by window, until no one's
    /// change helps.
    fn descend(&mut self, order: &mut [usize], rng: &mut Rng, deadline: Instant) -> u64 {
        let mut current = self.objective();
        let mut spans = self.windows.clone();
        loop {
            shuffle(order, rng);
            let mut improved = false;
            for &e in order.iter() {
                shuffle(&mut spans, rng);
                for &w in &spans {
                    if Instant::now() >= deadline {
                        return current;
                    }
                    let row = self.roster[e].clone();
                    if let Some(part) = self.best_for(e, &row, w, true, Pace::Exact) {
                        self.set_window(e, w.0, &part);
                        let now = self.objective();
                        if now < current {
                            improved = true;
                        }
                        current = now;
                    }
                }
            }
            if !improved {
                return current;
            }
        }
    }
}

impl Search<'_> {
    /// When the search stalls, starts again from the bound's schedules
    /// (repaired by descent); keeps that start unless it is worse than the
    /// best by more than the threshold allows, returning the current cost.
    fn restart_from_hint(
        &mut self,
        shared: &Shared,
        order: &mut [usize],
        rng: &mut Rng,
        deadline: Instant,
        best: &mut (Roster, u64),
        current: u64,
    ) -> u64 {
        let Some((hint, as_is)) = shared
            .hint
            .lock()
            .ok()
            .and_then(|mut h| h.take().map(|r| (r, shared.as_is.load(Ordering::Relaxed))))
        else {
            return current;
        };
        let saved = self.roster.clone();
        for (e, row) in hint.iter().enumerate() {
            self.set(e, row);
        }
        // A window improved on the best is taken as it is: the ruin and
        // rebuild goes on from it (a descent first would cost as much as
        // many of its steps).
        let as_given = self.objective();
        let now = if as_is && as_given < best.1 {
            as_given
        } else {
            self.descend(order, rng, deadline)
        };
        if now < best.1 {
            *best = (self.roster.clone(), now);
            shared.publish(&best.0, now);
            return now;
        }
        if now <= current {
            return now;
        }
        for (e, row) in saved.iter().enumerate() {
            self.set(e, row);
        }
        current
    }

    /// `k` people to ruin: half the time any, otherwise people who could
    /// work a shift whose cover is wrong (short or over), so that the
    /// rebuild can move work onto it.
    fn pick_group(&self, k: usize, (from, to): (usize, usize), rng: &mut Rng) -> Vec<usize> {
        let n = self.p.staff.len();
        let mut group: Vec<usize> = Vec::with_capacity(k);
        if rng.below(2) == 0 {
            let wrong: Vec<(usize, usize)> = (from..to)
                .flat_map(|d| (0..self.p.shifts.len()).map(move |s| (d, s)))
                .filter(|&(d, s)| {
                    self.count[d][s] != self.p.cover[d][s].requirement && self.pen(d, s, self.count[d][s]) > 0
                })
                .collect();
            if !wrong.is_empty() {
                let (d, s) = wrong[rng.below(wrong.len())];
                let mut able: Vec<usize> = (0..n).filter(|&e| self.models[e].may_work_on(d, s)).collect();
                shuffle(&mut able, rng);
                group.extend(able.into_iter().take(k));
            }
        }
        while group.len() < k {
            let e = rng.below(n);
            if !group.contains(&e) {
                group.push(e);
            }
        }
        group
    }
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.below(i + 1));
    }
}

/// Finds a roster keeping every person's rules and costing as little as
/// it can within the time limit. Err when some person has no schedule that
/// keeps their rules (whatever the others do).
pub fn solve(p: &Problem, opt: &Options) -> Result<Solution, ProblemError> {
    p.validate()?;
    let started = Instant::now();
    let deadline = started + opt.time_limit;
    let shared = Shared::new();
    let (result, bound) = std::thread::scope(|scope| {
        // Up to 8 weeks the second thread prices whole-horizon schedules:
        // the relaxation by column generation (bound and dives), or where its
        // linear programs fail the Lagrangian by subgradients. Beyond, it
        // improves the search's best roster a window at a time, no bound.
        let shared = &shared;
        let bound = opt.bound.then(|| {
            scope.spawn(move || {
                if p.days > WHOLE_DAYS {
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        crate::colgen::improve_windows(p, deadline, opt.seed, shared)
                    }));
                    return None;
                }
                // A linear program that panics must not take the roster with it.
                let relaxed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::colgen::bound_and_dive(p, deadline, opt.seed, shared)
                }))
                .unwrap_or((None, false));
                match relaxed {
                    (bound, true) => bound,
                    (bound, false) if Instant::now() < deadline && !shared.stop.load(Ordering::Relaxed) => {
                        crate::bound::lagrangian(p, deadline, shared).max(bound)
                    }
                    (bound, false) => bound,
                }
            })
        });
        let result = search(p, opt, deadline, shared);
        shared.stop.store(true, Ordering::Relaxed);
        (result, bound.map(|h| h.join().expect("the bound's thread")))
    });
    let (roster, objective, moves) = result?;
    let lower_bound = bound.flatten().map(|b| b.min(objective));
    Ok(Solution {
        roster,
        objective,
        lower_bound,
        optimal: lower_bound == Some(objective),
        seconds: started.elapsed().as_secs_f64(),
        moves,
    })
}

fn search(p: &Problem, opt: &Options, deadline: Instant, shared: &Shared) -> Result<(Roster, u64, u64), ProblemError> {
    let (lower, stop) = (&shared.lower, &shared.stop);
    let n = p.staff.len();
    let models: Vec<PersonModel> = (0..n).map(|e| PersonModel::new(p, e)).collect::<Result<_, _>>()?;
    let requests = request_costs(p);
    let stride = p.shifts.len() + 1;
    // Everyone off: each day's cost is its days-off requests and its shortfall.
    let mut total: u64 = requests
        .iter()
        .map(|r| (0..p.days).map(|d| r[d * stride] as u64).sum::<u64>())
        .sum();
    for row in &p.cover {
        for c in row {
            total += u64::from(c.requirement) * u64::from(c.under_weight);
        }
    }
    let mut s = Search {
        p,
        windows: windows(p, &models),
        models,
        requests,
        roster: vec![vec![None; p.days]; n],
        count: vec![vec![0; p.shifts.len()]; p.days],
        total,
        ws: Workspace::default(),
        cost: Vec::new(),
        moves: 0,
        noise: 0.0,
        noise_rng: Rng::new(opt.seed ^ 0x5eed),
    };
    let mut rng = Rng::new(opt.seed);
    let mut order: Vec<usize> = (0..n).collect();
    shuffle(&mut order, &mut rng);
    // Built window by window from the start, each window held to its share
    // of the year's limits where that leaves a schedule.
    let spans = s.windows.clone();
    for (i, &w) in spans.iter().enumerate() {
        for &e in &order {
            let row = s.roster[e].clone();
            let tiers = [Pace::Share, Pace::Slack, Pace::Loose];
            // Planned with the next window in view, so that it ends where
            // the next can go on; only this window is kept.
            let ahead = (w.0, spans.get(i + 1).map_or(w.1, |next| next.1));
            if let Some(part) = tiers
                .into_iter()
                .find_map(|pace| s.best_for(e, &row, ahead, false, pace))
            {
                s.set_window(e, w.0, &part[..w.1 - w.0]);
                continue;
            }
            // Two windows at once may be too large to search: this one alone.
            if let Some(part) = tiers.into_iter().find_map(|pace| s.best_for(e, &row, w, false, pace)) {
                s.set_window(e, w.0, &part);
                continue;
            }
            // The windows before may have ended where this one cannot go on,
            // or spent what it needs: this one with one more before it, then
            // two, back to the start, then the whole horizon at once.
            let mut spans_back: Vec<(usize, usize)> = (0..i).rev().map(|j| (spans[j].0, w.1)).collect();
            if w.1 < p.days {
                spans_back.push((0, p.days));
            }
            let found = spans_back.iter().find_map(|&span| {
                tiers
                    .into_iter()
                    .find_map(|pace| s.best_for(e, &row, span, false, pace))
                    .map(|part| (span, part))
            });
            let Some((span, part)) = found else {
                let who = &p.staff[e].id;
                return Err(if w == (0, p.days) {
                    ProblemError::Invalid(format!("{who}: no schedule keeps all of their rules"))
                } else {
                    ProblemError::Invalid(format!(
                        "{who}: no schedule keeps all of their rules on days 0 to {}",
                        w.1 - 1
                    ))
                });
            };
            s.set_window(e, span.0, &part);
        }
    }
    let mut current = s.descend(&mut order, &mut rng, deadline);
    let mut best = (s.roster.clone(), current);
    shared.publish(&best.0, current);
    let mut since_best = 0u64;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) && lower.load(Ordering::Relaxed) < best.1 {
        // Ruin a few people over a window and rebuild them one by one, each
        // at their best against the rest; keep the result unless it is worse.
        // Groups grow while nothing improves, so that a deep local optimum
        // is eventually ruined as a whole.
        let most = (5 + (since_best / STALL) as usize).min(n.max(2));
        let k = 2 + rng.below(most - 1);
        let w = s.windows[rng.below(s.windows.len())];
        let group = s.pick_group(k.min(n), w, &mut rng);
        let saved: Vec<Vec<Option<usize>>> = group.iter().map(|&e| s.roster[e].clone()).collect();
        for &e in &group {
            s.clear_window(e, w);
        }
        let mut ok = true;
        s.noise = if rng.below(2) == 0 { NOISE } else { 0.0 };
        for (g, &e) in group.iter().enumerate() {
            match s.best_for(e, &saved[g], w, true, Pace::Exact) {
                Some(part) => s.set_window(e, w.0, &part),
                None => {
                    ok = false;
                    break;
                }
            }
        }
        s.noise = 0.0;
        // Each rebuilt person once more against the others rebuilt after them.
        if ok {
            for &e in &group {
                let row = s.roster[e].clone();
                if let Some(part) = s.best_for(e, &row, w, true, Pace::Exact) {
                    s.set_window(e, w.0, &part);
                }
            }
        }
        let now = if ok { s.objective() } else { u64::MAX };
        // Threshold accepting: a little worse is allowed early on, nothing at the end.
        let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64() / opt.time_limit.as_secs_f64();
        let threshold = (best.1 as f64 * THRESHOLD * left) as u64;
        if now <= current.max(best.1 + threshold) {
            current = now;
            if current < best.1 {
                current = s.descend(&mut order, &mut rng, deadline);
                best = (s.roster.clone(), current);
                shared.publish(&best.0, current);
                since_best = 0;
            }
        } else {
            for (g, &e) in group.iter().enumerate() {
                s.set(e, &saved[g]);
            }
        }
        since_best += 1;
        if shared.fresh.swap(false, Ordering::Relaxed) || since_best.is_multiple_of(STALL) {
            current = s.restart_from_hint(shared, &mut order, &mut rng, deadline, &mut best, current);
        }
    }
    Ok((best.0, best.1, s.moves))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::evaluate;
    use crate::problem::{Cover, Request, ShiftType, Staff};
    use proptest::prelude::*;

    fn quick() -> Options {
        Options {
            time_limit: Duration::from_millis(150),
            seed: 7,
            bound: true,
        }
    }

    prop_compose! {
        /// Two or three people, a few days, one or two shift types.
        fn tiny_problem()(days in 2usize..=5, people in 2usize..=3, shift_count in 1usize..=2)
            (days in Just(days), people in Just(people), shift_count in Just(shift_count),
             night_forbids_early in any::<bool>(),
             max_shifts in proptest::collection::vec(1u32..=5, people),
             min_shifts in proptest::collection::vec(0u32..=2, people),
             max_consecutive in proptest::collection::vec(1u32..=4, people),
             requirement in proptest::collection::vec(0u32..=2, days * shift_count),
             under in proptest::collection::vec(1u32..=100, days * shift_count),
             over in proptest::collection::vec(0u32..=5, days * shift_count),
             wishes in proptest::collection::vec((0usize..3, 0usize..5, 0usize..2, 1u32..=10, any::<bool>()), 0..4))
            -> Problem
        {
            let shifts = (0..shift_count)
                .map(|i| ShiftType {
                    id: format!("S{i}"),
                    minutes: 480,
                    forbids_next: if i == 1 && night_forbids_early { vec![0] } else { Vec::new() },
                })
                .collect();
            let staff = (0..people)
                .map(|e| Staff {
                    id: format!("P{e}"),
                    max_shifts: vec![max_shifts[e]; shift_count],
                    max_minutes: 480 * max_shifts[e],
                    min_minutes: 480 * min_shifts[e].min(max_shifts[e]),
                    max_consecutive: max_consecutive[e],
                    min_consecutive: 1,
                    min_days_off: 1,
                    max_weekends: 1,
                    days_off: Vec::new(),
                })
                .collect();
            let mut p = Problem {
                days,
                first_weekday: 3,
                shifts,
                staff,
                on_requests: Vec::new(),
                off_requests: Vec::new(),
                work_requests: Vec::new(),
                cover: (0..days)
                    .map(|d| {
                        (0..shift_count)
                            .map(|s| {
                                let i = d * shift_count + s;
                                Cover { requirement: requirement[i], under_weight: under[i], over_weight: over[i] }
                            })
                            .collect()
                    })
                    .collect(),
            };
            for (e, d, s, weight, on) in wishes {
                if e < people && d < days && s < shift_count {
                    let r = Request { staff: e, day: d, shift: s, weight };
                    if on { p.on_requests.push(r) } else { p.off_requests.push(r) }
                }
            }
            p
        }
    }

    /// The cheapest feasible roster by trying them all (None if none is).
    fn optimum(p: &Problem) -> Option<u64> {
        let choices = p.shifts.len() + 1;
        let cells = p.days * p.staff.len();
        let mut best = None;
        for code in 0..choices.pow(cells as u32) {
            let mut c = code;
            let roster: Roster = (0..p.staff.len())
                .map(|_| {
                    (0..p.days)
                        .map(|_| {
                            let x = c % choices;
                            c /= choices;
                            x.checked_sub(1)
                        })
                        .collect()
                })
                .collect();
            let ev = evaluate(p, &roster);
            if ev.feasible() {
                best = Some(best.map_or(ev.objective, |b: u64| b.min(ev.objective)));
            }
        }
        best
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Whatever the search finds, the checker agrees with its cost, and
        /// the bound never passes the true optimum.
        #[test]
        fn solutions_check_and_bounds_hold(p in tiny_problem()) {
            prop_assume!(p.staff.len() * p.days * p.shifts.len() <= 12);
            let truth = optimum(&p);
            // The bound on its own, unclamped by any roster found.
            let raw = crate::bound::lagrangian(&p, Instant::now() + Duration::from_millis(100), &Shared::new());
            if let (Some(lb), Some(truth)) = (raw, truth) {
                prop_assert!(lb <= truth, "bound {} above the optimum {}", lb, truth);
            }
            let shared = Shared::new();
            let (relaxed, _) = crate::colgen::bound_and_dive(&p, Instant::now() + Duration::from_millis(300), 1, &shared);
            if let (Some(lb), Some(truth)) = (relaxed, truth) {
                prop_assert!(lb <= truth, "relaxation's bound {} above the optimum {}", lb, truth);
            }
            if let (Some(dived), Some(truth)) = (shared.hint.lock().unwrap().take(), truth) {
                let ev = evaluate(&p, &dived);
                prop_assert!(ev.feasible(), "{:?}", ev.violations);
                prop_assert!(ev.objective >= truth);
            }
            match solve(&p, &quick()) {
                Ok(sol) => {
                    let ev = evaluate(&p, &sol.roster);
                    prop_assert!(ev.feasible(), "{:?}", ev.violations);
                    prop_assert_eq!(ev.objective, sol.objective);
                    let truth = truth.expect("a feasible roster exists");
                    prop_assert!(sol.objective >= truth);
                    if let Some(lb) = sol.lower_bound {
                        prop_assert!(lb <= truth, "bound {} above the optimum {}", lb, truth);
                    }
                    if sol.optimal {
                        prop_assert_eq!(sol.objective, truth);
                    }
                }
                Err(_) => prop_assert_eq!(truth, None),
            }
        }
    }

    #[test]
    fn a_person_whose_rules_cannot_be_kept_is_named() {
        let p = Problem {
            days: 3,
            first_weekday: 0,
            shifts: vec![ShiftType {
                id: "D".into(),
                minutes: 480,
                forbids_next: Vec::new(),
            }],
            staff: vec![Staff {
                id: "王警官".into(),
                max_shifts: vec![3],
                max_minutes: 1440,
                min_minutes: 1440,
                max_consecutive: 2,
                min_consecutive: 1,
                min_days_off: 1,
                max_weekends: 1,
                days_off: Vec::new(),
            }],
            on_requests: Vec::new(),
            off_requests: Vec::new(),
            work_requests: Vec::new(),
            cover: vec![vec![Cover::default()]; 3],
        };
        let err = solve(&p, &quick()).unwrap_err();
        assert!(err.to_string().contains("王警官"), "{err}");
    }
}
