//! A station's roster, the same from the page, the API and the command
//! line: the crews each shift needs from the hour-of-week demand (Erlang C
//! on the incidents of the last weeks nearest the station), the station's
//! people with their contracts and leave, the bureau's shifts and rules
//! (see `fengqiao_domain::duty`), solved by `fengqiao_roster::station` and
//! stored as a draft to publish; each version logged.

use crate::error::{Code, Error, Result};
use crate::personnel::{Viewer, stations};
use crate::staffing::{HourlyRequest, weekly};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use fengqiao_domain::duty::DutyConfig;
use fengqiao_domain::personnel::{WISH_OFF, WISH_ON, keeps_away};
use fengqiao_roster::check::Violation;
use fengqiao_roster::cover::{crews_for, place_flexible, works_night};
use fengqiao_roster::rotation::{StationRotation, allow_cycle_hours, solve_rotation};
use fengqiao_roster::station::{
    Change, Member, StationProblem, StationRoster, StationRules, StationShift, check, fairness, form_teams, repair,
    shortfalls, solve_station, swap,
};
use fengqiao_store::Store;
use fengqiao_store::personnel::{Leave, NewLeave, NewRoster, Person, RosterRecord, RosterUpdate};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The duty pattern a build uses unless told.
pub const DEFAULT_PATTERN: &str = "three_shift";
/// Longest horizon, weeks (a quarter).
pub const MAX_WEEKS: u32 = 13;
/// Longest the solver may be given, seconds.
pub const MAX_SECONDS: f64 = 120.0;
/// Longest the solver may be given by a request to the server, seconds: a
/// request holds one of the server's workers while it solves.
pub const MAX_SERVED_SECONDS: f64 = 30.0;

/// The solver's time asked of the server: within [`MAX_SERVED_SECONDS`],
/// refused beyond it (not cut short unasked).
pub fn served_seconds(seconds: f64) -> Result<f64> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= MAX_SERVED_SECONDS) {
        return Err(Error::field(
            "seconds",
            &seconds.to_string(),
            format!(
                "above 0 and at most {MAX_SERVED_SECONDS} seconds from the server (the command line allows {MAX_SECONDS})"
            ),
        ));
    }
    Ok(seconds)
}

#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub station: String,
    /// Default: the Monday after today.
    pub first_day: Option<NaiveDate>,
    pub weeks: u32,
    /// A duty pattern's code (default: three_shift), or shift codes of the duty configuration.
    pub pattern: Vec<String>,
    pub demand: HourlyRequest,
    pub seconds: f64,
    pub seed: u64,
}

impl BuildRequest {
    pub fn new(station: &str, now: DateTime<Utc>) -> Self {
        BuildRequest {
            station: station.to_string(),
            first_day: None,
            weeks: 4,
            pattern: vec![DEFAULT_PATTERN.into()],
            demand: HourlyRequest::new(now),
            seconds: 4.0,
            seed: 1,
        }
    }
}

/// The Monday after `today`.
pub fn next_monday(today: NaiveDate) -> NaiveDate {
    today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
}

/// "鼓楼派出所" → "鼓楼巡": the stem of a station's call signs.
fn call_sign_stem(name_zh: &str, code: &str) -> String {
    let stem = name_zh.trim_end_matches("派出所").trim();
    if stem.is_empty() {
        format!("{code}-")
    } else {
        format!("{stem}巡")
    }
}

/// Crews needed each hour of a horizon of `days` from the hour-of-week need.
fn horizon_need(crews_by_hour: &[u32], first_weekday: usize, days: usize) -> Vec<u32> {
    (0..days * 24)
        .map(|h| crews_by_hour[(first_weekday * 24 + h) % 168])
        .collect()
}

/// A cycle of shift codes (or days off) as indices into `shifts`.
fn cycle_of(codes: &[Option<String>], shifts: &[StationShift]) -> Vec<Option<usize>> {
    codes
        .iter()
        .map(|c| c.as_ref().and_then(|c| shifts.iter().position(|s| &s.code == c)))
        .collect()
}

/// The pattern a build asks for: a duty pattern named by its code, or shifts named by theirs.
struct Chosen {
    code: Option<String>,
    shifts: Vec<StationShift>,
    rotation: Option<StationRotation>,
}

fn choose_pattern(duty: &DutyConfig, codes: &[String]) -> Result<Chosen> {
    let Some(p) = codes.first().filter(|_| codes.len() == 1).and_then(|c| duty.pattern(c)) else {
        return Ok(Chosen {
            code: None,
            shifts: pattern_shifts(duty, codes)?,
            rotation: None,
        });
    };
    let shifts = pattern_shifts(duty, &p.shifts)?;
    let rotation = p.rotation.as_ref().map(|r| StationRotation {
        cycle: cycle_of(&r.cycle, &shifts),
        teams: usize::from(r.teams),
        // Set from the roster's first day when it is built.
        start: 0,
    });
    Ok(Chosen {
        code: Some(p.code.clone()),
        shifts,
        rotation,
    })
}

/// The duty configuration's shifts named by `codes`, in that order.
fn pattern_shifts(duty: &DutyConfig, codes: &[String]) -> Result<Vec<StationShift>> {
    if codes.is_empty() {
        return Err(Error::field("pattern", "", "at least one shift"));
    }
    let mut shifts: Vec<StationShift> = Vec::new();
    for code in codes {
        let s = duty.shift(code).ok_or_else(|| {
            let known: Vec<_> = duty.shifts.iter().map(|x| x.code.as_str()).collect();
            Error::field("pattern", code, format!("shift {code:?}: one of {}", known.join(", ")))
        })?;
        if shifts.iter().any(|x| x.code == s.code) {
            return Err(Error::field("pattern", code, format!("shift {code:?} twice")));
        }
        shifts.push(StationShift {
            code: s.code.clone(),
            start_minute: u32::from(s.start_minute),
            minutes: u32::from(s.minutes),
            night: s.is_night(),
            flexible: s.flexible,
        });
    }
    Ok(shifts)
}

/// The duty configuration's rules for a roster of `days`.
pub(crate) fn station_rules(duty: &DutyConfig, days: usize) -> StationRules {
    let rules = &duty.rules;
    let weeks = days.div_ceil(7) as u32;
    StationRules {
        min_rest_minutes: u32::from(rules.min_rest_hours) * 60,
        rest_after_24h_minutes: u32::from(rules.rest_after_24h_hours) * 60,
        max_consecutive_days: u32::from(rules.max_consecutive_days),
        max_consecutive_nights: u32::from(rules.max_consecutive_nights),
        max_weekends: (u32::from(rules.max_weekends_per_4_weeks) * weeks).div_ceil(4),
        crew_size: u32::from(rules.crew_size),
        duty_officer: rules.officer_on_duty_every_hour,
    }
}

/// The public holidays of a roster's days and the holiday shifts each
/// person worked in the year before it (节假日轮休).
#[derive(Debug, Clone, Default)]
struct Holidays {
    /// Days (from 0) that are public holidays.
    days: Vec<usize>,
    /// Person id → holiday shifts worked in the year before the roster.
    worked_before: HashMap<i64, u32>,
}

impl Holidays {
    /// From the bureau's calendar, and the station's published rosters of
    /// the year before `first_day` (each keeps its own holidays).
    fn read(
        store: &dyn Store,
        calendar: &fengqiao_cases::WorkCalendar,
        station: &str,
        first_day: NaiveDate,
        days: usize,
    ) -> Result<Self> {
        let days = (0..days)
            .filter(|&d| calendar.is_holiday(first_day + Duration::days(d as i64)))
            .collect();
        let since = first_day - Duration::days(365);
        let mut worked: std::collections::BTreeSet<(i64, NaiveDate)> = std::collections::BTreeSet::new();
        for r in store
            .rosters(Some(station), 50)?
            .iter()
            .filter(|r| r.roster.state == "published")
        {
            let b = &r.roster.body;
            let ids: Vec<i64> = serde_json::from_value(b["people"].clone()).unwrap_or_default();
            let holidays: Vec<usize> = serde_json::from_value(b["holidays"].clone()).unwrap_or_default();
            for d in holidays {
                let date = r.roster.first_day + Duration::days(d as i64);
                if date < since || date >= first_day {
                    continue;
                }
                for (k, id) in ids.iter().enumerate() {
                    if !b["assignment"][k][d].is_null() {
                        worked.insert((*id, date));
                    }
                }
            }
        }
        let mut worked_before = HashMap::new();
        for (id, _) in worked {
            *worked_before.entry(id).or_insert(0) += 1;
        }
        Ok(Holidays { days, worked_before })
    }

    /// As a roster's body keeps them.
    fn of_body(body: &Value) -> Self {
        let worked: HashMap<String, u32> = serde_json::from_value(body["holidays_before"].clone()).unwrap_or_default();
        Holidays {
            days: serde_json::from_value(body["holidays"].clone()).unwrap_or_default(),
            worked_before: worked
                .into_iter()
                .filter_map(|(id, n)| Some((id.parse().ok()?, n)))
                .collect(),
        }
    }
}

/// The station problem for `people` over `days` from `first_day`: the duty
/// rules, each person's contract, allowed shifts, leave, wishes and turn
/// at the public holidays.
#[allow(clippy::too_many_arguments)]
fn station_problem(
    duty: &DutyConfig,
    people: &[Person],
    leave: &[Leave],
    first_day: NaiveDate,
    days: usize,
    shifts: Vec<StationShift>,
    crews: Vec<Vec<u32>>,
    holidays: &Holidays,
) -> StationProblem {
    StationProblem {
        days,
        first_weekday: first_day.weekday().num_days_from_monday() as usize,
        crews,
        rules: station_rules(duty, days),
        members: people
            .iter()
            .map(|p| Member {
                key: p.person.badge.clone(),
                sworn: p.person.kind.is_sworn(),
                allowed: shifts
                    .iter()
                    .map(|s| p.person.shifts.is_empty() || p.person.shifts.contains(&s.code))
                    .collect(),
                contract_minutes: (u32::from(p.person.weekly_hours) * 60 * days as u32) / 7,
                leave: days_of(leave, p.id, first_day, days, None),
                wishes_off: days_of(leave, p.id, first_day, days, Some(WISH_OFF))
                    .into_iter()
                    .map(|d| (d, u32::from(duty.rules.wish_off_weight)))
                    .collect(),
                wishes_on: days_of(leave, p.id, first_day, days, Some(WISH_ON))
                    .into_iter()
                    .map(|d| (d, u32::from(duty.rules.wish_on_weight)))
                    .collect(),
                holiday_off: (u32::from(duty.rules.holiday_off_step)
                    * holidays.worked_before.get(&p.id).copied().unwrap_or(0))
                .min(99),
                driver: p.person.qualifications.iter().any(|q| q == "driving"),
                overtime_minutes: 0,
                team: None,
            })
            .collect(),
        shifts,
        rotation: None,
        holidays: holidays.days.clone(),
    }
}

/// The day a rotation's cycle of `len` days is at on `day`: cycles are
/// counted from a fixed Monday, so a roster's teams go on where the one
/// before left them.
fn cycle_day(day: NaiveDate, len: usize) -> usize {
    let epoch = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    (day - epoch).num_days().rem_euclid(len.max(1) as i64) as usize
}

/// When the station's people are in as many 中队 (`team` on the roll) as
/// the rotation has teams, each 中队 is a team — in the order of their
/// numbers (一中队 A, 二中队 B…; 1队, A组 alike), else of their names — so
/// moving someone to another 中队 moves them to that team on the next roster.
fn squads_as_teams(people: &[Person], teams: usize) -> Option<HashMap<i64, usize>> {
    let mut squads: Vec<&str> = Vec::new();
    for p in people {
        let squad = p.person.team.trim();
        if !squad.is_empty() && !squads.contains(&squad) {
            squads.push(squad);
        }
    }
    squads.sort_by_key(|s| (squad_number(s).unwrap_or(u32::MAX), s.to_string()));
    (squads.len() == teams).then(|| {
        people
            .iter()
            .filter_map(|p| Some((p.id, squads.iter().position(|s| *s == p.person.team.trim())?)))
            .collect()
    })
}

/// The number a 中队's name starts with: 一 to 十, or digits.
fn squad_number(name: &str) -> Option<u32> {
    let first = name.chars().next()?;
    if let Some(n) = "一二三四五六七八九十".chars().position(|c| c == first) {
        return Some(n as u32 + 1);
    }
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Each person's team on the station's newest published roster on duty
/// pattern `pattern`: they stay in it on the next.
fn last_teams(store: &dyn Store, station: &str, pattern: Option<&str>) -> Result<HashMap<i64, usize>> {
    let Some(pattern) = pattern else {
        return Ok(HashMap::new());
    };
    let last = store
        .rosters(Some(station), 50)?
        .into_iter()
        .find(|r| r.roster.state == "published" && r.roster.body["duty_pattern"] == pattern);
    let Some(r) = last else {
        return Ok(HashMap::new());
    };
    let b = &r.roster.body;
    let ids: Vec<i64> = serde_json::from_value(b["people"].clone()).unwrap_or_default();
    let teams: Vec<Option<usize>> = serde_json::from_value(b["rotation"]["team"].clone()).unwrap_or_default();
    Ok(ids
        .into_iter()
        .zip(teams)
        .filter_map(|(id, t)| Some((id, t?)))
        .collect())
}

/// The days (from 0, of `days` from `first_day`) that person `id`'s leave
/// keeps them away (`wish` None), or that they wished off or to work (the
/// wish's kind) — a wished day that leave keeps them away is leave, not a
/// wish to grant.
fn days_of(leave: &[Leave], id: i64, first_day: NaiveDate, days: usize, wish: Option<&str>) -> Vec<usize> {
    // Leave (`None`) or one kind of wish.
    let of = |kind: Option<&str>| -> Vec<usize> {
        leave
            .iter()
            .filter(|l| l.leave.person_id == id && !l.cancelled)
            .filter(|l| match kind {
                None => keeps_away(&l.leave.kind),
                Some(k) => l.leave.kind == k,
            })
            .flat_map(|l| (0..days).filter(move |&d| l.covers(first_day + Duration::days(d as i64))))
            .collect()
    };
    let on_leave = of(None);
    match wish {
        None => on_leave,
        Some(k) => of(Some(k)).into_iter().filter(|d| !on_leave.contains(d)).collect(),
    }
}

/// What a roster's body says about its assignment: the crews with call
/// signs, the rule checks, the shortfalls and the fairness spreads.
fn outcome(sp: &StationProblem, people: &[Person], assignment: &fengqiao_roster::Roster, stem: &str) -> Value {
    let teams = form_teams(sp, assignment);
    let solved = StationRoster {
        assignment: assignment.clone(),
        teams,
        objective: 0,
        lower_bound: None,
    };
    let id_of = |i: usize| people[i].id;
    let teams: Vec<Vec<Value>> = solved
        .teams
        .iter()
        .map(|day| {
            day.iter()
                .map(|t| {
                    json!({
                        "duty": t.duty.map(id_of),
                        "crews": t.crews.iter().map(|c| json!({
                            "call_sign": format!("{stem}{:02}", c.number),
                            "members": c.members.iter().map(|&i| id_of(i)).collect::<Vec<_>>(),
                            "driver": c.driver,
                        })).collect::<Vec<_>>(),
                        "standby": t.standby.iter().map(|&i| id_of(i)).collect::<Vec<_>>(),
                        "crews_needed": t.crews_needed,
                    })
                })
                .collect()
        })
        .collect();
    json!({
        "assignment": assignment,
        "teams": teams,
        "violations": check(sp, &solved),
        "shortfalls": shortfalls(sp, &solved.teams).iter().map(|s| json!({
            "day": s.day, "shift": sp.shifts[s.shift].code, "crews_needed": s.crews_needed,
            "crews": s.crews, "duty_officer": s.duty_officer,
        })).collect::<Vec<_>>(),
        "fairness": fairness(sp, assignment),
    })
}

/// Builds and stores a draft roster for a station.
pub fn build(
    store: &dyn Store,
    duty: &DutyConfig,
    calendar: &fengqiao_cases::WorkCalendar,
    viewer: &Viewer,
    req: &BuildRequest,
    actor: &str,
    today: NaiveDate,
) -> Result<RosterRecord> {
    if !(1..=MAX_WEEKS).contains(&req.weeks) {
        return Err(Error::field(
            "weeks",
            &req.weeks.to_string(),
            format!("{} weeks: 1 to {MAX_WEEKS}", req.weeks),
        ));
    }
    if !(req.seconds.is_finite() && req.seconds > 0.0 && req.seconds <= MAX_SECONDS) {
        return Err(Error::field(
            "seconds",
            &req.seconds.to_string(),
            format!("above 0 and at most {MAX_SECONDS} seconds"),
        ));
    }
    if req.pattern.is_empty() {
        return Err(Error::field("pattern", "", "a duty pattern or at least one shift"));
    }
    let chosen = choose_pattern(duty, &req.pattern)?;
    let all_stations = stations(store)?;
    let station = all_stations.iter().find(|s| s.code == req.station).ok_or_else(|| {
        Error::field(
            "station",
            &req.station,
            format!("{:?} is not a police station on file", req.station),
        )
    })?;
    if !viewer.sees(station) {
        return Err(Error::new(
            Code::OutOfScope,
            format!("station {} is outside your jurisdiction", station.code),
        ));
    }
    let first_day = req.first_day.unwrap_or_else(|| next_monday(today));
    let days = req.weeks as usize * 7;
    let last_day = first_day + Duration::days(days as i64 - 1);
    let people: Vec<_> = store
        .personnel()?
        .into_iter()
        .filter(|p| p.active && p.person.station == station.code)
        .collect();
    if people.is_empty() {
        return Err(Error::field(
            "station",
            &station.code,
            format!("no one on the strength of {}: add personnel first", station.code),
        ));
    }
    let leave = store.leave(first_day, last_day)?;
    let holidays = Holidays::read(store, calendar, &station.code, first_day, days)?;
    let demand = weekly(store, &req.demand)?;
    let crews_by_hour = &demand
        .stations
        .iter()
        .find(|s| s.code == station.code)
        .expect("every station has its demand")
        .crews;
    let first_weekday = first_day.weekday().num_days_from_monday() as usize;
    let need = horizon_need(crews_by_hour, first_weekday, days);
    let mut shifts = chosen.shifts;
    let flexible: Vec<bool> = shifts.iter().map(|s| s.flexible).collect();
    place_flexible(&need, &[], days, &mut shifts, &flexible);
    let started = std::time::Instant::now();
    let options = fengqiao_roster::Options {
        time_limit: std::time::Duration::from_secs_f64(req.seconds),
        seed: req.seed,
        bound: true,
    };
    let refused = |e: fengqiao_roster::ProblemError| Error::input(format!("roster for {}: {e}", station.code));
    let (sp, solved, crews_per_team) = match &chosen.rotation {
        None => {
            let crews = crews_for(&need, &[], days, &shifts);
            let sp = station_problem(duty, &people, &leave, first_day, days, shifts, crews, &holidays);
            let solved = solve_station(&sp, &options).map_err(refused)?;
            (sp, solved, None)
        }
        Some(rotation) => {
            let crews = vec![vec![0; shifts.len()]; days];
            let mut sp = station_problem(duty, &people, &leave, first_day, days, shifts, crews, &holidays);
            // Teams are the station's 中队 when it has one for each; else each
            // keeps the team they had. The teams keep their place in the cycle.
            let kept = match squads_as_teams(&people, rotation.teams) {
                Some(squads) => squads,
                None => last_teams(store, &station.code, chosen.code.as_deref())?,
            };
            for (m, p) in sp.members.iter_mut().zip(&people) {
                m.team = kept.get(&p.id).copied();
            }
            let rotation = StationRotation {
                start: cycle_day(first_day, rotation.cycle.len()),
                ..rotation.clone()
            };
            let r = solve_rotation(&sp, &rotation, &need, &options).map_err(refused)?;
            (r.problem, r.roster, Some(r.crews_per_team))
        }
    };
    let stem = call_sign_stem(&station.name_zh, &station.code);
    let mut body = outcome(&sp, &people, &solved.assignment, &stem);
    body["pattern"] = json!(sp.shifts.iter().map(|s| &s.code).collect::<Vec<_>>());
    // Each shift's start and length as rostered, so the roster is read the same if the configuration changes.
    body["shift_times"] = json!(
        sp.shifts
            .iter()
            .map(|s| [s.start_minute, s.minutes])
            .collect::<Vec<_>>()
    );
    body["people"] = json!(people.iter().map(|p| p.id).collect::<Vec<_>>());
    body["duty_pattern"] = json!(chosen.code);
    body["holidays"] = json!(holidays.days);
    body["holidays_before"] = json!(
        holidays
            .worked_before
            .iter()
            .filter(|(id, _)| people.iter().any(|p| p.id == **id))
            .map(|(id, n)| (id.to_string(), *n))
            .collect::<std::collections::BTreeMap<_, _>>()
    );
    if let Some(r) = &sp.rotation {
        body["rotation"] = json!({
            "cycle": r.cycle.iter().map(|s| s.map(|s| &sp.shifts[s].code)).collect::<Vec<_>>(),
            "teams": r.teams,
            "start": r.start,
            "crews_per_team": crews_per_team,
            "team": sp.members.iter().map(|m| m.team).collect::<Vec<_>>(),
        });
    }
    body["demand"] = json!(sp.crews);
    body["objective"] = json!(solved.objective);
    body["lower_bound"] = json!(solved.lower_bound);
    body["basis"] = json!({
        "dataset": demand.dataset, "history_weeks": demand.history_weeks, "history_from": demand.history_from,
        "history_to": demand.history_to, "incidents": demand.incidents, "service_minutes": demand.service_minutes,
        "service_basis": demand.service_basis, "target_minutes": demand.target_minutes, "level": demand.level,
    });
    body["seconds"] = json!(started.elapsed().as_secs_f64());
    body["requests"] = json!([]);
    body["changes"] = json!([]);
    let new = NewRoster {
        station: station.code.clone(),
        first_day,
        days: days as u32,
        state: "draft".into(),
        body,
    };
    let at = Utc::now();
    let id = store.add_roster(&new, at, actor)?;
    Ok(RosterRecord {
        id,
        roster: new,
        version: 1,
        changed_at: at,
        changed_by: actor.to_string(),
    })
}

/// Roster `id` with its station, if the reader may see that station
/// (another station's roster reads as not found).
fn in_sight(store: &dyn Store, viewer: &Viewer, id: i64) -> Result<(RosterRecord, fengqiao_domain::Facility)> {
    let missing = || Error::not_found(format!("no roster {id}"));
    let r = store.roster(id)?.ok_or_else(missing)?;
    let station = stations(store)?
        .into_iter()
        .find(|s| s.code == r.roster.station)
        .filter(|s| viewer.sees(s))
        .ok_or_else(missing)?;
    Ok((r, station))
}

/// A roster as `viewer` may see it: its people with badge, name (masked
/// unless the role handles personal data), kind and team.
pub fn view(store: &dyn Store, viewer: &Viewer, id: i64) -> Result<Value> {
    let (r, station) = in_sight(store, viewer, id)?;
    let registry = store.personnel()?;
    let ids: Vec<i64> = serde_json::from_value(r.roster.body["people"].clone()).unwrap_or_default();
    let people: Vec<Value> = ids
        .iter()
        .map(|pid| match registry.iter().find(|p| p.id == *pid) {
            Some(p) => {
                let name = if viewer.personal_data {
                    p.person.name.clone()
                } else {
                    fengqiao_cases::privacy::mask_name(&p.person.name)
                };
                json!({"id": p.id, "badge": p.person.badge, "name": name, "kind": p.person.kind, "team": p.person.team,
                       "driver": p.person.qualifications.iter().any(|q| q == "driving")})
            }
            None => json!({"id": pid}),
        })
        .collect();
    let first = r.roster.first_day;
    let last = first + Duration::days(i64::from(r.roster.days) - 1);
    // Leave and wishes as recorded now (a wish made after the roster was
    // built shows, granted or not, as the roster stands).
    let on_file = store.leave(first, last)?;
    let (mut leave_days, mut off_days, mut on_days) =
        (serde_json::Map::new(), serde_json::Map::new(), serde_json::Map::new());
    let (mut wishes, mut granted) = (0usize, 0usize);
    for (k, pid) in ids.iter().enumerate() {
        let days = r.roster.days as usize;
        let away = days_of(&on_file, *pid, first, days, None);
        if !away.is_empty() {
            leave_days.insert(pid.to_string(), json!(away));
        }
        let row = &r.roster.body["assignment"][k];
        for (kind, into) in [(WISH_OFF, &mut off_days), (WISH_ON, &mut on_days)] {
            let wished = days_of(&on_file, *pid, first, days, Some(kind));
            if !wished.is_empty() {
                wishes += wished.len();
                // Off on a day wished off, on duty on a day wished to work.
                granted += wished
                    .iter()
                    .filter(|&&d| row[d].is_null() == (kind == WISH_OFF))
                    .count();
                into.insert(pid.to_string(), json!(wished));
            }
        }
    }
    let mut out = json!(r);
    out["leave"] = json!(leave_days);
    out["wishes_off"] = json!(off_days);
    out["wishes_on"] = json!(on_days);
    out["wishes_granted"] = json!({"granted": granted, "wished": wishes});
    out["station_name_zh"] = json!(station.name_zh);
    out["station_name_en"] = json!(station.name_en);
    out["body"]["people"] = json!(people);
    Ok(out)
}

/// A station's rosters (newest first), without their bodies' detail.
pub fn list(store: &dyn Store, viewer: &Viewer, station: &str) -> Result<Vec<Value>> {
    let s = stations(store)?
        .into_iter()
        .find(|s| s.code == station)
        .ok_or_else(|| {
            Error::field(
                "station",
                station,
                format!("{station:?} is not a police station on file"),
            )
        })?;
    if !viewer.sees(&s) {
        return Err(Error::new(
            Code::OutOfScope,
            format!("station {station} is outside your jurisdiction"),
        ));
    }
    Ok(store
        .rosters(Some(station), 50)?
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id, "station": r.roster.station, "first_day": r.roster.first_day, "days": r.roster.days,
                "state": r.roster.state, "version": r.version, "changed_at": r.changed_at, "changed_by": r.changed_by,
                "shortfalls": r.roster.body["shortfalls"].as_array().map_or(0, Vec::len),
                "violations": r.roster.body["violations"].as_array().map_or(0, Vec::len),
            })
        })
        .collect())
}

/// Publishes a draft: the roster the station works to.
pub fn publish(store: &dyn Store, viewer: &Viewer, id: i64, version: u32, actor: &str) -> Result<RosterRecord> {
    let (r, _) = in_sight(store, viewer, id)?;
    if r.roster.state == "published" {
        return Err(Error::conflict(format!("roster {id} is published already")));
    }
    Ok(store.update_roster(id, "published", &r.roster.body, version, Utc::now(), actor)?)
}

/// The station problem behind a stored roster, with today's registry,
/// leave and duty rules: what a repair or a swap is checked against.
pub(crate) struct Stored {
    pub(crate) record: RosterRecord,
    /// The call signs' stem of its station.
    stem: String,
    pub(crate) people: Vec<fengqiao_store::personnel::Person>,
    pub(crate) sp: StationProblem,
    pub(crate) assignment: fengqiao_roster::Roster,
}

pub(crate) fn load(store: &dyn Store, duty: &DutyConfig, viewer: &Viewer, id: i64) -> Result<Stored> {
    load_with_leave(store, duty, viewer, id, None)
}

/// [`load`], as if `pending` leave were stored already (it is stored with
/// the roster's repair, in one transaction).
fn load_with_leave(
    store: &dyn Store,
    duty: &DutyConfig,
    viewer: &Viewer,
    id: i64,
    pending: Option<&NewLeave>,
) -> Result<Stored> {
    let (record, station) = in_sight(store, viewer, id)?;
    let body = &record.roster.body;
    let codes: Vec<String> = serde_json::from_value(body["pattern"].clone()).unwrap_or_default();
    let mut shifts = pattern_shifts(duty, &codes)?;
    // As rostered: a flexible shift's start was placed by the build.
    let times: Vec<[u32; 2]> = serde_json::from_value(body["shift_times"].clone()).unwrap_or_default();
    for (s, [start, minutes]) in shifts.iter_mut().zip(times) {
        s.start_minute = start;
        s.minutes = minutes;
        s.night = works_night(start, minutes);
    }
    let ids: Vec<i64> = serde_json::from_value(body["people"].clone()).unwrap_or_default();
    let registry = store.personnel()?;
    let people: Vec<_> = ids
        .iter()
        .map(|pid| {
            registry
                .iter()
                .find(|p| p.id == *pid)
                .cloned()
                .ok_or_else(|| Error::internal(format!("roster {id} names person {pid}, not on file")))
        })
        .collect::<Result<_>>()?;
    let crews: Vec<Vec<u32>> = serde_json::from_value(body["demand"].clone()).unwrap_or_default();
    let assignment: fengqiao_roster::Roster = serde_json::from_value(body["assignment"].clone()).unwrap_or_default();
    let first_day = record.roster.first_day;
    let days = record.roster.days as usize;
    if crews.len() != days || assignment.len() != people.len() {
        return Err(Error::internal(format!(
            "roster {id}: its body does not match its days and people"
        )));
    }
    let mut leave = store.leave(first_day, first_day + Duration::days(days as i64 - 1))?;
    leave.extend(pending.map(|l| Leave {
        id: 0,
        leave: l.clone(),
        cancelled: false,
        version: 1,
        added_at: Utc::now(),
        added_by: String::new(),
    }));
    let mut sp = station_problem(
        duty,
        &people,
        &leave,
        first_day,
        days,
        shifts,
        crews,
        &Holidays::of_body(body),
    );
    if let Some(r) = body.get("rotation").filter(|r| r.is_object()) {
        let codes: Vec<Option<String>> = serde_json::from_value(r["cycle"].clone()).unwrap_or_default();
        let team: Vec<Option<usize>> = serde_json::from_value(r["team"].clone()).unwrap_or_default();
        let rotation = StationRotation {
            cycle: cycle_of(&codes, &sp.shifts),
            teams: r["teams"].as_u64().unwrap_or(1) as usize,
            // Rosters stored before the cycle was dated began it on their first day.
            start: r["start"].as_u64().unwrap_or(0) as usize,
        };
        for (m, t) in sp.members.iter_mut().zip(team) {
            m.team = t;
        }
        sp.rotation = Some(rotation);
        allow_cycle_hours(&mut sp);
    }
    let events = body["changes"].as_array().cloned().unwrap_or_default();
    allow_overtime(&mut sp, &people, first_day, &assignment, &events);
    Ok(Stored {
        stem: call_sign_stem(&station.name_zh, &station.code),
        record,
        people,
        sp,
        assignment,
    })
}

impl Stored {
    fn member(&self, person_id: i64) -> Result<usize> {
        self.people.iter().position(|p| p.id == person_id).ok_or_else(|| {
            Error::field(
                "person_id",
                &person_id.to_string(),
                format!("person {person_id} is not on this roster"),
            )
        })
    }

    pub(crate) fn day(&self, day: NaiveDate) -> Result<usize> {
        let k = (day - self.record.roster.first_day).num_days();
        if k < 0 || k >= i64::from(self.record.roster.days) {
            return Err(Error::field(
                "day",
                &day.to_string(),
                format!("{day} is not a day of roster {}", self.record.id),
            ));
        }
        Ok(k as usize)
    }

    /// The body with a new assignment, its crews and checks recomputed,
    /// and what changed appended to its history.
    fn rewritten(&self, assignment: &fengqiao_roster::Roster, event: Value) -> Value {
        self.rewritten_for(&self.sp, assignment, event)
    }

    /// [`Stored::rewritten`] against another demand (a duty level raised or lowered).
    pub(crate) fn rewritten_for(
        &self,
        sp: &StationProblem,
        assignment: &fengqiao_roster::Roster,
        event: Value,
    ) -> Value {
        let mut body = self.record.roster.body.clone();
        body["demand"] = json!(sp.crews);
        let mut sp = sp.clone();
        allow_overtime(
            &mut sp,
            &self.people,
            self.record.roster.first_day,
            assignment,
            std::slice::from_ref(&event),
        );
        let out = outcome(&sp, &self.people, assignment, &self.stem);
        for key in ["assignment", "teams", "violations", "shortfalls", "fairness"] {
            body[key] = out[key].clone();
        }
        match body["changes"].as_array_mut() {
            Some(list) => list.push(event),
            None => body["changes"] = json!([event]),
        }
        body
    }

    /// Stores `body` as the roster's next version, in the state it was in.
    pub(crate) fn save(&self, store: &dyn Store, body: &Value, actor: &str) -> Result<()> {
        store.update_rosters(&[self.update(body)], Utc::now(), actor)?;
        Ok(())
    }

    /// This roster rewritten to `body`, from the version it was loaded at.
    pub(crate) fn update<'a>(&'a self, body: &'a Value) -> RosterUpdate<'a> {
        RosterUpdate {
            id: self.record.id,
            state: &self.record.roster.state,
            body,
            expected_version: self.record.version,
        }
    }

    pub(crate) fn cells(&self, changes: &[Change]) -> Value {
        let first = self.record.roster.first_day;
        json!(
            changes
                .iter()
                .map(|c| json!({
                    "person": self.people[c.member].id,
                    "day": first + Duration::days(c.day as i64),
                    "from": c.from.map(|s| self.sp.shifts[s].code.clone()),
                    "to": c.to.map(|s| self.sp.shifts[s].code.clone()),
                    "overtime": c.overtime,
                }))
                .collect::<Vec<_>>()
        )
    }
}

/// Most changed shifts a roster message lists (the rest counted).
const MESSAGE_CELLS: usize = 10;

/// A roster change in words for the station's group: what happened and
/// who works what instead, in Chinese (the station's own people, named).
fn change_text(duty: &DutyConfig, station: &str, stored: &Stored, event: &Value) -> String {
    let shift = |v: &Value| {
        v.as_str().map_or("休".to_string(), |c| {
            duty.shift(c).map_or(c.to_string(), |s| s.name_zh.clone())
        })
    };
    let who = |v: &Value| {
        stored
            .people
            .iter()
            .find(|p| Some(p.id) == v.as_i64())
            .map_or_else(|| v.to_string(), |p| format!("{}（{}）", p.person.name, p.person.badge))
    };
    let day = |v: &Value| {
        serde_json::from_value::<NaiveDate>(v.clone())
            .map_or_else(|_| v.to_string(), |d| d.format("%-m月%-d日").to_string())
    };
    let head = match event["kind"].as_str() {
        Some("sick") => format!(
            "{} 病假（{}至{}）",
            who(&event["person"]),
            day(&event["first_day"]),
            day(&event["last_day"])
        ),
        Some("swap") => "换班已批准".to_string(),
        Some("level") => format!(
            "{}至{} 启动{}（{}）",
            day(&event["first_day"]),
            day(&event["last_day"]),
            event["name_zh"].as_str().unwrap_or(""),
            event["reason"].as_str().unwrap_or("")
        ),
        Some("level_lowered") => format!(
            "{}自{}起解除",
            event["name_zh"].as_str().unwrap_or(""),
            day(&event["first_day"])
        ),
        _ => "排班调整".to_string(),
    };
    let cells = event["cells"].as_array().cloned().unwrap_or_default();
    if cells.is_empty() {
        return format!("【枫桥·排班】{station}：{head}，排班无需调整。");
    }
    let mut lines: Vec<String> = cells
        .iter()
        .take(MESSAGE_CELLS)
        .map(|c| {
            format!(
                "{} {} {}→{}{}",
                day(&c["day"]),
                who(&c["person"]),
                shift(&c["from"]),
                shift(&c["to"]),
                if c["overtime"] == true { "（加班）" } else { "" }
            )
        })
        .collect();
    if cells.len() > MESSAGE_CELLS {
        lines.push(format!("等共 {} 处", cells.len()));
    }
    format!(
        "【枫桥·排班】{station}：{head}，调整 {} 处：{}。",
        cells.len(),
        lines.join("；")
    )
}

/// Tells the station's channels (its group) what a saved change did to the
/// roster, now at the version after `stored`'s.
pub(crate) fn announce(
    store: &dyn Store,
    duty: &DutyConfig,
    notify: &crate::notify::Channels,
    stored: &Stored,
    event: &Value,
) -> Result<usize> {
    let code = &stored.record.roster.station;
    if !notify.channels.iter().any(|c| c.stations.contains(code)) {
        return Ok(0);
    }
    let name = stations(store)?
        .into_iter()
        .find(|s| &s.code == code)
        .map_or_else(|| code.clone(), |s| s.name_zh);
    crate::notify::after_roster_change(
        store,
        notify,
        code,
        (stored.record.id, stored.record.version + 1),
        event["kind"].as_str().unwrap_or("change"),
        &change_text(duty, &name, stored, event),
    )
}

/// Overtime the events' repairs gave (加班, marked) and still worked is
/// allowed beyond the contract: a roster that holds it breaks no rule.
pub(crate) fn allow_overtime(
    sp: &mut StationProblem,
    people: &[Person],
    first_day: NaiveDate,
    assignment: &fengqiao_roster::Roster,
    events: &[Value],
) {
    let cells = events
        .iter()
        .flat_map(|e| e["cells"].as_array().into_iter().flatten())
        .filter(|c| c["overtime"] == true);
    for cell in cells {
        let i = people.iter().position(|p| Some(p.id) == cell["person"].as_i64());
        let d = serde_json::from_value::<NaiveDate>(cell["day"].clone())
            .ok()
            .and_then(|day| usize::try_from((day - first_day).num_days()).ok())
            .filter(|&d| d < sp.days);
        let s = sp
            .shifts
            .iter()
            .position(|x| Some(x.code.as_str()) == cell["to"].as_str());
        if let (Some(i), Some(d), Some(s)) = (i, d, s)
            && assignment[i][d] == Some(s)
        {
            sp.members[i].overtime_minutes += sp.shifts[s].minutes;
        }
    }
}

pub(crate) fn check_version(stored: &Stored, version: u32) -> Result<()> {
    if stored.record.version != version {
        return Err(Error::conflict(format!(
            "roster {} is at version {}, not {version}: reload and try again",
            stored.record.id, stored.record.version
        )));
    }
    Ok(())
}

/// A sick call: the leave is recorded and the roster repaired from its
/// first day (or today, if later) with as few changes as possible; the
/// changes are listed in the roster's history. Returns them.
#[allow(clippy::too_many_arguments)]
pub fn sick_call(
    store: &dyn Store,
    duty: &DutyConfig,
    notify: &crate::notify::Channels,
    viewer: &Viewer,
    id: i64,
    version: u32,
    person_id: i64,
    first_day: NaiveDate,
    last_day: NaiveDate,
    actor: &str,
    today: NaiveDate,
) -> Result<Value> {
    let before = load(store, duty, viewer, id)?;
    check_version(&before, version)?;
    before.member(person_id)?;
    let leave = crate::personnel::checked_leave(
        store,
        viewer,
        &NewLeave {
            person_id,
            kind: "sick".into(),
            first_day,
            last_day,
            note: format!("roster {id}"),
        },
    )?;
    let stored = load_with_leave(store, duty, viewer, id, Some(&leave))?;
    let from = (first_day.max(today) - stored.record.roster.first_day)
        .num_days()
        .max(0) as usize;
    let (assignment, changes) = repair(&stored.sp, &stored.assignment, from.min(stored.sp.days));
    let event = json!({
        "kind": "sick", "person": person_id, "first_day": first_day, "last_day": last_day,
        "at": Utc::now(), "by": actor, "cells": stored.cells(&changes),
    });
    let body = stored.rewritten(&assignment, event.clone());
    // The leave and the repair it needs are stored together, or neither is.
    store.add_leave_with_rosters(&leave, &[stored.update(&body)], Utc::now(), actor)?;
    announce(store, duty, notify, &stored, &event)?;
    Ok(event)
}

/// Asks for two people to exchange what they work on a day; the request
/// waits for a commander, with whether it keeps the rules now.
#[allow(clippy::too_many_arguments)]
pub fn request_swap(
    store: &dyn Store,
    duty: &DutyConfig,
    viewer: &Viewer,
    id: i64,
    version: u32,
    person_id: i64,
    with_id: i64,
    day: NaiveDate,
    and_day: Option<NaiveDate>,
    note: &str,
    actor: &str,
) -> Result<Value> {
    let stored = load(store, duty, viewer, id)?;
    check_version(&stored, version)?;
    let (a, b) = (stored.member(person_id)?, stored.member(with_id)?);
    let mut days = vec![stored.day(day)?];
    if let Some(e) = and_day {
        let e = stored
            .day(e)
            .map_err(|e| e.with_details(json!({"parameter": "and_day"})))?;
        if e == days[0] {
            return Err(Error::field(
                "and_day",
                &e.to_string(),
                "a second day other than the first",
            ));
        }
        days.push(e);
    }
    let note = note.trim();
    if note.chars().count() > 200 {
        return Err(Error::field("note", note, "a note of at most 200 characters"));
    }
    fengqiao_cases::text::check("note", note).map_err(|e| Error::field("note", note, e.to_string()))?;
    let why = match swap(&stored.sp, &stored.assignment, a, b, &days) {
        Ok(_) => vec![],
        Err(why) => why,
    };
    let reasons: Vec<String> = why.iter().map(ToString::to_string).collect();
    let breaches = breaches(&why, stored.record.roster.first_day);
    let mut body = stored.record.roster.body.clone();
    let requests = body["requests"].as_array().cloned().unwrap_or_default();
    let n = requests.len() + 1;
    let request = json!({
        "n": n, "person": person_id, "with": with_id, "day": day, "and_day": and_day, "note": note, "state": "pending",
        "keeps_rules": reasons.is_empty(), "reasons": reasons, "breaches": breaches, "requested_by": actor, "requested_at": Utc::now(),
    });
    let mut requests = requests;
    requests.push(request.clone());
    body["requests"] = json!(requests);
    store.update_roster(id, &stored.record.roster.state, &body, version, Utc::now(), actor)?;
    Ok(request)
}

/// Broken rules as the pages read them: the rule, whose (badge) and its
/// figures, with each day also as its date.
fn breaches(why: &[Violation], first_day: NaiveDate) -> Value {
    json!(
        why.iter()
            .map(|v| {
                let mut b = json!(v);
                if let Some(d) = b["day"].as_i64() {
                    b["date"] = json!(first_day + Duration::days(d));
                }
                b
            })
            .collect::<Vec<_>>()
    )
}

/// A decision on a swap request: `approve` (true) or `refuse` (false).
pub fn decision(text: &str) -> Result<bool> {
    match text {
        "approve" => Ok(true),
        "refuse" => Ok(false),
        other => Err(Error::field(
            "decision",
            other,
            format!("decision {other:?}: approve or refuse"),
        )),
    }
}

/// A commander approves a pending swap (applied if it still keeps every
/// rule, refused with the reasons otherwise) or refuses it.
#[allow(clippy::too_many_arguments)]
pub fn decide_swap(
    store: &dyn Store,
    duty: &DutyConfig,
    notify: &crate::notify::Channels,
    viewer: &Viewer,
    id: i64,
    version: u32,
    n: usize,
    approve: bool,
    actor: &str,
) -> Result<Value> {
    let stored = load(store, duty, viewer, id)?;
    check_version(&stored, version)?;
    let mut requests = stored.record.roster.body["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let k = requests
        .iter()
        .position(|r| r["n"].as_u64() == Some(n as u64))
        .ok_or_else(|| Error::not_found(format!("no swap request {n} on roster {id}")))?;
    if requests[k]["state"] != "pending" {
        return Err(Error::conflict(format!(
            "swap request {n} is {} already",
            requests[k]["state"]
        )));
    }
    let decided = json!({"decided_by": actor, "decided_at": Utc::now()});
    let (mut body, event) = if approve {
        let r = &requests[k];
        let (a, b) = (
            stored.member(r["person"].as_i64().unwrap_or(-1))?,
            stored.member(r["with"].as_i64().unwrap_or(-1))?,
        );
        let mut days = Vec::new();
        for key in ["day", "and_day"] {
            if let Ok(d) = serde_json::from_value::<NaiveDate>(r[key].clone()) {
                days.push(stored.day(d)?);
            }
        }
        let (assignment, changes) = swap(&stored.sp, &stored.assignment, a, b, &days).map_err(|why| {
            let reasons: Vec<String> = why.iter().map(ToString::to_string).collect();
            Error::new(
                Code::InvalidInput,
                format!("the swap would break the rules: {}", reasons.join("; ")),
            )
            .with_details(json!({"parameter": "n", "value": n, "reasons": reasons,
                                 "breaches": breaches(&why, stored.record.roster.first_day)}))
        })?;
        let event =
            json!({"kind": "swap", "request": n, "at": Utc::now(), "by": actor, "cells": stored.cells(&changes)});
        (stored.rewritten(&assignment, event.clone()), Some(event))
    } else {
        (stored.record.roster.body.clone(), None)
    };
    requests[k]["state"] = json!(if approve { "approved" } else { "refused" });
    requests[k]["decided_by"] = decided["decided_by"].clone();
    requests[k]["decided_at"] = decided["decided_at"].clone();
    body["requests"] = json!(requests);
    store.update_roster(id, &stored.record.roster.state, &body, version, Utc::now(), actor)?;
    if let Some(event) = &event {
        announce(store, duty, notify, &stored, event)?;
    }
    Ok(body["requests"][k].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squads_are_ordered_by_their_numbers() {
        let ranked: Vec<Option<u32>> = ["一中队", "四中队", "十中队", "3队", "A组", ""]
            .iter()
            .map(|s| squad_number(s))
            .collect();
        assert_eq!(ranked, [Some(1), Some(4), Some(10), Some(3), None, None]);
    }

    #[test]
    fn a_shift_needs_the_most_any_of_its_hours_needs() {
        let mut by_hour = vec![1u32; 168];
        by_hour[9] = 3; // Monday 09:00
        by_hour[24 * 7 - 1] = 2; // Sunday 23:00
        let duty = DutyConfig::builtin();
        let shifts = pattern_shifts(&duty, &["day".into(), "evening".into()]).unwrap();
        let c = crews_for(&horizon_need(&by_hour, 6, 2), &[], 2, &shifts);
        // Day 0 is a Sunday: its evening reaches 23:00; day 1 is Monday: its day shift holds 09:00.
        assert_eq!(c, vec![vec![1, 2], vec![3, 1]]);
        let chosen = choose_pattern(&duty, &["four_team_three_shift".into()]).unwrap();
        let r = chosen.rotation.unwrap();
        assert_eq!((r.teams, r.cycle.len(), r.cycle[0], r.cycle[4]), (4, 8, Some(0), None));
        assert_eq!(chosen.shifts.len(), 4);
        assert!(
            choose_pattern(&duty, &["day".into(), "peak".into()])
                .unwrap()
                .rotation
                .is_none()
        );
        assert_eq!(next_monday("2026-12-04".parse().unwrap()).to_string(), "2026-12-07");
        assert_eq!(next_monday("2026-12-07".parse().unwrap()).to_string(), "2026-12-14");
        assert_eq!(call_sign_stem("鼓楼派出所", "PS01"), "鼓楼巡");
    }
}
