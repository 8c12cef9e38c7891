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
    // One statement for the whole batch: positions next, next + 1, ...
    let types: Vec<&str> = entries.iter().map(|e| e.record_type).collect();
    let ids: Vec<&str> = entries.iter().map(|e| e.record_id.as_str()).collect();
    let versions: Vec<i64> = entries.iter().map(|e| i64::from(e.version)).collect();
    let actors: Vec<&str> = entries.iter().map(|e| e.actor.as_str()).collect();
    let commitments: Vec<&[u8]> = entries.iter().map(|e| &e.commitment[..]).collect();
    tx.execute(
        "INSERT INTO ledger_entries (seq, record_type, record_id, version, actor, at, commitment)
         SELECT $1 + u.n - 1, u.t, u.i, u.v, u.a, $2, u.c
         FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::bytea[])
              WITH ORDINALITY AS u(t, i, v, a, c, n)",
        &[&next, &at, &types, &ids, &versions, &actors, &commitments],
    )
    .map_err(backend)?;
    Ok(next)
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A stored column value read back for its commitment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Owned {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Owned {
    fn canonical(&self) -> fengqiao_store::canonical::Value<'_> {
        use fengqiao_store::canonical::Value as C;
        match self {
            Owned::Null => C::Null,
            Owned::Integer(n) => C::Integer(*n),
            Owned::Real(f) => C::Real(*f),
            Owned::Text(t) => C::Text(t),
            Owned::Blob(b) => C::Blob(b),
        }
    }
}

/// Every column of a row as the value it holds (the schema has only bigint,
/// double precision, text and bytea columns).
pub(crate) fn owned_row(r: &postgres::Row) -> Vec<Owned> {
    use postgres::types::Type;
    (0..r.len())
        .map(|i| match *r.columns()[i].type_() {
            Type::INT8 => r.get::<_, Option<i64>>(i).map_or(Owned::Null, Owned::Integer),
            Type::FLOAT8 => r.get::<_, Option<f64>>(i).map_or(Owned::Null, Owned::Real),
            Type::BYTEA => r.get::<_, Option<Vec<u8>>>(i).map_or(Owned::Null, Owned::Blob),
            _ => r.get::<_, Option<String>>(i).map_or(Owned::Null, Owned::Text),
        })
        .collect()
}

pub(crate) fn commit(key: &[u8; 32], values: &[Owned]) -> [u8; 32] {
    let canonical: Vec<_> = values.iter().map(Owned::canonical).collect();
    fengqiao_store::canonical::commit(key, &canonical)
}

use fengqiao_store::canonical::{
    ACTIVITY_COLUMNS, ATTACHMENT_COLUMNS, FORECAST_COLUMNS, INCIDENT_COLUMNS, LEAVE_COLUMNS, LINK_COLUMNS,
    LOGIN_COLUMNS, MEDIATOR_COLUMNS, PERSON_COLUMNS, PLAN_COLUMNS, ROSTER_COLUMNS, USER_COLUMNS,
    VOLUNTEER_ACCOUNT_COLUMNS, VOLUNTEER_COLUMNS,
};

/// The stored values of a record that the log commits to (the SQLite
/// backend's columns, in its order).
pub(crate) fn record_values(
    c: &mut impl postgres::GenericClient,
    record_type: &str,
    id: i64,
) -> Result<Option<Vec<Owned>>> {
    let one = |c: &mut dyn FnMut(&str) -> Result<Option<postgres::Row>>, sql: &str| -> Result<Option<Vec<Owned>>> {
        Ok(c(sql)?.map(|r| owned_row(&r)))
    };
    let mut query = |sql: &str| c.query_opt(sql, &[&id]).map_err(backend);
    match record_type {
        "incident" => one(
            &mut query,
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1"),
        ),
        "plan" => one(&mut query, &format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1")),
        "forecast" => {
            let Some(mut run) = one(
                &mut query,
                &format!("SELECT {FORECAST_COLUMNS} FROM forecast_runs WHERE id = $1"),
            )?
            else {
                return Ok(None);
            };
            let cells: Vec<(i64, f64)> = c
                .query(
                    "SELECT cell, expected FROM forecast_cells WHERE run_id = $1 ORDER BY cell",
                    &[&id],
                )
                .map_err(backend)?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            run.push(Owned::Text(serde_json::to_string(&cells).unwrap_or_default()));
            Ok(Some(run))
        }
        "user" => one(&mut query, &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")),
        "login" => one(&mut query, &format!("SELECT {LOGIN_COLUMNS} FROM logins WHERE id = $1")),
        "case" => crate::cases::committed_values(c, id),
        "attachment" => one(
            &mut query,
            &format!("SELECT {ATTACHMENT_COLUMNS} FROM case_attachments WHERE id = $1"),
        ),
        "volunteer" => one(
            &mut query,
            &format!("SELECT {VOLUNTEER_COLUMNS} FROM volunteers WHERE id = $1"),
        ),
        "activity" => {
            let Some(mut values) = one(
                &mut query,
                &format!("SELECT {ACTIVITY_COLUMNS} FROM volunteer_activities WHERE id = $1"),
            )?
            else {
                return Ok(None);
            };
            let people = crate::volunteers::attendance(c, id)?;
            values.push(Owned::Text(serde_json::to_string(&people).unwrap_or_default()));
            Ok(Some(values))
        }
        "mediator" => one(
            &mut query,
            &format!("SELECT {MEDIATOR_COLUMNS} FROM mediators WHERE id = $1"),
        ),
        "volunteer_account" => one(
            &mut query,
            &format!("SELECT {VOLUNTEER_ACCOUNT_COLUMNS} FROM volunteer_accounts WHERE id = $1"),
        ),
        "link" => one(
            &mut query,
            &format!("SELECT {LINK_COLUMNS} FROM case_links WHERE id = $1"),
        ),
        "person" => one(
            &mut query,
            &format!("SELECT {PERSON_COLUMNS} FROM personnel WHERE id = $1"),
        ),
        "roster" => one(
            &mut query,
            &format!("SELECT {ROSTER_COLUMNS} FROM rosters WHERE id = $1"),
        ),
        "leave" => one(
            &mut query,
            &format!("SELECT {LEAVE_COLUMNS} FROM personnel_leave WHERE id = $1"),
        ),
        other => Err(fengqiao_store::StoreError::InvalidQuery(format!(
            "no record type {other:?} in the PostgreSQL ledger yet"
        ))),
    }
}

/// Commits to a record just written (at `version`) and appends its entry.
pub(crate) fn log_record(
    tx: &mut Transaction<'_>,
    key: &[u8; 32],
    record_type: &'static str,
    id: i64,
    version: u32,
    actor: &str,
) -> Result<()> {
    let values = record_values(tx, record_type, id)?.ok_or_else(|| fengqiao_store::StoreError::NotFound {
        what: format!("{record_type} {id}"),
    })?;
    append(
        tx,
        &[NewEntry {
            record_type,
            record_id: id.to_string(),
            version,
            actor: actor.into(),
            commitment: commit(key, &values),
        }],
    )
    .map(drop)
}
