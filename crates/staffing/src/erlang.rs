//! Erlang C: calls arrive at random (Poisson) and take exponentially
//! distributed time; `servers` crews answer them in order, the rest wait.
//! Offered load (intensity) `a = λ · service time`, in crews.

use crate::{StaffingError, check};

/// The most crews a search for the number needed will consider.
pub const MAX_SERVERS: u32 = 10_000;

/// Offered load in crews: calls per hour × minutes per call / 60.
pub fn intensity(calls_per_hour: f64, service_minutes: f64) -> Result<f64, StaffingError> {
    check(
        "calls per hour",
        calls_per_hour,
        calls_per_hour >= 0.0,
        "must be zero or more",
    )?;
    check(
        "service minutes",
        service_minutes,
        service_minutes > 0.0,
        "must be above zero",
    )?;
    Ok(calls_per_hour * service_minutes / 60.0)
}

/// Erlang B by its stable recursion: the share of calls that find all `n`
/// crews busy (lost, were there no queue).
pub fn erlang_b(n: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// The probability that a call waits for a crew (Erlang C); 1 when the
/// crews cannot keep up (`n ≤ a`).
pub fn wait_probability(n: u32, a: f64) -> f64 {
    if f64::from(n) <= a {
        return 1.0;
    }
    let b = erlang_b(n, a);
    let n = f64::from(n);
    n * b / (n - a * (1.0 - b))
}

/// The share of calls answered within `target` (in the same unit as the
/// service time: `target_over_service = target / service time`):
/// `1 − P_wait · e^{−(n − a)·t/h}`.
pub fn service_level(n: u32, a: f64, target_over_service: f64) -> f64 {
    if f64::from(n) <= a {
        return 0.0;
    }
    1.0 - wait_probability(n, a) * (-(f64::from(n) - a) * target_over_service).exp()
}

/// Mean wait in units of the service time: `P_wait / (n − a)`.
pub fn mean_wait_over_service(n: u32, a: f64) -> f64 {
    if f64::from(n) <= a {
        f64::INFINITY
    } else {
        wait_probability(n, a) / (f64::from(n) - a)
    }
}

/// The fewest crews whose service level reaches `level`, searched from
/// ⌊a⌋ + 1 — the fewest that can keep up at all — upwards.
pub fn servers_needed(a: f64, target_over_service: f64, level: f64) -> Result<u32, StaffingError> {
    check("offered load", a, a >= 0.0, "must be zero or more")?;
    check(
        "target / service time",
        target_over_service,
        target_over_service >= 0.0,
        "must be zero or more",
    )?;
    check(
        "service level",
        level,
        level > 0.0 && level < 1.0,
        "must be between 0 and 1",
    )?;
    if a > f64::from(MAX_SERVERS) {
        return Err(StaffingError::TooMany(MAX_SERVERS));
    }
    let mut n = a.floor() as u32 + 1;
    while service_level(n, a, target_over_service) < level {
        n += 1;
        if n > MAX_SERVERS {
            return Err(StaffingError::TooMany(MAX_SERVERS));
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 5e-7, "{a} vs {b}");
    }

    /// The vectors of issue 19: (calls per hour, service minutes, target
    /// minutes, crews, service level, wait probability).
    const VECTORS: [(f64, f64, f64, u32, f64, f64); 6] = [
        (20.0, 6.0, 5.0, 3, 0.806845, 0.444444),
        (20.0, 6.0, 5.0, 4, 0.967152, 0.173913),
        (200.0, 3.0, 20.0 / 60.0, 13, 0.795595, 0.285270),
        (200.0, 3.0, 20.0 / 60.0, 14, 0.888350, 0.174132),
        (6.0, 45.0, 10.0, 6, 0.697873, 0.421652),
        (6.0, 45.0, 10.0, 7, 0.875369, 0.217221),
    ];

    #[test]
    fn published_vectors() {
        for (calls, service, target, n, sl, pw) in VECTORS {
            let a = intensity(calls, service).unwrap();
            close(wait_probability(n, a), pw);
            close(service_level(n, a, target / service), sl);
        }
    }

    #[test]
    fn the_search_starts_at_the_fewest_crews_that_keep_up() {
        // a = 2.5, a 50 % target: 3 crews give 0.537050 — not 4 as a search
        // starting at round(a + 1) answers.
        let a = intensity(25.0, 6.0).unwrap();
        close(service_level(3, a, 5.0 / 6.0), 0.537050);
        assert_eq!(servers_needed(a, 5.0 / 6.0, 0.5).unwrap(), 3);
        // 20 calls/h, 6 min, 80 % within 5 min: 3 crews (0.806845); 90 %: 4.
        assert_eq!(servers_needed(2.0, 5.0 / 6.0, 0.8).unwrap(), 3);
        assert_eq!(servers_needed(2.0, 5.0 / 6.0, 0.9).unwrap(), 4);
        assert_eq!(servers_needed(0.0, 1.0, 0.9).unwrap(), 1);
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(intensity(-1.0, 6.0).is_err());
        assert!(intensity(10.0, 0.0).is_err());
        assert!(servers_needed(f64::NAN, 1.0, 0.8).is_err());
        assert!(servers_needed(2.0, 1.0, 1.0).is_err());
        assert_eq!(servers_needed(1e9, 1.0, 0.8), Err(StaffingError::TooMany(MAX_SERVERS)));
        assert_eq!(wait_probability(2, 2.0), 1.0);
        assert_eq!(service_level(1, 2.0, 1.0), 0.0);
    }

    proptest! {
        /// More crews never make waiting likelier or service worse, and the
        /// number found is the first that reaches the level.
        #[test]
        fn monotone_and_minimal(a in 0.0f64..200.0, t in 0.0f64..3.0, level in 0.05f64..0.99) {
            let n = servers_needed(a, t, level).unwrap();
            prop_assert!(service_level(n, a, t) >= level);
            if n > a.floor() as u32 + 1 {
                prop_assert!(service_level(n - 1, a, t) < level);
            }
            prop_assert!(wait_probability(n + 1, a) <= wait_probability(n, a) + 1e-12);
            prop_assert!((0.0..=1.0).contains(&wait_probability(n, a)));
        }
    }
}
