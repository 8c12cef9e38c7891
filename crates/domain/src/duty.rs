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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyConfig {
    pub shifts: Vec<ShiftType>,
    pub rules: DutyRules,
    pub levels: Vec<DutyLevel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    shift: Vec<ShiftEntry>,
    rules: DutyRules,
    #[serde(default)]
    level: Vec<LevelEntry>,
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
        Ok(DutyConfig {
            shifts,
            rules: file.rules,
            levels,
        })
    }

    pub fn shift(&self, code: &str) -> Option<&ShiftType> {
        self.shifts.iter().find(|s| s.code == code)
    }

    pub fn level(&self, code: &str) -> Option<&DutyLevel> {
        self.levels.iter().find(|l| l.code == code)
    }
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
