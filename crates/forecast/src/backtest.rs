//! The rolling-origin backtest: every model forecasts every window from the
//! events before it, and is scored against what happened.

use crate::metrics::{COVERAGES, WindowScore, capture_curve};
use crate::rng::Rng;
use crate::{Context, Event, Model, Window};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct BacktestConfig {
    pub bootstrap: usize,
    pub seed: u64,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        Self {
            bootstrap: 1000,
            seed: 20_190_101,
        }
    }
}

/// A paired comparison of two models over the same windows, per coverage.
#[derive(Debug, Clone, Serialize)]
pub struct Paired {
    pub against: String,
    /// Pooled hit rate of the model / that of `against`; null (undefined)
    /// where `against` captures nothing.
    pub ratio: BTreeMap<String, Option<f64>>,
    /// Bootstrap 95% interval of the ratio (windows resampled together);
    /// null where `against` captured nothing in some resample (the ratio is
    /// then undefined there: read the difference).
    pub ratio_ci: BTreeMap<String, Option<[f64; 2]>>,
    /// Resamples in which `against` captured nothing.
    pub ratio_undefined_resamples: BTreeMap<String, usize>,
    /// Pooled hit rate of the model minus that of `against`, with its bootstrap 95% interval.
    pub difference: BTreeMap<String, f64>,
    pub difference_ci: BTreeMap<String, [f64; 2]>,
    /// Share of windows (with events) in which the model captured more / fewer.
    pub won: BTreeMap<String, f64>,
    pub lost: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelReport {
    pub name: String,
    pub params: serde_json::Value,
    /// Pooled: Σ captured / Σ events of the windows, those in cells outside
    /// the study area included (see [`BacktestReport::denominator`]).
    pub hit_rate: BTreeMap<String, f64>,
    /// Hit rate / coverage.
    pub pai: BTreeMap<String, f64>,
    /// The same over the events inside the study area only (the figure
    /// earlier reports printed as the hit rate), and its PAI.
    pub hit_rate_study_area: BTreeMap<String, f64>,
    pub pai_study_area: BTreeMap<String, f64>,
    /// Pooled PEI*: Σ captured / Σ most the same number of cells could capture.
    pub pei: BTreeMap<String, f64>,
    /// Bootstrap 95% interval of the pooled hit rate.
    pub ci: BTreeMap<String, [f64; 2]>,
    /// Mean over windows (with events) of the per-window hit rate, with its interval.
    pub mean_hit_rate: BTreeMap<String, f64>,
    pub mean_hit_rate_ci: BTreeMap<String, [f64; 2]>,
    /// Poisson log-likelihood per event over the valid cells (calibration).
    pub log_likelihood_per_event: f64,
    /// Σ predicted / Σ observed over the valid cells (1 = unbiased in total).
    pub predicted_over_observed: f64,
    pub paired: Vec<Paired>,
    /// Pooled hit rate per shift (shift windows only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_shift: Vec<BTreeMap<String, f64>>,
    pub seconds: f64,
    #[serde(skip)]
    pub windows: Vec<WindowScore>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    pub models: Vec<ModelReport>,
    pub valid_cells: usize,
    /// Events of the forecast period inside the study area.
    pub events: u64,
    /// Events of the forecast period in cells outside the study area: no
    /// forecast could rank them, and they count as misses.
    pub events_outside_study_area: u64,
    /// What the hit rates are shares of: `all_events` (every event of the
    /// windows; `hit_rate_study_area` is the share of those inside).
    pub denominator: &'static str,
    /// `events` + `events_outside_study_area`.
    pub events_total: u64,
    pub windows: usize,
    pub coverages: Vec<f64>,
}

fn key(c: f64) -> String {
    format!("{c}")
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

/// Runs every model over `windows` (in time order). `events` are all events,
/// in time order; each model sees those before the first window at start,
/// then the ones before each window as it comes.
pub fn run_backtest(
    ctx: &Context,
    events: &[Event],
    windows: &[Window],
    validation: &[Window],
    models: Vec<Box<dyn Model>>,
    cfg: &BacktestConfig,
) -> BacktestReport {
    let first = windows.first().map_or(f64::INFINITY, |w| w.start);
    let history_end = events.partition_point(|e| e.t < first);
    // Actual counts per window, shared by all models.
    let mut actual = vec![0u32; ctx.cells()];
    let mut outside = 0u64;
    let mut reports = Vec::new();
    let mut order = Vec::new();
    let mut pred = vec![0.0; ctx.cells()];
    for mut model in models {
        let started = Instant::now();
        model.start(ctx, &events[..history_end], validation);
        let mut seen = history_end;
        let mut scores = Vec::with_capacity(windows.len());
        let (mut predicted, mut observed) = (0.0, 0.0);
        for w in windows {
            let upto = events.partition_point(|e| e.t < w.start);
            let new = if upto > seen { &events[seen..upto] } else { &[] };
            seen = seen.max(upto);
            model.predict(ctx, new, w, &mut pred);
            let end = events.partition_point(|e| e.t < w.end);
            for e in &events[upto..end] {
                actual[e.cell as usize] += 1;
            }
            let mut s = capture_curve(&ctx.valid_cells, &pred, &actual, &mut order);
            s.outside = events[upto..end].iter().filter(|e| !ctx.valid[e.cell as usize]).count() as u64;
            predicted += ctx.valid_cells.iter().map(|&c| pred[c as usize]).sum::<f64>();
            observed += s.events as f64;
            if reports.is_empty() {
                outside += s.outside;
            }
            for e in &events[upto..end] {
                actual[e.cell as usize] = 0;
            }
            scores.push(s);
        }
        let seconds = started.elapsed().as_secs_f64();
        let name = model.name();
        let params = model.params();
        let mut report = summarise(name, params, scores, seconds, predicted / observed.max(1.0), cfg);
        if ctx.shifts > 1 {
            report.by_shift = (0..ctx.shifts)
                .map(|s| {
                    let idx: Vec<usize> = (0..windows.len())
                        .filter(|&k| usize::from(windows[k].shift) == s)
                        .collect();
                    COVERAGES
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (key(*c), pooled(&report.windows, &idx, i)))
                        .collect()
                })
                .collect();
        }
        reports.push(report);
    }
    add_paired(&mut reports, cfg);
    let events_scored = reports.first().map_or(0, |r| r.windows.iter().map(|w| w.events).sum());
    BacktestReport {
        valid_cells: ctx.valid_cells.len(),
        events: events_scored,
        events_outside_study_area: outside,
        denominator: "all_events",
        events_total: events_scored + outside,
        windows: windows.len(),
        coverages: COVERAGES.to_vec(),
        models: reports,
    }
}

/// `count` bootstrap resamples (with replacement) of the windows `from`.
fn resample(from: &[usize], count: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| (0..from.len()).map(|_| from[rng.below(from.len())]).collect())
        .collect()
}

/// Pooled hit rate over windows `idx`: captured over every event of them.
fn pooled(scores: &[WindowScore], idx: &[usize], i: usize) -> f64 {
    let (c, e) = idx.iter().fold((0u64, 0u64), |(c, e), &k| {
        (c + scores[k].captured[i], e + scores[k].events + scores[k].outside)
    });
    if e == 0 { 0.0 } else { c as f64 / e as f64 }
}

/// The same over the events inside the study area only.
fn pooled_study_area(scores: &[WindowScore], idx: &[usize], i: usize) -> f64 {
    let (c, e) = idx.iter().fold((0u64, 0u64), |(c, e), &k| {
        (c + scores[k].captured[i], e + scores[k].events)
    });
    if e == 0 { 0.0 } else { c as f64 / e as f64 }
}

/// The ratio of two hit rates, undefined where the second is zero.
fn ratio_of(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

fn summarise(
    name: String,
    params: serde_json::Value,
    scores: Vec<WindowScore>,
    seconds: f64,
    bias: f64,
    cfg: &BacktestConfig,
) -> ModelReport {
    let all: Vec<usize> = (0..scores.len()).collect();
    let with_events: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&k| scores[k].events + scores[k].outside > 0)
        .collect();
    let total_events: u64 = scores.iter().map(|s| s.events).sum();
    let mut r = ModelReport {
        name,
        params,
        hit_rate: BTreeMap::new(),
        pai: BTreeMap::new(),
        hit_rate_study_area: BTreeMap::new(),
        pai_study_area: BTreeMap::new(),
        pei: BTreeMap::new(),
        ci: BTreeMap::new(),
        mean_hit_rate: BTreeMap::new(),
        mean_hit_rate_ci: BTreeMap::new(),
        log_likelihood_per_event: scores.iter().map(|s| s.log_likelihood).sum::<f64>() / total_events.max(1) as f64,
        predicted_over_observed: bias,
        paired: Vec::new(),
        by_shift: Vec::new(),
        seconds,
        windows: Vec::new(),
    };
    let resamples = resample(&with_events, cfg.bootstrap, cfg.seed);
    for (i, c) in COVERAGES.iter().enumerate() {
        let h = pooled(&scores, &all, i);
        r.hit_rate.insert(key(*c), h);
        r.pai.insert(key(*c), h / c);
        let inside = pooled_study_area(&scores, &all, i);
        r.hit_rate_study_area.insert(key(*c), inside);
        r.pai_study_area.insert(key(*c), inside / c);
        let best: u64 = scores.iter().map(|s| s.best[i]).sum();
        let cap: u64 = scores.iter().map(|s| s.captured[i]).sum();
        r.pei
            .insert(key(*c), if best == 0 { 0.0 } else { cap as f64 / best as f64 });
        let mut boot: Vec<f64> = resamples.iter().map(|idx| pooled(&scores, idx, i)).collect();
        boot.sort_by(f64::total_cmp);
        r.ci.insert(key(*c), [percentile(&boot, 0.025), percentile(&boot, 0.975)]);
        let per_window = |idx: &[usize]| {
            idx.iter()
                .map(|&k| scores[k].captured[i] as f64 / (scores[k].events + scores[k].outside) as f64)
                .sum::<f64>()
                / idx.len().max(1) as f64
        };
        r.mean_hit_rate.insert(key(*c), per_window(&with_events));
        let mut boot: Vec<f64> = resamples.iter().map(|idx| per_window(idx)).collect();
        boot.sort_by(f64::total_cmp);
        r.mean_hit_rate_ci
            .insert(key(*c), [percentile(&boot, 0.025), percentile(&boot, 0.975)]);
    }
    r.windows = scores;
    r
}

/// Compares every model with `naive` and with the best baseline (the
/// non-flagship model with the highest pooled hit rate at 5%; the `peek`
/// ceiling is no baseline).
fn add_paired(reports: &mut [ModelReport], cfg: &BacktestConfig) {
    let names: Vec<String> = reports.iter().map(|r| r.name.clone()).collect();
    let naive = names.iter().position(|n| n == "naive");
    let best = reports
        .iter()
        .enumerate()
        .filter(|(_, r)| r.name != "fq" && r.name != "peek")
        .max_by(|a, b| a.1.hit_rate["0.05"].total_cmp(&b.1.hit_rate["0.05"]))
        .map(|(i, _)| i);
    let mut targets: Vec<usize> = naive.into_iter().chain(best).collect();
    targets.dedup();
    let n = reports.first().map_or(0, |r| r.windows.len());
    let with_events: Vec<usize> = (0..n)
        .filter(|&k| reports[0].windows[k].events + reports[0].windows[k].outside > 0)
        .collect();
    let resamples = resample(&with_events, cfg.bootstrap, cfg.seed ^ 0xabcd);
    for m in 0..reports.len() {
        for &t in &targets {
            if t == m {
                continue;
            }
            let mut p = Paired {
                against: names[t].clone(),
                ratio: BTreeMap::new(),
                ratio_ci: BTreeMap::new(),
                ratio_undefined_resamples: BTreeMap::new(),
                difference: BTreeMap::new(),
                difference_ci: BTreeMap::new(),
                won: BTreeMap::new(),
                lost: BTreeMap::new(),
            };
            for (i, c) in COVERAGES.iter().enumerate() {
                let (a, b) = (&reports[m].windows, &reports[t].windows);
                let all: Vec<usize> = (0..n).collect();
                let ratio = |idx: &[usize]| ratio_of(pooled(a, idx, i), pooled(b, idx, i));
                p.ratio.insert(key(*c), ratio(&all));
                let boot: Vec<Option<f64>> = resamples.iter().map(|idx| ratio(idx)).collect();
                let undefined = boot.iter().filter(|r| r.is_none()).count();
                p.ratio_undefined_resamples.insert(key(*c), undefined);
                let mut boot: Vec<f64> = boot.into_iter().flatten().collect();
                boot.sort_by(f64::total_cmp);
                // An interval over the resamples where it is defined would
                // leave out exactly the ones least kind to the model.
                p.ratio_ci.insert(
                    key(*c),
                    (undefined == 0 && !boot.is_empty()).then(|| [percentile(&boot, 0.025), percentile(&boot, 0.975)]),
                );
                let diff = |idx: &[usize]| pooled(a, idx, i) - pooled(b, idx, i);
                p.difference.insert(key(*c), diff(&all));
                let mut boot: Vec<f64> = resamples.iter().map(|idx| diff(idx)).collect();
                boot.sort_by(f64::total_cmp);
                p.difference_ci
                    .insert(key(*c), [percentile(&boot, 0.025), percentile(&boot, 0.975)]);
                let cnt = with_events.len().max(1) as f64;
                p.won.insert(
                    key(*c),
                    with_events
                        .iter()
                        .filter(|&&k| a[k].captured[i] > b[k].captured[i])
                        .count() as f64
                        / cnt,
                );
                p.lost.insert(
                    key(*c),
                    with_events
                        .iter()
                        .filter(|&&k| a[k].captured[i] < b[k].captured[i])
                        .count() as f64
                        / cnt,
                );
            }
            reports[m].paired.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_geo::{Grid, Xy};

    /// Ranks the cells by a fixed list, whatever happened.
    struct Fixed(&'static str, Vec<(usize, f64)>);

    impl Model for Fixed {
        fn name(&self) -> String {
            self.0.into()
        }
        fn params(&self) -> serde_json::Value {
            serde_json::Value::Null
        }
        fn start(&mut self, _: &Context, _: &[Event], _: &[Window]) {}
        fn predict(&mut self, _: &Context, _: &[Event], _: &Window, out: &mut [f64]) {
            out.fill(0.0);
            for &(c, v) in &self.1 {
                out[c] = v;
            }
        }
    }

    fn event(t: f64, cell: u32) -> Event {
        Event {
            t,
            cell,
            x: 0.0,
            y: 0.0,
            officer: false,
            weekday: 0,
            hour: 0,
            place: 0,
        }
    }

    /// 20 cells, the first 10 the study area; daily windows from day 100.
    fn setup(window_events: &[(f64, u32)]) -> (Context, Vec<Event>, Vec<Window>) {
        let grid = Grid::new(Xy { x: 0.0, y: 0.0 }, 100.0, 20, 1).unwrap();
        let ctx = Context::new(grid, (0..20).map(|c| c < 10).collect());
        let mut events: Vec<Event> = (0..5).map(|k| event(90.0 + f64::from(k), 0)).collect();
        events.extend(window_events.iter().map(|&(t, c)| event(t, c)));
        events.sort_by(|a, b| a.t.total_cmp(&b.t));
        let windows = (0..4)
            .map(|d| Window {
                start: 100.0 + f64::from(d),
                end: 101.0 + f64::from(d),
                weekday: 0,
                shift: 0,
            })
            .collect();
        (ctx, events, windows)
    }

    #[test]
    fn hit_rates_count_the_events_outside_the_study_area_as_misses() {
        // Each day: two events in cell 0 (the history's), two in cell 15 (outside).
        let days: Vec<(f64, u32)> = (0..4)
            .flat_map(|d| {
                [
                    (100.2 + f64::from(d), 0),
                    (100.4 + f64::from(d), 0),
                    (100.5 + f64::from(d), 15),
                    (100.6 + f64::from(d), 15),
                ]
            })
            .collect();
        let (ctx, events, windows) = setup(&days);
        let models: Vec<Box<dyn Model>> = vec![crate::model_by_name("naive").unwrap()];
        let r = run_backtest(
            &ctx,
            &events,
            &windows,
            &[],
            models,
            &BacktestConfig { bootstrap: 50, seed: 1 },
        );
        assert_eq!((r.events, r.events_outside_study_area, r.events_total), (8, 8, 16));
        assert_eq!(r.denominator, "all_events");
        let naive = &r.models[0];
        // 10 % of 10 cells is cell 0: 8 of 16 events, 8 of the 8 inside.
        assert_eq!(naive.hit_rate["0.1"], 0.5);
        assert_eq!(naive.hit_rate_study_area["0.1"], 1.0);
        assert_eq!(naive.pai["0.1"], 5.0);
        assert_eq!(
            naive.pei["0.1"], 1.0,
            "PEI* is a share of the most the same cells could take"
        );
    }

    #[test]
    fn a_ratio_over_a_model_that_captured_nothing_is_undefined_and_the_difference_stands() {
        // Every event in cell 5: naive (cell 0 first) captures nothing at 10 %.
        let days: Vec<(f64, u32)> = (0..4).map(|d| (100.5 + f64::from(d), 5)).collect();
        let (ctx, events, windows) = setup(&days);
        let models: Vec<Box<dyn Model>> = vec![
            crate::model_by_name("naive").unwrap(),
            Box::new(Fixed("five", vec![(5, 1.0)])),
        ];
        let r = run_backtest(
            &ctx,
            &events,
            &windows,
            &[],
            models,
            &BacktestConfig { bootstrap: 50, seed: 1 },
        );
        let five = r.models.iter().find(|m| m.name == "five").unwrap();
        let p = five.paired.iter().find(|p| p.against == "naive").unwrap();
        assert_eq!(p.ratio["0.1"], None);
        assert_eq!(p.ratio_ci["0.1"], None);
        assert_eq!(p.ratio_undefined_resamples["0.1"], 50);
        assert_eq!(p.difference["0.1"], 1.0);
        assert_eq!(p.difference_ci["0.1"], [1.0, 1.0]);
        let json = serde_json::to_value(p).unwrap();
        assert!(
            json["ratio"]["0.1"].is_null() && json["ratio_ci"]["0.1"].is_null(),
            "{json}"
        );
    }
}
