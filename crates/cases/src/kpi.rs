//! Governance KPIs over cases, with the definitions of docs/PRODUCT.md. Every
//! rate comes with its numerator and denominator, so a report can state
//! what it counted; a rate with nothing to count is `None`, never 0.

use crate::CaseState;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One case as the KPIs see it.
#[derive(Debug, Clone)]
pub struct KpiCase<'a> {
    pub state: &'a CaseState,
    /// Hazards: stock (存量) or new (新增).
    pub stock: Option<bool>,
    /// Disputes: incidents later linked to it (民转刑).
    pub escalated_to_crime: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Ratio {
    pub num: u64,
    pub den: u64,
    pub rate: Option<f64>,
}

impl Ratio {
    fn new(num: u64, den: u64) -> Self {
        Self {
            num,
            den,
            rate: (den > 0).then(|| num as f64 / den as f64),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Kpis {
    /// Cases opened in the period.
    pub opened: u64,
    /// Cases closed in the period.
    pub closed: u64,
    /// Closed by their due time / cases due in the period (up to now) that
    /// were never deferred; open cases past due count as late.
    pub on_time_closure: Ratio,
    /// Opened in the period and handled (reported back at least once): sent back at verification / handled.
    pub rework: Ratio,
    /// Disputes opened in the period with a mediation session: agreement reached / mediated.
    pub mediation_success: Ratio,
    /// Disputes closed in the period with an agreement, by level (village, town, county, ...).
    pub resolved_by_level: Vec<(String, u64)>,
    /// Disputes opened in the period with an incident later linked to them.
    pub escalated_to_crime: u64,
    /// Mean hours from opening to closing, over cases closed in the period.
    pub mean_hours_to_close: Option<f64>,
    /// Citizens' ratings (1-5) of requests closed in the period: mean, and share of 4 or 5.
    pub satisfaction_mean: Option<f64>,
    pub satisfied: Ratio,
    /// Hazards closed in the period: stock and new apart.
    pub hazards_cleared_stock: u64,
    pub hazards_cleared_new: u64,
    /// Hazards still open at `now`: stock and new apart.
    pub hazards_open_stock: u64,
    pub hazards_open_new: u64,
}

fn within(t: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    from <= t && t < to
}

/// The KPIs of `cases` for the period `[from, to)`, as things stand at `now`.
/// `levels` names the dispute levels (the dispute type's `levels`).
pub fn compute(
    cases: &[KpiCase],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    levels: &[String],
) -> Kpis {
    let mut k = Kpis::default();
    let (mut due, mut on_time) = (0, 0);
    let (mut handled, mut reworked) = (0, 0);
    let (mut mediated, mut agreed) = (0, 0);
    let mut by_level = vec![0u64; levels.len()];
    let (mut hours, mut closed_n) = (0.0, 0u64);
    let (mut ratings, mut rated, mut happy) = (0u64, 0u64, 0u64);
    let count = |s: &CaseState, a: &str| s.actions.get(a).copied().unwrap_or(0);
    for c in cases {
        let s = c.state;
        let opened_in = within(s.opened_at, from, to);
        let closed_in = s.closed_at.is_some_and(|t| within(t, from, to));
        k.opened += u64::from(opened_in);
        if s.due_at < now && within(s.due_at, from, to) && !s.deferred {
            due += 1;
            on_time += u64::from(s.closed_at.is_some_and(|t| t <= s.due_at));
        }
        if opened_in && count(s, "report") > 0 {
            handled += 1;
            reworked += u64::from(count(s, "rework") > 0);
        }
        if s.case_type == "dispute" && opened_in {
            if s.sessions > 0 {
                mediated += 1;
                agreed += u64::from(count(s, "agree") > 0);
            }
            k.escalated_to_crime += u64::from(c.escalated_to_crime);
        }
        if let Some(closed_at) = s.closed_at.filter(|_| closed_in) {
            k.closed += 1;
            hours += (closed_at - s.opened_at).num_seconds() as f64 / 3600.0;
            closed_n += 1;
            if s.case_type == "dispute"
                && count(s, "agree") > 0
                && s.stage == "closed"
                && let Some(n) = by_level.get_mut(usize::from(s.level))
            {
                *n += 1;
            }
            if let Some(r) = s.rating {
                rated += 1;
                ratings += u64::from(r);
                happy += u64::from(r >= 4);
            }
            if s.case_type == "hazard" && s.stage == "closed" {
                match c.stock {
                    Some(true) => k.hazards_cleared_stock += 1,
                    _ => k.hazards_cleared_new += 1,
                }
            }
        }
        if s.case_type == "hazard" && s.closed_at.is_none() {
            match c.stock {
                Some(true) => k.hazards_open_stock += 1,
                _ => k.hazards_open_new += 1,
            }
        }
    }
    k.on_time_closure = Ratio::new(on_time, due);
    k.rework = Ratio::new(reworked, handled);
    k.mediation_success = Ratio::new(agreed, mediated);
    k.resolved_by_level = levels.iter().cloned().zip(by_level).collect();
    k.mean_hours_to_close = (closed_n > 0).then(|| hours / closed_n as f64);
    k.satisfaction_mean = (rated > 0).then(|| ratings as f64 / rated as f64);
    k.satisfied = Ratio::new(happy, rated);
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CaseConfig, Command};
    use chrono::TimeZone;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + chrono::Duration::hours(h)
    }

    fn step(c: &CaseConfig, s: CaseState, a: &str, r: &str, h: i64) -> CaseState {
        let cmd = Command {
            action: a.into(),
            role: r.into(),
            actor: "x".into(),
            reason: Some("r".into()),
            assignee: Some(c.mediators[0].name.clone()),
            rating: Some(4),
            ..Default::default()
        };
        c.apply(&s, &cmd, "", at(h)).unwrap().0
    }

    #[test]
    fn definitions_hold_on_a_small_set() {
        let c = CaseConfig::builtin();
        let open = |t: &str, cat: &str| c.open(t, cat, "officer", "o", at(0)).unwrap().0;
        // A request closed in time, with a rework, rated 4.
        let mut a = open("request", "request.noise");
        for (act, role) in [
            ("register", "officer"),
            ("dispatch", "analyst"),
            ("start", "department"),
            ("report", "department"),
            ("rework", "officer"),
            ("report", "department"),
            ("verify", "officer"),
            ("close", "officer"),
            ("rate", "citizen"),
        ] {
            a = step(&c, a, act, role, 2);
        }
        // A hazard left open past its due time (late), stock.
        let b = open("hazard", "hazard.fire");
        // A dispute mediated to agreement and closed at village level.
        let mut d = open("dispute", "dispute.neighbour");
        for (act, role) in [
            ("register", "officer"),
            ("assign", "officer"),
            ("session", "mediator"),
            ("agree", "mediator"),
            ("visit", "mediator"),
            ("visit", "mediator"),
            ("close", "officer"),
        ] {
            d = step(&c, d, act, role, 3);
        }
        let now = at(24 * 60);
        let cases = [
            KpiCase {
                state: &a,
                stock: None,
                escalated_to_crime: false,
            },
            KpiCase {
                state: &b,
                stock: Some(true),
                escalated_to_crime: false,
            },
            KpiCase {
                state: &d,
                stock: None,
                escalated_to_crime: true,
            },
        ];
        let levels = c.case_type("dispute").unwrap().levels.clone();
        let k = compute(&cases, at(-1), at(24 * 60), now, &levels);
        assert_eq!((k.opened, k.closed), (3, 2));
        assert_eq!((k.on_time_closure.num, k.on_time_closure.den), (2, 3));
        assert_eq!((k.rework.num, k.rework.den), (1, 1));
        assert_eq!(k.mediation_success.rate, Some(1.0));
        assert_eq!(k.resolved_by_level[0], ("village".to_string(), 1));
        assert_eq!(k.escalated_to_crime, 1);
        assert_eq!((k.satisfaction_mean, k.satisfied.num), (Some(4.0), 1));
        assert_eq!((k.hazards_open_stock, k.hazards_cleared_new), (1, 0));
        // Nothing due in an empty period: no rate, not zero.
        let none = compute(&cases, at(-100), at(-50), now, &levels);
        assert_eq!(none.on_time_closure.rate, None);
    }
}
