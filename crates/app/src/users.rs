//! Accounts as an administrator manages them, the same from the page and
//! the command line: a role the configuration has, and the scope that role
//! works in — an officer's jurisdiction (an area on file), a department's
//! code, a mediator's or volunteer's place in the mediator pool — given
//! where the role needs it and known where given.

use crate::error::{Code, Error, Result};
use crate::settings::CaseSettings;
use fengqiao_auth::Scope;
use fengqiao_store::Store;

/// The scope fields of an account: jurisdiction, department, assignee.
pub type AccountScope = (Option<String>, Option<String>, Option<String>);

/// Whether `role` is configured and `scope` is what it works in.
pub fn check(store: &dyn Store, settings: &CaseSettings, role: &str, scope: &AccountScope) -> Result<()> {
    let config = &settings.config;
    if !config.roles.iter().any(|r| r == role) {
        return Err(Error::new(
            Code::InvalidParameter,
            format!("role {role:?}: expected one of {}", config.roles.join(", ")),
        )
        .with_details(serde_json::json!({"parameter": "role", "value": role})));
    }
    let (jurisdiction, department, assignee) = scope;
    let given = |x: &Option<String>| x.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let (jurisdiction, department, assignee) = (given(jurisdiction), given(department), given(assignee));
    if let Some(j) = &jurisdiction
        && !store.jurisdictions()?.iter().any(|a| &a.jurisdiction.code == j)
    {
        return Err(Error::field(
            "jurisdiction",
            j,
            format!("jurisdiction {j:?} is not an area on file"),
        ));
    }
    if let Some(d) = &department
        && !config.is_department(d)
    {
        return Err(Error::field(
            "department",
            d,
            format!("department {d:?} is not a configured department"),
        ));
    }
    if let Some(a) = &assignee
        && !crate::mediators::pool(store, settings)?
            .iter()
            .any(|m| m.active && &m.name == a)
    {
        return Err(Error::field(
            "assignee",
            a,
            format!("{a:?} is not in the mediator pool"),
        ));
    }
    let (needed, field) = match settings.policy.scope(role) {
        Scope::All => return Ok(()),
        Scope::Jurisdiction => (jurisdiction.is_some(), "jurisdiction"),
        Scope::Department => (department.is_some(), "department"),
        Scope::Assignee => (assignee.is_some(), "assignee"),
    };
    if needed {
        Ok(())
    } else {
        Err(Error::field(
            field,
            "",
            format!("a {role} account works within a {field}: give one"),
        ))
    }
}

/// An API token for an account, or an Open311 key for a civic app.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum NewCredential {
    ApiToken {
        username: String,
        name: String,
        /// Days until it expires (none: until revoked).
        days: Option<u32>,
    },
    Open311Key {
        name: String,
    },
}

/// Issues a credential; returns the secret, which is shown this once (the
/// store keeps its hash).
pub fn issue_credential(store: &dyn Store, c: &NewCredential, at: chrono::DateTime<chrono::Utc>) -> Result<String> {
    let name = match c {
        NewCredential::ApiToken { name, .. } | NewCredential::Open311Key { name } => name.trim(),
    };
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::field(
            "name",
            name,
            "a name of 1 to 64 characters (what the credential is for)",
        ));
    }
    let (secret, hash) = fengqiao_store::users::new_secret()?;
    match c {
        NewCredential::ApiToken { username, days, .. } => {
            let (user, _) = store
                .user_credentials(username)?
                .ok_or_else(|| Error::not_found(format!("no account {username:?}")))?;
            if user.disabled {
                return Err(Error::field("username", username, format!("{username:?} is disabled")));
            }
            if days.is_some_and(|d| !(1..=3650).contains(&d)) {
                return Err(Error::field("days", "", "1 to 3650 days, or none"));
            }
            let expires = days.map(|d| at + chrono::Duration::days(i64::from(d)));
            store.create_api_token(&hash, user.id, name, expires)?;
        }
        NewCredential::Open311Key { .. } => store.add_open311_key(&hash, name)?,
    }
    Ok(secret)
}
