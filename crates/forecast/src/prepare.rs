//! From incidents (UTC instants, WGS84 positions, local times) to the
//! events, grid, study area and windows that models work on.

use crate::{Context, Event, SECONDS_PER_DAY, Window};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;
use fengqiao_geo::{Grid, GridError, LocalProjection, LonLat, Xy};

/// An incident as the forecaster needs it.
#[derive(Debug, Clone, Copy)]
pub struct Incident {
    pub unix_seconds: i64,
    pub lon: f64,
    pub lat: f64,
    pub officer: bool,
    /// Local wall-clock time of occurrence.
    pub local: NaiveDateTime,
    /// Only the day is known.
    pub day_only: bool,
    /// Kind of place (0 = unknown), see [`Event::place`].
    pub place: u8,
}

/// Which kind of window to forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowKind {
    Day,
    Week,
    /// Shifts starting at these local hours, ascending (default 0, 8, 16).
    Shift(Vec<u32>),
}

impl WindowKind {
    pub fn parse(kind: &str, shift_starts: &[u32]) -> Option<WindowKind> {
        match kind {
            "day" => Some(WindowKind::Day),
            "week" => Some(WindowKind::Week),
            "shift" => {
                let mut s = shift_starts.to_vec();
                s.sort_unstable();
                s.dedup();
                (!s.is_empty() && s.iter().all(|h| *h < 24)).then_some(WindowKind::Shift(s))
            }
            _ => None,
        }
    }
}

/// Events in time order on a grid of `cell_m` metres over the local plane
/// centred on `centre`, the grid shifted by `offset` metres.
pub fn build_events(
    incidents: &[Incident],
    centre: LonLat,
    cell_m: f64,
    offset: (f64, f64),
) -> Result<(Grid, Vec<Event>), GridError> {
    let proj = LocalProjection::centred_on(centre);
    let xy: Vec<Xy> = incidents
        .iter()
        .map(|i| proj.project(LonLat::new(i.lon, i.lat)))
        .collect();
    let (mut min, mut max) = (Xy::new(f64::MAX, f64::MAX), Xy::new(f64::MIN, f64::MIN));
    for p in &xy {
        min = Xy::new(min.x.min(p.x), min.y.min(p.y));
        max = Xy::new(max.x.max(p.x), max.y.max(p.y));
    }
    if xy.is_empty() {
        min = Xy::new(0.0, 0.0);
        max = min;
    }
    let g = Grid::covering(Xy::new(min.x - offset.0, min.y - offset.1), max, cell_m)?;
    let grid = Grid::new(
        Xy::new(g.origin.x + offset.0, g.origin.y + offset.1),
        cell_m,
        g.cols + 1,
        g.rows + 1,
    )?;
    let mut events: Vec<Event> = incidents
        .iter()
        .zip(&xy)
        .filter_map(|(i, p)| {
            let cell = grid.cell_of(*p)?;
            Some(Event {
                t: i.unix_seconds as f64 / SECONDS_PER_DAY,
                cell: cell.0,
                x: p.x,
                y: p.y,
                officer: i.officer,
                weekday: i.local.weekday().num_days_from_monday() as u8,
                hour: if i.day_only {
                    Event::NO_HOUR
                } else {
                    i.local.hour() as u8
                },
                place: i.place,
            })
        })
        .collect();
    events.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.cell.cmp(&b.cell)));
    Ok((grid, events))
}

/// The study area: cells with at least one event before `before` (days).
pub fn cells_with_history(grid: &Grid, events: &[Event], before: f64) -> Vec<bool> {
    let mut valid = vec![false; grid.len()];
    for e in events.iter().take_while(|e| e.t < before) {
        valid[e.cell as usize] = true;
    }
    valid
}

fn local_instant(tz: Tz, t: NaiveDateTime) -> f64 {
    let utc = tz
        .from_local_datetime(&t)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(t + chrono::Duration::hours(1))).earliest())
        .map(|d| d.timestamp())
        .unwrap_or_else(|| t.and_utc().timestamp());
    utc as f64 / SECONDS_PER_DAY
}

/// Windows covering the local days `from..=to`.
pub fn windows(tz: Tz, from: NaiveDate, to: NaiveDate, kind: &WindowKind) -> Vec<Window> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let next = day.succ_opt().expect("date in range");
        let weekday = day.weekday().num_days_from_monday() as u8;
        match kind {
            WindowKind::Day => out.push(Window {
                start: local_instant(tz, day.and_time(chrono::NaiveTime::MIN)),
                end: local_instant(tz, next.and_time(chrono::NaiveTime::MIN)),
                weekday,
                shift: 0,
            }),
            WindowKind::Week => {
                let end_day = (day + chrono::Duration::days(7)).min(to.succ_opt().expect("date in range"));
                out.push(Window {
                    start: local_instant(tz, day.and_time(chrono::NaiveTime::MIN)),
                    end: local_instant(tz, end_day.and_time(chrono::NaiveTime::MIN)),
                    weekday,
                    shift: 0,
                });
                day = end_day;
                continue;
            }
            WindowKind::Shift(starts) => {
                for (i, h) in starts.iter().enumerate() {
                    let start = day.and_hms_opt(*h, 0, 0).expect("hour < 24");
                    let end = match starts.get(i + 1) {
                        Some(h2) => day.and_hms_opt(*h2, 0, 0).expect("hour < 24"),
                        None => next.and_hms_opt(starts[0], 0, 0).expect("hour < 24"),
                    };
                    out.push(Window {
                        start: local_instant(tz, start),
                        end: local_instant(tz, end),
                        weekday,
                        shift: i as u8,
                    });
                }
            }
        }
        day = next;
    }
    out
}

/// Shift index of every local hour for shifts starting at `starts`.
pub fn shift_of_hour(starts: &[u32]) -> [u8; 24] {
    let mut out = [0u8; 24];
    for (h, slot) in out.iter_mut().enumerate() {
        // The last shift whose start is at or before h; before the first start, the last shift (it wraps midnight).
        let i = starts
            .iter()
            .rposition(|s| *s as usize <= h)
            .unwrap_or(starts.len() - 1);
        *slot = i as u8;
    }
    out
}

/// The context for a backtest or forecast.
pub fn context(grid: Grid, valid: Vec<bool>, kind: &WindowKind) -> Context {
    let mut ctx = Context::new(grid, valid);
    if let WindowKind::Shift(starts) = kind {
        ctx.shifts = starts.len();
        ctx.shift_of_hour = shift_of_hour(starts);
    }
    ctx
}

/// The WGS84 ring (closed, counter-clockwise) of a cell of a grid laid on
/// the local plane centred on `centre`: what maps and GeoJSON need.
pub fn cell_ring(centre: LonLat, grid: &Grid, cell: u32) -> Vec<[f64; 2]> {
    let proj = LocalProjection::centred_on(centre);
    let lo = grid.cell_min(fengqiao_geo::CellId(cell));
    let s = grid.cell_m;
    [(0.0, 0.0), (s, 0.0), (s, s), (0.0, s), (0.0, 0.0)]
        .iter()
        .map(|(dx, dy)| {
            let p = proj.unproject(Xy::new(lo.x + dx, lo.y + dy));
            [(p.lon * 1e7).round() / 1e7, (p.lat * 1e7).round() / 1e7]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_wrap_midnight() {
        let s = shift_of_hour(&[8, 16]);
        assert_eq!((s[0], s[7], s[8], s[15], s[16], s[23]), (1, 1, 0, 0, 1, 1));
        let d = shift_of_hour(&[0, 8, 16]);
        assert_eq!((d[0], d[8], d[23]), (0, 1, 2));
    }

    #[test]
    fn day_windows_follow_local_midnight_across_dst() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        let ws = windows(
            tz,
            NaiveDate::from_ymd_opt(2019, 3, 9).unwrap(),
            NaiveDate::from_ymd_opt(2019, 3, 11).unwrap(),
            &WindowKind::Day,
        );
        assert_eq!(ws.len(), 3);
        assert!(
            (ws[1].days() - 23.0 / 24.0).abs() < 1e-9,
            "the spring-forward day has 23 hours"
        );
        assert_eq!(ws[0].end, ws[1].start);
        let shifts = windows(
            tz,
            NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            &WindowKind::Shift(vec![0, 8, 16]),
        );
        assert_eq!(shifts.len(), 3);
        assert!(shifts.iter().all(|w| (w.days() - 1.0 / 3.0).abs() < 1e-9));
    }
}
