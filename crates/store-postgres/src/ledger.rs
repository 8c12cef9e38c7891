//! The log's entries on PostgreSQL. Several server processes write at once,
//! so an entry's position cannot come from a counter in memory: every
//! transaction that appends takes a transaction-scoped advisory lock first,
//! reads the next position and inserts its entries, and holds the lock until
//! it commits or rolls back. Positions are therefore gapless and unique
//! across processes, and a rolled-back write leaves none behind.

use crate::backend;
use fengqiao_store::Result;
use postgres::Transaction;

/// The advisory lock key of the log (an arbitrary fixed number).
const LEDGER_LOCK: i64 = 0x6671_6c65_6467;

/// An entry to append: a commitment to one version of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub record_type: &'static str,
    pub record_id: String,
    pub version: u32,
    pub actor: String,
    pub commitment: [u8; 32],
}

/// Appends `entries` after the last one, inside the caller's transaction;
/// returns the position of the first.
pub fn append(tx: &mut Transaction<'_>, entries: &[NewEntry]) -> Result<i64> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LEDGER_LOCK])
        .map_err(backend)?;
    let next: i64 = tx
        .query_one("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_entries", &[])
        .map_err(backend)?
        .get(0);
    let at = chrono_now();
    let stmt = tx
        .prepare(
            "INSERT INTO ledger_entries (seq, record_type, record_id, version, actor, at, commitment)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .map_err(backend)?;
    for (i, e) in entries.iter().enumerate() {
        let seq = next + i as i64;
        let version = i64::from(e.version);
        tx.execute(
            &stmt,
            &[
                &seq,
                &e.record_type,
                &e.record_id,
                &version,
                &e.actor,
                &at,
                &&e.commitment[..],
            ],
        )
        .map_err(backend)?;
    }
    Ok(next)
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
