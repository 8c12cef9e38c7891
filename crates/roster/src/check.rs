//! Recomputes, from the roster alone, every rule of each contract and the
//! objective — written apart from the solver's incremental bookkeeping, so
//! that the two can be compared.

use crate::problem::{Problem, Roster};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Weights of unmet on-requests and met off-requests, plus cover
    /// shortfalls and excesses times their weights.
    pub objective: u64,
    /// Each broken rule; empty for a feasible roster.
    pub violations: Vec<Violation>,
}

/// One broken rule: whose (the person's key), which, and the figures —
/// kept apart so that a page can say it in its own language; `Display`
/// says it in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub who: String,
    #[serde(flatten)]
    pub rule: Rule,
}

/// Days are counted from 0, the roster's first day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The roster is not a row per person and a cell per day.
    Shape,
    UnknownShift {
        shift: usize,
        day: usize,
    },
    /// `shift` on `day` straight after `after` (too little rest between).
    Follows {
        shift: String,
        after: String,
        day: usize,
    },
    ShiftCount {
        shift: String,
        count: u32,
        max: u32,
    },
    Minutes {
        minutes: u32,
        min: u32,
        max: u32,
    },
    LongRun {
        days: u32,
        max: u32,
    },
    ShortRun {
        days: u32,
        min: u32,
    },
    ShortRest {
        days: u32,
        min: u32,
    },
    Weekends {
        count: u32,
        max: u32,
    },
    WorksDayOff {
        day: usize,
    },
    /// More nights in a row than allowed, the run reaching `day`.
    Nights {
        nights: u32,
        max: u32,
        day: Option<usize>,
    },
    /// A swap: the two are not both sworn or both auxiliaries.
    MixedGroups {
        with: String,
    },
    /// A swap: the two work the same on the days asked.
    SameWork {
        with: String,
    },
    /// A swap: not two people on days of the roster.
    NotASwap,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = &self.who;
        match &self.rule {
            Rule::Shape => write!(f, "the roster does not have a row per person and a cell per day"),
            Rule::UnknownShift { shift, day } => write!(f, "{who}: unknown shift {shift} on day {day}"),
            Rule::Follows { shift, after, day } => write!(f, "{who}: {shift} may not follow {after} (day {day})"),
            Rule::ShiftCount { shift, count, max } => write!(f, "{who}: {count} shifts {shift} (at most {max})"),
            Rule::Minutes { minutes, min, max } => write!(f, "{who}: {minutes} minutes (from {min} to {max})"),
            Rule::LongRun { days, max } => write!(f, "{who}: {days} shifts in a row (at most {max})"),
            Rule::ShortRun { days, min } => write!(f, "{who}: {days} shifts in a row (at least {min})"),
            Rule::ShortRest { days, min } => write!(f, "{who}: {days} days off in a row (at least {min})"),
            Rule::Weekends { count, max } => write!(f, "{who}: {count} weekends (at most {max})"),
            Rule::WorksDayOff { day } => write!(f, "{who}: works on day {day}, a day off"),
            Rule::Nights { nights, max, day: None } => write!(f, "{who}: {nights} nights in a row (at most {max})"),
            Rule::Nights {
                nights,
                max,
                day: Some(d),
            } => write!(f, "{who}: {nights} nights in a row on day {d} (at most {max})"),
            Rule::MixedGroups { with } => write!(
                f,
                "{who} and {with}: a sworn officer's seat goes to a sworn officer, an auxiliary's to an auxiliary"
            ),
            Rule::SameWork { with } => write!(f, "{who} and {with} work the same on those days"),
            Rule::NotASwap => write!(f, "a swap between two people on days of the roster"),
        }
    }
}

impl Evaluation {
    pub fn feasible(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Lengths of the maximal runs of days where `on(day)` holds, each with
/// whether it touches the horizon's start or end.
fn runs(days: usize, on: impl Fn(usize) -> bool) -> Vec<(usize, bool)> {
    let mut out = Vec::new();
    let mut start = None;
    for d in 0..=days {
        let here = d < days && on(d);
        match (here, start) {
            (true, None) => start = Some(d),
            (false, Some(s)) => {
                out.push((d - s, s == 0 || d == days));
                start = None;
            }
            _ => {}
        }
    }
    out
}

pub fn evaluate(p: &Problem, roster: &Roster) -> Evaluation {
    let mut v = Vec::new();
    let mut objective = 0u64;
    if roster.len() != p.staff.len() || roster.iter().any(|r| r.len() != p.days) {
        return Evaluation {
            objective: u64::MAX,
            violations: vec![Violation {
                who: String::new(),
                rule: Rule::Shape,
            }],
        };
    }
    for (e, (person, row)) in p.staff.iter().zip(roster).enumerate() {
        let broke = |rule: Rule| Violation {
            who: person.id.clone(),
            rule,
        };
        if let Some((d, s)) = row
            .iter()
            .enumerate()
            .find_map(|(d, s)| s.filter(|&s| s >= p.shifts.len()).map(|s| (d, s)))
        {
            v.push(broke(Rule::UnknownShift { shift: s, day: d }));
            continue;
        }
        for d in 1..p.days {
            if let (Some(a), Some(b)) = (row[d - 1], row[d])
                && p.shifts[a].forbids_next.contains(&b)
            {
                v.push(broke(Rule::Follows {
                    shift: p.shifts[b].id.clone(),
                    after: p.shifts[a].id.clone(),
                    day: d,
                }));
            }
        }
        for (s, t) in p.shifts.iter().enumerate() {
            let n = row.iter().filter(|x| **x == Some(s)).count() as u32;
            if n > person.max_shifts[s] {
                v.push(broke(Rule::ShiftCount {
                    shift: t.id.clone(),
                    count: n,
                    max: person.max_shifts[s],
                }));
            }
        }
        let minutes: u32 = row.iter().flatten().map(|&s| p.shifts[s].minutes).sum();
        if minutes > person.max_minutes || minutes < person.min_minutes {
            v.push(broke(Rule::Minutes {
                minutes,
                min: person.min_minutes,
                max: person.max_minutes,
            }));
        }
        for (len, edge) in runs(p.days, |d| row[d].is_some()) {
            if len as u32 > person.max_consecutive {
                v.push(broke(Rule::LongRun {
                    days: len as u32,
                    max: person.max_consecutive,
                }));
            }
            if !edge && (len as u32) < person.min_consecutive {
                v.push(broke(Rule::ShortRun {
                    days: len as u32,
                    min: person.min_consecutive,
                }));
            }
        }
        for (len, edge) in runs(p.days, |d| row[d].is_none()) {
            if !edge && (len as u32) < person.min_days_off {
                v.push(broke(Rule::ShortRest {
                    days: len as u32,
                    min: person.min_days_off,
                }));
            }
        }
        let mut weekends = std::collections::BTreeSet::new();
        for d in (0..p.days).filter(|&d| p.is_weekend(d) && row[d].is_some()) {
            weekends.insert((p.first_weekday + d) / 7);
        }
        if weekends.len() as u32 > person.max_weekends {
            v.push(broke(Rule::Weekends {
                count: weekends.len() as u32,
                max: person.max_weekends,
            }));
        }
        for &d in &person.days_off {
            if row[d].is_some() {
                v.push(broke(Rule::WorksDayOff { day: d }));
            }
        }
        for r in p.on_requests.iter().filter(|r| r.staff == e) {
            if row[r.day] != Some(r.shift) {
                objective += u64::from(r.weight);
            }
        }
        for r in p.off_requests.iter().filter(|r| r.staff == e) {
            if row[r.day] == Some(r.shift) {
                objective += u64::from(r.weight);
            }
        }
        for r in p.work_requests.iter().filter(|r| r.staff == e) {
            if row[r.day].is_none() {
                objective += u64::from(r.weight);
            }
        }
    }
    for d in 0..p.days {
        for (s, c) in p.cover[d].iter().enumerate() {
            let n = roster.iter().filter(|row| row[d] == Some(s)).count() as u64;
            let need = u64::from(c.requirement);
            objective +=
                need.saturating_sub(n) * u64::from(c.under_weight) + n.saturating_sub(need) * u64::from(c.over_weight);
        }
    }
    Evaluation {
        objective,
        violations: v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Cover, Request, ShiftType, Staff};

    /// A week from Monday: early (E) and night (N, no early after it), one
    /// person with loose rules that each test tightens.
    fn week() -> Problem {
        Problem {
            days: 7,
            first_weekday: 0,
            shifts: vec![
                ShiftType {
                    id: "E".into(),
                    minutes: 480,
                    forbids_next: Vec::new(),
                },
                ShiftType {
                    id: "N".into(),
                    minutes: 480,
                    forbids_next: vec![0],
                },
            ],
            staff: vec![Staff {
                id: "A".into(),
                max_shifts: vec![7, 7],
                max_minutes: 7 * 480,
                min_minutes: 0,
                max_consecutive: 7,
                min_consecutive: 1,
                min_days_off: 1,
                max_weekends: 1,
                days_off: Vec::new(),
            }],
            on_requests: Vec::new(),
            off_requests: Vec::new(),
            work_requests: Vec::new(),
            cover: vec![vec![Cover::default(); 2]; 7],
        }
    }

    fn row(text: &str) -> Roster {
        vec![
            text.chars()
                .map(|c| match c {
                    'E' => Some(0),
                    'N' => Some(1),
                    _ => None,
                })
                .collect(),
        ]
    }

    fn broken(p: &Problem, r: &str) -> Vec<String> {
        evaluate(p, &row(r))
            .violations
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// What a page reads: the rule and its figures, apart from the words.
    #[test]
    fn violations_keep_their_figures() {
        let p = week();
        let v = &evaluate(&p, &row("NE-----")).violations[0];
        assert_eq!(
            serde_json::to_value(v).unwrap(),
            serde_json::json!({"who": "A", "rule": "follows", "shift": "E", "after": "N", "day": 1})
        );
    }

    #[test]
    fn forbidden_succession() {
        let p = week();
        assert_eq!(broken(&p, "NE-----"), ["A: E may not follow N (day 1)"]);
        assert!(broken(&p, "EN-----").is_empty());
    }

    #[test]
    fn most_shifts_of_a_type() {
        let mut p = week();
        p.staff[0].max_shifts = vec![2, 0];
        assert_eq!(broken(&p, "EEE----"), ["A: 3 shifts E (at most 2)"]);
        assert_eq!(broken(&p, "N------"), ["A: 1 shifts N (at most 0)"]);
    }

    #[test]
    fn minutes_between_the_least_and_the_most() {
        let mut p = week();
        p.staff[0].min_minutes = 960;
        p.staff[0].max_minutes = 1440;
        assert_eq!(broken(&p, "E------"), ["A: 480 minutes (from 960 to 1440)"]);
        assert_eq!(broken(&p, "EEEE---"), ["A: 1920 minutes (from 960 to 1440)"]);
        assert!(broken(&p, "E-E----").is_empty());
    }

    #[test]
    fn consecutive_shifts_except_at_the_edges() {
        let mut p = week();
        p.staff[0].max_consecutive = 3;
        p.staff[0].min_consecutive = 2;
        assert_eq!(broken(&p, "EEEE---"), ["A: 4 shifts in a row (at most 3)"]);
        assert_eq!(broken(&p, "--E----"), ["A: 1 shifts in a row (at least 2)"]);
        // A run cut by the horizon's start or end may be short.
        assert!(broken(&p, "E-----E").is_empty());
    }

    #[test]
    fn days_off_in_a_row_except_at_the_edges() {
        let mut p = week();
        p.staff[0].min_days_off = 2;
        assert_eq!(broken(&p, "EE-EE--"), ["A: 1 days off in a row (at least 2)"]);
        assert!(broken(&p, "-EE--EE").is_empty());
    }

    #[test]
    fn weekends_counted_once_whichever_day_is_worked() {
        let mut p = week();
        p.days = 14;
        p.cover = vec![vec![Cover::default(); 2]; 14];
        assert!(broken(&p, "-----EE-------").is_empty());
        assert_eq!(broken(&p, "------E------E"), ["A: 2 weekends (at most 1)"]);
        // Starting on a Sunday, day 0 and day 6 (Saturday) are different weekends.
        p.first_weekday = 6;
        assert_eq!(broken(&p, "E-----E-------"), ["A: 2 weekends (at most 1)"]);
    }

    #[test]
    fn fixed_days_off() {
        let mut p = week();
        p.staff[0].days_off = vec![3];
        assert_eq!(broken(&p, "---E---"), ["A: works on day 3, a day off"]);
    }

    #[test]
    fn objective_counts_requests_and_cover() {
        let mut p = week();
        p.on_requests.push(Request {
            staff: 0,
            day: 0,
            shift: 0,
            weight: 3,
        });
        p.off_requests.push(Request {
            staff: 0,
            day: 1,
            shift: 1,
            weight: 2,
        });
        p.cover[2][0] = Cover {
            requirement: 1,
            under_weight: 100,
            over_weight: 1,
        };
        p.cover[3][0] = Cover {
            requirement: 0,
            under_weight: 100,
            over_weight: 7,
        };
        // Day 0 not worked (3), N on day 1 (2), day 2 uncovered (100), one too many on day 3 (7).
        let ev = evaluate(&p, &row("-N-E---"));
        assert!(ev.feasible());
        assert_eq!(ev.objective, 3 + 2 + 100 + 7);
        assert_eq!(evaluate(&p, &row("E-EN---")).objective, 0);
    }

    #[test]
    fn a_roster_of_the_wrong_shape_is_refused() {
        let p = week();
        assert!(!evaluate(&p, &vec![vec![None; 6]]).feasible());
        assert!(!evaluate(&p, &Vec::new()).feasible());
    }
}
