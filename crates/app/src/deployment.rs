//! `fengqiao plan` from a stored forecast: units placed by the covering
//! model, visiting rounds over their hottest cells, stored with the plan's
//! settings, printed per station, as JSON and as GeoJSON for the map.

use crate::error::{Error, Result};
use crate::units::UnitsFile;
use chrono::{DateTime, Duration, Utc};
use fengqiao_domain::{Facility, FacilityKind};
use fengqiao_geo::{CellId, Grid, LocalProjection, LonLat, Xy};
use fengqiao_plan::SolveOptions;
use fengqiao_plan::deploy::{DeployInput, Post, Presence, Station, UnitType};
use fengqiao_plan::schedule::{ScheduleOptions, UnitPlan, schedule};
use fengqiao_store::{ForecastRun, NewPlan, Store};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A plan to make from a stored forecast.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanRequest {
    /// [default: the default dataset]
    pub dataset: Option<String>,
    /// A forecast id, or `latest`.
    pub forecast: String,
    /// The window of the latest forecast: shift, day or week.
    pub window: String,
    /// A units file (stations, posts, unit types); a file on this machine,
    /// so never taken from a request body.
    #[serde(skip)]
    pub units: Option<std::path::PathBuf>,
}

impl Default for PlanRequest {
    fn default() -> Self {
        Self {
            dataset: None,
            forecast: "latest".into(),
            window: "shift".into(),
            units: None,
        }
    }
}

/// Where a station or post is given: a (lon, lat), or `None` for the database's.
type At = Option<(f64, f64)>;
/// Units of a station by type index: (type, count).
type Counts = Vec<(usize, usize)>;

/// Everything the plan is made from, in the forecast grid's metres.
struct Made {
    run: ForecastRun,
    /// The dataset's time zone, for the times printed and stored.
    tz: chrono_tz::Tz,
    input: DeployInput,
    schedule: ScheduleOptions,
    proj: LocalProjection,
    station_codes: Vec<(String, String)>,
    type_names: Vec<String>,
}

pub(crate) fn load_forecast(store: &dyn Store, req: &PlanRequest) -> Result<(ForecastRun, Vec<(u32, f64)>)> {
    if req.forecast == "latest" {
        let dataset = crate::forecast::resolve_dataset(store, req.dataset.as_deref())?;
        let latest = store.latest_forecast(&dataset, &req.window, None)?.ok_or_else(|| {
            // The details let a page offer to make the forecast.
            Error::input(format!(
                "dataset {dataset:?} has no {} forecast yet: run `fengqiao forecast` first",
                req.window
            ))
            .with_details(json!({"missing": "forecast", "dataset": dataset, "window": req.window}))
        })?;
        let tz = dataset_zone(store, &dataset)?;
        return refuse_ended(latest, &dataset, &req.window, Utc::now(), tz);
    }
    let id: i64 = req
        .forecast
        .parse()
        .map_err(|_| Error::input(format!("--forecast {:?}: give a forecast id or `latest`", req.forecast)))?;
    store
        .forecast(id)?
        .ok_or_else(|| Error::input(format!("no forecast with id {id}")))
}

/// The zone a dataset's times are shown in (UTC when it names none this program knows).
pub fn dataset_zone(store: &dyn Store, dataset: &str) -> Result<chrono_tz::Tz> {
    Ok(store
        .dataset_timezone(dataset)?
        .and_then(|z| z.parse().ok())
        .unwrap_or(chrono_tz::UTC))
}

/// `latest` means the window to come: a latest forecast whose window has
/// ended is refused (naming it), so nobody plans yesterday's shift for
/// today by mistake; a past window is planned by giving its forecast's id.
fn refuse_ended(
    latest: (ForecastRun, Vec<(u32, f64)>),
    dataset: &str,
    window: &str,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<(ForecastRun, Vec<(u32, f64)>)> {
    let run = &latest.0;
    if run.window_end > now {
        return Ok(latest);
    }
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %:z").to_string();
    Err(Error::input(format!(
        "the latest {window} forecast of {dataset} (id {}) is for {} to {}, which has ended: \
         forecast the coming {window} with `fengqiao forecast`, or plan that past window with --forecast {}",
        run.id,
        local(run.window_start),
        local(run.window_end),
        run.id,
    ))
    .with_details(json!({"missing": "forecast", "dataset": dataset, "window": window,
                         "ended": {"id": run.id, "window_start": run.window_start, "window_end": run.window_end}})))
}

/// Jurisdiction code -> the codes of it and everything below it, and a lookup from a point to its deepest area's code.
struct Areas {
    lookup: fengqiao_ingest::JurisdictionLookup,
    code_of: HashMap<i64, String>,
    parent: HashMap<String, Option<String>>,
}

impl Areas {
    fn load(store: &dyn Store) -> Result<Self> {
        let all = store.jurisdictions()?;
        Ok(Self {
            lookup: fengqiao_ingest::jurisdiction_lookup(store)?,
            code_of: all
                .iter()
                .map(|j| (j.jurisdiction.id, j.jurisdiction.code.clone()))
                .collect(),
            parent: all
                .iter()
                .map(|j| (j.jurisdiction.code.clone(), j.jurisdiction.parent_code.clone()))
                .collect(),
        })
    }

    /// Whether the point lies in `code` or one of its sub-areas.
    fn within(&self, p: LonLat, code: &str) -> bool {
        let mut at = self
            .lookup
            .find(p.lon, p.lat)
            .and_then(|id| self.code_of.get(&id).cloned());
        while let Some(c) = at {
            if c == code {
                return true;
            }
            at = self.parent.get(&c).cloned().flatten();
        }
        false
    }
}

fn make(store: &dyn Store, req: &PlanRequest) -> Result<Made> {
    let units = match &req.units {
        Some(path) => UnitsFile::read(path)?,
        None => UnitsFile::default(),
    };
    let (run, cells) = load_forecast(store, req)?;
    let tz = dataset_zone(store, &run.dataset)?;
    let proj = LocalProjection::centred_on(LonLat::new(run.centre[0], run.centre[1]));
    let grid = Grid::new(Xy::new(run.origin[0], run.origin[1]), run.cell_m, run.cols, run.rows)
        .map_err(|e| Error::input(format!("forecast {}: {e}", run.id)))?;
    let demand: Vec<((f64, f64), f64)> = cells
        .iter()
        .filter(|(_, w)| *w > 0.0)
        .map(|&(c, w)| {
            let p = grid.cell_centre(CellId(c));
            ((p.x, p.y), w)
        })
        .collect();
    let type_names: Vec<String> = units.unit_types.keys().cloned().collect();
    let type_index = |name: &str| type_names.iter().position(|t| t == name).expect("checked");
    let facilities = store.facilities()?;
    let find = |code: &str, kind: FacilityKind| -> Option<&Facility> {
        facilities.iter().find(|f| f.code == code && f.kind == kind)
    };
    let areas = Areas::load(store)?;
    let xy_of = |lon: f64, lat: f64| {
        let p = proj.project(LonLat::new(lon, lat));
        (p.x, p.y)
    };
    let points_in = |code: &str| -> Vec<u32> {
        demand
            .iter()
            .enumerate()
            .filter(|(_, ((x, y), _))| areas.within(proj.unproject(Xy::new(*x, *y)), code))
            .map(|(i, _)| i as u32)
            .collect()
    };
    // Stations: from the file (placed by the database or by lon/lat), else every station in the database.
    let mut stations = Vec::new();
    let mut station_codes = Vec::new();
    // Without a units file: the crews the station's published roster puts on
    // the window's shift (警力跟着警情走, in people), else its cars on file.
    let entries: Vec<(String, Counts, At)> = if units.stations.is_empty() {
        let mut list = Vec::new();
        for f in facilities.iter().filter(|f| f.kind == FacilityKind::Station) {
            let cars = match crate::patrol_sheet::crews_on_shift(store, &f.code, run.window_start, tz)? {
                Some(crews) => crews,
                None => f.units as usize,
            };
            if cars > 0 {
                list.push((f.code.clone(), vec![(type_index("car"), cars)], None));
            }
        }
        list
    } else {
        units
            .stations
            .iter()
            .map(|s| {
                let counts = s.units.iter().map(|(t, n)| (type_index(t), *n)).collect();
                (s.code.clone(), counts, s.lon.zip(s.lat))
            })
            .collect()
    };
    for (code, counts, at) in entries {
        let known = find(&code, FacilityKind::Station);
        let (lon, lat) = match (at, known) {
            (Some(p), _) => p,
            (None, Some(f)) => (f.lon, f.lat),
            (None, None) => {
                return Err(Error::input(format!(
                    "unknown station {code:?}: not in the database (stations: {}); give lon and lat for a new one",
                    facilities
                        .iter()
                        .filter(|f| f.kind == FacilityKind::Station)
                        .map(|f| f.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        // The station's units stand in its jurisdiction when it has one with any forecast cell.
        let area = known
            .and_then(|f| f.jurisdiction.as_deref())
            .map(&points_in)
            .filter(|a| !a.is_empty());
        station_codes.push((code.clone(), known.map_or(code.clone(), |f| f.name_zh.clone())));
        stations.push(Station {
            code,
            xy: xy_of(lon, lat),
            units: counts,
            area,
        });
    }
    let post_entries: Vec<(String, String, At)> = if units.posts.is_empty() && units.stations.is_empty() {
        facilities
            .iter()
            .filter(|f| f.kind == FacilityKind::Post)
            .map(|f| (f.code.clone(), "motorbike".to_string(), None))
            .collect()
    } else {
        units
            .posts
            .iter()
            .map(|p| (p.code.clone(), p.unit.clone(), p.lon.zip(p.lat)))
            .collect()
    };
    let mut posts = Vec::new();
    for (code, unit, at) in post_entries {
        let (lon, lat) = match (at, find(&code, FacilityKind::Post)) {
            (Some(p), _) => p,
            (None, Some(f)) => (f.lon, f.lat),
            (None, None) => {
                return Err(Error::input(format!(
                    "unknown post {code:?}: not in the database; give lon and lat"
                )));
            }
        };
        posts.push(Post {
            code,
            xy: xy_of(lon, lat),
            unit_type: type_index(&unit),
        });
    }
    let mut presence = Vec::new();
    for p in &units.presence {
        if !areas.parent.contains_key(&p.jurisdiction) {
            return Err(Error::input(format!(
                "minimum presence: unknown jurisdiction {:?}",
                p.jurisdiction
            )));
        }
        presence.push(Presence {
            name: p.jurisdiction.clone(),
            area: points_in(&p.jurisdiction),
            units: p.units,
        });
    }
    let roads = match &units.roads {
        None => None,
        Some(entry) => {
            let net = crate::units::read_roads(entry, &units.base, xy_of)?;
            let fastest = units.unit_types.values().copied().fold(0.0, f64::max);
            let limit = fastest * 1000.0 / 60.0 * units.response_minutes.max(5.0) * 1.5;
            Some(std::sync::Arc::new(fengqiao_plan::travel::RoadTravel::new(net, limit)))
        }
    };
    let shift_minutes = (run.window_end - run.window_start).num_minutes() as f64;
    Ok(Made {
        input: DeployInput {
            demand,
            unit_types: type_names
                .iter()
                .map(|n| UnitType {
                    name: n.clone(),
                    speed_kmh: units.unit_types[n],
                })
                .collect(),
            stations,
            posts,
            presence,
            response_minutes: units.response_minutes,
            detour: units.detour,
            backup: units.backup,
            visibility_weight: units.visibility_weight,
            visibility_m: units.visibility_m,
            roads,
            positions_per_station: 300,
        },
        schedule: ScheduleOptions {
            shift_minutes,
            visit_minutes: units.visit_minutes,
            hot_cells: units.hot_cells,
            roam_minutes: units.roam_minutes,
        },
        run,
        tz,
        proj,
        station_codes,
        type_names,
    })
}

fn lon_lat(proj: &LocalProjection, xy: (f64, f64)) -> [f64; 2] {
    let p = proj.unproject(Xy::new(xy.0, xy.1));
    [(p.lon * 1e6).round() / 1e6, (p.lat * 1e6).round() / 1e6]
}

/// The plan as stored and printed: summary, per-unit and per-station parts.
fn body(made: &Made, plans: &[UnitPlan]) -> Value {
    let at = |minutes: f64| {
        (made.run.window_start + Duration::seconds((minutes * 60.0) as i64))
            .with_timezone(&made.tz)
            .to_rfc3339()
    };
    let units: Vec<Value> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let station = &made.station_codes[p.unit.station];
            json!({
                "id": format!("{}-{}-{}", station.0, made.type_names[p.unit.unit_type], i + 1),
                "station": station.0, "type": made.type_names[p.unit.unit_type],
                "position": lon_lat(&made.proj, p.unit.xy),
                "area_cells": p.area.len(), "area_expected": p.area_expected,
                "visits": p.visits.iter().map(|v| json!({
                    "at": lon_lat(&made.proj, v.xy), "start": at(v.start), "end": at(v.end),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let stations: Vec<Value> = made
        .station_codes
        .iter()
        .enumerate()
        .map(|(s, (code, name))| {
            let mine: Vec<&UnitPlan> = plans.iter().filter(|p| p.unit.station == s).collect();
            json!({"code": code, "name": name, "units": mine.len(),
                   "area_expected": mine.iter().map(|p| p.area_expected).sum::<f64>()})
        })
        .collect();
    json!({"units": units, "stations": stations,
           "posts": made.input.posts.iter().map(|p| json!({"code": p.code, "position": lon_lat(&made.proj, p.xy),
               "type": made.type_names[p.unit_type]})).collect::<Vec<_>>()})
}

/// Units, their rounds, response rings and posts as a GeoJSON FeatureCollection.
fn geojson(made: &Made, plans: &[UnitPlan], body: &Value) -> Value {
    let mut features = Vec::new();
    for (p, u) in plans.iter().zip(body["units"].as_array().into_iter().flatten()) {
        features.push(
            json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": lon_lat(&made.proj, p.unit.xy)},
            "properties": {"kind": "unit", "id": u["id"], "station": u["station"], "unit_type": u["type"],
                           "area_expected": p.area_expected}}),
        );
        let mut route = vec![lon_lat(&made.proj, p.unit.xy)];
        let mut seen = std::collections::HashSet::new();
        for v in &p.visits {
            if seen.insert(v.at) {
                route.push(lon_lat(&made.proj, v.xy));
            }
        }
        if route.len() > 1 {
            features.push(
                json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": route},
                "properties": {"kind": "round", "id": u["id"], "visits": p.visits.len()}}),
            );
        }
        let reach = made.input.unit_types[p.unit.unit_type].speed_kmh * 1000.0 / 60.0 / made.input.detour
            * made.input.response_minutes;
        let ring: Vec<[f64; 2]> = (0..=32)
            .map(|k| {
                let a = f64::from(k) / 32.0 * std::f64::consts::TAU;
                lon_lat(
                    &made.proj,
                    (p.unit.xy.0 + reach * a.cos(), p.unit.xy.1 + reach * a.sin()),
                )
            })
            .collect();
        features.push(
            json!({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"kind": "response_ring", "id": u["id"], "minutes": made.input.response_minutes}}),
        );
    }
    for post in &made.input.posts {
        features.push(
            json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": lon_lat(&made.proj, post.xy)},
            "properties": {"kind": "post", "code": post.code}}),
        );
    }
    json!({"type": "FeatureCollection", "features": features})
}

/// Makes, stores and returns the plan: (id, summary, body, geojson).
pub fn plan_from_forecast(store: &dyn Store, req: &PlanRequest) -> Result<(i64, Value, Value, Value)> {
    let made = make(store, req)?;
    let deployment = made.input.plan(&SolveOptions::default())?;
    let plans = schedule(&made.input, &deployment.units, &made.schedule);
    let s = &deployment.solution;
    let summary = json!({
        "objective": s.objective,
        "coverage": {"1": deployment.rings[0], "3": deployment.rings[1], "5": deployment.rings[2]},
        "covered_share": deployment.covered_share,
        "gap": s.gap, "bound": s.bound, "method": s.method, "seconds": s.seconds,
        "units": plans.len(), "forecast_expected": made.input.demand.iter().map(|(_, w)| w).sum::<f64>(),
    });
    let body = body(&made, &plans);
    let geojson = geojson(&made, &plans, &body);
    let params = json!({
        "forecast_id": made.run.id, "model": made.run.model, "response_minutes": made.input.response_minutes,
        "detour": made.input.detour, "backup": made.input.backup, "visibility_m": made.input.visibility_m,
        "visibility_weight": made.input.visibility_weight, "unit_types": made.input.unit_types,
        "visit_minutes": made.schedule.visit_minutes, "roam_minutes": made.schedule.roam_minutes,
        "hot_cells": made.schedule.hot_cells,
        "travel": if made.input.roads.is_some() { "roads" } else { "straight_line_times_detour" },
    });
    let id = store.save_plan(&NewPlan {
        dataset: made.run.dataset.clone(),
        forecast_id: Some(made.run.id),
        window_start: made.run.window_start,
        window_end: made.run.window_end,
        params,
        summary: summary.clone(),
        body: body.clone(),
        geojson: geojson.to_string(),
        version: env!("CARGO_PKG_VERSION").into(),
        created_at: Utc::now(),
    })?;
    Ok((id, summary, body, geojson))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A stored forecast of one 150 m cell near Ningbo for a window, as tests build it.
    pub(crate) fn forecast_run(start: DateTime<Utc>, end: DateTime<Utc>, data_cutoff: DateTime<Utc>) -> ForecastRun {
        ForecastRun {
            id: 7,
            dataset: "demo".into(),
            model: "fq".into(),
            window_kind: "shift".into(),
            window_start: start,
            window_end: end,
            shift: 0,
            category: None,
            cell_m: 150.0,
            centre: [121.5, 29.8],
            origin: [0.0, 0.0],
            cols: 1,
            rows: 1,
            data_cutoff,
            params: json!({}),
            version: "test".into(),
            created_at: start,
        }
    }

    fn run_for(start: DateTime<Utc>) -> (ForecastRun, Vec<(u32, f64)>) {
        let run = forecast_run(start, start + Duration::hours(8), start);
        (run, vec![(0, 1.0)])
    }

    /// `latest` is for planning what comes: a window still running or to
    /// come is planned; one that has ended is refused with its dates in the
    /// city's zone and the id that plans it on purpose.
    #[test]
    fn an_ended_latest_forecast_is_refused_by_name() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let start = shanghai.with_ymd_and_hms(2026, 12, 5, 8, 0, 0).unwrap().to_utc();
        let during = start + Duration::hours(7);
        assert_eq!(
            refuse_ended(run_for(start), "demo", "shift", during, shanghai)
                .unwrap()
                .0
                .id,
            7
        );
        let after = start + Duration::hours(8);
        let e = refuse_ended(run_for(start), "demo", "shift", after, shanghai).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("2026-12-05 08:00 +08:00 to 2026-12-05 16:00 +08:00") && text.contains("--forecast 7"),
            "{text}"
        );
        assert_eq!(e.details["missing"], "forecast");
        assert_eq!(e.details["ended"]["id"], 7);
    }
}
