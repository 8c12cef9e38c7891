//! The SQL behind the mediator pool; each change with its ledger entry.

use crate::{backend, from_ts, ts};
use chrono::{DateTime, Utc};
use fengqiao_store::canonical::MEDIATOR_COLUMNS;
use fengqiao_store::mediators::{Mediator, NewMediator};
use fengqiao_store::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, params};

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Mediator> {
    let areas: String = r.get(3)?;
    Ok(Mediator {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        areas: serde_json::from_str(&areas).unwrap_or_default(),
        active: r.get(4)?,
        version: r.get(5)?,
        added_at: from_ts(r.get(6)?),
        added_by: r.get(7)?,
    })
}

pub(crate) fn list(c: &Connection) -> Result<Vec<Mediator>> {
    c.prepare(&format!("SELECT id, {MEDIATOR_COLUMNS} FROM mediators ORDER BY name"))
        .map_err(backend)?
        .query_map([], row)
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)
}

pub(crate) fn add(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    m: &NewMediator,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Option<i64>> {
    let tx = conn.transaction().map_err(backend)?;
    let added = tx
        .execute(
            &format!("INSERT INTO mediators ({MEDIATOR_COLUMNS}) VALUES (?1, ?2, ?3, 1, 1, ?4, ?5) ON CONFLICT (name) DO NOTHING"),
            params![m.name, m.kind, serde_json::to_string(&m.areas).unwrap_or_default(), ts(at), actor],
        )
        .map_err(backend)?;
    if added == 0 {
        return Ok(None);
    }
    let id = tx.last_insert_rowid();
    crate::ledger::log_record(&tx, key, "mediator", id, 1, actor)?;
    tx.commit().map_err(backend)?;
    Ok(Some(id))
}

pub(crate) fn retire(conn: &mut Connection, key: &crate::ledger::Key, id: i64, actor: &str) -> Result<Mediator> {
    let tx = conn.transaction().map_err(backend)?;
    let found = tx
        .query_row(
            &format!("SELECT id, {MEDIATOR_COLUMNS} FROM mediators WHERE id = ?1"),
            [id],
            row,
        )
        .optional()
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("mediator {id}"),
        })?;
    if !found.active {
        return Err(StoreError::Conflict(format!(
            "mediator {} is retired already",
            found.name
        )));
    }
    let version = found.version + 1;
    tx.execute(
        "UPDATE mediators SET active = 0, version = ?2 WHERE id = ?1",
        params![id, version],
    )
    .map_err(backend)?;
    crate::ledger::log_record(&tx, key, "mediator", id, version, actor)?;
    tx.commit().map_err(backend)?;
    Ok(Mediator {
        active: false,
        version,
        ..found
    })
}
