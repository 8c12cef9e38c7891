//! A station's duty (勤务) as data: the shifts it rosters (三班倒, 24-hour
//! 值班, peak shifts) and the rules every roster keeps — rest between
//! shifts, consecutive days and nights, weekends, crews led by a sworn
//! officer, a sworn officer on duty at every hour. Configurable per bureau.

use serde::{Deserialize, Serialize};

/// The built-in duty configuration's text.
pub const BUILTIN: &str = include_str!("default_duty.toml");

/// Most shift types a bureau may define.
pub const MAX_SHIFT_TYPES: usize = 16;
/// Most duty levels a bureau may define.
pub const MAX_LEVELS: usize = 8;
/// Most duty patterns a bureau may define.
pub const MAX_PATTERNS: usize = 12;
/// Longest rotation cycle, days.
pub const MAX_CYCLE_DAYS: usize = 28;
/// The cycle's word for a day off.
pub const OFF: &str = "off";

/// A duty pattern (勤务模式) a station is rostered on: its shifts, and
/// whether teams (A, B, C…) rotate through a fixed cycle of them (四班三运转,
/// 24-hour 值班 做一休三) or people are rostered shift by shift (三班倒).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyPattern {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Shift codes rostered, in order.
    pub shifts: Vec<String>,
    pub rotation: Option<Rotation>,
}

/// Teams rotating through a cycle: team k works day `d` as the cycle's day
/// `(d + k · cycle.len() / teams) mod cycle.len()`. Those not in a team (the
/// 机动 group) are rostered on the pattern's shifts where the teams fall short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rotation {
    /// Day by day: a shift code, or `None` for a day off.
    pub cycle: Vec<Option<String>>,
    pub teams: u8,
}

impl Rotation {
    /// Days between one team's place in the cycle and the next's.
    pub fn offset(&self) -> usize {
        self.cycle.len() / usize::from(self.teams.max(1))
    }
}

/// A duty level (勤务等级) a commander raises for a holiday, a typhoon or a
/// major event: how much of a station's strength (those not on leave) works
/// a shift each day, and how much stands by (备勤), reachable and not in a crew.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyLevel {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Share on post each day; 0: as rostered.
    pub on_post: f64,
    /// Share on standby each day, from those not on post.
    pub standby: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftType {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Minutes after local midnight.
    pub start_minute: u16,
    pub minutes: u16,
    /// 弹性勤务: a roster places its start at the station's busy hours.
    pub flexible: bool,
}

impl ShiftType {
    /// A night shift works some of 00:00–06:00.
    pub fn is_night(&self) -> bool {
        let (start, end) = (
            u32::from(self.start_minute),
            u32::from(self.start_minute) + u32::from(self.minutes),
        );
        start < 360 || end > 1440
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyRules {
    pub min_rest_hours: u8,
    pub rest_after_24h_hours: u8,
    pub max_consecutive_days: u8,
    pub max_consecutive_nights: u8,
    pub max_weekends_per_4_weeks: u8,
    pub crew_size: u8,
    pub officer_on_duty_every_hour: bool,
    /// The cost of working on a day one wished off, against 100 for a
    /// seat left empty: a wish never leaves a seat empty. 0 ignores wishes.
    #[serde(default = "default_wish_weight")]
    pub wish_off_weight: u8,
    /// The cost of a day off on a day one wished to work (希望上班), below
    /// a seat left empty; 0 ignores these wishes.
    #[serde(default = "default_wish_weight")]
    pub wish_on_weight: u8,
    /// The cost of working a public holiday for each holiday shift worked
    /// in the year before (节假日轮休); 0 ignores past holidays.
    #[serde(default = "default_holiday_off_step")]
    pub holiday_off_step: u8,
}

fn default_wish_weight() -> u8 {
    20
}

fn default_holiday_off_step() -> u8 {
    10
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyConfig {
    pub shifts: Vec<ShiftType>,
    pub rules: DutyRules,
    pub levels: Vec<DutyLevel>,
    pub patterns: Vec<DutyPattern>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    shift: Vec<ShiftEntry>,
    rules: DutyRules,
    #[serde(default)]
    level: Vec<LevelEntry>,
    #[serde(default)]
    pattern: Vec<PatternEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternEntry {
    code: String,
    name_zh: String,
    name_en: String,
    shifts: Vec<String>,
    #[serde(default)]
    cycle: Vec<String>,
    #[serde(default)]
    teams: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelEntry {
    code: String,
    name_zh: String,
    name_en: String,
    on_post: f64,
    standby: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftEntry {
    code: String,
    name_zh: String,
    name_en: String,
    start: String,
    hours: u8,
    #[serde(default)]
    flexible: bool,
}

/// Why a duty configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DutyError(pub String);

impl DutyConfig {
    pub fn builtin() -> Self {
        Self::from_toml(BUILTIN).expect("the built-in duty configuration is valid")
    }

    pub fn from_toml(text: &str) -> Result<Self, DutyError> {
        let file: File = toml::from_str(text).map_err(|e| DutyError(e.to_string()))?;
        let bad = |s: String| Err(DutyError(s));
        if file.shift.is_empty() || file.shift.len() > MAX_SHIFT_TYPES {
            return bad(format!(
                "shift: 1 to {MAX_SHIFT_TYPES} shift types, not {}",
                file.shift.len()
            ));
        }
        let mut shifts = Vec::with_capacity(file.shift.len());
        for (i, s) in file.shift.iter().enumerate() {
            let at = format!("shift {} ({:?})", i + 1, s.code);
            let code_ok = (1..=20).contains(&s.code.len())
                && s.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !code_ok {
                return bad(format!("{at}: code must be 1 to 20 of a-z, 0-9 and _"));
            }
            if shifts.iter().any(|x: &ShiftType| x.code == s.code) {
                return bad(format!("{at}: code used twice"));
            }
            if s.name_zh.trim().is_empty() || s.name_en.trim().is_empty() {
                return bad(format!("{at}: name_zh and name_en are required"));
            }
            let Some(start_minute) = parse_clock(&s.start) else {
                return bad(format!("{at}: start {:?} is not HH:MM", s.start));
            };
            if !(1..=24).contains(&s.hours) {
                return bad(format!("{at}: hours {} is outside 1..=24", s.hours));
            }
            shifts.push(ShiftType {
                code: s.code.clone(),
                name_zh: s.name_zh.trim().to_string(),
                name_en: s.name_en.trim().to_string(),
                start_minute,
                minutes: u16::from(s.hours) * 60,
                flexible: s.flexible,
            });
        }
        let r = &file.rules;
        if !(1..=6).contains(&r.crew_size) {
            return bad(format!("rules.crew_size {} is outside 1..=6", r.crew_size));
        }
        if !(1..=14).contains(&r.max_consecutive_days) || r.max_consecutive_nights > r.max_consecutive_days {
            return bad("rules: max_consecutive_days in 1..=14, max_consecutive_nights no more than it".into());
        }
        if r.max_weekends_per_4_weeks > 4 || r.min_rest_hours > 48 || r.rest_after_24h_hours > 72 {
            return bad("rules: max_weekends_per_4_weeks ≤ 4, min_rest_hours ≤ 48, rest_after_24h_hours ≤ 72".into());
        }
        if r.holiday_off_step > 99 {
            return bad(format!(
                "rules.holiday_off_step {}: 0 to 99 (a seat left empty costs 100)",
                r.holiday_off_step
            ));
        }
        if r.wish_off_weight > 99 {
            return bad(format!(
                "rules.wish_off_weight {}: 0 to 99 (a seat left empty costs 100)",
                r.wish_off_weight
            ));
        }
        if r.wish_on_weight > 99 {
            return bad(format!(
                "rules.wish_on_weight {}: 0 to 99 (a seat left empty costs 100)",
                r.wish_on_weight
            ));
        }
        if file.level.len() > MAX_LEVELS {
            return bad(format!("level: at most {MAX_LEVELS} duty levels"));
        }
        let mut levels: Vec<DutyLevel> = Vec::with_capacity(file.level.len());
        for (i, l) in file.level.iter().enumerate() {
            let at = format!("level {} ({:?})", i + 1, l.code);
            if !(1..=20).contains(&l.code.chars().count()) || l.code.chars().any(char::is_whitespace) {
                return bad(format!("{at}: code must be 1 to 20 characters without spaces"));
            }
            if levels.iter().any(|x| x.code == l.code) {
                return bad(format!("{at}: code used twice"));
            }
            if l.name_zh.trim().is_empty() || l.name_en.trim().is_empty() {
                return bad(format!("{at}: name_zh and name_en are required"));
            }
            let share = |x: f64| (0.0..=1.0).contains(&x);
            if !share(l.on_post) || !share(l.standby) || l.on_post + l.standby > 1.0 + 1e-9 {
                return bad(format!(
                    "{at}: on_post and standby are shares from 0 to 1 and together at most 1"
                ));
            }
            levels.push(DutyLevel {
                code: l.code.clone(),
                name_zh: l.name_zh.trim().to_string(),
                name_en: l.name_en.trim().to_string(),
                on_post: l.on_post,
                standby: l.standby,
            });
        }
        if file.pattern.len() > MAX_PATTERNS {
            return bad(format!("pattern: at most {MAX_PATTERNS} duty patterns"));
        }
        let mut patterns: Vec<DutyPattern> = Vec::with_capacity(file.pattern.len());
        for (i, p) in file.pattern.iter().enumerate() {
            let pattern = check_pattern(&shifts, &file.rules, p)
                .map_err(|e| DutyError(format!("pattern {} ({:?}): {e}", i + 1, p.code)))?;
            if patterns.iter().any(|x| x.code == p.code) || shifts.iter().any(|x| x.code == p.code) {
                return bad(format!("pattern {} ({:?}): code used twice", i + 1, p.code));
            }
            patterns.push(pattern);
        }
        Ok(DutyConfig {
            shifts,
            rules: file.rules,
            levels,
            patterns,
        })
    }

    pub fn pattern(&self, code: &str) -> Option<&DutyPattern> {
        self.patterns.iter().find(|p| p.code == code)
    }

    pub fn shift(&self, code: &str) -> Option<&ShiftType> {
        self.shifts.iter().find(|s| s.code == code)
    }

    pub fn level(&self, code: &str) -> Option<&DutyLevel> {
        self.levels.iter().find(|l| l.code == code)
    }
}

/// A pattern entry checked against the shifts and the rules: a rotation's
/// cycle keeps the rest between shifts and the runs of days and nights,
/// round the cycle and into the next.
fn check_pattern(shifts: &[ShiftType], rules: &DutyRules, p: &PatternEntry) -> Result<DutyPattern, String> {
    let code_ok = (1..=32).contains(&p.code.len())
        && p.code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !code_ok || p.code == OFF {
        return Err(format!("code must be 1 to 32 of a-z, 0-9 and _, not {OFF:?}"));
    }
    if p.name_zh.trim().is_empty() || p.name_en.trim().is_empty() {
        return Err("name_zh and name_en are required".into());
    }
    if p.shifts.is_empty() {
        return Err("at least one shift".into());
    }
    let mut pattern_shifts: Vec<&ShiftType> = Vec::new();
    for code in &p.shifts {
        let s = shifts
            .iter()
            .find(|s| &s.code == code)
            .ok_or_else(|| format!("shift {code:?} is not defined"))?;
        if pattern_shifts.iter().any(|x| x.code == *code) {
            return Err(format!("shift {code:?} twice"));
        }
        pattern_shifts.push(s);
    }
    let rotation = match (p.cycle.is_empty(), p.teams) {
        (true, 0) => None,
        (true, _) | (false, 0) => return Err("a rotation needs both cycle and teams".into()),
        (false, teams) => {
            let days = p.cycle.len();
            if days > MAX_CYCLE_DAYS || !(1..=8).contains(&teams) || !days.is_multiple_of(usize::from(teams)) {
                return Err(format!(
                    "a cycle of {days} days for {teams} teams: at most {MAX_CYCLE_DAYS} days, 1 to 8 teams, the days a multiple of the teams"
                ));
            }
            let mut steps: Vec<Option<&ShiftType>> = Vec::with_capacity(days);
            for code in &p.cycle {
                if code == OFF {
                    steps.push(None);
                } else {
                    let s = pattern_shifts
                        .iter()
                        .find(|s| &s.code == code)
                        .ok_or_else(|| format!("cycle: {code:?} is not one of the pattern's shifts or {OFF:?}"))?;
                    steps.push(Some(*s));
                }
            }
            check_cycle(rules, &steps)?;
            Some(Rotation {
                cycle: steps.iter().map(|s| s.map(|s| s.code.clone())).collect(),
                teams,
            })
        }
    };
    Ok(DutyPattern {
        code: p.code.clone(),
        name_zh: p.name_zh.trim().to_string(),
        name_en: p.name_en.trim().to_string(),
        shifts: p.shifts.clone(),
        rotation,
    })
}

/// The rules a cycle repeated keeps: rest, days and nights in a row.
fn check_cycle(rules: &DutyRules, steps: &[Option<&ShiftType>]) -> Result<(), String> {
    let days = steps.len();
    if steps.iter().all(Option::is_none) {
        return Err("cycle: every day off".into());
    }
    for (i, a) in steps.iter().enumerate() {
        let Some(a) = a else { continue };
        // The next shift, round the cycle.
        let Some((gap, b)) = (1..=days).find_map(|k| steps[(i + k) % days].map(|b| (k, b))) else {
            continue;
        };
        let end = u32::from(a.start_minute) + u32::from(a.minutes);
        let next_start = gap as u32 * 1440 + u32::from(b.start_minute);
        let rest = if a.minutes >= 1440 {
            rules.rest_after_24h_hours
        } else {
            rules.min_rest_hours
        };
        if next_start < end + u32::from(rest) * 60 {
            return Err(format!(
                "cycle day {}: {:?} then {:?} {gap} day(s) later leaves less than {rest} hours' rest",
                i + 1,
                a.code,
                b.code
            ));
        }
    }
    let longest_run = |on: &dyn Fn(&ShiftType) -> bool| {
        let works = |d: usize| steps[d % days].is_some_and(on);
        (0..days)
            .map(|d| (0..2 * days).take_while(|&k| works(d + k)).count())
            .max()
            .unwrap_or(0)
    };
    if longest_run(&|_| true) > usize::from(rules.max_consecutive_days) {
        return Err(format!("cycle: more than {} days in a row", rules.max_consecutive_days));
    }
    if longest_run(&ShiftType::is_night) > usize::from(rules.max_consecutive_nights) {
        return Err(format!(
            "cycle: more than {} nights in a row",
            rules.max_consecutive_nights
        ));
    }
    Ok(())
}

/// "HH:MM" as minutes after midnight.
fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.trim().len() == 5).then_some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_three_shifts_round_the_clock_and_a_24_hour_duty() {
        let d = DutyConfig::builtin();
        let three: u16 = ["day", "evening", "night"]
            .iter()
            .map(|c| d.shift(c).unwrap().minutes)
            .sum();
        assert_eq!(three, 24 * 60);
        assert!(d.shift("night").unwrap().is_night() && d.shift("duty24").unwrap().is_night());
        assert!(!d.shift("day").unwrap().is_night() && !d.shift("peak").unwrap().is_night());
        assert_eq!(d.rules.crew_size, 2);
    }

    #[test]
    fn bad_files_say_where() {
        let twice = BUILTIN.replacen("code = \"evening\"", "code = \"day\"", 1);
        assert!(DutyConfig::from_toml(&twice).unwrap_err().0.contains("used twice"));
        let clock = BUILTIN.replacen("start = \"16:00\"", "start = \"25:00\"", 1);
        assert!(DutyConfig::from_toml(&clock).unwrap_err().0.contains("shift 2"));
        let crew = BUILTIN.replace("crew_size = 2", "crew_size = 0");
        assert!(DutyConfig::from_toml(&crew).unwrap_err().0.contains("crew_size"));
        let unknown = BUILTIN.replace("crew_size = 2", "crew_size = 2\ncrews = 3");
        assert!(DutyConfig::from_toml(&unknown).is_err());
        let share = BUILTIN.replacen("on_post = 0.5", "on_post = 0.8", 1);
        assert!(DutyConfig::from_toml(&share).unwrap_err().0.contains("level 2"));
        let dear = BUILTIN.replace("holiday_off_step = 10", "holiday_off_step = 100");
        assert!(DutyConfig::from_toml(&dear).unwrap_err().0.contains("holiday_off_step"));
        let unsaid = BUILTIN.replace("holiday_off_step = 10", "");
        assert_eq!(DutyConfig::from_toml(&unsaid).unwrap().rules.holiday_off_step, 10);
    }

    #[test]
    fn builtin_patterns_rotate_teams_so_each_shift_has_one_team_every_day() {
        let d = DutyConfig::builtin();
        assert_eq!(d.pattern("three_shift").unwrap().shifts, ["day", "evening", "night"]);
        assert!(d.pattern("three_shift_peak").unwrap().rotation.is_none());
        assert!(d.shift("peak").unwrap().flexible && !d.shift("day").unwrap().flexible);
        for code in [
            "four_team_three_shift",
            "four_team_two_shift",
            "duty24_one_in_four",
            "duty24_on_36_off",
        ] {
            let p = d.pattern(code).unwrap();
            let r = p.rotation.as_ref().unwrap();
            let n = r.cycle.len();
            for day in 0..n {
                let mut on: Vec<&str> = (0..usize::from(r.teams))
                    .filter_map(|k| r.cycle[(day + k * r.offset()) % n].as_deref())
                    .collect();
                on.sort_unstable();
                let mut base: Vec<&str> = r.cycle.iter().flatten().map(String::as_str).collect();
                base.sort_unstable();
                base.dedup();
                assert_eq!(on, base, "{code} day {day}: each of its shifts by one team");
            }
        }
    }

    /// 上二十四休三十六: each team rests 36 hours after each 24, and two
    /// teams are on at every hour of the cycle.
    #[test]
    fn twenty_four_on_thirty_six_off_keeps_two_teams_on_round_the_clock() {
        let d = DutyConfig::builtin();
        let r = d.pattern("duty24_on_36_off").unwrap().rotation.clone().unwrap();
        let n = r.cycle.len();
        // Minutes of two laps of the cycle each team works, from day 0 00:00.
        let on = |team: usize| -> Vec<(usize, usize)> {
            (0..2 * n)
                .filter_map(|day| {
                    let code = r.cycle[(day + team * r.offset()) % n].as_deref()?;
                    let s = d.shift(code).unwrap();
                    let start = day * 1440 + usize::from(s.start_minute);
                    Some((start, start + usize::from(s.minutes)))
                })
                .collect()
        };
        for team in 0..usize::from(r.teams) {
            let spans = on(team);
            assert!(spans.iter().all(|(a, b)| b - a == 24 * 60));
            for w in spans.windows(2) {
                assert_eq!(w[1].0 - w[0].1, 36 * 60, "team {team}: 36 h off");
            }
        }
        // The second lap, when every team's first shift has begun.
        for minute in (n * 1440..2 * n * 1440).step_by(60) {
            let teams_on = (0..usize::from(r.teams))
                .filter(|&t| on(t).iter().any(|&(a, b)| a <= minute && minute < b))
                .count();
            assert_eq!(teams_on, 2, "minute {minute}");
        }
    }

    #[test]
    fn a_cycle_breaking_the_rules_is_refused_with_the_day() {
        // Evening to 24:00, then the night from 00:00 the day after: no rest.
        let tight = BUILTIN.replace(
            r#"cycle = ["day", "day", "evening", "evening", "off", "night", "night", "off"]"#,
            r#"cycle = ["day", "day", "evening", "evening", "night", "night", "off", "off"]"#,
        );
        let e = DutyConfig::from_toml(&tight).unwrap_err().0;
        assert!(
            e.contains("pattern 3") && e.contains("cycle day 4") && e.contains("rest"),
            "{e}"
        );
        let long = BUILTIN.replace(
            r#"cycle = ["day12", "night12", "off", "off"]"#,
            r#"cycle = ["day12", "day12", "day12", "day12", "day12", "day12", "day12", "off"]"#,
        );
        assert!(DutyConfig::from_toml(&long).unwrap_err().0.contains("days in a row"));
        let teams = BUILTIN.replace(
            "teams = 4\n\n[[pattern]]\ncode = \"four_team_two_shift\"",
            "teams = 3\n\n[[pattern]]\ncode = \"four_team_two_shift\"",
        );
        assert!(
            DutyConfig::from_toml(&teams)
                .unwrap_err()
                .0
                .contains("multiple of the teams")
        );
        let unknown = BUILTIN.replace(r#"shifts = ["duty24", "peak"]"#, r#"shifts = ["duty24", "siesta"]"#);
        assert!(
            DutyConfig::from_toml(&unknown)
                .unwrap_err()
                .0
                .contains("\"siesta\" is not defined")
        );
    }

    #[test]
    fn builtin_levels_from_all_on_post_to_a_third_on_standby() {
        let d = DutyConfig::builtin();
        let codes: Vec<_> = d
            .levels
            .iter()
            .map(|l| (l.code.as_str(), l.on_post, l.standby))
            .collect();
        assert_eq!(codes[0], ("1", 1.0, 0.0));
        assert_eq!(codes[1], ("2", 0.5, 0.5));
        assert_eq!(codes[2].0, "3");
        assert!((codes[2].2 - 1.0 / 3.0).abs() < 0.01);
        assert_eq!(d.level("2").unwrap().name_zh, "二级勤务");
        // A file without levels is still a duty configuration, with none to raise.
        let start = BUILTIN.find("[[level]]").unwrap();
        assert!(DutyConfig::from_toml(&BUILTIN[..start]).unwrap().levels.is_empty());
    }
}
