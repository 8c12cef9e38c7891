//! The patrol sheet (勤务卡) of a deployment plan: each unit of the plan
//! manned by a crew of the station's published roster for the plan's shift
//! — call sign, members (sworn lead first), whether it has a driver, the
//! station's duty officer — with its round of visits by time, by the area
//! (grid, community) each visit lies in and by the road it is on (named by
//! the incidents' addresses there). Names as the reader may see them.

use crate::error::{Error, Result};
use crate::personnel::{Viewer, stations};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike};
use fengqiao_store::Store;
use fengqiao_store::personnel::RosterRecord;
use serde_json::{Value, json};

/// The published roster of a station covering local `day` at local minute
/// `minute`, with the day's index and the shift's index in its pattern:
/// a shift that starts that day and holds the minute, or one from the day
/// before that runs past midnight.
fn covering(
    rosters: &[RosterRecord],
    day: NaiveDate,
    minute: u32,
    duty: Option<&fengqiao_domain::duty::DutyConfig>,
) -> Option<(RosterRecord, usize, usize)> {
    for r in rosters.iter().filter(|r| r.roster.state == "published") {
        let pattern: Vec<String> = serde_json::from_value(r.roster.body["pattern"].clone()).unwrap_or_default();
        let stored: Vec<[u32; 2]> = serde_json::from_value(r.roster.body["shift_times"].clone()).unwrap_or_default();
        // As rostered; rosters stored before their shift times were kept read the configuration.
        let times = |k: usize, code: &str| -> Option<(u32, u32)> {
            stored.get(k).map(|t| (t[0], t[1])).or_else(|| {
                duty?
                    .shift(code)
                    .map(|s| (u32::from(s.start_minute), u32::from(s.minutes)))
            })
        };
        let index = (day - r.roster.first_day).num_days();
        for (back, d) in [(0u32, index), (1440, index - 1)] {
            if d < 0 || d >= i64::from(r.roster.days) {
                continue;
            }
            let hit = pattern.iter().enumerate().position(|(k, code)| {
                times(k, code).is_some_and(|(start, length)| start <= minute + back && minute + back < start + length)
            });
            if let Some(s) = hit {
                return Some((r.clone(), d as usize, s));
            }
        }
    }
    None
}

/// Most incidents read (the newest before the plan's window) to name the
/// roads of a sheet's rounds.
const MAX_ROAD_INCIDENTS: usize = 50_000;
/// A visit is on the road the incidents within this distance name most.
const ROAD_RADIUS_M: f64 = 150.0;

/// The roads near the points of a plan's rounds, read from the addresses of
/// the incidents there (a city's 110 records name the road of each call;
/// no road map is needed): each point is on the road named most often
/// within [`ROAD_RADIUS_M`].
struct Roads {
    proj: fengqiao_geo::LocalProjection,
    names: Vec<String>,
    /// Incidents' positions by cell of [`ROAD_RADIUS_M`], with their road's index.
    cells: std::collections::HashMap<(i64, i64), Vec<(fengqiao_geo::Xy, usize)>>,
}

impl Roads {
    fn read(store: &dyn Store, dataset: &str, before: DateTime<chrono::Utc>, points: &[(f64, f64)]) -> Result<Roads> {
        let valid: Vec<&(f64, f64)> = points
            .iter()
            .filter(|(lon, lat)| lon.is_finite() && lat.is_finite())
            .collect();
        let (mut west, mut south, mut east, mut north) = (180.0f64, 90.0f64, -180.0f64, -90.0f64);
        for &&(lon, lat) in &valid {
            (west, south, east, north) = (west.min(lon), south.min(lat), east.max(lon), north.max(lat));
        }
        let centre = fengqiao_geo::LonLat::new((west + east) / 2.0, (south + north) / 2.0);
        let mut roads = Roads {
            proj: fengqiao_geo::LocalProjection::centred_on(if valid.is_empty() {
                fengqiao_geo::LonLat::new(0.0, 0.0)
            } else {
                centre
            }),
            names: Vec::new(),
            cells: std::collections::HashMap::new(),
        };
        if valid.is_empty() {
            return Ok(roads);
        }
        // About the radius in degrees, with room at any latitude the plan can have.
        let margin = ROAD_RADIUS_M / 111_000.0 / north.abs().max(south.abs()).to_radians().cos().max(0.1);
        let filter = fengqiao_store::IncidentFilter {
            dataset: Some(dataset.to_string()),
            to: Some(before),
            bbox: Some([west - margin, south - margin, east + margin, north + margin]),
            ..Default::default()
        };
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        crate::store::scan_incidents(store, &filter, MAX_ROAD_INCIDENTS, |i| {
            let Some(road) = i.record.address.as_deref().and_then(crate::address::road_name) else {
                return;
            };
            let next = index.len();
            let k = *index.entry(road.clone()).or_insert_with(|| {
                roads.names.push(road);
                next
            });
            let p = roads
                .proj
                .project(fengqiao_geo::LonLat::new(i.record.lon, i.record.lat));
            roads.cells.entry(roads.cell(p)).or_default().push((p, k));
        })?;
        Ok(roads)
    }

    fn cell(&self, p: fengqiao_geo::Xy) -> (i64, i64) {
        (
            (p.x / ROAD_RADIUS_M).floor() as i64,
            (p.y / ROAD_RADIUS_M).floor() as i64,
        )
    }

    /// The road named most often near `(lon, lat)` (ties: the nearer mention).
    fn at(&self, lon: f64, lat: f64) -> Option<&str> {
        let p = self.proj.project(fengqiao_geo::LonLat::new(lon, lat));
        let (cx, cy) = self.cell(p);
        let mut count: std::collections::HashMap<usize, (u32, f64)> = std::collections::HashMap::new();
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &(q, k) in self.cells.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    let d = ((q.x - p.x).powi(2) + (q.y - p.y).powi(2)).sqrt();
                    if d <= ROAD_RADIUS_M {
                        let e = count.entry(k).or_insert((0, f64::INFINITY));
                        e.0 += 1;
                        e.1 = e.1.min(d);
                    }
                }
            }
        }
        count
            .into_iter()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.total_cmp(&a.1.1)).then(b.0.cmp(&a.0)))
            .map(|(k, _)| self.names[k].as_str())
    }
}

/// The sheet of plan `id` in the city's zone `tz`.
pub fn sheet(
    store: &dyn Store,
    duty: &fengqiao_domain::duty::DutyConfig,
    viewer: &Viewer,
    id: i64,
    tz: chrono_tz::Tz,
) -> Result<Value> {
    let plan = store
        .plan(id)?
        .ok_or_else(|| Error::not_found(format!("no plan {id}")))?;
    let start: DateTime<chrono_tz::Tz> = plan.plan.window_start.with_timezone(&tz);
    let (day, minute) = (start.date_naive(), start.hour() * 60 + start.minute());
    let registry = store.personnel()?;
    let person = |pid: &Value| -> Value {
        match registry.iter().find(|p| Some(p.id) == pid.as_i64()) {
            Some(p) => {
                let name = if viewer.personal_data {
                    p.person.name.clone()
                } else {
                    fengqiao_cases::privacy::mask_name(&p.person.name)
                };
                json!({"id": p.id, "badge": p.person.badge, "name": name, "kind": p.person.kind})
            }
            None => Value::Null,
        }
    };
    let lookup = fengqiao_ingest::jurisdiction_lookup(store)?;
    let areas = store.jurisdictions()?;
    let area_at = |lon: f64, lat: f64| -> Value {
        lookup
            .find(lon, lat)
            .and_then(|jid| areas.iter().find(|a| a.jurisdiction.id == jid))
            .map_or(Value::Null, |a| {
                json!({"code": a.jurisdiction.code, "name_zh": a.jurisdiction.name_zh, "name_en": a.jurisdiction.name_en})
            })
    };
    let units: Vec<Value> = plan.plan.body["units"].as_array().cloned().unwrap_or_default();
    let at = |v: &Value| {
        (
            v["at"][0].as_f64().unwrap_or(f64::NAN),
            v["at"][1].as_f64().unwrap_or(f64::NAN),
        )
    };
    let points: Vec<(f64, f64)> = units
        .iter()
        .flat_map(|u| u["visits"].as_array().into_iter().flatten().map(at))
        .collect();
    let roads = Roads::read(store, &plan.plan.dataset, plan.plan.window_start, &points)?;
    let mut out = Vec::new();
    for station in stations(store)?.into_iter().filter(|s| viewer.sees(s)) {
        let mine: Vec<&Value> = units.iter().filter(|u| u["station"] == station.code.as_str()).collect();
        let roster = covering(&store.rosters(Some(&station.code), 50)?, day, minute, Some(duty));
        let team = roster
            .as_ref()
            .map(|(r, d, s)| r.roster.body["teams"][*d][*s].clone())
            .unwrap_or(Value::Null);
        let crews: Vec<Value> = team["crews"].as_array().cloned().unwrap_or_default();
        let unit_rows: Vec<Value> = mine
            .iter()
            .enumerate()
            .map(|(k, u)| {
                let crew = crews.get(k);
                json!({
                    "unit": u["id"], "type": u["type"], "position": u["position"],
                    "call_sign": crew.map(|c| c["call_sign"].clone()),
                    "members": crew.map(|c| c["members"].as_array().into_iter().flatten().map(&person).collect::<Vec<_>>()),
                    "driver": crew.map(|c| c["driver"].clone()),
                    "visits": u["visits"].as_array().into_iter().flatten().enumerate().map(|(n, v)| json!({
                        "n": n + 1, "start": v["start"], "end": v["end"], "at": v["at"],
                        "area": area_at(at(v).0, at(v).1),
                        "road": roads.at(at(v).0, at(v).1),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let spare: Vec<Value> = crews
            .iter()
            .skip(mine.len())
            .map(|c| json!({"call_sign": c["call_sign"], "members": c["members"].as_array().into_iter().flatten().map(&person).collect::<Vec<_>>()}))
            .collect();
        out.push(json!({
            "code": station.code, "name_zh": station.name_zh, "name_en": station.name_en,
            "roster": roster.as_ref().map(|(r, d, s)| json!({
                "id": r.id, "day": r.roster.first_day + Duration::days(*d as i64),
                "shift": r.roster.body["pattern"][*s], "version": r.version,
            })),
            "duty": person(&team["duty"]),
            "crews_needed": team["crews_needed"],
            "units": unit_rows,
            // Crews on shift beyond the plan's units: standby or foot patrol.
            "spare_crews": spare,
        }));
    }
    Ok(json!({
        "plan": id, "window_start": plan.plan.window_start, "window_end": plan.plan.window_end,
        "local_start": start.to_rfc3339(), "weekday": start.weekday().num_days_from_monday(), "stations": out,
    }))
}

/// The sheet as CSV: one row per visit of each unit (or one for a unit without visits).
pub fn sheet_csv(sheet: &Value) -> String {
    let field = |s: String| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut out =
        String::from("station,call_sign,unit,members,driver,duty_officer,visit,start,end,area,lon,lat,road\n");
    for st in sheet["stations"].as_array().into_iter().flatten() {
        let duty = text(&st["duty"]["name"]);
        for u in st["units"].as_array().into_iter().flatten() {
            let members: Vec<String> = u["members"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| format!("{} {}", text(&m["badge"]), text(&m["name"])))
                .collect();
            let head = [
                text(&st["code"]),
                text(&u["call_sign"]),
                text(&u["unit"]),
                members.join("; "),
                text(&u["driver"]),
                duty.clone(),
            ]
            .map(field)
            .join(",");
            let visits = u["visits"].as_array().cloned().unwrap_or_default();
            if visits.is_empty() {
                out.push_str(&format!("{head},,,,,,,\n"));
            }
            for v in &visits {
                let tail = [
                    text(&v["n"]),
                    text(&v["start"]),
                    text(&v["end"]),
                    text(&v["area"]["name_zh"]),
                    text(&v["at"][0]),
                    text(&v["at"][1]),
                    text(&v["road"]),
                ]
                .map(field)
                .join(",");
                out.push_str(&format!("{head},{tail}\n"));
            }
        }
    }
    out
}

/// Crews the published roster puts on the shift holding `at` at a station
/// (`None`: no published roster covers it).
pub fn crews_on_shift(
    store: &dyn Store,
    station: &str,
    at: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
) -> Result<Option<usize>> {
    let local = at.with_timezone(&tz);
    let found = covering(
        &store.rosters(Some(station), 50)?,
        local.date_naive(),
        local.hour() * 60 + local.minute(),
        None,
    );
    Ok(found.map(|(r, d, s)| r.roster.body["teams"][d][s]["crews"].as_array().map_or(0, Vec::len)))
}
