//! Volunteers, their activities and attendance on PostgreSQL, each new
//! record with its ledger entry in the same transaction.

use crate::ledger::log_record;
use crate::{PgStore, backend};
use chrono::{DateTime, Utc};
use fengqiao_store::volunteers::{Activity, NewActivity, NewVolunteer, Volunteer};
use fengqiao_store::{Result, StoreError};

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

pub(crate) fn attendance(c: &mut impl postgres::GenericClient, activity: i64) -> Result<Vec<(i64, f64)>> {
    Ok(c.query(
        "SELECT volunteer_id, hours FROM volunteer_attendance WHERE activity_id = $1 ORDER BY volunteer_id",
        &[&activity],
    )
    .map_err(backend)?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect())
}

impl PgStore {
    pub fn add_volunteer(&self, v: &NewVolunteer) -> Result<i64> {
        v.check()?;
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO volunteers (name, phone, skills, areas, availability, active, joined_at)
                 VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
                &[
                    &v.name.trim(),
                    &v.phone,
                    &json(&v.skills),
                    &json(&v.areas),
                    &v.availability,
                    &v.joined_at.timestamp(),
                ],
            )
            .map_err(backend)?
            .get(0);
        log_record(&mut tx, &self.ledger_key, "volunteer", id, 1, "volunteers")?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    /// The registry with hours, filtered by skill and area.
    pub fn volunteers(&self, skill: Option<&str>, area: Option<&str>) -> Result<Vec<Volunteer>> {
        let rows = self
            .client()?
            .query(
                "SELECT v.id, v.name, v.phone, v.skills, v.areas, v.availability, v.active, v.joined_at,
                        COALESCE(SUM(a.hours), 0), COUNT(a.activity_id),
                        (SELECT username FROM volunteer_accounts WHERE volunteer_id = v.id)
                 FROM volunteers v LEFT JOIN volunteer_attendance a ON a.volunteer_id = v.id
                 GROUP BY v.id ORDER BY v.id",
                &[],
            )
            .map_err(backend)?;
        let list = |text: String| -> Vec<String> { serde_json::from_str(&text).unwrap_or_default() };
        Ok(rows
            .iter()
            .map(|r| Volunteer {
                id: r.get(0),
                volunteer: NewVolunteer {
                    name: r.get(1),
                    phone: r.get(2),
                    skills: list(r.get(3)),
                    areas: list(r.get(4)),
                    availability: r.get(5),
                    joined_at: at(r.get(7)),
                },
                active: r.get::<_, i64>(6) != 0,
                hours: r.get(8),
                activities: r.get::<_, i64>(9) as u32,
                account: r.get(10),
            })
            .filter(|v| v.matches(skill, area))
            .collect())
    }

    /// Links a volunteer to the account they sign in with, and logs it.
    pub fn link_volunteer_account(
        &self,
        volunteer: i64,
        username: &str,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<i64> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO volunteer_accounts (volunteer_id, username, linked_at, linked_by)
                 VALUES ($1, $2, $3, $4) RETURNING id",
                &[&volunteer, &username, &at.timestamp(), &actor],
            )
            .map_err(|e| match e.code() {
                Some(c) if *c == postgres::error::SqlState::UNIQUE_VIOLATION || *c == postgres::error::SqlState::FOREIGN_KEY_VIOLATION => {
                    fengqiao_store::StoreError::InvalidQuery(format!(
                        "volunteer {volunteer} or account {username:?} is linked already, or there is no volunteer {volunteer}"
                    ))
                }
                _ => backend(e),
            })?
            .get(0);
        log_record(&mut tx, &self.ledger_key, "volunteer_account", id, 1, actor)?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    /// Records an activity with its attendance and ledger entry.
    pub fn add_activity(&self, a: &NewActivity) -> Result<i64> {
        a.check()?;
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO volunteer_activities (kind, title, jurisdiction, starts_at, ends_at, reach, case_code)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    &a.kind,
                    &a.title.trim(),
                    &a.jurisdiction,
                    &a.starts_at.timestamp(),
                    &a.ends_at.timestamp(),
                    &i64::from(a.reach),
                    &a.case_code,
                ],
            )
            .map_err(backend)?
            .get(0);
        for (volunteer, hours) in &a.attendance {
            tx.execute(
                "INSERT INTO volunteer_attendance (activity_id, volunteer_id, hours) VALUES ($1, $2, $3)",
                &[&id, volunteer, hours],
            )
            .map_err(|e| match e.code() {
                Some(
                    &postgres::error::SqlState::FOREIGN_KEY_VIOLATION | &postgres::error::SqlState::UNIQUE_VIOLATION,
                ) => StoreError::InvalidQuery(format!("attendance: no volunteer {volunteer}, or listed twice")),
                _ => backend(e),
            })?;
        }
        log_record(&mut tx, &self.ledger_key, "activity", id, 1, "volunteers")?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    /// Activities starting in `[from, to)`, newest first.
    pub fn activities(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Activity>> {
        let mut c = self.client()?;
        let rows = c
            .query(
                "SELECT id, kind, title, jurisdiction, starts_at, ends_at, reach, case_code FROM volunteer_activities
                 WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at DESC, id DESC",
                &[&from.timestamp(), &to.timestamp()],
            )
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                Ok(Activity {
                    id,
                    activity: NewActivity {
                        kind: r.get(1),
                        title: r.get(2),
                        jurisdiction: r.get(3),
                        starts_at: at(r.get(4)),
                        ends_at: at(r.get(5)),
                        reach: r.get::<_, i64>(6) as u32,
                        case_code: r.get(7),
                        attendance: attendance(&mut *c, id)?,
                    },
                })
            })
            .collect()
    }
}
