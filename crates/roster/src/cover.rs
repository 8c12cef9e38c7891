//! Crews per day and shift from the crews each hour needs, when shifts
//! overlap: a peak shift over the evening, a 24-hour duty over the day's
//! shifts. Each hour's need is met by the crews of every shift working it,
//! at the fewest crew-hours; and a flexible shift (弹性勤务) is placed where
//! the other shifts would spend the most to cover the need.
//!
//! A shift works one interval of the horizon's hours, so the covering
//! matrix has consecutive ones in each column and is totally unimodular:
//! the linear programme's optimal vertex is whole crews.

use crate::station::StationShift;
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
use std::ops::Range;

/// Hours of the horizon (from day 0, 00:00) that shift `s` of day `d` works.
pub(crate) fn hours(shift: &StationShift, day: usize, horizon: usize) -> Range<usize> {
    let start = day * 24 * 60 + shift.start_minute as usize;
    let end = start + shift.minutes as usize;
    (start / 60).min(horizon)..end.div_ceil(60).min(horizon)
}

/// Crews `[day][shift]` that, with `on[hour]` crews already working,
/// give every hour its `need[hour]` (hours no shift works are left out),
/// at the fewest crew-minutes. `need` and `on` cover `days · 24` hours.
pub fn crews_for(need: &[u32], on: &[u32], days: usize, shifts: &[StationShift]) -> Vec<Vec<u32>> {
    let horizon = days * 24;
    let short: Vec<u32> = (0..horizon)
        .map(|h| {
            need.get(h)
                .copied()
                .unwrap_or(0)
                .saturating_sub(on.get(h).copied().unwrap_or(0))
        })
        .collect();
    let mut crews = vec![vec![0u32; shifts.len()]; days];
    if short.iter().all(|&n| n == 0) {
        return crews;
    }
    // Each hour's shortfall on its own is covered by one shift working it; the
    // programme only chooses which, so its answer is kept if it is whole and covers.
    if let Some(x) = solve(&short, days, shifts) {
        crews = x;
    }
    fill_and_trim(&short, shifts, &mut crews);
    crews
}

fn solve(short: &[u32], days: usize, shifts: &[StationShift]) -> Option<Vec<Vec<u32>>> {
    let horizon = short.len();
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    let mut by_hour: Vec<Vec<microlp::Variable>> = vec![Vec::new(); horizon];
    let mut vars = vec![Vec::with_capacity(shifts.len()); days];
    for (d, row) in vars.iter_mut().enumerate() {
        for s in shifts {
            let span = hours(s, d, horizon);
            let most = span.clone().map(|h| short[h]).max().unwrap_or(0);
            let v = problem.add_var(f64::from(s.minutes), (0.0, f64::from(most)));
            for h in span {
                by_hour[h].push(v);
            }
            row.push(v);
        }
    }
    for (h, vs) in by_hour.iter().enumerate() {
        if short[h] > 0 && !vs.is_empty() {
            let mut e = LinearExpr::empty();
            for &v in vs {
                e.add(v, 1.0);
            }
            problem.add_constraint(e, ComparisonOp::Ge, f64::from(short[h]));
        }
    }
    let microlp::SolveOutcome::Solution(solution) = problem.solve().ok()? else {
        return None;
    };
    Some(
        vars.iter()
            .map(|row| {
                row.iter()
                    .map(|&v| (solution.var_value(v) - 1e-6).ceil().max(0.0) as u32)
                    .collect()
            })
            .collect(),
    )
}

/// Covers any hour still short (with the shift of that hour that covers the
/// most shortfall), then takes away crews no hour needs, longest shifts first.
fn fill_and_trim(short: &[u32], shifts: &[StationShift], crews: &mut [Vec<u32>]) {
    let horizon = short.len();
    let days = crews.len();
    let mut have = vec![0u32; horizon];
    for (d, row) in crews.iter().enumerate() {
        for (s, &n) in row.iter().enumerate() {
            for h in hours(&shifts[s], d, horizon) {
                have[h] += n;
            }
        }
    }
    let covering = |h: usize| {
        (0..days)
            .flat_map(|d| (0..shifts.len()).map(move |s| (d, s)))
            .filter(move |&(d, s)| hours(&shifts[s], d, horizon).contains(&h))
    };
    for h in 0..horizon {
        while have[h] < short[h] {
            let gain = |&(d, s): &(usize, usize)| hours(&shifts[s], d, horizon).filter(|&k| have[k] < short[k]).count();
            let Some((d, s)) = covering(h).max_by_key(gain) else {
                break;
            };
            crews[d][s] += 1;
            for k in hours(&shifts[s], d, horizon) {
                have[k] += 1;
            }
        }
    }
    let mut order: Vec<(usize, usize)> = (0..days).flat_map(|d| (0..shifts.len()).map(move |s| (d, s))).collect();
    order.sort_by_key(|&(_, s)| std::cmp::Reverse(shifts[s].minutes));
    for (d, s) in order {
        while crews[d][s] > 0 && hours(&shifts[s], d, horizon).all(|k| have[k] > short[k]) {
            crews[d][s] -= 1;
            for k in hours(&shifts[s], d, horizon) {
                have[k] -= 1;
            }
        }
    }
}

/// Crew-minutes of `crews` over the horizon.
fn crew_minutes(crews: &[Vec<u32>], shifts: &[StationShift]) -> u64 {
    crews
        .iter()
        .flat_map(|row| {
            row.iter()
                .zip(shifts)
                .map(|(&n, s)| u64::from(n) * u64::from(s.minutes))
        })
        .sum()
}

/// Places each flexible shift (in `flexible`) at the whole hour where the
/// need is met at the fewest crew-minutes, judged on the first week; a tie
/// keeps the shift's configured start. Night flags follow the new start.
pub fn place_flexible(need: &[u32], on: &[u32], days: usize, shifts: &mut [StationShift], flexible: &[bool]) {
    let week = days.min(7);
    for s in 0..shifts.len() {
        if !flexible.get(s).copied().unwrap_or(false) {
            continue;
        }
        let configured = shifts[s].start_minute;
        let cost = |start: u32, shifts: &mut [StationShift]| {
            shifts[s].start_minute = start;
            crew_minutes(&crews_for(need, on, week, shifts), shifts)
        };
        let mut best = (cost(configured, shifts), configured);
        for hour in 0..24 {
            let start = hour * 60;
            let c = cost(start, shifts);
            if c < best.0 {
                best = (c, start);
            }
        }
        shifts[s].start_minute = best.1;
        shifts[s].night = works_night(best.1, shifts[s].minutes);
    }
}

/// A shift from `start` for `minutes` works some of 00:00–06:00.
pub fn works_night(start: u32, minutes: u32) -> bool {
    start < 360 || start + minutes > 1440
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shift(code: &str, start_hour: u32, hours: u32) -> StationShift {
        StationShift {
            code: code.into(),
            start_minute: start_hour * 60,
            minutes: hours * 60,
            night: works_night(start_hour * 60, hours * 60),
            flexible: code == "peak",
        }
    }

    fn three() -> Vec<StationShift> {
        vec![shift("day", 8, 8), shift("evening", 16, 8), shift("night", 0, 8)]
    }

    fn covered(crews: &[Vec<u32>], shifts: &[StationShift], horizon: usize) -> Vec<u32> {
        let mut have = vec![0; horizon];
        for (d, row) in crews.iter().enumerate() {
            for (s, &n) in row.iter().enumerate() {
                for h in hours(&shifts[s], d, horizon) {
                    have[h] += n;
                }
            }
        }
        have
    }

    #[test]
    fn partitioning_shifts_take_their_busiest_hour() {
        let mut need = vec![1u32; 24];
        need[9] = 3;
        need[20] = 2;
        let c = crews_for(&need, &[], 1, &three());
        assert_eq!(c, vec![vec![3, 2, 1]]);
    }

    #[test]
    fn a_peak_shift_takes_the_evening_spike_instead_of_a_whole_evening_crew() {
        let mut shifts = three();
        shifts.push(shift("peak", 17, 6));
        let mut need = vec![2u32; 24];
        for n in &mut need[18..22] {
            *n = 4;
        }
        let c = crews_for(&need, &[], 1, &shifts);
        // Two more crews for 18–22: two peak crews (12 h) rather than two evening crews (16 h).
        assert_eq!(c, vec![vec![2, 2, 2, 2]]);
    }

    #[test]
    fn crews_already_on_count() {
        let need = vec![3u32; 24];
        let on = vec![2u32; 24];
        assert_eq!(crews_for(&need, &on, 1, &three()), vec![vec![1, 1, 1]]);
        assert_eq!(crews_for(&need, &need, 1, &three()), vec![vec![0, 0, 0]]);
    }

    #[test]
    fn the_flexible_shift_moves_to_the_spike() {
        let mut shifts = vec![shift("duty24", 8, 24), shift("peak", 17, 6)];
        let mut need = vec![1u32; 7 * 24];
        for d in 0..7 {
            for n in &mut need[d * 24 + 10..d * 24 + 14] {
                *n = 3;
            }
        }
        place_flexible(&need, &[], 7, &mut shifts, &[false, true]);
        assert!(
            (5 * 60..=10 * 60).contains(&shifts[1].start_minute),
            "{}",
            shifts[1].start_minute
        );
        assert!(!shifts[1].night);
        // Nothing to gain: the configured start stays.
        let mut flat = vec![shift("duty24", 8, 24), shift("peak", 17, 6)];
        place_flexible(&vec![1; 7 * 24], &[], 7, &mut flat, &[false, true]);
        assert_eq!(flat[1].start_minute, 17 * 60);
    }

    proptest! {
        /// Every hour a shift works is covered, and no crew can be taken away.
        #[test]
        fn covers_every_workable_hour_with_no_crew_to_spare(
            need in proptest::collection::vec(0u32..5, 48),
            peak_start in 0u32..24,
        ) {
            let mut shifts = three();
            shifts.push(shift("peak", peak_start, 6));
            shifts.push(shift("duty24", 8, 24));
            let crews = crews_for(&need, &[], 2, &shifts);
            let have = covered(&crews, &shifts, 48);
            for h in 0..48 {
                prop_assert!(have[h] >= need[h], "hour {h}: {} < {}", have[h], need[h]);
            }
            for (d, row) in crews.iter().enumerate() {
                for (s, &n) in row.iter().enumerate() {
                    if n > 0 {
                        let span = hours(&shifts[s], d, 48);
                        prop_assert!(span.clone().any(|h| have[h] == need[h]), "day {d} shift {s} spare");
                    }
                }
            }
        }

        /// Never more crew-minutes than each shift alone at its busiest hour.
        #[test]
        fn no_dearer_than_the_three_shifts_alone(need in proptest::collection::vec(0u32..6, 24)) {
            let mut shifts = three();
            shifts.push(shift("peak", 17, 6));
            let with_peak = crew_minutes(&crews_for(&need, &[], 1, &shifts), &shifts);
            let plain = three();
            let without = crew_minutes(&crews_for(&need, &[], 1, &plain), &plain);
            prop_assert!(with_peak <= without);
        }
    }
}
