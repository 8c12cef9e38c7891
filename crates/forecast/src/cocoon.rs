//! Cocoon alerts, backtested: after each incident a zone of `radius` is
//! opened for `days` and its neighbours are warned; how many of the
//! incidents that followed fell inside a zone already open (capture), at
//! what cost in zones, visits and area under alert (workload).
//!
//! An incident inside a zone still open extends that zone rather than
//! opening another (one round of visits per zone). A zone opens at its
//! incident's time: with dates only, incidents of the same day are not
//! counted as captured by each other, since no one could have warned in
//! between.

use serde::Serialize;
use std::collections::HashSet;

/// One incident: where (metres), when (days, fractional), and the station
/// whose area it is in, if known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertEvent {
    pub x: f64,
    pub y: f64,
    pub t: f64,
    pub station: Option<u32>,
}

/// A zone's size: a circle of `radius_m` open for `days`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ZoneRule {
    pub radius_m: f64,
    pub days: u32,
}

impl ZoneRule {
    /// "200x7": 200 m for 7 days.
    pub fn parse(s: &str) -> Option<Self> {
        let (r, d) = s.split_once(['x', 'X', '×'])?;
        let rule = Self {
            radius_m: r.trim().parse().ok()?,
            days: d.trim().parse().ok()?,
        };
        ((1.0..=5_000.0).contains(&rule.radius_m) && (1..=90).contains(&rule.days)).then_some(rule)
    }
}

/// One rule's record over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneBacktest {
    pub rule: ZoneRule,
    /// Incidents after the first `days` (before that, zones had no time to open).
    pub incidents: usize,
    /// Of those, inside a zone open when they happened.
    pub captured: usize,
    pub capture: f64,
    /// The capture were the incidents' times shuffled among their places
    /// (mean of a few shuffles): what zones this size catch by chance.
    pub capture_by_chance: f64,
    /// Zones opened (each a round of visits), in all and per day.
    pub zones: usize,
    pub zones_per_day: f64,
    /// Per station per day, where incidents know their station: on
    /// average, and at the station opening most.
    pub zones_per_station_day: Option<f64>,
    pub busiest_station_per_day: Option<f64>,
    /// Zones open on an average day, and the area they cover (km², overlaps once).
    pub open_per_day: f64,
    pub area_km2_per_day: f64,
}

/// Side of the raster cells the area under alert is counted on.
const AREA_CELL_M: f64 = 50.0;

struct Zone {
    station: Option<u32>,
    x: f64,
    y: f64,
    opened: f64,
    closes: f64,
}

/// Backtests each rule on `events` (any order).
pub fn backtest_zones(events: &[AlertEvent], rules: &[ZoneRule]) -> Vec<ZoneBacktest> {
    let mut order: Vec<AlertEvent> = events.to_vec();
    order.sort_by(|a, b| a.t.total_cmp(&b.t));
    let stations = {
        let set: HashSet<u32> = order.iter().filter_map(|e| e.station).collect();
        set.len()
    };
    rules.iter().map(|&rule| one_rule(&order, rule, stations)).collect()
}

/// Incidents counted, those captured, and every zone opened, under `rule`
/// over `events` sorted by time.
fn run_zones(events: &[AlertEvent], rule: ZoneRule) -> (usize, usize, Vec<Zone>) {
    let span = f64::from(rule.days);
    let r2 = rule.radius_m * rule.radius_m;
    let within = |z: &Zone, e: &AlertEvent| (z.x - e.x).powi(2) + (z.y - e.y).powi(2) <= r2;
    let start = events.first().map_or(0.0, |e| e.t);
    let mut zones: Vec<Zone> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let (mut incidents, mut captured) = (0, 0);
    for e in events {
        open.retain(|&k| zones[k].closes > e.t);
        let warned = open.iter().any(|&k| zones[k].opened < e.t && within(&zones[k], e));
        if e.t >= start + span {
            incidents += 1;
            captured += usize::from(warned);
        }
        match open.iter().copied().find(|&k| within(&zones[k], e)) {
            Some(k) => zones[k].closes = zones[k].closes.max(e.t + span),
            None => {
                open.push(zones.len());
                zones.push(Zone {
                    station: e.station,
                    x: e.x,
                    y: e.y,
                    opened: e.t,
                    closes: e.t + span,
                });
            }
        }
    }
    (incidents, captured, zones)
}

/// Shuffles of the times for the capture with no pattern.
const NULL_SHUFFLES: u64 = 5;

fn one_rule(events: &[AlertEvent], rule: ZoneRule, stations: usize) -> ZoneBacktest {
    let share = |(n, c, _): &(usize, usize, Vec<Zone>)| if *n == 0 { 0.0 } else { *c as f64 / *n as f64 };
    let (incidents, captured, zones) = run_zones(events, rule);
    // The same places at times shuffled among them: what zones of this size
    // would catch if incidents near each other were no closer in time.
    let by_chance = (1..=NULL_SHUFFLES)
        .map(|seed| {
            let mut times: Vec<f64> = events.iter().map(|e| e.t).collect();
            let mut rng = crate::rng::Rng::new(seed);
            for k in (1..times.len()).rev() {
                times.swap(k, rng.below(k + 1));
            }
            let mut moved: Vec<AlertEvent> = events
                .iter()
                .zip(&times)
                .map(|(e, &t)| AlertEvent { t, ..*e })
                .collect();
            moved.sort_by(|a, b| a.t.total_cmp(&b.t));
            share(&run_zones(&moved, rule))
        })
        .sum::<f64>()
        / NULL_SHUFFLES as f64;
    let start = events.first().map_or(0.0, |e| e.t);
    let end = events.last().map_or(0.0, |e| e.t);
    let days = (end - start).max(1.0);
    let (open_per_day, area_km2_per_day) = daily_cover(&zones, rule, start, end);
    let mut by_station: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for s in zones.iter().filter_map(|z| z.station) {
        *by_station.entry(s).or_default() += 1;
    }
    let busiest = by_station.values().max().copied();
    let capture = share(&(incidents, captured, Vec::new()));
    ZoneBacktest {
        rule,
        incidents,
        captured,
        capture,
        capture_by_chance: by_chance,
        zones: zones.len(),
        zones_per_day: zones.len() as f64 / days,
        zones_per_station_day: (stations > 0).then(|| zones.len() as f64 / days / stations as f64),
        busiest_station_per_day: busiest.map(|n| n as f64 / days),
        open_per_day,
        area_km2_per_day,
    }
}

/// Most raster cells the area is counted on; a wider spread of zones
/// counts on coarser cells.
const MAX_AREA_CELLS: f64 = 20_000_000.0;

/// Zones open at noon of an average day, and the area they cover: raster
/// cells whose centre is within the radius of a zone's cell's centre,
/// each counted once a day (a cell remembers the last day it was counted).
fn daily_cover(zones: &[Zone], rule: ZoneRule, start: f64, end: f64) -> (f64, f64) {
    let Some(first_zone) = zones.first() else {
        return (0.0, 0.0);
    };
    let (mut x0, mut y0, mut x1, mut y1) = (first_zone.x, first_zone.y, first_zone.x, first_zone.y);
    for z in zones {
        (x0, y0, x1, y1) = (x0.min(z.x), y0.min(z.y), x1.max(z.x), y1.max(z.y));
    }
    let (w, h) = (x1 - x0 + 2.0 * rule.radius_m, y1 - y0 + 2.0 * rule.radius_m);
    let cell = AREA_CELL_M.max((w * h / MAX_AREA_CELLS).sqrt());
    let reach = (rule.radius_m / cell).ceil() as i64;
    let cols = (w / cell).ceil() as i64 + 2 * reach + 2;
    let rows = (h / cell).ceil() as i64 + 2 * reach + 2;
    let disc: Vec<i64> = (-reach..=reach)
        .flat_map(|dx| (-reach..=reach).map(move |dy| (dx, dy)))
        .filter(|&(dx, dy)| ((dx * dx + dy * dy) as f64) * cell * cell <= rule.radius_m * rule.radius_m)
        .map(|(dx, dy)| dy * cols + dx)
        .collect();
    let mut counted_on: Vec<u32> = vec![0; (cols * rows) as usize];
    let first = start.floor() as i64;
    let last = end.floor() as i64;
    let (mut open_sum, mut cells_sum) = (0usize, 0usize);
    for (k, day) in (first..=last).enumerate() {
        let stamp = k as u32 + 1;
        let noon = day as f64 + 0.5;
        for z in zones.iter().filter(|z| z.opened <= noon && noon < z.closes) {
            open_sum += 1;
            let cx = ((z.x - x0 + rule.radius_m) / cell) as i64 + reach + 1;
            let cy = ((z.y - y0 + rule.radius_m) / cell) as i64 + reach + 1;
            let at = cy * cols + cx;
            for &d in &disc {
                let c = &mut counted_on[(at + d) as usize];
                if *c != stamp {
                    *c = stamp;
                    cells_sum += 1;
                }
            }
        }
    }
    let days = (last - first + 1) as f64;
    (open_sum as f64 / days, cells_sum as f64 * cell * cell / 1e6 / days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f64, y: f64, t: f64) -> AlertEvent {
        AlertEvent {
            x,
            y,
            t,
            station: Some(0),
        }
    }

    #[test]
    fn a_follow_on_inside_an_open_zone_is_captured_and_extends_it() {
        let rule = ZoneRule {
            radius_m: 200.0,
            days: 7,
        };
        let events = [
            at(0.0, 0.0, 0.0),
            // Warm-up over: day 7 onwards counts.
            at(5_000.0, 0.0, 7.0),
            at(5_100.0, 0.0, 9.0),    // 100 m, 2 days: captured, extends to day 16
            at(5_150.0, 0.0, 15.5),   // still open through the extension: captured
            at(5_000.0, 300.0, 16.0), // 300 m away: not captured, a new zone
            at(9_000.0, 0.0, 16.0),
            at(9_000.0, 0.0, 16.0), // the same moment: no one could warn
        ];
        let r = &backtest_zones(&events, &[rule])[0];
        assert_eq!((r.incidents, r.captured), (6, 2));
        assert_eq!(r.zones, 4);
        assert!((r.capture - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(r.zones_per_station_day, Some(4.0 / 16.0));
    }

    #[test]
    fn the_area_under_alert_is_the_union_of_open_circles() {
        let rule = ZoneRule {
            radius_m: 500.0,
            days: 3,
        };
        // Two zones on the same spot a day apart: one circle of 0.785 km².
        let events = [at(0.0, 0.0, 0.0), at(2_000.0, 0.0, 0.2), at(2_000.0, 0.0, 1.0)];
        let r = &backtest_zones(&events, &[rule])[0];
        assert_eq!(r.zones, 2);
        let circle = std::f64::consts::PI * 0.25;
        // Days 0 and 1 noon: both circles open.
        assert!(
            (r.area_km2_per_day - 2.0 * circle).abs() < 0.05 * circle,
            "{}",
            r.area_km2_per_day
        );
        assert!((r.open_per_day - 2.0).abs() < 1e-12);
    }

    #[test]
    fn rules_parse_from_radius_by_days() {
        assert_eq!(
            ZoneRule::parse("200x7"),
            Some(ZoneRule {
                radius_m: 200.0,
                days: 7
            })
        );
        assert_eq!(
            ZoneRule::parse("400×14"),
            Some(ZoneRule {
                radius_m: 400.0,
                days: 14
            })
        );
        for bad in ["200", "x7", "0x7", "200x0", "200x91", "9000x7", "abcx7"] {
            assert_eq!(ZoneRule::parse(bad), None, "{bad}");
        }
    }
}
