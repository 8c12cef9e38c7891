//! `fengqiao replay --plan ID`: one stored plan against the real incidents
//! of its window, beside the same units standing at their stations.

use crate::error::{Error, Result};
use crate::forecast::read_incidents;
use crate::imports::mapping_for;
use chrono::{DateTime, Utc};
use fengqiao_domain::FacilityKind;
use fengqiao_geo::{LocalProjection, LonLat};
use fengqiao_plan::deploy::{DeployInput, PlacedUnit, Post, UnitType, Xy};
use fengqiao_plan::kpi::{ReplayIncident, replay};
use fengqiao_plan::schedule::{UnitPlan, Visit};
use fengqiao_store::{IncidentFilter, IncidentPoint, Store};
use serde_json::{Value, json};

fn lon_lat(v: &Value) -> Option<LonLat> {
    Some(LonLat::new(v.get(0)?.as_f64()?, v.get(1)?.as_f64()?))
}

/// How a plan is replayed: the replay's own assumptions (the plan's are
/// stored with it) and, instead of the database's, an incident file.
#[derive(Debug, Clone)]
pub struct ReplayParams {
    pub input: Option<std::path::PathBuf>,
    pub profile: Option<String>,
    pub map: Option<std::path::PathBuf>,
    /// Road distance / straight-line distance.
    pub detour: f64,
    /// Response-time target, minutes.
    pub response: f64,
    /// Visibility radius, metres.
    pub visibility: f64,
}

impl Default for ReplayParams {
    /// `fengqiao replay --plan ID`'s defaults.
    fn default() -> Self {
        Self {
            input: None,
            profile: None,
            map: None,
            detour: 1.3,
            response: 5.0,
            visibility: 200.0,
        }
    }
}

/// Rates of a replay: visibility, handling, response rings and times.
pub fn rates(c: &fengqiao_plan::kpi::ReplayCounts) -> Value {
    let n = c.incidents.max(1) as f64;
    let mut minutes: Vec<f64> = c.minutes.iter().copied().filter(|m| m.is_finite()).collect();
    minutes.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        if minutes.len() < c.minutes.len() && q * c.minutes.len() as f64 >= minutes.len() as f64 {
            return Value::Null; // beyond what any unit reaches
        }
        minutes
            .get(((c.minutes.len() as f64 - 1.0) * q).round() as usize)
            .map_or(Value::Null, |m| json!(m))
    };
    json!({
        "incidents": c.incidents,
        "visibility_rate": c.visible as f64 / n,
        "handling_rate": c.handled as f64 / n,
        "rings": {"1": c.rings[0] as f64 / n, "3": c.rings[1] as f64 / n, "5": c.rings[2] as f64 / n},
        "response_minutes": {"p50": pct(0.5), "p90": pct(0.9)},
    })
}

/// The replay of stored plan `id` against the real incidents of its window,
/// beside its units standing at their stations.
pub fn report(
    store: &dyn Store,
    categories: &fengqiao_domain::CategoryTable,
    args: &ReplayParams,
    id: i64,
) -> Result<serde_json::Value> {
    let record = store
        .plan(id)?
        .ok_or_else(|| Error::input(format!("no plan with id {id}")))?;
    let plan = &record.plan;
    let bad = |what: &str| Error::input(format!("plan {id}: stored plan has no valid {what}"));
    let units = plan.body["units"].as_array().ok_or_else(|| bad("units"))?;
    let first = units
        .first()
        .and_then(|u| lon_lat(&u["position"]))
        .ok_or_else(|| bad("units"))?;
    let proj = LocalProjection::centred_on(first);
    let xy = |p: LonLat| -> Xy {
        let q = proj.project(p);
        (q.x, q.y)
    };
    let unit_types: Vec<UnitType> =
        serde_json::from_value(plan.params["unit_types"].clone()).map_err(|_| bad("unit_types"))?;
    let type_of = |name: &Value| {
        unit_types
            .iter()
            .position(|t| Some(t.name.as_str()) == name.as_str())
            .unwrap_or(0)
    };
    let minutes = |t: &Value| -> Result<f64> {
        let at = DateTime::parse_from_rfc3339(t.as_str().unwrap_or("")).map_err(|_| bad("visit times"))?;
        Ok((at.with_timezone(&Utc) - plan.window_start).num_seconds() as f64 / 60.0)
    };
    let mut plans = Vec::new();
    for u in units {
        let mut visits = Vec::new();
        for v in u["visits"].as_array().into_iter().flatten() {
            visits.push(Visit {
                at: 0,
                xy: xy(lon_lat(&v["at"]).ok_or_else(|| bad("visits"))?),
                start: minutes(&v["start"])?,
                end: minutes(&v["end"])?,
            });
        }
        plans.push(UnitPlan {
            unit: PlacedUnit {
                station: 0,
                unit_type: type_of(&u["type"]),
                at: 0,
                xy: xy(lon_lat(&u["position"]).ok_or_else(|| bad("positions"))?),
            },
            area: Vec::new(),
            area_expected: 0.0,
            visits,
        });
    }
    let posts: Vec<Post> = plan.body["posts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(Post {
                code: p["code"].as_str()?.to_string(),
                xy: xy(lon_lat(&p["position"])?),
                unit_type: type_of(&p["type"]),
            })
        })
        .collect();
    let input = DeployInput {
        demand: Vec::new(),
        unit_types,
        stations: Vec::new(),
        posts,
        presence: Vec::new(),
        response_minutes: plan.params["response_minutes"].as_f64().unwrap_or(args.response),
        detour: plan.params["detour"].as_f64().unwrap_or(args.detour),
        backup: 0.0,
        visibility_weight: 0.0,
        visibility_m: args.visibility,
        roads: None,
        positions_per_station: 0,
    };
    // The incidents of the plan's window.
    let points: Vec<IncidentPoint> = match &args.input {
        Some(file) => {
            let mapping = mapping_for(args.profile.as_deref(), args.map.as_deref())?;
            read_incidents(file, mapping, categories, None)?
        }
        None => store.incident_points(&IncidentFilter {
            dataset: Some(plan.dataset.clone()),
            from: Some(plan.window_start),
            to: Some(plan.window_end),
            ..IncidentFilter::default()
        })?,
    };
    let real: Vec<ReplayIncident> = points
        .iter()
        .filter(|p| p.occurred_at >= plan.window_start && p.occurred_at < plan.window_end)
        .map(|p| ReplayIncident {
            xy: xy(LonLat::new(p.lon, p.lat)),
            minute: (p.occurred_at - plan.window_start).num_seconds() as f64 / 60.0,
        })
        .collect();
    // Baseline: the same units standing at their stations.
    let facilities = store.facilities()?;
    let standing: Vec<UnitPlan> = units
        .iter()
        .zip(&plans)
        .filter_map(|(u, p)| {
            let f = facilities
                .iter()
                .find(|f| f.kind == FacilityKind::Station && Some(f.code.as_str()) == u["station"].as_str())?;
            let mut still = p.clone();
            still.unit.xy = xy(LonLat::new(f.lon, f.lat));
            still.visits.clear();
            Some(still)
        })
        .collect();
    let ours = replay(&input, &plans, &real, args.visibility);
    let mut report = json!({"plan": rates(&ours), "baselines": {}, "shifts": 1, "plan_id": id,
                            "window": [plan.window_start, plan.window_end],
                            "parameters": {"visibility_m": args.visibility, "response_min": args.response}});
    if standing.len() == plans.len() {
        report["baselines"]["posts_only"] = rates(&replay(&input, &standing, &real, args.visibility));
    }
    Ok(report)
}
