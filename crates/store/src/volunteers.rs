//! Volunteers (鸿雁志愿者) through any [`Store`]: the registry, activities
//! with attendance, and hours. Validation happens here, at the edge, so the
//! store only ever holds well-formed records.

use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVolunteer {
    pub name: String,
    pub phone: Option<String>,
    pub skills: Vec<String>,
    /// Jurisdiction codes the volunteer serves.
    pub areas: Vec<String>,
    /// Free text, e.g. "weekends", "weekday evenings".
    pub availability: String,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Volunteer {
    pub id: i64,
    #[serde(flatten)]
    pub volunteer: NewVolunteer,
    pub active: bool,
    /// Hours over every activity attended.
    pub hours: f64,
    pub activities: u32,
    /// The account the volunteer signs in with, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

impl Volunteer {
    /// Whether the volunteer has `skill` and serves within (or above) `area`.
    pub fn matches(&self, skill: Option<&str>, area: Option<&str>) -> bool {
        skill.is_none_or(|s| self.volunteer.skills.iter().any(|k| k == s))
            && area.is_none_or(|a| {
                self.volunteer
                    .areas
                    .iter()
                    .any(|code| code.starts_with(a) || a.starts_with(code.as_str()))
            })
    }

    /// Name and phone masked unless `sees_personal_data`.
    pub fn masked(mut self, sees_personal_data: bool) -> Self {
        if !sees_personal_data {
            use fengqiao_cases::privacy::{mask_name, mask_phone};
            self.volunteer.name = mask_name(&self.volunteer.name);
            self.volunteer.phone = self.volunteer.phone.as_deref().map(mask_phone);
        }
        self
    }
}

pub const ACTIVITY_KINDS: [&str; 4] = ["patrol", "mediation", "safety_talk", "other"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewActivity {
    /// `patrol`, `mediation`, `safety_talk` (平安宣讲) or `other`.
    pub kind: String,
    pub title: String,
    pub jurisdiction: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// People reached (safety talks).
    pub reach: u32,
    pub case_code: Option<String>,
    /// (volunteer id, hours) of everyone who took part.
    pub attendance: Vec<(i64, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub id: i64,
    #[serde(flatten)]
    pub activity: NewActivity,
}

/// Volunteer hours and safety-talk reach for a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VolunteerSummary {
    pub volunteers_active: u64,
    pub activities: u64,
    pub hours: f64,
    pub safety_talks: u64,
    pub safety_talk_reach: u64,
}

impl NewVolunteer {
    pub fn check(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(StoreError::InvalidQuery("volunteer name: empty".into()));
        }
        if let Some(p) = &self.phone
            && !(5..=20).contains(&p.len())
        {
            return Err(StoreError::InvalidQuery(format!(
                "volunteer phone {p:?}: 5 to 20 characters"
            )));
        }
        Ok(())
    }
}

impl NewActivity {
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(StoreError::InvalidQuery(m));
        if !ACTIVITY_KINDS.contains(&self.kind.as_str()) {
            return bad(format!(
                "activity kind {:?}: expected one of {}",
                self.kind,
                ACTIVITY_KINDS.join(", ")
            ));
        }
        if self.title.trim().is_empty() {
            return bad("activity title: empty".into());
        }
        if self.ends_at <= self.starts_at {
            return bad("activity: it must end after it starts".into());
        }
        if let Some((id, h)) = self.attendance.iter().find(|(_, h)| !(*h > 0.0 && *h <= 24.0)) {
            return bad(format!("attendance of volunteer {id}: {h} hours is not in (0, 24]"));
        }
        Ok(())
    }
}
