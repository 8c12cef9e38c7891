//! Schema migrations: numbered SQL files applied in order, each in its own
//! transaction, recorded in `schema_migrations`.

use crate::backend;
use fengqiao_store::{Result, StoreError};
use rusqlite::Connection;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_forecasts.sql")),
    (3, include_str!("../migrations/0003_place_type.sql")),
    (4, include_str!("../migrations/0004_plans.sql")),
    (5, include_str!("../migrations/0005_ledger.sql")),
    (6, include_str!("../migrations/0006_ledger_tiles.sql")),
    (7, include_str!("../migrations/0007_ledger_cosignatures.sql")),
    (8, include_str!("../migrations/0008_cases.sql")),
    (9, include_str!("../migrations/0009_volunteers.sql")),
    (10, include_str!("../migrations/0010_attachments.sql")),
    (11, include_str!("../migrations/0011_users.sql")),
    (12, include_str!("../migrations/0012_open311_keys.sql")),
    (13, include_str!("../migrations/0013_dataset_stats.sql")),
    (14, include_str!("../migrations/0014_incident_rollup.sql")),
    (15, include_str!("../migrations/0015_case_link_ids.sql")),
    (16, include_str!("../migrations/0016_party_id_type.sql")),
    (17, include_str!("../migrations/0017_event_details.sql")),
    (18, include_str!("../migrations/0018_volunteer_accounts.sql")),
    (19, include_str!("../migrations/0019_outbox.sql")),
    (20, include_str!("../migrations/0020_mediators.sql")),
    (21, include_str!("../migrations/0021_personnel.sql")),
    (22, include_str!("../migrations/0022_rosters.sql")),
    (23, include_str!("../migrations/0023_facility_kinds.sql")),
];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Brings the schema up to [`SCHEMA_VERSION`]; returns the migrations applied now.
pub fn run(conn: &Connection) -> Result<Vec<i64>> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .map_err(backend)?;
    let current: i64 = conn
        .query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .map_err(backend)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    let mut done_now = Vec::new();
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
        // Another process may have applied it between our read and our lock.
        let done: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
                [version],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if done {
            conn.execute_batch("COMMIT").map_err(backend)?;
            continue;
        }
        let applied = conn.execute_batch(sql).and_then(|_| {
            conn.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, strftime('%s','now'))",
                [version],
            )
        });
        match applied {
            Ok(_) => {
                conn.execute_batch("COMMIT").map_err(backend)?;
                done_now.push(*version);
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(StoreError::Backend(format!("migration {version}: {e}")));
            }
        }
    }
    Ok(done_now)
}
