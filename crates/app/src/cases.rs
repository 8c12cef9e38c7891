//! Opening and acting on cases, with the rules every face obeys: the
//! position is a WGS84 point or none; a dispute's escalation risk is graded
//! from what is on file (the client cannot set it) with its reasons; a
//! dispute is linked to the incidents that follow it (民转刑); a citizen's
//! request gets a tracking token, shown once.

use crate::error::{Error, Result};
use crate::settings::CaseSettings;
use chrono::{DateTime, Utc};
use fengqiao_store::Store;
use fengqiao_store::cases::{CaseRecord, NewCase, Party};
use serde::Deserialize;

/// Who is acting, as the case engine knows them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub role: String,
    pub username: String,
}

/// A new case as any face asks for it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    #[serde(rename = "type")]
    pub case_type: String,
    pub category: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub jurisdiction: Option<String>,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    #[serde(default)]
    pub parties: Vec<Party>,
    /// Hazards: an existing (存量) hazard rather than a new one.
    pub stock: Option<bool>,
    /// Disputes: threats were made. The grade is computed from this and the
    /// records on file.
    #[serde(default)]
    pub threats: bool,
    /// Hazards: the risk level the reporter judged (low, medium, high,
    /// critical). Ignored for disputes, whose grade is computed.
    pub risk_grade: Option<String>,
    /// Requests: times the citizen had to come in person.
    #[serde(default)]
    pub in_person_visits: u32,
    /// The incident this case was opened from.
    pub incident_id: Option<i64>,
    /// The channel, where it is not the actor's role (`web`, `open311`);
    /// set by the face, never by a request body.
    #[serde(skip)]
    pub origin: Option<String>,
}

impl OpenCase {
    /// A case the system opens itself (a round of warnings, a callback, a
    /// warning from the anti-fraud centre): its type, category, title and
    /// description, in `area`; the rest as the fields' defaults say.
    pub fn by_system(
        case_type: &str,
        category: &str,
        title: String,
        description: String,
        area: Option<String>,
    ) -> Self {
        Self {
            case_type: case_type.into(),
            category: category.into(),
            title,
            description,
            jurisdiction: area,
            origin: Some("system".into()),
            ..Default::default()
        }
    }
}

/// A case just opened.
#[derive(Debug, Clone)]
pub struct Opened {
    pub case: CaseRecord,
    /// Requests: the tracking token, shown once (the store keeps its hash).
    pub tracking_token: Option<String>,
    /// 民转刑 links made at once: (case id, incident id).
    pub links: Vec<(i64, i64)>,
}

/// The one check of a position on every face: both parts or neither, finite,
/// within WGS84's ranges.
pub fn check_position(lon: Option<f64>, lat: Option<f64>) -> Result<Option<fengqiao_geo::LonLat>> {
    match (lon, lat) {
        (None, None) => Ok(None),
        (Some(lon), Some(lat)) => {
            let p = fengqiao_geo::LonLat::new(lon, lat);
            if p.is_valid() {
                Ok(Some(p))
            } else {
                Err(Error::input(format!("lon {lon}, lat {lat}: not a WGS84 position"))
                    .with_details(serde_json::json!({"parameter": "lon", "value": format!("{lon},{lat}")})))
            }
        }
        _ => Err(Error::input("give both lon and lat, or neither")
            .with_details(serde_json::json!({"parameter": "lat", "value": ""}))),
    }
}

const RISK_LEVELS: [&str; 4] = ["low", "medium", "high", "critical"];

/// The reason on the link between a case and the incident it was opened from.
pub use fengqiao_store::cases::FROM_INCIDENT;

/// The checks of parties on every face: a known role, a name, a phone and
/// an ID number their document's rules accept.
fn check_parties(parties: &[Party]) -> Result<()> {
    use fengqiao_cases::identity::{ID_TYPES, PARTY_ROLES, check_id, check_phone};
    let bad = |i: usize, field: &str, why: String| {
        Error::input(format!("party {}: {why}", i + 1))
            .with_details(serde_json::json!({"parameter": format!("parties[{i}].{field}"), "value": ""}))
    };
    if parties.len() > 20 {
        return Err(Error::input(format!("{} parties: at most 20", parties.len())));
    }
    for (i, p) in parties.iter().enumerate() {
        if !PARTY_ROLES.iter().any(|r| r.0 == p.role) {
            let known: Vec<&str> = PARTY_ROLES.iter().map(|r| r.0).collect();
            return Err(bad(
                i,
                "role",
                format!("role {:?}: one of {}", p.role, known.join(", ")),
            ));
        }
        let name = p.name.trim().chars().count();
        if name == 0 || name > 50 {
            return Err(bad(i, "name", "a name of 1 to 50 characters".into()));
        }
        if let Some(phone) = p.phone.as_deref().filter(|x| !x.is_empty()) {
            check_phone(phone).map_err(|why| bad(i, "phone", why))?;
        }
        match (p.id_type.as_deref(), p.id_number.as_deref().filter(|x| !x.is_empty())) {
            (Some(kind), Some(number)) => check_id(kind, number).map_err(|why| bad(i, "id_number", why))?,
            (None, Some(_)) => return Err(bad(i, "id_type", "an ID number needs its document type".into())),
            (Some(kind), None) if !ID_TYPES.iter().any(|x| x.0 == kind) => {
                return Err(bad(
                    i,
                    "id_type",
                    format!("ID type {kind:?} is not one this platform knows"),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Opens a case at its type's first stage, applying every rule above.
pub fn open(
    store: &dyn Store,
    settings: &CaseSettings,
    req: OpenCase,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<Opened> {
    if req.title.trim().is_empty() || req.title.chars().count() > 200 {
        return Err(Error::input(format!("title {:?}: 1 to 200 characters", req.title))
            .with_details(serde_json::json!({"parameter": "title", "value": req.title})));
    }
    let position = check_position(req.lon, req.lat)?;
    check_parties(&req.parties)?;
    if let Some(id) = req.incident_id
        && store.incident(id)?.is_none()
    {
        return Err(Error::not_found(format!("no incident {id} to open this case from"))
            .with_details(serde_json::json!({"parameter": "incident_id", "value": id.to_string()})));
    }
    let dispute = req.case_type == "dispute";
    // A case without a named area is routed: a pin to the deepest area it
    // falls in, a typed address to the area it names.
    let jurisdiction = match req.jurisdiction {
        Some(j) => Some(j),
        None => locate(store, position, req.address.as_deref())?,
    };
    let mut new = NewCase {
        case_type: req.case_type,
        category: req.category,
        title: req.title,
        description: req.description,
        jurisdiction,
        address: req.address,
        lon: req.lon,
        lat: req.lat,
        origin: req.origin.unwrap_or_else(|| actor.role.clone()),
        parties: req.parties,
        stock: req.stock,
        risk_grade: None,
        risk: None,
        token_hash: None,
        in_person_visits: req.in_person_visits,
        incident_id: req.incident_id,
    };
    if dispute {
        // The grade comes from what is on file, not from anyone's impression.
        let assessment = grade(store, settings, &new, req.threats, at)?;
        new.risk_grade = serde_json::to_value(assessment.grade)
            .ok()
            .and_then(|v| v.as_str().map(String::from));
        new.risk = serde_json::to_value(&assessment).ok();
    } else if let Some(r) = req.risk_grade {
        if !RISK_LEVELS.contains(&r.as_str()) {
            return Err(Error::input(format!(
                "risk grade {r:?}: one of {}",
                RISK_LEVELS.join(", ")
            )));
        }
        new.risk_grade = Some(r);
    }
    let mut tracking_token = None;
    if new.case_type == "request" {
        let (token, hash) = fengqiao_store::cases::new_tracking_token()
            .map_err(|e| Error::internal(format!("no randomness for a tracking token: {e}")))?;
        new.token_hash = Some(hash);
        tracking_token = Some(token);
    }
    let case = fengqiao_store::cases::open_case(store, &settings.config, &new, &actor.role, &actor.username, at)?;
    if let Some(id) = case.case.incident_id {
        // The incident names the case it became, as the case names it.
        store.add_case_link(case.id, id, FROM_INCIDENT, at, &actor.username)?;
    }
    let links = if dispute {
        crate::escalation::link_dispute(store, &settings.escalation, &case, &actor.username)?
    } else {
        Vec::new()
    };
    Ok(Opened {
        case,
        tracking_token,
        links,
    })
}

/// The area a case at this pin or address belongs to: the pin's if it
/// falls in one, else the one the address names.
pub fn locate(
    store: &dyn Store,
    position: Option<fengqiao_geo::LonLat>,
    address: Option<&str>,
) -> Result<Option<String>> {
    if let Some(p) = position
        && let Some(code) = route_point(store, p.lon, p.lat)?
    {
        return Ok(Some(code));
    }
    match address.filter(|a| !a.trim().is_empty()) {
        Some(a) => Ok(route_address(&store.jurisdictions()?, a)),
        None => Ok(None),
    }
}

/// The code of the deepest area a point falls in, if any: where a pinned
/// case is routed, whichever face it came by.
pub fn route_point(store: &dyn Store, lon: f64, lat: f64) -> Result<Option<String>> {
    let lookup = fengqiao_ingest::jurisdiction_lookup(store)?;
    let Some(id) = lookup.find(lon, lat) else {
        return Ok(None);
    };
    Ok(store
        .jurisdictions()?
        .into_iter()
        .find(|j| j.jurisdiction.id == id)
        .map(|j| j.jurisdiction.code))
}

/// The area a typed address names: the deepest town, community or village
/// whose name it contains ("鼓楼街道彩虹社区新典路88号" → 彩虹社区). Where
/// several areas of one level match, the one whose parent the address also
/// names; if that does not decide, their common parent; else none (no guess).
pub fn route_address(areas: &[fengqiao_store::JurisdictionRecord], address: &str) -> Option<String> {
    use fengqiao_domain::Level;
    let text: String = address.chars().filter(|c| !c.is_whitespace()).collect();
    let named = |name: &str| name.chars().count() >= 2 && text.contains(name);
    let areas: Vec<&fengqiao_domain::Jurisdiction> = areas.iter().map(|a| &a.jurisdiction).collect();
    for level in [Level::Village, Level::Town] {
        let found: Vec<&&fengqiao_domain::Jurisdiction> =
            areas.iter().filter(|a| a.level == level && named(&a.name_zh)).collect();
        let parent_named = |a: &&&fengqiao_domain::Jurisdiction| {
            a.parent_code
                .as_deref()
                .and_then(|p| areas.iter().find(|x| x.code == p))
                .is_some_and(|p| named(&p.name_zh))
        };
        match found.as_slice() {
            [] => continue,
            [one] => return Some(one.code.clone()),
            several => {
                let confirmed: Vec<_> = several.iter().filter(|a| parent_named(a)).collect();
                if let [one] = confirmed.as_slice() {
                    return Some(one.code.clone());
                }
                let parent = several[0].parent_code.clone();
                return parent.filter(|p| several.iter().all(|a| a.parent_code.as_deref() == Some(p.as_str())));
            }
        }
    }
    None
}

/// A dispute's escalation-risk grade with its reasons.
pub(crate) fn grade(
    store: &dyn Store,
    settings: &CaseSettings,
    new: &NewCase,
    threats: bool,
    at: DateTime<Utc>,
) -> Result<fengqiao_cases::risk::Assessment> {
    let earlier_incidents = crate::escalation::earlier_incidents(store, &settings.escalation, new, at)?;
    let (_, earlier_disputes) = store.dispute_history(None, &new.parties)?;
    Ok(fengqiao_cases::risk::assess(&fengqiao_cases::risk::RiskFacts {
        threats,
        earlier_incidents,
        earlier_disputes,
        vulnerable_party: new.parties.iter().any(|p| p.vulnerable),
    }))
}

/// Applies an action to case `id` (refused if `expected_version` is given
/// and the case has moved on since it was read).
pub fn act(
    store: &dyn Store,
    settings: &CaseSettings,
    id: i64,
    expected_version: Option<u32>,
    cmd: &fengqiao_cases::Command,
    at: DateTime<Utc>,
) -> Result<(CaseRecord, fengqiao_cases::Event)> {
    // The record an action makes is checked before the action (some, a
    // dissuasion's outcome, are required); an action the type lacks or the
    // role may not take, or a case that is not there, is the engine's and
    // the store's to refuse.
    if let Some(case) = store.case(id)?
        && let Some(action) = settings
            .config
            .case_type(&case.case.case_type)
            .and_then(|t| t.action(&cmd.action))
            .filter(|a| a.roles.contains(&cmd.role))
    {
        crate::mediation::check(action.effect, cmd.details.as_ref(), at)?;
    }
    // An assignment is checked against the stored pool's active mediators.
    let pooled;
    let config = if cmd.assignee.is_some() {
        pooled = crate::mediators::config_with_pool(store, settings)?;
        &pooled
    } else {
        settings.config.as_ref()
    };
    let (case, event) = fengqiao_store::cases::act(store, config, id, expected_version, cmd, at)?;
    crate::notify::after_event(store, settings, &case, &event)?;
    crate::callbacks::follow_up(store, settings, &case, &event)?;
    Ok((case, event))
}

/// Whether an action is a joint department's report on its own part.
fn is_assist(settings: &CaseSettings, case: &CaseRecord, action: &str) -> bool {
    settings
        .config
        .case_type(&case.case.case_type)
        .and_then(|t| t.action(action))
        .is_some_and(|a| a.effect == Some(fengqiao_cases::Effect::Assist))
}

/// Who moves a case several departments handle: the lead department's
/// staff take the case's actions; a joint (协办) department's staff report
/// on their own part (an `assist` action), which leaves the stage as it is.
pub fn check_department_part(
    settings: &CaseSettings,
    case: &CaseRecord,
    action: &str,
    department: Option<&str>,
) -> Result<()> {
    let Some(d) = department else { return Ok(()) };
    let lead = case.state.department.as_deref() == Some(d);
    match (lead, is_assist(settings, case, action)) {
        (true, true) => Err(Error::new(
            crate::Code::Forbidden,
            "the lead department reports with report; assist is a joint department's report on its part",
        )),
        (false, false) => Err(Error::new(
            crate::Code::Forbidden,
            format!(
                "{d} is a joint department of {}: it reports on its part (assist); the lead department moves the case",
                case.code
            ),
        )),
        _ => Ok(()),
    }
}

/// The years an open case's deadlines reach whose public holidays the
/// working calendar does not list: its deadlines there count weekends only
/// and may fall on a holiday. Empty for a closed case.
pub fn calendar_gaps(config: &fengqiao_cases::CaseConfig, state: &fengqiao_cases::CaseState) -> Vec<i32> {
    if state.closed_at.is_some() {
        return Vec::new();
    }
    let last = state.stage_due_at.map_or(state.due_at, |s| s.max(state.due_at));
    config.calendar.uncovered_years(state.opened_at, last)
}

/// The warning every face gives beside a deadline `calendar_gaps` found.
pub fn calendar_warning(years: &[i32]) -> Option<String> {
    (!years.is_empty()).then(|| {
        let listed: Vec<String> = years.iter().map(i32::to_string).collect();
        format!(
            "no public holidays are on file for {}: the deadline counts weekends only and may fall on a holiday; \
             add the State Council's holiday notice to the working calendar",
            listed.join(", ")
        )
    })
}

/// The actions a role may take now, narrowed for department staff to their part.
pub fn available<'a>(
    settings: &'a CaseSettings,
    case: &CaseRecord,
    role: &str,
    department: Option<&str>,
) -> Vec<&'a str> {
    settings
        .config
        .available(&case.state, role)
        .into_iter()
        .filter(|a| check_department_part(settings, case, a, department).is_ok())
        .collect()
}

/// Raises supervision (督办) on every overdue open case and sends word to
/// those responsible; returns the codes supervised.
pub fn supervise_overdue(store: &dyn Store, settings: &CaseSettings, now: DateTime<Utc>) -> Result<Vec<String>> {
    let done = fengqiao_store::cases::supervise_overdue(store, &settings.config, now)?;
    for code in &done {
        if let Some(case) = store.case_by_code(code)?
            && let Some(event) = store.case_events(case.id)?.pop()
        {
            crate::notify::after_event(store, settings, &case, &event)?;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_domain::{Jurisdiction, Level};
    use fengqiao_store::JurisdictionRecord;

    fn area(code: &str, name: &str, level: Level, parent: Option<&str>) -> JurisdictionRecord {
        JurisdictionRecord {
            jurisdiction: Jurisdiction {
                id: 0,
                code: code.into(),
                name_zh: name.into(),
                name_en: String::new(),
                level,
                parent_code: parent.map(String::from),
            },
            geometry: String::new(),
        }
    }

    #[test]
    fn a_typed_address_is_routed_to_the_area_it_names() {
        let areas = [
            area("1", "鼓楼街道", Level::Town, None),
            area("2", "江东街道", Level::Town, None),
            area("1-1", "彩虹社区", Level::Village, Some("1")),
            area("2-1", "彩虹社区", Level::Village, Some("2")),
            area("2-2", "新河村", Level::Village, Some("2")),
        ];
        let r = |a: &str| route_address(&areas, a);
        assert_eq!(r("鼓楼街道彩虹社区新典路88号").as_deref(), Some("1-1"));
        assert_eq!(r("江东街道 彩虹社区 5号").as_deref(), Some("2-1"));
        assert_eq!(r("新河村村口").as_deref(), Some("2-2"));
        assert_eq!(r("鼓楼街道中山路1号").as_deref(), Some("1"));
        // Two communities of that name in two towns, and no town named: no guess.
        assert_eq!(r("彩虹社区3号楼"), None);
        assert_eq!(r("中山路1号"), None);
    }
}
