//! Weighted Poisson regression with a log link, fitted by Newton's method
//! (IRLS) with a small ridge penalty. Small and dense: a few dozen features,
//! a few hundred thousand rows.

/// Fitted coefficients; `coef[0]` is the intercept.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PoissonGlm {
    pub coef: Vec<f64>,
    pub iterations: usize,
    pub deviance: f64,
}

/// Solves `a x = b` for a symmetric positive definite `a` (row-major n x n) by Cholesky.
fn cholesky_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s <= 0.0 {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i * n + i];
    }
    Some(x)
}

impl PoissonGlm {
    /// `rows`: features without the intercept column; `offset`: log exposure.
    pub fn fit(rows: &[Vec<f64>], y: &[f64], weight: &[f64], offset: &[f64], ridge: f64) -> PoissonGlm {
        let p = rows.first().map_or(0, Vec::len) + 1;
        let total_w: f64 = weight.iter().sum();
        let mean_rate = y.iter().zip(weight).map(|(y, w)| y * w).sum::<f64>()
            / weight
                .iter()
                .zip(offset)
                .map(|(w, o)| w * o.exp())
                .sum::<f64>()
                .max(1e-300);
        let mut beta = vec![0.0; p];
        beta[0] = mean_rate.max(1e-12).ln();
        let eta = |beta: &[f64], i: usize| {
            beta[0] + offset[i] + rows[i].iter().zip(&beta[1..]).map(|(x, b)| x * b).sum::<f64>()
        };
        let objective = |beta: &[f64]| -> f64 {
            let mut s = 0.0;
            for i in 0..rows.len() {
                let e = eta(beta, i);
                s += weight[i] * (e.exp() - y[i] * e);
            }
            s / total_w + 0.5 * ridge * beta[1..].iter().map(|b| b * b).sum::<f64>()
        };
        let mut current = objective(&beta);
        let mut iterations = 0;
        for it in 0..50 {
            iterations = it + 1;
            let mut grad = vec![0.0; p];
            let mut hess = vec![0.0; p * p];
            for i in 0..rows.len() {
                let mu = eta(&beta, i).exp();
                let r = weight[i] * (y[i] - mu) / total_w;
                let h = weight[i] * mu / total_w;
                let x = |k: usize| if k == 0 { 1.0 } else { rows[i][k - 1] };
                for a in 0..p {
                    let xa = x(a);
                    grad[a] += r * xa;
                    for b in 0..=a {
                        hess[a * p + b] += h * xa * x(b);
                    }
                }
            }
            for a in 0..p {
                for b in 0..a {
                    hess[b * p + a] = hess[a * p + b];
                }
                if a > 0 {
                    grad[a] -= ridge * beta[a];
                    hess[a * p + a] += ridge;
                }
                hess[a * p + a] += 1e-12;
            }
            let Some(step) = cholesky_solve(&hess, &grad, p) else {
                break;
            };
            let mut t = 1.0;
            let mut improved = false;
            for _ in 0..30 {
                let trial: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + t * s).collect();
                let value = objective(&trial);
                if value.is_finite() && value <= current {
                    let gain = current - value;
                    beta = trial;
                    current = value;
                    improved = gain > 1e-12;
                    break;
                }
                t *= 0.5;
            }
            if !improved {
                break;
            }
        }
        PoissonGlm {
            coef: beta,
            iterations,
            deviance: current,
        }
    }

    /// Linear predictor without offset.
    pub fn eta(&self, features: &[f64]) -> f64 {
        self.coef[0] + features.iter().zip(&self.coef[1..]).map(|(x, b)| x * b).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn recovers_coefficients_of_simulated_counts() {
        let mut rng = Rng::new(3);
        let (mut rows, mut y) = (Vec::new(), Vec::new());
        for _ in 0..20_000 {
            let x1 = rng.f64() * 2.0 - 1.0;
            let x2 = rng.f64();
            let lambda = (0.3 + 0.8 * x1 - 0.5 * x2).exp();
            // Poisson draw by inversion
            let (mut k, mut p, mut s) = (0.0, (-lambda).exp(), 0.0);
            let u = rng.f64();
            s += p;
            while u > s {
                k += 1.0;
                p *= lambda / k;
                s += p;
            }
            rows.push(vec![x1, x2]);
            y.push(k);
        }
        let n = rows.len();
        let fit = PoissonGlm::fit(&rows, &y, &vec![1.0; n], &vec![0.0; n], 0.0);
        let want = [0.3, 0.8, -0.5];
        for (c, w) in fit.coef.iter().zip(want) {
            assert!((c - w).abs() < 0.05, "{:?}", fit.coef);
        }
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let x = cholesky_solve(&a, &[2.0, 1.0], 2).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12);
    }
}
