//! The demo district's geography: jurisdictions, stations, posts, hot spots.

use crate::geometry::{area, centroid, random_point_in, voronoi};
use crate::incidents::{DemoIncident, generate_incidents};
use crate::names::{HOTSPOT_KINDS, PLACES, STATIONS, TOWNS};
use crate::rng::Rng;
use chrono::NaiveDate;
use fengqiao_domain::{Facility, FacilityKind, Level};
use fengqiao_geo::{LocalProjection, LonLat, Xy};

#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub seed: u64,
    /// First local day of the incident log.
    pub start: NaiveDate,
    pub days: u32,
    /// Average incidents per day before near-repeat offspring.
    pub daily_mean: f64,
    /// The local time the log is exported at: only calls handled (closed)
    /// by then are in it. `None`: the whole of the last day.
    pub until: Option<chrono::NaiveDateTime>,
}

impl DemoConfig {
    /// A live log: `days` of incidents up to `now` (local), today included.
    pub fn live(seed: u64, days: u32, now: chrono::NaiveDateTime) -> Self {
        Self {
            seed,
            start: now.date() - chrono::Duration::days(i64::from(days.max(1)) - 1),
            days: days.max(1),
            until: Some(now),
            ..Self::default()
        }
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            seed: 20_250_101,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"),
            days: 365,
            daily_mean: 170.0,
            until: None,
        }
    }
}

/// A jurisdiction of the demo city, its polygon in the local metric plane.
#[derive(Debug, Clone)]
pub struct Area {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: Level,
    pub parent: Option<String>,
    pub polygon: Vec<Xy>,
    pub urban: bool,
    /// Relative resident population, drives background incidents.
    pub population: f64,
    /// Index of the town this area is in (itself for towns).
    pub town: usize,
}

/// A stable hot spot: an elliptical Gaussian of incidents of one kind.
#[derive(Debug, Clone)]
pub struct Hotspot {
    pub kind: usize,
    pub name_zh: String,
    pub centre: Xy,
    pub sd_major: f64,
    pub sd_minor: f64,
    pub angle: f64,
    /// Mean incidents per day.
    pub rate: f64,
    pub town: usize,
}

#[derive(Debug, Clone)]
pub struct DemoCity {
    pub config: DemoConfig,
    pub projection: LocalProjection,
    /// District first, then towns, villages, grids; parents before children.
    pub areas: Vec<Area>,
    pub facilities: Vec<Facility>,
    pub hotspots: Vec<Hotspot>,
    pub incidents: Vec<DemoIncident>,
}

pub const DISTRICT_CODE: &str = "330299";
pub const CENTRE: LonLat = LonLat::new(121.50, 29.86);

/// Picks `n` well-spread points in `poly` (best of several candidates each).
fn spread_points(poly: &[Xy], n: usize, rng: &mut Rng) -> Vec<Xy> {
    let mut pts: Vec<Xy> = Vec::with_capacity(n);
    for _ in 0..n {
        let best = (0..10)
            .map(|_| random_point_in(poly, rng))
            .map(|c| (pts.iter().map(|p| p.distance(c)).fold(f64::MAX, f64::min), c))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
            .expect("ten candidates");
        pts.push(best);
    }
    pts
}

impl DemoCity {
    pub fn generate(config: DemoConfig) -> DemoCity {
        let mut rng = Rng::new(config.seed);
        let projection = LocalProjection::centred_on(CENTRE);
        // An irregular district outline, wider east-west, ~24 x 18 km.
        let outline: Vec<Xy> = (0..24)
            .map(|i| {
                let a = f64::from(i) / 24.0 * std::f64::consts::TAU;
                let r = 1.0 + 0.08 * rng.normal();
                Xy::new(-1000.0 + 12_000.0 * r * a.cos(), 9_000.0 * r * a.sin())
            })
            .collect();
        let mut areas = vec![Area {
            code: DISTRICT_CODE.into(),
            name_zh: "明州区".into(),
            name_en: "Mingzhou District".into(),
            level: Level::District,
            parent: None,
            polygon: outline.clone(),
            urban: true,
            population: 0.0,
            town: 0,
        }];
        let town_seeds_km = [
            (5.5, 1.5),
            (8.0, -1.5),
            (5.0, -3.5),
            (2.5, 0.5),
            (0.0, 5.5),
            (0.5, -6.0),
            (-6.5, -2.5),
            (-6.0, 4.0),
        ];
        let town_seeds: Vec<Xy> = town_seeds_km
            .iter()
            .map(|(x, y)| Xy::new(x * 1000.0 + 300.0 * rng.normal(), y * 1000.0 + 300.0 * rng.normal()))
            .collect();
        let town_polys = voronoi(&outline, &town_seeds);
        let mut places: Vec<usize> = (0..PLACES.len()).collect();
        rng.shuffle(&mut places);
        let mut next_place = places.into_iter();
        let mut town_area_idx = Vec::new();
        for (t, poly) in town_polys.iter().enumerate() {
            let (zh, en, urban) = TOWNS[t];
            town_area_idx.push(areas.len());
            areas.push(Area {
                code: format!("{DISTRICT_CODE}{:03}", t + 1),
                name_zh: zh.into(),
                name_en: en.into(),
                level: Level::Town,
                parent: Some(DISTRICT_CODE.into()),
                polygon: poly.clone(),
                urban,
                population: 0.0,
                town: t,
            });
        }
        for (t, poly) in town_polys.iter().enumerate() {
            let urban = TOWNS[t].2;
            let n_villages = if urban {
                9
            } else if t < 6 {
                8
            } else {
                7
            };
            let seeds = spread_points(poly, n_villages, &mut rng);
            let town_code = areas[town_area_idx[t]].code.clone();
            let village_polys = voronoi(poly, &seeds);
            for (v, vpoly) in village_polys.into_iter().enumerate() {
                let (pzh, pen) = PLACES[next_place.next().expect("enough place names")];
                let (suffix_zh, suffix_en) = if urban || (t < 6 && v % 2 == 0) {
                    ("社区", "Community")
                } else {
                    ("村", "Village")
                };
                let density = if urban {
                    1.0
                } else if t < 6 {
                    0.45
                } else {
                    0.2
                };
                let population = area(&vpoly) / 1e6 * density * rng.lognormal(1.0, 0.35);
                let vcode = format!("{town_code}{:03}", v + 1);
                let grids = if urban { 3 } else { 2 };
                let gseeds = spread_points(&vpoly, grids, &mut rng);
                let gpolys = voronoi(&vpoly, &gseeds);
                areas.push(Area {
                    code: vcode.clone(),
                    name_zh: format!("{pzh}{suffix_zh}"),
                    name_en: format!("{pen} {suffix_en}"),
                    level: Level::Village,
                    parent: Some(town_code.clone()),
                    polygon: vpoly,
                    urban,
                    population,
                    town: t,
                });
                for (g, gpoly) in gpolys.into_iter().enumerate() {
                    areas.push(Area {
                        code: format!("{vcode}-{:02}", g + 1),
                        name_zh: format!("{pzh}{suffix_zh}第{}网格", g + 1),
                        name_en: format!("{pen} {suffix_en} grid {}", g + 1),
                        level: Level::Grid,
                        parent: Some(vcode.clone()),
                        polygon: gpoly,
                        urban,
                        population: 0.0,
                        town: t,
                    });
                }
            }
        }

        let villages: Vec<usize> = (0..areas.len()).filter(|&i| areas[i].level == Level::Village).collect();
        let pick_village = |rng: &mut Rng, pred: &dyn Fn(&Area) -> bool| -> usize {
            let cands: Vec<usize> = villages.iter().copied().filter(|&i| pred(&areas[i])).collect();
            cands[rng.below(cands.len())]
        };
        // (kind, count, urban only, rate per day, sd major, sd minor)
        let plan: [(usize, usize, Option<bool>, f64, f64, f64); 8] = [
            (0, 1, Some(true), 10.0, 160.0, 160.0),
            (1, 3, Some(true), 5.0, 220.0, 180.0),
            (2, 2, Some(true), 6.0, 140.0, 90.0),
            (3, 4, None, 2.5, 100.0, 100.0),
            (4, 8, None, 2.5, 200.0, 170.0),
            (5, 3, Some(false), 3.0, 420.0, 300.0),
            (6, 5, None, 2.5, 650.0, 70.0),
            (7, 2, Some(true), 2.0, 130.0, 130.0),
        ];
        let mut hotspots = Vec::new();
        let mut used_names = std::collections::HashSet::new();
        for (kind, count, urban, rate, sd1, sd2) in plan {
            for _ in 0..count {
                // A village that does not have a hot spot of this kind yet.
                let (v, name) = loop {
                    let v = pick_village(&mut rng, &|a: &Area| urban.is_none_or(|u| a.urban == u));
                    let place = areas[v].name_zh.trim_end_matches("社区").trim_end_matches('村');
                    let name = format!("{place}{}", HOTSPOT_KINDS[kind].0);
                    if used_names.insert(name.clone()) {
                        break (v, name);
                    }
                };
                let centre = random_point_in(&areas[v].polygon, &mut rng);
                hotspots.push(Hotspot {
                    kind,
                    name_zh: name,
                    centre,
                    sd_major: sd1 * rng.range(0.8, 1.2),
                    sd_minor: sd2 * rng.range(0.8, 1.2),
                    angle: rng.range(0.0, std::f64::consts::PI),
                    rate: rate * rng.lognormal(1.0, 0.25),
                    town: areas[v].town,
                });
            }
        }

        let mut facilities = Vec::new();
        for (t, &ai) in town_area_idx.iter().enumerate() {
            let c = centroid(&areas[ai].polygon);
            let p = Xy::new(c.x + 300.0 * rng.normal(), c.y + 300.0 * rng.normal());
            let p = if crate::geometry::contains(&areas[ai].polygon, p) {
                p
            } else {
                c
            };
            let ll = projection.unproject(p);
            let (zh, en) = STATIONS[t];
            facilities.push(Facility {
                code: format!("PS{:02}", t + 1),
                kind: FacilityKind::Station,
                name_zh: format!("{zh}派出所"),
                name_en: format!("{en} Police Station"),
                lon: ll.lon,
                lat: ll.lat,
                jurisdiction: Some(areas[ai].code.clone()),
                units: if TOWNS[t].2 {
                    6
                } else if t < 6 {
                    5
                } else {
                    4
                },
            });
        }
        for (i, h) in hotspots.iter().enumerate().filter(|(_, h)| h.kind <= 3) {
            let ll = projection.unproject(Xy::new(h.centre.x + 40.0, h.centre.y + 25.0));
            facilities.push(Facility {
                code: format!("JW{:02}", i + 1),
                kind: FacilityKind::Post,
                name_zh: format!("{}警务站", h.name_zh),
                name_en: format!("Post at the {} ({})", HOTSPOT_KINDS[h.kind].1, STATIONS[h.town].1),
                lon: ll.lon,
                lat: ll.lat,
                jurisdiction: Some(areas[town_area_idx[h.town]].code.clone()),
                units: 1,
            });
        }

        facilities.extend(listed_places(
            &areas,
            &town_area_idx,
            &villages,
            &hotspots,
            &projection,
            config.seed,
        ));

        let mut city = DemoCity {
            config,
            projection,
            areas,
            facilities,
            hotspots,
            incidents: Vec::new(),
        };
        city.incidents = generate_incidents(&city, &mut rng);
        city
    }

    pub fn areas_at(&self, level: Level) -> impl Iterator<Item = &Area> {
        self.areas.iter().filter(move |a| a.level == level)
    }
}

/// The kind of place a hot spot's kind stands at, if it is a place a city
/// lists (an old compound or a junction is not).
fn place_kind(hotspot_kind: usize) -> Option<(FacilityKind, &'static str, &'static str)> {
    match hotspot_kind {
        0 => Some((FacilityKind::Transport, "火车站", "railway station")),
        1 => Some((FacilityKind::Mall, "商场", "shopping mall")),
        2 => Some((FacilityKind::Bar, "酒吧", "bar")),
        3 => Some((FacilityKind::Market, "农贸市场", "wet market")),
        5 => Some((FacilityKind::Industrial, "工业园区", "industrial park")),
        7 => Some((FacilityKind::School, "学校", "school")),
        _ => None,
    }
}

/// The places the city lists (risk terrain): one at each hot spot of a
/// listed kind, and twice as many of each kind where nothing much happens,
/// as in a real city, where most markets and schools are quiet. Drawn from a
/// generator of their own, so the rest of the city does not change.
fn listed_places(
    areas: &[Area],
    town_area_idx: &[usize],
    villages: &[usize],
    hotspots: &[Hotspot],
    projection: &LocalProjection,
    seed: u64,
) -> Vec<Facility> {
    let mut rng = Rng::new(seed ^ 0x9_1ace5);
    let mut out = Vec::new();
    let mut add = |kind: FacilityKind, zh: String, en: String, at: Xy, area: &Area| {
        let ll = projection.unproject(at);
        out.push(Facility {
            code: format!("PL{:03}", out.len() + 1),
            kind,
            name_zh: zh,
            name_en: en,
            lon: ll.lon,
            lat: ll.lat,
            jurisdiction: Some(area.code.clone()),
            units: 0,
        });
    };
    for h in hotspots {
        if let Some((kind, zh, en)) = place_kind(h.kind) {
            let at = Xy::new(h.centre.x + 30.0 * rng.normal(), h.centre.y + 30.0 * rng.normal());
            let name_zh = h.name_zh.replace(HOTSPOT_KINDS[h.kind].0, zh);
            add(
                kind,
                name_zh,
                format!("{en} ({})", STATIONS[h.town].1),
                at,
                &areas[town_area_idx[h.town]],
            );
        }
    }
    for kind in 0..HOTSPOT_KINDS.len() {
        let Some((facility_kind, zh, en)) = place_kind(kind) else {
            continue;
        };
        let hot = hotspots.iter().filter(|h| h.kind == kind).count();
        for _ in 0..2 * hot {
            let v = villages[rng.below(villages.len())];
            let at = random_point_in(&areas[v].polygon, &mut rng);
            let place = areas[v].name_zh.trim_end_matches("社区").trim_end_matches('村');
            add(
                facility_kind,
                format!("{place}{zh}"),
                format!("{en} ({})", areas[v].name_en),
                at,
                &areas[v],
            );
        }
    }
    out
}
