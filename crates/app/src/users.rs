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

fn bad(parameter: &str, value: &str, why: String) -> Error {
    Error::input(why).with_details(serde_json::json!({"parameter": parameter, "value": value}))
}

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
        return Err(bad(
            "jurisdiction",
            j,
            format!("jurisdiction {j:?} is not an area on file"),
        ));
    }
    if let Some(d) = &department
        && !config.is_department(d)
    {
        return Err(bad(
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
        return Err(bad("assignee", a, format!("{a:?} is not in the mediator pool")));
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
        Err(bad(
            field,
            "",
            format!("a {role} account works within a {field}: give one"),
        ))
    }
}
