//! The PostgreSQL backend: for a city bureau, several server processes on
//! one database. This crate holds its schema (`migrations/`, the SQLite
//! backend's tables in PostgreSQL's dialect, with the same integer, real and
//! text values so that ledger commitments are identical on both) and applies
//! it, and appends to the log from many processes at once (`ledger`); the
//! `Store` implementation on top is under way (issue 9).
//!
//! Migrations run under a session advisory lock, so several processes
//! starting on a new database apply each one exactly once.

mod accounts;
mod cases;
mod generations;
mod imports;
mod incidents;
pub mod ledger;
mod links;
mod log;
mod mediators;
mod outbox;
mod outputs;
mod personnel;
mod places;
mod store_impl;
pub mod testing;
mod volunteers;

use fengqiao_store::{Result, StoreError};
use postgres::{Client, NoTls};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_partitions.sql")),
    (3, include_str!("../migrations/0003_case_codes.sql")),
    (4, include_str!("../migrations/0004_case_link_ids.sql")),
    (5, include_str!("../migrations/0005_party_id_type.sql")),
    (6, include_str!("../migrations/0006_event_details.sql")),
    (7, include_str!("../migrations/0007_volunteer_accounts.sql")),
    (8, include_str!("../migrations/0008_outbox.sql")),
    (9, include_str!("../migrations/0009_mediators.sql")),
    (10, include_str!("../migrations/0010_personnel.sql")),
    (11, include_str!("../migrations/0011_rosters.sql")),
    (12, include_str!("../migrations/0012_facility_kinds.sql")),
];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Serialises migrations across processes (an arbitrary fixed key).
const MIGRATION_LOCK: i64 = 0x6671_6d69_6772;

pub(crate) fn backend(e: postgres::Error) -> StoreError {
    // The server's own message says what went wrong; the error's Display alone does not.
    StoreError::Backend(match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    })
}

/// Connections kept open at most; callers beyond wait for one.
const POOL: usize = 16;

/// The PostgreSQL store (being built up to the whole `Store` trait).
pub struct PgStore {
    url: String,
    ledger_key: [u8; 32],
    pool: std::sync::Mutex<(Vec<Client>, usize)>,
    free: std::sync::Condvar,
    /// Bumped before and after every write through this store (as on SQLite)
    /// and when another process announces one.
    pub(crate) generations: generations::Generations,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &redact(&self.url)).finish()
    }
}

/// A pooled connection, given back when dropped.
pub(crate) struct Pooled<'a> {
    store: &'a PgStore,
    client: Option<Client>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("held until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let mut pool = self.store.pool.lock().unwrap_or_else(|p| p.into_inner());
        match self.client.take() {
            // A broken connection is dropped; a new one is made on demand.
            Some(c) if !c.is_closed() => pool.0.push(c),
            _ => pool.1 -= 1,
        }
        drop(pool);
        self.store.free.notify_one();
    }
}

impl Drop for PgStore {
    /// Closes the pooled connections on a thread of their own: closing one
    /// blocks on its own small runtime, which may not run inside an async
    /// runtime (where the server's state is dropped at shutdown).
    fn drop(&mut self) {
        let clients = std::mem::take(&mut self.pool.get_mut().unwrap_or_else(|p| p.into_inner()).0);
        if let Ok(closer) = std::thread::Builder::new().spawn(move || drop(clients)) {
            let _ = closer.join();
        }
    }
}

impl PgStore {
    /// Connects, brings the schema up to date, and keeps up to 16 connections.
    /// `ledger_key` is the commitment key (kept outside the database).
    pub fn open(url: &str, ledger_key: [u8; 32]) -> Result<Self> {
        let mut first = connect(url)?;
        migrate(&mut first)?;
        Ok(Self {
            url: url.to_string(),
            ledger_key,
            pool: std::sync::Mutex::new((vec![first], 1)),
            free: std::sync::Condvar::new(),
            generations: generations::Generations::new(),
        })
    }

    /// Runs a write with the generations bumped before and after, so an
    /// answer computed during it never carries the generation after it, and
    /// tells the other processes on the database once it has committed.
    pub(crate) fn writing<T>(&self, incidents: bool, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.generations.bump(incidents);
        let out = f();
        self.generations.bump(incidents);
        if out.is_ok() {
            let (channel, payload) = self.generations.announcement(incidents);
            // Best effort: other processes' caches expire by their TTL anyway.
            if let Ok(mut c) = self.client() {
                let _ = c.execute("SELECT pg_notify($1, $2)", &[&channel, &payload]);
            }
        }
        out
    }

    pub(crate) fn client(&self) -> Result<Pooled<'_>> {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(c) = pool.0.pop() {
                return Ok(Pooled {
                    store: self,
                    client: Some(c),
                });
            }
            if pool.1 < POOL {
                pool.1 += 1;
                drop(pool);
                return match connect(&self.url) {
                    Ok(c) => Ok(Pooled {
                        store: self,
                        client: Some(c),
                    }),
                    Err(e) => {
                        self.pool.lock().unwrap_or_else(|p| p.into_inner()).1 -= 1;
                        Err(e)
                    }
                };
            }
            pool = self.free.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// The ledger's entries from `from`, at most `limit`.
    pub fn ledger_commitments(&self, from: i64, limit: i64) -> Result<Vec<LedgerRow>> {
        let rows = self
            .client()?
            .query(
                "SELECT seq, record_type, record_id, commitment FROM ledger_entries WHERE seq >= $1 ORDER BY seq LIMIT $2",
                &[&from, &limit],
            )
            .map_err(backend)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
    }
}

/// One ledger entry as stored: (seq, record type, record id, commitment).
pub type LedgerRow = (i64, String, String, Vec<u8>);

/// Connects to `url` (`postgres://user@host/db` or `host=/run/postgresql dbname=fengqiao`).
pub fn connect(url: &str) -> Result<Client> {
    Client::connect(url, NoTls).map_err(|e| StoreError::Open {
        path: redact(url),
        reason: e.to_string(),
    })
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url
            .split_whitespace()
            .map(|kv| {
                if kv.starts_with("password=") {
                    "password=***"
                } else {
                    kv
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Brings the database's schema up to [`SCHEMA_VERSION`]; returns the
/// migrations applied now. A database newer than this build is refused.
pub fn migrate(client: &mut Client) -> Result<Vec<i64>> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(backend)?;
    let applied = apply(client);
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .map_err(backend);
    let applied = applied?;
    unlocked?;
    Ok(applied)
}

fn apply(client: &mut Client) -> Result<Vec<i64>> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .map_err(backend)?;
    let current: i64 = client
        .query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[])
        .map_err(backend)?
        .get(0);
    if current > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    let mut done = Vec::new();
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let mut tx = client.transaction().map_err(backend)?;
        tx.batch_execute(sql)
            .map_err(|e| StoreError::Backend(format!("migration {version}: {e}")))?;
        tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[version])
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        done.push(*version);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            super::redact("postgres://fq:s3cret@db.example/fq"),
            "postgres://fq:***@db.example/fq"
        );
        assert_eq!(super::redact("postgres://fq@db/fq"), "postgres://fq:***@db/fq");
        assert_eq!(
            super::redact("host=/run/postgresql user=fq password=s3cret dbname=fq"),
            "host=/run/postgresql user=fq password=*** dbname=fq"
        );
    }
}
