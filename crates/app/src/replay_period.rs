//! Replaying a period: over a real incident file, every shift is forecast
//! (rolling origin, as in the backtest), planned, scheduled and scored,
//! beside the baseline deployments (fixed posts, an even spread, yesterday's
//! and last month's counts), with bootstrap intervals of the differences.

use crate::error::{Error, Result};
use crate::forecast::{local_day, read_incidents_seeing, to_forecast_incidents, validation_windows};
use crate::imports::mapping_for;
use crate::replay_plan::rates;
use crate::replay_roster::{Rosters, resampled};
use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Tz;
use fengqiao_forecast::prepare::{self, WindowKind};
use fengqiao_forecast::{Model, model_by_name, unknown_model};
use fengqiao_geo::LonLat;
use fengqiao_plan::SolveOptions;
use fengqiao_plan::deploy::{DeployInput, PlacedUnit, Station, UnitType, Xy};
use fengqiao_plan::kmeans::kmeans;
use fengqiao_plan::kpi::{ReplayCounts, ReplayIncident, dispatch, replay};
use fengqiao_plan::schedule::{ScheduleOptions, UnitPlan, schedule};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;

/// A period to replay: the defaults are `fengqiao replay`'s.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayPeriodRequest {
    /// The incident file, read through `profile` or `map`.
    pub input: PathBuf,
    pub profile: Option<String>,
    pub map: Option<PathBuf>,
    /// First and last local day, inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Local start hours of the shifts.
    pub shifts: Vec<u32>,
    pub cell: f64,
    /// Stations, placed at the k-means centres of the year's incidents before `from`.
    pub stations: usize,
    pub units_per_station: usize,
    /// Patrol car speed, km/h.
    pub speed: f64,
    /// Road distance / straight-line distance.
    pub detour: f64,
    /// Response-time target, minutes.
    pub response: f64,
    /// Visibility radius, metres.
    pub visibility: f64,
    /// Hot-spot visit length, minutes.
    pub visit: f64,
    pub hot_cells: usize,
    /// Visits stay within this many minutes of the unit's planned position.
    pub roam: f64,
    pub backup: f64,
    pub visibility_weight: f64,
    /// The forecasting model behind the plan.
    pub model: String,
    pub bootstrap: usize,
    /// Also replay the same crew-shifts rostered evenly and by the calls,
    /// with busy crews, and roster each station's people on both.
    #[serde(default)]
    pub rosters: bool,
    /// Minutes a crew is busy with a call, where the file has no handling times.
    #[serde(default)]
    pub service: Option<f64>,
    /// The staffing roster moves crews between stations too (else only in time).
    #[serde(default)]
    pub across_stations: bool,
}

/// The deployments a replay scores: the plan first, then the baselines.
pub const STRATEGIES: [&str; 5] = ["plan", "posts_only", "even", "yesterday", "last_month"];

#[derive(Clone)]
struct Setup {
    input: DeployInput,
    schedule: ScheduleOptions,
    solve: SolveOptions,
}

/// Units planned on a forecast, then scheduled.
fn planned(setup: &Setup, ctx: &fengqiao_forecast::Context, forecast: &[f64]) -> Result<Vec<UnitPlan>> {
    let mut input = setup.input.clone();
    input.demand = ctx
        .valid_cells
        .iter()
        .map(|&c| (ctx.centre(c as usize), forecast[c as usize].max(0.0)))
        .collect();
    if input.demand.iter().all(|(_, w)| *w <= 0.0) {
        return Ok(standing(
            &input,
            &input.stations.iter().map(|s| s.xy).collect::<Vec<_>>(),
        ));
    }
    let deployment = input.plan(&setup.solve)?;
    Ok(schedule(&input, &deployment.units, &setup.schedule))
}

/// Units standing still at `places`, one per place, as many as the stations have.
fn standing(input: &DeployInput, places: &[Xy]) -> Vec<UnitPlan> {
    places
        .iter()
        .enumerate()
        .map(|(i, &xy)| UnitPlan {
            unit: PlacedUnit {
                station: i % input.stations.len().max(1),
                unit_type: 0,
                at: 0,
                xy,
            },
            area: Vec::new(),
            area_expected: 0.0,
            visits: Vec::new(),
        })
        .collect()
}

/// Replays the period `args` describes; `progress(done, total)` as shifts are scored.
pub fn replay_period(
    settings: &crate::Settings,
    args: &ReplayPeriodRequest,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Value> {
    let (input, from, to) = (&args.input, args.from, args.to);
    if args.profile.is_none() && args.map.is_none() {
        return Err(Error::input("--input needs --profile NAME or --map FILE"));
    }
    if from > to {
        return Err(Error::input(format!("--from {from} is after --to {to}")));
    }
    if args.stations == 0 || args.units_per_station == 0 {
        return Err(Error::input("--stations and --units-per-station must be at least 1"));
    }
    let started = Instant::now();
    let kind = WindowKind::parse("shift", &args.shifts).ok_or_else(|| Error::input("--shifts must be hours 0..23"))?;
    let mapping = mapping_for(args.profile.as_deref(), args.map.as_deref())?;
    let tz: Tz = mapping
        .timezone
        .parse()
        .map_err(|_| Error::input(format!("unknown time zone {}", mapping.timezone)))?;
    let bbox_centre = mapping
        .bbox
        .map(|[a, b, c, d]| LonLat::new((a + c) / 2.0, (b + d) / 2.0));
    if args
        .service
        .is_some_and(|m| !(m > 0.0 && m <= fengqiao_staffing::service::MAX_SERVICE_MINUTES))
    {
        return Err(Error::input("--service: minutes above 0, at most a day"));
    }
    let history_end = tz
        .from_local_datetime(&from.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(i64::MAX, |t| t.timestamp());
    let mut samples = Vec::new();
    let rows = read_incidents_seeing(input, mapping, &settings.city.categories, None, &mut |r| {
        if args.rosters && r.occurred_at.timestamp() < history_end {
            samples.extend(crate::staffing::handled(r));
        }
    })?;
    let times = fengqiao_staffing::service::measure(samples, crate::staffing::MIN_MEASURED);
    let service = match args.service {
        Some(m) => (m, "given"),
        None if times.overall.count >= crate::staffing::MIN_MEASURED => (times.overall.mean_minutes, "measured"),
        None => (crate::staffing::DEFAULT_SERVICE_MINUTES, "default"),
    };
    let mut incidents = to_forecast_incidents(&rows, tz, false, history_end);
    incidents.retain(|i| !i.day_only);
    if incidents.is_empty() {
        return Err(Error::input(format!(
            "{}: no incidents with a time of day",
            input.display()
        )));
    }
    let centre = bbox_centre.unwrap_or_else(|| {
        let n = incidents.len() as f64;
        LonLat::new(
            incidents.iter().map(|i| i.lon).sum::<f64>() / n,
            incidents.iter().map(|i| i.lat).sum::<f64>() / n,
        )
    });
    let (grid, events) = prepare::build_events(&incidents, centre, args.cell, (0.0, 0.0))?;
    let windows = prepare::windows(tz, from, to, &kind);
    let first = windows.first().map_or(0.0, |w| w.start);
    let history = events.partition_point(|e| e.t < first);
    if history == 0 {
        return Err(Error::input(format!(
            "no incidents before {from}: nothing to plan from"
        )));
    }
    let earliest = events.first().map(|e| local_day(tz, e.t));
    let validation = validation_windows(tz, from, 365, earliest, &kind);
    let valid = prepare::cells_with_history(&grid, &events, first);
    let ctx = prepare::context(grid, valid, &kind);
    // Stations where last year's incidents are; an even spread over the study area.
    let last_year: Vec<Xy> = events[..history]
        .iter()
        .filter(|e| e.t >= first - 365.0)
        .map(|e| (e.x, e.y))
        .collect();
    let station_xy = kmeans(&last_year, args.stations, 50);
    let cells_xy: Vec<Xy> = ctx.valid_cells.iter().map(|&c| ctx.centre(c as usize)).collect();
    // Each station spreads its own units evenly over its own area (the cells nearer to it than to any other).
    let mut area_cells: Vec<Vec<Xy>> = vec![Vec::new(); station_xy.len()];
    for &p in &cells_xy {
        area_cells[crate::replay_roster::nearest(&station_xy, p)].push(p);
    }
    let even_xy: Vec<Xy> = area_cells
        .iter()
        .flat_map(|cells| kmeans(cells, args.units_per_station, 50))
        .collect();
    let posts_xy: Vec<Xy> = station_xy
        .iter()
        .flat_map(|&xy| std::iter::repeat_n(xy, args.units_per_station))
        .collect();
    let setup = Setup {
        input: DeployInput {
            demand: Vec::new(),
            unit_types: vec![UnitType {
                name: "car".into(),
                speed_kmh: args.speed,
            }],
            stations: station_xy
                .iter()
                .enumerate()
                .map(|(i, &xy)| Station {
                    code: format!("S{:02}", i + 1),
                    xy,
                    units: vec![(0, args.units_per_station)],
                    area: None,
                })
                .collect(),
            posts: Vec::new(),
            presence: Vec::new(),
            response_minutes: args.response,
            detour: args.detour,
            backup: args.backup,
            visibility_weight: args.visibility_weight,
            visibility_m: args.visibility,
            roads: None,
            positions_per_station: 200,
        },
        schedule: ScheduleOptions {
            shift_minutes: 480.0,
            visit_minutes: args.visit,
            hot_cells: args.hot_cells,
            roam_minutes: args.roam,
        },
        // Lighter search than a single plan's default: thousands of plans are made.
        solve: SolveOptions {
            lagrange_work_limit: 1e7,
            kick_work_limit: 5e6,
            polish: 2,
            ..SolveOptions::default()
        },
    };
    let rosters: Option<Rosters> = if args.rosters {
        let units = u32::try_from(args.units_per_station).map_err(|_| Error::input("--units-per-station: too many"))?;
        Some(crate::replay_roster::share(
            &events[..history],
            first,
            &station_xy,
            &windows,
            &args.shifts,
            &crate::replay_roster::Sharing {
                units,
                service,
                across_stations: args.across_stations,
            },
        )?)
    } else {
        None
    };
    let mut models: Vec<Box<dyn Model>> = [args.model.as_str(), "naive1", "naive30"]
        .iter()
        .map(|n| model_by_name(n).ok_or_else(|| Error::input(unknown_model(n))))
        .collect::<Result<_, _>>()?;
    for m in &mut models {
        m.start(&ctx, &events[..history], &validation);
    }
    let total = windows.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    // The models forecast shift after shift on this thread; two workers plan,
    // schedule and score each shift as its forecasts arrive.
    type Job = (usize, f64, Vec<ReplayIncident>, Vec<Vec<f64>>);
    let (send, receive) = std::sync::mpsc::sync_channel::<Job>(4);
    let receive = std::sync::Mutex::new(receive);
    let results = std::sync::Mutex::new(vec![None; windows.len()]);
    let failure = std::sync::Mutex::new(None::<Error>);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let job = receive.lock().expect("lock").recv();
                    let Ok((index, shift_minutes, real, forecasts)) = job else {
                        return;
                    };
                    let mut setup_w = setup.clone();
                    setup_w.schedule.shift_minutes = shift_minutes;
                    let score = |plans: &[UnitPlan]| replay(&setup_w.input, plans, &real, args.visibility);
                    let scored = (|| -> Result<Scores> {
                        let plan = planned(&setup_w, &ctx, &forecasts[0])?;
                        let rostered = match &rosters {
                            Some(r) => {
                                let busy = |input: &DeployInput, plans: &[UnitPlan]| {
                                    dispatch(input, plans, &real, args.visibility, r.service_minutes)
                                };
                                let mut by_calls = setup_w.clone();
                                for (station, &crews) in by_calls.input.stations.iter_mut().zip(&r.staffing[index]) {
                                    station.units = vec![(0, crews as usize)];
                                }
                                let staffed = planned(&by_calls, &ctx, &forecasts[0])?;
                                Some([busy(&setup_w.input, &plan), busy(&by_calls.input, &staffed)])
                            }
                            None => None,
                        };
                        Ok((
                            [
                                score(&plan),
                                score(&standing(&setup_w.input, &posts_xy)),
                                score(&standing(&setup_w.input, &even_xy)),
                                score(&planned(&setup_w, &ctx, &forecasts[1])?),
                                score(&planned(&setup_w, &ctx, &forecasts[2])?),
                            ],
                            rostered,
                        ))
                    })();
                    match scored {
                        Ok(r) => results.lock().expect("lock")[index] = Some(r),
                        Err(e) => {
                            failure.lock().expect("lock").get_or_insert(e);
                        }
                    }
                    progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
                }
            });
        }
        let mut seen = history;
        let mut out = vec![0.0; ctx.cells()];
        for (index, w) in windows.iter().enumerate() {
            let upto = events.partition_point(|e| e.t < w.start);
            let new = &events[seen.min(upto)..upto];
            seen = seen.max(upto);
            let end = events.partition_point(|e| e.t < w.end);
            let real: Vec<ReplayIncident> = events[upto..end]
                .iter()
                .map(|e| ReplayIncident {
                    xy: (e.x, e.y),
                    minute: (e.t - w.start) * 1440.0,
                })
                .collect();
            let forecasts: Vec<Vec<f64>> = models
                .iter_mut()
                .map(|m| {
                    m.predict(&ctx, new, w, &mut out);
                    out.clone()
                })
                .collect();
            if send.send((index, (w.end - w.start) * 1440.0, real, forecasts)).is_err() {
                break;
            }
        }
        drop(send);
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    let scores: Vec<Scores> = results.into_inner().expect("lock").into_iter().flatten().collect();
    let per_shift: Vec<[ReplayCounts; 5]> = scores.iter().map(|s| s.0.clone()).collect();
    let mut out = report(args, &per_shift, station_xy.len());
    if let Some(r) = &rosters {
        let first_weekday = from.weekday().num_days_from_monday() as usize;
        let people = crate::replay_roster::people(&settings.city.duty, r, &args.shifts, first_weekday)?;
        let pairs: Vec<[ReplayCounts; 2]> = scores.into_iter().filter_map(|s| s.1).collect();
        let crew_size = u32::from(settings.city.duty.rules.crew_size.max(1));
        out["rosters"] = crate::replay_roster::report(&pairs, r, &windows, crew_size, args.bootstrap, people);
    }
    out["seconds"] = json!(started.elapsed().as_secs_f64());
    Ok(out)
}

/// A shift's scores: the plan and the baselines; the two rosters with busy crews.
type Scores = ([ReplayCounts; 5], Option<[ReplayCounts; 2]>);

/// Pooled KPI of the plan minus a baseline's, with a bootstrap interval over shifts.
fn uplift(per_shift: &[[ReplayCounts; 5]], baseline: usize, bootstrap: usize) -> Value {
    type Kpi = fn(&ReplayCounts) -> usize;
    let kpis: [(&str, Kpi); 2] = [("visibility_rate", |c| c.visible), ("handling_rate", |c| c.handled)];
    let mut out = serde_json::Map::new();
    for (name, get) in kpis {
        let diff = |idx: &mut dyn Iterator<Item = usize>| {
            let (mut a, mut b, mut n) = (0usize, 0usize, 0usize);
            for i in idx {
                a += get(&per_shift[i][0]);
                b += get(&per_shift[i][baseline]);
                n += per_shift[i][0].incidents;
            }
            (a as f64 - b as f64) / n.max(1) as f64
        };
        out.insert(name.into(), resampled(per_shift.len(), bootstrap, &diff));
    }
    Value::Object(out)
}

fn report(args: &ReplayPeriodRequest, per_shift: &[[ReplayCounts; 5]], stations: usize) -> Value {
    let mut pooled: [ReplayCounts; 5] = Default::default();
    for s in per_shift {
        for (p, c) in pooled.iter_mut().zip(s) {
            p.add(c);
        }
    }
    let mut baselines = serde_json::Map::new();
    let mut uplifts = serde_json::Map::new();
    for (i, name) in STRATEGIES.iter().enumerate().skip(1) {
        baselines.insert((*name).into(), rates(&pooled[i]));
        uplifts.insert((*name).into(), uplift(per_shift, i, args.bootstrap));
    }
    json!({
        "plan": rates(&pooled[0]),
        "baselines": baselines,
        "uplift": uplifts,
        "shifts": per_shift.len(),
        "stations": stations,
        "units": stations * args.units_per_station,
        "model": args.model,
    })
}
