//! A police station's roster: its sworn officers (民警) and auxiliaries
//! (辅警) on the station's shifts, so that every shift has the patrol crews
//! its demand asks for, each crew led by a sworn officer, and a sworn
//! officer on duty at the station (值班) through every shift; each person's
//! contract, rest between shifts, consecutive days, weekends and leave are
//! kept, and nights are shared out.
//!
//! Solved as two rosters of the benchmark's model: the sworn cover one lead
//! per crew (and the duty officer), the auxiliaries the other seats of each
//! crew. Whatever the two rosters give, crews are then formed shift by
//! shift so that an auxiliary is never in a crew without a sworn lead.

use crate::check::{Rule, Violation};
use crate::problem::{Cover, DayRequest, Problem, ProblemError, Request, Roster, ShiftType, Staff};
use crate::rotation::StationRotation;
use crate::solve::{Options, solve};
use serde::Serialize;

/// A shift of the station's pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationShift {
    pub code: String,
    /// Minutes after local midnight.
    pub start_minute: u32,
    pub minutes: u32,
    /// Works some of 00:00–06:00.
    pub night: bool,
    /// A peak shift (弹性勤务): crews over the other shifts' hours, with no
    /// duty officer of its own.
    pub flexible: bool,
}

/// The rules every station roster keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationRules {
    pub min_rest_minutes: u32,
    /// Rest after a shift of 24 hours.
    pub rest_after_24h_minutes: u32,
    pub max_consecutive_days: u32,
    /// Checked and reported (the solver's model has no per-type run limit).
    pub max_consecutive_nights: u32,
    /// Weekends with a shift over the whole horizon.
    pub max_weekends: u32,
    /// People in a crew, the sworn lead included.
    pub crew_size: u32,
    /// A sworn officer on duty at the station through every shift.
    pub duty_officer: bool,
}

/// A member of the station's strength, as the roster sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub key: String,
    pub sworn: bool,
    /// Which of the pattern's shifts they may work.
    pub allowed: Vec<bool>,
    /// Contracted minutes over the horizon (before leave).
    pub contract_minutes: u32,
    /// Days (from 0) on leave.
    pub leave: Vec<usize>,
    /// Days (from 0) they wished off (希望休息), each with what working it
    /// costs (below a seat left empty, so a wish never leaves one empty).
    pub wishes_off: Vec<(usize, u32)>,
    /// Days (from 0) they wished to work (希望上班), whichever shift, each
    /// with what a day off then costs (below a seat left empty).
    pub wishes_on: Vec<(usize, u32)>,
    /// The cost of their working a public holiday of the horizon (those who
    /// worked the last holidays are off on these first); 0: no preference.
    pub holiday_off: u32,
    pub driver: bool,
    /// Overtime (加班) already worked on this roster, beyond the contract.
    pub overtime_minutes: u32,
    /// The rotating team (A = 0, B = 1…) they work in: the team's cycle,
    /// checked against the rules when the pattern was read, sets their
    /// nights and weekends.
    pub team: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationProblem {
    pub days: usize,
    /// 0 = Monday.
    pub first_weekday: usize,
    pub shifts: Vec<StationShift>,
    pub rules: StationRules,
    /// Crews needed, `crews[day][shift]`.
    pub crews: Vec<Vec<u32>>,
    pub members: Vec<Member>,
    /// Teams rotating through a cycle, members' `team` naming theirs.
    pub rotation: Option<StationRotation>,
    /// Days (from 0) that are public holidays.
    pub holidays: Vec<usize>,
}

/// A patrol crew of one shift: its lead (sworn) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crew {
    /// 1, 2, … within the shift (the call sign's number).
    pub number: u32,
    pub members: Vec<usize>,
    /// Someone in it may drive the car.
    pub driver: bool,
}

/// Who works one shift of one day and how.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ShiftTeam {
    /// The sworn officer on duty at the station (值班).
    pub duty: Option<usize>,
    pub crews: Vec<Crew>,
    /// On shift without a crew: auxiliaries for whom no sworn lead was free.
    pub standby: Vec<usize>,
    /// Crews the demand asked for.
    pub crews_needed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationRoster {
    /// `assignment[member][day]`: the shift worked, or a day off.
    pub assignment: Roster,
    /// `teams[day][shift]`.
    pub teams: Vec<Vec<ShiftTeam>>,
    /// The two rosters' objectives (shortfall and surplus weighted), summed.
    pub objective: u64,
    /// A lower bound on that sum, when both rosters have one.
    pub lower_bound: Option<u64>,
}

/// Cost of one seat short, and of one person more than needed.
const UNDER: u32 = 100;
const OVER: u32 = 1;
/// A person works at least this share of their fair part of the demand.
const FLOOR: f64 = 0.8;

impl StationProblem {
    pub fn validate(&self) -> Result<(), ProblemError> {
        let bad = |m: String| Err(ProblemError::Invalid(m));
        let s = self.shifts.len();
        if self.crews.len() != self.days || self.crews.iter().any(|d| d.len() != s) {
            return bad("crews needed for every day and shift".into());
        }
        if let Some(m) = self.members.iter().find(|m| m.allowed.len() != s) {
            return bad(format!("{}: allowed or not for each of the {s} shifts", m.key));
        }
        if self.rules.crew_size == 0 {
            return bad("a crew of at least one".into());
        }
        Ok(())
    }

    /// Sworn seats `[day][shift]`: a lead per crew, and the duty officer.
    fn sworn_cover(&self, d: usize, s: usize) -> u32 {
        self.crews[d][s] + u32::from(self.wants_duty_officer(s))
    }

    /// Minutes member `i` works on their team's cycle (0 outside a team),
    /// their leave counted or not.
    pub fn cycle_minutes(&self, i: usize, leave: bool) -> u32 {
        let m = &self.members[i];
        match (&self.rotation, m.team) {
            (Some(r), Some(t)) => (0..self.days)
                .filter(|d| !leave || !m.leave.contains(d))
                .filter_map(|d| r.shift_of(t, d))
                .filter(|&s| m.allowed[s])
                .map(|s| self.shifts[s].minutes)
                .sum(),
            _ => 0,
        }
    }

    /// Shift `s` has a sworn officer on duty at the station (值班).
    pub fn wants_duty_officer(&self, s: usize) -> bool {
        self.rules.duty_officer && !self.shifts[s].flexible
    }

    fn auxiliary_cover(&self, d: usize, s: usize) -> u32 {
        self.crews[d][s] * (self.rules.crew_size - 1)
    }

    /// Which shifts may not follow which on the next day, for the rest rules.
    fn forbids_next(&self, a: usize) -> Vec<usize> {
        let sa = &self.shifts[a];
        let rest = if sa.minutes >= 24 * 60 {
            self.rules.rest_after_24h_minutes
        } else {
            self.rules.min_rest_minutes
        };
        let end = sa.start_minute + sa.minutes;
        (0..self.shifts.len())
            .filter(|&b| {
                (24 * 60 + self.shifts[b].start_minute).saturating_sub(end) < rest
                    || 24 * 60 + self.shifts[b].start_minute < end
            })
            .collect()
    }

    /// What working each day costs `m` beyond the cover: their wishes off
    /// and the public holidays, together below an empty seat's cost (a
    /// preference never leaves a seat empty).
    fn off_weights(&self, m: &Member) -> Vec<(usize, u32)> {
        let mut by_day: std::collections::BTreeMap<usize, u32> = std::collections::BTreeMap::new();
        for &(d, w) in m.wishes_off.iter().filter(|&&(d, w)| d < self.days && w > 0) {
            *by_day.entry(d).or_default() += w;
        }
        if m.holiday_off > 0 {
            for &d in self.holidays.iter().filter(|&&d| d < self.days) {
                *by_day.entry(d).or_default() += m.holiday_off;
            }
        }
        by_day.into_iter().map(|(d, w)| (d, w.min(UNDER - 1))).collect()
    }

    /// One of the two rosters in the benchmark's model, with the indexes
    /// of the members it rosters.
    pub fn group_problem(&self, sworn: bool) -> (Problem, Vec<usize>) {
        let who: Vec<usize> = (0..self.members.len())
            .filter(|&i| self.members[i].sworn == sworn)
            .collect();
        let s = self.shifts.len();
        let seats = |d: usize, t: usize| {
            if sworn {
                self.sworn_cover(d, t)
            } else {
                self.auxiliary_cover(d, t)
            }
        };
        // Team members work their cycle; the others share what is left (a
        // team member's leave does not change the others' share).
        let cycle_minutes: f64 = who.iter().map(|&i| f64::from(self.cycle_minutes(i, false))).sum();
        let demand_minutes: f64 = (0..self.days)
            .flat_map(|d| (0..s).map(move |t| (d, t)))
            .map(|(d, t)| f64::from(seats(d, t)) * f64::from(self.shifts[t].minutes))
            .sum::<f64>()
            - cycle_minutes;
        let capacity = |m: &Member| {
            let free = self.days - m.leave.iter().filter(|&&d| d < self.days).count();
            (f64::from(m.contract_minutes) * free as f64 / self.days as f64).floor()
        };
        let longest = self.shifts.iter().map(|t| t.minutes).max().unwrap_or(0);
        let total_capacity: f64 = who
            .iter()
            .filter(|&&i| self.members[i].team.is_none() && self.members[i].allowed.contains(&true))
            .map(|&i| capacity(&self.members[i]))
            .sum();
        // Nights shared out: nobody above a quarter over their share, plus one.
        let night_seats: f64 = (0..self.days)
            .flat_map(|d| (0..s).map(move |t| (d, t)))
            .filter(|&(_, t)| self.shifts[t].night)
            .map(|(d, t)| f64::from(seats(d, t)))
            .sum();
        let night_takers = who
            .iter()
            .filter(|&&i| {
                self.members[i]
                    .allowed
                    .iter()
                    .zip(&self.shifts)
                    .any(|(&a, sh)| a && sh.night)
            })
            .count()
            .max(1);
        // …and, as the model cannot count nights in a row, no more nights
        // than a run may hold per week of the horizon (a week's roster then
        // cannot hold a run too long; longer ones are repaired by swaps).
        let fair_cap = (1.25 * night_seats / night_takers as f64).ceil() as u32 + 1;
        let run_cap = self.rules.max_consecutive_nights.max(1) * self.days.div_ceil(7) as u32;
        let night_cap = fair_cap.min(run_cap.max((night_seats / night_takers as f64).ceil() as u32));
        let staff = who
            .iter()
            .map(|&i| {
                let m = &self.members[i];
                let cap = capacity(m);
                // Nobody is owed a share of shifts they may not work.
                let share = if total_capacity > 0.0 && m.team.is_none() && m.allowed.contains(&true) {
                    demand_minutes.max(0.0) * cap / total_capacity
                } else {
                    0.0
                };
                let max_minutes = cap as u32 + m.overtime_minutes;
                // Room for at least the longest shift below the maximum, so some total fits.
                let min_minutes = ((FLOOR * share).floor() as u32).min(max_minutes.saturating_sub(longest));
                // A team's cycle sets its nights and weekends.
                let rotating = m.team.is_some();
                Staff {
                    id: m.key.clone(),
                    max_shifts: (0..s)
                        .map(|t| match (m.allowed[t], self.shifts[t].night && !rotating) {
                            (false, _) => 0,
                            (true, true) => night_cap,
                            (true, false) => self.days as u32,
                        })
                        .collect(),
                    max_minutes,
                    min_minutes,
                    max_consecutive: self.rules.max_consecutive_days.max(1),
                    min_consecutive: 1,
                    min_days_off: 1,
                    max_weekends: if rotating {
                        self.days.div_ceil(7) as u32
                    } else {
                        self.rules.max_weekends
                    },
                    days_off: {
                        let mut off: Vec<usize> = m.leave.iter().copied().filter(|&d| d < self.days).collect();
                        off.sort_unstable();
                        off.dedup();
                        off
                    },
                }
            })
            .collect();
        let problem = Problem {
            days: self.days,
            first_weekday: self.first_weekday,
            shifts: (0..s)
                .map(|t| ShiftType {
                    id: self.shifts[t].code.clone(),
                    minutes: self.shifts[t].minutes,
                    forbids_next: self.forbids_next(t),
                })
                .collect(),
            off_requests: who
                .iter()
                .enumerate()
                .flat_map(|(k, &i)| {
                    let m = &self.members[i];
                    self.off_weights(m).into_iter().flat_map(move |(day, weight)| {
                        (0..s).filter(|&t| m.allowed[t]).map(move |shift| Request {
                            staff: k,
                            day,
                            shift,
                            weight,
                        })
                    })
                })
                .collect(),
            staff,
            on_requests: vec![],
            work_requests: who
                .iter()
                .enumerate()
                .flat_map(|(k, &i)| {
                    self.members[i]
                        .wishes_on
                        .iter()
                        .filter(|&&(d, w)| d < self.days && w > 0)
                        .map(move |&(day, weight)| DayRequest {
                            staff: k,
                            day,
                            weight: weight.min(UNDER - 1),
                        })
                })
                .collect(),
            cover: (0..self.days)
                .map(|d| {
                    (0..s)
                        .map(|t| Cover {
                            requirement: seats(d, t),
                            under_weight: UNDER,
                            over_weight: OVER,
                        })
                        .collect()
                })
                .collect(),
        };
        (problem, who)
    }
}

/// Rosters the station: the sworn and the auxiliaries, each with half of
/// the time limit, then crews formed shift by shift.
pub fn solve_station(sp: &StationProblem, opt: &Options) -> Result<StationRoster, ProblemError> {
    sp.validate()?;
    let half = Options {
        time_limit: opt.time_limit / 2,
        ..opt.clone()
    };
    let mut assignment: Roster = vec![vec![None; sp.days]; sp.members.len()];
    let mut objective = 0;
    let mut lower_bound = Some(0);
    for sworn in [true, false] {
        let (problem, who) = sp.group_problem(sworn);
        if who.is_empty() {
            continue;
        }
        let mut solution = solve(&problem, &half)?;
        repair_night_runs(sp, &problem, &mut solution.roster);
        level_holidays(sp, &problem, &mut solution.roster);
        // The repairs keep the cover; the requests may cost otherwise.
        objective += crate::check::evaluate(&problem, &solution.roster).objective;
        lower_bound = lower_bound.zip(solution.lower_bound).map(|(a, b)| a + b);
        for (row, &i) in solution.roster.into_iter().zip(&who) {
            assignment[i] = row;
        }
    }
    let teams = form_teams(sp, &assignment);
    Ok(StationRoster {
        assignment,
        teams,
        objective,
        lower_bound,
    })
}

/// The longest run of nights in a row.
fn night_run(sp: &StationProblem, row: &[Option<usize>]) -> u32 {
    let (mut run, mut longest) = (0, 0);
    for x in row {
        run = if x.is_some_and(|s| sp.shifts[s].night) {
            run + 1
        } else {
            0
        };
        longest = longest.max(run);
    }
    longest
}

/// Nights worked beyond `limit` in a row, summed over the row's runs.
fn nights_beyond(sp: &StationProblem, row: &[Option<usize>], limit: u32) -> u32 {
    let mut run = 0;
    let mut beyond = 0;
    for x in row {
        run = if x.is_some_and(|s| sp.shifts[s].night) {
            run + 1
        } else {
            0
        };
        beyond += u32::from(run > limit);
    }
    beyond
}

/// Each person of a group's problem alone: whether a row of theirs keeps
/// their contract, and the station's limit on nights in a row too.
struct GroupRows<'a> {
    sp: &'a StationProblem,
    alone: Vec<Problem>,
}

impl<'a> GroupRows<'a> {
    fn new(sp: &'a StationProblem, problem: &Problem) -> Self {
        GroupRows {
            sp,
            alone: problem
                .staff
                .iter()
                .map(|person| alone(problem, person.clone()))
                .collect(),
        }
    }

    fn keeps_contract(&self, k: usize, row: &[Option<usize>]) -> bool {
        crate::check::evaluate(&self.alone[k], &vec![row.to_vec()]).feasible()
    }

    fn keeps(&self, k: usize, row: &[Option<usize>]) -> bool {
        night_run(self.sp, row) <= self.sp.rules.max_consecutive_nights && self.keeps_contract(k, row)
    }
}

/// Breaks runs of more nights than the rules allow by swapping a night
/// with another person's shift or day off on the same day, where both
/// rows keep every rule: the cover, and so the objective, is unchanged.
fn repair_night_runs(sp: &StationProblem, problem: &Problem, rows: &mut Roster) {
    let limit = sp.rules.max_consecutive_nights;
    let rules = GroupRows::new(sp, problem);
    let days = problem.days;
    // Each pass swaps at least one block or stops; a pass never lengthens a run past the limit.
    for _ in 0..rows.len() * days {
        let mut swapped = false;
        for e in 0..rows.len() {
            if night_run(sp, &rows[e]) <= limit {
                continue;
            }
            // Every run counts: a row with two runs too long is better with one.
            let before = nights_beyond(sp, &rows[e], limit);
            let nights: Vec<usize> = (0..days)
                .filter(|&d| rows[e][d].is_some_and(|s| sp.shifts[s].night))
                .collect();
            // Blocks of one to three days holding a night, starting before it or on it.
            let found = nights
                .iter()
                .flat_map(|&n| (1..=3).flat_map(move |len| (n.saturating_sub(len - 1)..=n).map(move |d| (d, len))))
                .filter(|&(d, len)| d + len <= days)
                .find_map(|(d, len)| {
                    (0..rows.len()).filter(|&q| q != e).find_map(|q| {
                        let (mut a, mut b) = (rows[e].clone(), rows[q].clone());
                        if a[d..d + len] == b[d..d + len] {
                            return None;
                        }
                        a[d..d + len].swap_with_slice(&mut b[d..d + len]);
                        let better = nights_beyond(sp, &a, limit) < before;
                        let e_ok = rules.keeps_contract(e, &a);
                        (better && e_ok && rules.keeps(q, &b)).then_some((q, a, b))
                    })
                });
            if let Some((q, a, b)) = found {
                rows[e] = a;
                rows[q] = b;
                swapped = true;
            }
        }
        if !swapped {
            return;
        }
    }
}

/// Evens out the public holidays within a group (暖警): while someone works
/// two holidays more than another, the first's holiday shift goes to the
/// second, who is off that day, and — to keep both at their hours — one
/// of the second's ordinary shifts back to the first (failing that, none), where
/// both rows keep every rule (nights in a row too) and what they asked
/// for costs no more. The cover is unchanged.
fn level_holidays(sp: &StationProblem, problem: &Problem, rows: &mut Roster) {
    let holidays: Vec<usize> = sp.holidays.iter().copied().filter(|&d| d < problem.days).collect();
    if holidays.is_empty() || rows.len() < 2 {
        return;
    }
    let rules = GroupRows::new(sp, problem);
    // What a person's requests cost with `row`.
    let asked = |k: usize, row: &[Option<usize>]| -> u64 {
        let off = problem
            .off_requests
            .iter()
            .filter(|r| r.staff == k && row[r.day] == Some(r.shift));
        let on = problem
            .on_requests
            .iter()
            .filter(|r| r.staff == k && row[r.day] != Some(r.shift));
        let work = problem
            .work_requests
            .iter()
            .filter(|r| r.staff == k && row[r.day].is_none())
            .map(|r| u64::from(r.weight));
        off.chain(on).map(|r| u64::from(r.weight)).sum::<u64>() + work.sum::<u64>()
    };
    let plain: Vec<usize> = (0..problem.days).filter(|d| !holidays.contains(d)).collect();
    for _ in 0..rows.len() * holidays.len() {
        let counts: Vec<usize> = rows
            .iter()
            .map(|r| holidays.iter().filter(|&&d| r[d].is_some()).count())
            .collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(counts[k]));
        let rows_now: &Roster = rows;
        let exchange = |a: usize, b: usize, d: usize, e: Option<usize>| {
            let (mut x, mut y) = (rows_now[a].clone(), rows_now[b].clone());
            y[d] = x[d].take();
            if let Some(e) = e {
                x[e] = y[e].take();
            }
            let before = asked(a, &rows_now[a]) + asked(b, &rows_now[b]);
            (rules.keeps(a, &x) && rules.keeps(b, &y) && asked(a, &x) + asked(b, &y) <= before).then_some((a, b, x, y))
        };
        let found = order.iter().find_map(|&a| {
            order
                .iter()
                .rev()
                .take_while(|&&b| counts[a] >= counts[b] + 2)
                .find_map(|&b| {
                    holidays
                        .iter()
                        .filter(|&&d| rows_now[a][d].is_some() && rows_now[b][d].is_none())
                        .find_map(|&d| {
                            plain
                                .iter()
                                .filter(|&&e| rows_now[b][e].is_some() && rows_now[a][e].is_none())
                                .map(|&e| Some(e))
                                .chain(std::iter::once(None))
                                .find_map(|e| exchange(a, b, d, e))
                        })
                })
        });
        match found {
            Some((a, b, x, y)) => {
                rows[a] = x;
                rows[b] = y;
            }
            None => return,
        }
    }
}

/// Crews of each shift from who works it: the duty officer first (one who
/// does not drive, if any), then one crew per sworn lead up to what the
/// demand asks (more if there are people enough for full crews), seats
/// filled with auxiliaries — drivers first to crews without one — then with
/// the remaining sworn. Auxiliaries no crew can take stay on standby.
pub fn form_teams(sp: &StationProblem, assignment: &Roster) -> Vec<Vec<ShiftTeam>> {
    let size = sp.rules.crew_size.max(1) as usize;
    (0..sp.days)
        .map(|d| {
            (0..sp.shifts.len())
                .map(|s| {
                    let on: Vec<usize> = (0..sp.members.len())
                        .filter(|&i| assignment[i].get(d).copied().flatten() == Some(s))
                        .collect();
                    let mut sworn: Vec<usize> = on.iter().copied().filter(|&i| sp.members[i].sworn).collect();
                    let mut aux: Vec<usize> = on.iter().copied().filter(|&i| !sp.members[i].sworn).collect();
                    let needed = sp.crews[d][s];
                    let mut team = ShiftTeam {
                        crews_needed: needed,
                        ..ShiftTeam::default()
                    };
                    if sp.wants_duty_officer(s) && !sworn.is_empty() {
                        // A rotating team leads its own shift (值班长); one who does not drive, if any.
                        let in_team = |i: usize| sp.members[i].team.is_some();
                        let pick = sworn
                            .iter()
                            .rposition(|&i| in_team(i) && !sp.members[i].driver)
                            .or_else(|| sworn.iter().rposition(|&i| in_team(i)))
                            .or_else(|| sworn.iter().rposition(|&i| !sp.members[i].driver))
                            .unwrap_or(sworn.len() - 1);
                        team.duty = Some(sworn.remove(pick));
                    }
                    // Drivers lead first, so cars have drivers where possible.
                    sworn.sort_by_key(|&i| !sp.members[i].driver);
                    let people = sworn.len() + aux.len();
                    let k = sworn.len().min((needed as usize).max(people / size));
                    let mut crews: Vec<Crew> = sworn
                        .drain(..k)
                        .enumerate()
                        .map(|(n, lead)| Crew {
                            number: n as u32 + 1,
                            members: vec![lead],
                            driver: sp.members[lead].driver,
                        })
                        .collect();
                    aux.sort_by_key(|&i| !sp.members[i].driver);
                    let mut rest: Vec<usize> = aux;
                    rest.extend(sworn);
                    if crews.is_empty() {
                        team.standby = rest;
                    } else {
                        // Seats up to the crew size, crews without a driver served first.
                        let mut order: Vec<usize> = (0..crews.len()).collect();
                        order.sort_by_key(|&c| crews[c].driver);
                        let mut queue = rest.into_iter();
                        'fill: for _ in 1..size {
                            for &c in &order {
                                let Some(p) = queue.next() else { break 'fill };
                                crews[c].driver |= sp.members[p].driver;
                                crews[c].members.push(p);
                            }
                        }
                        // More people than seats: a third member, crew by crew.
                        for (j, p) in queue.enumerate() {
                            let c = order[j % order.len()];
                            crews[c].driver |= sp.members[p].driver;
                            crews[c].members.push(p);
                        }
                    }
                    team.crews = crews;
                    team
                })
                .collect()
        })
        .collect()
}

/// What a station roster does not give: a crew short, or no duty officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    pub day: usize,
    pub shift: usize,
    pub crews_needed: u32,
    pub crews: u32,
    pub duty_officer: bool,
}

pub fn shortfalls(sp: &StationProblem, teams: &[Vec<ShiftTeam>]) -> Vec<Shortfall> {
    let mut out = Vec::new();
    for (d, day) in teams.iter().enumerate() {
        for (s, t) in day.iter().enumerate() {
            let missing_duty = sp.wants_duty_officer(s) && t.duty.is_none();
            if (t.crews.len() as u32) < t.crews_needed || missing_duty {
                out.push(Shortfall {
                    day: d,
                    shift: s,
                    crews_needed: t.crews_needed,
                    crews: t.crews.len() as u32,
                    duty_officer: !missing_duty,
                });
            }
        }
    }
    out
}

/// Every rule a station roster must keep, recomputed from the assignment
/// and the crews: a sentence per breach (empty: none).
pub fn check(sp: &StationProblem, roster: &StationRoster) -> Vec<String> {
    let mut v = Vec::new();
    for sworn in [true, false] {
        let (problem, who) = sp.group_problem(sworn);
        let rows: Roster = who.iter().map(|&i| roster.assignment[i].clone()).collect();
        v.extend(
            crate::check::evaluate(&problem, &rows)
                .violations
                .iter()
                .map(ToString::to_string),
        );
    }
    for (i, m) in sp.members.iter().enumerate() {
        let row = &roster.assignment[i];
        let mut run = 0;
        for (d, x) in row.iter().enumerate() {
            run = if x.is_some_and(|s| sp.shifts[s].night) {
                run + 1
            } else {
                0
            };
            if run > sp.rules.max_consecutive_nights {
                v.push(
                    Violation {
                        who: m.key.clone(),
                        rule: Rule::Nights {
                            nights: run,
                            max: sp.rules.max_consecutive_nights,
                            day: Some(d),
                        },
                    }
                    .to_string(),
                );
            }
        }
    }
    for (d, day) in roster.teams.iter().enumerate() {
        for (s, t) in day.iter().enumerate() {
            let on: Vec<usize> = (0..sp.members.len())
                .filter(|&i| roster.assignment[i][d] == Some(s))
                .collect();
            let mut placed: Vec<usize> = t
                .crews
                .iter()
                .flat_map(|c| c.members.iter().copied())
                .chain(t.duty)
                .chain(t.standby.iter().copied())
                .collect();
            placed.sort_unstable();
            let mut expected = on.clone();
            expected.sort_unstable();
            if placed != expected {
                v.push(format!(
                    "day {d} shift {}: the crews are not the people rostered",
                    sp.shifts[s].code
                ));
            }
            if let Some(x) = t.duty.filter(|&x| !sp.members[x].sworn) {
                v.push(format!(
                    "day {d} shift {}: {} on duty is not sworn",
                    sp.shifts[s].code, sp.members[x].key
                ));
            }
            for c in &t.crews {
                if !sp.members[c.members[0]].sworn {
                    v.push(format!(
                        "day {d} shift {} crew {}: led by {}, not sworn",
                        sp.shifts[s].code, c.number, sp.members[c.members[0]].key
                    ));
                }
            }
        }
    }
    v
}

/// The spread of a load across people: fewest, most and mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub min: u32,
    pub max: u32,
    pub mean: f64,
}

fn spread(values: impl Iterator<Item = u32>) -> Option<Spread> {
    let v: Vec<u32> = values.collect();
    (!v.is_empty()).then(|| Spread {
        min: *v.iter().min().expect("some"),
        max: *v.iter().max().expect("some"),
        mean: v.iter().sum::<u32>() as f64 / v.len() as f64,
    })
}

/// How evenly the load falls (暖警): shifts, nights and weekends worked per
/// person, for the sworn and for the auxiliaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fairness {
    pub group: &'static str,
    pub people: usize,
    pub shifts: Option<Spread>,
    pub nights: Option<Spread>,
    pub weekends: Option<Spread>,
    pub hours: Option<Spread>,
    /// Shifts on public holidays (none when the horizon has no holiday).
    pub holidays: Option<Spread>,
}

pub fn fairness(sp: &StationProblem, assignment: &Roster) -> Vec<Fairness> {
    [("sworn", true), ("auxiliary", false)]
        .into_iter()
        .map(|(group, sworn)| {
            let rows: Vec<&Vec<Option<usize>>> = (0..sp.members.len())
                .filter(|&i| sp.members[i].sworn == sworn)
                .map(|i| &assignment[i])
                .collect();
            let weekends = |row: &Vec<Option<usize>>| {
                let mut w: Vec<usize> = (0..sp.days)
                    .filter(|&d| (sp.first_weekday + d) % 7 >= 5 && row[d].is_some())
                    .map(|d| (sp.first_weekday + d) / 7)
                    .collect();
                w.dedup();
                w.len() as u32
            };
            Fairness {
                group,
                people: rows.len(),
                shifts: spread(rows.iter().map(|r| r.iter().flatten().count() as u32)),
                nights: spread(
                    rows.iter()
                        .map(|r| r.iter().flatten().filter(|&&s| sp.shifts[s].night).count() as u32),
                ),
                weekends: spread(rows.iter().map(|r| weekends(r))),
                hours: spread(
                    rows.iter()
                        .map(|r| r.iter().flatten().map(|&s| sp.shifts[s].minutes).sum::<u32>() / 60),
                ),
                holidays: if sp.holidays.is_empty() {
                    None
                } else {
                    spread(rows.iter().map(|r| {
                        sp.holidays
                            .iter()
                            .filter(|&&d| r.get(d).is_some_and(Option::is_some))
                            .count() as u32
                    }))
                },
            }
        })
        .collect()
}

/// One cell a repair or a swap changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change {
    pub member: usize,
    pub day: usize,
    pub from: Option<usize>,
    pub to: Option<usize>,
    /// Worked beyond the contract's hours (加班).
    pub overtime: bool,
}

/// Each member's own rules, alone (no cover, no fair-share floor): what a
/// repair or a swap must keep for every row it touches.
struct RowRules {
    /// Per member: its group's problem reduced to that member.
    alone: Vec<Problem>,
}

impl RowRules {
    /// `overtime`: minutes a person may work beyond their contract.
    fn new(sp: &StationProblem, overtime: u32) -> Self {
        let mut alone: Vec<Option<Problem>> = vec![None; sp.members.len()];
        for sworn in [true, false] {
            let (problem, who) = sp.group_problem(sworn);
            for (k, &i) in who.iter().enumerate() {
                let mut person = problem.staff[k].clone();
                person.min_minutes = 0;
                person.max_minutes += overtime;
                alone[i] = Some(self::alone(&problem, person));
            }
        }
        RowRules {
            alone: alone
                .into_iter()
                .map(|p| p.expect("every member is in a group"))
                .collect(),
        }
    }

    /// Why member `i`'s row breaks their rules (empty: it keeps them).
    fn breaches(&self, sp: &StationProblem, i: usize, row: &[Option<usize>]) -> Vec<Violation> {
        let mut v = crate::check::evaluate(&self.alone[i], &vec![row.to_vec()]).violations;
        let run = night_run(sp, row);
        if run > sp.rules.max_consecutive_nights {
            v.push(Violation {
                who: sp.members[i].key.clone(),
                rule: Rule::Nights {
                    nights: run,
                    max: sp.rules.max_consecutive_nights,
                    day: None,
                },
            });
        }
        v
    }
}

/// Repairs a roster after people became unavailable (leave in `sp`, or a
/// shift no longer allowed), from `from_day` on, with as few changes as it
/// can: their shifts are cleared, then each seat left short is given to
/// someone of the same group who is off that day and may work it under
/// every rule, the one with the fewest hours first (an auxiliary's seat to
/// a sworn officer if no auxiliary may take it). Earlier days stay as they were.
pub fn repair(sp: &StationProblem, old: &Roster, from_day: usize) -> (Roster, Vec<Change>) {
    let longest = sp.shifts.iter().map(|t| t.minutes).max().unwrap_or(0);
    repair_days(sp, old, from_day..sp.days, longest)
}

/// [`repair`] of `days` only, with up to `overtime` minutes a person beyond their contract.
fn repair_days(
    sp: &StationProblem,
    old: &Roster,
    days: std::ops::Range<usize>,
    overtime: u32,
) -> (Roster, Vec<Change>) {
    let from_day = days.start;
    let rules = RowRules::new(sp, 0);
    let overtime = RowRules::new(sp, overtime);
    let mut new = old.clone();
    let mut changes = Vec::new();
    for (i, (m, row)) in sp.members.iter().zip(new.iter_mut()).enumerate() {
        for (d, cell) in row.iter_mut().enumerate().skip(from_day).take(days.len()) {
            if let Some(s) = *cell
                && (m.leave.contains(&d) || !m.allowed[s])
            {
                *cell = None;
                changes.push(Change {
                    member: i,
                    day: d,
                    from: Some(s),
                    to: None,
                    overtime: false,
                });
            }
        }
    }
    for d in days {
        for s in 0..sp.shifts.len() {
            for sworn_seat in [true, false] {
                let need = if sworn_seat {
                    sp.sworn_cover(d, s)
                } else {
                    sp.auxiliary_cover(d, s)
                } as usize;
                let count = |new: &Roster, sworn: bool| {
                    (0..sp.members.len())
                        .filter(|&i| sp.members[i].sworn == sworn && new[i][d] == Some(s))
                        .count()
                };
                // Sworn officers beyond the sworn seats sit in the auxiliaries' seats.
                let mut have = if sworn_seat {
                    count(&new, true)
                } else {
                    count(&new, false) + count(&new, true).saturating_sub(sp.sworn_cover(d, s) as usize)
                };
                while have < need {
                    // Within contracts first; only then someone's overtime (加班), fewest hours first.
                    let fill = |rules: &RowRules, new: &Roster| {
                        [sworn_seat, true].into_iter().find_map(|group| {
                            (0..sp.members.len())
                                .filter(|&i| sp.members[i].sworn == group && new[i][d].is_none())
                                .filter(|&i| may_take(sp, rules, new, i, d, s))
                                .min_by_key(|&i| (row_minutes(sp, &new[i]), i))
                        })
                    };
                    if let Some(i) = fill(&rules, &new) {
                        new[i][d] = Some(s);
                        changes.push(Change {
                            member: i,
                            day: d,
                            from: None,
                            to: Some(s),
                            overtime: false,
                        });
                        have += 1;
                        continue;
                    }
                    // No one off may take it: someone of the group moves over
                    // from another shift that day, and someone off takes theirs.
                    if let Some((moves, filled)) = chain_fill(sp, &rules, &new, d, s, sworn_seat) {
                        for c in moves {
                            new[c.member][c.day] = c.to;
                            changes.push(c);
                        }
                        have += filled;
                        continue;
                    }
                    match fill(&overtime, &new) {
                        Some(i) => {
                            new[i][d] = Some(s);
                            changes.push(Change {
                                member: i,
                                day: d,
                                from: None,
                                to: Some(s),
                                overtime: true,
                            });
                            have += 1;
                        }
                        None => break,
                    }
                }
            }
        }
    }
    (new, changes)
}

/// One day under a raised duty level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelDay {
    pub day: usize,
    /// Members not on leave.
    pub available: u32,
    pub on_post_wanted: u32,
    pub on_post: u32,
    /// Members on standby (备勤): not on post, not on leave, fewest hours first.
    pub standby: Vec<usize>,
    /// The level's share, at most those not on post.
    pub standby_wanted: u32,
}

/// What raising a duty level did to a roster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Raised {
    /// Crews needed, `crews[day][shift]`, the raised days' with more.
    pub crews: Vec<Vec<u32>>,
    pub roster: Roster,
    pub changes: Vec<Change>,
    pub days: Vec<LevelDay>,
}

/// Raises a duty level over `days`: on each, at least `on_post` of the
/// members not on leave work a shift — crews are added to the day's shifts
/// in proportion to what they already need, and the roster is repaired to
/// man them (within contracts, then moves, then overtime up to a shift a
/// day raised) — and `standby` of them stand by, chosen from those off
/// that day with the fewest hours. Days before `days` are untouched. Where
/// the rules (rest between shifts, days in a row) leave a day short of the
/// share, the day says so.
pub fn raise_level(
    sp: &StationProblem,
    old: &Roster,
    days: std::ops::Range<usize>,
    on_post: f64,
    standby: f64,
) -> Raised {
    let days = days.start.min(sp.days)..days.end.min(sp.days);
    let available = |d: usize| sp.members.iter().filter(|m| !m.leave.contains(&d)).count() as u32;
    let wanted = |d: usize, share: f64| ((share * f64::from(available(d))) - 1e-9).ceil().max(0.0) as u32;
    let working = |roster: &Roster, d: usize| roster.iter().filter(|row| row[d].is_some()).count() as u32;
    let longest = sp.shifts.iter().map(|t| t.minutes).max().unwrap_or(0);
    let overtime = longest * days.len() as u32;
    let mut raised = sp.clone();
    let (mut roster, mut changes) = (old.clone(), Vec::new());
    for d in days.clone() {
        // A crew at a time to the shift that has gained least on what it needed, while it draws someone.
        let mut tried = vec![false; sp.shifts.len()];
        while working(&roster, d) < wanted(d, on_post) {
            let ratio = |t: usize| f64::from(sp.crews[d][t] + 1) / f64::from(raised.crews[d][t] + 1);
            let Some(s) = (0..sp.shifts.len())
                .filter(|&t| !tried[t])
                .max_by(|&a, &b| ratio(a).total_cmp(&ratio(b)).then(b.cmp(&a)))
            else {
                break;
            };
            raised.crews[d][s] += 1;
            let (next, more) = repair_days(&raised, &roster, d..d + 1, overtime);
            if working(&next, d) > working(&roster, d) {
                roster = next;
                changes.extend(more);
            } else {
                raised.crews[d][s] -= 1;
                tried[s] = true;
            }
        }
    }
    let minutes: Vec<u32> = roster.iter().map(|row| row_minutes(sp, row)).collect();
    let level_days = days
        .map(|d| {
            // Standby comes from those not on post: with more on post than the level asks, fewer stand by.
            let standby_wanted = wanted(d, standby).min(available(d).saturating_sub(working(&roster, d)));
            let mut free: Vec<usize> = (0..sp.members.len())
                .filter(|&i| roster[i][d].is_none() && !sp.members[i].leave.contains(&d))
                .collect();
            free.sort_by_key(|&i| (minutes[i], i));
            free.truncate(standby_wanted as usize);
            LevelDay {
                day: d,
                available: available(d),
                on_post_wanted: wanted(d, on_post),
                on_post: working(&roster, d),
                standby: free,
                standby_wanted,
            }
        })
        .collect();
    Raised {
        crews: raised.crews,
        roster,
        changes,
        days: level_days,
    }
}

/// Member `i`'s own rules with no cover, no requests: a problem of one person.
fn alone(problem: &Problem, person: Staff) -> Problem {
    Problem {
        staff: vec![person],
        on_requests: vec![],
        off_requests: vec![],
        work_requests: vec![],
        cover: vec![vec![Cover::default(); problem.shifts.len()]; problem.days],
        ..problem.clone()
    }
}

/// Minutes a row works.
fn row_minutes(sp: &StationProblem, row: &[Option<usize>]) -> u32 {
    row.iter().flatten().map(|&s| sp.shifts[s].minutes).sum()
}

/// Whether member `i` may work shift `s` on day `d` instead of what they work
/// now: allowed the shift, not on leave, and their row keeps every rule.
fn may_take(sp: &StationProblem, rules: &RowRules, new: &Roster, i: usize, d: usize, s: usize) -> bool {
    let m = &sp.members[i];
    if !m.allowed[s] || m.leave.contains(&d) {
        return false;
    }
    let mut row = new[i].clone();
    row[d] = Some(s);
    rules.breaches(sp, i, &row).is_empty()
}

/// A seat of shift `s` on day `d` filled by moving someone of the group
/// from another shift `t` that day, then filling `t` with someone off (or
/// leaving it if `t` has a person more than it needs). Returns the changes
/// and how many seats of `s` they fill (one).
fn chain_fill(
    sp: &StationProblem,
    rules: &RowRules,
    new: &Roster,
    d: usize,
    s: usize,
    sworn_seat: bool,
) -> Option<(Vec<Change>, usize)> {
    let group: Vec<usize> = (0..sp.members.len())
        .filter(|&i| sp.members[i].sworn == sworn_seat)
        .collect();
    for &j in &group {
        let Some(t) = new[j][d].filter(|&t| t != s) else {
            continue;
        };
        if !may_take(sp, rules, new, j, d, s) {
            continue;
        }
        let seats_t = if sworn_seat {
            sp.sworn_cover(d, t)
        } else {
            sp.auxiliary_cover(d, t)
        } as usize;
        let on_t = group.iter().filter(|&&i| new[i][d] == Some(t)).count();
        let moved = Change {
            member: j,
            day: d,
            from: Some(t),
            to: Some(s),
            overtime: false,
        };
        if on_t > seats_t {
            return Some((vec![moved], 1));
        }
        let refill = group
            .iter()
            .copied()
            .filter(|&k| k != j && new[k][d].is_none() && may_take(sp, rules, new, k, d, t))
            .min_by_key(|&k| (row_minutes(sp, &new[k]), k));
        if let Some(k) = refill {
            let filled = Change {
                member: k,
                day: d,
                from: None,
                to: Some(t),
                overtime: false,
            };
            return Some((vec![moved, filled], 1));
        }
    }
    None
}

/// Two people of the same group exchange what they work on `days` (换班:
/// on one day a shift for a shift or for a day off; over two days, each
/// works the other's shift): refused, with the reasons, if either row would
/// break a rule or they are not both sworn or both auxiliaries.
pub fn swap(
    sp: &StationProblem,
    old: &Roster,
    a: usize,
    b: usize,
    days: &[usize],
) -> Result<(Roster, Vec<Change>), Vec<Violation>> {
    let (ma, mb) = (&sp.members[a], &sp.members[b]);
    let pair = |rule: Rule| {
        Err(vec![Violation {
            who: ma.key.clone(),
            rule,
        }])
    };
    if a == b || days.is_empty() || days.iter().any(|&d| d >= sp.days) {
        return pair(Rule::NotASwap);
    }
    if ma.sworn != mb.sworn {
        return pair(Rule::MixedGroups { with: mb.key.clone() });
    }
    if days.iter().all(|&d| old[a][d] == old[b][d]) {
        return pair(Rule::SameWork { with: mb.key.clone() });
    }
    let rules = RowRules::new(sp, 0);
    let mut new = old.clone();
    let mut changes = Vec::new();
    for &d in days {
        let (x, y) = (old[a][d], old[b][d]);
        if x == y {
            continue;
        }
        new[a][d] = y;
        new[b][d] = x;
        changes.push(Change {
            member: a,
            day: d,
            from: x,
            to: y,
            overtime: false,
        });
        changes.push(Change {
            member: b,
            day: d,
            from: y,
            to: x,
            overtime: false,
        });
    }
    let mut why = rules.breaches(sp, a, &new[a]);
    why.extend(rules.breaches(sp, b, &new[b]));
    if !why.is_empty() {
        return Err(why);
    }
    Ok((new, changes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn three_shifts() -> Vec<StationShift> {
        [("day", 480, false), ("evening", 960, false), ("night", 0, true)]
            .into_iter()
            .map(|(code, start, night)| StationShift {
                code: code.into(),
                start_minute: start,
                minutes: 480,
                night,
                flexible: false,
            })
            .collect()
    }

    fn rules() -> StationRules {
        StationRules {
            min_rest_minutes: 12 * 60,
            rest_after_24h_minutes: 24 * 60,
            max_consecutive_days: 6,
            max_consecutive_nights: 3,
            max_weekends: 2,
            crew_size: 2,
            duty_officer: true,
        }
    }

    fn member(key: &str, sworn: bool) -> Member {
        Member {
            key: key.into(),
            sworn,
            allowed: vec![true; 3],
            contract_minutes: 40 * 60 * 2,
            leave: vec![],
            driver: !sworn,
            wishes_off: vec![],
            wishes_on: vec![],
            holiday_off: 0,
            overtime_minutes: 0,
            team: None,
        }
    }

    fn station(sworn: usize, aux: usize, crews: u32) -> StationProblem {
        let mut members: Vec<Member> = (0..sworn).map(|i| member(&format!("s{i}"), true)).collect();
        members.extend((0..aux).map(|i| member(&format!("a{i}"), false)));
        StationProblem {
            days: 14,
            first_weekday: 0,
            shifts: three_shifts(),
            rules: rules(),
            crews: vec![vec![crews; 3]; 14],
            rotation: None,
            holidays: vec![],
            members,
        }
    }

    #[test]
    fn overtime_on_record_is_allowed_beyond_the_contract() {
        let mut sp = station(1, 0, 0);
        sp.rules.duty_officer = false;
        sp.members[0].contract_minutes = 480 * 2;
        // Three day shifts on a contract of two.
        let mut assignment: Roster = vec![vec![None; 14]];
        assignment[0][..3].fill(Some(0));
        let roster = StationRoster {
            teams: form_teams(&sp, &assignment),
            assignment,
            objective: 0,
            lower_bound: None,
        };
        assert!(
            check(&sp, &roster).iter().any(|v| v.contains("minutes")),
            "beyond the contract"
        );
        sp.members[0].overtime_minutes = 480;
        assert_eq!(check(&sp, &roster), Vec::<String>::new());
    }

    #[test]
    fn every_run_of_nights_too_long_is_broken_not_only_the_longest() {
        let sp = station(2, 0, 0);
        let (mut problem, _) = sp.group_problem(true);
        for staff in &mut problem.staff {
            staff.min_minutes = 0;
            staff.max_shifts = vec![14; 3];
        }
        let row = |text: &str| -> Vec<Option<usize>> {
            text.chars()
                .map(|c| match c {
                    'D' => Some(0),
                    'E' => Some(1),
                    'N' => Some(2),
                    _ => None,
                })
                .collect()
        };
        // Two runs of four nights: breaking one leaves the longest run at four, yet it is better.
        let mut rows = vec![row("NNNN.NNNN....."), row("..............")];
        assert_eq!(nights_beyond(&sp, &rows[0], 3), 2);
        let nights_by_day = |rows: &Roster| -> Vec<usize> {
            (0..14)
                .map(|d| rows.iter().filter(|r| r[d] == Some(2)).count())
                .collect()
        };
        let cover = nights_by_day(&rows);
        repair_night_runs(&sp, &problem, &mut rows);
        assert!(rows.iter().all(|r| night_run(&sp, r) <= 3), "{rows:?}");
        assert_eq!(nights_by_day(&rows), cover, "the nights are still worked");
    }

    #[test]
    fn the_holidays_are_evened_out_with_the_cover_unchanged() {
        let mut sp = station(3, 0, 0);
        sp.holidays = vec![0, 1, 2, 3];
        let (mut problem, _) = sp.group_problem(true);
        for staff in &mut problem.staff {
            staff.min_minutes = 0;
            staff.max_shifts = vec![14; 3];
        }
        let row = |text: &str| -> Vec<Option<usize>> { text.chars().map(|c| (c == 'D').then_some(0)).collect() };
        // One works every day of the holiday, the others after it.
        let mut rows = vec![row("DDDD.........."), row("....DDDD......"), row("........DDDD..")];
        let by_day = |rows: &Roster| -> Vec<usize> {
            (0..14)
                .map(|d| rows.iter().filter(|r| r[d].is_some()).count())
                .collect()
        };
        let cover = by_day(&rows);
        let hours: Vec<usize> = rows.iter().map(|r| r.iter().flatten().count()).collect();
        level_holidays(&sp, &problem, &mut rows);
        let holidays: Vec<usize> = rows
            .iter()
            .map(|r| (0..4).filter(|&d| r[d].is_some()).count())
            .collect();
        assert!(
            holidays.iter().max().unwrap() - holidays.iter().min().unwrap() <= 1,
            "{rows:?}"
        );
        assert_eq!(by_day(&rows), cover, "every shift still worked");
        assert_eq!(
            rows.iter().map(|r| r.iter().flatten().count()).collect::<Vec<_>>(),
            hours,
            "each keeps their hours"
        );
    }

    #[test]
    fn a_raised_level_puts_its_share_on_post_and_stands_the_rest_by() {
        let mut sp = station(6, 6, 1);
        sp.members[11].leave = vec![3];
        let old = solve_station(&sp, &quick()).unwrap().assignment;
        let working = |r: &Roster, d: usize| r.iter().filter(|row| row[d].is_some()).count() as u32;
        // 一级: everyone not on leave on post on days 3 and 4.
        let r = raise_level(&sp, &old, 3..5, 1.0, 0.0);
        for d in 0..3 {
            assert!(
                r.roster.iter().zip(&old).all(|(a, b)| a[d] == b[d]),
                "day {d} untouched"
            );
        }
        assert_eq!(r.days.len(), 2);
        assert_eq!((r.days[0].available, r.days[0].on_post_wanted), (11, 11));
        for day in &r.days {
            assert_eq!(day.on_post, working(&r.roster, day.day));
            assert!(day.on_post > working(&old, day.day), "{day:?}");
            // Whoever is still off could not take any shift that day without breaking a rule.
            let raised = StationProblem {
                crews: r.crews.clone(),
                ..sp.clone()
            };
            let rules = RowRules::new(&raised, 480 * 2);
            for i in (0..12).filter(|&i| r.roster[i][day.day].is_none()) {
                assert!(
                    (0..3).all(|s| !may_take(&raised, &rules, &r.roster, i, day.day, s)),
                    "{i} {day:?}"
                );
            }
            assert!(day.standby.is_empty());
        }
        assert!(r.roster[11][3].is_none(), "leave kept");
        assert!(r.crews[3].iter().sum::<u32>() > sp.crews[3].iter().sum::<u32>());
        assert!(r.changes.iter().all(|c| c.day >= 3));
        // 二级: half on post, the other half standing by, none of them on post or on leave.
        let r = raise_level(&sp, &old, 3..5, 0.5, 0.5);
        for day in &r.days {
            assert!(day.on_post >= day.on_post_wanted, "{day:?}");
            assert_eq!(day.standby_wanted, 6.min(day.available - day.on_post));
            assert_eq!(day.standby.len() as u32, day.standby_wanted);
            for &i in &day.standby {
                assert!(r.roster[i][day.day].is_none() && !sp.members[i].leave.contains(&day.day));
            }
        }
    }

    fn quick() -> Options {
        Options {
            time_limit: Duration::from_millis(600),
            seed: 3,
            bound: false,
        }
    }

    #[test]
    fn rest_forbids_an_evening_before_a_day_and_anything_after_24_hours() {
        let mut sp = station(1, 0, 1);
        assert_eq!(
            sp.forbids_next(1),
            [0, 2],
            "evening 16–24: day at 08 and night at 00 come too soon"
        );
        assert_eq!(sp.forbids_next(0), [2], "day 08–16: 8 hours to the next night at 00:00");
        assert_eq!(
            sp.forbids_next(2),
            Vec::<usize>::new(),
            "night 00–08: the next night starts 16 hours later"
        );
        sp.shifts.push(StationShift {
            code: "duty24".into(),
            start_minute: 480,
            minutes: 1440,
            night: true,
            flexible: false,
        });
        assert_eq!(sp.forbids_next(3), [0, 1, 2, 3], "a day's rest after 24 hours");
    }

    #[test]
    fn every_crew_is_led_by_a_sworn_officer_and_the_rules_hold() {
        let sp = station(14, 12, 2);
        let r = solve_station(&sp, &quick()).unwrap();
        assert_eq!(check(&sp, &r), Vec::<String>::new());
        assert!(shortfalls(&sp, &r.teams).is_empty(), "{:?}", shortfalls(&sp, &r.teams));
        for day in &r.teams {
            for t in day {
                assert!(t.duty.is_some_and(|x| sp.members[x].sworn));
                assert!(t.crews.len() >= 2);
                assert!(
                    t.crews
                        .iter()
                        .all(|c| sp.members[c.members[0]].sworn && c.members.len() >= 2)
                );
            }
        }
    }

    #[test]
    fn an_auxiliary_without_a_sworn_lead_stays_on_standby() {
        let mut sp = station(1, 2, 1);
        sp.days = 1;
        sp.crews = vec![vec![1, 0, 0]];
        // The only sworn officer holds the duty: no one may lead a crew.
        let assignment = vec![vec![Some(0)], vec![Some(0)], vec![Some(0)]];
        let teams = form_teams(&sp, &assignment);
        assert_eq!(teams[0][0].duty, Some(0));
        assert!(teams[0][0].crews.is_empty());
        assert_eq!(teams[0][0].standby, [1, 2]);
        let short = shortfalls(&sp, &teams);
        assert_eq!(
            (short[0].crews_needed, short[0].crews, short[0].duty_officer),
            (1, 0, true)
        );
        let roster = StationRoster {
            assignment,
            teams,
            objective: 0,
            lower_bound: None,
        };
        // A crew led by an auxiliary is a breach the checker names.
        let mut led_badly = roster.clone();
        led_badly.teams[0][0].standby.clear();
        led_badly.teams[0][0].crews.push(Crew {
            number: 1,
            members: vec![1, 2],
            driver: true,
        });
        assert!(
            check(&sp, &led_badly)
                .iter()
                .any(|v| v.contains("led by a0, not sworn"))
        );
    }

    #[test]
    fn leave_and_allowed_shifts_are_kept_and_nights_in_a_row_are_checked() {
        let mut sp = station(14, 12, 2);
        sp.members[0].leave = vec![0, 1, 2, 3];
        sp.members[1].allowed = vec![true, false, false];
        let r = solve_station(&sp, &quick()).unwrap();
        assert!(r.assignment[0][..4].iter().all(Option::is_none));
        assert!(r.assignment[1].iter().flatten().all(|&s| s == 0));
        let mut nights = r.clone();
        nights.assignment[2] = vec![Some(2); 4].into_iter().chain(vec![None; 10]).collect();
        nights.teams = form_teams(&sp, &nights.assignment);
        assert!(check(&sp, &nights).iter().any(|v| v.contains("s2: 4 nights in a row")));
    }

    #[test]
    fn days_wished_off_are_granted_where_the_cover_allows_and_cost_less_than_a_seat() {
        let mut sp = station(14, 12, 2);
        sp.members[3].wishes_off = vec![(5, 20), (6, 20)];
        sp.members[1].allowed = vec![true, false, true];
        sp.members[1].wishes_off = vec![(2, 500)];
        let (problem, who) = sp.group_problem(true);
        let of = |m: usize| who.iter().position(|&i| i == m).unwrap();
        let wished: Vec<_> = problem
            .off_requests
            .iter()
            .map(|r| (r.staff, r.day, r.shift, r.weight))
            .collect();
        assert_eq!(
            wished,
            vec![
                (of(1), 2, 0, UNDER - 1),
                (of(1), 2, 2, UNDER - 1),
                (of(3), 5, 0, 20),
                (of(3), 5, 1, 20),
                (of(3), 5, 2, 20),
                (of(3), 6, 0, 20),
                (of(3), 6, 1, 20),
                (of(3), 6, 2, 20)
            ],
            "one per allowed shift, never as dear as a seat"
        );
        let r = solve_station(&sp, &quick()).unwrap();
        assert!(check(&sp, &r).is_empty());
        assert!(
            r.assignment[3][5].is_none() && r.assignment[3][6].is_none(),
            "{:?}",
            r.assignment[3]
        );
        assert!(r.assignment[1][2].is_none());
    }

    /// Days wished to work (希望上班): a day off there costs the wish's
    /// weight, any shift will do, and the roster moves the person's work
    /// onto the days they asked for.
    #[test]
    fn days_wished_to_work_are_worked_where_the_cover_allows() {
        let mut sp = station(14, 12, 2);
        let before = solve_station(&sp, &quick()).unwrap();
        let off: Vec<usize> = (0..14).filter(|&d| before.assignment[3][d].is_none()).take(2).collect();
        assert_eq!(off.len(), 2, "{:?}", before.assignment[3]);
        sp.members[3].wishes_on = off.iter().map(|&d| (d, 20)).collect();
        sp.members[1].wishes_on = vec![(2, 500)];
        let (problem, who) = sp.group_problem(true);
        let of = |m: usize| who.iter().position(|&i| i == m).unwrap();
        let wished: Vec<_> = problem
            .work_requests
            .iter()
            .map(|r| (r.staff, r.day, r.weight))
            .collect();
        assert_eq!(
            wished,
            vec![(of(1), 2, UNDER - 1), (of(3), off[0], 20), (of(3), off[1], 20)],
            "one a day, never as dear as a seat"
        );
        let r = solve_station(&sp, &quick()).unwrap();
        assert!(check(&sp, &r).is_empty());
        assert!(
            off.iter().all(|&d| r.assignment[3][d].is_some()),
            "{off:?}: {:?}",
            r.assignment[3]
        );
        assert!(r.assignment[1][2].is_some(), "{:?}", r.assignment[1]);
    }

    /// Public holidays (轮休): each holiday costs those who worked the
    /// last ones; with a wish on the same day the two add up, below a seat.
    #[test]
    fn those_who_worked_the_last_holidays_are_off_on_these_first() {
        let mut sp = station(14, 12, 2);
        sp.holidays = vec![2, 3];
        let (veteran, wisher) = (4, 5);
        sp.members[veteran].holiday_off = 30;
        sp.members[wisher].holiday_off = 90;
        sp.members[wisher].wishes_off = vec![(3, 20)];
        let (problem, who) = sp.group_problem(true);
        let weights = |m: usize| -> Vec<(usize, u32)> {
            let k = who.iter().position(|&i| i == m).unwrap();
            let mut v: Vec<(usize, u32)> = problem
                .off_requests
                .iter()
                .filter(|r| r.staff == k)
                .map(|r| (r.day, r.weight))
                .collect();
            v.dedup();
            v
        };
        assert_eq!(weights(veteran), [(2, 30), (3, 30)]);
        assert_eq!(weights(wisher), [(2, 90), (3, UNDER - 1)]);
        assert!(weights(6).is_empty(), "no holiday worked before: no preference");
        let r = solve_station(&sp, &quick()).unwrap();
        assert!(check(&sp, &r).is_empty());
        for m in [veteran, wisher] {
            assert!(
                r.assignment[m][2].is_none() && r.assignment[m][3].is_none(),
                "{:?}",
                r.assignment[m]
            );
        }
        let f = fairness(&sp, &r.assignment);
        let worked = f[0].holidays.unwrap();
        assert!(worked.min == 0 && worked.mean > 0.0, "{worked:?}");
        // Among the sworn with no turn owed, the holidays are evened out.
        let holidays_of = |m: usize| (2..=3).filter(|&d| r.assignment[m][d].is_some()).count();
        let others: Vec<usize> = (0..14)
            .filter(|&m| m != veteran && m != wisher)
            .map(holidays_of)
            .collect();
        assert!(
            others.iter().max().unwrap() - others.iter().min().unwrap() <= 1,
            "{others:?}"
        );
        sp.holidays.clear();
        assert_eq!(fairness(&sp, &r.assignment)[0].holidays, None);
    }

    #[test]
    fn fairness_reports_the_spread_of_nights_and_weekends() {
        let sp = station(14, 12, 2);
        let r = solve_station(&sp, &quick()).unwrap();
        let f = fairness(&sp, &r.assignment);
        assert_eq!((f[0].group, f[0].people, f[1].people), ("sworn", 14, 12));
        let nights = f[0].nights.unwrap();
        assert!(nights.max >= nights.min && nights.mean > 0.0);
        assert!(f[0].weekends.unwrap().max <= 2);
    }

    #[test]
    fn a_sick_call_is_repaired_with_few_changes_and_earlier_days_kept() {
        let mut sp = station(14, 12, 2);
        let r = solve_station(&sp, &quick()).unwrap();
        // The first sworn officer who works day 3 falls sick for days 3 and 4.
        let sick = (0..14).find(|&i| r.assignment[i][3].is_some()).unwrap();
        sp.members[sick].leave = vec![3, 4];
        let (fixed, changes) = repair(&sp, &r.assignment, 3);
        assert!(fixed[sick][3].is_none() && fixed[sick][4].is_none());
        assert_eq!(
            fixed.iter().map(|row| &row[..3]).collect::<Vec<_>>(),
            r.assignment.iter().map(|row| &row[..3]).collect::<Vec<_>>()
        );
        let cleared = changes.iter().filter(|c| c.to.is_none()).count();
        let filled = changes.iter().filter(|c| c.from.is_none()).count();
        assert!(
            cleared >= 1 && filled <= cleared,
            "one fill per seat cleared at most: {changes:?}"
        );
        let repaired = StationRoster {
            teams: form_teams(&sp, &fixed),
            assignment: fixed,
            ..r.clone()
        };
        // Every rule still holds except the fair-share floor a sick person may fall below.
        let breaches: Vec<String> = check(&sp, &repaired)
            .into_iter()
            .filter(|v| !v.contains("minutes (from"))
            .collect();
        assert_eq!(breaches, Vec::<String>::new());
        assert!(
            shortfalls(&sp, &repaired.teams).is_empty(),
            "the seats are filled again"
        );
    }

    #[test]
    fn swaps_keep_the_rules_or_say_why_not() {
        let sp = station(14, 12, 2);
        let r = solve_station(&sp, &quick()).unwrap();
        // Two sworn officers, one working day 5 and one off: the shift changes hands.
        let a = (0..14).find(|&i| r.assignment[i][5].is_some()).unwrap();
        let b = (0..14).find(|&i| {
            r.assignment[i][5].is_none() && {
                let mut row = r.assignment[i].clone();
                row[5] = r.assignment[a][5];
                RowRules::new(&sp, 0).breaches(&sp, i, &row).is_empty()
            }
        });
        if let Some(b) = b {
            let (new, changes) = swap(&sp, &r.assignment, a, b, &[5]).unwrap();
            assert_eq!((new[a][5], new[b][5]), (None, r.assignment[a][5]));
            assert_eq!(changes.len(), 2);
        }
        // A sworn officer's seat never goes to an auxiliary.
        let aux = 14;
        let e = swap(&sp, &r.assignment, a, aux, &[5]).unwrap_err();
        assert!(e[0].to_string().contains("sworn officer's seat"), "{e:?}");
        assert_eq!(
            e[0].rule,
            Rule::MixedGroups {
                with: sp.members[aux].key.clone()
            }
        );
        // Nor to someone on leave that day.
        let mut on_leave = sp.clone();
        let c = (0..14).find(|&i| i != a && r.assignment[i][5].is_none()).unwrap();
        on_leave.members[c].leave = vec![5];
        let e = swap(&on_leave, &r.assignment, a, c, &[5]).unwrap_err();
        assert!(e.iter().any(|v| v.to_string().contains("a day off")), "{e:?}");
        assert!(e.contains(&Violation {
            who: sp.members[c].key.clone(),
            rule: Rule::WorksDayOff { day: 5 }
        }));
    }
}
