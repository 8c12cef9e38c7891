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
    /// Incidents that waited for a crew to come free (dispatch replay only).
    pub queued: usize,
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
        self.queued += other.queued;
    }

    fn score(&mut self, visible: bool, minutes: f64, response_minutes: f64) {
        self.incidents += 1;
        self.visible += usize::from(visible);
        self.handled += usize::from(minutes <= response_minutes);
        for (ring, limit) in self.rings.iter_mut().zip([1.0, 3.0, 5.0]) {
            *ring += usize::from(minutes <= limit);
        }
        self.minutes.push(minutes);
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
        out.score(visible, best, input.response_minutes);
    }
    out
}

/// Replay with crews that are busy while they handle a call: incidents in
/// time order, each answered by the nearest crew free at that minute (from
/// where its round puts it); when every crew is busy the call waits for the
/// first to come free. A crew is busy for the drive there, `service_minutes`
/// on scene and the drive back to its round. Only crews on their rounds (and
/// fixed posts) are seen. The shift's crews answer its calls to the end.
pub fn dispatch(
    input: &DeployInput,
    plans: &[UnitPlan],
    incidents: &[ReplayIncident],
    visibility_m: f64,
    service_minutes: f64,
) -> ReplayCounts {
    let mut order: Vec<&ReplayIncident> = incidents.iter().collect();
    order.sort_by(|a, b| a.minute.total_cmp(&b.minute));
    let mut free_at = vec![f64::NEG_INFINITY; plans.len()];
    let mut out = ReplayCounts::default();
    for inc in order {
        let t = inc.minute;
        let near = |xy: Xy| (xy.0 - inc.xy.0).hypot(xy.1 - inc.xy.1) <= visibility_m;
        let mut visible = input.posts.iter().any(|p| near(p.xy));
        let mut best: Option<(usize, f64, f64)> = None; // crew, start, drive
        for (u, p) in plans.iter().enumerate() {
            let start = free_at[u].max(t);
            let at = p.position(start);
            if start <= t {
                visible |= near(at);
            }
            let drive = input.minutes(p.unit.unit_type, at, inc.xy);
            if best.is_none_or(|(_, s, d)| start + drive < s + d) {
                best = Some((u, start, drive));
            }
        }
        let minutes = match best {
            Some((u, start, drive)) => {
                free_at[u] = start + 2.0 * drive + service_minutes;
                out.queued += usize::from(start > t);
                start - t + drive
            }
            None => f64::INFINITY,
        };
        out.score(visible, minutes, input.response_minutes);
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

    fn standing_at(xy: Xy) -> UnitPlan {
        UnitPlan {
            unit: PlacedUnit {
                station: 0,
                unit_type: 0,
                at: 0,
                xy,
            },
            area: vec![],
            area_expected: 0.0,
            visits: vec![],
        }
    }

    #[test]
    fn a_busy_crew_answers_the_next_call_only_when_it_is_free() {
        // 30 km/h × detour 1 = 500 m a minute.
        let input = crate::deploy::test_input(vec![], 30.0, (0.0, 0.0), 1);
        let at = |x: f64, minute: f64| ReplayIncident { xy: (x, 0.0), minute };
        let calls = [at(1000.0, 0.0), at(0.0, 1.0), at(100.0, 100.0)];
        let c = dispatch(&input, &[standing_at((0.0, 0.0))], &calls, 200.0, 30.0);
        // First: 2 min away. Second waits until 2 + 30 + 2 = 34, then 0 min: 33 min.
        // Third: the crew is free again and 0.2 min away.
        assert_eq!(c.minutes, [2.0, 33.0, 0.2]);
        assert_eq!((c.queued, c.handled, c.visible), (1, 2, 1));
        assert_eq!(c.rings, [1, 2, 2]);
        // A second crew takes the second call at once, though farther away.
        let two = [standing_at((0.0, 0.0)), standing_at((-1500.0, 0.0))];
        let c = dispatch(&input, &two, &calls, 200.0, 30.0);
        assert_eq!(c.minutes, [2.0, 3.0, 0.2]);
        assert_eq!(c.queued, 0);
        // With no crews nothing is reached; with every crew free it is the replay's nearest.
        assert!(
            dispatch(&input, &[], &calls, 200.0, 30.0)
                .minutes
                .iter()
                .all(|m| m.is_infinite())
        );
        let one_each = [at(1000.0, 0.0)];
        assert_eq!(
            dispatch(&input, &two, &one_each, 200.0, 30.0).minutes,
            replay(&input, &two, &one_each, 200.0).minutes
        );
    }
}
