//! Accounts through any [`Store`]: creating users with a one-time password,
//! changing roles and scopes, logging in with lockout after repeated
//! failures, sessions and API tokens. Every user change and every login is
//! logged in the transparency log by the store.

use crate::{Result, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use fengqiao_auth::{Principal, password};
use serde::Serialize;

/// Failed logins in a row before an account is locked.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: Duration = Duration::minutes(15);
/// How long a browser session lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub jurisdiction: Option<String>,
    pub department: Option<String>,
    pub assignee: Option<String>,
    pub password_hash: String,
    pub must_change: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub jurisdiction: Option<String>,
    pub department: Option<String>,
    pub assignee: Option<String>,
    pub must_change: bool,
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
    pub version: u32,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            role: self.role.clone(),
            jurisdiction: self.jurisdiction.clone(),
            department: self.department.clone(),
            assignee: self.assignee.clone(),
        }
    }
}

/// A change to a user; `None` fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChange {
    pub role: Option<String>,
    pub jurisdiction: Option<Option<String>>,
    pub department: Option<Option<String>>,
    pub assignee: Option<Option<String>>,
    pub password_hash: Option<String>,
    pub must_change: Option<bool>,
    pub disabled: Option<bool>,
}

impl UserChange {
    /// The user as this change leaves it (one version on; the password and
    /// the login counters are the store's business).
    pub fn apply(&self, before: &User) -> User {
        let pick = |new: &Option<Option<String>>, old: &Option<String>| new.clone().unwrap_or_else(|| old.clone());
        User {
            role: self.role.clone().unwrap_or_else(|| before.role.clone()),
            jurisdiction: pick(&self.jurisdiction, &before.jurisdiction),
            department: pick(&self.department, &before.department),
            assignee: pick(&self.assignee, &before.assignee),
            must_change: self.must_change.unwrap_or(before.must_change),
            disabled: self.disabled.unwrap_or(before.disabled),
            version: before.version + 1,
            ..before.clone()
        }
    }
}

/// One login attempt, as the store records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    pub username: String,
    pub user_id: Option<i64>,
    pub success: bool,
    /// `password` or `token`; a refused attempt that never reached the
    /// password says why: `password (disabled account)`, `password (throttled address)`.
    pub via: String,
    pub at: DateTime<Utc>,
    /// The account's failed-login count and lock after this attempt.
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong user name or password: one answer for both.
    #[error("wrong user name or password")]
    Wrong,
    #[error("the account is locked after repeated failed logins until {0}")]
    Locked(DateTime<Utc>),
    #[error("the account is disabled")]
    Disabled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn random<const N: usize>() -> Result<[u8; N]> {
    crate::secrets::random_bytes().map_err(|e| StoreError::Backend(format!("no randomness: {e}")))
}

/// A fresh password of 16 characters.
pub fn one_time_password() -> Result<String> {
    Ok(password::generate(&random::<16>()?))
}

/// The argon2id hash of `password` under a fresh salt.
pub fn hash_password(pw: &str) -> Result<String> {
    Ok(password::hash(pw, random()?))
}

/// Creates a user with a one-time password (returned once; the user must
/// change it at first login).
pub fn add_user(
    store: &dyn Store,
    username: &str,
    display_name: &str,
    role: &str,
    scope: (Option<String>, Option<String>, Option<String>),
    actor: &str,
) -> Result<(User, String)> {
    let name = username.trim();
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c)) {
        return Err(StoreError::InvalidQuery(format!(
            "user name {username:?}: 1 to 64 letters, digits or . _ - @"
        )));
    }
    let otp = one_time_password()?;
    let (jurisdiction, department, assignee) = scope;
    let id = store.create_user(
        &NewUser {
            username: name.into(),
            display_name: display_name.into(),
            role: role.into(),
            jurisdiction,
            department,
            assignee,
            password_hash: hash_password(&otp)?,
            must_change: true,
        },
        actor,
    )?;
    let user = store.user(id)?.ok_or_else(|| StoreError::NotFound {
        what: format!("user {id}"),
    })?;
    Ok((user, otp))
}

/// Checks a password, keeping count of failures and locking the account
/// after [`MAX_FAILED_LOGINS`] in a row; every attempt is recorded.
/// Longest user name an attempt is recorded under (what is typed is not trusted).
const RECORDED_NAME_CHARS: usize = 64;

fn recorded_name(username: &str) -> String {
    username.trim().chars().take(RECORDED_NAME_CHARS).collect()
}

/// Checks a password, recording the attempt whatever its outcome. Every
/// refusal spends the same work (one password verification), so neither
/// the answer's time nor its kind tells an unknown account from a locked,
/// disabled or wrongly typed one; the caller shows them all alike.
pub fn login(store: &dyn Store, username: &str, pw: &str, now: DateTime<Utc>) -> Result<User, LoginError> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = || DUMMY.get_or_init(|| password::hash("no such user", [0; 16]));
    let attempt = |user: Option<&User>, via: &str, failed_logins: u32, locked_until| LoginAttempt {
        username: user.map_or_else(|| recorded_name(username), |u| u.username.clone()),
        user_id: user.map(|u| u.id),
        success: false,
        via: via.into(),
        at: now,
        failed_logins,
        locked_until,
    };
    let found = store.user_credentials(username.trim())?;
    let Some((user, hash)) = found else {
        let _ = password::verify(pw, dummy());
        store.record_login(&attempt(None, "password", 0, None))?;
        return Err(LoginError::Wrong);
    };
    if user.disabled {
        let _ = password::verify(pw, dummy());
        store.record_login(&attempt(
            Some(&user),
            "password (disabled account)",
            user.failed_logins,
            user.locked_until,
        ))?;
        return Err(LoginError::Disabled);
    }
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        // Attempts on a locked account are recorded too: they are what a lock is for.
        let _ = password::verify(pw, &hash);
        store.record_login(&attempt(Some(&user), "password", user.failed_logins, Some(until)))?;
        return Err(LoginError::Locked(until));
    }
    let ok = password::verify(pw, &hash);
    let failed = if ok { 0 } else { user.failed_logins + 1 };
    let locked_until = (failed >= MAX_FAILED_LOGINS).then_some(now + LOCKOUT);
    store.record_login(&LoginAttempt {
        success: ok,
        ..attempt(Some(&user), "password", failed, locked_until)
    })?;
    match (ok, locked_until) {
        (true, _) => Ok(User {
            failed_logins: 0,
            locked_until: None,
            ..user
        }),
        (false, Some(until)) => Err(LoginError::Locked(until)),
        (false, None) => Err(LoginError::Wrong),
    }
}

/// Records a sign-in refused before its password was looked at, because
/// its address had failed too often.
pub fn record_throttled(store: &dyn Store, username: &str, now: DateTime<Utc>) -> Result<()> {
    let user = store.user_credentials(username.trim())?.map(|(u, _)| u);
    store.record_login(&LoginAttempt {
        username: user
            .as_ref()
            .map_or_else(|| recorded_name(username), |u| u.username.clone()),
        user_id: user.as_ref().map(|u| u.id),
        success: false,
        via: "password (throttled address)".into(),
        at: now,
        failed_logins: user.as_ref().map_or(0, |u| u.failed_logins),
        locked_until: user.and_then(|u| u.locked_until),
    })
}

/// A random secret token and the SHA-256 (hex) the store keeps of it.
pub fn new_secret() -> Result<(String, String)> {
    use sha2::Digest;
    let token = crate::secrets::hex(&random::<32>()?);
    let hash = crate::secrets::hex(&sha2::Sha256::digest(token.as_bytes()));
    Ok((token, hash))
}

/// The stored form of a session or API token.
pub fn secret_hash(token: &str) -> String {
    use sha2::Digest;
    crate::secrets::hex(&sha2::Sha256::digest(token.trim().as_bytes()))
}

/// An API token or an Open311 key as an administrator sees it: never the
/// secret nor its hash, only a handle to revoke it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credential {
    /// `t-` (API token) or `k-` (Open311 key) and the first 12 hex digits of its hash.
    pub id: String,
    pub name: String,
    /// The account an API token acts as (Open311 keys act as no one).
    pub username: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The table, hash prefix and kind a credential handle names, if well formed.
pub fn credential_handle(id: &str) -> Option<(&'static str, &str)> {
    let (table, prefix) = match id.split_at_checked(2)? {
        ("t-", p) => ("api_tokens", p),
        ("k-", p) => ("open311_keys", p),
        _ => return None,
    };
    (prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
        .then_some((table, prefix))
}
