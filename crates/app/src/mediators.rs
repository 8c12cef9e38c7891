//! The mediator pool, the same from the page and the command line: stored
//! and logged, seeded once from the configuration's list; a mediator is
//! added with a known kind and areas on file, retired (never deleted: their
//! cases name them), and only active ones are assigned new disputes.

use crate::error::{Code, Error, Result};
use crate::settings::CaseSettings;
use chrono::{DateTime, Utc};
use fengqiao_cases::config::MEDIATOR_KINDS;
use fengqiao_store::Store;
use fengqiao_store::mediators::{Mediator, NewMediator};

/// The pool, retired mediators included; seeded from the configuration the
/// first time it is asked for.
pub fn pool(store: &dyn Store, settings: &CaseSettings) -> Result<Vec<Mediator>> {
    let list = store.mediators()?;
    if !list.is_empty() || settings.config.mediators.is_empty() {
        return Ok(list);
    }
    let at = Utc::now();
    for m in &settings.config.mediators {
        let new = NewMediator {
            name: m.name.clone(),
            kind: m.kind.clone(),
            areas: m.areas.clone(),
        };
        // Another server seeding at once: the name is on file either way.
        store.add_mediator(&new, at, "config")?;
    }
    Ok(store.mediators()?)
}

/// The case configuration with the pool's active mediators: what an
/// assignment is checked against.
pub fn config_with_pool(store: &dyn Store, settings: &CaseSettings) -> Result<fengqiao_cases::CaseConfig> {
    let mut config = (*settings.config).clone();
    config.mediators = pool(store, settings)?
        .into_iter()
        .filter(|m| m.active)
        .map(|m| fengqiao_cases::config::Mediator {
            name: m.name,
            kind: m.kind,
            areas: m.areas,
        })
        .collect();
    Ok(config)
}

/// Adds a mediator to the pool; returns its id.
pub fn add(store: &dyn Store, settings: &CaseSettings, m: &NewMediator, actor: &str, at: DateTime<Utc>) -> Result<i64> {
    let name = m.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(Error::field("name", name, "a name of 1 to 50 characters"));
    }
    fengqiao_cases::text::check("name", name).map_err(|e| Error::field("name", name, e.to_string()))?;
    if !MEDIATOR_KINDS.contains(&m.kind.as_str()) {
        return Err(Error::field(
            "kind",
            &m.kind,
            format!("kind {:?}: one of {}", m.kind, MEDIATOR_KINDS.join(", ")),
        ));
    }
    let areas = store.jurisdictions()?;
    if let Some(a) = m
        .areas
        .iter()
        .find(|a| !areas.iter().any(|x| &x.jurisdiction.code == *a))
    {
        return Err(Error::field("areas", a, format!("{a:?} is not an area on file")));
    }
    pool(store, settings)?;
    let new = NewMediator {
        name: name.to_string(),
        ..m.clone()
    };
    store
        .add_mediator(&new, at, actor)?
        .ok_or_else(|| Error::new(Code::Conflict, format!("a mediator named {name:?} is on file already")))
}

/// Retires a mediator: on file, given no new disputes.
pub fn retire(store: &dyn Store, id: i64, actor: &str) -> Result<Mediator> {
    Ok(store.retire_mediator(id, actor)?)
}

/// One mediator's disputes: those still open and those settled by an
/// agreement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Workload {
    #[serde(flatten)]
    pub mediator: Mediator,
    pub open_cases: usize,
    pub settled_cases: usize,
}

/// The pool with each mediator's open and settled disputes, read in one
/// pass over the disputes — what the assign dialog, the users page and
/// `case mediators` all show.
pub fn workload(store: &dyn Store, settings: &CaseSettings) -> Result<Vec<Workload>> {
    let pool = pool(store, settings)?;
    let disputes = store.cases(&fengqiao_store::cases::CaseFilter {
        case_type: Some("dispute".into()),
        ..Default::default()
    })?;
    let mut counts: std::collections::HashMap<&str, (usize, usize)> = std::collections::HashMap::new();
    for c in &disputes {
        if let Some(name) = c.state.assignee.as_deref() {
            let e = counts.entry(name).or_default();
            e.0 += usize::from(c.state.closed_at.is_none());
            e.1 += usize::from(c.state.actions.contains_key("agree"));
        }
    }
    Ok(pool
        .into_iter()
        .map(|m| {
            let (open_cases, settled_cases) = counts.get(m.name.as_str()).copied().unwrap_or_default();
            Workload {
                mediator: m,
                open_cases,
                settled_cases,
            }
        })
        .collect())
}
