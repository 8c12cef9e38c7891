//! From forecast demand to a deployment: which unit stands where.
//!
//! Demand points are cell centres with the expected incidents of the shift.
//! A unit of a station may stand at any demand point of the station's area;
//! it reaches the demand within the response time at its type's speed over
//! straight-line distance times a detour factor. Fixed posts (警务站) are
//! always staffed and count as covering what they reach. The covering model
//! of `crate::solve` then places the units: one class per station and unit
//! type, a bonus for backup cover, and minimum presence per area.

use crate::{Instance, InstanceError, MinGroup, Solution, SolveOptions, solve};
use serde::Serialize;

pub type Xy = (f64, f64);

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct UnitType {
    pub name: String,
    pub speed_kmh: f64,
}

#[derive(Debug, Clone)]
pub struct Station {
    pub code: String,
    pub xy: Xy,
    /// Units by type index: (type, count).
    pub units: Vec<(usize, usize)>,
    /// Demand points where its units may stand; `None`: those nearer to it than to any other station.
    pub area: Option<Vec<u32>>,
}

#[derive(Debug, Clone)]
pub struct Post {
    pub code: String,
    pub xy: Xy,
    pub unit_type: usize,
}

/// At least `units` units among the demand points `area`.
#[derive(Debug, Clone)]
pub struct Presence {
    pub name: String,
    pub area: Vec<u32>,
    pub units: usize,
}

#[derive(Debug, Clone)]
pub struct DeployInput {
    pub demand: Vec<(Xy, f64)>,
    pub unit_types: Vec<UnitType>,
    pub stations: Vec<Station>,
    pub posts: Vec<Post>,
    pub presence: Vec<Presence>,
    pub response_minutes: f64,
    /// Road distance / straight-line distance.
    pub detour: f64,
    pub backup: f64,
    /// Weight of being seen: demand within `visibility_m` of a unit earns
    /// this share of its weight again (0: plan for response only).
    pub visibility_weight: f64,
    pub visibility_m: f64,
    /// Travel over roads instead of straight-line distance × detour.
    pub roads: Option<std::sync::Arc<crate::travel::RoadTravel>>,
    /// Positions a station's units may take: its hottest demand points, at
    /// most this many (0: all), which keeps city-wide plans fast.
    pub positions_per_station: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlacedUnit {
    pub station: usize,
    pub unit_type: usize,
    /// The demand point it stands at.
    pub at: u32,
    pub xy: Xy,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    pub units: Vec<PlacedUnit>,
    pub solution: Solution,
    /// Share of forecast demand within 1, 3 and 5 minutes of a unit or post.
    pub rings: [f64; 3],
    /// Share within the response time (the objective's first covers).
    pub covered_share: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeployError {
    #[error("no units to place: every station has 0 units")]
    NoUnits,
    #[error("station {station:?}: unit type {unit_type} does not exist")]
    UnknownType { station: String, unit_type: usize },
    #[error("unit type {name:?} has speed {speed} km/h: it must be above 0")]
    BadSpeed { name: String, speed: f64 },
    #[error("response time {0} minutes must be above 0")]
    BadResponse(f64),
    #[error("detour factor {0} must be at least 1")]
    BadDetour(f64),
    #[error("the forecast has no demand: every expected count is 0")]
    NoDemand,
    #[error(transparent)]
    Instance(#[from] InstanceError),
}

/// Metres covered per minute at `speed_kmh`, over the road (straight line / detour).
fn reach_per_minute(speed_kmh: f64, detour: f64) -> f64 {
    speed_kmh * 1000.0 / 60.0 / detour
}

/// A bucket grid over points for radius queries.
#[derive(Debug)]
pub struct Buckets {
    min: Xy,
    size: f64,
    cols: usize,
    rows: usize,
    cells: Vec<Vec<u32>>,
}

impl Buckets {
    pub fn new(points: &[Xy], size: f64) -> Self {
        let size = size.max(1.0);
        let min = points
            .iter()
            .fold((f64::INFINITY, f64::INFINITY), |(a, b), p| (a.min(p.0), b.min(p.1)));
        let max = points.iter().fold((f64::NEG_INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.max(p.0), b.max(p.1))
        });
        let (min, max) = if points.is_empty() {
            ((0.0, 0.0), (0.0, 0.0))
        } else {
            (min, max)
        };
        let cols = ((max.0 - min.0) / size) as usize + 1;
        let rows = ((max.1 - min.1) / size) as usize + 1;
        let mut cells = vec![Vec::new(); cols * rows];
        for (i, p) in points.iter().enumerate() {
            let (c, r) = (((p.0 - min.0) / size) as usize, ((p.1 - min.1) / size) as usize);
            cells[r * cols + c].push(i as u32);
        }
        Self {
            min,
            size,
            cols,
            rows,
            cells,
        }
    }

    /// Calls `f` with every point index within `radius` of `p` (and some a little beyond).
    pub fn around(&self, p: Xy, radius: f64, mut f: impl FnMut(u32)) {
        let span = (radius / self.size).ceil() as i64;
        let (c, r) = (
            ((p.0 - self.min.0) / self.size).floor() as i64,
            ((p.1 - self.min.1) / self.size).floor() as i64,
        );
        for rr in (r - span).max(0)..=(r + span).min(self.rows as i64 - 1) {
            for cc in (c - span).max(0)..=(c + span).min(self.cols as i64 - 1) {
                for &i in &self.cells[rr as usize * self.cols + cc as usize] {
                    f(i);
                }
            }
        }
    }
}

fn dist(a: Xy, b: Xy) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

impl DeployInput {
    fn check(&self) -> Result<(), DeployError> {
        if self.response_minutes.is_nan() || self.response_minutes <= 0.0 {
            return Err(DeployError::BadResponse(self.response_minutes));
        }
        if self.detour.is_nan() || self.detour < 1.0 {
            return Err(DeployError::BadDetour(self.detour));
        }
        for t in &self.unit_types {
            if t.speed_kmh.is_nan() || t.speed_kmh <= 0.0 {
                return Err(DeployError::BadSpeed {
                    name: t.name.clone(),
                    speed: t.speed_kmh,
                });
            }
        }
        for s in &self.stations {
            if let Some(&(unit_type, _)) = s.units.iter().find(|(t, _)| *t >= self.unit_types.len()) {
                return Err(DeployError::UnknownType {
                    station: s.code.clone(),
                    unit_type,
                });
            }
        }
        if self.stations.iter().all(|s| s.units.iter().all(|(_, n)| *n == 0)) {
            return Err(DeployError::NoUnits);
        }
        if self.demand.iter().all(|(_, w)| *w <= 0.0) {
            return Err(DeployError::NoDemand);
        }
        Ok(())
    }

    /// The demand points each station's units may stand on.
    fn areas(&self) -> Vec<Vec<u32>> {
        let mut areas: Vec<Vec<u32>> = self
            .stations
            .iter()
            .map(|s| s.area.clone().unwrap_or_default())
            .collect();
        let nearest_needed: Vec<usize> = (0..self.stations.len())
            .filter(|&s| self.stations[s].area.is_none())
            .collect();
        if !nearest_needed.is_empty() {
            for (d, (p, _)) in self.demand.iter().enumerate() {
                let best = nearest_needed
                    .iter()
                    .copied()
                    .min_by(|&a, &b| dist(*p, self.stations[a].xy).total_cmp(&dist(*p, self.stations[b].xy)));
                if let Some(s) = best {
                    areas[s].push(d as u32);
                }
            }
        }
        areas
    }

    /// At most `positions_per_station` of `positions`: the hottest in each
    /// `spacing` square (so units can spread out), then the hottest overall.
    fn spread_positions(&self, positions: &[u32], points: &[Xy], weights: &[f64], spacing: f64) -> Vec<u32> {
        let mut by_heat = positions.to_vec();
        by_heat.sort_by(|&a, &b| weights[b as usize].total_cmp(&weights[a as usize]).then(a.cmp(&b)));
        let mut squares = std::collections::HashSet::new();
        let mut chosen: Vec<u32> = by_heat
            .iter()
            .copied()
            .filter(|&d| {
                let p = points[d as usize];
                squares.insert(((p.0 / spacing).floor() as i64, (p.1 / spacing).floor() as i64))
            })
            .collect();
        chosen.truncate(self.positions_per_station * 3 / 4);
        let mut taken: std::collections::HashSet<u32> = chosen.iter().copied().collect();
        for d in by_heat {
            if chosen.len() >= self.positions_per_station {
                break;
            }
            if taken.insert(d) {
                chosen.push(d);
            }
        }
        chosen.sort_unstable();
        chosen
    }

    /// Minutes from `a` to `b` for a unit of `unit_type`: by road when a
    /// network is given, else straight-line distance times the detour factor.
    pub fn minutes(&self, unit_type: usize, a: Xy, b: Xy) -> f64 {
        let speed = self.unit_types[unit_type].speed_kmh;
        match &self.roads {
            Some(roads) => roads.distance(a, b) / reach_per_minute(speed, 1.0),
            None => dist(a, b) / reach_per_minute(speed, self.detour),
        }
    }

    /// The straight-line radius that can hold every destination within
    /// `minutes` (by road none is nearer than in a straight line).
    fn radius(&self, unit_type: usize, minutes: f64) -> f64 {
        let straight = if self.roads.is_some() { 1.0 } else { self.detour };
        reach_per_minute(self.unit_types[unit_type].speed_kmh, straight) * minutes
    }

    /// Places the units.
    pub fn plan(&self, opts: &SolveOptions) -> Result<Deployment, DeployError> {
        self.check()?;
        let points: Vec<Xy> = self.demand.iter().map(|(p, _)| *p).collect();
        let weights: Vec<f64> = self.demand.iter().map(|(_, w)| w.max(0.0)).collect();
        let fastest = self.unit_types.iter().map(|t| t.speed_kmh).fold(0.0, f64::max);
        let buckets = Buckets::new(&points, reach_per_minute(fastest, self.detour) * self.response_minutes);
        let areas = self.areas();
        // Candidate positions are thinned to the hottest point of each square
        // of a quarter of the slowest reach, plus the hottest points overall.
        let slowest = self
            .unit_types
            .iter()
            .map(|t| t.speed_kmh)
            .fold(f64::INFINITY, f64::min);
        let spacing = reach_per_minute(slowest, self.detour) * self.response_minutes / 4.0;
        // By road: every demand point joins the network once.
        let snapped: Vec<(u32, f64)> = match &self.roads {
            Some(roads) => points
                .iter()
                .map(|p| roads.snap(*p).unwrap_or((0, f64::INFINITY)))
                .collect(),
            None => Vec::new(),
        };
        let metres_per_minute = |unit_type: usize| reach_per_minute(self.unit_types[unit_type].speed_kmh, 1.0);
        // Facilities: (station, type) classes over the station's positive-demand points.
        let (mut covers, mut class_of, mut budgets, mut facility) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (s, station) in self.stations.iter().enumerate() {
            let mut positions: Vec<u32> = areas[s]
                .iter()
                .copied()
                .filter(|&d| weights[d as usize] > 0.0)
                .collect();
            let wanted = station.units.iter().map(|(_, n)| *n).max().unwrap_or(0);
            if positions.len() < wanted {
                // Too little forecast demand in the area: the rest stand nearest the station.
                let mut idle: Vec<u32> = areas[s]
                    .iter()
                    .copied()
                    .filter(|&d| weights[d as usize] <= 0.0)
                    .collect();
                idle.sort_by(|&a, &b| {
                    dist(points[a as usize], station.xy).total_cmp(&dist(points[b as usize], station.xy))
                });
                positions.extend(idle.into_iter().take(wanted - positions.len()));
            }
            if positions.is_empty() {
                // An area without a demand point of its own: its units start from the nearest one.
                let nearest = (0..points.len() as u32).min_by(|&a, &b| {
                    dist(points[a as usize], station.xy).total_cmp(&dist(points[b as usize], station.xy))
                });
                positions.extend(nearest);
            }
            // Fewer places than units: some share a place (two cars at one
            // hot spot, the rest standing at the station's) rather than the
            // whole city going without a plan.
            let distinct = positions.len();
            for k in distinct..wanted {
                positions.push(positions[k % distinct]);
            }
            if self.positions_per_station > 0 && positions.len() > self.positions_per_station {
                positions = self.spread_positions(&positions, &points, &weights, spacing);
            }
            for &(unit_type, count) in &station.units {
                if count == 0 {
                    continue;
                }
                let class = budgets.len() as u32;
                budgets.push(count);
                let radius = self.radius(unit_type, self.response_minutes);
                for &at in &positions {
                    let origin = points[at as usize];
                    let mut reach = Vec::new();
                    let r2 = radius * radius;
                    let v2 = self.visibility_m * self.visibility_m;
                    let n = points.len() as u32;
                    let tree = self.roads.as_ref().and_then(|r| r.from(origin));
                    let road_limit = metres_per_minute(unit_type) * self.response_minutes;
                    buckets.around(origin, radius.max(self.visibility_m), |d| {
                        let p = points[d as usize];
                        let d2 = (p.0 - origin.0).powi(2) + (p.1 - origin.1).powi(2);
                        let by_road = || tree.as_ref().is_some_and(|t| t.to(snapped[d as usize]) <= road_limit);
                        if weights[d as usize] > 0.0 && d2 <= r2 && (self.roads.is_none() || by_road()) {
                            reach.push(d);
                        }
                        // The copy of the demand that counts being seen.
                        if self.visibility_weight > 0.0 && weights[d as usize] > 0.0 && d2 <= v2 {
                            reach.push(n + d);
                        }
                    });
                    covers.push(reach);
                    class_of.push(class);
                    facility.push((s, unit_type, at));
                }
            }
        }
        // Fixed posts reach what they reach.
        let mut fixed = vec![0u32; points.len()];
        for post in &self.posts {
            let unit_type = post.unit_type.min(self.unit_types.len() - 1);
            buckets.around(post.xy, self.radius(unit_type, self.response_minutes), |d| {
                if self.minutes(unit_type, post.xy, points[d as usize]) <= self.response_minutes {
                    fixed[d as usize] += 1;
                }
            });
        }
        let groups: Vec<MinGroup> = self
            .presence
            .iter()
            .map(|p| {
                let inside: std::collections::HashSet<u32> = p.area.iter().copied().collect();
                MinGroup {
                    name: p.name.clone(),
                    facilities: (0..facility.len() as u32)
                        .filter(|&f| inside.contains(&facility[f as usize].2))
                        .collect(),
                    min: p.units,
                }
            })
            .collect();
        let mut all_weights = weights.clone();
        if self.visibility_weight > 0.0 {
            // Being seen matters where incidents concentrate: the visibility
            // demand is the forecast squared, scaled to the same total, so it
            // pulls units to the hottest cells rather than spreading them.
            let total: f64 = weights.iter().sum();
            let squares: f64 = weights.iter().map(|w| w * w).sum();
            let scale = if squares > 0.0 { total / squares } else { 0.0 };
            all_weights.extend(weights.iter().map(|w| w * w * scale * self.visibility_weight));
            let mut seen = vec![0u32; points.len()];
            for post in &self.posts {
                buckets.around(post.xy, self.visibility_m, |d| {
                    if dist(post.xy, points[d as usize]) <= self.visibility_m {
                        seen[d as usize] += 1;
                    }
                });
            }
            fixed.extend(seen);
        }
        let inst = Instance::new(all_weights, covers, class_of, budgets)?
            .with_fixed_cover(fixed)
            .with_backup(self.backup)?
            .with_groups(groups)?;
        let solution = solve(&inst, opts)?;
        let units: Vec<PlacedUnit> = solution
            .open
            .iter()
            .map(|&f| {
                let (station, unit_type, at) = facility[f as usize];
                PlacedUnit {
                    station,
                    unit_type,
                    at,
                    xy: points[at as usize],
                }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let rings = self.rings(&units, &buckets);
        let minutes = self.nearest_minutes(&units, &buckets);
        let covered_share = minutes
            .iter()
            .zip(&weights)
            .filter(|(m, _)| **m <= self.response_minutes)
            .map(|(_, w)| w)
            .sum::<f64>()
            / total;
        Ok(Deployment {
            units,
            solution,
            rings,
            covered_share,
        })
    }

    /// Per demand point: minutes to the nearest unit or post (infinity beyond 5 minutes' reach).
    pub fn nearest_minutes(&self, units: &[PlacedUnit], buckets: &Buckets) -> Vec<f64> {
        let mut best = vec![f64::INFINITY; self.demand.len()];
        let points: Vec<Xy> = self.demand.iter().map(|(p, _)| *p).collect();
        let sources = units.iter().map(|u| (u.xy, u.unit_type)).chain(
            self.posts
                .iter()
                .map(|p| (p.xy, p.unit_type.min(self.unit_types.len() - 1))),
        );
        for (xy, unit_type) in sources {
            buckets.around(xy, self.radius(unit_type, 5.0), |d| {
                let m = self.minutes(unit_type, xy, points[d as usize]);
                if m < best[d as usize] {
                    best[d as usize] = m;
                }
            });
        }
        best
    }

    fn rings(&self, units: &[PlacedUnit], buckets: &Buckets) -> [f64; 3] {
        let minutes = self.nearest_minutes(units, buckets);
        let total: f64 = self.demand.iter().map(|(_, w)| w.max(0.0)).sum();
        [1.0, 3.0, 5.0].map(|limit| {
            minutes
                .iter()
                .zip(&self.demand)
                .filter(|(m, _)| **m <= limit)
                .map(|(_, (_, w))| w.max(0.0))
                .sum::<f64>()
                / total
        })
    }
}

/// A one-station, one-unit-type input on straight lines (detour 1) with
/// the other rules off, for the module tests of planning, rounds and replay.
#[cfg(test)]
pub(crate) fn test_input(demand: Vec<(Xy, f64)>, speed_kmh: f64, station: Xy, units: usize) -> DeployInput {
    DeployInput {
        demand,
        unit_types: vec![UnitType {
            name: "test".into(),
            speed_kmh,
        }],
        stations: vec![Station {
            code: "S".into(),
            xy: station,
            units: vec![(0, units)],
            area: None,
        }],
        posts: vec![],
        presence: vec![],
        response_minutes: 5.0,
        detour: 1.0,
        backup: 0.0,
        visibility_weight: 0.0,
        visibility_m: 200.0,
        roads: None,
        positions_per_station: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DeployInput {
        // Two hot spots 3 km apart, a cold spot between them.
        let mut demand = Vec::new();
        for i in 0..10 {
            demand.push(((f64::from(i) * 100.0, 0.0), 1.0));
            demand.push(((3000.0 + f64::from(i) * 100.0, 0.0), 2.0));
        }
        demand.push(((1800.0, 0.0), 0.1));
        // On foot.
        test_input(demand, 6.0, (1500.0, 0.0), 2)
    }

    /// On foot a unit reaches 500 m in five minutes: two units go one to each hot spot.
    #[test]
    fn units_go_to_the_hot_spots() {
        let d = input().plan(&SolveOptions::default()).unwrap();
        let mut xs: Vec<f64> = d.units.iter().map(|u| u.xy.0).collect();
        xs.sort_by(f64::total_cmp);
        assert!(xs[0] < 1000.0 && xs[1] >= 3000.0, "{xs:?}");
        assert!((d.covered_share - 30.0 / 30.1).abs() < 1e-9, "{}", d.covered_share);
        assert!(d.rings[0] <= d.rings[1] && d.rings[1] <= d.rings[2]);
    }

    #[test]
    fn bad_input_is_named() {
        let mut i = input();
        i.stations[0].units = vec![(3, 1)];
        assert!(matches!(
            i.plan(&SolveOptions::default()),
            Err(DeployError::UnknownType { .. })
        ));
        let mut i = input();
        i.stations[0].units = vec![(0, 0)];
        assert_eq!(i.plan(&SolveOptions::default()).unwrap_err(), DeployError::NoUnits);
        let mut i = input();
        i.presence = vec![Presence {
            name: "cold spot".into(),
            area: vec![20],
            units: 2,
        }];
        let e = i.plan(&SolveOptions::default()).unwrap_err().to_string();
        assert!(e.contains("cold spot") && e.contains("short by 1"), "{e}");
    }

    /// More units than places in a station's area: every unit is placed,
    /// some sharing a place, and a station whose area holds no demand point
    /// sends its units to the point nearest it; the city still gets a plan.
    #[test]
    fn units_share_places_when_an_area_has_too_few() {
        let mut i = input();
        i.stations[0].units = vec![(0, 50)];
        let d = i.plan(&SolveOptions::default()).unwrap();
        assert_eq!(d.units.len(), 50);
        let distinct: std::collections::HashSet<u32> = d.units.iter().map(|u| u.at).collect();
        assert!(distinct.len() <= 21, "{}", distinct.len());
        assert!((d.covered_share - 1.0).abs() < 1e-9, "{}", d.covered_share);
        let mut i = input();
        i.stations.push(Station {
            code: "T".into(),
            xy: (10_000.0, 0.0),
            units: vec![(0, 2)],
            area: Some(vec![]),
        });
        let d = i.plan(&SolveOptions::default()).unwrap();
        let far: Vec<&PlacedUnit> = d.units.iter().filter(|u| u.station == 1).collect();
        assert_eq!(far.len(), 2);
        assert!(
            far.iter().all(|u| u.xy == (3900.0, 0.0)),
            "{:?}",
            far.iter().map(|u| u.xy).collect::<Vec<_>>()
        );
    }

    /// A minimum-presence rule pulls a unit to the cold spot.
    #[test]
    fn presence_is_respected() {
        let mut i = input();
        i.presence = vec![Presence {
            name: "cold spot".into(),
            area: vec![20],
            units: 1,
        }];
        let d = i.plan(&SolveOptions::default()).unwrap();
        assert!(d.units.iter().any(|u| u.at == 20));
    }
}
