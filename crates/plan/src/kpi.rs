//! Replay: real incidents of the planned period scored against a plan.
//!
//! - visibility rate (见警率): incidents within the visibility radius of a
//!   unit (where its schedule puts it at that minute) or a fixed post;
//! - handling rate (管事率): incidents that a unit or post reaches within the
//!   response time;
//! - response rings: shares within 1, 3 and 5 minutes; and the distribution
//!   of the expected response time.

use crate::deploy::{DeployInput, Xy};
use crate::schedule::UnitPlan;
use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub struct ReplayIncident {
    pub xy: Xy,
    /// Minutes from the start of the shift.
    pub minute: f64,
}

/// Counts (not rates) so that shifts can be pooled and resampled.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReplayCounts {
    pub incidents: usize,
    pub visible: usize,
    pub handled: usize,
    /// Within 1, 3, 5 minutes.
    pub rings: [usize; 3],
    /// Expected response minutes, one per incident (infinite when nothing reaches it).
    #[serde(skip)]
    pub minutes: Vec<f64>,
}

impl ReplayCounts {
    pub fn add(&mut self, other: &ReplayCounts) {
        self.incidents += other.incidents;
        self.visible += other.visible;
        self.handled += other.handled;
        for (a, b) in self.rings.iter_mut().zip(other.rings) {
            *a += b;
        }
        self.minutes.extend_from_slice(&other.minutes);
    }
}

pub fn replay(
    input: &DeployInput,
    plans: &[UnitPlan],
    incidents: &[ReplayIncident],
    visibility_m: f64,
) -> ReplayCounts {
    let mut out = ReplayCounts::default();
    for inc in incidents {
        let mut visible = false;
        let mut best = f64::INFINITY;
        let sources = plans
            .iter()
            .map(|p| (p.position(inc.minute), p.unit.unit_type))
            .chain(input.posts.iter().map(|p| (p.xy, p.unit_type)));
        for (xy, unit_type) in sources {
            let d = (xy.0 - inc.xy.0).hypot(xy.1 - inc.xy.1);
            visible |= d <= visibility_m;
            best = best.min(input.minutes(unit_type, xy, inc.xy));
        }
        out.incidents += 1;
        out.visible += usize::from(visible);
        out.handled += usize::from(best <= input.response_minutes);
        for (ring, limit) in out.rings.iter_mut().zip([1.0, 3.0, 5.0]) {
            *ring += usize::from(best <= limit);
        }
        out.minutes.push(best);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::{PlacedUnit, Post};
    use crate::schedule::Visit;

    #[test]
    fn counts_what_is_seen_and_reached() {
        let mut input = crate::deploy::test_input(vec![], 30.0, (0.0, 0.0), 1);
        input.posts = vec![Post {
            code: "P".into(),
            xy: (10_000.0, 0.0),
            unit_type: 0,
        }];
        let plan = UnitPlan {
            unit: PlacedUnit {
                station: 0,
                unit_type: 0,
                at: 0,
                xy: (0.0, 0.0),
            },
            area: vec![],
            area_expected: 0.0,
            visits: vec![Visit {
                at: 0,
                xy: (0.0, 0.0),
                start: 0.0,
                end: 480.0,
            }],
        };
        let incidents = [
            ReplayIncident {
                xy: (100.0, 0.0),
                minute: 10.0,
            }, // seen, 0.2 min
            ReplayIncident {
                xy: (2000.0, 0.0),
                minute: 10.0,
            }, // 4 min
            ReplayIncident {
                xy: (7000.0, 0.0),
                minute: 10.0,
            }, // 6 min from the post
            ReplayIncident {
                xy: (10_050.0, 0.0),
                minute: 1.0,
            }, // seen from the post
        ];
        let c = replay(&input, &[plan], &incidents, 200.0);
        assert_eq!(c.incidents, 4);
        assert_eq!(c.visible, 2);
        assert_eq!(c.handled, 3);
        assert_eq!(c.rings, [2, 2, 3]);
    }
}
