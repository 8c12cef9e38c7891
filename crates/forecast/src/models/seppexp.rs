//! `seppexp`: the grid self-exciting point process of Mohler et al. (2015,
//! "Randomized controlled field trials of predictive policing", JASA) as
//! open_cp's `SEPPexp` runs it — each cell its own constant background
//! rate μ_c, and each incident raising its own cell's rate by
//! θω·e^{−ωt} for t after it (no spread in space) — fitted by EM on the
//! history before the first window (Lewis & Mohler's expectation step on
//! each cell's events, without edge correction; θ, ω shared by the cells).
//! The forecast for a window is the intensity at its start: μ_c plus the
//! triggers of every earlier incident in the cell, as open_cp predicts.

use super::Model;
use crate::{Context, Event, Window};

/// EM iterations (open_cp's default is 20; the run the issue measured used 40).
pub const ITERATIONS: usize = 40;

/// Days of history the fit sees, the last before the first window: two
/// years, as the published comparison trained it (and as `sepp` does).
pub const TRAINING_DAYS: f64 = 730.0;

/// The published starting point: θ = 0.5, a trigger lasting a day on
/// average (ω = 1 per day), and a background of 0.5 a minute in every cell.
const THETA0: f64 = 0.5;
const OMEGA0: f64 = 1.0;
const MU0_PER_DAY: f64 = 0.5 * 24.0 * 60.0;

/// What EM settled on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeppExpFit {
    /// Expected incidents each incident triggers.
    pub theta: f64,
    /// Decay of the trigger, per day (1/ω is its mean delay).
    pub omega: f64,
    /// Background rate per cell, per day.
    #[serde(skip)]
    pub mu: Vec<f64>,
    /// Share of the history's incidents EM assigns to the background.
    pub background_share: f64,
    pub events: usize,
    pub cells_with_events: usize,
    pub iterations: usize,
}

/// One EM step on each cell's event times (days, ascending) over a period
/// of `duration` days: the new (θ, ω, μ) and the background share.
pub fn em_step(cells: &[Vec<f64>], theta: f64, omega: f64, mu: &[f64], duration: f64) -> (f64, f64, Vec<f64>, f64) {
    let (mut triggered, mut weighted, mut background, mut n) = (0.0, 0.0, 0.0, 0usize);
    let mut new_mu = vec![0.0; cells.len()];
    for (c, times) in cells.iter().enumerate() {
        let mut diagonal = 0.0;
        for (j, &tj) in times.iter().enumerate() {
            // Column j of the probability matrix: event j's background
            // against each earlier event i of the cell having triggered it.
            let kernel = |ti: f64| theta * omega * (-omega * (tj - ti)).exp();
            let total: f64 = mu[c] + times[..j].iter().map(|&ti| kernel(ti)).sum::<f64>();
            if total <= 0.0 {
                continue;
            }
            for &ti in &times[..j] {
                let p = kernel(ti) / total;
                triggered += p;
                weighted += p * (tj - ti);
            }
            diagonal += mu[c] / total;
        }
        new_mu[c] = diagonal / duration;
        background += diagonal;
        n += times.len();
    }
    let omega = if weighted > 0.0 { triggered / weighted } else { omega };
    let theta = triggered / n.max(1) as f64;
    (theta, omega, new_mu, background / n.max(1) as f64)
}

/// Fits the model on `history` (in time order) over the grid's cells.
pub fn fit_seppexp(cells_count: usize, history: &[Event], iterations: usize) -> SeppExpFit {
    let first = history.first().map_or(0.0, |e| e.t);
    let duration = history.last().map_or(0.0, |e| e.t - first).max(1e-9);
    let mut cells: Vec<Vec<f64>> = vec![Vec::new(); cells_count];
    for e in history {
        cells[e.cell as usize].push(e.t - first);
    }
    let (mut theta, mut omega, mut mu, mut share) = (THETA0, OMEGA0, vec![MU0_PER_DAY; cells_count], 1.0);
    for _ in 0..iterations {
        (theta, omega, mu, share) = em_step(&cells, theta, omega, &mu, duration);
    }
    SeppExpFit {
        theta,
        omega,
        mu,
        background_share: share,
        events: history.len(),
        cells_with_events: cells.iter().filter(|c| !c.is_empty()).count(),
        iterations,
    }
}

#[derive(Debug, Clone, Default)]
pub struct SeppExp {
    fit: Option<SeppExpFit>,
    /// Per cell: Σ e^{−ω(at − t_i)} over its incidents, held at `at`.
    excitation: Vec<f64>,
    at: Vec<f64>,
}

impl SeppExp {
    fn add(&mut self, events: &[Event]) {
        let Some(fit) = &self.fit else { return };
        for e in events {
            let c = e.cell as usize;
            self.excitation[c] = self.excitation[c] * (-fit.omega * (e.t - self.at[c])).exp() + 1.0;
            self.at[c] = e.t;
        }
    }
}

impl Model for SeppExp {
    fn name(&self) -> String {
        "seppexp".into()
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({"fit": self.fit, "iterations": ITERATIONS, "training_days": TRAINING_DAYS})
    }

    fn start(&mut self, ctx: &Context, history: &[Event], _validation: &[Window]) {
        let end = history.last().map_or(0.0, |e| e.t);
        let from = history.partition_point(|e| e.t < end - TRAINING_DAYS);
        self.fit = Some(fit_seppexp(ctx.cells(), &history[from..], ITERATIONS));
        self.excitation = vec![0.0; ctx.cells()];
        self.at = vec![f64::NEG_INFINITY; ctx.cells()];
        self.add(history);
    }

    fn predict(&mut self, _ctx: &Context, new: &[Event], w: &Window, out: &mut [f64]) {
        self.add(new);
        let Some(fit) = &self.fit else {
            out.fill(0.0);
            return;
        };
        for (c, o) in out.iter_mut().enumerate() {
            let trigger = if self.excitation[c] > 0.0 {
                fit.theta * fit.omega * self.excitation[c] * (-fit.omega * (w.start - self.at[c])).exp()
            } else {
                0.0
            };
            *o = (fit.mu[c] + trigger) * w.days();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// One EM step by hand on two incidents a day apart in one cell, from
    /// θ = 0.5, ω = 1, μ = 1 over 2 days: the second is triggered with
    /// p = 0.5e^{−1} / (1 + 0.5e^{−1}).
    #[test]
    fn one_em_step_by_hand() {
        let cells = vec![vec![0.0, 1.0]];
        let (theta, omega, mu, share) = em_step(&cells, 0.5, 1.0, &[1.0], 2.0);
        let k = 0.5 * (-1.0f64).exp();
        let p = k / (1.0 + k);
        assert!((theta - p / 2.0).abs() < 1e-12);
        assert!((omega - 1.0).abs() < 1e-12, "one pair, a day apart: ω = p / p");
        assert!((mu[0] - (1.0 + (1.0 - p)) / 2.0).abs() < 1e-12);
        assert!((share - (2.0 - p) / 2.0).abs() < 1e-12);
    }

    /// Incidents simulated from known parameters (a Hawkes process per
    /// cell by branching): EM finds them again.
    #[test]
    fn recovers_the_parameters_it_was_simulated_with() {
        let (theta, omega, days): (f64, f64, f64) = (0.3, 2.0, 2000.0);
        let mut rng = Rng::new(5);
        let mus: Vec<f64> = (0..30).map(|c| 0.02 + 0.01 * f64::from(c % 5)).collect();
        let mut history = Vec::new();
        for (c, &mu) in mus.iter().enumerate() {
            // Background by exponential gaps, then each incident's offspring.
            let mut queue = Vec::new();
            let mut t = 0.0;
            loop {
                t += -rng.f64().max(1e-300).ln() / mu;
                if t > days {
                    break;
                }
                queue.push(t);
            }
            let mut k = 0;
            while k < queue.len() {
                let parent = queue[k];
                // Poisson(θ) children by inversion, each an exponential delay later.
                let (mut n, mut p, u) = (0, (-theta).exp(), rng.f64());
                let mut cum = p;
                while u > cum {
                    n += 1;
                    p *= theta / f64::from(n);
                    cum += p;
                }
                for _ in 0..n {
                    let child = parent - rng.f64().max(1e-300).ln() / omega;
                    if child < days {
                        queue.push(child);
                    }
                }
                k += 1;
            }
            for t in queue {
                history.push(Event {
                    t,
                    cell: c as u32,
                    x: 0.0,
                    y: 0.0,
                    officer: false,
                    weekday: 0,
                    hour: 0,
                    place: 0,
                });
            }
        }
        history.sort_by(|a, b| a.t.total_cmp(&b.t));
        let fit = fit_seppexp(30, &history, 200);
        assert!((fit.theta - theta).abs() < 0.05, "θ {}", fit.theta);
        assert!((fit.omega - omega).abs() / omega < 0.2, "ω {}", fit.omega);
        let (m0, m4) = (fit.mu[0], fit.mu[4]);
        assert!((m0 - 0.02).abs() < 0.006 && (m4 - 0.06).abs() < 0.012, "μ {m0} {m4}");
    }
}
