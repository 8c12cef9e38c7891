//! A station rostered on a rotation (四班三运转, 四班两运转, 24-hour 值班):
//! teams A, B, C… work a fixed cycle of shifts, each a few days behind the
//! one before, so every shift of the cycle has a team every day; the
//! others (机动) are rostered shift by shift where the teams fall short of
//! the calls — a team member on leave, or the busy hours, often on the
//! pattern's peak shift.
//!
//! How many crews a team holds is chosen so that what the teams give beyond
//! the calls is least while the 机动 group can still cover the rest.

use crate::cover::{crews_for, hours};
use crate::problem::ProblemError;
use crate::solve::Options;
use crate::station::{StationProblem, StationRoster, form_teams, solve_station};
use serde::Serialize;

/// A rotation over the station problem's shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationRotation {
    /// Day by day: a shift of the problem, or a day off.
    pub cycle: Vec<Option<usize>>,
    pub teams: usize,
    /// The cycle's day that the horizon's first day is, for team A: counted
    /// from a fixed date, so that one roster's teams go on where the last
    /// one's stopped.
    pub start: usize,
}

impl StationRotation {
    /// 1 if a shift of the cycle has a duty officer, whom the team gives.
    fn duty_officers(&self, sp: &StationProblem) -> u32 {
        u32::from(self.cycle.iter().flatten().any(|&s| sp.wants_duty_officer(s)))
    }

    fn offset(&self) -> usize {
        self.cycle.len() / self.teams.max(1)
    }

    /// The shift team `k` works on day `d` of the horizon.
    pub fn shift_of(&self, team: usize, day: usize) -> Option<usize> {
        self.cycle[(self.start + day + team * self.offset()) % self.cycle.len()]
    }

    /// Minutes a team member works over `days`.
    fn minutes(&self, sp: &StationProblem, team: usize, days: usize) -> u32 {
        (0..days)
            .filter_map(|d| self.shift_of(team, d))
            .map(|s| sp.shifts[s].minutes)
            .sum()
    }
}

/// A rotation roster: the station roster, its problem with the crews
/// needed and each member's team, and the crews a full team holds.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub problem: StationProblem,
    pub roster: StationRoster,
    pub crews_per_team: u32,
}

/// A member may join a team if they may work every shift of the cycle and
/// their contract holds at least this share of the cycle's hours (the rest
/// is overtime, marked).
const CONTRACT_SHARE: f64 = 0.9;

/// Rosters `sp` (its crews are ignored) on `rotation`, for `need[hour]`
/// crews over the horizon's hours.
pub fn solve_rotation(
    sp: &StationProblem,
    rotation: &StationRotation,
    need: &[u32],
    opt: &Options,
) -> Result<Rotated, ProblemError> {
    let bad = |m: String| Err(ProblemError::Invalid(m));
    if rotation.teams == 0 || rotation.cycle.is_empty() || !rotation.cycle.len().is_multiple_of(rotation.teams) {
        return bad("a rotation needs teams dividing its cycle".into());
    }
    if rotation.cycle.iter().flatten().any(|&s| s >= sp.shifts.len()) {
        return bad("the cycle names a shift the problem does not have".into());
    }
    let eligible: Vec<usize> = (0..sp.members.len())
        .filter(|&i| {
            let m = &sp.members[i];
            let may = rotation.cycle.iter().flatten().all(|&s| m.allowed[s]);
            may && f64::from(m.contract_minutes) >= CONTRACT_SHARE * f64::from(rotation.minutes(sp, 0, sp.days))
        })
        .collect();
    let size = sp.rules.crew_size.max(1);
    let duty = rotation.duty_officers(sp);
    let sworn = eligible.iter().filter(|&&i| sp.members[i].sworn).count() as u32;
    let most = (sworn / rotation.teams as u32).saturating_sub(duty);
    if most == 0 {
        let weekly_hours = f64::from(rotation.minutes(sp, 0, sp.days)) * 7.0 / (60.0 * sp.days.max(1) as f64);
        return bad(format!(
            "{} teams need at least {} sworn officers who may work every shift of the cycle \
             and whose contracts hold {:.0} % of its {weekly_hours:.1} hours a week; {sworn} may",
            rotation.teams,
            rotation.teams as u32 * (1 + duty),
            CONTRACT_SHARE * 100.0
        ));
    }
    let crews_per_team = least_shift_need(sp, rotation, need).clamp(1, most);
    let mut problem = sp.clone();
    let team = assign_teams(sp, rotation, &eligible, crews_per_team, size);
    let (rows, on) = team_rows(sp, rotation, &team);
    let extra = crews_for(need, &on_by_hour(sp, &on), sp.days, &sp.shifts);
    for (d, row) in problem.crews.iter_mut().enumerate() {
        for (s, c) in row.iter_mut().enumerate() {
            *c = on[d][s] + extra[d][s];
        }
    }
    for (m, &t) in problem.members.iter_mut().zip(&team) {
        m.team = t;
    }
    problem.rotation = Some(rotation.clone());
    allow_cycle_hours(&mut problem);
    // The 机动 group on what the teams leave: the teams hold the duty officer.
    let free: Vec<usize> = (0..sp.members.len()).filter(|&i| team[i].is_none()).collect();
    let mut assignment = rows;
    let mut objective = 0;
    let mut lower_bound = None;
    if !free.is_empty() {
        let mut sub = problem.clone();
        sub.members = free.iter().map(|&i| problem.members[i].clone()).collect();
        sub.crews = extra;
        sub.rules.duty_officer = false;
        let solved = solve_station(&sub, opt)?;
        objective = solved.objective;
        lower_bound = solved.lower_bound;
        for (row, &i) in solved.assignment.into_iter().zip(&free) {
            assignment[i] = row;
        }
    }
    let teams = form_teams(&problem, &assignment);
    Ok(Rotated {
        roster: StationRoster {
            assignment,
            teams,
            objective,
            lower_bound,
        },
        problem,
        crews_per_team,
    })
}

/// Hours a team member works beyond their contract on the cycle: allowed
/// as overtime, so that the cycle breaks no contract rule.
pub fn allow_cycle_hours(sp: &mut StationProblem) {
    let days = sp.days;
    for i in 0..sp.members.len() {
        let worked = sp.cycle_minutes(i, true);
        let m = &mut sp.members[i];
        let free = days - m.leave.iter().filter(|&&d| d < days).count();
        let capacity = (f64::from(m.contract_minutes) * free as f64 / days as f64).floor() as u32;
        m.overtime_minutes = m.overtime_minutes.max(worked.saturating_sub(capacity));
    }
}

/// Teams of `crews` crews each (a sworn lead a crew, a sworn duty officer
/// where the cycle's shifts want one, auxiliaries in the other seats; sworn
/// officers where auxiliaries run out). Those in a team on the station's
/// last roster (`Member::team` as given) stay in it while it has room; the
/// others are dealt round the teams so drivers and those with fewest days of
/// leave spread evenly. The rest are 机动.
fn assign_teams(
    sp: &StationProblem,
    rotation: &StationRotation,
    eligible: &[usize],
    crews: u32,
    size: u32,
) -> Vec<Option<usize>> {
    let teams = rotation.teams;
    let duty = rotation.duty_officers(sp);
    let order = |sworn: bool| {
        let mut v: Vec<usize> = eligible
            .iter()
            .copied()
            .filter(|&i| sp.members[i].sworn == sworn)
            .collect();
        v.sort_by_key(|&i| (!sp.members[i].driver, sp.members[i].leave.len(), i));
        v
    };
    let seats = crews * (size - 1);
    let aux_left = order(false).len() as u32 / teams as u32;
    // Places a team has for the sworn (leads, the duty officer, auxiliary
    // seats no auxiliary fills) and for auxiliaries.
    let places = |sworn: bool| {
        if sworn {
            crews + duty + seats.saturating_sub(aux_left)
        } else {
            seats.min(aux_left)
        }
    };
    let mut team: Vec<Option<usize>> = vec![None; sp.members.len()];
    for sworn in [true, false] {
        let mut room = vec![places(sworn); teams];
        let people = order(sworn);
        // Those in a team before stay in it while it has room…
        for &i in &people {
            if let Some(k) = sp.members[i].team.filter(|&k| k < teams && room[k] > 0) {
                team[i] = Some(k);
                room[k] -= 1;
            }
        }
        // …and the others are dealt round the teams with room.
        let mut k = 0;
        let rest: Vec<usize> = people.iter().copied().filter(|&i| team[i].is_none()).collect();
        for i in rest {
            let Some(next) = (0..teams).map(|j| (k + j) % teams).find(|&t| room[t] > 0) else {
                break;
            };
            team[i] = Some(next);
            room[next] -= 1;
            k = next + 1;
        }
    }
    team
}

/// Each member's row on their team's cycle (a day off on leave or where a
/// shift is not allowed; 机动 rows empty), and the crews the teams give.
fn team_rows(
    sp: &StationProblem,
    rotation: &StationRotation,
    team: &[Option<usize>],
) -> (crate::Roster, Vec<Vec<u32>>) {
    let rows: crate::Roster = sp
        .members
        .iter()
        .zip(team)
        .map(|(m, t)| {
            (0..sp.days)
                .map(|d| {
                    let t = (*t)?;
                    rotation
                        .shift_of(t, d)
                        .filter(|&s| !m.leave.contains(&d) && m.allowed[s])
                })
                .collect()
        })
        .collect();
    let mut teams_only = sp.clone();
    teams_only.crews = vec![vec![0; sp.shifts.len()]; sp.days];
    let on = form_teams(&teams_only, &rows)
        .iter()
        .map(|day| day.iter().map(|t| t.crews.len() as u32).collect())
        .collect();
    (rows, on)
}

/// Crews working each hour of the horizon.
fn on_by_hour(sp: &StationProblem, crews: &[Vec<u32>]) -> Vec<u32> {
    let horizon = sp.days * 24;
    let mut on = vec![0; horizon];
    for (d, row) in crews.iter().enumerate() {
        for (s, &n) in row.iter().enumerate() {
            for h in hours(&sp.shifts[s], d, horizon) {
                on[h] += n;
            }
        }
    }
    on
}

/// The fewest crews any shift of the cycle needs at its busiest hour, on
/// any day: what a team on it is always wanted for. The 机动 group covers
/// what the calls want beyond it.
fn least_shift_need(sp: &StationProblem, rotation: &StationRotation, need: &[u32]) -> u32 {
    let base: Vec<usize> = (0..sp.shifts.len())
        .filter(|s| rotation.cycle.contains(&Some(*s)))
        .collect();
    let shifts: Vec<_> = base.iter().map(|&s| sp.shifts[s].clone()).collect();
    crews_for(need, &[], sp.days, &shifts)
        .iter()
        .flat_map(|row| row.iter().copied())
        .min()
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::station::{Member, StationRules, StationShift, check, shortfalls};
    use std::time::Duration;

    fn shift(code: &str, start_hour: u32, hours: u32, flexible: bool) -> StationShift {
        StationShift {
            code: code.into(),
            start_minute: start_hour * 60,
            minutes: hours * 60,
            night: crate::cover::works_night(start_hour * 60, hours * 60),
            flexible,
        }
    }

    fn station(sworn: usize, aux: usize, days: usize) -> StationProblem {
        let shifts = vec![
            shift("day", 8, 8, false),
            shift("evening", 16, 8, false),
            shift("night", 0, 8, false),
            shift("peak", 17, 6, true),
        ];
        let member = |i: usize, sworn: bool| Member {
            key: format!("{}{i}", if sworn { "S" } else { "A" }),
            sworn,
            allowed: vec![true; 4],
            contract_minutes: (40 * 60 * days as u32) / 7,
            leave: vec![],
            driver: i.is_multiple_of(2),
            wishes_off: vec![],
            wishes_on: vec![],
            holiday_off: 0,
            overtime_minutes: 0,
            team: None,
        };
        StationProblem {
            days,
            first_weekday: 0,
            rules: StationRules {
                min_rest_minutes: 12 * 60,
                rest_after_24h_minutes: 24 * 60,
                max_consecutive_days: 6,
                max_consecutive_nights: 3,
                max_weekends: 3,
                crew_size: 2,
                duty_officer: true,
            },
            crews: vec![vec![0; 4]; days],
            rotation: None,
            holidays: vec![],
            members: (0..sworn)
                .map(|i| member(i, true))
                .chain((0..aux).map(|i| member(i, false)))
                .collect(),
            shifts,
        }
    }

    /// 四班三运转: day, day, evening, evening, off, night, night, off.
    fn four_three() -> StationRotation {
        StationRotation {
            cycle: vec![Some(0), Some(0), Some(1), Some(1), None, Some(2), Some(2), None],
            teams: 4,
            start: 0,
        }
    }

    fn options() -> Options {
        Options {
            time_limit: Duration::from_millis(400),
            seed: 1,
            bound: false,
        }
    }

    #[test]
    fn teams_keep_their_cycle_and_the_duty_officer_and_the_rules() {
        let days = 16;
        let sp = station(14, 10, days);
        let mut need = vec![1u32; days * 24];
        for d in 0..days {
            for n in &mut need[d * 24 + 18..d * 24 + 22] {
                *n = 3;
            }
        }
        let r = solve_rotation(&sp, &four_three(), &need, &options()).unwrap();
        assert_eq!(
            r.crews_per_team, 1,
            "one crew a team; the evening spike to the 机动 group"
        );
        let mut busy = need.clone();
        for n in &mut busy {
            *n += 1;
        }
        let two = solve_rotation(&sp, &four_three(), &busy, &options()).unwrap();
        assert_eq!(two.crews_per_team, 2, "every shift needs two crews at least");
        let rot = four_three();
        for (i, m) in r.problem.members.iter().enumerate() {
            if let Some(t) = m.team {
                for d in 0..days {
                    assert_eq!(r.roster.assignment[i][d], rot.shift_of(t, d), "{} day {d}", m.key);
                }
            }
        }
        for k in 0..4 {
            let members: Vec<&Member> = r.problem.members.iter().filter(|m| m.team == Some(k)).collect();
            assert_eq!(
                members.iter().filter(|m| m.sworn).count(),
                2,
                "team {k}: a lead and the duty officer"
            );
            assert_eq!(members.len(), 3, "team {k}");
        }
        assert!(shortfalls(&r.problem, &r.roster.teams).is_empty());
        assert_eq!(check(&r.problem, &r.roster), Vec::<String>::new());
        // The spike is met by peak crews of the 机动 group, not whole evening crews.
        let peak_crews: u32 = r.problem.crews.iter().map(|d| d[3]).sum();
        assert!(peak_crews >= 2 * days as u32 - 2, "{peak_crews}");
        for (d, day) in r.roster.teams.iter().enumerate() {
            for (s, team) in day.iter().enumerate().take(3) {
                assert!(team.duty.is_some(), "day {d} shift {s}: the team's duty officer");
            }
            assert!(day[3].duty.is_none(), "no duty officer on a peak shift");
        }
    }

    #[test]
    fn a_team_member_on_leave_is_stood_in_for_by_the_group() {
        let days = 8;
        let mut sp = station(14, 10, days);
        let need = vec![1u32; days * 24];
        let first = solve_rotation(&sp, &four_three(), &need, &options()).unwrap();
        let lead = first
            .problem
            .members
            .iter()
            .position(|m| m.team == Some(0) && m.sworn)
            .unwrap();
        sp.members[lead].leave = vec![0, 1];
        let r = solve_rotation(&sp, &four_three(), &need, &options()).unwrap();
        let i = r
            .problem
            .members
            .iter()
            .position(|m| m.key == sp.members[lead].key)
            .unwrap();
        assert_eq!(r.roster.assignment[i][0], None);
        assert!(
            shortfalls(&r.problem, &r.roster.teams).is_empty(),
            "{:?}",
            shortfalls(&r.problem, &r.roster.teams)
        );
        assert_eq!(check(&r.problem, &r.roster), Vec::<String>::new());
    }

    /// The next roster: everyone keeps their team, even reordered (a
    /// member who was in team C is given C again, though dealing would put
    /// them elsewhere), and a cycle started further on puts each team
    /// where the last roster left it.
    #[test]
    fn teams_are_kept_and_the_cycle_goes_on_into_the_next_roster() {
        let days = 8;
        let mut sp = station(14, 10, days);
        let need = vec![1u32; days * 24];
        let first = solve_rotation(&sp, &four_three(), &need, &options()).unwrap();
        let was: Vec<Option<usize>> = first.problem.members.iter().map(|m| m.team).collect();
        // The same people, the list turned round, each with their team.
        sp.members.reverse();
        let mut kept = was.clone();
        kept.reverse();
        for (m, t) in sp.members.iter_mut().zip(&kept) {
            m.team = *t;
        }
        let later = StationRotation {
            start: 5,
            ..four_three()
        };
        let next = solve_rotation(&sp, &later, &need, &options()).unwrap();
        let now: Vec<Option<usize>> = next.problem.members.iter().map(|m| m.team).collect();
        assert_eq!(now, kept);
        for (i, m) in next.problem.members.iter().enumerate() {
            if let Some(t) = m.team {
                for d in 0..days {
                    assert_eq!(
                        next.roster.assignment[i][d],
                        four_three().shift_of(t, d + 5),
                        "{} day {d}",
                        m.key
                    );
                }
            }
        }
        assert_eq!(check(&next.problem, &next.roster), Vec::<String>::new());
    }

    #[test]
    fn too_few_sworn_for_the_teams_is_refused() {
        let sp = station(5, 10, 8);
        let e = solve_rotation(&sp, &four_three(), &[1; 8 * 24], &options()).unwrap_err();
        assert!(e.to_string().contains("at least 8 sworn"), "{e}");
    }

    #[test]
    fn cycle_hours_beyond_the_contract_are_allowed_as_overtime() {
        let days = 8;
        let mut sp = station(8, 4, days);
        sp.members[0].team = Some(0);
        sp.rotation = Some(four_three());
        allow_cycle_hours(&mut sp);
        // Six 8-hour shifts in 8 days against 40 hours a week: 48 h − 45.7 h.
        assert_eq!(sp.members[0].overtime_minutes, 48 * 60 - (40 * 60 * 8) / 7);
        assert_eq!(sp.members[1].overtime_minutes, 0);
    }
}
