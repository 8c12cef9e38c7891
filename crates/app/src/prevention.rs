//! Cocoon alert zones (“蚕茧式”防范) in force: for each category with a
//! zone rule, the zones its recent incidents open — the same rule the
//! backtest measures (`fengqiao_forecast::cocoon`): a zone of the rule's
//! radius around an incident for its days, extended by a later incident
//! inside it. Zones are derived from the incidents as they stand, so they
//! open as incidents are imported or recorded and close themselves.

use crate::error::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use fengqiao_forecast::cocoon::ZoneRule;
use fengqiao_geo::{LocalProjection, LonLat};
use fengqiao_store::{IncidentFilter, Store};
use serde::Serialize;

/// Rules every city starts with (a commander changes them from the
/// backtest): burglary's near repeats are the best established; 200 m for
/// 7 days is the demo city's best lift with the workload under one round of
/// visits per station a day (README, Prevention).
pub const BUILT_IN_RULES: [(&str, ZoneRule); 1] = [(
    "criminal.theft.burglary",
    ZoneRule {
        radius_m: 200.0,
        days: 7,
    },
)];

/// Where a category's stored rule lives among the settings.
fn setting_key(category: &str) -> String {
    format!("alert_zone:{category}")
}

/// The zone rules in force: the built-in ones, as the settings change them
/// ("off" removes one), and those the settings add.
pub fn rules(store: &dyn Store, categories: &fengqiao_domain::CategoryTable) -> Result<Vec<(String, ZoneRule)>> {
    let mut out = Vec::new();
    for c in categories.all() {
        let built_in = BUILT_IN_RULES.iter().find(|(k, _)| *k == c.code).map(|(_, r)| *r);
        let rule = match store.get_setting(&setting_key(&c.code))? {
            Some(v) if v == "off" => None,
            Some(v) => ZoneRule::parse(&v).or(built_in),
            None => built_in,
        };
        if let Some(r) = rule {
            out.push((c.code.clone(), r));
        }
    }
    Ok(out)
}

/// Sets (or, with None, turns off) a category's zone rule.
pub fn set_rule(
    store: &dyn Store,
    categories: &fengqiao_domain::CategoryTable,
    category: &str,
    rule: Option<ZoneRule>,
) -> Result<()> {
    categories
        .require(category)
        .map_err(|_| Error::input(format!("category {category:?} is not a code of the category table")))?;
    let value = rule.map_or_else(|| "off".to_string(), |r| format!("{}x{}", r.radius_m, r.days));
    store.set_setting(&setting_key(category), &value)?;
    Ok(())
}

/// A zone open now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenZone {
    pub category: String,
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Incidents that opened or extended it.
    pub incidents: usize,
    /// The nearest station on file.
    pub station: Option<String>,
    /// The smallest area it lies in (village or grid, else town), for
    /// words without a place.
    pub area: Option<AreaName>,
    /// The code of its round of warnings (a `prevention` case), once opened.
    pub task: Option<String>,
}

impl OpenZone {
    /// Where its task's code is kept among the settings: stable while the
    /// zone's first incident stands.
    fn task_key(&self) -> String {
        format!(
            "zone_task:{}:{}:{:.6},{:.6}",
            self.category,
            self.opened_at.timestamp(),
            self.lon,
            self.lat
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaName {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// How far back a zone's first incident may lie: the longest rule's days
/// several times over (a zone extended again and again stays open).
const LOOKBACK_DAYS: i64 = 90;

/// The zones open at `now` in `dataset`, newest first.
pub fn open_zones(
    store: &dyn Store,
    categories: &fengqiao_domain::CategoryTable,
    dataset: &str,
    now: DateTime<Utc>,
) -> Result<Vec<OpenZone>> {
    let rules = rules(store, categories)?;
    let stations = crate::personnel::stations(store)?;
    let lookup = fengqiao_ingest::jurisdiction_lookup(store)?;
    let areas = store.jurisdictions()?;
    let mut out = Vec::new();
    for (category, rule) in rules {
        let filter = IncidentFilter {
            dataset: Some(dataset.to_string()),
            category: Some(category.clone()),
            from: Some(now - Duration::days(LOOKBACK_DAYS)),
            to: Some(now),
            ..IncidentFilter::default()
        };
        let mut rows = store.incident_points(&filter)?;
        rows.sort_by_key(|r| r.occurred_at);
        let Some(first) = rows.first() else { continue };
        let proj = LocalProjection::centred_on(LonLat::new(first.lon, first.lat));
        let span = Duration::days(i64::from(rule.days));
        // (centre, opened, closes, incidents)
        let mut zones: Vec<(LonLat, DateTime<Utc>, DateTime<Utc>, usize)> = Vec::new();
        for r in &rows {
            let here = proj.project(LonLat::new(r.lon, r.lat));
            let inside = zones
                .iter_mut()
                .find(|z| z.2 > r.occurred_at && proj.project(z.0).distance(here) <= rule.radius_m);
            match inside {
                Some(z) => {
                    z.2 = z.2.max(r.occurred_at + span);
                    z.3 += 1;
                }
                None => zones.push((LonLat::new(r.lon, r.lat), r.occurred_at, r.occurred_at + span, 1)),
            }
        }
        for (centre, opened_at, closes_at, incidents) in zones.into_iter().filter(|z| z.2 > now) {
            let station = crate::personnel::nearest_station(&stations, centre).map(|f| f.code.clone());
            let area = lookup
                .find(centre.lon, centre.lat)
                .and_then(|id| areas.iter().find(|a| a.jurisdiction.id == id))
                .map(|a| AreaName {
                    code: a.jurisdiction.code.clone(),
                    name_zh: a.jurisdiction.name_zh.clone(),
                    name_en: a.jurisdiction.name_en.clone(),
                });
            let mut zone = OpenZone {
                category: category.clone(),
                lon: centre.lon,
                lat: centre.lat,
                radius_m: rule.radius_m,
                opened_at,
                closes_at,
                incidents,
                station,
                area,
                task: None,
            };
            zone.task = store.get_setting(&zone.task_key())?;
            out.push(zone);
        }
    }
    out.sort_by_key(|z| std::cmp::Reverse(z.opened_at));
    Ok(out)
}

/// The case type and category of a zone's round of warnings.
pub const TASK_TYPE: &str = "prevention";
pub const TASK_CATEGORY: &str = "prevention.cocoon";

/// Opens a round of warnings (a `prevention` case, in the zone's area, due
/// as the case type says) for every open zone that has none yet; returns
/// the codes opened. Run by the server's sweep and after imports: the same
/// zone never gets two.
pub fn open_visit_tasks(
    store: &dyn Store,
    cases: &crate::settings::CaseSettings,
    categories: &fengqiao_domain::CategoryTable,
    dataset: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    if cases.config.case_type(TASK_TYPE).is_none() {
        return Ok(Vec::new());
    }
    let tz = cases.config.calendar.timezone();
    let system = crate::cases::Actor {
        role: "system".into(),
        username: "system".into(),
    };
    let mut opened = Vec::new();
    for zone in open_zones(store, categories, dataset, now)? {
        if zone.task.is_some() {
            continue;
        }
        let what = categories
            .all()
            .iter()
            .find(|c| c.code == zone.category)
            .map_or(zone.category.as_str(), |c| c.zh.as_str());
        let area = zone.area.as_ref().map_or("", |a| a.name_zh.as_str());
        let until = zone.closes_at.with_timezone(&tz).format("%m月%d日%H:%M");
        let req = crate::cases::OpenCase {
            lon: Some(zone.lon),
            lat: Some(zone.lat),
            ..crate::cases::OpenCase::by_system(
                TASK_TYPE,
                TASK_CATEGORY,
                format!("{area}{what}防范提醒：周边{}米，至{until}", zone.radius_m),
                format!(
                    "{what}后开启预警区（{} 起），请上门或张贴告示提醒周边住户关好门窗、留意可疑人员，并记录告知户数。",
                    zone.incidents
                ),
                zone.area.as_ref().map(|a| a.code.clone()),
            )
        };
        let case = crate::cases::open(store, cases, req, &system, now)?.case;
        store.set_setting(&zone.task_key(), &case.code)?;
        opened.push(case.code);
    }
    Ok(opened)
}

/// Rounds of warnings over a period: how many, how far they got, on time,
/// and the households told — the reach of the zones.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RoundsReport {
    pub days: i64,
    pub opened: usize,
    /// Neighbours warned (the round's `warn` done), and closed.
    pub warned: usize,
    pub closed: usize,
    /// Warned before the round's deadline.
    pub warned_on_time: usize,
    /// Still to visit with the deadline passed.
    pub overdue: usize,
    pub households: u64,
    pub notices: u64,
    pub by_station: Vec<StationRounds>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StationRounds {
    pub station: String,
    pub opened: usize,
    pub warned: usize,
    pub households: u64,
}

/// Most rounds a report reads.
const MAX_ROUNDS: usize = 5_000;
/// Longest period a report covers, days.
pub const MAX_REPORT_DAYS: i64 = 366;

/// The rounds opened in the last `days` days to `now`.
pub fn rounds_report(store: &dyn Store, days: i64, now: DateTime<Utc>) -> Result<RoundsReport> {
    if !(1..=MAX_REPORT_DAYS).contains(&days) {
        return Err(Error::input(format!("days {days}: 1 to {MAX_REPORT_DAYS}")));
    }
    let since = now - Duration::days(days);
    let stations = crate::personnel::stations(store)?;
    let rounds = store.cases(&fengqiao_store::cases::CaseFilter {
        case_type: Some(TASK_TYPE.into()),
        limit: Some(MAX_ROUNDS),
        ..Default::default()
    })?;
    let mut report = RoundsReport {
        days,
        ..Default::default()
    };
    let mut by: std::collections::BTreeMap<String, StationRounds> = std::collections::BTreeMap::new();
    // Rounds of a zone only: the same type also carries anti-fraud campaigns.
    let in_period: Vec<_> = rounds
        .iter()
        .filter(|r| r.case.category == TASK_CATEGORY)
        .filter(|r| r.state.opened_at >= since && r.state.opened_at <= now)
        .collect();
    let mut histories = store.cases_events(&in_period.iter().map(|r| r.id).collect::<Vec<_>>())?;
    for round in in_period {
        let station = match (round.case.lon, round.case.lat) {
            (Some(lon), Some(lat)) => crate::personnel::nearest_station(&stations, LonLat::new(lon, lat))
                .map_or_else(String::new, |f| f.code.clone()),
            _ => String::new(),
        };
        let row = by.entry(station.clone()).or_insert_with(|| StationRounds {
            station,
            ..Default::default()
        });
        report.opened += 1;
        row.opened += 1;
        let events = histories.remove(&round.id).unwrap_or_default();
        match events.iter().find(|e| e.action == "warn") {
            Some(warn) => {
                report.warned += 1;
                row.warned += 1;
                report.warned_on_time += usize::from(warn.at <= round.state.due_at);
                let number = |k: &str| {
                    warn.details
                        .as_ref()
                        .and_then(|d| d.get(k))
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(0)
                };
                report.households += number("households");
                report.notices += number("notices");
                row.households += number("households");
            }
            None if round.state.closed_at.is_none() && round.state.due_at < now => report.overdue += 1,
            None => {}
        }
        report.closed += usize::from(round.state.closed_at.is_some());
    }
    report.by_station = by.into_values().collect();
    Ok(report)
}
