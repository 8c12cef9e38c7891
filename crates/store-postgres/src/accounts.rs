//! Accounts on PostgreSQL: users, sessions, API tokens, logins and Open311
//! keys. User changes and logins are logged in the same transaction, and
//! booleans are stored as 0/1 as on SQLite, so their commitments match.

use crate::ledger::log_record;
use crate::{PgStore, backend};
use chrono::{DateTime, Utc};
use fengqiao_store::users::{LoginAttempt, NewUser, User, UserChange};
use fengqiao_store::{Result, StoreError};

const USER_COLUMNS: &str = "id, username, display_name, role, jurisdiction, department, assignee, must_change, \
     failed_logins, locked_until, disabled, version, created_at";

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn user(r: &postgres::Row) -> User {
    User {
        id: r.get(0),
        username: r.get(1),
        display_name: r.get(2),
        role: r.get(3),
        jurisdiction: r.get(4),
        department: r.get(5),
        assignee: r.get(6),
        must_change: r.get::<_, i64>(7) != 0,
        failed_logins: r.get::<_, i64>(8) as u32,
        locked_until: r.get::<_, Option<i64>>(9).map(at),
        disabled: r.get::<_, i64>(10) != 0,
        version: r.get::<_, i64>(11) as u32,
        created_at: at(r.get(12)),
    }
}

fn prefixed(alias: &str) -> String {
    USER_COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

fn user_by_id(c: &mut impl postgres::GenericClient, id: i64) -> Result<Option<User>> {
    Ok(
        c.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), &[&id])
            .map_err(backend)?
            .map(|r| user(&r)),
    )
}

impl PgStore {
    /// Stores a new user with its ledger entry; a taken user name is `InvalidQuery`.
    pub fn create_user(&self, u: &NewUser, actor: &str) -> Result<i64> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO users (username, display_name, role, jurisdiction, department, assignee, password_hash,
                    must_change, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &u.username,
                    &u.display_name,
                    &u.role,
                    &u.jurisdiction,
                    &u.department,
                    &u.assignee,
                    &u.password_hash,
                    &flag(u.must_change),
                    &Utc::now().timestamp(),
                ],
            )
            .map_err(|e| match e.code() {
                Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                    StoreError::InvalidQuery(format!("user name {:?} is taken", u.username))
                }
                _ => backend(e),
            })?
            .get(0);
        log_record(&mut tx, &self.ledger_key, "user", id, 1, actor)?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    pub fn user(&self, id: i64) -> Result<Option<User>> {
        user_by_id(&mut *self.client()?, id)
    }

    /// A user and its password hash, for logging in.
    pub fn user_credentials(&self, username: &str) -> Result<Option<(User, String)>> {
        Ok(self
            .client()?
            .query_opt(
                &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"),
                &[&username],
            )
            .map_err(backend)?
            .map(|r| (user(&r), r.get(13))))
    }

    pub fn users(&self) -> Result<Vec<User>> {
        Ok(self
            .client()?
            .query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"), &[])
            .map_err(backend)?
            .iter()
            .map(user)
            .collect())
    }

    /// Changes a user (version bumped, ledger entry) and ends its sessions.
    pub fn update_user(&self, id: i64, ch: &UserChange, actor: &str) -> Result<User> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        // Two administrators changing one user at once: one after the other.
        let Some(before) = tx
            .query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE"),
                &[&id],
            )
            .map_err(backend)?
            .map(|r| user(&r))
        else {
            return Err(StoreError::NotFound {
                what: format!("user {id}"),
            });
        };
        let next = ch.apply(&before);
        let version = next.version;
        tx.execute(
            "UPDATE users SET role = $2, jurisdiction = $3, department = $4, assignee = $5,
                 password_hash = COALESCE($6, password_hash), must_change = $7, disabled = $8, version = $9,
                 failed_logins = CASE WHEN $6::text IS NULL THEN failed_logins ELSE 0 END,
                 locked_until = CASE WHEN $6::text IS NULL THEN locked_until ELSE NULL END
             WHERE id = $1",
            &[
                &id,
                &next.role,
                &next.jurisdiction,
                &next.department,
                &next.assignee,
                &ch.password_hash,
                &flag(next.must_change),
                &flag(next.disabled),
                &i64::from(version),
            ],
        )
        .map_err(backend)?;
        tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&id])
            .map_err(backend)?;
        log_record(&mut tx, &self.ledger_key, "user", id, version, actor)?;
        let after = user_by_id(&mut tx, id)?.ok_or_else(|| StoreError::NotFound {
            what: format!("user {id}"),
        })?;
        tx.commit().map_err(backend)?;
        Ok(after)
    }

    /// Records a login attempt (logged) and the account's failure count and lock.
    pub fn record_login(&self, a: &LoginAttempt) -> Result<()> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO logins (username, user_id, success, via, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&a.username, &a.user_id, &flag(a.success), &a.via, &a.at.timestamp()],
            )
            .map_err(backend)?
            .get(0);
        if let Some(u) = a.user_id {
            tx.execute(
                "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1",
                &[&u, &i64::from(a.failed_logins), &a.locked_until.map(|t| t.timestamp())],
            )
            .map_err(backend)?;
        }
        log_record(
            &mut tx,
            &self.ledger_key,
            "login",
            id,
            1,
            &format!("login:{}", a.username),
        )?;
        tx.commit().map_err(backend)
    }

    pub fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, expires: DateTime<Utc>) -> Result<()> {
        self.client()?
            .execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[
                    &token_hash,
                    &user_id,
                    &csrf,
                    &Utc::now().timestamp(),
                    &expires.timestamp(),
                ],
            )
            .map(drop)
            .map_err(backend)
    }

    /// The user of a live session and its CSRF token.
    pub fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(User, String)>> {
        Ok(self
            .client()?
            .query_opt(
                &format!(
                    "SELECT {}, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
                    prefixed("u")
                ),
                &[&token_hash, &now.timestamp()],
            )
            .map_err(backend)?
            .map(|r| (user(&r), r.get(13))))
    }

    pub fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.client()?
            .execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
            .map(drop)
            .map_err(backend)
    }

    pub fn create_api_token(
        &self,
        token_hash: &str,
        user_id: i64,
        name: &str,
        expires: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.client()?
            .execute(
                "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[&token_hash, &user_id, &name, &Utc::now().timestamp(), &expires.map(|t| t.timestamp())],
            )
            .map(drop)
            .map_err(backend)
    }

    /// The user of a live API token.
    pub fn api_token_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        Ok(self
            .client()?
            .query_opt(
                &format!(
                    "SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id
                     WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled = 0",
                    prefixed("u")
                ),
                &[&token_hash, &now.timestamp()],
            )
            .map_err(backend)?
            .map(|r| user(&r)))
    }

    pub fn add_open311_key(&self, key_hash: &str, name: &str) -> Result<()> {
        self.client()?
            .execute(
                "INSERT INTO open311_keys (key_hash, name, created_at) VALUES ($1, $2, $3)",
                &[&key_hash, &name, &Utc::now().timestamp()],
            )
            .map(drop)
            .map_err(backend)
    }

    pub fn credentials(&self) -> Result<Vec<fengqiao_store::users::Credential>> {
        let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap_or_default();
        Ok(self
            .client()?
            .query(
                "SELECT 't-' || substr(t.token_hash, 1, 12), t.name, u.username, t.created_at, t.expires_at
                 FROM api_tokens t JOIN users u ON u.id = t.user_id
                 UNION ALL
                 SELECT 'k-' || substr(key_hash, 1, 12), name, NULL, created_at, NULL FROM open311_keys
                 ORDER BY 4 DESC, 1",
                &[],
            )
            .map_err(backend)?
            .iter()
            .map(|r| fengqiao_store::users::Credential {
                id: r.get(0),
                name: r.get(1),
                username: r.get(2),
                created_at: at(r.get(3)),
                expires_at: r.get::<_, Option<i64>>(4).map(at),
            })
            .collect())
    }

    pub fn revoke_credential(&self, id: &str) -> Result<bool> {
        let Some((table, prefix)) = fengqiao_store::users::credential_handle(id) else {
            return Ok(false);
        };
        let column = if table == "api_tokens" {
            "token_hash"
        } else {
            "key_hash"
        };
        let n = self
            .client()?
            .execute(
                &format!("DELETE FROM {table} WHERE substr({column}, 1, 12) = $1"),
                &[&prefix],
            )
            .map_err(backend)?;
        Ok(n > 0)
    }

    pub fn open311_key(&self, key_hash: &str) -> Result<Option<String>> {
        Ok(self
            .client()?
            .query_opt("SELECT name FROM open311_keys WHERE key_hash = $1", &[&key_hash])
            .map_err(backend)?
            .map(|r| r.get(0)))
    }
}
