//! The SQL behind the personnel registry and leave (PostgreSQL); each
//! change with its ledger entry.

use crate::ledger::log_record;
use crate::{PgStore, backend};
use chrono::{DateTime, NaiveDate, Utc};
use fengqiao_domain::personnel::StaffKind;
use fengqiao_store::canonical::{LEAVE_COLUMNS, PERSON_COLUMNS, ROSTER_COLUMNS};
use fengqiao_store::personnel::{Leave, NewLeave, NewPerson, NewRoster, Person, RosterRecord, RosterUpdate};
use fengqiao_store::{Result, StoreError};

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn list_of(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_default()
}

fn person(r: &postgres::Row) -> Person {
    Person {
        id: r.get(0),
        person: NewPerson {
            badge: r.get(1),
            name: r.get(2),
            kind: StaffKind::parse(r.get(3)).unwrap_or(StaffKind::Auxiliary),
            station: r.get(4),
            team: r.get(5),
            qualifications: list_of(r.get(6)),
            phone: r.get(7),
            weekly_hours: r.get::<_, i64>(8).clamp(0, 255) as u8,
            shifts: list_of(r.get(9)),
        },
        active: r.get::<_, i64>(10) != 0,
        version: r.get::<_, i64>(11) as u32,
        changed_at: at(r.get(12)),
        changed_by: r.get(13),
    }
}

fn leave(r: &postgres::Row) -> Leave {
    let day = |i: usize| NaiveDate::parse_from_str(r.get(i), "%Y-%m-%d").unwrap_or_default();
    Leave {
        id: r.get(0),
        leave: NewLeave {
            person_id: r.get(1),
            kind: r.get(2),
            first_day: day(3),
            last_day: day(4),
            note: r.get(5),
        },
        cancelled: r.get::<_, i64>(6) != 0,
        version: r.get::<_, i64>(7) as u32,
        added_at: at(r.get(8)),
        added_by: r.get(9),
    }
}

fn badge_taken(tx: &mut postgres::Transaction<'_>, badge: &str) -> Result<bool> {
    Ok(tx
        .query_opt("SELECT 1 FROM personnel WHERE badge = $1", &[&badge])
        .map_err(backend)?
        .is_some())
}

impl PgStore {
    pub fn personnel(&self) -> Result<Vec<Person>> {
        Ok(self
            .client()?
            .query(
                &format!("SELECT id, {PERSON_COLUMNS} FROM personnel ORDER BY station, badge"),
                &[],
            )
            .map_err(backend)?
            .iter()
            .map(person)
            .collect())
    }

    pub fn add_personnel(&self, people: &[NewPerson], when: DateTime<Utc>, actor: &str) -> Result<Vec<i64>> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let mut ids = Vec::with_capacity(people.len());
        for p in people {
            if badge_taken(&mut tx, &p.badge)? {
                return Err(StoreError::Conflict(format!("badge {} is on file already", p.badge)));
            }
            let id: i64 = tx
                .query_one(
                    &format!(
                        "INSERT INTO personnel ({PERSON_COLUMNS})
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, 1, $10, $11) RETURNING id"
                    ),
                    &[
                        &p.badge,
                        &p.name,
                        &p.kind.as_str(),
                        &p.station,
                        &p.team,
                        &json(&p.qualifications),
                        &p.phone,
                        &i64::from(p.weekly_hours),
                        &json(&p.shifts),
                        &when.timestamp(),
                        &actor,
                    ],
                )
                .map_err(backend)?
                .get(0);
            log_record(&mut tx, &self.ledger_key, "person", id, 1, actor)?;
            ids.push(id);
        }
        tx.commit().map_err(backend)?;
        Ok(ids)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn update_person(
        &self,
        id: i64,
        p: &NewPerson,
        active: bool,
        expected_version: u32,
        when: DateTime<Utc>,
        actor: &str,
    ) -> Result<Person> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let found = tx
            .query_opt(
                &format!("SELECT id, {PERSON_COLUMNS} FROM personnel WHERE id = $1 FOR UPDATE"),
                &[&id],
            )
            .map_err(backend)?
            .map(|r| person(&r))
            .ok_or_else(|| StoreError::NotFound {
                what: format!("person {id}"),
            })?;
        if found.version != expected_version {
            return Err(StoreError::Conflict(format!(
                "person {id} is at version {}, not {expected_version}: reload and try again",
                found.version
            )));
        }
        if p.badge != found.person.badge && badge_taken(&mut tx, &p.badge)? {
            return Err(StoreError::Conflict(format!("badge {} is on file already", p.badge)));
        }
        let version = found.version + 1;
        tx.execute(
            "UPDATE personnel SET badge = $2, name = $3, kind = $4, station = $5, team = $6, qualifications = $7,
             phone = $8, weekly_hours = $9, shifts = $10, active = $11, version = $12, changed_at = $13,
             changed_by = $14 WHERE id = $1",
            &[
                &id,
                &p.badge,
                &p.name,
                &p.kind.as_str(),
                &p.station,
                &p.team,
                &json(&p.qualifications),
                &p.phone,
                &i64::from(p.weekly_hours),
                &json(&p.shifts),
                &i64::from(active),
                &i64::from(version),
                &when.timestamp(),
                &actor,
            ],
        )
        .map_err(backend)?;
        log_record(&mut tx, &self.ledger_key, "person", id, version, actor)?;
        tx.commit().map_err(backend)?;
        Ok(Person {
            id,
            person: p.clone(),
            active,
            version,
            changed_at: at(when.timestamp()),
            changed_by: actor.to_string(),
        })
    }

    pub fn leave(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Leave>> {
        Ok(self
            .client()?
            .query(
                &format!(
                    "SELECT id, {LEAVE_COLUMNS} FROM personnel_leave WHERE last_day >= $1 AND first_day <= $2
                     ORDER BY first_day, id"
                ),
                &[&from.to_string(), &to.to_string()],
            )
            .map_err(backend)?
            .iter()
            .map(leave)
            .collect())
    }

    /// Stores leave and the rosters it repairs in one transaction: both or neither.
    pub fn add_leave(
        &self,
        l: &NewLeave,
        rosters: &[RosterUpdate<'_>],
        when: DateTime<Utc>,
        actor: &str,
    ) -> Result<i64> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        if tx
            .query_opt("SELECT 1 FROM personnel WHERE id = $1", &[&l.person_id])
            .map_err(backend)?
            .is_none()
        {
            return Err(StoreError::NotFound {
                what: format!("person {}", l.person_id),
            });
        }
        let id: i64 = tx
            .query_one(
                &format!(
                    "INSERT INTO personnel_leave ({LEAVE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 0, 1, $6, $7) RETURNING id"
                ),
                &[
                    &l.person_id,
                    &l.kind,
                    &l.first_day.to_string(),
                    &l.last_day.to_string(),
                    &l.note,
                    &when.timestamp(),
                    &actor,
                ],
            )
            .map_err(backend)?
            .get(0);
        log_record(&mut tx, &self.ledger_key, "leave", id, 1, actor)?;
        self.apply_roster_updates(&mut tx, rosters, when, actor)?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    pub fn cancel_leave(&self, id: i64, actor: &str) -> Result<Leave> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let found = tx
            .query_opt(
                &format!("SELECT id, {LEAVE_COLUMNS} FROM personnel_leave WHERE id = $1 FOR UPDATE"),
                &[&id],
            )
            .map_err(backend)?
            .map(|r| leave(&r))
            .ok_or_else(|| StoreError::NotFound {
                what: format!("leave {id}"),
            })?;
        if found.cancelled {
            return Err(StoreError::Conflict(format!("leave {id} is cancelled already")));
        }
        let version = found.version + 1;
        tx.execute(
            "UPDATE personnel_leave SET cancelled = 1, version = $2 WHERE id = $1",
            &[&id, &i64::from(version)],
        )
        .map_err(backend)?;
        log_record(&mut tx, &self.ledger_key, "leave", id, version, actor)?;
        tx.commit().map_err(backend)?;
        Ok(Leave {
            cancelled: true,
            version,
            ..found
        })
    }
}

fn roster(r: &postgres::Row) -> RosterRecord {
    RosterRecord {
        id: r.get(0),
        roster: NewRoster {
            station: r.get(1),
            first_day: NaiveDate::parse_from_str(r.get(2), "%Y-%m-%d").unwrap_or_default(),
            days: r.get::<_, i64>(3) as u32,
            state: r.get(4),
            body: serde_json::from_str(r.get(5)).unwrap_or_default(),
        },
        version: r.get::<_, i64>(6) as u32,
        changed_at: at(r.get(7)),
        changed_by: r.get(8),
    }
}

impl PgStore {
    pub fn add_roster(&self, r: &NewRoster, when: DateTime<Utc>, actor: &str) -> Result<i64> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let id: i64 = tx
            .query_one(
                &format!("INSERT INTO rosters ({ROSTER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id"),
                &[
                    &r.station,
                    &r.first_day.to_string(),
                    &i64::from(r.days),
                    &r.state,
                    &r.body.to_string(),
                    &when.timestamp(),
                    &actor,
                ],
            )
            .map_err(backend)?
            .get(0);
        log_record(&mut tx, &self.ledger_key, "roster", id, 1, actor)?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    pub fn rosters(&self, station: Option<&str>, limit: usize) -> Result<Vec<RosterRecord>> {
        Ok(self
            .client()?
            .query(
                &format!(
                    "SELECT id, {ROSTER_COLUMNS} FROM rosters WHERE $1::TEXT IS NULL OR station = $1 ORDER BY id DESC LIMIT $2"
                ),
                &[&station, &(limit as i64)],
            )
            .map_err(backend)?
            .iter()
            .map(roster)
            .collect())
    }

    pub fn roster(&self, id: i64) -> Result<Option<RosterRecord>> {
        Ok(self
            .client()?
            .query_opt(
                &format!("SELECT id, {ROSTER_COLUMNS} FROM rosters WHERE id = $1"),
                &[&id],
            )
            .map_err(backend)?
            .map(|r| roster(&r)))
    }

    pub fn update_rosters(
        &self,
        updates: &[RosterUpdate<'_>],
        when: DateTime<Utc>,
        actor: &str,
    ) -> Result<Vec<RosterRecord>> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let out = self.apply_roster_updates(&mut tx, updates, when, actor)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    fn apply_roster_updates(
        &self,
        tx: &mut postgres::Transaction<'_>,
        updates: &[RosterUpdate<'_>],
        when: DateTime<Utc>,
        actor: &str,
    ) -> Result<Vec<RosterRecord>> {
        let mut out = Vec::with_capacity(updates.len());
        for u in updates {
            let id = u.id;
            let found = tx
                .query_opt(
                    &format!("SELECT id, {ROSTER_COLUMNS} FROM rosters WHERE id = $1 FOR UPDATE"),
                    &[&id],
                )
                .map_err(backend)?
                .map(|r| roster(&r))
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("roster {id}"),
                })?;
            if found.version != u.expected_version {
                return Err(StoreError::Conflict(format!(
                    "roster {id} is at version {}, not {}: reload and try again",
                    found.version, u.expected_version
                )));
            }
            let version = found.version + 1;
            tx.execute(
                "UPDATE rosters SET state = $2, body = $3, version = $4, changed_at = $5, changed_by = $6 WHERE id = $1",
                &[
                    &id,
                    &u.state,
                    &u.body.to_string(),
                    &i64::from(version),
                    &when.timestamp(),
                    &actor,
                ],
            )
            .map_err(backend)?;
            log_record(tx, &self.ledger_key, "roster", id, version, actor)?;
            out.push(RosterRecord {
                roster: NewRoster {
                    state: u.state.to_string(),
                    body: u.body.clone(),
                    ..found.roster
                },
                version,
                changed_at: at(when.timestamp()),
                changed_by: actor.to_string(),
                id,
            });
        }
        Ok(out)
    }
}
