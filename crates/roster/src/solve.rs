//! The roster search: every person's schedule is re-optimised exactly
//! against the others' (the cover each shift still lacks or has too much
//! of), and groups of people are ruined and rebuilt to leave local optima.
//! A second thread raises a Lagrangian lower bound (the cover constraints
//! relaxed, each person's best schedule priced by the same exact search),
//! which proves a roster optimal when they meet.

use crate::dp::{PersonModel, Workspace};
use crate::problem::{Problem, ProblemError, Roster};
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
    out
}

/// How much worse than the best a rebuilt roster may be at the start, as a share.
const THRESHOLD: f64 = 0.02;

struct Search<'a> {
    p: &'a Problem,
    models: Vec<PersonModel>,
    requests: Vec<Vec<f64>>,
    roster: Roster,
    /// `count[day][shift]`: people on the shift.
    count: Vec<Vec<u32>>,
    ws: Workspace,
    cost: Vec<f64>,
    moves: u64,
}

impl Search<'_> {
    fn pen(&self, d: usize, s: usize, n: u32) -> u64 {
        let c = self.p.cover[d][s];
        u64::from(c.requirement.saturating_sub(n)) * u64::from(c.under_weight)
            + u64::from(n.saturating_sub(c.requirement)) * u64::from(c.over_weight)
    }

    fn objective(&self) -> u64 {
        let stride = self.p.shifts.len() + 1;
        let mut total = 0u64;
        for (e, row) in self.roster.iter().enumerate() {
            for (d, x) in row.iter().enumerate() {
                total += self.requests[e][d * stride + x.map_or(0, |s| s + 1)] as u64;
            }
        }
        for d in 0..self.p.days {
            for s in 0..self.p.shifts.len() {
                total += self.pen(d, s, self.count[d][s]);
            }
        }
        total
    }

    fn set(&mut self, e: usize, row: Vec<Option<usize>>) {
        for (d, x) in self.roster[e].iter().enumerate() {
            if let Some(s) = *x {
                self.count[d][s] -= 1;
            }
        }
        for (d, x) in row.iter().enumerate() {
            if let Some(s) = *x {
                self.count[d][s] += 1;
            }
        }
        self.roster[e] = row;
    }

    fn remove(&mut self, e: usize) {
        let days = self.p.days;
        self.set(e, vec![None; days]);
    }

    /// Person `e`'s best schedule given everyone else's (e is not counted).
    fn best_for(&mut self, e: usize, known: Option<&[Option<usize>]>) -> Option<Vec<Option<usize>>> {
        let stride = self.p.shifts.len() + 1;
        self.cost.clear();
        self.cost.extend_from_slice(&self.requests[e]);
        for d in 0..self.p.days {
            for s in 0..self.p.shifts.len() {
                let c = self.p.cover[d][s];
                let mut n = self.count[d][s];
                if self.roster[e][d] == Some(s) {
                    n -= 1;
                }
                self.cost[d * stride + s + 1] += if n < c.requirement {
                    -f64::from(c.under_weight)
                } else {
                    f64::from(c.over_weight)
                };
            }
        }
        self.moves += 1;
        self.models[e].best(&self.cost, known, &mut self.ws).map(|(_, s)| s)
    }

    /// Re-optimises each person in turn until no one's change helps.
    fn descend(&mut self, order: &mut [usize], rng: &mut Rng, deadline: Instant) -> u64 {
        let mut current = self.objective();
        loop {
            shuffle(order, rng);
            let mut improved = false;
            for &e in order.iter() {
                if Instant::now() >= deadline {
                    return current;
                }
                let known = self.roster[e].clone();
                if let Some(row) = self.best_for(e, Some(&known)) {
                    self.set(e, row);
                    let now = self.objective();
                    if now < current {
                        improved = true;
                    }
                    current = now;
                }
            }
            if !improved {
                return current;
            }
        }
    }
}

fn shuffle(v: &mut [usize], rng: &mut Rng) {
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
    let upper = AtomicU64::new(u64::MAX);
    let lower = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let (result, bound) = std::thread::scope(|scope| {
        let bound = opt
            .bound
            .then(|| scope.spawn(|| crate::bound::lagrangian(p, deadline, &upper, &lower, &stop)));
        let result = search(p, opt, deadline, &upper, &lower, &stop);
        stop.store(true, Ordering::Relaxed);
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

fn search(
    p: &Problem,
    opt: &Options,
    deadline: Instant,
    upper: &AtomicU64,
    lower: &AtomicU64,
    stop: &AtomicBool,
) -> Result<(Roster, u64, u64), ProblemError> {
    let n = p.staff.len();
    let mut s = Search {
        p,
        models: (0..n).map(|e| PersonModel::new(p, e)).collect::<Result<_, _>>()?,
        requests: request_costs(p),
        roster: vec![vec![None; p.days]; n],
        count: vec![vec![0; p.shifts.len()]; p.days],
        ws: Workspace::default(),
        cost: Vec::new(),
        moves: 0,
    };
    let mut rng = Rng::new(opt.seed);
    let mut order: Vec<usize> = (0..n).collect();
    shuffle(&mut order, &mut rng);
    for &e in &order {
        let row = s
            .best_for(e, None)
            .ok_or_else(|| ProblemError::Invalid(format!("{}: no schedule keeps all of their rules", p.staff[e].id)))?;
        s.set(e, row);
    }
    let mut current = s.descend(&mut order, &mut rng, deadline);
    let mut best = (s.roster.clone(), current);
    upper.fetch_min(current, Ordering::Relaxed);
    let mut since_best = 0u64;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) && lower.load(Ordering::Relaxed) < best.1 {
        // Ruin a few people and rebuild them one by one, each at their best
        // against the rest; keep the result unless it is worse.
        let k = 2 + rng.below(n.clamp(2, 5) - 1);
        let saved = s.roster.clone();
        let mut group: Vec<usize> = Vec::with_capacity(k);
        while group.len() < k.min(n) {
            let e = rng.below(n);
            if !group.contains(&e) {
                group.push(e);
            }
        }
        for &e in &group {
            s.remove(e);
        }
        let mut ok = true;
        for &e in &group {
            match s.best_for(e, Some(&saved[e])) {
                Some(row) => s.set(e, row),
                None => {
                    ok = false;
                    break;
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
                upper.fetch_min(current, Ordering::Relaxed);
                since_best = 0;
            }
        } else {
            for (e, row) in saved.into_iter().enumerate() {
                if s.roster[e] != row {
                    s.set(e, row);
                }
            }
        }
        since_best += 1;
    }
    let _ = since_best;
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
            let never = AtomicU64::new(u64::MAX);
            let raw = crate::bound::lagrangian(&p, Instant::now() + Duration::from_millis(100), &never, &AtomicU64::new(0), &AtomicBool::new(false));
            if let (Some(lb), Some(truth)) = (raw, truth) {
                prop_assert!(lb <= truth, "bound {} above the optimum {}", lb, truth);
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
            cover: vec![vec![Cover::default()]; 3],
        };
        let err = solve(&p, &quick()).unwrap_err();
        assert!(err.to_string().contains("王警官"), "{err}");
    }
}
