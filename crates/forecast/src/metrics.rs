//! Scoring one forecast window: capture at each coverage, the best possible
//! capture (for PEI*), and the Poisson log-likelihood.

/// Coverages (shares of the valid cells) at which every model is scored.
pub const COVERAGES: [f64; 5] = [0.01, 0.02, 0.05, 0.1, 0.2];

/// Expected counts below this are raised to it for the log-likelihood, so a
/// model that gives a cell zero probability is penalised but not infinitely.
pub const LAMBDA_FLOOR: f64 = 1e-6;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowScore {
    /// Events in valid cells during the window.
    pub events: u64,
    /// Events of the window in cells outside the study area: real misses,
    /// counted in the hit rate's denominator (as open_cp and the NIJ
    /// challenge count them).
    pub outside: u64,
    /// Events in the top-k predicted cells, per coverage.
    pub captured: [u64; 5],
    /// Events in the k cells with the most events, per coverage.
    pub best: [u64; 5],
    /// Σ over valid cells of log P(y | Poisson(λ)).
    pub log_likelihood: f64,
}

/// Number of cells at coverage `c` of `n` valid cells (at least one).
pub fn cells_at(c: f64, n: usize) -> usize {
    ((c * n as f64).ceil() as usize).clamp(1, n.max(1))
}

fn ln_factorial(y: u32) -> f64 {
    (2..=y).map(|k| f64::from(k).ln()).sum()
}

pub fn log_likelihood(lambda: f64, y: u32) -> f64 {
    let l = lambda.max(LAMBDA_FLOOR);
    f64::from(y) * l.ln() - l - ln_factorial(y)
}

/// Scores `pred` (per cell) against `actual` (per cell) over `valid` cells.
/// Ties in the prediction are broken by cell index, lowest first, so the
/// score does not depend on sort stability or thread timing.
pub fn capture_curve(valid: &[u32], pred: &[f64], actual: &[u32], order: &mut Vec<u32>) -> WindowScore {
    order.clear();
    order.extend_from_slice(valid);
    order.sort_unstable_by(|&a, &b| pred[b as usize].total_cmp(&pred[a as usize]).then(a.cmp(&b)));
    let n = valid.len();
    let mut score = WindowScore::default();
    let mut counts: Vec<u32> = valid.iter().map(|&c| actual[c as usize]).collect();
    score.events = counts.iter().map(|&c| u64::from(c)).sum();
    for (i, cov) in COVERAGES.iter().enumerate() {
        let k = cells_at(*cov, n);
        score.captured[i] = order[..k].iter().map(|&c| u64::from(actual[c as usize])).sum();
    }
    counts.sort_unstable_by(|a, b| b.cmp(a));
    for (i, cov) in COVERAGES.iter().enumerate() {
        let k = cells_at(*cov, n);
        score.best[i] = counts[..k].iter().map(|&c| u64::from(c)).sum();
    }
    score.log_likelihood = valid
        .iter()
        .map(|&c| log_likelihood(pred[c as usize], actual[c as usize]))
        .sum();
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_by_hand() {
        // 100 valid cells; events: cell 7 has 3, cell 8 has 1, cell 50 has 1.
        let valid: Vec<u32> = (0..100).collect();
        let mut actual = vec![0u32; 100];
        actual[7] = 3;
        actual[8] = 1;
        actual[50] = 1;
        // The model ranks cell 8 first, then cell 50, then ties (all zero) broken by index.
        let mut pred = vec![0.0; 100];
        pred[8] = 2.0;
        pred[50] = 1.0;
        let s = capture_curve(&valid, &pred, &actual, &mut Vec::new());
        assert_eq!(s.events, 5);
        // 1% = 1 cell (cell 8): 1; 2% = cells 8, 50: 2; 5% = 8, 50, 0, 1, 2: 2; 10% = ... 0..=7: 5
        assert_eq!(s.captured, [1, 2, 2, 5, 5]);
        assert_eq!(s.best, [3, 4, 5, 5, 5]);
    }

    #[test]
    fn log_likelihood_of_poisson() {
        assert!((log_likelihood(2.0, 0) - -2.0).abs() < 1e-12);
        assert!((log_likelihood(2.0, 3) - (3.0 * 2f64.ln() - 2.0 - 6f64.ln())).abs() < 1e-12);
        assert!(log_likelihood(0.0, 1).is_finite());
    }
}
