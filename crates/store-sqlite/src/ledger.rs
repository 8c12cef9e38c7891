//! The store's half of the transparency log: the keyed commitment to a
//! record's canonical body (its stored column values, in column order, as
//! JSON), the entries written beside every record, and checkpoints.
//!
//! The commitment key lives in a file beside the database (`<db>.ledger-key`,
//! created on first open, readable by its owner only), never in it: whoever
//! edits the database alone cannot forge a matching commitment.

use crate::{backend, from_ts, ts};
use fengqiao_store::{LedgerEntry, LedgerTile, Result, StoreError, StoredCheckpoint};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

pub(crate) type Key = [u8; 32];

/// Where the commitment key of database file `db` is kept: beside it.
pub fn key_path(db: &Path) -> std::path::PathBuf {
    db.with_file_name(format!(
        "{}.ledger-key",
        db.file_name().map_or("fengqiao".into(), |n| n.to_string_lossy())
    ))
}

/// Loads the commitment key, creating it with owner-only permissions if absent.
pub(crate) fn load_key(db: &Path) -> Result<Key> {
    let path = key_path(db);
    let err = |reason: String| StoreError::Open {
        path: path.display().to_string(),
        reason,
    };
    fengqiao_store::secrets::load_or_create_key(&path).map_err(|e| err(format!("cannot read or create the key: {e}")))
}

/// The commitment to column values (the canonical body is shared by every
/// backend: `fengqiao_store::canonical`).
pub(crate) fn commit(key: &Key, values: &[Value]) -> [u8; 32] {
    use fengqiao_store::canonical::Value as C;
    let canonical: Vec<C<'_>> = values
        .iter()
        .map(|v| match v {
            Value::Null => C::Null,
            Value::Integer(n) => C::Integer(*n),
            Value::Real(f) => C::Real(*f),
            Value::Text(t) => C::Text(t),
            Value::Blob(b) => C::Blob(b),
        })
        .collect();
    fengqiao_store::canonical::commit(key, &canonical)
}

use fengqiao_store::canonical::{
    FORECAST_COLUMNS, INCIDENT_COLUMNS, LEAVE_COLUMNS, LINK_COLUMNS, MEDIATOR_COLUMNS, PERSON_COLUMNS, PLAN_COLUMNS,
    ROSTER_COLUMNS, VOLUNTEER_ACCOUNT_COLUMNS,
};

/// The values of the one row `sql` selects for `id`, in column order.
pub(crate) fn row(c: &Connection, sql: &str, id: i64) -> Result<Option<Vec<Value>>> {
    c.prepare_cached(sql)
        .map_err(backend)?
        .query_row([id], |r| {
            (0..r.as_ref().column_count()).map(|i| r.get::<_, Value>(i)).collect()
        })
        .optional()
        .map_err(backend)
}

/// The stored values of a record that the log commits to.
pub(crate) fn record_values(c: &Connection, record_type: &str, id: i64) -> Result<Option<Vec<Value>>> {
    match record_type {
        "incident" => row(
            c,
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?1"),
            id,
        ),
        "forecast" => {
            let Some(mut run) = row(
                c,
                &format!("SELECT {FORECAST_COLUMNS} FROM forecast_runs WHERE id = ?1"),
                id,
            )?
            else {
                return Ok(None);
            };
            let mut stmt = c
                .prepare_cached("SELECT cell, expected FROM forecast_cells WHERE run_id = ?1 ORDER BY cell")
                .map_err(backend)?;
            let cells = stmt
                .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?)))
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            run.push(Value::Text(serde_json::to_string(&cells).unwrap_or_default()));
            Ok(Some(run))
        }
        "plan" => row(c, &format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = ?1"), id),
        "case" => crate::cases::committed_values(c, id),
        "attachment" => crate::cases::attachment_values(c, id),
        "volunteer" | "activity" => crate::volunteers::committed_values(c, record_type, id),
        "user" | "login" => crate::users::committed_values(c, record_type, id),
        "link" => row(c, &format!("SELECT {LINK_COLUMNS} FROM case_links WHERE id = ?1"), id),
        "mediator" => row(
            c,
            &format!("SELECT {MEDIATOR_COLUMNS} FROM mediators WHERE id = ?1"),
            id,
        ),
        "volunteer_account" => row(
            c,
            &format!("SELECT {VOLUNTEER_ACCOUNT_COLUMNS} FROM volunteer_accounts WHERE id = ?1"),
            id,
        ),
        "person" => row(c, &format!("SELECT {PERSON_COLUMNS} FROM personnel WHERE id = ?1"), id),
        "roster" => row(c, &format!("SELECT {ROSTER_COLUMNS} FROM rosters WHERE id = ?1"), id),
        "leave" => row(
            c,
            &format!("SELECT {LEAVE_COLUMNS} FROM personnel_leave WHERE id = ?1"),
            id,
        ),
        other => Err(StoreError::InvalidQuery(format!(
            "no record type {other:?} in the ledger"
        ))),
    }
}

/// Every record of a type with its commitment, in one scan of its table.
pub(crate) fn all_commitments(c: &Connection, key: &Key, record_type: &str) -> Result<Vec<(String, [u8; 32])>> {
    let sql = match record_type {
        "incident" => format!("SELECT id, {INCIDENT_COLUMNS} FROM incidents ORDER BY id"),
        "forecast" | "plan" | "case" | "attachment" | "volunteer" | "activity" | "user" | "login" | "link"
        | "volunteer_account" | "mediator" | "person" | "leave" | "roster" => {
            let table = match record_type {
                "mediator" => "mediators",
                "person" => "personnel",
                "leave" => "personnel_leave",
                "roster" => "rosters",
                "volunteer_account" => "volunteer_accounts",
                "link" => "case_links",
                "user" => "users",
                "login" => "logins",
                "plan" => "plans",
                "case" => "cases",
                "attachment" => "case_attachments",
                "volunteer" => "volunteers",
                "activity" => "volunteer_activities",
                _ => "forecast_runs",
            };
            let ids: Vec<i64> = c
                .prepare(&format!("SELECT id FROM {table} ORDER BY id"))
                .map_err(backend)?
                .query_map([], |r| r.get(0))
                .map_err(backend)?
                .collect::<rusqlite::Result<_>>()
                .map_err(backend)?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(v) = record_values(c, record_type, id)? {
                    out.push((id.to_string(), commit(key, &v)));
                }
            }
            return Ok(out);
        }
        other => {
            return Err(StoreError::InvalidQuery(format!(
                "no record type {other:?} in the ledger"
            )));
        }
    };
    let mut stmt = c.prepare(&sql).map_err(backend)?;
    let mut rows = stmt.query([]).map_err(backend)?;
    let mut out = Vec::new();
    let mut values = Vec::new();
    while let Some(r) = rows.next().map_err(backend)? {
        let id: i64 = r.get(0).map_err(backend)?;
        values.clear();
        for i in 1..r.as_ref().column_count() {
            values.push(r.get::<_, Value>(i).map_err(backend)?);
        }
        out.push((id.to_string(), commit(key, &values)));
    }
    Ok(out)
}

/// A ledger entry about to be appended.
pub(crate) struct NewEntry {
    pub record_type: &'static str,
    pub record_id: String,
    pub version: u32,
    pub actor: String,
    pub commitment: [u8; 32],
}

/// Appends entries after the last one (inside the caller's transaction).
pub(crate) fn append(c: &Connection, entries: &[NewEntry]) -> Result<()> {
    let next: i64 = c
        .query_row("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_entries", [], |r| r.get(0))
        .map_err(backend)?;
    let now = ts(chrono::Utc::now());
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO ledger_entries (seq, record_type, record_id, version, actor, at, commitment)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(backend)?;
    for (i, e) in entries.iter().enumerate() {
        stmt.execute(params![
            next + i as i64,
            e.record_type,
            e.record_id,
            e.version,
            e.actor,
            now,
            &e.commitment[..]
        ])
        .map_err(backend)?;
    }
    Ok(())
}

/// Commits to a record just written (at `version`) and appends its entry.
pub(crate) fn log_record(
    c: &Connection,
    key: &Key,
    record_type: &'static str,
    id: i64,
    version: u32,
    actor: &str,
) -> Result<()> {
    let values = record_values(c, record_type, id)?.ok_or_else(|| StoreError::NotFound {
        what: format!("{record_type} {id}"),
    })?;
    append(
        c,
        &[NewEntry {
            record_type,
            record_id: id.to_string(),
            version,
            actor: actor.into(),
            commitment: commit(key, &values),
        }],
    )
}

const ENTRY_COLUMNS: &str = "SELECT seq, record_type, record_id, version, actor, at, commitment FROM ledger_entries";

fn entry_of(r: &rusqlite::Row) -> rusqlite::Result<LedgerEntry> {
    let commitment: Vec<u8> = r.get(6)?;
    Ok(LedgerEntry {
        seq: r.get::<_, i64>(0)? as u64,
        record_type: r.get(1)?,
        record_id: r.get(2)?,
        version: r.get(3)?,
        actor: r.get(4)?,
        at: from_ts(r.get(5)?),
        commitment: commitment.try_into().unwrap_or([0; 32]),
    })
}

pub(crate) fn entries(c: &Connection, from: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
    let mut stmt = c
        .prepare_cached(&format!("{ENTRY_COLUMNS} WHERE seq >= ?1 ORDER BY seq LIMIT ?2"))
        .map_err(backend)?;
    stmt.query_map(params![from as i64, limit as i64], entry_of)
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)
}

/// Stores the checkpoint and its tiles if the latest checkpoint is still of
/// `previous_size`; the check and the writes share one immediate
/// transaction, so two sequencers cannot both extend the same size.
pub(crate) fn publish_checkpoint(
    c: &mut Connection,
    previous_size: u64,
    cp: &StoredCheckpoint,
    tiles: &[LedgerTile],
) -> Result<bool> {
    let tx = c
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(backend)?;
    let latest: i64 = tx
        .query_row("SELECT COALESCE(MAX(size), 0) FROM ledger_checkpoints", [], |r| {
            r.get(0)
        })
        .map_err(backend)?;
    if latest as u64 != previous_size {
        return Ok(false);
    }
    {
        let mut put = tx
            .prepare_cached("INSERT OR REPLACE INTO ledger_tiles (level, idx, hashes) VALUES (?1, ?2, ?3)")
            .map_err(backend)?;
        for t in tiles {
            put.execute(params![t.level, t.index as i64, t.hashes])
                .map_err(backend)?;
        }
    }
    tx.execute(
        // A rebuild of the tiles re-signs the same size (the same tree head).
        "INSERT INTO ledger_checkpoints (size, note, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (size) DO UPDATE SET note = excluded.note, created_at = excluded.created_at",
        params![cp.size as i64, cp.note, ts(cp.created_at)],
    )
    .map_err(backend)?;
    tx.commit().map_err(backend)?;
    Ok(true)
}

pub(crate) fn tile(c: &Connection, level: u8, index: u64) -> Result<Option<Vec<u8>>> {
    c.query_row(
        "SELECT hashes FROM ledger_tiles WHERE level = ?1 AND idx = ?2",
        params![level, index as i64],
        |r| r.get(0),
    )
    .optional()
    .map_err(backend)
}

pub(crate) fn latest_entry(
    c: &Connection,
    record_type: &str,
    record_id: &str,
    below: u64,
) -> Result<Option<LedgerEntry>> {
    let mut stmt = c
        .prepare_cached(&format!(
            "{ENTRY_COLUMNS} WHERE record_type = ?1 AND record_id = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT 1"
        ))
        .map_err(backend)?;
    stmt.query_row(params![record_type, record_id, below as i64], entry_of)
        .optional()
        .map_err(backend)
}

fn checkpoint_of(r: &rusqlite::Row) -> rusqlite::Result<StoredCheckpoint> {
    Ok(StoredCheckpoint {
        size: r.get::<_, i64>(0)? as u64,
        note: r.get(1)?,
        created_at: from_ts(r.get(2)?),
    })
}

pub(crate) fn latest_checkpoint(c: &Connection) -> Result<Option<StoredCheckpoint>> {
    c.query_row(
        "SELECT size, note, created_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
        [],
        checkpoint_of,
    )
    .optional()
    .map_err(backend)
}

pub(crate) fn checkpoint(c: &Connection, size: u64) -> Result<Option<StoredCheckpoint>> {
    c.query_row(
        "SELECT size, note, created_at FROM ledger_checkpoints WHERE size = ?1",
        [size as i64],
        checkpoint_of,
    )
    .optional()
    .map_err(backend)
}

pub(crate) fn checkpoint_sizes(c: &Connection) -> Result<Vec<u64>> {
    let mut q = c
        .prepare("SELECT size FROM ledger_checkpoints ORDER BY size")
        .map_err(backend)?;
    let sizes = q
        .query_map([], |r| r.get::<_, i64>(0))
        .map_err(backend)?
        .map(|s| s.map(|s| s as u64))
        .collect::<rusqlite::Result<_>>();
    sizes.map_err(backend)
}

pub(crate) fn add_cosignature(c: &Connection, size: u64, witness: &str, seen_at: u64, line: &str) -> Result<()> {
    c.execute(
        "INSERT INTO ledger_cosignatures (size, witness, seen_at, line) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (size, witness) DO UPDATE SET seen_at = excluded.seen_at, line = excluded.line
         WHERE excluded.seen_at > ledger_cosignatures.seen_at",
        params![size as i64, witness, seen_at as i64, line],
    )
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn cosignatures(c: &Connection, size: u64) -> Result<Vec<String>> {
    let mut stmt = c
        .prepare_cached("SELECT line FROM ledger_cosignatures WHERE size = ?1 ORDER BY witness")
        .map_err(backend)?;
    stmt.query_map([size as i64], |r| r.get(0))
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<String>>>()
        .map_err(backend)
}
