//! Volunteers (鸿雁志愿者) and their activities, with the checks every face
//! applies before anything is stored: text only (no control characters) in
//! every field a page or an export shows.

use crate::error::{Error, Result};
use fengqiao_store::Store;
use fengqiao_store::volunteers::{NewActivity, NewVolunteer};

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
