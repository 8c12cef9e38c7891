//! Reading the log and storing its checkpoints on PostgreSQL. A checkpoint
//! is stored only if the latest one is still the one its sequencer started
//! from, checked and written under an advisory lock, so two sequencers in
//! two processes cannot fork the log.

use crate::{PgStore, backend};
use fengqiao_store::{LedgerEntry, LedgerTile, Result, StoreError, StoredCheckpoint};

const CHECKPOINT_LOCK: i64 = 0x6671_6368_6b70;
const ENTRY_SELECT: &str = "SELECT seq, record_type, record_id, version, actor, at, commitment FROM ledger_entries";

fn at(s: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn entry(r: &postgres::Row) -> Result<LedgerEntry> {
    let commitment: Vec<u8> = r.get(6);
    Ok(LedgerEntry {
        seq: r.get::<_, i64>(0) as u64,
        record_type: r.get(1),
        record_id: r.get(2),
        version: r.get::<_, i64>(3) as u32,
        actor: r.get(4),
        at: at(r.get(5)),
        commitment: commitment
            .try_into()
            .map_err(|_| StoreError::Backend("a stored commitment is not 32 bytes".into()))?,
    })
}

fn checkpoint(r: &postgres::Row) -> StoredCheckpoint {
    StoredCheckpoint {
        size: r.get::<_, i64>(0) as u64,
        note: r.get(1),
        created_at: at(r.get(2)),
    }
}

impl PgStore {
    /// Entries from position `from`, at most `limit`, in order.
    pub fn ledger_entries(&self, from: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        self.client()?
            .query(
                &format!("{ENTRY_SELECT} WHERE seq >= $1 ORDER BY seq LIMIT $2"),
                &[&(from as i64), &(limit as i64)],
            )
            .map_err(backend)?
            .iter()
            .map(entry)
            .collect()
    }

    /// The newest entry of a record below position `below`.
    pub fn latest_ledger_entry(&self, record_type: &str, record_id: &str, below: u64) -> Result<Option<LedgerEntry>> {
        self.client()?
            .query_opt(
                &format!(
                    "{ENTRY_SELECT} WHERE record_type = $1 AND record_id = $2 AND seq < $3 ORDER BY seq DESC LIMIT 1"
                ),
                &[&record_type, &record_id, &(below as i64)],
            )
            .map_err(backend)?
            .as_ref()
            .map(entry)
            .transpose()
    }

    /// Stores a checkpoint with the tiles that grew to reach it, if the latest
    /// checkpoint is still of `previous_size`; `false` when another sequencer
    /// got there first.
    pub fn publish_checkpoint(&self, previous_size: u64, cp: &StoredCheckpoint, tiles: &[LedgerTile]) -> Result<bool> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHECKPOINT_LOCK])
            .map_err(backend)?;
        let latest: i64 = tx
            .query_one("SELECT COALESCE(MAX(size), 0) FROM ledger_checkpoints", &[])
            .map_err(backend)?
            .get(0);
        if latest as u64 != previous_size {
            return Ok(false);
        }
        let put = tx
            .prepare(
                "INSERT INTO ledger_tiles (level, idx, hashes) VALUES ($1, $2, $3)
                 ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes",
            )
            .map_err(backend)?;
        for t in tiles {
            tx.execute(&put, &[&i64::from(t.level), &(t.index as i64), &t.hashes])
                .map_err(backend)?;
        }
        tx.execute(
            // A rebuild of the tiles re-signs the same size (the same tree head).
            "INSERT INTO ledger_checkpoints (size, note, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (size) DO UPDATE SET note = excluded.note, created_at = excluded.created_at",
            &[&(cp.size as i64), &cp.note, &cp.created_at.timestamp()],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(true)
    }

    pub fn ledger_tile(&self, level: u8, index: u64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .client()?
            .query_opt(
                "SELECT hashes FROM ledger_tiles WHERE level = $1 AND idx = $2",
                &[&i64::from(level), &(index as i64)],
            )
            .map_err(backend)?
            .map(|r| r.get(0)))
    }

    pub fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        Ok(self
            .client()?
            .query_opt(
                "SELECT size, note, created_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
                &[],
            )
            .map_err(backend)?
            .as_ref()
            .map(checkpoint))
    }

    pub fn checkpoint(&self, size: u64) -> Result<Option<StoredCheckpoint>> {
        Ok(self
            .client()?
            .query_opt(
                "SELECT size, note, created_at FROM ledger_checkpoints WHERE size = $1",
                &[&(size as i64)],
            )
            .map_err(backend)?
            .as_ref()
            .map(checkpoint))
    }

    /// The sizes of every stored checkpoint, smallest first.
    pub fn checkpoint_sizes(&self) -> Result<Vec<u64>> {
        let rows = self
            .client()?
            .query("SELECT size FROM ledger_checkpoints ORDER BY size", &[])
            .map_err(backend)?;
        Ok(rows.iter().map(|r| r.get::<_, i64>(0) as u64).collect())
    }

    /// Keeps a witness's cosignature of checkpoint `size` (its newest).
    pub fn add_cosignature(&self, size: u64, witness: &str, seen_at: u64, line: &str) -> Result<()> {
        self.client()?
            .execute(
                "INSERT INTO ledger_cosignatures (size, witness, seen_at, line) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (size, witness) DO UPDATE SET seen_at = excluded.seen_at, line = excluded.line
                 WHERE excluded.seen_at > ledger_cosignatures.seen_at",
                &[&(size as i64), &witness, &(seen_at as i64), &line],
            )
            .map(drop)
            .map_err(backend)
    }

    pub fn cosignatures(&self, size: u64) -> Result<Vec<String>> {
        Ok(self
            .client()?
            .query(
                "SELECT line FROM ledger_cosignatures WHERE size = $1 ORDER BY witness COLLATE \"C\"",
                &[&(size as i64)],
            )
            .map_err(backend)?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }
}
