//! A year of 110 incidents for the demo city.
//!
//! Each hot spot and each village's background emits incidents as a
//! Poisson process whose rate follows the season, the day of week, holidays
//! and an hour-of-day profile per category; thefts and burglaries then
//! trigger near-repeat offspring (a Hawkes branching process), and each
//! incident gets its lifecycle from the station that answers it.

use crate::city::{DemoCity, Hotspot};
use crate::geometry::random_point_in;
use crate::names::ROADS;
use crate::rng::Rng;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use fengqiao_domain::{FacilityKind, Level};
use fengqiao_geo::Xy;

/// One generated incident, in local (Beijing) time and local metres.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoIncident {
    pub id: String,
    pub occurred: NaiveDateTime,
    pub received: NaiveDateTime,
    pub dispatched: Option<NaiveDateTime>,
    pub arrived: Option<NaiveDateTime>,
    pub closed: NaiveDateTime,
    pub category: &'static str,
    /// 警情来源 as a platform writes it (110报警, 巡逻发现, ...).
    pub source: &'static str,
    pub officer_initiated: bool,
    pub position: Xy,
    pub address: String,
    /// 场所类型: the kind of place.
    pub place: &'static str,
    pub unit: String,
}

#[derive(Clone, Copy)]
enum Profile {
    Day,
    Night,
    Rush,
    Evening,
    Flat,
    Work,
    Burglary,
}

impl Profile {
    fn weights(self) -> [f64; 24] {
        match self {
            Profile::Day => [
                1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 5.0, 4.5,
                4.0, 3.0, 2.0, 1.5,
            ],
            Profile::Night => [
                6.0, 5.0, 4.0, 2.5, 1.2, 0.5, 0.3, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.0, 1.0, 1.0, 1.2, 1.5, 2.0, 3.0,
                4.0, 5.0, 6.0, 6.5,
            ],
            Profile::Rush => [
                0.5, 0.3, 0.2, 0.2, 0.3, 1.0, 3.0, 6.0, 6.0, 3.5, 2.5, 2.5, 3.0, 2.5, 2.5, 3.0, 4.0, 6.0, 6.0, 3.5,
                2.5, 2.0, 1.5, 1.0,
            ],
            Profile::Evening => [
                2.0, 1.2, 0.7, 0.4, 0.3, 0.3, 0.6, 1.0, 1.5, 2.0, 2.2, 2.5, 2.8, 2.5, 2.3, 2.4, 2.6, 3.0, 3.8, 4.8,
                5.5, 5.5, 4.5, 3.0,
            ],
            Profile::Flat => [
                2.0, 1.7, 1.5, 1.4, 1.4, 1.6, 2.2, 2.8, 3.2, 3.4, 3.4, 3.4, 3.3, 3.2, 3.2, 3.3, 3.4, 3.5, 3.5, 3.4,
                3.2, 3.0, 2.7, 2.4,
            ],
            Profile::Work => [
                0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4.0, 6.0, 6.0, 5.0, 4.0, 5.0, 6.0, 6.0, 5.0, 4.0, 2.0, 1.0,
                0.6, 0.4, 0.3, 0.2,
            ],
            Profile::Burglary => [
                2.0, 2.5, 2.5, 2.0, 1.2, 0.8, 0.8, 1.0, 2.0, 3.0, 3.5, 3.5, 3.0, 3.0, 3.2, 3.0, 2.5, 2.0, 1.5, 1.2,
                1.2, 1.2, 1.5, 1.8,
            ],
        }
    }

    /// Day-of-week factor: nightlife swells on Friday and Saturday nights,
    /// commuting and work shrink at weekends.
    fn weekday(self, d: Weekday) -> f64 {
        let weekend = matches!(d, Weekday::Sat | Weekday::Sun);
        match self {
            Profile::Night => match d {
                Weekday::Fri | Weekday::Sat => 1.6,
                Weekday::Sun => 1.1,
                _ => 0.85,
            },
            Profile::Rush => {
                if weekend {
                    0.7
                } else {
                    1.12
                }
            }
            Profile::Work => {
                if weekend {
                    0.35
                } else {
                    1.26
                }
            }
            Profile::Day => {
                if weekend {
                    1.2
                } else {
                    0.92
                }
            }
            _ => 1.0,
        }
    }
}

use Profile::*;

/// (category, weight, hour profile, share officer-initiated)
type Mix = &'static [(&'static str, f64, Profile, f64)];

const HOTSPOT_MIX: [Mix; 8] = [
    // railway station
    &[
        ("criminal.theft.pickpocket", 2.0, Day, 0.1),
        ("criminal.theft.other", 2.0, Day, 0.0),
        ("assistance.lost_property", 3.0, Day, 0.0),
        ("assistance.missing", 1.0, Day, 0.0),
        ("public_order.fight", 1.5, Night, 0.2),
        ("criminal.fraud", 1.0, Day, 0.0),
        ("public_order.suspicious", 1.5, Day, 0.7),
        ("other.information", 2.0, Day, 0.0),
    ],
    // shopping district
    &[
        ("criminal.theft.other", 2.0, Day, 0.0),
        ("criminal.theft.pickpocket", 1.5, Day, 0.1),
        ("dispute.consumer", 3.0, Day, 0.0),
        ("public_order.fight", 1.0, Night, 0.2),
        ("assistance.lost_property", 2.0, Day, 0.0),
        ("criminal.theft.ebike", 1.5, Day, 0.0),
        ("public_order.suspicious", 1.0, Day, 0.6),
        ("assistance.medical", 1.0, Flat, 0.0),
        ("traffic.accident.property", 1.0, Rush, 0.0),
    ],
    // nightlife street
    &[
        ("public_order.fight", 4.0, Night, 0.25),
        ("public_order.disturbance", 2.0, Night, 0.2),
        ("public_order.noise", 2.0, Night, 0.0),
        ("traffic.dui", 1.5, Night, 0.95),
        ("criminal.theft.other", 1.0, Night, 0.0),
        ("dispute.consumer", 1.5, Night, 0.0),
        ("assistance.medical", 1.0, Night, 0.0),
        ("criminal.sexual", 0.3, Night, 0.0),
        ("criminal.drugs", 0.3, Night, 0.8),
        ("public_order.prostitution", 0.3, Night, 0.7),
    ],
    // wet market
    &[
        ("dispute.consumer", 3.0, Day, 0.0),
        ("criminal.theft.pickpocket", 2.0, Day, 0.1),
        ("public_order.fight", 1.0, Day, 0.1),
        ("traffic.accident.property", 1.0, Rush, 0.0),
        ("traffic.congestion", 1.0, Rush, 0.3),
        ("criminal.theft.ebike", 1.0, Day, 0.0),
    ],
    // old residential compound
    &[
        ("dispute.neighbour", 3.0, Evening, 0.0),
        ("dispute.family", 2.5, Evening, 0.0),
        ("public_order.noise", 2.0, Evening, 0.0),
        ("criminal.theft.burglary", 2.0, Burglary, 0.0),
        ("criminal.theft.ebike", 2.0, Burglary, 0.0),
        ("assistance.welfare", 1.5, Flat, 0.0),
        ("assistance.locked_out", 1.5, Evening, 0.0),
        ("assistance.medical", 1.5, Flat, 0.0),
        ("dispute.property_mgmt", 1.5, Work, 0.0),
        ("fire.building", 0.3, Evening, 0.0),
        ("assistance.utility", 1.0, Flat, 0.0),
        ("public_order.gambling", 0.5, Night, 0.6),
        ("criminal.fraud.telecom", 1.0, Day, 0.0),
    ],
    // industrial park
    &[
        ("dispute.labour", 3.0, Work, 0.0),
        ("criminal.theft.ebike", 2.0, Day, 0.0),
        ("criminal.theft.other", 1.5, Day, 0.0),
        ("public_order.fight", 1.2, Night, 0.1),
        ("fire.building", 0.5, Work, 0.0),
        ("traffic.accident.injury", 1.0, Rush, 0.0),
        ("assistance.medical", 0.8, Work, 0.0),
    ],
    // arterial junction
    &[
        ("traffic.accident.property", 5.0, Rush, 0.0),
        ("traffic.accident.injury", 2.0, Rush, 0.0),
        ("traffic.violation", 2.0, Rush, 0.9),
        ("traffic.congestion", 2.0, Rush, 0.3),
        ("dispute.traffic", 2.0, Rush, 0.0),
        ("traffic.dui", 0.5, Night, 0.95),
        ("fire.vehicle", 0.2, Flat, 0.0),
    ],
    // hospital and school
    &[
        ("assistance.medical", 2.0, Flat, 0.0),
        ("dispute.other", 1.5, Day, 0.0),
        ("criminal.theft.other", 1.5, Day, 0.0),
        ("traffic.congestion", 1.0, Rush, 0.3),
        ("assistance.missing", 0.5, Day, 0.0),
        ("public_order.fight", 0.5, Flat, 0.0),
    ],
];

const BACKGROUND_MIX: Mix = &[
    ("dispute.neighbour", 2.0, Evening, 0.0),
    ("dispute.family", 2.0, Evening, 0.0),
    ("public_order.noise", 1.5, Evening, 0.0),
    ("criminal.theft.burglary", 1.0, Burglary, 0.0),
    ("criminal.theft.ebike", 1.0, Burglary, 0.0),
    ("criminal.theft.other", 0.6, Day, 0.0),
    ("criminal.theft.from_vehicle", 0.6, Burglary, 0.0),
    ("criminal.theft.vehicle", 0.15, Burglary, 0.0),
    ("assistance.medical", 3.0, Flat, 0.0),
    ("assistance.welfare", 2.5, Flat, 0.0),
    ("assistance.locked_out", 1.5, Evening, 0.0),
    ("assistance.utility", 1.0, Flat, 0.0),
    ("assistance.animal", 1.0, Day, 0.0),
    ("assistance.lost_property", 1.0, Day, 0.0),
    ("assistance.missing", 0.6, Day, 0.0),
    ("assistance.other", 1.5, Day, 0.0),
    ("criminal.fraud.telecom", 1.5, Day, 0.0),
    ("criminal.fraud", 0.5, Day, 0.0),
    ("traffic.accident.property", 2.0, Rush, 0.0),
    ("traffic.other", 0.4, Rush, 0.2),
    ("other.complaint", 1.5, Day, 0.0),
    ("other.information", 2.0, Day, 0.0),
    ("other.nuisance_call", 1.5, Flat, 0.0),
    ("fire.outdoor", 0.4, Day, 0.0),
    ("fire.alarm", 0.4, Flat, 0.0),
    ("dispute.land", 0.4, Work, 0.0),
    ("dispute.other", 0.6, Day, 0.0),
    ("public_order.suspicious", 1.0, Night, 0.7),
    ("traffic.violation", 0.8, Rush, 0.9),
    ("criminal.assault", 0.5, Night, 0.0),
    ("criminal.robbery", 0.15, Night, 0.0),
    ("criminal.homicide", 0.005, Night, 0.0),
    ("other.other", 0.8, Flat, 0.0),
    ("criminal.arson", 0.05, Night, 0.0),
    ("criminal.weapons", 0.02, Night, 0.3),
    ("criminal.other", 0.3, Day, 0.0),
    ("public_order.vandalism", 0.5, Night, 0.0),
    ("public_order.other", 0.3, Day, 0.2),
];

/// Background incidents per day for the whole district, before scaling.
const BACKGROUND_PER_DAY: f64 = 80.0;
/// Sum of the default hot spot rates, to scale everything to `daily_mean`.
const NOMINAL_PER_DAY: f64 = 172.0;

/// Categories whose incidents raise the near-term risk nearby (near repeats).
const NEAR_REPEAT: [&str; 4] = [
    "criminal.theft.burglary",
    "criminal.theft.ebike",
    "criminal.theft.from_vehicle",
    "criminal.theft.vehicle",
];
const BRANCHING: f64 = 0.25;

/// Chinese New Year's Day (Spring Festival) by year.
fn spring_festival(year: i32) -> Option<NaiveDate> {
    let (m, d) = match year {
        2023 => (1, 22),
        2024 => (2, 10),
        2025 => (1, 29),
        2026 => (2, 17),
        2027 => (2, 6),
        2028 => (1, 26),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, m, d)
}

/// Multiplier for a category on a day: season, Spring Festival, typhoon.
fn day_factor(day: NaiveDate, category: &str, typhoon: NaiveDate) -> f64 {
    let doy = f64::from(day.ordinal());
    let mut f = 1.0 + 0.12 * ((doy - 110.0) / 365.0 * std::f64::consts::TAU).sin();
    if let Some(sf) = spring_festival(day.year()) {
        let k = (day - sf).num_days();
        if (-1..=6).contains(&k) {
            f *= match category.split('.').next() {
                Some("traffic") => 0.55,
                _ if category == "dispute.labour" => 0.3,
                _ if category == "dispute.family" => 1.5,
                _ => 0.85,
            };
            if category == "fire.outdoor" && (-1..=0).contains(&k) {
                f *= 8.0; // fireworks on New Year's Eve and Day
            }
        } else if (-20..=-2).contains(&k) && category == "dispute.labour" {
            f *= 2.5; // wage arrears before the new year
        }
    }
    let t = (day - typhoon).num_days();
    if (0..=1).contains(&t) {
        f *= match category {
            "assistance.utility" => 8.0,
            "traffic.accident.property" | "traffic.accident.injury" => 2.0,
            "assistance.welfare" | "assistance.other" => 3.0,
            _ => 0.7,
        };
    }
    f
}

fn sample_hour(rng: &mut Rng, profile: Profile) -> u32 {
    rng.weighted(&profile.weights()) as u32
}

fn hotspot_point(h: &Hotspot, rng: &mut Rng) -> Xy {
    let (a, b) = (rng.normal() * h.sd_major, rng.normal() * h.sd_minor);
    let (s, c) = h.angle.sin_cos();
    Xy::new(h.centre.x + a * c - b * s, h.centre.y + a * s + b * c)
}

struct Seed {
    at: NaiveDateTime,
    category: &'static str,
    officer: bool,
    position: Xy,
    hotspot: Option<usize>,
}

pub fn generate_incidents(city: &DemoCity, rng: &mut Rng) -> Vec<DemoIncident> {
    let cfg = &city.config;
    let scale = cfg.daily_mean / NOMINAL_PER_DAY;
    let typhoon =
        NaiveDate::from_ymd_opt(cfg.start.year(), 8, 1).expect("valid") + Duration::days(rng.below(45) as i64);
    let villages: Vec<usize> = (0..city.areas.len())
        .filter(|&i| city.areas[i].level == Level::Village)
        .collect();
    let pop_total: f64 = villages.iter().map(|&i| city.areas[i].population).sum();
    let district = &city.areas[0].polygon;

    let mut seeds: Vec<Seed> = Vec::new();
    let emit = |rng: &mut Rng,
                day: NaiveDate,
                expected: f64,
                mix: Mix,
                place: &mut dyn FnMut(&mut Rng) -> Xy,
                hotspot: Option<usize>,
                seeds: &mut Vec<Seed>| {
        let weights: Vec<f64> = mix
            .iter()
            .map(|(cat, w, prof, _)| w * prof.weekday(day.weekday()) * day_factor(day, cat, typhoon))
            .collect();
        let base: f64 = mix.iter().map(|m| m.1).sum();
        let total: f64 = weights.iter().sum();
        let n = rng.poisson(expected * total / base);
        for _ in 0..n {
            let (cat, _, prof, officer_share) = mix[rng.weighted(&weights)];
            let at = day
                .and_hms_opt(sample_hour(rng, prof), rng.below(60) as u32, rng.below(60) as u32)
                .expect("valid time");
            let position = place(rng);
            seeds.push(Seed {
                at,
                category: cat,
                officer: rng.f64() < officer_share,
                position,
                hotspot,
            });
        }
    };

    for d in 0..cfg.days {
        let day = cfg.start + Duration::days(i64::from(d));
        for (hi, h) in city.hotspots.iter().enumerate() {
            emit(
                rng,
                day,
                h.rate * scale,
                HOTSPOT_MIX[h.kind],
                &mut |r: &mut Rng| hotspot_point(h, r),
                Some(hi),
                &mut seeds,
            );
        }
        for &v in &villages {
            let a = &city.areas[v];
            let expected = BACKGROUND_PER_DAY * scale * a.population / pop_total;
            emit(
                rng,
                day,
                expected,
                BACKGROUND_MIX,
                &mut |r: &mut Rng| random_point_in(&a.polygon, r),
                None,
                &mut seeds,
            );
        }
    }

    // Near repeats: each qualifying incident triggers Poisson(BRANCHING)
    // more of the same kind, days later and a street or two away.
    let end = (cfg.start + Duration::days(i64::from(cfg.days)))
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let end = cfg.until.map_or(end, |u| u.min(end));
    let mut frontier: Vec<usize> = (0..seeds.len())
        .filter(|&i| NEAR_REPEAT.contains(&seeds[i].category))
        .collect();
    while let Some(i) = frontier.pop() {
        for _ in 0..rng.poisson(BRANCHING) {
            let parent = &seeds[i];
            let at = parent.at + Duration::seconds((rng.exp(2.5) * 86_400.0) as i64);
            let position = Xy::new(
                parent.position.x + 110.0 * rng.normal(),
                parent.position.y + 110.0 * rng.normal(),
            );
            if at >= end || !crate::geometry::contains(district, position) {
                continue;
            }
            let child = Seed {
                at,
                category: parent.category,
                officer: false,
                position,
                hotspot: parent.hotspot,
            };
            seeds.push(child);
            frontier.push(seeds.len() - 1);
        }
    }
    // Points that a hot spot's tail put outside the district are dropped:
    // a real log only holds the district's own incidents.
    seeds.retain(|s| crate::geometry::contains(district, s.position) && s.at < end);
    let mut out = finish(city, seeds, rng);
    // A live export holds the calls handled by the time it is written.
    if let Some(until) = cfg.until {
        out.retain(|i| i.closed <= until);
    }
    out
}

/// Gives each incident its lifecycle, unit, address and id.
fn finish(city: &DemoCity, mut seeds: Vec<Seed>, rng: &mut Rng) -> Vec<DemoIncident> {
    let stations: Vec<(Xy, String, u32)> = city
        .facilities
        .iter()
        .filter(|f| f.kind == FacilityKind::Station)
        .map(|f| {
            let p = city.projection.project(fengqiao_geo::LonLat::new(f.lon, f.lat));
            (p, f.name_zh.clone(), f.units)
        })
        .collect();
    let villages: Vec<&crate::city::Area> = city.areas.iter().filter(|a| a.level == Level::Village).collect();
    let mut out = Vec::with_capacity(seeds.len());
    for s in seeds.drain(..) {
        let delayed_discovery = NEAR_REPEAT.contains(&s.category);
        let received = if s.officer {
            s.at
        } else if delayed_discovery {
            s.at + Duration::seconds((rng.lognormal(90.0, 1.1) * 60.0) as i64)
        } else {
            s.at + Duration::seconds((rng.lognormal(4.0, 0.9) * 60.0) as i64)
        };
        let phone_only = matches!(
            s.category,
            "other.information" | "other.nuisance_call" | "other.complaint"
        );
        let village = villages
            .iter()
            .find(|v| crate::geometry::contains(&v.polygon, s.position))
            .copied();
        let town = village.map(|v| v.town).unwrap_or(0);
        let (station_at, station_name, units) = &stations[town.min(stations.len() - 1)];
        let (dispatched, arrived, handling_from) = if phone_only {
            (None, None, received)
        } else {
            let dispatched = received + Duration::seconds((rng.lognormal(1.5, 0.5) * 60.0) as i64);
            let arrived = if s.officer {
                dispatched
            } else {
                let speed_mps = if village.is_some_and(|v| v.urban) { 6.0 } else { 9.5 };
                let travel = station_at.distance(s.position) * 1.35 / speed_mps + rng.lognormal(60.0, 0.6);
                dispatched + Duration::seconds(travel as i64)
            };
            (Some(dispatched), Some(arrived), arrived)
        };
        let handling_min = match s.category.split('.').next() {
            Some("traffic") => 45.0,
            Some("dispute") => 40.0,
            Some("criminal") => 35.0,
            Some("fire") => 50.0,
            Some("assistance") => 25.0,
            _ => {
                if phone_only {
                    4.0
                } else {
                    15.0
                }
            }
        };
        let closed = handling_from + Duration::seconds((rng.lognormal(handling_min, 0.6) * 60.0) as i64);
        let source = if s.officer {
            if rng.f64() < 0.7 {
                "巡逻发现"
            } else {
                "主动查处"
            }
        } else {
            match rng.f64() {
                x if x < 0.85 => "110报警",
                x if x < 0.93 => "网上报警",
                _ => "群众来所",
            }
        };
        let place = village.map(|v| v.name_zh.as_str()).unwrap_or("明州区");
        let town_name = crate::names::TOWNS[town].0;
        let road = road_at(s.position);
        // Drawn as before (it once picked the road), so the demo's later draws are unchanged.
        let _ = rng.below(3);
        let number = 1 + rng.below(400);
        let address = match s.hotspot {
            Some(h) => format!("{town_name}{road}{number}号({})", city.hotspots[h].name_zh),
            None => format!("{town_name}{place}{road}{number}号"),
        };
        let unit = format!(
            "{}巡逻{}组",
            station_name.trim_end_matches("派出所"),
            1 + rng.below(*units as usize)
        );
        let place = match s.hotspot.map(|h| city.hotspots[h].kind) {
            Some(0) => "交通场站",
            Some(1) | Some(3) => "商业场所",
            Some(2) => "娱乐场所",
            Some(4) => "住宅小区",
            Some(5) => "工业园区",
            Some(6) => "道路",
            Some(_) => "医院学校",
            None => match s.category.split('.').next() {
                Some("traffic") => "道路",
                Some("dispute") | Some("fire") => "住宅小区",
                _ if s.category == "criminal.theft.burglary" || s.category == "assistance.locked_out" => "住宅小区",
                _ => ["道路", "住宅小区", "其他场所"][rng.below(3)],
            },
        };
        out.push(DemoIncident {
            id: String::new(),
            occurred: s.at,
            received,
            dispatched,
            arrived,
            closed,
            category: s.category,
            source,
            officer_initiated: s.officer,
            position: s.position,
            address,
            place,
            unit,
        });
    }
    out.sort_by(|a, b| a.received.cmp(&b.received).then(a.occurred.cmp(&b.occurred)));
    let mut day = None;
    let mut seq = 0;
    for inc in &mut out {
        let d = inc.received.date();
        if day != Some(d) {
            day = Some(d);
            seq = 0;
        }
        seq += 1;
        inc.id = format!("J{}{}{:05}", crate::city::DISTRICT_CODE, d.format("%Y%m%d"), seq);
    }
    out
}

/// Streets every this many metres, east–west and north–south.
const STREET_SPACING_M: f64 = 500.0;

/// The street a place is on: the nearer of the east–west street through its
/// band and the north–south one (the first half of the names run east–west,
/// the second north–south), so that places near each other share a road.
fn road_at(p: Xy) -> &'static str {
    let half = ROADS.len() / 2;
    let (fx, fy) = (p.x / STREET_SPACING_M, p.y / STREET_SPACING_M);
    let (dx, dy) = ((fx - fx.round()).abs(), (fy - fy.round()).abs());
    if dy <= dx {
        ROADS[(fy.round() as i64).rem_euclid(half as i64) as usize]
    } else {
        ROADS[half + (fx.round() as i64).rem_euclid((ROADS.len() - half) as i64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_near_each_other_are_on_one_road() {
        // Along the east-west street at y = 1 km, 50 m apart between crossings: its name.
        let along: Vec<&str> = (1..10)
            .map(|i| road_at(Xy::new(f64::from(i) * 50.0, 1_010.0)))
            .collect();
        assert!(along.iter().all(|r| *r == ROADS[2]), "{along:?}");
        // Beside the north-south street at x = 1.5 km.
        assert_eq!(road_at(Xy::new(1_480.0, 1_250.0)), ROADS[ROADS.len() / 2 + 3]);
        // South of the origin too.
        assert_eq!(road_at(Xy::new(-20.0, -1_000.0)), ROADS[ROADS.len() / 2 - 2]);
    }
}
