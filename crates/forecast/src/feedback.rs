//! The patrol feedback loop (after Ensign et al. 2018, "Runaway feedback
//! loops in predictive policing"), simulated.
//!
//! Each day the forecaster sends patrols to the cells with the most
//! recorded incidents. Citizens report a fixed share of the true incidents
//! everywhere; patrols also discover a share of the unreported ones, but only
//! where they are. Discovered incidents enter the record, so patrolled cells
//! look ever busier: the allocation can lock onto where it started rather
//! than follow where incidents happen. Leaving officer-initiated incidents
//! out of the training record (or down-weighting them) is the control.

use crate::rng::Rng;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackConfig {
    pub days: usize,
    /// Cells patrolled each day.
    pub patrol_cells: usize,
    /// Share of true incidents that citizens report, everywhere.
    pub report_rate: f64,
    /// Share of unreported incidents a patrol discovers in its cell.
    pub discovery_rate: f64,
    /// Weight of officer-discovered incidents in the record the forecast reads.
    pub officer_weight: f64,
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackDay {
    pub day: usize,
    /// True incidents in patrolled cells / true incidents in the best possible cells.
    pub efficiency: f64,
    /// Share of patrolled cells that are among the truly busiest cells.
    pub overlap_with_truth: f64,
    /// Share of today's patrolled cells that were patrolled on day 0 (lock-in).
    pub same_as_day_0: f64,
    /// Officer-discovered share of today's recorded incidents.
    pub officer_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackRun {
    pub config: FeedbackConfig,
    pub days: Vec<FeedbackDay>,
    /// Means over the last 30 days.
    pub final_efficiency: f64,
    pub final_overlap_with_truth: f64,
    pub final_same_as_day_0: f64,
}

fn poisson(rng: &mut Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        let u1 = rng.f64().max(1e-300);
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * rng.f64()).cos();
        return (lambda + lambda.sqrt() * z).round().max(0.0) as u32;
    }
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0, rng.f64());
    while p > limit {
        k += 1;
        p *= rng.f64();
    }
    k
}

fn binomial(rng: &mut Rng, n: u32, p: f64) -> u32 {
    (0..n).filter(|_| rng.f64() < p).count() as u32
}

fn top_k(score: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..score.len()).collect();
    idx.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    idx.truncate(k);
    idx
}

/// Runs the loop. `true_rate`: incidents per cell per day; `record`: the
/// recorded incidents per cell at the start (e.g. a year of reports).
pub fn simulate_feedback(true_rate: &[f64], record: &[f64], cfg: &FeedbackConfig) -> FeedbackRun {
    let mut rng = Rng::new(cfg.seed);
    let mut record = record.to_vec();
    let k = cfg.patrol_cells.clamp(1, true_rate.len().max(1));
    let truth_top = top_k(true_rate, k);
    let best: f64 = truth_top.iter().map(|&c| true_rate[c]).sum();
    let mut in_truth = vec![false; true_rate.len()];
    truth_top.iter().for_each(|&c| in_truth[c] = true);
    let mut day0 = vec![false; true_rate.len()];
    let mut days = Vec::with_capacity(cfg.days);
    for day in 0..cfg.days {
        let patrol = top_k(&record, k);
        if day == 0 {
            patrol.iter().for_each(|&c| day0[c] = true);
        }
        let mut patrolled = vec![false; true_rate.len()];
        patrol.iter().for_each(|&c| patrolled[c] = true);
        let (mut reported_total, mut found_total) = (0u32, 0u32);
        for (c, &rate) in true_rate.iter().enumerate() {
            let n = poisson(&mut rng, rate);
            if n == 0 {
                continue;
            }
            let reported = binomial(&mut rng, n, cfg.report_rate);
            let found = if patrolled[c] {
                binomial(&mut rng, n - reported, cfg.discovery_rate)
            } else {
                0
            };
            record[c] += f64::from(reported) + cfg.officer_weight * f64::from(found);
            reported_total += reported;
            found_total += found;
        }
        let captured: f64 = patrol.iter().map(|&c| true_rate[c]).sum();
        days.push(FeedbackDay {
            day,
            efficiency: captured / best.max(1e-12),
            overlap_with_truth: patrol.iter().filter(|&&c| in_truth[c]).count() as f64 / k as f64,
            same_as_day_0: patrol.iter().filter(|&&c| day0[c]).count() as f64 / k as f64,
            officer_share: f64::from(found_total) / f64::from((reported_total + found_total).max(1)),
        });
    }
    let tail = &days[days.len().saturating_sub(30)..];
    let mean = |f: fn(&FeedbackDay) -> f64| tail.iter().map(f).sum::<f64>() / tail.len().max(1) as f64;
    FeedbackRun {
        config: cfg.clone(),
        final_efficiency: mean(|d| d.efficiency),
        final_overlap_with_truth: mean(|d| d.overlap_with_truth),
        final_same_as_day_0: mean(|d| d.same_as_day_0),
        days,
    }
}

/// The loop on a real city: `citizen_counts` are each cell's citizen reports
/// over `span_days`; the truth is that rate scaled up by the report rate, and
/// the starting record a year of reports drawn from it. Cells without a
/// report are left out (nothing says they have any incident).
pub fn simulate_on_counts(citizen_counts: &[f64], span_days: f64, cfg: &FeedbackConfig) -> FeedbackRun {
    let span = span_days.max(1.0);
    let truth: Vec<f64> = citizen_counts
        .iter()
        .filter(|&&n| n > 0.0)
        .map(|n| n / span / cfg.report_rate.max(1e-9))
        .collect();
    let mut rng = Rng::new(cfg.seed ^ 0x5eed_0f7e_c04d);
    let record: Vec<f64> = truth
        .iter()
        .map(|r| f64::from(poisson(&mut rng, r * cfg.report_rate * 365.0)))
        .collect();
    simulate_feedback(&truth, &record, cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two equally busy halves of a city; the record starts slightly in
    /// favour of the first. Counting discoveries locks patrols onto the first
    /// half's cells; leaving them out lets the record follow the truth.
    #[test]
    fn discoveries_lock_in_the_starting_allocation_and_the_control_undoes_it() {
        let cells = 200;
        // The truly busiest cells are 100..120; the record starts favouring 0..20.
        let true_rate: Vec<f64> = (0..cells)
            .map(|c| if (100..120).contains(&c) { 0.6 } else { 0.3 })
            .collect();
        let record: Vec<f64> = (0..cells).map(|c| if c < 20 { 30.0 } else { 20.0 }).collect();
        let cfg = FeedbackConfig {
            days: 365,
            patrol_cells: 20,
            report_rate: 0.3,
            discovery_rate: 0.9,
            officer_weight: 1.0,
            seed: 1,
        };
        let counted = simulate_feedback(&true_rate, &record, &cfg);
        let controlled = simulate_feedback(
            &true_rate,
            &record,
            &FeedbackConfig {
                officer_weight: 0.0,
                ..cfg
            },
        );
        assert!(counted.final_same_as_day_0 > 0.9, "{}", counted.final_same_as_day_0);
        assert!(
            counted.final_overlap_with_truth < 0.2,
            "{}",
            counted.final_overlap_with_truth
        );
        assert!(
            controlled.final_overlap_with_truth > 0.8,
            "{}",
            controlled.final_overlap_with_truth
        );
        assert!(controlled.final_efficiency > counted.final_efficiency + 0.2);
    }
}
