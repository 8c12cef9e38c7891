//! The Knox test for near repeats, as Ratcliffe's Near Repeat Calculator
//! runs it: every pair of events falls in a space band and a time band;
//! the observed pairs per cell are set against pairs expected when the
//! events' dates are shuffled among their places (Monte Carlo), giving an
//! observed/expected ratio and a pseudo p-value per cell.
//!
//! Bands are what the calculator computes, labelled as they are: space
//! rows "same location" (no distance), then `(0, w)`, `[w, 2w)`, … and
//! "more than"; time columns `[0, t)`, `[t, 2t)`, … and
//! "more than", in whole days. (The calculator labels `[t, 2t)` "t+1 to
//! 2t", one day later than the days it counts — Steenbeek's NearRepeat
//! vignette shows it; the counts here are the calculator's, the labels
//! the days counted.)
//!
//! Only pairs closer than the last finite space band need looking at: the
//! dates' multiset does not change under shuffling, so pairs per time band
//! over all pairs are fixed, and the "more than" row is what the close
//! pairs leave of them. Each iteration is then linear in the close pairs.

use crate::rng::Rng;
use serde::Serialize;
use std::collections::HashMap;

/// How far apart two places are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Distance {
    /// |dx| + |dy|: along a street grid (the calculator's default).
    Manhattan,
    /// As the crow flies.
    Euclidean,
}

impl Distance {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "manhattan" => Some(Self::Manhattan),
            "euclidean" => Some(Self::Euclidean),
            _ => None,
        }
    }

    /// In single precision, as the calculator computes it: at city scale
    /// (coordinates ~10⁶ m) a few centimetres, but it decides on which
    /// side of a band's edge a pair 399.96 m apart falls (its arson
    /// reference has one).
    fn between(self, a: &KnoxEvent, b: &KnoxEvent) -> f64 {
        let single = |v: f64| v as f32;
        let dx = (single(a.x) - single(b.x)).abs();
        let dy = (single(a.y) - single(b.y)).abs();
        f64::from(match self {
            Self::Manhattan => dx + dy,
            Self::Euclidean => dx.hypot(dy),
        })
    }
}

/// One event: where (projected units, metres in practice) and on which day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnoxEvent {
    pub x: f64,
    pub y: f64,
    pub day: i64,
}

/// The test's settings, as the calculator asks for them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnoxConfig {
    /// Width of each space band (metres).
    pub space_band: f64,
    pub space_bands: usize,
    /// Width of each time band (days).
    pub time_band: u32,
    pub time_bands: usize,
    /// Shuffles of the dates; p-values are at best 1 / (iterations + 1).
    pub iterations: usize,
    pub distance: Distance,
    pub seed: u64,
}

/// Most bands either way: the table stays readable and each iteration's
/// cost bounded.
pub const MAX_BANDS: usize = 20;
/// Most shuffles.
pub const MAX_ITERATIONS: usize = 9_999;
/// Most events in one test (pairs grow with their square).
pub const MAX_EVENTS: usize = 200_000;
/// Most pairs closer than the last finite band kept in memory (about
/// 60 MB while they are found): a whole city's burglaries within 1 km
/// are a few hundred thousand.
pub const MAX_CLOSE_PAIRS: usize = 5_000_000;
/// Widest space band, metres: the bands describe a neighbourhood.
pub const MAX_SPACE_BAND: f64 = 5_000.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KnoxError {
    Invalid(String),
}

impl std::fmt::Display for KnoxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for KnoxError {}

/// A band's bounds: `[from, to)`, `to` None for "more than"; the same
/// location is `[0, 0]`, and the first space band after it `(0, w)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    pub from: f64,
    pub to: Option<f64>,
}

/// The tables, rows by space band (same location first, more than last),
/// columns by time band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnoxResult {
    pub config: KnoxConfig,
    pub events: usize,
    pub pairs: u64,
    pub space: Vec<Band>,
    pub time: Vec<Band>,
    pub observed: Vec<Vec<u64>>,
    /// Mean pairs over the shuffles.
    pub expected: Vec<Vec<f64>>,
    /// Observed over expected; None where nothing was expected.
    pub ratio: Vec<Vec<Option<f64>>>,
    /// (1 + shuffles with at least the observed pairs) / (iterations + 1).
    pub p_value: Vec<Vec<f64>>,
}

impl KnoxConfig {
    fn check(&self, events: usize) -> Result<(), KnoxError> {
        let bad = |m: String| Err(KnoxError::Invalid(m));
        if !(self.space_band.is_finite() && (1.0..=MAX_SPACE_BAND).contains(&self.space_band)) {
            return bad(format!(
                "space band {} must be 1 to {MAX_SPACE_BAND} metres",
                self.space_band
            ));
        }
        if !(1..=MAX_BANDS).contains(&self.space_bands) || !(1..=MAX_BANDS).contains(&self.time_bands) {
            return bad(format!("bands must be 1 to {MAX_BANDS} either way"));
        }
        if self.time_band == 0 || self.time_band > 366 {
            return bad(format!("time band {} must be 1 to 366 days", self.time_band));
        }
        if !(1..=MAX_ITERATIONS).contains(&self.iterations) {
            return bad(format!("iterations {} must be 1 to {MAX_ITERATIONS}", self.iterations));
        }
        if !(2..=MAX_EVENTS).contains(&events) {
            return bad(format!("{events} events: the test needs 2 to {MAX_EVENTS}"));
        }
        Ok(())
    }

    /// The farthest pairs in a finite space band are closer than this.
    fn reach(&self) -> f64 {
        self.space_band * self.space_bands as f64
    }

    /// Row of a distance: 0 the same location (no distance at all), then
    /// the bands; None beyond.
    fn space_row(&self, d: f64) -> Option<usize> {
        if d == 0.0 {
            Some(0)
        } else if d < self.reach() {
            Some(1 + (d / self.space_band) as usize)
        } else {
            None
        }
    }

    /// Column of a number of days apart.
    fn time_col(&self, days: u64) -> usize {
        ((days / u64::from(self.time_band)) as usize).min(self.time_bands)
    }

    fn rows(&self) -> usize {
        self.space_bands + 2
    }

    fn cols(&self) -> usize {
        self.time_bands + 1
    }
}

/// Pairs closer than the last finite band: (i, j, space row).
fn close_pairs(events: &[KnoxEvent], cfg: &KnoxConfig) -> Result<Vec<(u32, u32, u8)>, KnoxError> {
    let cell = cfg.reach();
    let key = |e: &KnoxEvent| ((e.x / cell).floor() as i64, (e.y / cell).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        grid.entry(key(e)).or_default().push(i as u32);
    }
    let mut pairs = Vec::new();
    for (i, a) in events.iter().enumerate() {
        let (cx, cy) = key(a);
        for gx in cx - 1..=cx + 1 {
            for gy in cy - 1..=cy + 1 {
                let Some(there) = grid.get(&(gx, gy)) else { continue };
                for &j in there.iter().filter(|&&j| j as usize > i) {
                    if let Some(row) = cfg.space_row(cfg.distance.between(a, &events[j as usize])) {
                        pairs.push((i as u32, j, row as u8));
                        if pairs.len() > MAX_CLOSE_PAIRS {
                            return Err(KnoxError::Invalid(format!(
                                "more than {MAX_CLOSE_PAIRS} pairs within {} m: narrow the bands or the area",
                                cfg.reach()
                            )));
                        }
                    }
                }
            }
        }
    }
    Ok(pairs)
}

/// Pairs per time column over all pairs of events, whatever their places.
fn pairs_by_time(days: &[i64], cfg: &KnoxConfig) -> Vec<u64> {
    let mut counts: Vec<(i64, u64)> = Vec::new();
    let mut sorted = days.to_vec();
    sorted.sort_unstable();
    for d in sorted {
        match counts.last_mut() {
            Some((last, n)) if *last == d => *n += 1,
            _ => counts.push((d, 1)),
        }
    }
    let mut by = vec![0u64; cfg.cols()];
    for (a, &(da, na)) in counts.iter().enumerate() {
        by[0] += na * (na - 1) / 2;
        for &(db, nb) in &counts[a + 1..] {
            let col = cfg.time_col((db - da) as u64);
            by[col] += na * nb;
            if col == cfg.time_bands {
                // Every later day is farther still.
                let rest: u64 = counts[a + 1..].iter().filter(|(d, _)| *d > db).map(|(_, n)| n).sum();
                by[col] += na * rest;
                break;
            }
        }
    }
    by
}

/// The close pairs as one shuffle reads them: both events and the cell
/// of the pair's space row at time column 0.
struct Pairs {
    i: Vec<u32>,
    j: Vec<u32>,
    base: Vec<u16>,
}

/// Time column by days apart, short of the "more than" column.
struct Columns {
    by_apart: Vec<u16>,
    more: u16,
}

impl Columns {
    fn new(cfg: &KnoxConfig) -> Self {
        let span = cfg.time_band as usize * cfg.time_bands;
        Self {
            by_apart: (0..span).map(|d| cfg.time_col(d as u64) as u16).collect(),
            more: cfg.time_bands as u16,
        }
    }

    fn of(&self, apart: u32) -> u16 {
        self.by_apart.get(apart as usize).copied().unwrap_or(self.more)
    }
}

/// The table of one assignment of days to places.
fn table(pairs: &Pairs, days: &[i32], columns: &Columns, by_time: &[u64], cfg: &KnoxConfig, out: &mut [u64]) {
    let cols = cfg.cols();
    out.fill(0);
    for ((&i, &j), &base) in pairs.i.iter().zip(&pairs.j).zip(&pairs.base) {
        let apart = days[i as usize].abs_diff(days[j as usize]);
        out[usize::from(base + columns.of(apart))] += 1;
    }
    let last = (cfg.rows() - 1) * cols;
    for c in 0..cols {
        let close: u64 = (0..cfg.rows() - 1).map(|r| out[r * cols + c]).sum();
        out[last + c] = by_time[c] - close;
    }
}

/// Shuffle `it`'s days: its own generator, so that the tables do not
/// depend on how the shuffles are shared among threads.
fn shuffled(days: &[i32], seed: u64, it: usize, into: &mut Vec<i32>) {
    into.clear();
    into.extend_from_slice(days);
    let mut rng = Rng::new(seed ^ (it as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    for k in (1..into.len()).rev() {
        into.swap(k, rng.below(k + 1));
    }
}

/// Sums of some shuffles' tables and counts of those at least the observed.
struct Tally {
    sum: Vec<u64>,
    at_least: Vec<u64>,
}

/// Runs the test; `on_iteration(done, of)` as shuffles finish.
pub fn knox_test(
    events: &[KnoxEvent],
    cfg: &KnoxConfig,
    mut on_iteration: impl FnMut(usize, usize),
) -> Result<KnoxResult, KnoxError> {
    cfg.check(events.len())?;
    let (rows, cols) = (cfg.rows(), cfg.cols());
    let close = close_pairs(events, cfg)?;
    let pairs = Pairs {
        i: close.iter().map(|p| p.0).collect(),
        j: close.iter().map(|p| p.1).collect(),
        base: close.iter().map(|p| u16::from(p.2) * cols as u16).collect(),
    };
    drop(close);
    let first = events.iter().map(|e| e.day).min().unwrap_or(0);
    let days: Vec<i32> = events
        .iter()
        .map(|e| i32::try_from(e.day - first).unwrap_or(i32::MAX))
        .collect();
    let wide: Vec<i64> = days.iter().map(|&d| i64::from(d)).collect();
    let by_time = pairs_by_time(&wide, cfg);
    let columns = Columns::new(cfg);
    let mut observed = vec![0u64; rows * cols];
    table(&pairs, &days, &columns, &by_time, cfg, &mut observed);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(cfg.iterations);
    // Shuffles `start, start + threads, …`, calling `after_each` with the
    // shuffles every thread has finished.
    let share = |start: usize, after_each: &mut dyn FnMut(usize)| -> Tally {
        let mut t = Tally {
            sum: vec![0; rows * cols],
            at_least: vec![0; rows * cols],
        };
        let (mut sim, mut order) = (vec![0u64; rows * cols], Vec::with_capacity(days.len()));
        for it in (start..cfg.iterations).step_by(threads) {
            shuffled(&days, cfg.seed, it, &mut order);
            table(&pairs, &order, &columns, &by_time, cfg, &mut sim);
            for c in 0..rows * cols {
                t.sum[c] += sim[c];
                t.at_least[c] += u64::from(sim[c] >= observed[c]);
            }
            after_each(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
        }
        t
    };
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let share = &share;
        let others: Vec<_> = (1..threads).map(|k| s.spawn(move || share(k, &mut |_| {}))).collect();
        let mine = share(0, &mut |n| on_iteration(n, cfg.iterations));
        std::iter::once(mine)
            .chain(others.into_iter().map(|h| h.join().expect("a shuffle thread panicked")))
            .collect()
    });
    on_iteration(cfg.iterations, cfg.iterations);
    let mut sum = vec![0u64; rows * cols];
    let mut at_least = vec![0u64; rows * cols];
    for t in &tallies {
        for c in 0..rows * cols {
            sum[c] += t.sum[c];
            at_least[c] += t.at_least[c];
        }
    }
    let n = cfg.iterations as f64;
    let grid = |f: &dyn Fn(usize) -> f64| -> Vec<Vec<f64>> {
        (0..rows)
            .map(|r| (0..cols).map(|c| f(r * cols + c)).collect())
            .collect()
    };
    let expected = grid(&|k| sum[k] as f64 / n);
    let p_value = grid(&|k| (1 + at_least[k]) as f64 / (n + 1.0));
    let ratio = (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| (sum[r * cols + c] > 0).then(|| observed[r * cols + c] as f64 / expected[r][c]))
                .collect()
        })
        .collect();
    let w = cfg.space_band;
    let space = std::iter::once(Band {
        from: 0.0,
        to: Some(0.0),
    })
    .chain((0..cfg.space_bands).map(|k| Band {
        from: k as f64 * w,
        to: Some((k + 1) as f64 * w),
    }))
    .chain(std::iter::once(Band {
        from: cfg.reach(),
        to: None,
    }))
    .collect();
    let t = f64::from(cfg.time_band);
    let time = (0..cfg.time_bands)
        .map(|k| Band {
            from: k as f64 * t,
            to: Some((k + 1) as f64 * t),
        })
        .chain(std::iter::once(Band {
            from: cfg.time_bands as f64 * t,
            to: None,
        }))
        .collect();
    let n_events = events.len() as u64;
    Ok(KnoxResult {
        config: cfg.clone(),
        events: events.len(),
        pairs: n_events * (n_events - 1) / 2,
        space,
        time,
        observed: observed.chunks(cols).map(<[u64]>::to_vec).collect(),
        expected,
        ratio,
        p_value,
    })
}

/// Significant at this level or better.
pub const SIGNIFICANT: f64 = 0.05;
/// Over-represented enough to act on: at least this ratio (20 % more
/// pairs than chance gives).
pub const MEANINGFUL: f64 = 1.2;

/// What the tables say, for words in any language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnoxFindings {
    /// Space rows (1.. the finite bands) whose near repeats are
    /// over-represented from the first time band: (row, last time column of
    /// the run from the first).
    pub near: Vec<(usize, usize)>,
    /// The same location's run, likewise.
    pub repeat: Option<usize>,
    /// The most over-represented significant cell next to the source
    /// (first time column, a near band): (row, column, ratio).
    pub strongest_near: Option<(usize, usize, f64)>,
    pub strongest_repeat: Option<(usize, f64)>,
}

impl KnoxResult {
    fn over(&self, r: usize, c: usize) -> bool {
        self.p_value[r][c] <= SIGNIFICANT && self.ratio[r][c].is_some_and(|x| x >= MEANINGFUL)
    }

    /// Runs of over-represented cells from the first time band.
    fn run(&self, r: usize) -> Option<usize> {
        let cols = self.time.len() - 1;
        let len = (0..cols).take_while(|&c| self.over(r, c)).count();
        len.checked_sub(1)
    }

    pub fn findings(&self) -> KnoxFindings {
        let last = self.space.len() - 1;
        let near: Vec<(usize, usize)> = (1..last).filter_map(|r| self.run(r).map(|c| (r, c))).collect();
        let strongest_near = near
            .iter()
            .filter_map(|&(r, _)| self.ratio[r][0].map(|x| (r, 0, x)))
            .max_by(|a, b| a.2.total_cmp(&b.2));
        let repeat = self.run(0);
        let strongest_repeat = repeat.and_then(|c| {
            (0..=c)
                .filter_map(|k| self.ratio[0][k].map(|x| (k, x)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
        });
        KnoxFindings {
            near,
            repeat,
            strongest_near,
            strongest_repeat,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(distance: Distance) -> KnoxConfig {
        KnoxConfig {
            space_band: 100.0,
            space_bands: 3,
            time_band: 7,
            time_bands: 3,
            iterations: 19,
            distance,
            seed: 7,
        }
    }

    /// Every pair, one by one.
    fn brute(events: &[KnoxEvent], cfg: &KnoxConfig) -> Vec<Vec<u64>> {
        let mut t = vec![vec![0u64; cfg.cols()]; cfg.rows()];
        for i in 0..events.len() {
            for j in i + 1..events.len() {
                let d = cfg.distance.between(&events[i], &events[j]);
                let r = cfg.space_row(d).unwrap_or(cfg.rows() - 1);
                t[r][cfg.time_col(events[i].day.abs_diff(events[j].day))] += 1;
            }
        }
        t
    }

    fn scattered(n: usize, seed: u64) -> Vec<KnoxEvent> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| KnoxEvent {
                // Some on the same spot and the same day.
                x: (rng.f64() * 40.0).floor() * 25.0,
                y: (rng.f64() * 40.0).floor() * 25.0,
                day: (rng.f64() * 90.0) as i64,
            })
            .collect()
    }

    #[test]
    fn observed_pairs_are_every_pair_counted_once() {
        for distance in [Distance::Manhattan, Distance::Euclidean] {
            let ev = scattered(400, 3);
            let r = knox_test(&ev, &cfg(distance), |_, _| {}).unwrap();
            assert_eq!(r.observed, brute(&ev, &cfg(distance)));
            assert_eq!(r.observed.iter().flatten().sum::<u64>(), 400 * 399 / 2);
            // Every shuffle keeps the pairs per time band.
            for c in 0..r.time.len() {
                let exp: f64 = r.expected.iter().map(|row| row[c]).sum();
                let obs: u64 = r.observed.iter().map(|row| row[c]).sum();
                assert!((exp - obs as f64).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn the_bands_are_what_the_calculator_counts() {
        let c = cfg(Distance::Manhattan);
        assert_eq!(c.space_row(0.0), Some(0));
        assert_eq!(c.space_row(0.5), Some(1));
        assert_eq!(c.space_row(99.99), Some(1));
        assert_eq!(c.space_row(100.0), Some(2));
        assert_eq!(c.space_row(299.9), Some(3));
        assert_eq!(c.space_row(300.0), None);
        // 0–6 days, 7–13, 14–20, 21 and more.
        assert_eq!(
            (c.time_col(6), c.time_col(7), c.time_col(20), c.time_col(21)),
            (0, 1, 2, 3)
        );
        assert_eq!(c.time_col(10_000), 3);
        // Manhattan: 60 + 80 = 140, Euclidean 100.
        let (a, b) = (
            KnoxEvent { x: 0.0, y: 0.0, day: 0 },
            KnoxEvent {
                x: 60.0,
                y: 80.0,
                day: 0,
            },
        );
        assert_eq!(Distance::Manhattan.between(&a, &b), 140.0);
        assert_eq!(Distance::Euclidean.between(&a, &b), 100.0);
    }

    #[test]
    fn a_cluster_in_space_and_time_is_over_represented_and_significant() {
        // A background spread over 10 km square.
        let mut ev: Vec<KnoxEvent> = scattered(300, 5)
            .into_iter()
            .map(|e| KnoxEvent {
                x: e.x * 10.0,
                y: e.y * 10.0,
                ..e
            })
            .collect();
        // Ten burglaries within 50 m over four days.
        for k in 0..10 {
            ev.push(KnoxEvent {
                x: 2_000.0 + 5.0 * k as f64,
                y: 2_000.0,
                day: 40 + k / 3,
            });
        }
        let c = KnoxConfig {
            iterations: 99,
            ..cfg(Distance::Manhattan)
        };
        let r = knox_test(&ev, &c, |_, _| {}).unwrap();
        assert!(r.ratio[1][0].unwrap() > 2.0, "{:?}", r.ratio[1]);
        assert!((r.p_value[1][0] - 0.01).abs() < 1e-12);
        let f = r.findings();
        assert_eq!(f.near.first(), Some(&(1, 0)));
        assert_eq!(f.strongest_near.map(|s| (s.0, s.1)), Some((1, 0)));
    }

    #[test]
    fn the_same_seed_gives_the_same_tables_and_progress_counts_every_shuffle() {
        let ev = scattered(200, 9);
        let mut seen = 0;
        let a = knox_test(&ev, &cfg(Distance::Euclidean), |done, of| {
            seen = done;
            assert_eq!(of, 19);
        })
        .unwrap();
        assert_eq!(seen, 19);
        assert_eq!(a, knox_test(&ev, &cfg(Distance::Euclidean), |_, _| {}).unwrap());
    }

    /// Shuffles shared among threads give what one thread doing every
    /// shuffle in turn gives.
    #[test]
    fn the_tables_do_not_depend_on_the_threads() {
        let ev = scattered(300, 4);
        let c = cfg(Distance::Manhattan);
        let r = knox_test(&ev, &c, |_, _| {}).unwrap();
        let days: Vec<i32> = ev.iter().map(|e| e.day as i32).collect();
        let mut sum = vec![vec![0u64; c.cols()]; c.rows()];
        let mut order = Vec::new();
        for it in 0..c.iterations {
            shuffled(&days, c.seed, it, &mut order);
            let moved: Vec<KnoxEvent> = ev
                .iter()
                .zip(&order)
                .map(|(e, &d)| KnoxEvent {
                    day: i64::from(d),
                    ..*e
                })
                .collect();
            for (row, counts) in sum.iter_mut().zip(brute(&moved, &c)) {
                for (s, n) in row.iter_mut().zip(counts) {
                    *s += n;
                }
            }
        }
        let expected: Vec<Vec<f64>> = sum
            .iter()
            .map(|row| row.iter().map(|&s| s as f64 / c.iterations as f64).collect())
            .collect();
        assert_eq!(r.expected, expected);
    }

    #[test]
    fn settings_out_of_bounds_are_refused() {
        let ev = scattered(10, 1);
        for bad in [
            KnoxConfig {
                space_band: 0.5,
                ..cfg(Distance::Manhattan)
            },
            KnoxConfig {
                space_bands: 0,
                ..cfg(Distance::Manhattan)
            },
            KnoxConfig {
                time_bands: 21,
                ..cfg(Distance::Manhattan)
            },
            KnoxConfig {
                time_band: 0,
                ..cfg(Distance::Manhattan)
            },
            KnoxConfig {
                iterations: 0,
                ..cfg(Distance::Manhattan)
            },
            KnoxConfig {
                space_band: f64::NAN,
                ..cfg(Distance::Manhattan)
            },
        ] {
            assert!(knox_test(&ev, &bad, |_, _| {}).is_err(), "{bad:?}");
        }
        assert!(knox_test(&ev[..1], &cfg(Distance::Manhattan), |_, _| {}).is_err());
    }

    proptest::proptest! {
        #[test]
        fn fast_counts_equal_brute_force(
            pts in proptest::collection::vec((0u32..60, 0u32..60, 0i64..50), 2..120),
            band in 10u32..200,
            tband in 1u32..9,
            euclid in proptest::bool::ANY,
        ) {
            let ev: Vec<KnoxEvent> = pts.iter().map(|&(x, y, d)| KnoxEvent { x: f64::from(x) * 7.5, y: f64::from(y) * 7.5, day: d }).collect();
            let c = KnoxConfig {
                space_band: f64::from(band),
                space_bands: 3,
                time_band: tband,
                time_bands: 4,
                iterations: 3,
                distance: if euclid { Distance::Euclidean } else { Distance::Manhattan },
                seed: 1,
            };
            let r = knox_test(&ev, &c, |_, _| {}).unwrap();
            proptest::prop_assert_eq!(r.observed, brute(&ev, &c));
        }
    }
}
