//! Within each unit's area, a visiting schedule over its hottest cells for
//! the shift: short visits (15 minutes by default, after Koper 1995: longer
//! stops add little deterrence) in a nearest-neighbour round from where the
//! unit stands, repeated until the shift ends.

use crate::deploy::{DeployInput, PlacedUnit, Xy};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    /// Demand point visited.
    pub at: u32,
    pub xy: Xy,
    /// Minutes from the start of the shift.
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitPlan {
    pub unit: PlacedUnit,
    /// Demand points nearer (in minutes) to this unit than to any other.
    pub area: Vec<u32>,
    /// Expected incidents in the area during the shift.
    pub area_expected: f64,
    pub visits: Vec<Visit>,
}

impl UnitPlan {
    /// Where the unit is `minute` minutes into the shift: at a visit, or on
    /// the straight way between two stops.
    pub fn position(&self, minute: f64) -> Xy {
        let home = self.unit.xy;
        let i = self.visits.partition_point(|v| v.end <= minute);
        if i == self.visits.len() {
            return self.visits.last().map_or(home, |v| v.xy);
        }
        let next = &self.visits[i];
        if minute >= next.start {
            return next.xy;
        }
        let (from, left) = if i == 0 {
            (home, 0.0)
        } else {
            (self.visits[i - 1].xy, self.visits[i - 1].end)
        };
        let span = next.start - left;
        let f = if span > 0.0 {
            ((minute - left) / span).clamp(0.0, 1.0)
        } else {
            1.0
        };
        (from.0 + (next.xy.0 - from.0) * f, from.1 + (next.xy.1 - from.1) * f)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ScheduleOptions {
    pub shift_minutes: f64,
    pub visit_minutes: f64,
    /// Hot cells in each unit's round.
    pub hot_cells: usize,
    /// Visits stay within this many minutes of the unit's position, so the
    /// patrol keeps the response cover the plan was made for.
    pub roam_minutes: f64,
}

impl Default for ScheduleOptions {
    fn default() -> Self {
        Self {
            shift_minutes: 480.0,
            visit_minutes: 15.0,
            hot_cells: 6,
            roam_minutes: 1.0,
        }
    }
}

pub fn schedule(input: &DeployInput, units: &[PlacedUnit], opts: &ScheduleOptions) -> Vec<UnitPlan> {
    let mut plans: Vec<UnitPlan> = units
        .iter()
        .map(|u| UnitPlan {
            unit: u.clone(),
            area: Vec::new(),
            area_expected: 0.0,
            visits: Vec::new(),
        })
        .collect();
    if units.is_empty() {
        return plans;
    }
    for (d, (p, w)) in input.demand.iter().enumerate() {
        let nearest = (0..units.len())
            .min_by(|&a, &b| {
                input
                    .minutes(units[a].unit_type, units[a].xy, *p)
                    .total_cmp(&input.minutes(units[b].unit_type, units[b].xy, *p))
            })
            .expect("units");
        plans[nearest].area.push(d as u32);
        plans[nearest].area_expected += w.max(0.0);
    }
    for plan in &mut plans {
        let mut hot: Vec<u32> = plan
            .area
            .iter()
            .copied()
            .filter(|&d| {
                let (xy, w) = input.demand[d as usize];
                w > 0.0 && input.minutes(plan.unit.unit_type, plan.unit.xy, xy) <= opts.roam_minutes
            })
            .collect();
        hot.sort_by(|&a, &b| {
            input.demand[b as usize]
                .1
                .total_cmp(&input.demand[a as usize].1)
                .then(a.cmp(&b))
        });
        hot.truncate(opts.hot_cells.max(1));
        // Nearest-neighbour round from where the unit stands.
        let mut round = Vec::with_capacity(hot.len());
        let mut here = plan.unit.xy;
        while !hot.is_empty() {
            let k = (0..hot.len())
                .min_by(|&a, &b| {
                    let da = input.minutes(plan.unit.unit_type, here, input.demand[hot[a] as usize].0);
                    let db = input.minutes(plan.unit.unit_type, here, input.demand[hot[b] as usize].0);
                    da.total_cmp(&db)
                })
                .expect("not empty");
            let d = hot.swap_remove(k);
            here = input.demand[d as usize].0;
            round.push(d);
        }
        let (mut t, mut here) = (0.0, plan.unit.xy);
        'shift: while !round.is_empty() {
            for &d in &round {
                let xy = input.demand[d as usize].0;
                let start = t + input.minutes(plan.unit.unit_type, here, xy);
                if start >= opts.shift_minutes {
                    break 'shift;
                }
                let end = (start + opts.visit_minutes).min(opts.shift_minutes);
                plan.visits.push(Visit { at: d, xy, start, end });
                t = end;
                here = xy;
            }
        }
    }
    plans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_fill_the_shift_and_positions_follow_them() {
        let demand = vec![((0.0, 0.0), 3.0), ((500.0, 0.0), 2.0), ((5000.0, 0.0), 1.0)];
        let input = crate::deploy::test_input(demand, 30.0, (0.0, 0.0), 1);
        let unit = PlacedUnit {
            station: 0,
            unit_type: 0,
            at: 0,
            xy: (0.0, 0.0),
        };
        let opts = ScheduleOptions {
            shift_minutes: 60.0,
            visit_minutes: 15.0,
            hot_cells: 2,
            roam_minutes: 2.5,
        };
        let plans = schedule(&input, &[unit], &opts);
        let v = &plans[0].visits;
        // 500 m at 30 km/h is one minute: 0-15 at cell 0, 16-31 at cell 1, 32-47 at 0, 48-60 at 1.
        assert_eq!(v.iter().map(|v| v.at).collect::<Vec<_>>(), [0, 1, 0, 1]);
        assert!((v[1].start - 16.0).abs() < 1e-9 && (v[3].end - 60.0).abs() < 1e-9);
        assert_eq!(plans[0].area.len(), 3);
        assert_eq!(plans[0].position(5.0), (0.0, 0.0));
        assert_eq!(plans[0].position(20.0), (500.0, 0.0));
        let (x, _) = plans[0].position(15.5);
        assert!((x - 250.0).abs() < 1e-9, "half way at {x}");
    }
}
