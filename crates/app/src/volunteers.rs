//! Volunteers (鸿雁志愿者) and their activities, with the checks every face
//! applies before anything is stored: text only (no control characters) in
//! every field a page or an export shows.

use crate::error::{Error, Result};
use fengqiao_store::Store;
use fengqiao_store::volunteers::{NewActivity, NewVolunteer, Volunteer};

fn text(field: &str, value: &str) -> Result<()> {
    fengqiao_cases::text::check(field, value).map_err(|e| {
        Error::new(crate::Code::InvalidParameter, e.to_string())
            .with_details(serde_json::json!({"parameter": field, "value": value}))
    })
}

/// Registers a volunteer; returns the id.
pub fn register(store: &dyn Store, v: &NewVolunteer) -> Result<i64> {
    if v.name.trim().is_empty() {
        return Err(Error::input("a volunteer needs a name"));
    }
    text("name", &v.name)?;
    text("availability", &v.availability)?;
    text("phone", v.phone.as_deref().unwrap_or(""))?;
    for s in &v.skills {
        text("skills", s)?;
    }
    for a in &v.areas {
        text("areas", a)?;
    }
    Ok(store.add_volunteer(v)?)
}

/// Links a registered volunteer to the account they sign in with: an
/// account of the volunteer role, one volunteer each way.
pub fn link_account(
    store: &dyn Store,
    volunteer_id: i64,
    username: &str,
    actor: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    let registry = store.volunteers(None, None)?;
    check_account(store, &registry, username)?;
    match registry.iter().find(|v| v.id == volunteer_id) {
        None => Err(Error::not_found(format!("no volunteer {volunteer_id}"))),
        Some(v) if v.account.is_some() => Err(account_error(
            username,
            format!("volunteer {volunteer_id} already has an account"),
        )),
        Some(_) => Ok(store.link_volunteer_account(volunteer_id, username, at, actor)?),
    }
}

fn account_error(username: &str, why: String) -> Error {
    Error::input(why).with_details(serde_json::json!({"parameter": "account", "value": username}))
}

/// Whether `username` is an account a volunteer may sign in with, free of
/// any volunteer in `registry`.
fn check_account(store: &dyn Store, registry: &[Volunteer], username: &str) -> Result<()> {
    match store.user_credentials(username)? {
        None => Err(account_error(username, format!("no account {username:?}"))),
        Some((u, _)) if u.role != "volunteer" => Err(account_error(
            username,
            format!("{username:?} signs in as {}, not as a volunteer", u.role),
        )),
        Some(_) if registry.iter().any(|v| v.account.as_deref() == Some(username)) => Err(account_error(
            username,
            format!("{username:?} is already the account of another volunteer"),
        )),
        Some(_) => Ok(()),
    }
}

/// Registers a volunteer with the account they sign in with, if any: the
/// account is checked first, so nothing is registered when it is wrong.
pub fn register_with_account(
    store: &dyn Store,
    v: &NewVolunteer,
    account: Option<&str>,
    actor: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    if let Some(a) = account {
        check_account(store, &store.volunteers(None, None)?, a)?;
    }
    let id = register(store, v)?;
    if let Some(a) = account {
        // Checked above; a new volunteer has no account yet.
        store.link_volunteer_account(id, a, at, actor)?;
    }
    Ok(id)
}

/// The registry entry of the volunteer who signs in as `username`.
pub fn of_account(store: &dyn Store, username: &str) -> Result<Option<Volunteer>> {
    Ok(store
        .volunteers(None, None)?
        .into_iter()
        .find(|v| v.account.as_deref() == Some(username)))
}

/// What a volunteer reports of their own activity.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnActivity {
    pub kind: String,
    pub title: String,
    pub jurisdiction: Option<String>,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub reach: u32,
    pub hours: f64,
}

/// A volunteer records an activity they took part in: only for themselves
/// (the account must be a registered volunteer's) and for no more hours
/// than the activity lasted.
pub fn record_own_activity(store: &dyn Store, username: &str, a: OwnActivity) -> Result<i64> {
    let span = (a.ends_at - a.starts_at).num_minutes() as f64 / 60.0;
    if !(a.hours > 0.0 && a.hours <= span + 1e-9) {
        return Err(Error::new(
            crate::Code::InvalidParameter,
            format!(
                "{} hours: more than zero and at most the activity's {span:.1} hours",
                a.hours
            ),
        )
        .with_details(serde_json::json!({"parameter": "hours", "value": a.hours.to_string()})));
    }
    let me = of_account(store, username)?
        .ok_or_else(|| Error::not_found("this account is not linked to a registered volunteer"))?;
    record_activity(
        store,
        &NewActivity {
            kind: a.kind,
            title: a.title,
            jurisdiction: a.jurisdiction,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            reach: a.reach,
            case_code: None,
            attendance: vec![(me.id, a.hours)],
        },
    )
}

/// Records an activity with its attendance; returns the id.
pub fn record_activity(store: &dyn Store, a: &NewActivity) -> Result<i64> {
    text("title", &a.title)?;
    text("jurisdiction", a.jurisdiction.as_deref().unwrap_or(""))?;
    text("case_code", a.case_code.as_deref().unwrap_or(""))?;
    if a.ends_at < a.starts_at {
        return Err(Error::input("an activity cannot end before it starts"));
    }
    Ok(store.add_activity(a)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = fengqiao_store_sqlite::SqliteStore::open(&dir.path().join("v.sqlite")).unwrap();
        let v = NewVolunteer {
            name: "王\u{1b}[31m".into(),
            phone: None,
            skills: vec![],
            areas: vec![],
            availability: String::new(),
            joined_at: chrono::Utc::now(),
        };
        let e = register(&store, &v).unwrap_err();
        assert_eq!((e.code.http_status(), e.code.exit_code()), (400, 6));
        assert!(store.volunteers(None, None).unwrap().is_empty());
        let ok = NewVolunteer {
            name: "王芳".into(),
            ..v
        };
        assert!(register(&store, &ok).is_ok());
    }
}
