//! A fixed number of crew-shifts shared out over stations' shifts so that
//! the most calls find a crew free at once: the same person-hours as an even
//! roster, placed where and when the calls are.
//!
//! The calls a shift's crews take at once, `Σ λ·(1 − B(n, a))` over its hours
//! (Erlang B), grow by less with every crew added (the carried load is
//! concave in `n`), so adding crews one at a time where the next does most
//! is optimal. Erlang C's "answered within the target" is not used here: it
//! counts nothing for a shift whose crews cannot keep up, and would send
//! crews away from the busiest hours when the budget is short.

use crate::StaffingError;
use crate::erlang::{MAX_SERVERS, erlang_b, intensity};

/// The most crew-shifts one allocation shares out.
pub const MAX_BUDGET: u64 = 1_000_000;

/// A shift's next crew: the most gain first, then the fewest crews, then the earliest shift.
struct Next {
    gain: f64,
    crews: u32,
    shift: usize,
}

impl Ord for Next {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then(other.crews.cmp(&self.crews))
            .then(other.shift.cmp(&self.shift))
    }
}

impl PartialOrd for Next {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Next {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Next {}

/// Calls per hour that `n` crews take at once, summed over a shift's hours.
pub fn taken_at_once(calls_per_hour: &[f64], service_minutes: f64, n: u32) -> f64 {
    calls_per_hour
        .iter()
        .map(|&l| l * (1.0 - erlang_b(n, l * service_minutes / 60.0)))
        .sum()
}

/// Crews for each shift (`shifts[k]` = its calls per hour, hour by hour),
/// `budget` in all and at least `floor` each, added one at a time where one
/// more crew takes the most calls at once. Where no crew takes more, crews
/// go to the shifts that have the fewest.
pub fn share_out(
    shifts: &[Vec<f64>],
    service_minutes: f64,
    floor: u32,
    budget: u64,
) -> Result<Vec<u32>, StaffingError> {
    intensity(0.0, service_minutes)?;
    for &l in shifts.iter().flatten() {
        intensity(l, service_minutes)?;
    }
    let least = u64::from(floor) * shifts.len() as u64;
    if budget > MAX_BUDGET || budget > u64::from(MAX_SERVERS) * shifts.len() as u64 {
        return Err(StaffingError::TooMany(MAX_SERVERS));
    }
    if budget < least {
        return Err(StaffingError::Input {
            what: "crew-shifts",
            value: budget as f64,
            why: "fewer than the least every shift keeps",
        });
    }
    let gain = |k: usize, n: u32| {
        taken_at_once(&shifts[k], service_minutes, n + 1) - taken_at_once(&shifts[k], service_minutes, n)
    };
    let mut crews = vec![floor; shifts.len()];
    // Only the shift given a crew changes its gain, so a heap of one entry per shift stays true.
    let mut next: std::collections::BinaryHeap<Next> = (0..shifts.len())
        .map(|k| Next {
            gain: gain(k, floor),
            crews: floor,
            shift: k,
        })
        .collect();
    for _ in least..budget {
        let Some(mut best) = next.pop() else {
            break;
        };
        best.crews += 1;
        crews[best.shift] = best.crews;
        best.gain = gain(best.shift, best.crews);
        next.push(best);
    }
    Ok(crews)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_same_crews_go_where_the_calls_are() {
        // A quiet night, a busy evening, a middling day: 6 crew-shifts, at least 1 each.
        let shifts = [vec![0.5; 8], vec![6.0; 8], vec![2.0; 8]];
        let crews = share_out(&shifts, 45.0, 1, 6).unwrap();
        assert_eq!(crews.iter().sum::<u32>(), 6);
        assert!(crews[1] > crews[2] && crews[2] >= crews[0], "{crews:?}");
        assert!(total45(&shifts, &crews) > total45(&shifts, &[2, 2, 2]));
        // Without calls the crews are spread evenly.
        let quiet = [vec![0.0; 8], vec![0.0; 8], vec![0.0; 8]];
        assert_eq!(share_out(&quiet, 45.0, 1, 7).unwrap(), [3, 2, 2]);
        // The floor alone.
        assert_eq!(share_out(&shifts, 45.0, 2, 6).unwrap(), [2, 2, 2]);
    }

    #[test]
    fn one_crew_takes_what_erlang_b_says() {
        // a = 1.5: B(1) = 1.5 / 2.5, so one crew takes 40 % of 2 calls an hour.
        assert!((taken_at_once(&[2.0], 45.0, 1) - 0.8).abs() < 1e-12);
        assert_eq!(taken_at_once(&[2.0], 45.0, 0), 0.0);
    }

    #[test]
    fn nonsense_is_refused() {
        let s = [vec![1.0; 8]];
        assert!(share_out(&s, 0.0, 1, 3).is_err());
        assert!(share_out(&[vec![-1.0]], 45.0, 1, 3).is_err());
        assert!(share_out(&s, 45.0, 4, 3).is_err());
        assert!(share_out(&s, 45.0, 1, MAX_BUDGET + 1).is_err());
    }

    fn total45(shifts: &[Vec<f64>], crews: &[u32]) -> f64 {
        shifts.iter().zip(crews).map(|(s, &n)| taken_at_once(s, 45.0, n)).sum()
    }

    fn total(shifts: &[Vec<f64>], crews: &[u32]) -> f64 {
        shifts.iter().zip(crews).map(|(s, &n)| taken_at_once(s, 30.0, n)).sum()
    }

    proptest! {
        /// The budget is used exactly, the floor kept, and no allocation
        /// that moves one crew from one shift to another does better.
        #[test]
        fn exact_budget_and_no_better_single_move(
            loads in proptest::collection::vec(0.0f64..12.0, 2..6),
            floor in 0u32..2,
            extra in 0u64..14,
        ) {
            let shifts: Vec<Vec<f64>> = loads.iter().map(|&l| vec![l, l * 0.5, l * 1.5]).collect();
            let budget = u64::from(floor) * shifts.len() as u64 + extra;
            let crews = share_out(&shifts, 30.0, floor, budget).unwrap();
            prop_assert_eq!(crews.iter().map(|&c| u64::from(c)).sum::<u64>(), budget);
            prop_assert!(crews.iter().all(|&c| c >= floor));
            let best = total(&shifts, &crews);
            for from in 0..crews.len() {
                for to in 0..crews.len() {
                    if from != to && crews[from] > floor {
                        let mut moved = crews.clone();
                        moved[from] -= 1;
                        moved[to] += 1;
                        prop_assert!(total(&shifts, &moved) <= best + 1e-9 * (1.0 + best));
                    }
                }
            }
        }
    }
}
