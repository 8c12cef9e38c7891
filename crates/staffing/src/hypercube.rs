//! Larson's hypercube queueing model: crews (units) answer calls from
//! areas (atoms), each area calling its crews in an order of preference
//! (the nearest first); a call goes to the first free crew in its list, or
//! waits for the first crew to free when all are busy. The model gives each
//! crew's workload and, for each area, the share of its calls each crew
//! answers — so the response time of an area counts the calls its own crew
//! is too busy to take. `exact` solves the 2^N-state chain; `approximate`
//! is Larson's (1975) procedure with the correction factors Q(N, ρ, j),
//! for any number of crews. Larson & Odoni, *Urban Operations Research*,
//! §5.4–5.5.

use crate::{StaffingError, check, erlang};

/// Most crews solved exactly (2^N states).
pub const MAX_EXACT_UNITS: usize = 14;
/// Most crews × areas the approximation takes on.
pub const MAX_UNIT_ATOMS: usize = 10_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Atom {
    /// Calls per hour from this area.
    pub calls_per_hour: f64,
    /// Every crew, the first called first.
    pub preference: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub units: usize,
    /// Mean time a call occupies a crew, in minutes.
    pub service_minutes: f64,
    pub atoms: Vec<Atom>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    /// Share of time each crew is busy.
    pub workload: Vec<f64>,
    /// Probability that a call finds every crew busy and waits.
    pub queue_probability: f64,
    /// `dispatch[atom][unit]`: the share of the area's calls the crew answers.
    pub dispatch: Vec<Vec<f64>>,
}

impl Region {
    fn validate(&self) -> Result<f64, StaffingError> {
        let n = self.units;
        check("crews", n as f64, n >= 1, "at least one")?;
        check(
            "service minutes",
            self.service_minutes,
            self.service_minutes > 0.0,
            "must be above zero",
        )?;
        check(
            "crews × areas",
            (n * self.atoms.len()) as f64,
            n.saturating_mul(self.atoms.len()) <= MAX_UNIT_ATOMS,
            "too many to model",
        )?;
        let mut seen = vec![false; n];
        for a in &self.atoms {
            check(
                "calls per hour",
                a.calls_per_hour,
                a.calls_per_hour >= 0.0,
                "must be zero or more",
            )?;
            seen.iter_mut().for_each(|s| *s = false);
            let complete = a.preference.len() == n
                && a.preference
                    .iter()
                    .all(|&u| u < n && !std::mem::replace(&mut seen[u], true));
            check(
                "preference length",
                a.preference.len() as f64,
                complete,
                "must list every crew once",
            )?;
        }
        let load = self.offered_load();
        check(
            "offered load",
            load,
            load < n as f64,
            "the crews cannot keep up (load must be below the number of crews)",
        )?;
        Ok(load / n as f64)
    }

    /// Calls per hour × hours per call: crews' worth of work.
    pub fn offered_load(&self) -> f64 {
        self.atoms.iter().map(|a| a.calls_per_hour).sum::<f64>() * self.service_minutes / 60.0
    }

    /// The 2^N-state chain solved by Gauss–Seidel; the states with a queue
    /// are one aggregate (their distribution is geometric).
    pub fn exact(&self) -> Result<Performance, StaffingError> {
        let rho = self.validate()?;
        let n = self.units;
        check(
            "crews",
            n as f64,
            n <= MAX_EXACT_UNITS,
            "too many to solve exactly; use the approximation",
        )?;
        let mu = 60.0 / self.service_minutes;
        let full = (1usize << n) - 1;
        // rate_to[state * n + u]: calls per hour that go to crew u in this state.
        let mut rate_to = vec![0.0; (full + 1) * n];
        for state in 0..full {
            for a in &self.atoms {
                let u = first_free(&a.preference, state);
                rate_to[state * n + u] += a.calls_per_hour;
            }
        }
        let out_rate = |state: usize| -> f64 {
            if state == full {
                n as f64 * mu * (1.0 - rho)
            } else {
                rate_to[state * n..(state + 1) * n].iter().sum::<f64>() + state.count_ones() as f64 * mu
            }
        };
        // A crew finishing in the full aggregate frees itself only when no call waits.
        let finish = |state: usize| if state == full { mu * (1.0 - rho) } else { mu };
        let mut p = vec![1.0 / (full + 1) as f64; full + 1];
        const SWEEPS: usize = 200_000;
        for sweep in 0.. {
            if sweep == SWEEPS {
                return Err(StaffingError::NoConvergence(SWEEPS));
            }
            let mut change: f64 = 0.0;
            for state in 0..=full {
                let mut inflow = 0.0;
                for u in 0..n {
                    let bit = 1 << u;
                    if state & bit != 0 {
                        let before = state & !bit;
                        inflow += p[before] * rate_to[before * n + u];
                    } else {
                        let after = state | bit;
                        inflow += p[after] * finish(after);
                    }
                }
                let out = out_rate(state);
                let next = if out > 0.0 { inflow / out } else { p[state] };
                change = change.max((next - p[state]).abs());
                p[state] = next;
            }
            let total: f64 = p.iter().sum();
            p.iter_mut().for_each(|x| *x /= total);
            if change < 1e-14 {
                break;
            }
        }
        let workload = (0..n)
            .map(|u| (0..=full).filter(|s| s & (1 << u) != 0).map(|s| p[s]).sum())
            .collect();
        let queue_probability = p[full];
        let dispatch = self
            .atoms
            .iter()
            .map(|a| {
                let mut row = vec![queue_probability / n as f64; n];
                for (state, &ps) in p.iter().enumerate().take(full) {
                    let u = first_free(&a.preference, state);
                    row[u] += ps;
                }
                row
            })
            .collect();
        Ok(Performance {
            workload,
            queue_probability,
            dispatch,
        })
    }

    /// Larson's approximation: each crew's workload from the chance that
    /// the crews an area prefers are busy, taken as independent and then
    /// corrected by Q(N, ρ, j); iterated to a fixed point.
    pub fn approximate(&self) -> Result<Performance, StaffingError> {
        let rho = self.validate()?;
        let n = self.units;
        let mu = 60.0 / self.service_minutes;
        let total: f64 = self.atoms.iter().map(|a| a.calls_per_hour).sum();
        let q: Vec<f64> = (0..n).map(|j| correction(n, rho, j)).collect();
        let queue_probability = erlang::wait_probability(n as u32, rho * n as f64);
        let queued = total * queue_probability / n as f64 / mu;
        let mut workload = vec![rho; n];
        const ITERATIONS: usize = 10_000;
        for iteration in 0.. {
            if iteration == ITERATIONS {
                return Err(StaffingError::NoConvergence(ITERATIONS));
            }
            let mut v = vec![0.0; n];
            for a in &self.atoms {
                let mut busy_before = 1.0;
                for (k, &u) in a.preference.iter().enumerate() {
                    v[u] += a.calls_per_hour / mu * q[k] * busy_before;
                    busy_before *= workload[u];
                }
            }
            let mut change: f64 = 0.0;
            for u in 0..n {
                let next = (v[u] + queued) / (1.0 + v[u]);
                change = change.max((next - workload[u]).abs());
                workload[u] = next;
            }
            if change < 1e-12 {
                break;
            }
        }
        let dispatch = self
            .atoms
            .iter()
            .map(|a| {
                let mut row = vec![0.0; n];
                let mut busy_before = 1.0;
                for (k, &u) in a.preference.iter().enumerate() {
                    row[u] = q[k] * busy_before * (1.0 - workload[u]);
                    busy_before *= workload[u];
                }
                let served: f64 = row.iter().sum();
                // Calls that find all busy go to whichever crew frees first.
                row.iter_mut()
                    .for_each(|x| *x = *x / served * (1.0 - queue_probability) + queue_probability / n as f64);
                row
            })
            .collect();
        Ok(Performance {
            workload,
            queue_probability,
            dispatch,
        })
    }
}

/// ln k! for k = 0..=n.
fn ln_factorials(n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n + 1];
    for k in 1..=n {
        out[k] = out[k - 1] + (k as f64).ln();
    }
    out
}

/// Larson's correction factor Q(N, ρ, j): the probability that a given j
/// crews are busy and a given other crew is free, over what independence
/// would say (ρ^j (1 − ρ)), in an M/M/N system where which crews are busy
/// is equally likely among those of the same number.
pub fn correction(n: usize, rho: f64, j: usize) -> f64 {
    if j >= n || rho <= 0.0 || rho >= 1.0 {
        return 1.0;
    }
    let a = rho * n as f64;
    let lf = ln_factorials(n);
    // ln of the unnormalised M/M/N state probabilities, k < N, and the
    // queue states' total a^N / (N! (1 − ρ)).
    let ln_p: Vec<f64> = (0..n).map(|k| k as f64 * a.ln() - lf[k]).collect();
    let ln_queue = n as f64 * a.ln() - lf[n] - (1.0 - rho).ln();
    let top = ln_p.iter().copied().fold(ln_queue, f64::max);
    let norm = ln_p.iter().map(|l| (l - top).exp()).sum::<f64>() + (ln_queue - top).exp();
    let ln_choose = |m: usize, r: usize| lf[m] - lf[r] - lf[m - r];
    let sum: f64 = (j..n)
        .zip(&ln_p[j..])
        .map(|(k, lp)| (lp - top).exp() / norm * (ln_choose(n - j - 1, k - j) - ln_choose(n, k)).exp())
        .sum();
    sum / (rho.powi(j as i32) * (1.0 - rho))
}

/// The first crew in an area's preference list that is free in `state`
/// (a bit set per busy crew); only asked of states with a free crew.
fn first_free(preference: &[usize], state: usize) -> usize {
    preference
        .iter()
        .copied()
        .find(|&u| state & (1 << u) == 0)
        .expect("a state with a free crew")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    /// Larson & Odoni §5.4–5.5: three cars at utilisation ½.
    #[test]
    fn published_three_car_figures() {
        close(correction(3, 0.5, 0), 1.0, 5e-6);
        close(correction(3, 0.5, 1), 0.73684, 5e-6);
        close(correction(3, 0.5, 2), 0.63158, 5e-6);
        close(erlang::wait_probability(3, 1.5), 0.23684, 5e-6);
    }

    /// Three areas, each with its own car first and the others after.
    fn three_areas(rates: [f64; 3]) -> Region {
        Region {
            units: 3,
            service_minutes: 60.0,
            atoms: vec![
                Atom {
                    calls_per_hour: rates[0],
                    preference: vec![0, 1, 2],
                },
                Atom {
                    calls_per_hour: rates[1],
                    preference: vec![1, 2, 0],
                },
                Atom {
                    calls_per_hour: rates[2],
                    preference: vec![2, 0, 1],
                },
            ],
        }
    }

    #[test]
    fn exact_chain_agrees_with_erlang_in_total() {
        let r = three_areas([0.5, 0.5, 0.5]);
        let exact = r.exact().unwrap();
        close(exact.queue_probability, 0.23684, 5e-6);
        close(exact.workload.iter().sum::<f64>(), 1.5, 1e-9);
        for row in &exact.dispatch {
            close(row.iter().sum::<f64>(), 1.0, 1e-9);
        }
        // Symmetric areas: every car equally busy, its own area's calls mostly its own.
        for u in 0..3 {
            close(exact.workload[u], 0.5, 1e-9);
            assert!(exact.dispatch[u][u] > 0.5);
        }
    }

    #[test]
    fn approximation_is_close_to_the_exact_chain() {
        let r = three_areas([0.9, 0.4, 0.2]);
        let exact = r.exact().unwrap();
        let approx = r.approximate().unwrap();
        close(approx.queue_probability, exact.queue_probability, 1e-9);
        for u in 0..3 {
            close(approx.workload[u], exact.workload[u], 0.02);
        }
        for (a, e) in approx.dispatch.iter().zip(&exact.dispatch) {
            for u in 0..3 {
                close(a[u], e[u], 0.03);
            }
        }
        // The busy area's car is the busiest and answers fewer of its own calls.
        assert!(exact.workload[0] > exact.workload[1] && exact.workload[1] > exact.workload[2]);
        assert!(exact.dispatch[0][0] < exact.dispatch[2][2]);
    }

    #[test]
    fn bad_regions_are_refused() {
        let mut r = three_areas([1.0, 1.0, 1.5]);
        assert!(r.exact().is_err(), "load 3.5 on 3 crews");
        r = three_areas([0.1, 0.1, 0.1]);
        r.atoms[0].preference = vec![0, 0, 1];
        assert!(r.approximate().is_err());
        r.atoms[0].preference = vec![0, 1];
        assert!(r.exact().is_err());
        let big = Region {
            units: 20,
            service_minutes: 30.0,
            atoms: Vec::new(),
        };
        assert!(big.exact().is_err());
        assert!(big.approximate().is_ok());
    }
}
