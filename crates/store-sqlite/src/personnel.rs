//! The SQL behind the personnel registry and leave; each change with its
//! ledger entry.

use crate::{backend, from_ts, ts};
use chrono::{DateTime, NaiveDate, Utc};
use fengqiao_domain::personnel::StaffKind;
use fengqiao_store::canonical::{LEAVE_COLUMNS, PERSON_COLUMNS, ROSTER_COLUMNS};
use fengqiao_store::personnel::{Leave, NewLeave, NewPerson, NewRoster, Person, RosterRecord, RosterUpdate};
use fengqiao_store::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

fn list_of(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn person(r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    let kind: String = r.get(3)?;
    Ok(Person {
        id: r.get(0)?,
        person: NewPerson {
            badge: r.get(1)?,
            name: r.get(2)?,
            kind: StaffKind::parse(&kind).unwrap_or(StaffKind::Auxiliary),
            station: r.get(4)?,
            team: r.get(5)?,
            qualifications: list_of(&r.get::<_, String>(6)?),
            phone: r.get(7)?,
            weekly_hours: r.get(8)?,
            shifts: list_of(&r.get::<_, String>(9)?),
        },
        active: r.get(10)?,
        version: r.get(11)?,
        changed_at: from_ts(r.get(12)?),
        changed_by: r.get(13)?,
    })
}

fn leave(r: &rusqlite::Row<'_>) -> rusqlite::Result<Leave> {
    let day = |i: usize| -> rusqlite::Result<NaiveDate> {
        let text: String = r.get(i)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    };
    Ok(Leave {
        id: r.get(0)?,
        leave: NewLeave {
            person_id: r.get(1)?,
            kind: r.get(2)?,
            first_day: day(3)?,
            last_day: day(4)?,
            note: r.get(5)?,
        },
        cancelled: r.get(6)?,
        version: r.get(7)?,
        added_at: from_ts(r.get(8)?),
        added_by: r.get(9)?,
    })
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_default()
}

pub(crate) fn list(c: &Connection) -> Result<Vec<Person>> {
    c.prepare(&format!(
        "SELECT id, {PERSON_COLUMNS} FROM personnel ORDER BY station, badge"
    ))
    .map_err(backend)?
    .query_map([], person)
    .map_err(backend)?
    .collect::<rusqlite::Result<_>>()
    .map_err(backend)
}

fn badge_taken(tx: &Transaction<'_>, badge: &str) -> Result<bool> {
    tx.query_row("SELECT 1 FROM personnel WHERE badge = ?1", [badge], |_| Ok(()))
        .optional()
        .map(|x| x.is_some())
        .map_err(backend)
}

pub(crate) fn add(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    people: &[NewPerson],
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Vec<i64>> {
    let tx = conn.transaction().map_err(backend)?;
    let mut ids = Vec::with_capacity(people.len());
    for p in people {
        if badge_taken(&tx, &p.badge)? {
            return Err(StoreError::Conflict(format!("badge {} is on file already", p.badge)));
        }
        tx.execute(
            &format!(
                "INSERT INTO personnel ({PERSON_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, 1, ?10, ?11)"
            ),
            params![
                p.badge,
                p.name,
                p.kind.as_str(),
                p.station,
                p.team,
                json(&p.qualifications),
                p.phone,
                p.weekly_hours,
                json(&p.shifts),
                ts(at),
                actor
            ],
        )
        .map_err(backend)?;
        let id = tx.last_insert_rowid();
        crate::ledger::log_record(&tx, key, "person", id, 1, actor)?;
        ids.push(id);
    }
    tx.commit().map_err(backend)?;
    Ok(ids)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn update(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    id: i64,
    p: &NewPerson,
    active: bool,
    expected_version: u32,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Person> {
    let tx = conn.transaction().map_err(backend)?;
    let found = tx
        .query_row(
            &format!("SELECT id, {PERSON_COLUMNS} FROM personnel WHERE id = ?1"),
            [id],
            person,
        )
        .optional()
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("person {id}"),
        })?;
    if found.version != expected_version {
        return Err(StoreError::Conflict(format!(
            "person {id} is at version {}, not {expected_version}: reload and try again",
            found.version
        )));
    }
    if p.badge != found.person.badge && badge_taken(&tx, &p.badge)? {
        return Err(StoreError::Conflict(format!("badge {} is on file already", p.badge)));
    }
    let version = found.version + 1;
    tx.execute(
        "UPDATE personnel SET badge = ?2, name = ?3, kind = ?4, station = ?5, team = ?6, qualifications = ?7, phone = ?8,
         weekly_hours = ?9, shifts = ?10, active = ?11, version = ?12, changed_at = ?13, changed_by = ?14 WHERE id = ?1",
        params![
            id,
            p.badge,
            p.name,
            p.kind.as_str(),
            p.station,
            p.team,
            json(&p.qualifications),
            p.phone,
            p.weekly_hours,
            json(&p.shifts),
            active,
            version,
            ts(at),
            actor
        ],
    )
    .map_err(backend)?;
    crate::ledger::log_record(&tx, key, "person", id, version, actor)?;
    tx.commit().map_err(backend)?;
    Ok(Person {
        id,
        person: p.clone(),
        active,
        version,
        changed_at: from_ts(ts(at)),
        changed_by: actor.to_string(),
    })
}

pub(crate) fn leave_between(c: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<Leave>> {
    c.prepare(&format!(
        "SELECT id, {LEAVE_COLUMNS} FROM personnel_leave WHERE last_day >= ?1 AND first_day <= ?2 ORDER BY first_day, id"
    ))
    .map_err(backend)?
    .query_map(params![from.to_string(), to.to_string()], leave)
    .map_err(backend)?
    .collect::<rusqlite::Result<_>>()
    .map_err(backend)
}

/// Stores leave and the rosters it repairs in one transaction: both or neither.
pub(crate) fn add_leave(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    l: &NewLeave,
    rosters: &[RosterUpdate<'_>],
    at: DateTime<Utc>,
    actor: &str,
) -> Result<i64> {
    let tx = conn.transaction().map_err(backend)?;
    let known = tx
        .query_row("SELECT 1 FROM personnel WHERE id = ?1", [l.person_id], |_| Ok(()))
        .optional()
        .map_err(backend)?;
    if known.is_none() {
        return Err(StoreError::NotFound {
            what: format!("person {}", l.person_id),
        });
    }
    tx.execute(
        &format!("INSERT INTO personnel_leave ({LEAVE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, 0, 1, ?6, ?7)"),
        params![
            l.person_id,
            l.kind,
            l.first_day.to_string(),
            l.last_day.to_string(),
            l.note,
            ts(at),
            actor
        ],
    )
    .map_err(backend)?;
    let id = tx.last_insert_rowid();
    crate::ledger::log_record(&tx, key, "leave", id, 1, actor)?;
    apply_roster_updates(&tx, key, rosters, at, actor)?;
    tx.commit().map_err(backend)?;
    Ok(id)
}

pub(crate) fn cancel_leave(conn: &mut Connection, key: &crate::ledger::Key, id: i64, actor: &str) -> Result<Leave> {
    let tx = conn.transaction().map_err(backend)?;
    let found = tx
        .query_row(
            &format!("SELECT id, {LEAVE_COLUMNS} FROM personnel_leave WHERE id = ?1"),
            [id],
            leave,
        )
        .optional()
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("leave {id}"),
        })?;
    if found.cancelled {
        return Err(StoreError::Conflict(format!("leave {id} is cancelled already")));
    }
    let version = found.version + 1;
    tx.execute(
        "UPDATE personnel_leave SET cancelled = 1, version = ?2 WHERE id = ?1",
        params![id, version],
    )
    .map_err(backend)?;
    crate::ledger::log_record(&tx, key, "leave", id, version, actor)?;
    tx.commit().map_err(backend)?;
    Ok(Leave {
        cancelled: true,
        version,
        ..found
    })
}

fn roster(r: &rusqlite::Row<'_>) -> rusqlite::Result<RosterRecord> {
    let first: String = r.get(2)?;
    let body: String = r.get(5)?;
    Ok(RosterRecord {
        id: r.get(0)?,
        roster: NewRoster {
            station: r.get(1)?,
            first_day: NaiveDate::parse_from_str(&first, "%Y-%m-%d")
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?,
            days: r.get(3)?,
            state: r.get(4)?,
            body: serde_json::from_str(&body).unwrap_or_default(),
        },
        version: r.get(6)?,
        changed_at: from_ts(r.get(7)?),
        changed_by: r.get(8)?,
    })
}

pub(crate) fn add_roster(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    r: &NewRoster,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<i64> {
    let tx = conn.transaction().map_err(backend)?;
    tx.execute(
        &format!("INSERT INTO rosters ({ROSTER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)"),
        params![
            r.station,
            r.first_day.to_string(),
            r.days,
            r.state,
            r.body.to_string(),
            ts(at),
            actor
        ],
    )
    .map_err(backend)?;
    let id = tx.last_insert_rowid();
    crate::ledger::log_record(&tx, key, "roster", id, 1, actor)?;
    tx.commit().map_err(backend)?;
    Ok(id)
}

pub(crate) fn rosters(c: &Connection, station: Option<&str>, limit: usize) -> Result<Vec<RosterRecord>> {
    c.prepare(&format!(
        "SELECT id, {ROSTER_COLUMNS} FROM rosters WHERE ?1 IS NULL OR station = ?1 ORDER BY id DESC LIMIT ?2"
    ))
    .map_err(backend)?
    .query_map(params![station, limit as i64], roster)
    .map_err(backend)?
    .collect::<rusqlite::Result<_>>()
    .map_err(backend)
}

pub(crate) fn roster_by_id(c: &Connection, id: i64) -> Result<Option<RosterRecord>> {
    c.query_row(
        &format!("SELECT id, {ROSTER_COLUMNS} FROM rosters WHERE id = ?1"),
        [id],
        roster,
    )
    .optional()
    .map_err(backend)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn update_rosters(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    updates: &[RosterUpdate<'_>],
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Vec<RosterRecord>> {
    let tx = conn.transaction().map_err(backend)?;
    let out = apply_roster_updates(&tx, key, updates, at, actor)?;
    tx.commit().map_err(backend)?;
    Ok(out)
}

fn apply_roster_updates(
    tx: &rusqlite::Transaction<'_>,
    key: &crate::ledger::Key,
    updates: &[RosterUpdate<'_>],
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Vec<RosterRecord>> {
    let mut out = Vec::with_capacity(updates.len());
    for u in updates {
        let id = u.id;
        let found = roster_by_id(tx, id)?.ok_or_else(|| StoreError::NotFound {
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
            "UPDATE rosters SET state = ?2, body = ?3, version = ?4, changed_at = ?5, changed_by = ?6 WHERE id = ?1",
            params![id, u.state, u.body.to_string(), version, ts(at), actor],
        )
        .map_err(backend)?;
        crate::ledger::log_record(tx, key, "roster", id, version, actor)?;
        out.push(RosterRecord {
            roster: NewRoster {
                state: u.state.to_string(),
                body: u.body.clone(),
                ..found.roster
            },
            version,
            changed_at: from_ts(ts(at)),
            changed_by: actor.to_string(),
            id,
        });
    }
    Ok(out)
}
