//! A rostering problem: who may work which shift on which day, the rules
//! of each person's contract, their requests and the cover each shift
//! needs. The model of the Employee Shift Scheduling Benchmark (Curtois &
//! Qu), which the stations' rosters are an instance of.

use serde::{Deserialize, Serialize};

/// A shift type: its length and the types that may not follow it on the
/// next day (a night shift followed by an early one, say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftType {
    pub id: String,
    pub minutes: u32,
    /// Indexes of the shift types that may not be worked the day after.
    pub forbids_next: Vec<usize>,
}

/// One person's contract and fixed days off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Staff {
    pub id: String,
    /// The most shifts of each type (by index) in the horizon; 0 forbids the type.
    pub max_shifts: Vec<u32>,
    pub max_minutes: u32,
    pub min_minutes: u32,
    pub max_consecutive: u32,
    pub min_consecutive: u32,
    pub min_days_off: u32,
    pub max_weekends: u32,
    /// Days (from 0) this person must not work.
    pub days_off: Vec<usize>,
}

/// A weighted wish to work (`on`) or not work (`off`) a shift on a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub staff: usize,
    pub day: usize,
    pub shift: usize,
    pub weight: u32,
}

/// A weighted wish to work a day, whichever shift (希望上班): costs
/// `weight` when the person is off that day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayRequest {
    pub staff: usize,
    pub day: usize,
    pub weight: u32,
}

/// How many people a shift needs on a day, and the cost of each one short or over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cover {
    pub requirement: u32,
    pub under_weight: u32,
    pub over_weight: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub days: usize,
    /// The weekday of day 0, 0 = Monday … 6 = Sunday.
    pub first_weekday: usize,
    pub shifts: Vec<ShiftType>,
    pub staff: Vec<Staff>,
    pub on_requests: Vec<Request>,
    pub off_requests: Vec<Request>,
    /// Days people asked to work, any shift (not in the benchmark's format).
    #[serde(default)]
    pub work_requests: Vec<DayRequest>,
    /// `cover[day][shift]`.
    pub cover: Vec<Vec<Cover>>,
}

/// A roster: `roster[person][day]` is the shift worked, or `None` for a day off.
pub type Roster = Vec<Vec<Option<usize>>>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemError {
    #[error("{0}")]
    Invalid(String),
}

/// The most days and people a problem may have: a year for a large bureau.
pub const MAX_DAYS: usize = 366;
pub const MAX_STAFF: usize = 2_000;
pub const MAX_SHIFT_TYPES: usize = 32;

impl Problem {
    pub fn is_weekend(&self, day: usize) -> bool {
        (self.first_weekday + day) % 7 >= 5
    }

    /// Checks the problem's indexes and sizes, so the solver may trust them.
    pub fn validate(&self) -> Result<(), ProblemError> {
        let bad = |m: String| Err(ProblemError::Invalid(m));
        if self.days == 0 || self.days > MAX_DAYS {
            return bad(format!("{} days: 1 to {MAX_DAYS}", self.days));
        }
        if self.shifts.is_empty() || self.shifts.len() > MAX_SHIFT_TYPES {
            return bad(format!("{} shift types: 1 to {MAX_SHIFT_TYPES}", self.shifts.len()));
        }
        if self.staff.len() > MAX_STAFF {
            return bad(format!("{} people: at most {MAX_STAFF}", self.staff.len()));
        }
        if self.first_weekday > 6 {
            return bad(format!("first weekday {}: 0 (Monday) to 6", self.first_weekday));
        }
        let s = self.shifts.len();
        for t in &self.shifts {
            if t.minutes == 0 || t.minutes > 24 * 60 {
                return bad(format!("shift {}: {} minutes", t.id, t.minutes));
            }
            if t.forbids_next.iter().any(|&x| x >= s) {
                return bad(format!("shift {}: an unknown shift may not follow it", t.id));
            }
        }
        for p in &self.staff {
            if p.max_shifts.len() != s {
                return bad(format!("{}: a maximum for each of the {s} shift types", p.id));
            }
            if p.min_minutes > p.max_minutes {
                return bad(format!("{}: min minutes above max", p.id));
            }
            if p.days_off.iter().any(|&d| d >= self.days) {
                return bad(format!("{}: a day off outside the horizon", p.id));
            }
        }
        for r in self.on_requests.iter().chain(&self.off_requests) {
            if r.staff >= self.staff.len() || r.day >= self.days || r.shift >= s {
                return bad(format!(
                    "a request out of range: person {}, day {}, shift {}",
                    r.staff, r.day, r.shift
                ));
            }
        }
        if let Some(r) = self
            .work_requests
            .iter()
            .find(|r| r.staff >= self.staff.len() || r.day >= self.days)
        {
            return bad(format!(
                "a wish to work out of range: person {}, day {}",
                r.staff, r.day
            ));
        }
        if self.cover.len() != self.days || self.cover.iter().any(|c| c.len() != s) {
            return bad("cover for every day and shift type".into());
        }
        Ok(())
    }
}

/// How many times a problem is repeated, in time and in people, to test a
/// solver at sizes the published instances do not reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiling {
    pub horizon: usize,
    pub staff: usize,
}

impl Tiling {
    /// Reads `HxS` (the horizon repeated H times, the staff S times).
    pub fn parse(text: &str) -> Result<Tiling, ProblemError> {
        let bad = || ProblemError::Invalid(format!("tiling {text:?}: HxS, e.g. 13x2 (both 1 to 100)"));
        let (h, s) = text.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
        let h: usize = h.trim().parse().map_err(|_| bad())?;
        let s: usize = s.trim().parse().map_err(|_| bad())?;
        if !(1..=100).contains(&h) || !(1..=100).contains(&s) {
            return Err(bad());
        }
        Ok(Tiling { horizon: h, staff: s })
    }
}

impl Problem {
    /// The problem repeated: its days `horizon` times over (a person's
    /// limits, days off and requests with them; the horizon must be whole
    /// weeks so the weekdays line up), then its people `staff` times over
    /// with each cover requirement multiplied alike. `staff` copies of a
    /// roster of the original meet the people-tiled problem at `staff` times
    /// its cost, so the original's optimum times `staff` bounds the tiled
    /// optimum from above when only people are repeated.
    pub fn tiled(&self, tiling: Tiling) -> Result<Problem, ProblemError> {
        let (h, s) = (tiling.horizon, tiling.staff);
        if h > 1 && !self.days.is_multiple_of(7) {
            return Err(ProblemError::Invalid(format!(
                "a horizon of {} days is not whole weeks: it cannot be repeated",
                self.days
            )));
        }
        let days = self.days * h;
        let people = self.staff.len() * s;
        if days > MAX_DAYS || people > MAX_STAFF {
            return Err(ProblemError::Invalid(format!(
                "tiled to {days} days and {people} people: at most {MAX_DAYS} and {MAX_STAFF}"
            )));
        }
        let n = self.staff.len();
        let times = |v: u32| v.saturating_mul(h as u32);
        let staff = (0..s)
            .flat_map(|copy| {
                self.staff.iter().map(move |p| Staff {
                    id: if s == 1 {
                        p.id.clone()
                    } else {
                        format!("{}#{}", p.id, copy + 1)
                    },
                    max_shifts: p.max_shifts.iter().map(|&m| times(m)).collect(),
                    max_minutes: times(p.max_minutes),
                    min_minutes: times(p.min_minutes),
                    max_weekends: times(p.max_weekends),
                    days_off: (0..h)
                        .flat_map(|r| p.days_off.iter().map(move |&d| d + r * self.days))
                        .collect(),
                    ..p.clone()
                })
            })
            .collect();
        let requests = |list: &[Request]| -> Vec<Request> {
            (0..s)
                .flat_map(|copy| {
                    (0..h).flat_map(move |r| {
                        list.iter().map(move |q| Request {
                            staff: q.staff + copy * n,
                            day: q.day + r * self.days,
                            ..*q
                        })
                    })
                })
                .collect()
        };
        let cover = (0..h)
            .flat_map(|_| self.cover.iter())
            .map(|day| {
                day.iter()
                    .map(|c| Cover {
                        requirement: c.requirement * s as u32,
                        ..*c
                    })
                    .collect()
            })
            .collect();
        let tiled = Problem {
            days,
            first_weekday: self.first_weekday,
            shifts: self.shifts.clone(),
            staff,
            on_requests: requests(&self.on_requests),
            off_requests: requests(&self.off_requests),
            work_requests: (0..s)
                .flat_map(|copy| {
                    (0..h).flat_map(move |r| {
                        self.work_requests.iter().map(move |q| DayRequest {
                            staff: q.staff + copy * n,
                            day: q.day + r * self.days,
                            ..*q
                        })
                    })
                })
                .collect(),
            cover,
        };
        tiled.validate()?;
        Ok(tiled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::evaluate;

    fn small() -> Problem {
        let shift = |id: &str| ShiftType {
            id: id.into(),
            minutes: 480,
            forbids_next: vec![],
        };
        Problem {
            days: 7,
            first_weekday: 0,
            shifts: vec![shift("D"), shift("N")],
            staff: (0..3)
                .map(|i| Staff {
                    id: format!("P{i}"),
                    max_shifts: vec![5, 2],
                    max_minutes: 5 * 480,
                    min_minutes: 2 * 480,
                    max_consecutive: 5,
                    min_consecutive: 1,
                    min_days_off: 1,
                    max_weekends: 1,
                    days_off: vec![i],
                })
                .collect(),
            on_requests: vec![Request {
                staff: 1,
                day: 4,
                shift: 0,
                weight: 2,
            }],
            off_requests: vec![Request {
                staff: 2,
                day: 5,
                shift: 1,
                weight: 3,
            }],
            work_requests: vec![DayRequest {
                staff: 0,
                day: 4,
                weight: 4,
            }],
            cover: (0..7)
                .map(|d| {
                    vec![
                        Cover {
                            requirement: 2,
                            under_weight: 100,
                            over_weight: 1,
                        },
                        Cover {
                            requirement: u32::from(d % 2 == 0),
                            under_weight: 50,
                            over_weight: 1,
                        },
                    ]
                })
                .collect(),
        }
    }

    #[test]
    fn tiling_repeats_days_and_people_and_their_cost() {
        let p = small();
        let roster: Roster = vec![
            vec![None, Some(0), Some(0), Some(1), None, Some(0), None],
            vec![Some(0), None, Some(0), Some(0), Some(1), None, None],
            vec![Some(1), Some(0), None, None, Some(0), Some(1), None],
        ];
        let cost = evaluate(&p, &roster).objective;

        let people = p.tiled(Tiling::parse("1x3").unwrap()).unwrap();
        assert_eq!((people.days, people.staff.len()), (7, 9));
        assert_eq!(people.cover[0][0].requirement, 6);
        assert_eq!(people.staff[4].id, "P1#2");
        assert_eq!(people.on_requests[1].staff, 4);
        let copies: Roster = (0..3).flat_map(|_| roster.clone()).collect();
        assert_eq!(evaluate(&people, &copies).objective, 3 * cost);

        let time = p.tiled(Tiling::parse("4x1").unwrap()).unwrap();
        assert_eq!((time.days, time.staff.len()), (28, 3));
        assert_eq!(time.staff[2].days_off, vec![2, 9, 16, 23]);
        assert_eq!((time.staff[0].max_minutes, time.staff[0].max_weekends), (20 * 480, 4));
        assert_eq!(
            time.off_requests.iter().map(|r| r.day).collect::<Vec<_>>(),
            vec![5, 12, 19, 26]
        );
        assert_eq!(
            time.work_requests.iter().map(|r| r.day).collect::<Vec<_>>(),
            vec![4, 11, 18, 25]
        );
        let repeated: Roster = roster.iter().map(|row| row.repeat(4)).collect();
        assert_eq!(evaluate(&time, &repeated).objective, 4 * cost);
    }

    #[test]
    fn a_tiling_out_of_bounds_or_off_the_weeks_is_refused() {
        for bad in ["", "3", "0x1", "1x0", "101x1", "ax2", "2x2x2"] {
            assert!(Tiling::parse(bad).is_err(), "{bad}");
        }
        let mut p = small();
        assert!(p.tiled(Tiling::parse("53x1").unwrap()).is_err(), "past a year");
        p.days = 6;
        p.cover.pop();
        assert!(p.tiled(Tiling::parse("2x1").unwrap()).is_err(), "not whole weeks");
        assert!(p.tiled(Tiling::parse("1x2").unwrap()).is_ok());
    }
}
