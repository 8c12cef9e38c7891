//! The equity report beside a forecast and its plan: by town, village or
//! grid, the share of the forecast's hot cells and of the plan's patrol time
//! against the share of citizen-initiated incidents; how much of the
//! training data officers generated themselves; and how far the current
//! settings would lock patrols onto where they started (the feedback-loop
//! simulation). Over-patrolling an area, or leaving one out, shows.

use crate::error::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use fengqiao_domain::{Level, Origin};
use fengqiao_forecast::{FeedbackConfig, simulate_on_counts};
use fengqiao_geo::{CellId, Grid, LocalProjection, LonLat, Xy};
use fengqiao_store::{ForecastRun, IncidentFilter, PlanRecord, Store};
use serde::Serialize;
use std::collections::HashMap;

/// An area is flagged when its share of hot cells or patrol time is at least
/// this many times its share of citizen-initiated incidents (or at most its
/// inverse)...
pub const FLAG_RATIO: f64 = 1.5;
/// ...and differs from it by at least this much (five percentage points), so
/// that a tiny area is not flagged for one cell.
pub const FLAG_POINTS: f64 = 0.05;
/// The training period the shares are read from: the year before the window.
pub const PERIOD_DAYS: i64 = 365;
/// The simulation's assumptions: citizens report half of what happens;
/// a patrol finds half of the rest where it is (`simulate feedback`'s defaults).
pub const REPORT_RATE: f64 = 0.5;
pub const DISCOVERY_RATE: f64 = 0.5;
pub const SIMULATED_DAYS: usize = 365;

/// Which forecast and plan to report on, by what areas.
#[derive(Debug, Clone)]
pub struct EquityRequest {
    pub dataset: Option<String>,
    /// The latest forecast of this window kind, unless `forecast` names one.
    pub window: String,
    pub forecast: Option<i64>,
    /// The plan [default: the latest plan made from the forecast, if any].
    pub plan: Option<i64>,
    pub level: Level,
    /// The hottest share of the forecast's study area counted as hot cells.
    pub hot_share: f64,
}

impl Default for EquityRequest {
    fn default() -> Self {
        Self {
            dataset: None,
            window: "shift".into(),
            forecast: None,
            plan: None,
            level: Level::Town,
            hot_share: 0.05,
        }
    }
}

/// The levels the report can group by: named areas a leader knows.
pub fn parse_level(s: &str) -> Result<Level> {
    match Level::parse(s) {
        Some(l @ (Level::District | Level::Town | Level::Village | Level::Grid)) => Ok(l),
        _ => Err(Error::input(format!(
            "level {s:?}: expected district, town, village or grid"
        ))),
    }
}

/// Over or under its share of citizen-initiated incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    Over,
    Under,
}

/// How a share compares with the citizen share it should follow.
pub fn flag(share: f64, citizen_share: f64) -> Option<Flag> {
    if share >= FLAG_RATIO * citizen_share && share - citizen_share >= FLAG_POINTS {
        Some(Flag::Over)
    } else if share * FLAG_RATIO <= citizen_share && citizen_share - share >= FLAG_POINTS {
        Some(Flag::Under)
    } else {
        None
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EquityArea {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub hot_cells: usize,
    pub hot_share: f64,
    pub patrol_minutes: f64,
    /// `None` without a plan.
    pub patrol_share: Option<f64>,
    pub citizen_incidents: u64,
    pub citizen_share: f64,
    pub officer_incidents: u64,
    pub incidents: u64,
    /// Officer-initiated share of the area's incidents in the period.
    pub officer_share: Option<f64>,
    pub hot_flag: Option<Flag>,
    pub patrol_flag: Option<Flag>,
}

/// What lies in no area of the level (outside the city's areas, or in a town without grids).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outside {
    pub hot_cells: usize,
    pub patrol_minutes: f64,
    pub citizen_incidents: u64,
}

/// One run of the feedback loop, summarised over its last 30 days.
#[derive(Debug, Clone, Serialize)]
pub struct LoopRun {
    /// Weight of officer-discovered incidents in the record the forecast reads.
    pub officer_weight: f64,
    /// Share of the patrolled cells that were patrolled on the first day.
    pub same_as_day_0: f64,
    /// Share of the patrolled cells among the truly busiest.
    pub overlap_with_truth: f64,
    /// True incidents in the patrolled cells over the best possible.
    pub efficiency: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockIn {
    pub days: usize,
    pub patrol_cells: usize,
    pub cells: usize,
    pub report_rate: f64,
    pub discovery_rate: f64,
    /// With the forecast's own settings.
    pub current: LoopRun,
    /// With the other choice: officer incidents left out if the forecast
    /// counts them, counted in full if it leaves them out.
    pub alternative: LoopRun,
}

#[derive(Debug, Clone, Serialize)]
pub struct EquityReport {
    pub dataset: String,
    pub level: Level,
    pub forecast_id: i64,
    pub model: String,
    /// In the city's zone.
    pub window_start: String,
    pub window_end: String,
    pub timezone: String,
    pub plan_id: Option<i64>,
    pub hot_share: f64,
    pub hot_cells: usize,
    pub study_cells: usize,
    pub patrol_minutes: f64,
    /// The training period the incident shares are read from (city zone).
    pub period_from: String,
    pub period_to: String,
    pub incidents: u64,
    pub citizen_incidents: u64,
    pub officer_incidents: u64,
    pub unknown_incidents: u64,
    /// Officer-initiated share of the period's incidents.
    pub officer_share: f64,
    pub citizen_only: bool,
    pub officer_weight: f64,
    /// Officer-initiated share of what the forecast was trained on, after its weighting.
    pub officer_share_in_training: f64,
    /// `citizen`, or `all_incidents` when no incident says who reported it.
    pub citizen_basis: &'static str,
    pub areas: Vec<EquityArea>,
    pub outside: Outside,
    pub flagged_over: usize,
    pub flagged_under: usize,
    pub lock_in: LockIn,
    pub rule: String,
    /// Set when the report was narrowed to a reader's jurisdiction: only its
    /// areas, and the incident counts theirs (shares stay the city's).
    pub within: Option<String>,
}

impl EquityReport {
    /// The report as a reader scoped to `code` (and below) may see it: the
    /// areas within it, their counts summed; what lies outside every area,
    /// and the city's counts, left out. Shares stay shares of the city's.
    pub fn within(mut self, code: &str) -> Self {
        self.areas.retain(|a| a.code.starts_with(code));
        let sum = |f: fn(&EquityArea) -> u64| self.areas.iter().map(f).sum::<u64>();
        let (all, citizen, officer) = (
            sum(|a| a.incidents),
            sum(|a| a.citizen_incidents),
            sum(|a| a.officer_incidents),
        );
        self.incidents = all;
        self.officer_incidents = officer;
        if self.citizen_basis == "citizen" {
            self.citizen_incidents = citizen;
            self.unknown_incidents = all - citizen - officer;
        } else {
            self.citizen_incidents = 0;
            self.unknown_incidents = all;
        }
        self.officer_share = if all > 0 { officer as f64 / all as f64 } else { 0.0 };
        self.outside = Outside::default();
        let flagged = |f: Flag| {
            self.areas
                .iter()
                .filter(|a| a.hot_flag == Some(f) || a.patrol_flag == Some(f))
                .count()
        };
        (self.flagged_over, self.flagged_under) = (flagged(Flag::Over), flagged(Flag::Under));
        self.within = Some(code.to_string());
        self
    }
}

/// Points to their area at one level: the deepest area holding the point,
/// climbed up to the level.
struct AreaFinder {
    lookup: fengqiao_ingest::JurisdictionLookup,
    by_id: HashMap<i64, usize>,
    by_code: HashMap<String, usize>,
    areas: Vec<fengqiao_domain::Jurisdiction>,
    level: Level,
}

impl AreaFinder {
    fn load(store: &dyn Store, level: Level) -> Result<Self> {
        let areas: Vec<_> = store.jurisdictions()?.into_iter().map(|j| j.jurisdiction).collect();
        Ok(Self {
            lookup: fengqiao_ingest::jurisdiction_lookup(store)?,
            by_id: areas.iter().enumerate().map(|(i, a)| (a.id, i)).collect(),
            by_code: areas.iter().enumerate().map(|(i, a)| (a.code.clone(), i)).collect(),
            areas,
            level,
        })
    }

    fn find(&self, p: LonLat) -> Option<usize> {
        let mut at = self
            .lookup
            .find(p.lon, p.lat)
            .and_then(|id| self.by_id.get(&id).copied());
        while let Some(i) = at {
            let a = &self.areas[i];
            if a.level == self.level {
                return Some(i);
            }
            if a.level < self.level {
                return None;
            }
            at = a.parent_code.as_ref().and_then(|c| self.by_code.get(c).copied());
        }
        None
    }
}

#[derive(Default, Clone)]
struct Tally {
    hot: usize,
    minutes: f64,
    citizen: u64,
    officer: u64,
    all: u64,
}

/// The forecast and plan the request names.
fn pick(
    store: &dyn Store,
    req: &EquityRequest,
) -> Result<(ForecastRun, fengqiao_store::ForecastCells, Option<PlanRecord>)> {
    let plan = match req.plan {
        Some(id) => Some(
            store
                .plan(id)?
                .ok_or_else(|| Error::not_found(format!("no plan with id {id}")))?,
        ),
        None => None,
    };
    let forecast_id = req.forecast.or(plan.as_ref().and_then(|p| p.plan.forecast_id));
    let (run, cells) = match forecast_id {
        Some(id) => store
            .forecast(id)?
            .ok_or_else(|| Error::not_found(format!("no forecast with id {id}")))?,
        None => {
            let dataset = crate::forecast::resolve_dataset(store, req.dataset.as_deref())?;
            store.latest_forecast(&dataset, &req.window, None)?.ok_or_else(|| {
                Error::not_found(format!(
                    "dataset {dataset:?} has no {} forecast yet: make one first",
                    req.window
                ))
            })?
        }
    };
    if let Some(p) = &plan
        && p.plan.forecast_id != Some(run.id)
    {
        return Err(Error::input(format!(
            "plan {} was not made from forecast {}",
            p.id, run.id
        )));
    }
    let plan = match plan {
        Some(p) => Some(p),
        None => store
            .latest_plan(&run.dataset)?
            .filter(|p| p.plan.forecast_id == Some(run.id)),
    };
    Ok((run, cells, plan))
}

/// The plan's visits: (where, minutes).
fn visits(plan: &PlanRecord) -> Vec<(LonLat, f64)> {
    let mut out = Vec::new();
    for unit in plan.plan.body["units"].as_array().into_iter().flatten() {
        for v in unit["visits"].as_array().into_iter().flatten() {
            let at = v["at"]
                .as_array()
                .and_then(|a| Some(LonLat::new(a.first()?.as_f64()?, a.get(1)?.as_f64()?)));
            let time = |k: &str| v[k].as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
            if let (Some(at), Some(start), Some(end)) = (at, time("start"), time("end")) {
                out.push((at, (end - start).num_seconds().max(0) as f64 / 60.0));
            }
        }
    }
    out
}

pub fn equity_report(store: &dyn Store, req: &EquityRequest) -> Result<EquityReport> {
    if !(req.hot_share > 0.0 && req.hot_share <= 1.0) {
        return Err(Error::input(format!(
            "hot share {}: expected a share in (0, 1], e.g. 0.05",
            req.hot_share
        )));
    }
    let (run, cells, plan) = pick(store, req)?;
    let tz = crate::deployment::dataset_zone(store, &run.dataset)?;
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
    let finder = AreaFinder::load(store, req.level)?;
    let proj = LocalProjection::centred_on(LonLat::new(run.centre[0], run.centre[1]));
    let grid = Grid::new(Xy::new(run.origin[0], run.origin[1]), run.cell_m, run.cols, run.rows)
        .map_err(|e| Error::input(format!("forecast {}: {e}", run.id)))?;
    let mut tally: HashMap<usize, Tally> = HashMap::new();
    let mut outside = Outside::default();

    let study_cells = run.params["valid_cells"].as_u64().map_or(cells.len(), |n| n as usize);
    let hot: Vec<u32> = crate::forecast::hottest(&run, cells, req.hot_share)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    for &c in &hot {
        match finder.find(proj.unproject(grid.cell_centre(CellId(c)))) {
            Some(a) => tally.entry(a).or_default().hot += 1,
            None => outside.hot_cells += 1,
        }
    }
    let mut patrol_minutes = 0.0;
    for (at, minutes) in plan.as_ref().map(visits).unwrap_or_default() {
        patrol_minutes += minutes;
        match finder.find(at) {
            Some(a) => tally.entry(a).or_default().minutes += minutes,
            None => outside.patrol_minutes += minutes,
        }
    }

    // The year of incidents before the window: whom the forecast learnt from.
    let period_to = run.window_start;
    let period_from = period_to - Duration::days(PERIOD_DAYS);
    let rows = store.incident_points(&IncidentFilter {
        dataset: Some(run.dataset.clone()),
        category: run.category.clone(),
        from: Some(period_from),
        to: Some(period_to),
        ..IncidentFilter::default()
    })?;
    let count = |o: Origin| rows.iter().filter(|r| r.origin == o).count() as u64;
    let (citizen, officer) = (count(Origin::Citizen), count(Origin::Officer));
    let unknown = rows.len() as u64 - citizen - officer;
    // Without any origin on file, every incident stands in for the citizens'.
    let basis_all = citizen + officer == 0;
    let is_citizen = |o: Origin| basis_all || o == Origin::Citizen;
    let mut per_cell = vec![0.0; grid.len()];
    let mut first = period_to;
    for r in &rows {
        let p = LonLat::new(r.lon, r.lat);
        let area = finder.find(p);
        if let Some(t) = area.map(|a| tally.entry(a).or_default()) {
            t.all += 1;
            t.officer += u64::from(r.origin == Origin::Officer);
            t.citizen += u64::from(is_citizen(r.origin));
        } else if is_citizen(r.origin) {
            outside.citizen_incidents += 1;
        }
        if is_citizen(r.origin)
            && let Some(c) = grid.cell_of(proj.project(p))
        {
            per_cell[c.0 as usize] += 1.0;
        }
        first = first.min(r.occurred_at);
    }
    let citizen_total = if basis_all { rows.len() as u64 } else { citizen };

    let citizen_only = run.params["citizen_only"].as_bool().unwrap_or(false);
    let officer_weight = if citizen_only {
        0.0
    } else {
        run.params["model"]["officer_weight"].as_f64().unwrap_or(1.0)
    };
    let weighted_officer = officer_weight * officer as f64;
    let officer_share_in_training = weighted_officer / (weighted_officer + (citizen + unknown) as f64).max(1.0);

    let share = |n: f64, total: f64| if total > 0.0 { n / total } else { 0.0 };
    let mut areas: Vec<EquityArea> = tally
        .into_iter()
        .map(|(i, t)| {
            let a = &finder.areas[i];
            let hot_share = share(t.hot as f64, hot.len() as f64);
            let citizen_share = share(t.citizen as f64, citizen_total as f64);
            let patrol_share = plan.as_ref().map(|_| share(t.minutes, patrol_minutes));
            EquityArea {
                code: a.code.clone(),
                name_zh: a.name_zh.clone(),
                name_en: a.name_en.clone(),
                hot_cells: t.hot,
                hot_share,
                patrol_minutes: t.minutes,
                patrol_share,
                citizen_incidents: t.citizen,
                citizen_share,
                officer_incidents: t.officer,
                incidents: t.all,
                officer_share: (t.all > 0).then(|| t.officer as f64 / t.all as f64),
                hot_flag: (citizen_total > 0).then(|| flag(hot_share, citizen_share)).flatten(),
                patrol_flag: patrol_share
                    .filter(|_| citizen_total > 0 && patrol_minutes > 0.0)
                    .and_then(|s| flag(s, citizen_share)),
            }
        })
        .collect();
    // The widest gap above the citizens' share first: where over-patrolling would show.
    let gap = |a: &EquityArea| a.patrol_share.unwrap_or(a.hot_share) - a.citizen_share;
    areas.sort_by(|a, b| gap(b).total_cmp(&gap(a)).then(a.code.cmp(&b.code)));
    let flagged = |f: Flag| {
        areas
            .iter()
            .filter(|a| a.hot_flag == Some(f) || a.patrol_flag == Some(f))
            .count()
    };

    let span_days = ((period_to - first.max(period_from)).num_seconds() as f64 / 86_400.0).max(1.0);
    let patrol_cells = hot.len().max(1);
    let simulate = |w: f64| {
        let r = simulate_on_counts(
            &per_cell,
            span_days,
            &FeedbackConfig {
                days: SIMULATED_DAYS,
                patrol_cells,
                report_rate: REPORT_RATE,
                discovery_rate: DISCOVERY_RATE,
                officer_weight: w,
                seed: 1,
            },
        );
        LoopRun {
            officer_weight: w,
            same_as_day_0: r.final_same_as_day_0,
            overlap_with_truth: r.final_overlap_with_truth,
            efficiency: r.final_efficiency,
        }
    };
    let lock_in = LockIn {
        days: SIMULATED_DAYS,
        patrol_cells,
        cells: per_cell.iter().filter(|&&n| n > 0.0).count(),
        report_rate: REPORT_RATE,
        discovery_rate: DISCOVERY_RATE,
        current: simulate(officer_weight),
        alternative: simulate(if officer_weight > 0.0 { 0.0 } else { 1.0 }),
    };
    Ok(EquityReport {
        flagged_over: flagged(Flag::Over),
        flagged_under: flagged(Flag::Under),
        dataset: run.dataset.clone(),
        level: req.level,
        forecast_id: run.id,
        model: run.model.clone(),
        window_start: local(run.window_start),
        window_end: local(run.window_end),
        timezone: tz.name().to_string(),
        plan_id: plan.as_ref().map(|p| p.id),
        hot_share: req.hot_share,
        hot_cells: hot.len(),
        study_cells,
        patrol_minutes,
        period_from: local(period_from),
        period_to: local(period_to),
        incidents: rows.len() as u64,
        citizen_incidents: citizen,
        officer_incidents: officer,
        unknown_incidents: unknown,
        officer_share: share(officer as f64, rows.len() as f64),
        citizen_only,
        officer_weight,
        officer_share_in_training,
        citizen_basis: if basis_all { "all_incidents" } else { "citizen" },
        areas,
        outside,
        lock_in,
        rule: format!(
            "flagged over (under) when an area's share of hot cells or patrol time is at least {FLAG_RATIO}x \
             (at most 1/{FLAG_RATIO} of) its share of citizen-initiated incidents and {:.0} points above (below) it",
            FLAG_POINTS * 100.0
        ),
        within: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_need_both_the_ratio_and_the_points() {
        assert_eq!(flag(0.30, 0.10), Some(Flag::Over));
        assert_eq!(flag(0.02, 0.10), Some(Flag::Under));
        // Three times the share, but one point: a small area is not flagged for a cell.
        assert_eq!(flag(0.015, 0.005), None);
        // Ten points more, but only 1.25 times: busy areas may carry more.
        assert_eq!(flag(0.50, 0.40), None);
        assert_eq!(flag(0.10, 0.10), None);
        assert_eq!(flag(0.0, 0.0), None);
    }

    #[test]
    fn hot_cells_are_the_hottest_share_of_the_study_area() {
        use crate::forecast::hottest;
        let cells = vec![(5, 1.0), (3, 4.0), (9, 4.0), (1, 0.5)];
        let run = |study: usize| {
            let mut r = crate::deployment::tests::forecast_run(Utc::now(), Utc::now(), Utc::now());
            r.params = serde_json::json!({"valid_cells": study});
            r
        };
        let ids = |v: Vec<(u32, f64)>| v.into_iter().map(|(c, _)| c).collect::<Vec<_>>();
        // 40 study cells at 5 %: two cells, ties by cell id.
        assert_eq!(ids(hottest(&run(40), cells.clone(), 0.05)), vec![3, 9]);
        assert_eq!(ids(hottest(&run(4), cells.clone(), 1.0)), vec![3, 9, 5, 1]);
        assert_eq!(ids(hottest(&run(1), cells.clone(), 0.05)), vec![3]);
        assert!(hottest(&run(10), Vec::new(), 0.05).is_empty());
    }

    #[test]
    fn levels_are_named_areas() {
        assert_eq!(parse_level("镇街").unwrap(), Level::Town);
        assert_eq!(parse_level("grid").unwrap(), Level::Grid);
        assert!(parse_level("city").is_err());
        assert!(parse_level("x").is_err());
    }
}
