//! One person's best schedule against per-day, per-shift costs, with
//! every rule of their contract kept exactly: a shortest path over days
//! whose states carry what the rules need — the last shift's class (for
//! forbidden successions), the current run of shifts or days off, the
//! weekends worked, the counts of shift types whose maximum binds, and the
//! minutes worked (in units of the shifts' greatest common divisor).
//!
//! The path may cover a window of days with the rest of the schedule
//! fixed: the window starts from the state the days before leave, must end
//! in a state the days after accept, and may use only what the days outside
//! leave of each limit. Long horizons are searched a window at a time.

use crate::problem::{Problem, ProblemError};
use std::cell::Cell;

/// The most states one search may hold (a window's states, or the
/// backward bound's): beyond it the search declines, and the caller
/// searches a shorter window.
pub const MAX_STATES: u64 = 1 << 23;

/// The most partial schedules one search keeps (all days together).
pub const MAX_LABELS: usize = 1 << 22;

/// What a person's schedules are built from, computed once per person.
#[derive(Debug, Clone)]
pub struct PersonModel {
    days: usize,
    shifts: usize,
    /// Class of each shift by what it forbids next (1-based; 0 is a day off).
    class: Vec<usize>,
    classes: usize,
    /// `can_follow[class][shift]`.
    can_follow: Vec<Vec<bool>>,
    units: Vec<u32>,
    max_units: u32,
    min_units: u32,
    max_consecutive: u32,
    min_consecutive: u32,
    min_days_off: u32,
    max_shifts: Vec<u32>,
    max_weekends: u32,
    /// `allowed[day]`: the shifts this person may work that day.
    allowed: Vec<Vec<usize>>,
    weekend: Vec<bool>,
    sunday: Vec<bool>,
    /// The weekend (Saturday–Sunday pair) each day belongs to.
    weekend_index: Vec<usize>,
    runs: usize,
    /// The resources tracked in the last search, where the next one starts.
    track: Cell<Track>,
}

/// Which capped resources a search carries in its state (minutes always
/// are). Those left out are relaxed; a schedule that breaks one is searched
/// again with it added, so the answer stays exact while the usual search
/// stays small.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Track {
    weekends: bool,
    /// A bit per shift type.
    counts: u64,
}

/// How a window built before the days after it are planned is held to
/// the horizon's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// The days after are as given: every limit exactly.
    Exact,
    /// At most the window's share of each limit, at least its share of the minutes.
    Share,
    /// As `Share`, but a week's worth of minutes short of the share allowed.
    Slack,
    /// At most the window's share of each limit; the minutes only as far
    /// as the days after could not make them up.
    Loose,
}

/// A window's surroundings: where it starts, how it may end, what is left
/// of each limit.
#[derive(Debug, Clone)]
struct Frame {
    from: usize,
    to: usize,
    start: (usize, usize),
    /// `end_ok[class * runs + run]`: the state may meet the days after.
    end_ok: Vec<bool>,
    min_units: u32,
    max_units: u32,
    /// Shifts of each type the window may still hold.
    count_cap: Vec<u32>,
    weekend_cap: u32,
    /// Weekends already worked outside the window cost nothing more.
    weekend_free: Vec<bool>,
}

#[derive(Debug, Clone, Copy)]
struct Label {
    key: u64,
    cost: f64,
    pred: u32,
    choice: u8,
}

/// Reusable buffers for the searches.
#[derive(Debug, Default)]
pub struct Workspace {
    layers: Vec<Vec<Label>>,
    slot: Vec<u32>,
    /// `to_go[(day - from) * classes * runs * units + …]`: the least cost
    /// from a day to the window's end keeping the sequence rules and the
    /// minutes only.
    to_go: Vec<f64>,
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl PersonModel {
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
        let mut off_day = vec![false; p.days];
        for &d in &st.days_off {
            off_day[d] = true;
        }
        let allowed: Vec<Vec<usize>> = (0..p.days)
            .map(|d| {
                if off_day[d] {
                    Vec::new()
                } else {
                    (0..s_count).filter(|&s| st.max_shifts[s] > 0).collect()
                }
            })
            .collect();
        // Runs never outgrow the horizon, whatever a contract says.
        let max_consecutive = st.max_consecutive.min(p.days as u32);
        let min_days_off = st.min_days_off.clamp(1, p.days as u32);
        Ok(PersonModel {
            days: p.days,
            shifts: s_count,
            class,
            classes: classes.len() + 1,
            can_follow,
            units,
            max_units: st.max_minutes / unit,
            min_units: st.min_minutes.div_ceil(unit),
            max_consecutive,
            min_consecutive: st.min_consecutive,
            min_days_off,
            max_shifts: st.max_shifts.clone(),
            max_weekends: st.max_weekends,
            allowed,
            weekend: (0..p.days).map(|d| p.is_weekend(d)).collect(),
            sunday: (0..p.days).map(|d| (p.first_weekday + d) % 7 == 6).collect(),
            weekend_index: (0..p.days).map(|d| (p.first_weekday + d) / 7).collect(),
            runs: max_consecutive.max(min_days_off) as usize + 1,
            track: Cell::new(Track::default()),
        })
    }

    /// Whether a search of days `[from, to)` stays within [`MAX_STATES`]
    /// before any capped count is tracked.
    pub fn fits(&self, from: usize, to: usize) -> bool {
        let window_units: u64 = (from..to)
            .map(|d| {
                self.allowed[d]
                    .iter()
                    .map(|&s| u64::from(self.units[s]))
                    .max()
                    .unwrap_or(0)
            })
            .sum();
        let units = window_units.min(u64::from(self.max_units)) + 1;
        (self.classes * self.runs) as u64 * units * (to - from + 1) as u64 <= MAX_STATES
    }

    /// Whether the person may work shift `s` on day `d` at all.
    pub fn may_work_on(&self, d: usize, s: usize) -> bool {
        self.allowed[d].contains(&s)
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

    /// The surroundings of `[from, to)` in `row` (the days inside ignored);
    /// `pace` (see [`Pace`]) keeps a roster built from the start from
    /// spending a year's hours in its first month. None when the days
    /// outside leave no room.
    fn frame(&self, row: &[Option<usize>], from: usize, to: usize, pace: Pace) -> Option<Frame> {
        let outside = |d: usize| d < from || d >= to;
        let mut units_out = 0u32;
        let mut counts_out = vec![0u32; self.shifts];
        let mut worked_weekends = std::collections::BTreeSet::new();
        for (d, x) in row.iter().enumerate().filter(|(d, _)| outside(*d)) {
            if let Some(s) = *x {
                units_out += self.units[s];
                counts_out[s] += 1;
                if self.weekend[d] {
                    worked_weekends.insert(self.weekend_index[d]);
                }
            }
        }
        let weekends_out = worked_weekends.len() as u32;
        // When building from the start the days after the window are not
        // yet planned: the window is held to its share of each limit.
        let share = |limit: u32, used: u32, floor: bool| -> u32 {
            let part = f64::from(limit) * to as f64 / self.days as f64;
            let part = if floor { part.floor() } else { part.ceil() } as u32;
            part.saturating_sub(used)
        };
        let day_units = |d: usize| self.allowed[d].iter().map(|&s| self.units[s]).max().unwrap_or(0);
        let units_before: u32 = row[..from].iter().flatten().map(|&s| self.units[s]).sum();
        let mut max_units = self.max_units.checked_sub(units_out)?;
        let mut min_units = self.min_units.saturating_sub(units_out);
        let mut count_cap: Vec<u32> = (0..self.shifts)
            .map(|s| self.max_shifts[s].checked_sub(counts_out[s]))
            .collect::<Option<_>>()?;
        let mut weekend_cap = self.max_weekends.checked_sub(weekends_out)?;
        if pace != Pace::Exact && to < self.days {
            {
                max_units = max_units.min(share(self.max_units, units_before, true));
                for (s, cap) in count_cap.iter_mut().enumerate() {
                    let used = row[..from].iter().filter(|x| **x == Some(s)).count() as u32;
                    *cap = (*cap).min(share(self.max_shifts[s], used, true));
                }
                let used = row[..from]
                    .iter()
                    .enumerate()
                    .filter(|(d, x)| x.is_some() && self.weekend[*d])
                    .map(|(d, _)| self.weekend_index[d])
                    .collect::<std::collections::BTreeSet<_>>()
                    .len() as u32;
                weekend_cap = weekend_cap.min(share(self.max_weekends, used, true));
            }
            min_units = match pace {
                Pace::Share => share(self.min_units, units_before, false),
                Pace::Slack => {
                    let week: u32 = (from..to.min(from + 7)).map(day_units).sum();
                    share(self.min_units, units_before, false).saturating_sub(week)
                }
                _ => min_units.saturating_sub((to..self.days).map(day_units).sum()),
            }
            .min(max_units);
        }
        let window_units: u32 = (from..to)
            .map(|d| self.allowed[d].iter().map(|&s| self.units[s]).max().unwrap_or(0))
            .sum();
        max_units = max_units.min(window_units);
        if min_units > max_units {
            return None;
        }
        let start = if from == 0 {
            (0, self.min_days_off as usize)
        } else {
            let back = |work: bool| row[..from].iter().rev().take_while(|x| x.is_some() == work).count();
            match row[from - 1] {
                Some(s) => (self.class[s], back(true).min(self.runs - 1)),
                None => {
                    let len = back(false);
                    // Days off since the horizon began are exempt from the minimum.
                    let len = if len == from { self.min_days_off as usize } else { len };
                    (0, len.min(self.min_days_off as usize))
                }
            }
        };
        let end_ok = self.end_states(row, to);
        let weekend_free = (0..self.days)
            .map(|d| self.weekend[d] && worked_weekends.contains(&self.weekend_index[d]))
            .collect();
        Some(Frame {
            from,
            to,
            start,
            end_ok,
            min_units,
            max_units,
            count_cap,
            weekend_cap,
            weekend_free,
        })
    }

    /// Which states on day `to` the fixed days from `to` on accept.
    fn end_states(&self, row: &[Option<usize>], to: usize) -> Vec<bool> {
        let runs = self.runs;
        let mut ok = vec![true; self.classes * runs];
        if to >= self.days {
            return ok;
        }
        let next = row[to];
        let len = row[to..].iter().take_while(|x| x.is_some() == next.is_some()).count();
        let reaches_end = to + len == self.days;
        for cls in 0..self.classes {
            for run in 0..runs {
                let fine = match (cls, next) {
                    (0, Some(_)) => {
                        run as u32 >= self.min_days_off && (len as u32 >= self.min_consecutive || reaches_end)
                    }
                    (_, Some(s)) => {
                        let merged = (run + len) as u32;
                        self.can_follow[cls][s]
                            && merged <= self.max_consecutive
                            && (merged >= self.min_consecutive || reaches_end || run == to)
                    }
                    (0, None) => (run + len) as u32 >= self.min_days_off || reaches_end,
                    (_, None) => {
                        (run as u32 >= self.min_consecutive || run == to)
                            && (len as u32 >= self.min_days_off || reaches_end)
                    }
                };
                ok[cls * runs + run] = fine;
            }
        }
        ok
    }

    /// The cheapest schedule over the whole horizon under
    /// `cost[day * (shifts + 1) + choice]` (choice 0 a day off, `s + 1`
    /// shift `s`), keeping every rule; None if no schedule keeps them all
    /// (or the search would outgrow [`MAX_STATES`]).
    ///
    /// `known`, a schedule that keeps the rules (the person's current one),
    /// lets the search drop every partial schedule that cannot beat it.
    pub fn best(
        &self,
        cost: &[f64],
        known: Option<&[Option<usize>]>,
        ws: &mut Workspace,
    ) -> Option<(f64, Vec<Option<usize>>)> {
        let empty = vec![None; self.days];
        self.best_window(
            known.unwrap_or(&empty),
            0,
            self.days,
            Pace::Exact,
            cost,
            known.is_some(),
            ws,
        )
    }

    /// The cheapest way to fill days `[from, to)` of `row`, the other days
    /// kept, under `cost` (indexed by absolute day); the window's days
    /// returned. `row_known` says `row`'s window keeps the rules (so its cost
    /// bounds the search); `pace` as in the frame.
    #[allow(clippy::too_many_arguments)]
    pub fn best_window(
        &self,
        row: &[Option<usize>],
        from: usize,
        to: usize,
        pace: Pace,
        cost: &[f64],
        row_known: bool,
        ws: &mut Workspace,
    ) -> Option<(f64, Vec<Option<usize>>)> {
        let frame = self.frame(row, from, to, pace)?;
        let stride = self.shifts + 1;
        let upper = if row_known {
            (from..to)
                .map(|d| cost[d * stride + row[d].map_or(0, |s| s + 1)])
                .sum::<f64>()
        } else {
            f64::INFINITY
        };
        if !self.fill_to_go(&frame, cost, ws) {
            return None;
        }
        let mut t = self.track.get();
        loop {
            let found = self.search(&frame, t, cost, upper, ws)?;
            match self.missing(&frame, t, &found.1) {
                None => {
                    self.track.set(t);
                    return Some(found);
                }
                Some(more) => t = more,
            }
        }
    }

    /// The first capped resource `window` (days from `frame.from`)
    /// overuses that `t` does not track.
    fn missing(&self, frame: &Frame, t: Track, window: &[Option<usize>]) -> Option<Track> {
        let mut weekends = 0;
        let mut per_shift = vec![0u32; self.shifts];
        for (i, x) in window.iter().enumerate() {
            if let Some(s) = *x {
                per_shift[s] += 1;
                let d = frame.from + i;
                weekends += u32::from(self.new_weekend(frame, d, i > 0 && window[i - 1].is_some()));
            }
        }
        if !t.weekends && weekends > frame.weekend_cap {
            return Some(Track { weekends: true, ..t });
        }
        (0..self.shifts)
            .find(|&s| t.counts & (1 << s) == 0 && per_shift[s] > frame.count_cap[s])
            .map(|s| Track {
                counts: t.counts | (1 << s),
                ..t
            })
    }

    /// Whether working day `d` starts a weekend not yet counted.
    fn new_weekend(&self, frame: &Frame, d: usize, worked_yesterday_in_window: bool) -> bool {
        self.weekend[d] && !frame.weekend_free[d] && !(self.sunday[d] && d > frame.from && worked_yesterday_in_window)
    }

    /// The backward pass of the sequence rules and the minutes alone over
    /// the window. False when it would outgrow [`MAX_STATES`].
    fn fill_to_go(&self, frame: &Frame, cost: &[f64], ws: &mut Workspace) -> bool {
        let (classes, runs, units) = (self.classes, self.runs, frame.max_units as usize + 1);
        let per_day = classes * runs * units;
        let len = frame.to - frame.from;
        if (per_day as u64).saturating_mul(len as u64 + 1) > MAX_STATES {
            return false;
        }
        let stride = self.shifts + 1;
        ws.to_go.clear();
        ws.to_go.resize((len + 1) * per_day, f64::INFINITY);
        for c in 0..classes * runs {
            if frame.end_ok[c] {
                for u in frame.min_units as usize..units {
                    ws.to_go[len * per_day + c * units + u] = 0.0;
                }
            }
        }
        for i in (0..len).rev() {
            let d = frame.from + i;
            let (here, later) = ws.to_go.split_at_mut((i + 1) * per_day);
            let here = &mut here[i * per_day..];
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
        true
    }

    /// The forward search with resources `t` tracked: states are
    /// (class, run, weekends, counts, units), keys mixed-radix.
    fn search(
        &self,
        frame: &Frame,
        t: Track,
        cost: &[f64],
        upper: f64,
        ws: &mut Workspace,
    ) -> Option<(f64, Vec<Option<usize>>)> {
        let tracked: Vec<usize> = (0..self.shifts).filter(|&s| t.counts & (1 << s) != 0).collect();
        let wk_radix = if t.weekends { frame.weekend_cap as u64 + 1 } else { 1 };
        let count_radix: Vec<u64> = tracked.iter().map(|&s| u64::from(frame.count_cap[s]) + 1).collect();
        let units = frame.max_units as u64 + 1;
        let (classes, runs) = (self.classes as u64, self.runs as u64);
        let size = count_radix
            .iter()
            .try_fold(classes * runs * wk_radix * units, |acc, &r| acc.checked_mul(r))
            .filter(|&s| s <= MAX_STATES)?;
        // Key: ((((cls·runs + run)·wk + weekends)·counts…)·units + u).
        let counts_size: u64 = count_radix.iter().product();
        let encode = |cls: usize, run: usize, wk: u64, cnt: u64, u: u64| -> u64 {
            (((cls as u64 * runs + run as u64) * wk_radix + wk) * counts_size + cnt) * units + u
        };
        let decode = |key: u64| -> (usize, usize, u64, u64, u64) {
            let u = key % units;
            let k = key / units;
            let cnt = k % counts_size;
            let k = k / counts_size;
            let wk = k % wk_radix;
            let k = k / wk_radix;
            ((k / runs) as usize, (k % runs) as usize, wk, cnt, u)
        };
        let count_after = |cnt: u64, s: usize| -> Option<u64> {
            let mut stride = 1;
            for (i, &ts) in tracked.iter().enumerate() {
                let radix = count_radix[i];
                if ts == s {
                    let here = (cnt / stride) % radix;
                    return (here + 1 < radix).then_some(cnt + stride);
                }
                stride *= radix;
            }
            Some(cnt)
        };
        let stride = self.shifts + 1;
        let len = frame.to - frame.from;
        if ws.slot.len() < size as usize {
            ws.slot = vec![u32::MAX; size as usize];
        }
        ws.layers.resize_with(len + 1, Vec::new);
        for l in ws.layers.iter_mut() {
            l.clear();
        }
        ws.layers[0].push(Label {
            key: encode(frame.start.0, frame.start.1, 0, 0, 0),
            cost: 0.0,
            pred: u32::MAX,
            choice: 0,
        });
        let per_day = self.classes * self.runs * units as usize;
        let limit = upper + 1e-9;
        let mut kept = 0;
        for i in 0..len {
            let d = frame.from + i;
            let (done, rest) = ws.layers.split_at_mut(i + 1);
            let cur = &done[i];
            let next = &mut rest[0];
            let slot = &mut ws.slot;
            let row = &cost[d * stride..(d + 1) * stride];
            let to_go = &ws.to_go[(i + 1) * per_day..(i + 2) * per_day];
            let mut push = |key: u64, c: f64, pred: usize, choice: usize, next: &mut Vec<Label>| {
                let (cls, run, _, _, u) = decode(key);
                if c + to_go[(cls * self.runs + run) * units as usize + u as usize] > limit {
                    return;
                }
                let label = Label {
                    key,
                    cost: c,
                    pred: pred as u32,
                    choice: choice as u8,
                };
                match slot[key as usize] {
                    u32::MAX => {
                        slot[key as usize] = next.len() as u32;
                        next.push(label);
                    }
                    at if c < next[at as usize].cost => next[at as usize] = label,
                    _ => {}
                }
            };
            for (li, lab) in cur.iter().enumerate() {
                let (cls, run, wk, cnt, u) = decode(lab.key);
                if self.off_ok(d, cls, run) {
                    let nrun = if cls == 0 {
                        (run + 1).min(self.min_days_off as usize)
                    } else {
                        1
                    };
                    push(encode(0, nrun, wk, cnt, u), lab.cost + row[0], li, 0, next);
                }
                if !self.may_work(cls, run) {
                    continue;
                }
                let nwk = if t.weekends {
                    wk + u64::from(self.new_weekend(frame, d, cls != 0))
                } else {
                    0
                };
                if nwk >= wk_radix {
                    continue;
                }
                let nrun = if cls == 0 { 1 } else { (run + 1).min(self.runs - 1) };
                for &s in &self.allowed[d] {
                    if !self.can_follow[cls][s] {
                        continue;
                    }
                    let nu = u + u64::from(self.units[s]);
                    if nu >= units {
                        continue;
                    }
                    let Some(ncnt) = count_after(cnt, s) else {
                        continue;
                    };
                    push(
                        encode(self.class[s], nrun, nwk, ncnt, nu),
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
            kept += next.len();
            if kept > MAX_LABELS {
                return None;
            }
        }
        let last = &ws.layers[len];
        let (mut at, best) = last
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let (cls, run, _, _, u) = decode(l.key);
                frame.end_ok[cls * self.runs + run] && u >= u64::from(frame.min_units)
            })
            .min_by(|a, b| a.1.cost.total_cmp(&b.1.cost))
            .map(|(i, l)| (i, l.cost))?;
        let mut schedule = vec![None; len];
        for i in (0..len).rev() {
            let l = ws.layers[i + 1][at];
            schedule[i] = (l.choice > 0).then(|| l.choice as usize - 1);
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
            work_requests: Vec::new(),
            cover: vec![vec![Cover::default(); s]; days],
        }
    }

    /// Every schedule, the cheapest that keeps the rules (by the checker).
    fn brute_force(p: &Problem, cost: &[f64]) -> Option<f64> {
        all_feasible(p, cost).into_iter().map(|(v, _)| v).reduce(f64::min)
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

    /// Every feasible schedule (by the checker), with its cost.
    fn all_feasible(p: &Problem, cost: &[f64]) -> Vec<(f64, Vec<Option<usize>>)> {
        let choices = p.shifts.len() + 1;
        (0..choices.pow(p.days as u32))
            .filter_map(|code| {
                let mut c = code;
                let row: Vec<Option<usize>> = (0..p.days)
                    .map(|_| {
                        let x = c % choices;
                        c /= choices;
                        x.checked_sub(1)
                    })
                    .collect();
                evaluate(p, &vec![row.clone()]).feasible().then(|| {
                    let v = row
                        .iter()
                        .enumerate()
                        .map(|(d, x)| cost[d * choices + x.map_or(0, |s| s + 1)])
                        .sum();
                    (v, row)
                })
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, max_global_rejects: 10_000, ..ProptestConfig::default() })]

        /// A window searched with the days around it fixed finds the
        /// cheapest feasible way to fill it — exactly what trying every
        /// schedule that agrees outside the window finds.
        #[test]
        fn a_window_is_filled_at_its_cheapest((p, cost) in small_problem(), pick in any::<u64>(), a in 0usize..7, len in 1usize..7) {
            let feasible = all_feasible(&p, &cost);
            prop_assume!(!feasible.is_empty());
            let (from, to) = (a.min(p.days - 1), (a + len).min(p.days));
            let fixed = &feasible[(pick % feasible.len() as u64) as usize].1;
            let window_cost = |row: &[Option<usize>]| -> f64 {
                let choices = p.shifts.len() + 1;
                (from..to).map(|d| cost[d * choices + row[d].map_or(0, |s| s + 1)]).sum()
            };
            let expected = feasible
                .iter()
                .filter(|(_, r)| (0..p.days).all(|d| (d >= from && d < to) || r[d] == fixed[d]))
                .map(|(_, r)| window_cost(r))
                .fold(f64::INFINITY, f64::min);
            let model = PersonModel::new(&p, 0).unwrap();
            let mut ws = Workspace::default();
            for known in [false, true] {
                let (value, part) = model.best_window(fixed, from, to, Pace::Exact, &cost, known, &mut ws).expect("the fixed schedule's own window is one way");
                prop_assert_eq!(value, expected);
                let mut whole = fixed.clone();
                whole[from..to].copy_from_slice(&part);
                let ev = evaluate(&p, &vec![whole.clone()]);
                prop_assert!(ev.feasible(), "{:?}", ev.violations);
                prop_assert_eq!(window_cost(&whole), value);
            }
        }
    }

    #[test]
    fn a_horizon_too_large_to_search_at_once_is_searched_by_weeks() {
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
        let model = PersonModel::new(&p, 0).unwrap();
        assert!(!model.fits(0, 366));
        assert!(model.fits(0, 7));
        let cost: Vec<f64> = (0..366 * 9).map(|i| if i % 9 == 0 { 0.0 } else { -1.0 }).collect();
        let mut ws = Workspace::default();
        assert_eq!(model.best(&cost, None, &mut ws), None);
        let row = vec![None; 366];
        let (_, week) = model
            .best_window(&row, 7, 14, Pace::Exact, &cost, false, &mut ws)
            .unwrap();
        assert_eq!(week.iter().filter(|x| x.is_some()).count(), 7);
    }
}
