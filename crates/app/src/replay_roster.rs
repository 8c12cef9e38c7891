//! The case for 警力跟着警情走, measured in a replay: the same crew-shifts
//! rostered evenly (every station the same crews every shift) or where and
//! when the calls are (shared out by Erlang B over the hour-of-week calls of
//! the weeks before), both planned on the same forecast and replayed with
//! crews that are busy while they handle a call; and whether each station's
//! people could work either roster — crews left short, the overtime that
//! would fill them, and how evenly nights and weekends fall.

use crate::error::{Error, Result};
use crate::replay_plan::rates;
use fengqiao_domain::duty::DutyConfig;
use fengqiao_forecast::{Event, Window};
use fengqiao_plan::deploy::Xy;
use fengqiao_plan::kpi::ReplayCounts;
use fengqiao_roster::station::{
    Fairness, Member, Spread, StationProblem, StationShift, check, fairness, shortfalls, solve_station,
};
use fengqiao_staffing::allocate::share_out;
use serde_json::{Value, json};

/// Weeks of incidents before the period whose hour-of-week calls the staffing roster follows.
pub const HISTORY_WEEKS: f64 = 8.0;
/// Days of the period rostered with people (a station roster's usual horizon).
pub const PEOPLE_DAYS: usize = 28;
/// Contracted hours a week of the stand-in strength.
const CONTRACT_HOURS: u32 = 40;
/// People beyond the fixed roster's seat-hours (leave, training, courts).
const RELIEF: f64 = 1.1;
/// Search time for each station's roster.
const ROSTER_SECONDS: f64 = 1.0;

/// Crews per station for every window of the period, both rosters.
#[derive(Debug, Clone)]
pub struct Rosters {
    /// `staffing[window][station]`; the fixed roster has `units` everywhere.
    pub staffing: Vec<Vec<u32>>,
    pub units: u32,
    /// Crews moved between stations as well as in time.
    pub across_stations: bool,
    pub service_minutes: f64,
    pub service_basis: &'static str,
    /// Incidents and weeks the hour-of-week calls were read from.
    pub history_incidents: usize,
    pub history_weeks: f64,
}

/// How the staffing roster is shared out.
#[derive(Debug, Clone, Copy)]
pub struct Sharing {
    /// Crews a station-shift, on average.
    pub units: u32,
    /// Busy minutes a call, and where that figure came from.
    pub service: (f64, &'static str),
    /// Crews move between stations as well as in time.
    pub across_stations: bool,
}

/// The index of the place in `at` nearest `p` (the replay's rule for a station's area).
pub(crate) fn nearest(at: &[Xy], p: Xy) -> usize {
    let d = |s: &Xy| (s.0 - p.0).powi(2) + (s.1 - p.1).powi(2);
    (0..at.len())
        .min_by(|&a, &b| d(&at[a]).total_cmp(&d(&at[b])))
        .expect("stations")
}

/// The staffing roster: `units` crews a station-shift on average, shared out
/// over the period's windows (and, `across_stations`, over the stations) by
/// the calls each station's area had at those hours of the week in the
/// weeks before `first` (the crews that take the most calls at once), at
/// least one crew everywhere.
pub fn share(
    history: &[Event],
    first: f64,
    station_xy: &[Xy],
    windows: &[Window],
    shift_starts: &[u32],
    how: &Sharing,
) -> Result<Rosters> {
    let Sharing {
        units,
        service,
        across_stations,
    } = *how;
    let since = first - HISTORY_WEEKS * 7.0;
    let recent: Vec<&Event> = history.iter().filter(|e| e.t >= since && e.t < first).collect();
    // As many weeks as asked for, or as the data holds.
    let weeks = ((first - history.first().map_or(since, |e| e.t.max(since))) / 7.0).max(1.0 / 7.0);
    let mut counts = vec![[0u32; 168]; station_xy.len()];
    for e in &recent {
        let how = usize::from(e.weekday) * 24 + usize::from(e.hour.min(23));
        counts[nearest(station_xy, (e.x, e.y))][how] += 1;
    }
    let cells: Vec<Vec<f64>> = windows
        .iter()
        .flat_map(|w| {
            let start = usize::from(w.weekday) * 24 + shift_starts[usize::from(w.shift)] as usize;
            let hours = ((w.end - w.start) * 24.0).round().max(1.0) as usize;
            counts
                .iter()
                .map(move |c| (0..hours).map(|h| f64::from(c[(start + h) % 168]) / weeks).collect())
        })
        .collect();
    let stations = station_xy.len().max(1);
    let shared = |cells: &[Vec<f64>]| {
        share_out(cells, service.0, 1, u64::from(units) * cells.len() as u64)
            .map_err(|e| Error::input(format!("staffing roster: {e}")))
    };
    let crews: Vec<u32> = if across_stations {
        shared(&cells)?
    } else {
        // Each station's own crew-shifts, moved only in time: its people stay its people.
        let mut crews = vec![0; cells.len()];
        for s in 0..stations {
            let own: Vec<Vec<f64>> = cells.iter().skip(s).step_by(stations).cloned().collect();
            for (k, c) in shared(&own)?.into_iter().enumerate() {
                crews[k * stations + s] = c;
            }
        }
        crews
    };
    Ok(Rosters {
        staffing: crews.chunks(stations).map(<[u32]>::to_vec).collect(),
        across_stations,
        units,
        service_minutes: service.0,
        service_basis: service.1,
        history_incidents: recent.len(),
        history_weeks: weeks,
    })
}

/// The shifts of the day starting at `starts` (local hours), each to the next.
fn day_shifts(starts: &[u32]) -> Vec<StationShift> {
    starts
        .iter()
        .enumerate()
        .map(|(i, &h)| {
            let next = starts.get(i + 1).copied().unwrap_or(starts[0] + 24);
            let (start_minute, minutes) = (h * 60, (next - h) * 60);
            StationShift {
                code: format!("{h:02}:00"),
                start_minute,
                minutes,
                night: start_minute < 360 || start_minute + minutes > 1440,
                flexible: false,
            }
        })
        .collect()
}

/// A station's roster problem for `crews[day][shift]` with a stand-in
/// strength of `sworn` and `auxiliaries` on 40-hour contracts.
fn station_problem(
    duty: &DutyConfig,
    shifts: &[StationShift],
    first_weekday: usize,
    crews: Vec<Vec<u32>>,
    (sworn, auxiliaries): (usize, usize),
) -> StationProblem {
    let days = crews.len();
    let member = |i: usize, is_sworn: bool| Member {
        key: format!("{}{:03}", if is_sworn { "M" } else { "F" }, i + 1),
        sworn: is_sworn,
        allowed: vec![true; shifts.len()],
        contract_minutes: CONTRACT_HOURS * 60 * days as u32 / 7,
        leave: Vec::new(),
        driver: true,
        wishes_off: vec![],
        wishes_on: vec![],
        holiday_off: 0,
        overtime_minutes: 0,
        team: None,
    };
    StationProblem {
        days,
        first_weekday,
        shifts: shifts.to_vec(),
        rules: crate::roster::station_rules(duty, days),
        crews,
        members: (0..sworn)
            .map(|i| member(i, true))
            .chain((0..auxiliaries).map(|i| member(i, false)))
            .collect(),
        rotation: None,
        holidays: vec![],
    }
}

/// What rostering real people on one profile of crews gave, over all stations.
#[derive(Default)]
struct Staffed {
    crews_short: u32,
    duty_short: u32,
    overtime_minutes: u64,
    breaches: usize,
    fairness: Vec<Fairness>,
}

/// Fairness spreads of many stations as one: fewest, most, mean per person.
fn pooled(a: Option<Spread>, b: Option<Spread>, people: (usize, usize)) -> Option<Spread> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Spread {
            min: a.min.min(b.min),
            max: a.max.max(b.max),
            mean: (a.mean * people.0 as f64 + b.mean * people.1 as f64) / (people.0 + people.1).max(1) as f64,
        }),
        (a, b) => a.or(b),
    }
}

impl Staffed {
    /// One station rostered on one profile.
    fn solved(sp: &StationProblem) -> Result<Staffed> {
        let options = fengqiao_roster::Options {
            time_limit: std::time::Duration::from_secs_f64(ROSTER_SECONDS),
            seed: 1,
            bound: false,
        };
        let roster = solve_station(sp, &options).map_err(|e| Error::input(format!("station roster: {e}")))?;
        let mut out = Staffed {
            breaches: check(sp, &roster).len(),
            fairness: fairness(sp, &roster.assignment),
            ..Staffed::default()
        };
        for s in shortfalls(sp, &roster.teams) {
            let minutes = u64::from(sp.shifts[s.shift].minutes);
            let short = s.crews_needed.saturating_sub(s.crews);
            out.crews_short += short;
            out.duty_short += u32::from(!s.duty_officer);
            out.overtime_minutes +=
                minutes * (u64::from(short) * u64::from(sp.rules.crew_size) + u64::from(!s.duty_officer));
        }
        Ok(out)
    }

    fn absorb(&mut self, other: Staffed) {
        self.crews_short += other.crews_short;
        self.duty_short += other.duty_short;
        self.overtime_minutes += other.overtime_minutes;
        self.breaches += other.breaches;
        if self.fairness.is_empty() {
            self.fairness = other.fairness;
            return;
        }
        for (mine, theirs) in self.fairness.iter_mut().zip(other.fairness) {
            let people = (mine.people, theirs.people);
            mine.shifts = pooled(mine.shifts, theirs.shifts, people);
            mine.nights = pooled(mine.nights, theirs.nights, people);
            mine.weekends = pooled(mine.weekends, theirs.weekends, people);
            mine.hours = pooled(mine.hours, theirs.hours, people);
            mine.people += theirs.people;
        }
    }

    fn json(&self) -> Value {
        json!({
            "crews_short": self.crews_short,
            "duty_short": self.duty_short,
            "overtime_hours": self.overtime_minutes as f64 / 60.0,
            "rule_breaches": self.breaches,
            "fairness": self.fairness,
        })
    }
}

/// Each station rostered with people on both profiles over the period's
/// first [`PEOPLE_DAYS`] days: a stand-in strength per station of sworn and
/// auxiliaries for its seat-hours at 40 hours a week plus 10 % relief — the
/// same for both rosters, unless crews move between stations, when each
/// station has the strength of its staffing share. `None` when the period
/// has no whole day.
pub fn people(
    duty: &DutyConfig,
    rosters: &Rosters,
    shift_starts: &[u32],
    first_weekday: usize,
) -> Result<Option<Value>> {
    let shifts = day_shifts(shift_starts);
    let per_day = shifts.len();
    let days = (rosters.staffing.len() / per_day).min(PEOPLE_DAYS);
    if days == 0 {
        return Ok(None);
    }
    let stations = rosters.staffing.first().map_or(0, Vec::len);
    let crew_size = usize::from(duty.rules.crew_size.max(1));
    let day_minutes: u32 = shifts.iter().map(|s| s.minutes).sum();
    let contract = f64::from(CONTRACT_HOURS * 60) * days as f64 / 7.0;
    let duty_seats = f64::from(u8::from(duty.rules.officer_on_duty_every_hour));
    let people_for = |seats: f64| (seats * f64::from(day_minutes) * days as f64 / contract * RELIEF).ceil() as usize;
    // Sworn (a lead a crew and the duty officer) and auxiliaries for a mean number of crews a shift.
    let strength = |crews: f64| {
        (
            people_for(crews + duty_seats),
            people_for(crews * (crew_size - 1) as f64),
        )
    };
    let fixed_strength = strength(f64::from(rosters.units));
    // With crews moved between stations, a station's strength follows its share over the days rostered.
    let strength_of = |s: usize| {
        if !rosters.across_stations {
            return fixed_strength;
        }
        let crews: u32 = rosters.staffing[..days * per_day].iter().map(|c| c[s]).sum();
        strength(f64::from(crews) / (days * per_day) as f64)
    };
    let profiles = |s: usize| -> [Vec<Vec<u32>>; 2] {
        [
            vec![vec![rosters.units; per_day]; days],
            (0..days)
                .map(|d| (0..per_day).map(|k| rosters.staffing[d * per_day + k][s]).collect())
                .collect(),
        ]
    };
    let outcome = std::sync::Mutex::new([Staffed::default(), Staffed::default()]);
    let totals = std::sync::Mutex::new([(0usize, 0usize); 2]);
    let failure = std::sync::Mutex::new(None::<Error>);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let s = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if s >= stations {
                        return;
                    }
                    let strengths = [fixed_strength, strength_of(s)];
                    for (k, crews) in profiles(s).into_iter().enumerate() {
                        let sp = station_problem(duty, &shifts, first_weekday, crews, strengths[k]);
                        {
                            let mut t = totals.lock().expect("lock");
                            t[k].0 += strengths[k].0;
                            t[k].1 += strengths[k].1;
                        }
                        match Staffed::solved(&sp) {
                            Ok(one) => outcome.lock().expect("lock")[k].absorb(one),
                            Err(e) => {
                                failure.lock().expect("lock").get_or_insert(e);
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    let [fixed, staffing] = outcome.into_inner().expect("lock");
    let strengths = totals.into_inner().expect("lock");
    Ok(Some(json!({
        "days": days,
        "stations": stations,
        "strength": {
            "fixed": {"sworn": strengths[0].0, "auxiliary": strengths[0].1},
            "staffing": {"sworn": strengths[1].0, "auxiliary": strengths[1].1},
        },
        "contract_hours_per_week": CONTRACT_HOURS,
        "relief": RELIEF,
        "seconds_per_station_roster": ROSTER_SECONDS,
        "fixed": fixed.json(),
        "staffing": staffing.json(),
    })))
}

/// A bootstrap interval over shifts of `stat` (a difference computed on the
/// shifts drawn): the point on all shifts and the 2.5–97.5 % range.
pub(crate) fn resampled(
    shifts: usize,
    bootstrap: usize,
    stat: &dyn Fn(&mut dyn Iterator<Item = usize>) -> f64,
) -> Value {
    let point = stat(&mut (0..shifts));
    let mut rng = 0x5eed_u64;
    let mut draws: Vec<f64> = (0..bootstrap)
        .map(|_| {
            let mut pick = (0..shifts).map(|_| {
                rng = rng
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((rng >> 33) % shifts.max(1) as u64) as usize
            });
            stat(&mut pick)
        })
        .collect();
    draws.sort_by(f64::total_cmp);
    let q = |p: f64| {
        draws
            .get(((draws.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(point)
    };
    json!({"difference": point, "ci": [q(0.025), q(0.975)]})
}

fn median(mut minutes: Vec<f64>) -> f64 {
    if minutes.is_empty() {
        return f64::NAN;
    }
    minutes.sort_by(f64::total_cmp);
    minutes[(minutes.len() - 1) / 2]
}

/// The two rosters' replays side by side: rates pooled over shifts, the
/// staffing roster minus the fixed one with bootstrap intervals, the crews
/// by shift of the day, and the person-hours each used.
pub fn report(
    per_shift: &[[ReplayCounts; 2]],
    rosters: &Rosters,
    windows: &[Window],
    crew_size: u32,
    bootstrap: usize,
    people: Option<Value>,
) -> Value {
    let mut pooled: [ReplayCounts; 2] = Default::default();
    for s in per_shift {
        for (p, c) in pooled.iter_mut().zip(s) {
            p.add(c);
        }
    }
    let with_queue = |c: &ReplayCounts| {
        let mut v = rates(c);
        v["queued_rate"] = json!(c.queued as f64 / c.incidents.max(1) as f64);
        v
    };
    type Kpi = fn(&ReplayCounts) -> usize;
    let kpis: [(&str, Kpi); 6] = [
        ("visibility_rate", |c| c.visible),
        ("handling_rate", |c| c.handled),
        ("within_1", |c| c.rings[0]),
        ("within_3", |c| c.rings[1]),
        ("within_5", |c| c.rings[2]),
        ("queued_rate", |c| c.queued),
    ];
    let mut difference = serde_json::Map::new();
    for (name, get) in kpis {
        let stat = |idx: &mut dyn Iterator<Item = usize>| {
            let (mut a, mut b, mut n) = (0usize, 0usize, 0usize);
            for i in idx {
                a += get(&per_shift[i][1]);
                b += get(&per_shift[i][0]);
                n += per_shift[i][0].incidents;
            }
            (a as f64 - b as f64) / n.max(1) as f64
        };
        difference.insert(name.into(), resampled(per_shift.len(), bootstrap, &stat));
    }
    let p50 = |idx: &mut dyn Iterator<Item = usize>| {
        let picked: Vec<usize> = idx.collect();
        let minutes = |k: usize| {
            picked
                .iter()
                .flat_map(|&i| per_shift[i][k].minutes.iter().copied())
                .collect()
        };
        median(minutes(1)) - median(minutes(0))
    };
    difference.insert(
        "response_p50_minutes".into(),
        resampled(per_shift.len(), bootstrap, &p50),
    );
    // Whole minutes: window bounds are fractional days.
    let hours: Vec<f64> = windows
        .iter()
        .map(|w| ((w.end - w.start) * 1440.0).round() / 60.0)
        .collect();
    let person_hours = |crews: &dyn Fn(usize) -> u32| -> f64 {
        hours
            .iter()
            .enumerate()
            .map(|(w, h)| f64::from(crews(w)) * h * f64::from(crew_size))
            .sum()
    };
    let stations = rosters.staffing.first().map_or(0, Vec::len);
    let shifts_a_day = windows.iter().map(|w| usize::from(w.shift) + 1).max().unwrap_or(1);
    let by_shift: Vec<Value> = (0..shifts_a_day)
        .map(|k| {
            let of_kind: Vec<&Vec<u32>> = windows
                .iter()
                .zip(&rosters.staffing)
                .filter(|(w, _)| usize::from(w.shift) == k)
                .map(|(_, c)| c)
                .collect();
            let total: u32 = of_kind.iter().flat_map(|c| c.iter()).sum();
            let cells = (of_kind.len() * stations).max(1);
            json!({"shift": k, "fixed": rosters.units, "staffing_mean": f64::from(total) / cells as f64,
                   "staffing_min": of_kind.iter().flat_map(|c| c.iter()).min(),
                   "staffing_max": of_kind.iter().flat_map(|c| c.iter()).max()})
        })
        .collect();
    json!({
        "fixed": with_queue(&pooled[0]),
        "staffing": with_queue(&pooled[1]),
        "difference": difference,
        "person_hours": {
            "fixed": person_hours(&|_| rosters.units * stations as u32),
            "staffing": person_hours(&|w| rosters.staffing[w].iter().sum()),
        },
        "crews_by_shift": by_shift,
        "service_minutes": rosters.service_minutes,
        "service_basis": rosters.service_basis,
        "history_incidents": rosters.history_incidents,
        "history_weeks": rosters.history_weeks,
        "people": people,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(t: f64, x: f64, weekday: u8, hour: u8) -> Event {
        Event {
            t,
            cell: 0,
            x,
            y: 0.0,
            officer: false,
            weekday,
            hour,
            place: 0,
        }
    }

    #[test]
    fn crews_follow_the_hours_and_areas_the_calls_were_in() {
        // Two stations; eight weeks in which the east station's evenings were busy.
        let first = 1000.0;
        let mut history = vec![event(first - 100.0, 0.0, 0, 0)];
        for week in 0..8 {
            for day in 0..7u8 {
                let t = first - 56.0 + f64::from(week) * 7.0 + f64::from(day);
                for _ in 0..12 {
                    history.push(event(t + 0.8, 5000.0, day, 19));
                }
                history.push(event(t + 0.1, -5000.0, day, 3));
            }
        }
        let windows: Vec<Window> = (0..7u8)
            .flat_map(|d| {
                (0..3u8).map(move |k| Window {
                    start: first + f64::from(d) + f64::from(k) / 3.0,
                    end: first + f64::from(d) + f64::from(k + 1) / 3.0,
                    weekday: d,
                    shift: k,
                })
            })
            .collect();
        let stations = [(-5000.0, 0.0), (5000.0, 0.0)];
        let shared = |across_stations: bool| {
            let how = Sharing {
                units: 2,
                service: (45.0, "default"),
                across_stations,
            };
            share(&history, first, &stations, &windows, &[0, 8, 16], &how).unwrap()
        };
        let r = shared(true);
        assert_eq!(r.history_incidents, 8 * 7 * 13);
        assert!((r.history_weeks - 8.0).abs() < 1e-9);
        let total: u32 = r.staffing.iter().flatten().sum();
        assert_eq!(total, 2 * 2 * 21, "the same crew-shifts as the fixed roster");
        assert!(r.staffing.iter().flatten().all(|&c| c >= 1));
        // The east station's evenings get the most; its nights and days the floor.
        for (w, c) in windows.iter().zip(&r.staffing) {
            if w.shift == 2 {
                assert!(c[1] > 2, "{c:?}");
            } else {
                assert!(c[1] <= 2, "{c:?}");
            }
        }
        assert!(r.staffing.iter().any(|c| c[0] < 2));
        // Kept within each station, the crews move only in time.
        let r = shared(false);
        for s in 0..2 {
            assert_eq!(r.staffing.iter().map(|c| c[s]).sum::<u32>(), 2 * 21);
        }
        assert!(
            r.staffing
                .iter()
                .zip(&windows)
                .all(|(c, w)| (w.shift == 2) == (c[1] > 2))
        );
    }

    #[test]
    fn shifts_of_the_day_and_their_nights() {
        let s = day_shifts(&[0, 8, 16]);
        assert_eq!(
            s.iter()
                .map(|x| (x.start_minute, x.minutes, x.night))
                .collect::<Vec<_>>(),
            [(0, 480, true), (480, 480, false), (960, 480, false)]
        );
        let s = day_shifts(&[7, 19]);
        assert_eq!(
            s.iter().map(|x| (x.minutes, x.night)).collect::<Vec<_>>(),
            [(720, false), (720, true)]
        );
    }
}
