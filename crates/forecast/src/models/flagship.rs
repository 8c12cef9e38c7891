//! `fq`, Fengqiao's flagship forecaster: a Poisson regression on multi-scale
//! features of each cell's history, fitted on the validation period that
//! precedes the forecast period, giving calibrated expected counts.
//!
//! Features of cell c at the start of a window, all from earlier events:
//! exponentially weighted rates at half-lives of 7 days to 4 years, the
//! all-history rate, the same smoothed over 3x3 and 5x5 neighbourhoods
//! (near repeats and stable hot spots around the cell), the cell's own rate
//! on the window's weekday (or shift), and the city-wide recent level; with
//! weekday (or shift) effects. Logs of rates enter a log-link model, so the
//! fit is a learned weighted geometric blend of these rates, which contains
//! the naive all-history count and the exponentially weighted count as
//! special cases.
//!
//! Never worse than counting, as far as its own past can tell: before the
//! final fit it fits on the first half of the validation windows and
//! ranks the second half's cells by geometric blends of its forecast and
//! the all-history count (naive), from all forecast to all count; the
//! blend that captured most at 5 % is kept (the one nearest the forecast
//! among equals), so where the regression does not beat counting on data
//! it was not fitted on, it shrinks toward counting or becomes it.

use super::Model;
use crate::glm::PoissonGlm;
use crate::rng::Rng;
use crate::{Context, Event, Window};

const HALF_LIVES: [f64; 5] = [7.0, 30.0, 120.0, 365.0, 1460.0];
/// Half-life of the per-weekday and per-shift cell rates.
const PROFILE_HALF_LIFE: f64 = 730.0;
const CITY_SHORT: f64 = 28.0;
/// Raw rate features per cell.
const N_RAW: usize = 17;
/// Weights of the forecast in the blends the self-check tries (the rest on
/// the all-history count), most forecast first.
const BLENDS: [f64; 5] = [1.0, 0.75, 0.5, 0.25, 0.0];
/// Fewest validation windows for a self-check (half to fit, half to check).
const MIN_CHECK_WINDOWS: usize = 8;
/// The coverage the self-check compares at: the share of the area a
/// commander patrols, and the figure the forecasts are judged by.
const CHECK_COVERAGE: f64 = 0.05;

#[derive(Debug, Clone)]
pub struct Flagship {
    /// Weight of officer-initiated events in the features (1 = as any other,
    /// 0 = ignored): the control on the patrol feedback loop.
    pub officer_weight: f64,
    /// Negative (cell, window) pairs kept per positive pair in training.
    pub negatives_per_positive: f64,
    pub ridge: f64,
    /// Read the city's places (risk terrain) when the context has them.
    pub use_terrain: bool,
    ew: Vec<Vec<f64>>,
    profile: Vec<Vec<f64>>,
    all: Vec<f64>,
    /// Distinct days with an incident, all history and with a one-year half-life:
    /// a record of five victims of one incident counts once.
    days_all: Vec<f64>,
    days_ew: Vec<f64>,
    last_day: Vec<i64>,
    /// Incidents per cell by calendar month (all years): seasonal places.
    months: Vec<Vec<f64>>,
    /// Incidents per cell by kind of place (1..=4), with a 4-year half-life.
    places: Vec<Vec<f64>>,
    city_short: f64,
    city_long: f64,
    first: Option<f64>,
    t_ref: f64,
    now: f64,
    shifts: usize,
    glm: Option<PoissonGlm>,
    eps: Vec<f64>,
    mean: Vec<f64>,
    sd: Vec<f64>,
    integral_scratch: Vec<Vec<f64>>,
    /// Every event per cell, whatever its origin: the count naive ranks by.
    counts: Vec<f64>,
    /// Weight of the forecast in the blend with the count (1: the forecast).
    blend: f64,
    /// What the self-check saw and chose, for the reports.
    check: Option<serde_json::Value>,
    /// The terrain covariates the fit read (names), for the reports.
    terrain_used: Vec<String>,
}

impl Default for Flagship {
    fn default() -> Self {
        Self {
            officer_weight: 1.0,
            negatives_per_positive: 5.0,
            ridge: 1e-4,
            use_terrain: true,
            ew: Vec::new(),
            profile: Vec::new(),
            all: Vec::new(),
            days_all: Vec::new(),
            days_ew: Vec::new(),
            last_day: Vec::new(),
            months: Vec::new(),
            places: Vec::new(),
            city_short: 0.0,
            city_long: 0.0,
            first: None,
            t_ref: 0.0,
            now: 0.0,
            shifts: 1,
            glm: None,
            eps: Vec::new(),
            mean: Vec::new(),
            sd: Vec::new(),
            integral_scratch: Vec::new(),
            counts: Vec::new(),
            blend: 1.0,
            check: None,
            terrain_used: Vec::new(),
        }
    }
}

impl Flagship {
    /// The flagship blind to the city's places: the "without" of the
    /// risk-terrain measurement.
    pub fn without_terrain() -> Self {
        Self {
            use_terrain: false,
            ..Self::default()
        }
    }

    /// The terrain columns the design reads for `ctx`.
    fn terrain_columns(&self, ctx: &Context) -> usize {
        if self.use_terrain { ctx.terrain.values.len() } else { 0 }
    }
}

/// Calendar month (0-11) of a time in days since the epoch (mean Gregorian year).
fn month_of(t: f64) -> usize {
    let year = 365.2425;
    let doy = t.rem_euclid(year);
    ((doy / (year / 12.0)) as usize).min(11)
}

/// Days of weight that a constant rate of one event a day accumulates over
/// `span` days of history under half-life `h`. Dividing a weighted sum by it
/// gives a rate that does not depend on how long the history is, so features
/// seen in training early in a short history mean the same as at forecast time.
fn mass_since(h: f64, span: f64) -> f64 {
    h / std::f64::consts::LN_2 * (1.0 - halving(span, h))
}

fn halving(dt: f64, h: f64) -> f64 {
    (-(dt / h) * std::f64::consts::LN_2).exp()
}

/// The integral image (summed-area table) of per-cell values, (cols+1) x (rows+1).
fn integral_image(ctx: &Context, values: &[f64], integral: &mut Vec<f64>) {
    let (cols, rows) = (ctx.grid.cols as usize, ctx.grid.rows as usize);
    integral.clear();
    integral.resize((cols + 1) * (rows + 1), 0.0);
    for row in 0..rows {
        let mut line = 0.0;
        for col in 0..cols {
            line += values[row * cols + col];
            integral[(row + 1) * (cols + 1) + col + 1] = integral[row * (cols + 1) + col + 1] + line;
        }
    }
}

/// Sum of the values in the (2r+1) x (2r+1) box around `cell`, clipped to the grid.
fn box_at(ctx: &Context, integral: &[f64], cell: usize, r: usize) -> f64 {
    let (cols, rows) = (ctx.grid.cols as usize, ctx.grid.rows as usize);
    let (col, row) = (cell % cols, cell / cols);
    let (r0, r1) = (row.saturating_sub(r), (row + r + 1).min(rows));
    let (c0, c1) = (col.saturating_sub(r), (col + r + 1).min(cols));
    let at = |r: usize, c: usize| integral[r * (cols + 1) + c];
    at(r1, c1) - at(r0, c1) - at(r1, c0) + at(r0, c0)
}

impl Flagship {
    fn slot(&self, ctx: &Context, e: &Event) -> usize {
        if self.shifts > 1 {
            if e.hour == Event::NO_HOUR {
                usize::MAX
            } else {
                usize::from(ctx.shift_of_hour[usize::from(e.hour) % 24])
            }
        } else {
            usize::from(e.weekday)
        }
    }

    fn window_slot(&self, w: &Window) -> usize {
        if self.shifts > 1 {
            usize::from(w.shift)
        } else {
            usize::from(w.weekday)
        }
    }

    fn reset(&mut self, ctx: &Context) {
        let n = ctx.cells();
        self.ew = vec![vec![0.0; n]; HALF_LIVES.len()];
        let slots = if self.shifts > 1 { self.shifts } else { 7 };
        self.profile = vec![vec![0.0; n]; slots];
        self.all = vec![0.0; n];
        self.days_all = vec![0.0; n];
        self.days_ew = vec![0.0; n];
        self.last_day = vec![i64::MIN; n];
        self.months = vec![vec![0.0; n]; 12];
        self.places = vec![vec![0.0; n]; 4];
        self.integral_scratch = Vec::new();
        self.counts = vec![0.0; n];
        self.city_short = 0.0;
        self.city_long = 0.0;
    }

    /// Adds events (at or after t_ref) to the state held at t_ref.
    fn add(&mut self, ctx: &Context, events: &[Event]) {
        for e in events {
            self.counts[e.cell as usize] += 1.0;
            let w = if e.officer { self.officer_weight } else { 1.0 };
            if w == 0.0 {
                continue;
            }
            let c = e.cell as usize;
            let dt = self.t_ref - e.t; // <= 0: weight grows until the state decays to the window
            for (k, h) in HALF_LIVES.iter().enumerate() {
                self.ew[k][c] += w * halving(dt, *h);
            }
            let slot = self.slot(ctx, e);
            if slot < self.profile.len() {
                self.profile[slot][c] += w * halving(dt, PROFILE_HALF_LIFE);
            }
            self.all[c] += w;
            self.months[month_of(e.t)][c] += w;
            if (1..=4).contains(&e.place) {
                self.places[usize::from(e.place) - 1][c] += w * halving(dt, HALF_LIVES[4]);
            }
            let day = e.t.floor() as i64;
            if self.last_day[c] != day {
                self.last_day[c] = day;
                self.days_all[c] += w;
                self.days_ew[c] += w * halving(dt, 365.0);
            }
            self.city_short += w * halving(dt, CITY_SHORT);
            self.city_long += w * halving(dt, 365.0);
            self.first.get_or_insert(e.t);
        }
    }

    /// Moves the clock to `to`. The per-cell sums stay held at `t_ref`
    /// (read through [`Self::decay`]); they are rebased only when the
    /// weights of new events would grow past 2^300, so a window costs no
    /// pass over every cell.
    fn advance(&mut self, to: f64) {
        self.now = to;
        let dt = to - self.t_ref;
        if dt / HALF_LIVES[0] < 300.0 {
            return;
        }
        for (k, h) in HALF_LIVES.iter().enumerate() {
            let f = halving(dt, *h);
            self.ew[k].iter_mut().for_each(|v| *v *= f);
        }
        let f = halving(dt, 365.0);
        self.days_ew.iter_mut().for_each(|v| *v *= f);
        let f = halving(dt, HALF_LIVES[4]);
        for p in &mut self.places {
            p.iter_mut().for_each(|v| *v *= f);
        }
        let f = halving(dt, PROFILE_HALF_LIFE);
        for p in &mut self.profile {
            p.iter_mut().for_each(|v| *v *= f);
        }
        self.city_short *= halving(dt, CITY_SHORT);
        self.city_long *= halving(dt, 365.0);
        self.t_ref = to;
    }

    /// Factor that brings a sum held at `t_ref` to `now` for half-life `h`.
    fn decay(&self, h: f64) -> f64 {
        halving(self.now - self.t_ref, h)
    }

    /// Raw rates (events per day) for the valid cells at window `w`.
    fn raw_features(&mut self, ctx: &Context, w: &Window) -> Vec<[f64; N_RAW]> {
        let span = (w.start - self.first.unwrap_or(w.start)).max(1.0);
        let mass = |h: f64| mass_since(h, span);
        let mut integrals = std::mem::take(&mut self.integral_scratch);
        integrals.resize_with(3, Vec::new);
        integral_image(ctx, &self.ew[3], &mut integrals[0]);
        integral_image(ctx, &self.ew[4], &mut integrals[1]);
        integral_image(ctx, &self.ew[0], &mut integrals[2]);
        let slot = self.window_slot(w).min(self.profile.len() - 1);
        let slots = self.profile.len() as f64;
        let month = month_of(w.start);
        // Each sum is held at t_ref: scale it to now, and to a daily rate.
        let rate = |k: usize| self.decay(HALF_LIVES[k]) / mass(HALF_LIVES[k]);
        let r = [rate(0), rate(1), rate(2), rate(3), rate(4)];
        let profile_rate = self.decay(PROFILE_HALF_LIFE) * slots / mass(PROFILE_HALF_LIFE);
        let days_rate = self.decay(365.0) / mass(365.0);
        let features = ctx
            .valid_cells
            .iter()
            .map(|&c| {
                let c = c as usize;
                [
                    self.ew[0][c] * r[0],
                    self.ew[1][c] * r[1],
                    self.ew[2][c] * r[2],
                    self.ew[3][c] * r[3],
                    self.ew[4][c] * r[4],
                    self.all[c] / span,
                    box_at(ctx, &integrals[0], c, 1) / 9.0 * r[3],
                    box_at(ctx, &integrals[1], c, 2) / 25.0 * r[4],
                    box_at(ctx, &integrals[2], c, 1) / 9.0 * r[0],
                    self.profile[slot][c] * profile_rate,
                    self.days_all[c] / span,
                    self.days_ew[c] * days_rate,
                    (self.months[(month + 11) % 12][c] + self.months[month][c] + self.months[(month + 1) % 12][c])
                        / (span * 3.0 / 12.0),
                    self.places[0][c] * r[4],
                    self.places[1][c] * r[4],
                    self.places[2][c] * r[4],
                    self.places[3][c] * r[4],
                ]
                .map(|v| v.max(0.0))
            })
            .collect::<Vec<_>>();
        self.integral_scratch = integrals;
        features
    }

    /// Transformed feature vector: logs of rates with a floor, the level and
    /// the terrain covariates, standardised; then the one-hot weekday/shift.
    fn design(&self, ctx: &Context, cell: u32, raw: &[f64; N_RAW], level: f64, slot: usize, slots: usize) -> Vec<f64> {
        let mut x: Vec<f64> = raw.iter().zip(&self.eps).map(|(v, e)| (v + e).ln()).collect();
        x.push(level.max(1e-6).ln());
        // The places around the cell: fixed for the cell, standardised like the rates.
        for column in ctx.terrain.values.iter().take(self.terrain_columns(ctx)) {
            x.push(column[cell as usize]);
        }
        for s in 1..slots {
            x.push(if s == slot { 1.0 } else { 0.0 });
        }
        if !self.mean.is_empty() {
            for (i, v) in x.iter_mut().enumerate().take(self.mean.len()) {
                *v = (*v - self.mean[i]) / self.sd[i];
            }
        }
        x
    }

    fn level(&self) -> f64 {
        let span = (self.now - self.first.unwrap_or(self.now)).max(1.0);
        let rate = |h: f64| self.decay(h) / mass_since(h, span);
        (self.city_short * rate(CITY_SHORT)) / (self.city_long * rate(365.0)).max(1e-12)
    }
}

impl Model for Flagship {
    fn name(&self) -> String {
        if self.use_terrain { "fq" } else { "fq-plain" }.into()
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "half_lives_days": HALF_LIVES, "profile_half_life_days": PROFILE_HALF_LIFE,
            "officer_weight": self.officer_weight, "ridge": self.ridge,
            "negatives_per_positive": self.negatives_per_positive,
            "glm": self.glm,
            "blend_with_naive": self.blend,
            "self_check": self.check,
            "terrain": self.terrain_used,
        })
    }

    fn start(&mut self, ctx: &Context, history: &[Event], validation: &[Window]) {
        self.shifts = ctx.shifts.max(1);
        self.blend = 1.0;
        self.check = None;
        if validation.len() >= MIN_CHECK_WINDOWS {
            let split = validation.len() / 2;
            self.fit(ctx, history, &validation[..split]);
            let (captured, events) = self.check_blends(ctx, history, &validation[split..]);
            self.blend = choose_blend(&captured);
            let naive = captured[BLENDS.len() - 1];
            self.check = Some(serde_json::json!({
                "fit_windows": split, "check_windows": validation.len() - split, "coverage": CHECK_COVERAGE,
                "events": events, "blends": BLENDS, "captured": captured, "chosen": self.blend,
                "decision": if self.blend == 1.0 {
                    "forecast: it captured at least what any blend with naive did on the check windows"
                } else if self.blend == 0.0 {
                    "naive: counting captured more than the forecast or any blend on the check windows"
                } else {
                    "shrunk toward naive: a blend captured more than the forecast on the check windows"
                },
                "forecast_over_naive": if naive == 0 { None } else { Some(captured[0] as f64 / naive as f64) },
            }));
        }
        self.fit(ctx, history, validation);
    }

    fn predict(&mut self, ctx: &Context, new: &[Event], w: &Window, out: &mut [f64]) {
        self.add(ctx, new);
        self.advance(w.start);
        out.iter_mut().for_each(|o| *o = 0.0);
        let Some(log_forecast) = self.log_forecast(ctx, w) else {
            let raw = self.raw_features(ctx, w);
            for (r, &c) in raw.iter().zip(&ctx.valid_cells) {
                out[c as usize] = r[5] * w.days();
            }
            return;
        };
        if self.blend == 1.0 {
            for (l, &c) in log_forecast.iter().zip(&ctx.valid_cells) {
                out[c as usize] = l.exp();
            }
            return;
        }
        // The blend ranks; its total is the forecast's, so it stays calibrated.
        let total: f64 = log_forecast.iter().map(|l| l.exp()).sum();
        let blended = self.blended(ctx, &log_forecast, self.blend);
        let sum: f64 = blended.iter().map(|b| b.exp()).sum::<f64>().max(1e-300);
        for (b, &c) in blended.iter().zip(&ctx.valid_cells) {
            out[c as usize] = b.exp() / sum * total;
        }
    }
}

/// The blend that captured most on the check windows; among equals, the
/// one with most weight on the forecast.
fn choose_blend(captured: &[u64]) -> f64 {
    let best = captured.iter().copied().max().unwrap_or(0);
    captured.iter().position(|&c| c == best).map_or(1.0, |i| BLENDS[i])
}

impl Flagship {
    /// ln of the expected count per valid cell in `w` (the state at `w`),
    /// once fitted.
    fn log_forecast(&mut self, ctx: &Context, w: &Window) -> Option<Vec<f64>> {
        self.glm.as_ref()?;
        let raw = self.raw_features(ctx, w);
        let level = self.level();
        let slots = self.profile.len();
        let slot = self.window_slot(w);
        let glm = self.glm.as_ref()?;
        Some(
            raw.iter()
                .zip(&ctx.valid_cells)
                .map(|(r, &c)| glm.eta(&self.design(ctx, c, r, level, slot, slots)) + w.days().ln())
                .collect(),
        )
    }

    /// The geometric blend of the forecast (weight `alpha`) and the
    /// all-history count, in logs, per valid cell: its ranking at 0 is naive's.
    fn blended(&self, ctx: &Context, log_forecast: &[f64], alpha: f64) -> Vec<f64> {
        log_forecast
            .iter()
            .zip(&ctx.valid_cells)
            .map(|(l, &c)| alpha * l + (1.0 - alpha) * (self.counts[c as usize] + 1e-9).ln())
            .collect()
    }

    /// Replays the history over `windows` with the model as fitted, and
    /// counts what each blend's top cells captured at [`CHECK_COVERAGE`]
    /// (ties to the lower cell, as the scoring breaks them); and the events.
    fn check_blends(&mut self, ctx: &Context, history: &[Event], windows: &[Window]) -> (Vec<u64>, u64) {
        self.reset(ctx);
        self.first = None;
        self.t_ref = history.first().map_or(0.0, |e| e.t);
        self.now = self.t_ref;
        let k = crate::metrics::cells_at(CHECK_COVERAGE, ctx.valid_cells.len());
        let mut actual = vec![0u32; ctx.cells()];
        let (mut captured, mut events) = (vec![0u64; BLENDS.len()], 0u64);
        let mut order: Vec<usize> = Vec::with_capacity(ctx.valid_cells.len());
        let mut next = 0;
        for w in windows {
            let upto = history.partition_point(|e| e.t < w.start);
            if upto > next {
                self.add(ctx, &history[next..upto]);
                next = upto;
            }
            self.advance(w.start);
            let end = history.partition_point(|e| e.t < w.end);
            for e in &history[upto..end] {
                actual[e.cell as usize] += 1;
            }
            events += (end - upto) as u64;
            if let Some(log_forecast) = self.log_forecast(ctx, w) {
                for (b, alpha) in BLENDS.iter().enumerate() {
                    let score = self.blended(ctx, &log_forecast, *alpha);
                    order.clear();
                    order.extend(0..score.len());
                    order.sort_unstable_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
                    captured[b] += order[..k]
                        .iter()
                        .map(|&i| u64::from(actual[ctx.valid_cells[i] as usize]))
                        .sum::<u64>();
                }
            }
            for e in &history[upto..end] {
                actual[e.cell as usize] = 0;
            }
        }
        (captured, events)
    }

    /// Fits the regression on `validation`, then takes in the rest of the history.
    fn fit(&mut self, ctx: &Context, history: &[Event], validation: &[Window]) {
        // Shift windows train per-shift profiles; day and week windows per-weekday ones.
        self.reset(ctx);
        self.first = None;
        self.t_ref = history.first().map_or(0.0, |e| e.t);
        self.now = self.t_ref;
        let slots = self.profile.len();
        let mut rng = Rng::new(0x5eed);
        let (mut raws, mut levels, mut slots_of, mut ys, mut weights, mut offsets) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut cells_of = Vec::new();
        let mut next = 0;
        let mut counts = vec![0.0; ctx.cells()];
        for w in validation {
            let upto = history.partition_point(|e| e.t < w.start);
            if upto > next {
                self.add(ctx, &history[next..upto]);
                next = upto;
            }
            self.advance(w.start);
            let end = history.partition_point(|e| e.t < w.end);
            for e in &history[upto..end] {
                counts[e.cell as usize] += 1.0;
            }
            let raw = self.raw_features(ctx, w);
            let positives = ctx
                .valid_cells
                .iter()
                .filter(|&&c| counts[c as usize] > 0.0)
                .count()
                .max(1) as f64;
            let keep = (self.negatives_per_positive * positives / ctx.valid_cells.len() as f64).min(1.0);
            let level = self.level();
            for (r, &c) in raw.into_iter().zip(&ctx.valid_cells) {
                // Train as the forecast will be used: only on cells that already had
                // an incident. (The study area is fixed at the forecast start, so a cell
                // that first appears during validation would teach the model that cells
                // without history get incidents.)
                if self.all[c as usize] == 0.0 {
                    continue;
                }
                let y = counts[c as usize];
                let weight = if y > 0.0 {
                    1.0
                } else if rng.f64() < keep {
                    1.0 / keep
                } else {
                    continue;
                };
                raws.push(r);
                cells_of.push(c);
                levels.push(level);
                slots_of.push(self.window_slot(w));
                ys.push(y);
                weights.push(weight);
                offsets.push(w.days().ln());
            }
            for e in &history[upto..end] {
                counts[e.cell as usize] = 0.0;
            }
        }
        // Floors: a tenth of each feature's mean over the training rows.
        let m = raws.len().max(1) as f64;
        self.eps = (0..N_RAW)
            .map(|k| (raws.iter().map(|r| r[k]).sum::<f64>() / m * 0.1).max(1e-9))
            .collect();
        self.mean.clear();
        self.sd.clear();
        let design: Vec<Vec<f64>> = raws
            .iter()
            .zip(&cells_of)
            .zip(&levels)
            .zip(&slots_of)
            .map(|(((r, c), l), s)| self.design(ctx, *c, r, *l, *s, slots))
            .collect();
        let terrain = self.terrain_columns(ctx);
        self.terrain_used = ctx.terrain.names.iter().take(terrain).cloned().collect();
        let k = design.first().map_or(0, Vec::len).min(N_RAW + 1 + terrain);
        for i in 0..k {
            let mean = design.iter().map(|x| x[i]).sum::<f64>() / m;
            let var = design.iter().map(|x| (x[i] - mean).powi(2)).sum::<f64>() / m;
            self.mean.push(mean);
            self.sd.push(var.sqrt().max(1e-9));
        }
        let design: Vec<Vec<f64>> = design
            .into_iter()
            .map(|mut x| {
                for ((v, mean), sd) in x.iter_mut().zip(&self.mean).zip(&self.sd) {
                    *v = (*v - mean) / sd;
                }
                x
            })
            .collect();
        self.glm = (!design.is_empty()).then(|| PoissonGlm::fit(&design, &ys, &weights, &offsets, self.ridge));
        if next < history.len() {
            self.add(ctx, &history[next..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_geo::{Grid, Xy};

    /// An incident in cell `c` on `day` at time `t`, as the test cities make them.
    fn at_noon(ctx: &Context, c: usize, day: i64, t: f64) -> Event {
        let (x, y) = ctx.centre(c);
        Event {
            t,
            cell: c as u32,
            x,
            y,
            officer: false,
            weekday: (day % 7) as u8,
            hour: 12,
            place: 0,
        }
    }

    /// The daily windows of days 365..730: the validation year of the test cities.
    fn second_year() -> Vec<Window> {
        (365..730)
            .map(|d| Window {
                start: f64::from(d),
                end: f64::from(d + 1),
                weekday: (d % 7) as u8,
                shift: 0,
            })
            .collect()
    }

    /// A steady one event a day reads as a rate of one whatever the history's length.
    #[test]
    fn rates_do_not_depend_on_history_length() {
        for span in [30_usize, 200, 3000] {
            for h in HALF_LIVES {
                let sum: f64 = (0..span).map(|d| halving(d as f64 + 0.5, h)).sum();
                let rate = sum / mass_since(h, span as f64);
                assert!((rate - 1.0).abs() < 0.01, "span {span}, half-life {h}: {rate}");
            }
        }
    }

    /// Ten hot cells among four hundred: the flagship ranks them first and
    /// its expected total matches the true rate.
    #[test]
    fn finds_hot_cells_and_is_calibrated() {
        let grid = Grid::new(Xy::new(0.0, 0.0), 100.0, 20, 20).unwrap();
        let ctx = Context::new(grid, vec![true; 400]);
        let rate = |c: usize| if c.is_multiple_of(37) { 0.5 } else { 0.02 };
        let mut rng = Rng::new(3);
        let mut events = Vec::new();
        for day in 0..730_i64 {
            for c in 0..400 {
                // Bernoulli approximation of Poisson counts per day (rates <= 0.5).
                if rng.f64() < rate(c) {
                    let t = day as f64 + rng.f64();
                    events.push(at_noon(&ctx, c, day, t));
                }
            }
        }
        events.sort_by(|a, b| a.t.total_cmp(&b.t));
        let validation = second_year();
        let mut fq = Flagship::default();
        fq.start(&ctx, &events, &validation);
        let mut out = vec![0.0; 400];
        fq.predict(
            &ctx,
            &[],
            &Window {
                start: 730.0,
                end: 731.0,
                weekday: 2,
                shift: 0,
            },
            &mut out,
        );
        let mut order: Vec<usize> = (0..400).collect();
        order.sort_by(|&a, &b| out[b].total_cmp(&out[a]));
        let hot: Vec<usize> = (0..400).filter(|c| c % 37 == 0).collect();
        let mut top: Vec<usize> = order[..hot.len()].to_vec();
        top.sort_unstable();
        assert_eq!(top, hot);
        let expected: f64 = out.iter().sum();
        let truth: f64 = (0..400).map(rate).sum();
        assert!(
            (expected - truth).abs() / truth < 0.15,
            "expected {expected}, true rate {truth}"
        );
    }

    /// A city where the past misleads the regression: in the first half of
    /// the validation period an incident brings more to its cell in the
    /// following days (near repeats, which the recent rates learn), in the
    /// second half it empties the cell for two weeks; the long-run rates
    /// never change. On the check windows counting beats the forecast, so
    /// the flagship shrinks toward naive, and says so.
    #[test]
    fn falls_back_toward_counting_where_it_cannot_beat_it() {
        let grid = Grid::new(Xy::new(0.0, 0.0), 100.0, 20, 20).unwrap();
        let ctx = Context::new(grid, vec![true; 400]);
        let base = |c: usize| 0.01 + 0.06 * ((c * 7919) % 400) as f64 / 400.0;
        let mut rng = Rng::new(11);
        let mut events = Vec::new();
        let mut last = vec![-100_i64; 400];
        for day in 0..730_i64 {
            for (c, last) in last.iter_mut().enumerate() {
                let since = day - *last;
                let rate = if day < 548 {
                    // Near repeats: four times the rate in the week after an incident.
                    if since <= 7 { (base(c) * 4.0).min(0.9) } else { base(c) }
                } else if since <= 14 {
                    // Then the opposite: nothing for two weeks after one.
                    0.0
                } else {
                    base(c) * 1.5
                };
                if rng.f64() < rate {
                    *last = day;
                    events.push(at_noon(&ctx, c, day, day as f64 + rng.f64()));
                }
            }
        }
        events.sort_by(|a, b| a.t.total_cmp(&b.t));
        let validation = second_year();
        let mut fq = Flagship::default();
        fq.start(&ctx, &events, &validation);
        let check = fq.params()["self_check"].clone();
        let captured: Vec<u64> = serde_json::from_value(check["captured"].clone()).unwrap();
        assert!(
            captured[4] > captured[0],
            "counting beats the forecast on the check windows: {check}"
        );
        assert!(fq.blend < 1.0, "{check}");
        assert!(
            check["decision"].as_str().unwrap().starts_with("shrunk") || fq.blend == 0.0,
            "{check}"
        );
        assert_eq!(fq.params()["blend_with_naive"], fq.blend);
    }

    /// A city whose incidents gather around its markets, with too little
    /// history for counts to tell the market cells from the rest: with the
    /// markets' nearness and density the flagship finds more of the next two
    /// years' incidents in its top cells than without them (126 against 110;
    /// a perfect ranking of the market cells would find about 128).
    #[test]
    fn the_citys_places_help_where_history_is_thin() {
        let grid = Grid::new(Xy::new(0.0, 0.0), 100.0, 40, 40).unwrap();
        let mut ctx = Context::new(grid, vec![true; 1600]);
        let markets: Vec<usize> = (0..1600).filter(|c| (c * 7919) % 1600 < 80).collect();
        ctx.terrain = crate::terrain(
            &grid,
            &markets
                .iter()
                .map(|&c| {
                    let (x, y) = ctx.centre(c);
                    ("market".to_string(), Xy::new(x, y))
                })
                .collect::<Vec<_>>(),
        );
        let rate = |c: usize| if markets.contains(&c) { 0.004 } else { 0.001 };
        let mut rng = Rng::new(5);
        let mut events = Vec::new();
        for day in 0..1460_i64 {
            for c in 0..1600 {
                if rng.f64() < rate(c) {
                    events.push(at_noon(&ctx, c, day, day as f64 + rng.f64()));
                }
            }
        }
        let (history, future): (Vec<Event>, Vec<Event>) = events.into_iter().partition(|e| e.t < 730.0);
        // The study area: cells with an incident before the forecast.
        let mut seen = vec![false; 1600];
        history.iter().for_each(|e| seen[e.cell as usize] = true);
        ctx.valid = seen;
        ctx.valid_cells = (0..1600).filter(|&c| ctx.valid[c as usize]).collect();
        let captured = |mut fq: Flagship| {
            fq.start(&ctx, &history, &second_year());
            let mut out = vec![0.0; 1600];
            let w = Window {
                start: 730.0,
                end: 1460.0,
                weekday: 2,
                shift: 0,
            };
            fq.predict(&ctx, &[], &w, &mut out);
            let k = crate::metrics::cells_at(0.05, ctx.valid_cells.len());
            let mut order = ctx.valid_cells.clone();
            order.sort_by(|&a, &b| out[b as usize].total_cmp(&out[a as usize]).then(a.cmp(&b)));
            let top: std::collections::HashSet<u32> = order[..k].iter().copied().collect();
            (future.iter().filter(|e| top.contains(&e.cell)).count(), fq.params())
        };
        let (with, params) = captured(Flagship::default());
        let (without, _) = captured(Flagship::without_terrain());
        assert_eq!(params["terrain"][0], "market.near");
        assert!(
            with as f64 > 1.1 * without as f64,
            "with the markets {with}, without {without} of {} incidents",
            future.len()
        );
    }

    #[test]
    fn the_blend_chosen_is_the_best_nearest_the_forecast() {
        assert_eq!(choose_blend(&[10, 9, 8, 7, 6]), 1.0);
        assert_eq!(choose_blend(&[10, 12, 12, 7, 6]), 0.75);
        assert_eq!(choose_blend(&[5, 6, 7, 8, 9]), 0.0);
        assert_eq!(choose_blend(&[9, 9, 9, 9, 9]), 1.0, "no better blend: the forecast");
    }
}
