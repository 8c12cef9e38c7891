//! The SQL behind accounts: users, sessions, API tokens and logins. User
//! changes and logins are appended to the ledger in the same transaction.

use crate::{backend, from_ts, ts};
use chrono::{DateTime, Utc};
use fengqiao_store::users::{LoginAttempt, NewUser, User, UserChange};
use fengqiao_store::{Result, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

// What the ledger commits to for a user is who it is and what it may do
// (not its failure count, which changes with every mistyped password and
// is covered by the logged logins).
use fengqiao_store::canonical::{LOGIN_COLUMNS, USER_COLUMNS as USER_COMMITTED};
/// The columns a user is read with.
const USER_COLUMNS: &str = "id, username, display_name, role, jurisdiction, department, assignee, must_change, \
     failed_logins, locked_until, disabled, version, created_at";

pub(crate) fn committed_values(c: &Connection, record_type: &str, id: i64) -> Result<Option<Vec<Value>>> {
    let sql = if record_type == "user" {
        format!("SELECT {USER_COMMITTED} FROM users WHERE id = ?1")
    } else {
        format!("SELECT {LOGIN_COLUMNS} FROM logins WHERE id = ?1")
    };
    crate::ledger::row(c, &sql, id)
}

fn user_of(r: &Row) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        jurisdiction: r.get(4)?,
        department: r.get(5)?,
        assignee: r.get(6)?,
        must_change: r.get(7)?,
        failed_logins: r.get(8)?,
        locked_until: r.get::<_, Option<i64>>(9)?.map(from_ts),
        disabled: r.get(10)?,
        version: r.get(11)?,
        created_at: from_ts(r.get(12)?),
    })
}

pub(crate) fn create(conn: &mut Connection, key: &crate::ledger::Key, u: &NewUser, actor: &str) -> Result<i64> {
    let tx = conn.transaction().map_err(backend)?;
    tx.execute(
        "INSERT INTO users (username, display_name, role, jurisdiction, department, assignee, password_hash,
            must_change, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            u.username,
            u.display_name,
            u.role,
            u.jurisdiction,
            u.department,
            u.assignee,
            u.password_hash,
            u.must_change,
            ts(Utc::now())
        ],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::InvalidQuery(format!("user name {:?} is taken", u.username))
        }
        e => backend(e),
    })?;
    let id = tx.last_insert_rowid();
    crate::ledger::log_record(&tx, key, "user", id, 1, actor)?;
    tx.commit().map_err(backend)?;
    Ok(id)
}

pub(crate) fn by_id(c: &Connection, id: i64) -> Result<Option<User>> {
    c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))
        .map_err(backend)?
        .query_row([id], user_of)
        .optional()
        .map_err(backend)
}

pub(crate) fn credentials(c: &Connection, username: &str) -> Result<Option<(User, String)>> {
    c.prepare_cached(&format!(
        "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?1"
    ))
    .map_err(backend)?
    .query_row([username], |r| Ok((user_of(r)?, r.get(13)?)))
    .optional()
    .map_err(backend)
}

pub(crate) fn list(c: &Connection) -> Result<Vec<User>> {
    c.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
        .map_err(backend)?
        .query_map([], user_of)
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)
}

pub(crate) fn update(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    id: i64,
    ch: &UserChange,
    actor: &str,
) -> Result<User> {
    let tx = conn.transaction().map_err(backend)?;
    let Some(before) = by_id(&tx, id)? else {
        return Err(StoreError::NotFound {
            what: format!("user {id}"),
        });
    };
    let next = ch.apply(&before);
    let version = next.version;
    tx.execute(
        "UPDATE users SET role = ?2, jurisdiction = ?3, department = ?4, assignee = ?5,
             password_hash = COALESCE(?6, password_hash), must_change = ?7, disabled = ?8, version = ?9,
             failed_logins = CASE WHEN ?6 IS NULL THEN failed_logins ELSE 0 END,
             locked_until = CASE WHEN ?6 IS NULL THEN locked_until ELSE NULL END
         WHERE id = ?1",
        params![
            id,
            next.role,
            next.jurisdiction,
            next.department,
            next.assignee,
            ch.password_hash,
            next.must_change,
            next.disabled,
            version
        ],
    )
    .map_err(backend)?;
    // Whatever changed about who the user is or what it may do ends its sessions.
    tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])
        .map_err(backend)?;
    crate::ledger::log_record(&tx, key, "user", id, version, actor)?;
    let after = by_id(&tx, id)?.expect("just updated");
    tx.commit().map_err(backend)?;
    Ok(after)
}

pub(crate) fn record_login(conn: &mut Connection, key: &crate::ledger::Key, a: &LoginAttempt) -> Result<()> {
    let tx = conn.transaction().map_err(backend)?;
    tx.execute(
        "INSERT INTO logins (username, user_id, success, via, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![a.username, a.user_id, a.success, a.via, ts(a.at)],
    )
    .map_err(backend)?;
    let id = tx.last_insert_rowid();
    if let Some(user) = a.user_id {
        tx.execute(
            "UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1",
            params![user, a.failed_logins, a.locked_until.map(ts)],
        )
        .map_err(backend)?;
    }
    crate::ledger::log_record(&tx, key, "login", id, 1, &format!("login:{}", a.username))?;
    tx.commit().map_err(backend)?;
    Ok(())
}

pub(crate) fn create_session(
    c: &Connection,
    token_hash: &str,
    user: i64,
    csrf: &str,
    expires: DateTime<Utc>,
) -> Result<()> {
    c.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash, user, csrf, ts(Utc::now()), ts(expires)],
    )
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn session(c: &Connection, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(User, String)>> {
    let cols: Vec<String> = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect();
    c.prepare_cached(&format!(
        "SELECT {}, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0",
        cols.join(", ")
    ))
    .map_err(backend)?
    .query_row(params![token_hash, ts(now)], |r| Ok((user_of(r)?, r.get(13)?)))
    .optional()
    .map_err(backend)
}

pub(crate) fn delete_session(c: &Connection, token_hash: &str) -> Result<()> {
    c.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn create_api_token(
    c: &Connection,
    token_hash: &str,
    user: i64,
    name: &str,
    expires: Option<DateTime<Utc>>,
) -> Result<()> {
    c.execute(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash, user, name, ts(Utc::now()), expires.map(ts)],
    )
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn api_token_user(c: &Connection, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
    let cols: Vec<String> = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect();
    c.prepare_cached(&format!(
        "SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ?1 AND (t.expires_at IS NULL OR t.expires_at > ?2) AND u.disabled = 0",
        cols.join(", ")
    ))
    .map_err(backend)?
    .query_row(params![token_hash, ts(now)], user_of)
    .optional()
    .map_err(backend)
}
