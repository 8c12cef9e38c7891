//! Police strength as records: the personnel registry (民警, 辅警 and
//! 巡特警 with station, team, qualifications and contract) and their
//! leave. Records are checked before they reach the store (in the
//! application crate); every change is a new version with its ledger entry.

use chrono::{DateTime, NaiveDate, Utc};
use fengqiao_domain::personnel::StaffKind;
use serde::{Deserialize, Serialize};

/// A member of staff as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    /// 警号 (unique).
    pub badge: String,
    pub name: String,
    pub kind: StaffKind,
    /// The station's facility code.
    pub station: String,
    /// 中队 / 警组, or empty.
    pub team: String,
    /// Qualification codes ([`fengqiao_domain::personnel::QUALIFICATIONS`]).
    pub qualifications: Vec<String>,
    pub phone: Option<String>,
    /// Contracted hours a week.
    pub weekly_hours: u8,
    /// Shift types the person may be rostered on (empty: any).
    pub shifts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: i64,
    #[serde(flatten)]
    pub person: NewPerson,
    /// Left the station's strength (transferred, retired): kept on file.
    pub active: bool,
    pub version: u32,
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
}

/// A period of leave, first and last day included (the city's dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLeave {
    pub person_id: i64,
    /// A code of [`fengqiao_domain::personnel::LEAVE_KINDS`].
    pub kind: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leave {
    pub id: i64,
    #[serde(flatten)]
    pub leave: NewLeave,
    pub cancelled: bool,
    pub version: u32,
    pub added_at: DateTime<Utc>,
    pub added_by: String,
}

impl Leave {
    /// Whether the leave keeps its person off `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        !self.cancelled && self.leave.first_day <= day && day <= self.leave.last_day
    }
}

/// A station's roster over a horizon, as written: who works which shift,
/// the crews, the demand it answers and its checks, in one JSON body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRoster {
    pub station: String,
    pub first_day: NaiveDate,
    pub days: u32,
    /// `draft` or `published`.
    pub state: String,
    pub body: serde_json::Value,
}

/// A roster's next version: its state and body, if it is still at `expected_version`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RosterUpdate<'a> {
    pub id: i64,
    pub state: &'a str,
    pub body: &'a serde_json::Value,
    pub expected_version: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterRecord {
    pub id: i64,
    #[serde(flatten)]
    pub roster: NewRoster,
    pub version: u32,
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
}
