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
        if self.cover.len() != self.days || self.cover.iter().any(|c| c.len() != s) {
            return bad("cover for every day and shift type".into());
        }
        Ok(())
    }
}
