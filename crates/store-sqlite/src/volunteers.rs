//! The SQL behind volunteers, their activities and attendance; each new
//! record with its ledger entry in the same transaction.

use crate::{backend, from_ts, ts};
use chrono::{DateTime, Utc};
use fengqiao_store::Result;
use fengqiao_store::volunteers::{Activity, NewActivity, NewVolunteer, Volunteer};
use rusqlite::types::Value;
use rusqlite::{Connection, params};

use fengqiao_store::canonical::{ACTIVITY_COLUMNS, VOLUNTEER_COLUMNS};

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

/// What the ledger commits to for a volunteer or an activity (with its attendance).
pub(crate) fn committed_values(c: &Connection, record_type: &str, id: i64) -> Result<Option<Vec<Value>>> {
    let (columns, table) = match record_type {
        "volunteer" => (VOLUNTEER_COLUMNS, "volunteers"),
        _ => (ACTIVITY_COLUMNS, "volunteer_activities"),
    };
    let row = crate::ledger::row(c, &format!("SELECT {columns} FROM {table} WHERE id = ?1"), id)?;
    let Some(mut values) = row else {
        return Ok(None);
    };
    if record_type == "activity" {
        values.push(Value::Text(json(&attendance(c, id)?)));
    }
    Ok(Some(values))
}

fn attendance(c: &Connection, activity: i64) -> Result<Vec<(i64, f64)>> {
    c.prepare_cached(
        "SELECT volunteer_id, hours FROM volunteer_attendance WHERE activity_id = ?1 ORDER BY volunteer_id",
    )
    .map_err(backend)?
    .query_map([activity], |r| Ok((r.get(0)?, r.get(1)?)))
    .map_err(backend)?
    .collect::<rusqlite::Result<_>>()
    .map_err(backend)
}

pub(crate) fn add(conn: &mut Connection, key: &crate::ledger::Key, v: &NewVolunteer) -> Result<i64> {
    v.check()?;
    let tx = conn.transaction().map_err(backend)?;
    tx.execute(
        &format!("INSERT INTO volunteers ({VOLUNTEER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)"),
        params![
            v.name.trim(),
            v.phone,
            json(&v.skills),
            json(&v.areas),
            v.availability,
            ts(v.joined_at)
        ],
    )
    .map_err(backend)?;
    let id = tx.last_insert_rowid();
    crate::ledger::log_record(&tx, key, "volunteer", id, 1, "volunteers")?;
    tx.commit().map_err(backend)?;
    Ok(id)
}

pub(crate) fn list(c: &Connection, skill: Option<&str>, area: Option<&str>) -> Result<Vec<Volunteer>> {
    let mut stmt = c
        .prepare(&format!(
            "SELECT v.id, {}, COALESCE(SUM(a.hours), 0), COUNT(a.activity_id),
                    (SELECT username FROM volunteer_accounts WHERE volunteer_id = v.id)
             FROM volunteers v LEFT JOIN volunteer_attendance a ON a.volunteer_id = v.id
             GROUP BY v.id ORDER BY v.id",
            VOLUNTEER_COLUMNS
                .split(", ")
                .map(|c| format!("v.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map([], |r| {
            let list = |i: usize| -> rusqlite::Result<Vec<String>> {
                let text: String = r.get(i)?;
                Ok(serde_json::from_str(&text).unwrap_or_default())
            };
            Ok(Volunteer {
                id: r.get(0)?,
                volunteer: NewVolunteer {
                    name: r.get(1)?,
                    phone: r.get(2)?,
                    skills: list(3)?,
                    areas: list(4)?,
                    availability: r.get(5)?,
                    joined_at: from_ts(r.get(7)?),
                },
                active: r.get(6)?,
                hours: r.get(8)?,
                activities: r.get(9)?,
                account: r.get(10)?,
            })
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    Ok(rows.into_iter().filter(|v| v.matches(skill, area)).collect())
}

pub(crate) fn link_account(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    volunteer: i64,
    username: &str,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<i64> {
    let tx = conn.transaction().map_err(backend)?;
    tx.execute(
        "INSERT INTO volunteer_accounts (volunteer_id, username, linked_at, linked_by) VALUES (?1, ?2, ?3, ?4)",
        params![volunteer, username, ts(at), actor],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            fengqiao_store::StoreError::InvalidQuery(format!(
                "volunteer {volunteer} or account {username:?} is linked already, or there is no volunteer {volunteer}"
            ))
        }
        e => backend(e),
    })?;
    let id = tx.last_insert_rowid();
    crate::ledger::log_record(&tx, key, "volunteer_account", id, 1, actor)?;
    tx.commit().map_err(backend)?;
    Ok(id)
}

pub(crate) fn add_activity(conn: &mut Connection, key: &crate::ledger::Key, a: &NewActivity) -> Result<i64> {
    a.check()?;
    let tx = conn.transaction().map_err(backend)?;
    tx.execute(
        &format!("INSERT INTO volunteer_activities ({ACTIVITY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            a.kind,
            a.title.trim(),
            a.jurisdiction,
            ts(a.starts_at),
            ts(a.ends_at),
            a.reach,
            a.case_code
        ],
    )
    .map_err(backend)?;
    let id = tx.last_insert_rowid();
    for (volunteer, hours) in &a.attendance {
        tx.execute(
            "INSERT INTO volunteer_attendance (activity_id, volunteer_id, hours) VALUES (?1, ?2, ?3)",
            params![id, volunteer, hours],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                fengqiao_store::StoreError::InvalidQuery(format!(
                    "attendance: no volunteer {volunteer}, or listed twice"
                ))
            }
            e => backend(e),
        })?;
    }
    crate::ledger::log_record(&tx, key, "activity", id, 1, "volunteers")?;
    tx.commit().map_err(backend)?;
    Ok(id)
}

pub(crate) fn activities(c: &Connection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Activity>> {
    let rows: Vec<(i64, NewActivity)> = c
        .prepare(&format!(
            "SELECT id, {ACTIVITY_COLUMNS} FROM volunteer_activities WHERE starts_at >= ?1 AND starts_at < ?2
             ORDER BY starts_at DESC, id DESC"
        ))
        .map_err(backend)?
        .query_map(params![ts(from), ts(to)], |r| {
            Ok((
                r.get(0)?,
                NewActivity {
                    kind: r.get(1)?,
                    title: r.get(2)?,
                    jurisdiction: r.get(3)?,
                    starts_at: from_ts(r.get(4)?),
                    ends_at: from_ts(r.get(5)?),
                    reach: r.get(6)?,
                    case_code: r.get(7)?,
                    attendance: Vec::new(),
                },
            ))
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)?;
    rows.into_iter()
        .map(|(id, mut activity)| {
            activity.attendance = attendance(c, id)?;
            Ok(Activity { id, activity })
        })
        .collect()
}
