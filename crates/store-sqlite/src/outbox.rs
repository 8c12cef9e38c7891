//! The SQL behind the notification outbox.

use crate::{backend, from_ts, ts};
use chrono::{DateTime, Utc};
use fengqiao_store::Result;
use fengqiao_store::outbox::{Delivery, NewNotification, Notification};
use rusqlite::{Connection, params};

const COLUMNS: &str =
    "id, channel, case_code, event, body, created_at, attempts, next_at, sent_at, gave_up_at, last_error";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Notification> {
    let at = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> { Ok(r.get::<_, Option<i64>>(i)?.map(from_ts)) };
    Ok(Notification {
        id: r.get(0)?,
        channel: r.get(1)?,
        case_code: r.get(2)?,
        event: r.get(3)?,
        text: r.get(4)?,
        created_at: from_ts(r.get(5)?),
        attempts: r.get(6)?,
        next_at: at(7)?,
        sent_at: at(8)?,
        gave_up_at: at(9)?,
        last_error: r.get(10)?,
    })
}

pub(crate) fn enqueue(c: &mut Connection, n: &NewNotification) -> Result<bool> {
    let added = c
        .execute(
            "INSERT INTO outbox (key, channel, case_code, event, body, created_at, next_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (key) DO NOTHING",
            params![n.key, n.channel, n.case_code, n.event, n.text, ts(n.created_at)],
        )
        .map_err(backend)?;
    Ok(added == 1)
}

pub(crate) fn any_due(c: &Connection, now: DateTime<Utc>) -> Result<bool> {
    c.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE next_at IS NOT NULL AND next_at <= ?1)",
        [ts(now)],
        |r| r.get(0),
    )
    .map_err(backend)
}

pub(crate) fn claim(
    c: &mut Connection,
    now: DateTime<Utc>,
    lease: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Notification>> {
    let tx = c.transaction().map_err(backend)?;
    let due: Vec<Notification> = tx
        .prepare(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE next_at IS NOT NULL AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2"
        ))
        .map_err(backend)?
        .query_map(params![ts(now), limit as i64], row)
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)?;
    for n in &due {
        tx.execute("UPDATE outbox SET next_at = ?2 WHERE id = ?1", params![n.id, ts(lease)])
            .map_err(backend)?;
    }
    tx.commit().map_err(backend)?;
    Ok(due)
}

pub(crate) fn record(c: &mut Connection, id: i64, at: DateTime<Utc>, outcome: &Delivery) -> Result<()> {
    let tx = c.transaction().map_err(backend)?;
    let error = match outcome {
        Delivery::Sent => None,
        Delivery::Retry { error, .. } | Delivery::GiveUp { error } => Some(error.as_str()),
    };
    tx.execute(
        "INSERT INTO outbox_attempts (outbox_id, at, ok, error) VALUES (?1, ?2, ?3, ?4)",
        params![id, ts(at), error.is_none(), error],
    )
    .map_err(backend)?;
    let (next, sent, gave_up) = match outcome {
        Delivery::Sent => (None, Some(ts(at)), None),
        Delivery::Retry { at: next, .. } => (Some(ts(*next)), None, None),
        Delivery::GiveUp { .. } => (None, None, Some(ts(at))),
    };
    tx.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_at = ?2, sent_at = ?3, gave_up_at = ?4, last_error = ?5 WHERE id = ?1",
        params![id, next, sent, gave_up, error],
    )
    .map_err(backend)?;
    tx.commit().map_err(backend)
}

pub(crate) fn list(c: &Connection, limit: usize) -> Result<Vec<Notification>> {
    c.prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?1"))
        .map_err(backend)?
        .query_map([limit as i64], row)
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)
}
