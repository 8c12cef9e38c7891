//! Continuous space-time SEPP (Mohler et al. 2011) fitted by stochastic
//! declustering: λ(t, x) = μ(x) + Σ_{t_j < t} θ f_t(t - t_j) f_s(|x - x_j|).
//!
//! Each iteration assigns every event to the background or to one earlier
//! event (a parent) by sampling from the current probabilities, then
//! re-estimates the background by a variable-bandwidth Gaussian kernel
//! density of the background events (bandwidth: distance to the k-th
//! nearest background neighbour) and the trigger by kernel densities of the
//! sampled parent-child delays and distances. Candidate parents are found
//! with a bucket index in space and a time window, the part that makes
//! every open implementation slow.

use super::stencil::spread_point;
use crate::rng::Rng;
use crate::{Context, Event, Model, Window};

#[derive(Debug, Clone)]
pub struct Sepp {
    /// Longest parent-child delay considered (days).
    pub max_days: f64,
    /// Longest parent-child distance considered (metres).
    pub max_m: f64,
    /// Nearest neighbour whose distance sets each background kernel's bandwidth.
    pub k_neighbour: usize,
    pub iterations: usize,
    /// Fit on at most this many days of history before the first window.
    pub fit_days: f64,
    pub seed: u64,
    fitted: Option<SeppFit>,
    background: Vec<f64>,
    recent: Vec<Event>,
    /// Spread of one unit of trigger over cells, by distance bin (per cell centre).
    fit_seconds: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SeppFit {
    pub theta: f64,
    /// Trigger delay density on 1-day bins up to max_days.
    pub delay_density: Vec<f64>,
    /// Trigger distance density (per metre of distance) on 10 m bins up to max_m.
    pub distance_density: Vec<f64>,
    pub background_share: f64,
    pub events: usize,
    pub candidate_pairs: usize,
    pub mean_delay_days: f64,
    pub mean_distance_m: f64,
}

impl Default for Sepp {
    fn default() -> Self {
        Self {
            max_days: 60.0,
            max_m: 500.0,
            k_neighbour: 15,
            iterations: 15,
            fit_days: 730.0,
            seed: 7,
            fitted: None,
            background: Vec::new(),
            recent: Vec::new(),
            fit_seconds: 0.0,
        }
    }
}

const DIST_BIN: f64 = 10.0;

/// Events bucketed by square cells of side `side` metres, for neighbour search.
struct Buckets {
    side: f64,
    x0: f64,
    y0: f64,
    cols: i64,
    rows: i64,
    cells: Vec<Vec<u32>>,
}

impl Buckets {
    fn new(points: &[(f64, f64)], side: f64) -> Self {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in points {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        if points.is_empty() {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        let cols = (((x1 - x0) / side).floor() as i64 + 1).max(1);
        let rows = (((y1 - y0) / side).floor() as i64 + 1).max(1);
        let mut cells = vec![Vec::new(); (cols * rows) as usize];
        for (i, &(x, y)) in points.iter().enumerate() {
            let c = ((x - x0) / side).floor() as i64;
            let r = ((y - y0) / side).floor() as i64;
            cells[(r * cols + c) as usize].push(i as u32);
        }
        Self {
            side,
            x0,
            y0,
            cols,
            rows,
            cells,
        }
    }

    /// Indices of points in the buckets within `reach` buckets of (x, y).
    fn near(&self, x: f64, y: f64, reach: i64, mut f: impl FnMut(u32)) {
        let c = ((x - self.x0) / self.side).floor() as i64;
        let r = ((y - self.y0) / self.side).floor() as i64;
        for rr in (r - reach).max(0)..=(r + reach).min(self.rows - 1) {
            for cc in (c - reach).max(0)..=(c + reach).min(self.cols - 1) {
                for &i in &self.cells[(rr * self.cols + cc) as usize] {
                    f(i);
                }
            }
        }
    }
}

/// Gaussian kernel density on `bins` bins of width `w` from weighted samples,
/// reflected at zero, normalised to integrate to one.
fn kde_1d(samples: &[f64], bins: usize, w: f64, bandwidth: f64) -> Vec<f64> {
    let mut out = vec![0.0; bins];
    if samples.is_empty() {
        out.iter_mut().for_each(|v| *v = 1.0 / (bins as f64 * w));
        return out;
    }
    for &s in samples {
        let lo = (((s - 4.0 * bandwidth) / w).floor().max(0.0)) as usize;
        let hi = ((((s + 4.0 * bandwidth) / w).ceil()) as usize).min(bins);
        for (b, slot) in out.iter_mut().enumerate().take(hi).skip(lo) {
            let centre = (b as f64 + 0.5) * w;
            let z = (centre - s) / bandwidth;
            let zr = (centre + s) / bandwidth; // reflection at 0
            *slot += (-0.5 * z * z).exp() + (-0.5 * zr * zr).exp();
        }
    }
    let total: f64 = out.iter().sum::<f64>() * w;
    out.iter_mut().for_each(|v| *v /= total.max(1e-300));
    out
}

impl Sepp {
    fn delay_at(fit: &SeppFit, dt: f64) -> f64 {
        fit.delay_density.get(dt as usize).copied().unwrap_or(0.0)
    }

    /// Trigger density per square metre at distance d.
    fn area_density(fit: &SeppFit, d: f64) -> f64 {
        let b = (d / DIST_BIN) as usize;
        let Some(p) = fit.distance_density.get(b) else {
            return 0.0;
        };
        // Spread the bin's probability over its ring's area.
        let (r0, r1) = (b as f64 * DIST_BIN, (b as f64 + 1.0) * DIST_BIN);
        p * DIST_BIN / (std::f64::consts::PI * (r1 * r1 - r0 * r0))
    }

    /// Background events -> intensity per m² per day at each event and at each cell.
    fn background_kde(&self, ctx: &Context, events: &[Event], is_bg: &[bool], span: f64) -> (Vec<f64>, Vec<f64>) {
        let bg: Vec<(f64, f64)> = events
            .iter()
            .zip(is_bg)
            .filter(|(_, b)| **b)
            .map(|(e, _)| (e.x, e.y))
            .collect();
        let index = Buckets::new(&bg, 200.0);
        // Variable bandwidth: distance to the k-th nearest background neighbour (searching outwards).
        let k = self.k_neighbour;
        let bandwidth: Vec<f64> = bg
            .iter()
            .map(|&(x, y)| {
                let mut dists = Vec::new();
                let mut reach = 1;
                loop {
                    dists.clear();
                    index.near(x, y, reach, |j| {
                        let (px, py) = bg[j as usize];
                        dists.push((px - x).hypot(py - y));
                    });
                    if dists.len() > k || reach >= 8 {
                        break;
                    }
                    reach += 2;
                }
                dists.sort_by(f64::total_cmp);
                dists.get(k).copied().unwrap_or(400.0).clamp(25.0, 1500.0)
            })
            .collect();
        let norm = |h: f64| 1.0 / (2.0 * std::f64::consts::PI * h * h * span);
        // At cells: spread each background kernel over the cell centres.
        let mut cells = vec![0.0; ctx.cells()];
        for (&(x, y), &h) in bg.iter().zip(&bandwidth) {
            let n = norm(h);
            spread_point(ctx, x, y, 3.0 * h, n, |d| (-0.5 * (d / h).powi(2)).exp(), &mut cells);
        }
        // At events: sum the kernels of background events nearby.
        let at_events = events
            .iter()
            .map(|e| {
                let mut s = 0.0;
                index.near(e.x, e.y, 8, |j| {
                    let (px, py) = bg[j as usize];
                    let h = bandwidth[j as usize];
                    let d = (px - e.x).hypot(py - e.y);
                    if d < 3.0 * h {
                        s += norm(h) * (-0.5 * (d / h).powi(2)).exp();
                    }
                });
                s.max(1e-15)
            })
            .collect();
        (at_events, cells)
    }

    pub fn fit(&mut self, ctx: &Context, events: &[Event]) {
        let started = std::time::Instant::now();
        let n = events.len();
        let span = (events.last().map_or(0.0, |e| e.t) - events.first().map_or(0.0, |e| e.t)).max(1.0);
        // Candidate parents of each event: earlier, within max_days and max_m.
        let pts: Vec<(f64, f64)> = events.iter().map(|e| (e.x, e.y)).collect();
        let index = Buckets::new(&pts, self.max_m);
        let mut parents: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut pairs = 0;
        for (i, e) in events.iter().enumerate() {
            index.near(e.x, e.y, 1, |j| {
                let p = &events[j as usize];
                let dt = e.t - p.t;
                if dt > 0.0 && dt <= self.max_days && (p.x - e.x).hypot(p.y - e.y) <= self.max_m {
                    parents[i].push(j);
                }
            });
            pairs += parents[i].len();
        }
        let days = self.max_days.ceil() as usize;
        let dist_bins = (self.max_m / DIST_BIN).ceil() as usize;
        let mut fit = SeppFit {
            theta: 0.2,
            delay_density: vec![1.0 / self.max_days; days],
            distance_density: vec![1.0 / self.max_m; dist_bins],
            background_share: 1.0,
            events: n,
            candidate_pairs: pairs,
            mean_delay_days: 0.0,
            mean_distance_m: 0.0,
        };
        let mut is_bg = vec![true; n];
        let mut rng = Rng::new(self.seed);
        let (mut mu_events, mut mu_cells) = self.background_kde(ctx, events, &is_bg, span);
        for _ in 0..self.iterations {
            // Sample each event's origin from the current model.
            let (mut delays, mut dists) = (Vec::new(), Vec::new());
            let mut weights = Vec::new();
            for i in 0..n {
                let e = &events[i];
                weights.clear();
                let mut total = mu_events[i];
                for &j in &parents[i] {
                    let p = &events[j as usize];
                    let g = fit.theta
                        * Self::delay_at(&fit, e.t - p.t)
                        * Self::area_density(&fit, (p.x - e.x).hypot(p.y - e.y));
                    weights.push(g);
                    total += g;
                }
                let mut u = rng.f64() * total;
                is_bg[i] = true;
                if u >= mu_events[i] {
                    u -= mu_events[i];
                    for (k, &g) in weights.iter().enumerate() {
                        if u < g {
                            let p = &events[parents[i][k] as usize];
                            is_bg[i] = false;
                            delays.push(e.t - p.t);
                            dists.push((p.x - e.x).hypot(p.y - e.y));
                            break;
                        }
                        u -= g;
                    }
                }
            }
            let offspring = delays.len();
            fit.theta = (offspring as f64 / n.max(1) as f64).clamp(1e-4, 0.95);
            fit.delay_density = kde_1d(&delays, days, 1.0, 2.0);
            fit.distance_density = kde_1d(&dists, dist_bins, DIST_BIN, 25.0);
            fit.background_share = 1.0 - offspring as f64 / n.max(1) as f64;
            fit.mean_delay_days = delays.iter().sum::<f64>() / offspring.max(1) as f64;
            fit.mean_distance_m = dists.iter().sum::<f64>() / offspring.max(1) as f64;
            (mu_events, mu_cells) = self.background_kde(ctx, events, &is_bg, span);
        }
        // Background per cell: intensity per m² per day times the cell's area.
        let area = ctx.grid.cell_m * ctx.grid.cell_m;
        self.background = mu_cells.into_iter().map(|m| m * area).collect();
        self.fitted = Some(fit);
        self.fit_seconds = started.elapsed().as_secs_f64();
    }

    pub fn fitted(&self) -> Option<&SeppFit> {
        self.fitted.as_ref()
    }
}

impl Model for Sepp {
    fn name(&self) -> String {
        "sepp".into()
    }

    fn params(&self) -> serde_json::Value {
        let fit = self.fitted.as_ref().map(|f| {
            serde_json::json!({"theta": f.theta, "background_share": f.background_share, "events": f.events,
                               "candidate_pairs": f.candidate_pairs, "mean_delay_days": f.mean_delay_days,
                               "mean_distance_m": f.mean_distance_m})
        });
        serde_json::json!({"max_days": self.max_days, "max_m": self.max_m, "k_neighbour": self.k_neighbour,
                           "iterations": self.iterations, "fit_days": self.fit_days, "fit": fit,
                           "fit_seconds": self.fit_seconds})
    }

    fn start(&mut self, ctx: &Context, history: &[Event], _validation: &[Window]) {
        let end = history.last().map_or(0.0, |e| e.t);
        let from = history.partition_point(|e| e.t < end - self.fit_days);
        self.fit(ctx, &history[from..]);
        let keep = history.partition_point(|e| e.t < end - self.max_days);
        self.recent = history[keep..].to_vec();
    }

    fn predict(&mut self, ctx: &Context, new: &[Event], w: &Window, out: &mut [f64]) {
        self.recent.extend_from_slice(new);
        let horizon = w.start - self.max_days;
        let drop = self.recent.partition_point(|e| e.t < horizon);
        self.recent.drain(..drop);
        let fit = self.fitted.clone().expect("fitted in start");
        for (o, b) in out.iter_mut().zip(&self.background) {
            *o = b * w.days();
        }
        let area = ctx.grid.cell_m * ctx.grid.cell_m;
        for e in &self.recent {
            // Probability mass of the delay inside the window, by 1-day bins.
            let (a, b) = (w.start - e.t, w.end - e.t);
            let mut mass = 0.0;
            let mut t = a;
            while t < b && t < self.max_days {
                let step = (t.floor() + 1.0).min(b) - t;
                mass += Self::delay_at(&fit, t) * step;
                t += step;
            }
            if mass <= 0.0 {
                continue;
            }
            let k = fit.theta * mass * area;
            spread_point(ctx, e.x, e.y, self.max_m, k, |d| Self::area_density(&fit, d), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_geo::{Grid, Xy};

    #[test]
    fn kde_integrates_to_one_and_reflects_at_zero() {
        let d = kde_1d(&[0.5, 1.0, 3.0], 30, 1.0, 2.0);
        assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(d[0] > d[10]);
    }

    /// Clusters of events a day and a few tens of metres apart are found as
    /// offspring; isolated events as background.
    #[test]
    fn declustering_finds_planted_offspring() {
        let ctx = Context::new(
            Grid::new(Xy::new(0.0, 0.0), 100.0, 100, 100).unwrap(),
            vec![true; 10_000],
        );
        let mut rng = Rng::new(9);
        let mut events = Vec::new();
        for i in 0..600 {
            let (x, y, t) = (rng.f64() * 10_000.0, rng.f64() * 10_000.0, rng.f64() * 700.0);
            events.push(Event {
                t,
                cell: 0,
                x,
                y,
                officer: false,
                weekday: 0,
                hour: 0,
                place: 0,
            });
            if i % 2 == 0 {
                // one offspring 1-3 days later, 20-60 m away
                let a = rng.f64() * std::f64::consts::TAU;
                let d = 20.0 + 40.0 * rng.f64();
                events.push(Event {
                    t: t + 1.0 + 2.0 * rng.f64(),
                    cell: 0,
                    x: x + d * a.cos(),
                    y: y + d * a.sin(),
                    officer: false,
                    weekday: 0,
                    hour: 0,
                    place: 0,
                });
            }
        }
        events.sort_by(|a, b| a.t.total_cmp(&b.t));
        let mut m = Sepp {
            iterations: 20,
            ..Sepp::default()
        };
        m.fit(&ctx, &events);
        let fit = m.fitted().unwrap();
        // 300 of 900 events are offspring: θ near 1/3.
        assert!((fit.theta - 1.0 / 3.0).abs() < 0.08, "{fit:?}");
        assert!(fit.mean_delay_days < 6.0 && fit.mean_distance_m < 120.0, "{fit:?}");
    }
}
