//! One person's best schedule against per-day, per-shift costs, with
//! every rule of their contract kept exactly: a shortest path over days
//! whose states carry what the rules need — the last shift's class (for
//! forbidden successions), the current run of shifts or days off, the
//! weekends worked, the counts of shift types whose maximum binds, and the
//! minutes worked (in units of the shifts' greatest common divisor).

use crate::problem::{Problem, ProblemError};
use std::cell::Cell;

/// What a person's schedule is built from, computed once per person.
#[derive(Debug, Clone)]
pub struct PersonModel {
    days: usize,
    shifts: usize,
    /// Class of each shift by what it forbids next (1-based; 0 is a day off).
    class: Vec<usize>,
    /// `can_follow[class][shift]`.
    can_follow: Vec<Vec<bool>>,
    units: Vec<u32>,
    max_units: u32,
    min_units: u32,
    max_consecutive: u32,
    min_consecutive: u32,
    min_days_off: u32,
    /// (shift, most allowed) for the types whose maximum can bind.
    binding: Vec<(usize, u32)>,
    /// `allowed[day]`: the shifts this person may work that day.
    allowed: Vec<Vec<usize>>,
    /// The most units that can still be worked from a day to the end.
    suffix_units: Vec<u32>,
    weekend: Vec<bool>,
    sunday: Vec<bool>,
    /// The full state's sizes: class, run, weekends, counts, units.
    dims: [usize; 5],
    /// The resources tracked in the last call, where the next one starts.
    track: Cell<Track>,
}

/// Which resource constraints a search carries in its state. Those left
/// out are relaxed; a schedule that breaks one is searched again with it
/// added, so the answer stays exact while the usual call stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Track {
    units: bool,
    weekends: bool,
    /// A bit per entry of `binding`.
    counts: u32,
}

#[derive(Debug, Clone, Copy)]
struct Label {
    key: u32,
    cost: f64,
    pred: u32,
    choice: u8,
}

/// Reusable buffers for [`PersonModel::best`].
#[derive(Debug, Default)]
pub struct Workspace {
    layers: Vec<Vec<Label>>,
    slot: Vec<u32>,
    /// `to_go[day * classes * runs + class * runs + run]`: the least cost
    /// from a day to the end keeping the sequence rules only.
    to_go: Vec<f64>,
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The most states one person's search may hold: beyond it the rules
/// (long horizons with many capped shift types, minutes in odd units)
/// are refused rather than searched slowly in gigabytes.
pub const MAX_STATES: u64 = 1 << 24;

impl PersonModel {
    /// Err when the person's rules need more than [`MAX_STATES`] states.
    pub fn new(p: &Problem, person: usize) -> Result<Self, ProblemError> {
        let st = &p.staff[person];
        let s_count = p.shifts.len();
        // Shifts that forbid the same successors behave alike as "yesterday".
        let mut classes: Vec<Vec<usize>> = Vec::new();
        let mut class = vec![0; s_count];
        for (s, t) in p.shifts.iter().enumerate() {
            let mut f = t.forbids_next.clone();
            f.sort_unstable();
            f.dedup();
            class[s] = match classes.iter().position(|c| *c == f) {
                Some(i) => i + 1,
                None => {
                    classes.push(f);
                    classes.len()
                }
            };
        }
        let mut can_follow = vec![vec![true; s_count]; classes.len() + 1];
        for (c, f) in classes.iter().enumerate() {
            for &s in f {
                can_follow[c + 1][s] = false;
            }
        }
        let unit = p.shifts.iter().fold(0, |g, t| gcd(g, t.minutes)).max(1);
        let units: Vec<u32> = p.shifts.iter().map(|t| t.minutes / unit).collect();
        let mut allowed = vec![Vec::new(); p.days];
        for (d, a) in allowed.iter_mut().enumerate() {
            if !st.days_off.contains(&d) {
                *a = (0..s_count).filter(|&s| st.max_shifts[s] > 0).collect();
            }
        }
        let binding: Vec<(usize, u32)> = (0..s_count)
            .filter(|&s| {
                st.max_shifts[s] > 0 && (st.max_shifts[s] as usize) < allowed.iter().filter(|a| a.contains(&s)).count()
            })
            .map(|s| (s, st.max_shifts[s]))
            .collect();
        let max_units = st.max_minutes / unit;
        let min_units = st.min_minutes.div_ceil(unit);
        let mut suffix_units = vec![0u32; p.days + 1];
        for d in (0..p.days).rev() {
            let best = allowed[d].iter().map(|&s| units[s]).max().unwrap_or(0);
            suffix_units[d] = suffix_units[d + 1] + best;
        }
        let weekend: Vec<bool> = (0..p.days).map(|d| p.is_weekend(d)).collect();
        let sunday: Vec<bool> = (0..p.days).map(|d| (p.first_weekday + d) % 7 == 6).collect();
        let weekends_in_horizon = (0..p.days).filter(|&d| weekend[d] && !(sunday[d] && d > 0)).count() as u32;
        // Runs never outgrow the horizon, whatever a contract says.
        let max_consecutive = st.max_consecutive.min(p.days as u32);
        let min_days_off = st.min_days_off.clamp(1, p.days as u32);
        let run_cap = max_consecutive.max(min_days_off) as usize;
        let counts: usize = binding
            .iter()
            .map(|&(_, m)| m as usize + 1)
            .fold(1usize, |a, b| a.saturating_mul(b));
        let dims = [
            classes.len() + 1,
            run_cap + 1,
            st.max_weekends.min(weekends_in_horizon) as usize + 1,
            counts,
            max_units as usize + 1,
        ];
        let states = dims
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
            .unwrap_or(u64::MAX);
        let to_go = (dims[0] * dims[1] * dims[4]) as u64 * (p.days as u64 + 1);
        if states.max(to_go) > MAX_STATES {
            return Err(ProblemError::Invalid(format!(
                "{}: the rules need {states} states to search, at most {MAX_STATES}",
                st.id
            )));
        }
        Ok(PersonModel {
            days: p.days,
            shifts: s_count,
            class,
            can_follow,
            units,
            max_units,
            min_units,
            max_consecutive,
            min_consecutive: st.min_consecutive,
            min_days_off,
            binding,
            allowed,
            suffix_units,
            weekend,
            sunday,
            dims,
            // Minutes are always tracked: the bound on what is left uses them.
            track: Cell::new(Track {
                units: true,
                weekends: false,
                counts: 0,
            }),
        })
    }

    fn dims_for(&self, t: Track) -> [usize; 5] {
        let [cls, run, wk, _, units] = self.dims;
        let counts = self
            .binding
            .iter()
            .enumerate()
            .filter(|(i, _)| t.counts & (1 << i) != 0)
            .map(|(_, &(_, m))| m as usize + 1)
            .product();
        [
            cls,
            run,
            if t.weekends { wk } else { 1 },
            counts,
            if t.units { units } else { 1 },
        ]
    }

    /// The first resource `schedule` overuses that `t` does not track.
    fn missing(&self, t: Track, schedule: &[Option<usize>]) -> Option<Track> {
        let mut units = 0;
        let mut weekends = 0;
        let mut per_shift = vec![0u32; self.shifts];
        for (d, x) in schedule.iter().enumerate() {
            if let Some(s) = *x {
                units += self.units[s];
                per_shift[s] += 1;
                let new_weekend = self.weekend[d] && !(self.sunday[d] && d > 0 && schedule[d - 1].is_some());
                weekends += u32::from(new_weekend);
            }
        }
        if !t.units && (units > self.max_units || units < self.min_units) {
            return Some(Track { units: true, ..t });
        }
        if !t.weekends && weekends as usize >= self.dims[2] {
            return Some(Track { weekends: true, ..t });
        }
        for (i, &(s, max)) in self.binding.iter().enumerate() {
            if t.counts & (1 << i) == 0 && per_shift[s] > max {
                return Some(Track {
                    counts: t.counts | (1 << i),
                    ..t
                });
            }
        }
        None
    }

    fn key(dims: &[usize; 5], cls: usize, run: usize, wk: usize, cnt: usize, units: usize) -> u32 {
        let [_, r, w, c, u] = *dims;
        ((((cls * r + run) * w + wk) * c + cnt) * u + units) as u32
    }

    fn decode(dims: &[usize; 5], key: u32) -> (usize, usize, usize, usize, usize) {
        let [_, r, w, c, u] = *dims;
        let mut k = key as usize;
        let units = k % u;
        k /= u;
        let cnt = k % c;
        k /= c;
        let wk = k % w;
        k /= w;
        (k / r, k % r, wk, cnt, units)
    }

    /// The count index after one more shift `s`, or None past its maximum.
    fn count_after(&self, t: Track, cnt: usize, s: usize) -> Option<usize> {
        let mut stride = 1;
        for (i, &(b, max)) in self.binding.iter().enumerate() {
            if t.counts & (1 << i) == 0 {
                continue;
            }
            let radix = max as usize + 1;
            if b == s {
                let here = (cnt / stride) % radix;
                return (here < max as usize).then_some(cnt + stride);
            }
            stride *= radix;
        }
        Some(cnt)
    }

    /// The cheapest schedule under `cost[day * (shifts + 1) + choice]`
    /// (choice 0 a day off, `s + 1` shift `s`), keeping every rule; None
    /// if no schedule keeps them all.
    ///
    /// `known`, a schedule that keeps the rules (the person's current one),
    /// lets the search drop every partial schedule that cannot beat it.
    pub fn best(
        &self,
        cost: &[f64],
        known: Option<&[Option<usize>]>,
        ws: &mut Workspace,
    ) -> Option<(f64, Vec<Option<usize>>)> {
        let stride = self.shifts + 1;
        let upper = known.map_or(f64::INFINITY, |k| {
            k.iter()
                .enumerate()
                .map(|(d, x)| cost[d * stride + x.map_or(0, |s| s + 1)])
                .sum::<f64>()
        });
        self.fill_to_go(cost, ws);
        let mut t = self.track.get();
        loop {
            let found = self.best_tracking(t, cost, upper, ws)?;
            match self.missing(t, &found.1) {
                None => {
                    self.track.set(t);
                    return Some(found);
                }
                Some(more) => t = more,
            }
        }
    }

    /// Whether a day off may follow (class, run) on day `d`: a run of
    /// shifts may end only once long enough, unless it began the horizon.
    fn off_ok(&self, d: usize, cls: usize, run: usize) -> bool {
        cls == 0 || run as u32 >= self.min_consecutive || run == d
    }

    fn may_work(&self, cls: usize, run: usize) -> bool {
        if cls == 0 {
            run as u32 >= self.min_days_off
        } else {
            (run as u32) < self.max_consecutive
        }
    }

    /// The backward pass of the sequence rules and the minutes alone: a
    /// lower bound on what any schedule still costs from each day and state.
    fn fill_to_go(&self, cost: &[f64], ws: &mut Workspace) {
        let [classes, runs, _, _, units] = self.dims;
        let per_day = classes * runs * units;
        let stride = self.shifts + 1;
        ws.to_go.clear();
        ws.to_go.resize((self.days + 1) * per_day, f64::INFINITY);
        for u in self.min_units as usize..units {
            for c in 0..classes * runs {
                ws.to_go[self.days * per_day + c * units + u] = 0.0;
            }
        }
        for d in (0..self.days).rev() {
            let (here, later) = ws.to_go.split_at_mut((d + 1) * per_day);
            let here = &mut here[d * per_day..];
            let later = &later[..per_day];
            let row = &cost[d * stride..(d + 1) * stride];
            for cls in 0..classes {
                for run in 0..runs {
                    let off = self.off_ok(d, cls, run);
                    let work = self.may_work(cls, run);
                    let off_run = if cls == 0 {
                        (run + 1).min(self.min_days_off as usize)
                    } else {
                        1
                    };
                    let work_run = if cls == 0 { 1 } else { run + 1 };
                    for u in 0..units {
                        let mut best = f64::INFINITY;
                        if off {
                            best = row[0] + later[off_run * units + u];
                        }
                        if work {
                            for &s in &self.allowed[d] {
                                let nu = u + self.units[s] as usize;
                                if nu < units && self.can_follow[cls][s] {
                                    best = best.min(row[s + 1] + later[(self.class[s] * runs + work_run) * units + nu]);
                                }
                            }
                        }
                        here[(cls * runs + run) * units + u] = best;
                    }
                }
            }
        }
    }

    fn best_tracking(
        &self,
        t: Track,
        cost: &[f64],
        upper: f64,
        ws: &mut Workspace,
    ) -> Option<(f64, Vec<Option<usize>>)> {
        let dims = self.dims_for(t);
        let stride = self.shifts + 1;
        let size: usize = dims.iter().product();
        if ws.slot.len() < size {
            ws.slot = vec![u32::MAX; size];
        }
        ws.layers.resize_with(self.days + 1, Vec::new);
        for l in ws.layers.iter_mut() {
            l.clear();
        }
        let start_run = self.min_days_off as usize;
        ws.layers[0].push(Label {
            key: Self::key(&dims, 0, start_run, 0, 0, 0),
            cost: 0.0,
            pred: u32::MAX,
            choice: 0,
        });
        for d in 0..self.days {
            let (done, rest) = ws.layers.split_at_mut(d + 1);
            let cur = &done[d];
            let next = &mut rest[0];
            let slot = &mut ws.slot;
            let row = &cost[d * stride..(d + 1) * stride];
            let reach = self.suffix_units[d + 1];
            let [_, runs, _, _, units] = self.dims;
            let per_day = self.dims[0] * runs * units;
            let to_go = &ws.to_go[(d + 1) * per_day..(d + 2) * per_day];
            let limit = upper + 1e-9;
            let mut push = |key: u32, c: f64, pred: usize, choice: usize, next: &mut Vec<Label>| {
                let (cls, run, _, _, u) = Self::decode(&dims, key);
                if c + to_go[(cls * runs + run) * units + u] > limit {
                    return;
                }
                let i = slot[key as usize];
                if i == u32::MAX {
                    slot[key as usize] = next.len() as u32;
                    next.push(Label {
                        key,
                        cost: c,
                        pred: pred as u32,
                        choice: choice as u8,
                    });
                } else if c < next[i as usize].cost {
                    next[i as usize] = Label {
                        key,
                        cost: c,
                        pred: pred as u32,
                        choice: choice as u8,
                    };
                }
            };
            for (li, lab) in cur.iter().enumerate() {
                let (cls, run, wk, cnt, units) = Self::decode(&dims, lab.key);
                if self.off_ok(d, cls, run) && (!t.units || units as u32 + reach >= self.min_units) {
                    let nrun = if cls == 0 {
                        (run + 1).min(self.min_days_off as usize)
                    } else {
                        1
                    };
                    push(
                        Self::key(&dims, 0, nrun, wk, cnt, units),
                        lab.cost + row[0],
                        li,
                        0,
                        next,
                    );
                }
                if !self.may_work(cls, run) {
                    continue;
                }
                let new_weekend = self.weekend[d] && !(self.sunday[d] && d > 0 && cls != 0);
                let nwk = if t.weekends { wk + usize::from(new_weekend) } else { 0 };
                if nwk >= dims[2] {
                    continue;
                }
                let nrun = if cls == 0 { 1 } else { run + 1 };
                for &s in &self.allowed[d] {
                    if !self.can_follow[cls][s] {
                        continue;
                    }
                    let nu = if t.units { units as u32 + self.units[s] } else { 0 };
                    if t.units && (nu > self.max_units || nu + reach < self.min_units) {
                        continue;
                    }
                    let Some(ncnt) = self.count_after(t, cnt, s) else {
                        continue;
                    };
                    push(
                        Self::key(&dims, self.class[s], nrun, nwk, ncnt, nu as usize),
                        lab.cost + row[s + 1],
                        li,
                        s + 1,
                        next,
                    );
                }
            }
            for l in next.iter() {
                ws.slot[l.key as usize] = u32::MAX;
            }
        }
        let last = &ws.layers[self.days];
        let (mut at, best) = last
            .iter()
            .enumerate()
            .filter(|(_, l)| !t.units || Self::decode(&dims, l.key).4 as u32 >= self.min_units)
            .min_by(|a, b| a.1.cost.total_cmp(&b.1.cost))
            .map(|(i, l)| (i, l.cost))?;
        let mut schedule = vec![None; self.days];
        for d in (0..self.days).rev() {
            let l = ws.layers[d + 1][at];
            schedule[d] = (l.choice > 0).then(|| l.choice as usize - 1);
            at = l.pred as usize;
        }
        Some((best, schedule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::evaluate;
    use crate::problem::{Cover, ShiftType, Staff};
    use proptest::prelude::*;

    /// One person, no cover: what `evaluate` says of a schedule is then
    /// only that person's rules.
    fn one_person(days: usize, first_weekday: usize, shifts: Vec<ShiftType>, person: Staff) -> Problem {
        let s = shifts.len();
        Problem {
            days,
            first_weekday,
            shifts,
            staff: vec![person],
            on_requests: Vec::new(),
            off_requests: Vec::new(),
            cover: vec![vec![Cover::default(); s]; days],
        }
    }

    /// Every schedule, the cheapest that keeps the rules (by the checker).
    fn brute_force(p: &Problem, cost: &[f64]) -> Option<f64> {
        let choices = p.shifts.len() + 1;
        let total = choices.pow(p.days as u32);
        let mut best: Option<f64> = None;
        for code in 0..total {
            let mut c = code;
            let row: Vec<Option<usize>> = (0..p.days)
                .map(|_| {
                    let x = c % choices;
                    c /= choices;
                    x.checked_sub(1)
                })
                .collect();
            if !evaluate(p, &vec![row.clone()]).feasible() {
                continue;
            }
            let v: f64 = row
                .iter()
                .enumerate()
                .map(|(d, x)| cost[d * choices + x.map_or(0, |s| s + 1)])
                .sum();
            best = Some(best.map_or(v, |b: f64| b.min(v)));
        }
        best
    }

    prop_compose! {
        fn small_problem()(days in 1usize..=7, shift_count in 1usize..=2, first_weekday in 0usize..7)
            (days in Just(days), first_weekday in Just(first_weekday),
             minutes in proptest::collection::vec(prop_oneof![Just(240u32), Just(480), Just(720)], shift_count),
             forbids in proptest::collection::vec(proptest::collection::vec(any::<bool>(), shift_count), shift_count),
             max_shifts in proptest::collection::vec(0u32..=7, shift_count),
             max_minutes in 0u32..=4000, min_minutes in 0u32..=2400,
             max_consecutive in 1u32..=8, min_consecutive in 1u32..=3, min_days_off in 1u32..=3,
             max_weekends in 0u32..=2, off in proptest::collection::vec(any::<bool>(), days),
             cost in proptest::collection::vec(-5i32..=5, days * (shift_count + 1)))
            -> (Problem, Vec<f64>)
        {
            let shifts = minutes
                .iter()
                .zip(&forbids)
                .enumerate()
                .map(|(i, (&m, f))| ShiftType {
                    id: format!("S{i}"),
                    minutes: m,
                    forbids_next: (0..f.len()).filter(|&j| f[j]).collect(),
                })
                .collect();
            let person = Staff {
                id: "A".into(),
                max_shifts,
                max_minutes,
                min_minutes: min_minutes.min(max_minutes),
                max_consecutive,
                min_consecutive,
                min_days_off,
                max_weekends,
                days_off: (0..days).filter(|&d| off[d]).collect(),
            };
            (one_person(days, first_weekday, shifts, person), cost.into_iter().map(f64::from).collect())
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The search keeps every rule the checker knows and finds the
        /// cheapest schedule that keeps them, with or without a known one.
        #[test]
        fn best_is_the_cheapest_schedule_keeping_every_rule((p, cost) in small_problem()) {
            let model = PersonModel::new(&p, 0).unwrap();
            let mut ws = Workspace::default();
            let expected = brute_force(&p, &cost);
            let found = model.best(&cost, None, &mut ws);
            prop_assert_eq!(found.as_ref().map(|f| f.0), expected);
            if let Some((value, schedule)) = found {
                let ev = evaluate(&p, &vec![schedule.clone()]);
                prop_assert!(ev.feasible(), "{:?}", ev.violations);
                let choices = p.shifts.len() + 1;
                let again: f64 = schedule.iter().enumerate().map(|(d, x)| cost[d * choices + x.map_or(0, |s| s + 1)]).sum();
                prop_assert_eq!(again, value);
                // Knowing a schedule that keeps the rules prunes, never misleads.
                let pruned = model.best(&cost, Some(&schedule), &mut ws).map(|f| f.0);
                prop_assert_eq!(pruned, Some(value));
            }
        }
    }

    #[test]
    fn rules_too_large_to_search_are_refused() {
        let shifts: Vec<ShiftType> = (0..8)
            .map(|i| ShiftType {
                id: format!("S{i}"),
                minutes: 481 + i,
                forbids_next: Vec::new(),
            })
            .collect();
        let person = Staff {
            id: "A".into(),
            max_shifts: vec![100; 8],
            max_minutes: 300_000,
            min_minutes: 0,
            max_consecutive: 7,
            min_consecutive: 1,
            min_days_off: 1,
            max_weekends: 52,
            days_off: Vec::new(),
        };
        let p = one_person(366, 0, shifts, person);
        let err = PersonModel::new(&p, 0).unwrap_err();
        assert!(err.to_string().contains("states"), "{err}");
    }
}
