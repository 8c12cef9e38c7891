//! Working time: which days are working days (weekends, public holidays and
//! China's adjusted working days, 调休) and which hours of them count, so a
//! deadline of "2 working days" or "4 working hours" lands where a
//! department's staff would put it. Calendar days are for what runs on the
//! calendar (follow-up visits 7 and 30 days after an agreement).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The first instant of local day `date` in `tz`. Usually its midnight; where
/// the clocks skipped midnight (China's summers of 1940–41 and 1986–91
/// began at 00:00, and other zones do likewise), the first minute that
/// exists. Never fails, whatever the date and zone.
pub fn day_start<Z: TimeZone>(tz: &Z, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    // A gap is at most a day long (a zone that skipped a whole day, Samoa in 2011).
    for minutes in 0..=24 * 60 {
        if let Some(t) = tz
            .from_local_datetime(&(midnight + Duration::minutes(minutes)))
            .earliest()
        {
            return t.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&midnight)
}

/// A span of time that deadlines count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Working minutes, counted inside the working hours of working days.
    WorkingMinutes(i64),
    /// Working days: the deadline is the end of the n-th working day after
    /// the start's day (the start's own day counts if it starts before work).
    WorkingDays(i64),
    /// Calendar days, to the same local time.
    Days(i64),
    /// Minutes round the clock, nights and holidays included: the deadlines
    /// of work that cannot wait for office hours (an anti-fraud call).
    ClockMinutes(i64),
}

impl Span {
    /// `4h`, `90m` (working time), `10cm`, `2ch` (clock minutes and hours,
    /// round the clock), `3wd` (working days), `7d` (calendar days).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (n, unit) = t.split_at(split);
        let n: i64 = n
            .parse()
            .map_err(|_| format!("{text:?}: expected a number and a unit (h, m, ch, cm, wd, d), e.g. 4h or 3wd"))?;
        match unit {
            "m" => Ok(Span::WorkingMinutes(n)),
            "h" => Ok(Span::WorkingMinutes(n * 60)),
            "cm" => Ok(Span::ClockMinutes(n)),
            "ch" => Ok(Span::ClockMinutes(n * 60)),
            "wd" => Ok(Span::WorkingDays(n)),
            "d" => Ok(Span::Days(n)),
            _ => Err(format!(
                "{text:?}: unknown unit {unit:?}; use m or h (working time), cm or ch (minutes or hours round the clock), wd (working days) or d (calendar days)"
            )),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// IANA zone the working hours are in.
    pub timezone: String,
    /// Working hours of a working day, e.g. ["08:30-12:00", "13:30-17:30"].
    pub hours: Vec<String>,
    /// Public holidays (days off), ISO dates.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休), ISO dates.
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
    /// Years whose holidays are listed; deadlines beyond them are flagged.
    /// A year with no date given here takes the built-in year file.
    #[serde(default)]
    pub years: Vec<i32>,
}

/// A year's public holidays and adjusted working days, as the State
/// Council's notice for it sets them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayYear {
    year: i32,
    /// The notice the dates are from: required, so every year file says its source.
    #[allow(dead_code)]
    notice: String,
    holidays: Vec<NaiveDate>,
    workdays: Vec<NaiveDate>,
}

/// The years shipped with the program.
const BUILT_IN_YEARS: [&str; 2] = [
    include_str!("../data/holidays/2025.toml"),
    include_str!("../data/holidays/2026.toml"),
];

fn built_in_year(year: i32) -> Result<Option<HolidayYear>, String> {
    for text in BUILT_IN_YEARS {
        let y: HolidayYear = toml::from_str(text).map_err(|e| format!("built-in holidays: {e}"))?;
        if y.year == year {
            return Ok(Some(y));
        }
    }
    Ok(None)
}

#[derive(Debug, Clone)]
pub struct WorkCalendar {
    tz: chrono_tz::Tz,
    hours: Vec<(NaiveTime, NaiveTime)>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

impl WorkCalendar {
    pub(crate) fn new(c: &CalendarConfig) -> Result<Self, String> {
        let tz = c
            .timezone
            .parse()
            .map_err(|_| format!("calendar.timezone {:?} is not an IANA zone", c.timezone))?;
        let mut hours = Vec::new();
        for h in &c.hours {
            let (a, b) = h
                .split_once('-')
                .ok_or_else(|| format!("calendar.hours {h:?}: expected HH:MM-HH:MM"))?;
            let parse = |s: &str| {
                NaiveTime::parse_from_str(s.trim(), "%H:%M")
                    .map_err(|_| format!("calendar.hours {h:?}: {s:?} is not HH:MM"))
            };
            let (a, b) = (parse(a)?, parse(b)?);
            if a >= b || hours.last().is_some_and(|&(_, end)| a < end) {
                return Err(format!(
                    "calendar.hours {h:?}: spans must be increasing and not overlap"
                ));
            }
            hours.push((a, b));
        }
        if hours.is_empty() {
            return Err("calendar.hours: give at least one span of working hours".into());
        }
        let mut holidays: BTreeSet<NaiveDate> = c.holidays.iter().copied().collect();
        let mut workdays: BTreeSet<NaiveDate> = c.workdays.iter().copied().collect();
        for &year in &c.years {
            let given = holidays.iter().chain(&workdays).any(|d| d.year() == year);
            if given {
                continue;
            }
            let y = built_in_year(year)?.ok_or_else(|| {
                format!(
                    "calendar.years lists {year}, but neither this configuration nor the built-in year files give its holidays: \
                     add its holidays and workdays (from the State Council's notice) to [calendar]"
                )
            })?;
            holidays.extend(y.holidays);
            workdays.extend(y.workdays);
        }
        if let Some(d) = workdays.iter().find(|d| holidays.contains(d)) {
            return Err(format!(
                "calendar: {d} is listed both as a holiday and as a working day"
            ));
        }
        Ok(Self {
            tz,
            hours,
            holidays,
            workdays,
            years: c.years.iter().copied().collect(),
        })
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.tz
    }

    /// Whether `date` (local) is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return true;
        }
        if self.holidays.contains(&date) {
            return false;
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Whether `date` (local) is a public holiday (a weekend is not one).
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Whether the calendar lists the holidays of `date`'s year.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.years.contains(&date.year())
    }

    /// The years from `from` to `to` (local instants) whose holidays the
    /// calendar does not list: working time counted there knows weekends
    /// only, so a deadline in them may fall on a public holiday.
    pub fn uncovered_years(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<i32> {
        let (a, b) = (from.with_timezone(&self.tz).year(), to.with_timezone(&self.tz).year());
        (a.min(b)..=a.max(b)).filter(|y| !self.years.contains(y)).collect()
    }

    fn at(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        // Working hours never sit in a DST gap in the zones this serves; take the earliest reading.
        self.tz
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .unwrap_or_else(|| Utc.from_utc_datetime(&date.and_time(time)).with_timezone(&self.tz))
            .with_timezone(&Utc)
    }

    /// The working spans of `date`, as UTC instants (empty on a day off).
    fn spans(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(date) {
            return Vec::new();
        }
        self.hours
            .iter()
            .map(|&(a, b)| (self.at(date, a), self.at(date, b)))
            .collect()
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// `start` plus `span`.
    pub fn add(&self, start: DateTime<Utc>, span: Span) -> DateTime<Utc> {
        match span {
            Span::WorkingMinutes(m) => self.add_working_minutes(start, m),
            Span::WorkingDays(n) => self.add_working_days(start, n),
            Span::ClockMinutes(m) => start + Duration::minutes(m.max(0)),
            Span::Days(n) => {
                let local = start.with_timezone(&self.tz).naive_local() + Duration::days(n);
                self.at(local.date(), local.time())
            }
        }
    }

    fn add_working_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut left = Duration::minutes(minutes.max(0));
        let mut day = self.local_date(start);
        // Ten years of days off in a row would be a broken calendar, not a deadline.
        for _ in 0..3660 {
            for (a, b) in self.spans(day) {
                let from = a.max(start);
                if from >= b {
                    continue;
                }
                if left.is_zero() {
                    return from;
                }
                if from + left <= b {
                    return from + left;
                }
                left -= b - from;
            }
            day = day.succ_opt().expect("date in range");
        }
        start + Duration::minutes(minutes)
    }

    fn add_working_days(&self, start: DateTime<Utc>, n: i64) -> DateTime<Utc> {
        let mut day = self.local_date(start);
        let begins = self.spans(day).first().map(|s| s.0);
        // A day already started does not count as one of the n.
        let mut counted = if self.is_working_day(day) && begins.is_some_and(|b| start <= b) {
            1
        } else {
            0
        };
        if n <= 0 {
            return start;
        }
        while counted < n {
            day = day.succ_opt().expect("date in range");
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        let end = *self.hours.last().map(|(_, e)| e).expect("hours");
        self.at(day, end)
    }

    /// Working minutes between two instants (0 if `to` is not after `from`).
    pub fn working_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = Duration::zero();
        let mut day = self.local_date(from);
        let last = self.local_date(to);
        while day <= last {
            for (a, b) in self.spans(day) {
                let (s, e) = (a.max(from), b.min(to));
                if e > s {
                    total += e - s;
                }
            }
            day = day.succ_opt().expect("date in range");
        }
        total.num_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn china() -> WorkCalendar {
        crate::config::CaseConfig::builtin().calendar
    }

    /// Local Shanghai time to UTC.
    fn sh(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&naive)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn local(t: DateTime<Utc>) -> String {
        t.with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// Deadlines checked by hand against the State Council's holiday notices
    /// for 2025 and 2026 (hours 08:30-12:00 and 13:30-17:30, 7.5 h a day).
    #[test]
    fn hand_checked_deadlines() {
        let cal = china();
        let cases = [
            // An ordinary Wednesday morning plus 2 h.
            ("2025-03-05 09:00", "2h", "2025-03-05 11:00"),
            // Across lunch.
            ("2025-03-05 11:00", "2h", "2025-03-05 14:30"),
            // Friday afternoon into Monday.
            ("2025-03-07 16:30", "2h", "2025-03-10 09:30"),
            // Received at night: the clock starts at 08:30 next working day.
            ("2025-03-05 22:00", "1h", "2025-03-06 09:30"),
            // Spring Festival 2025: Jan 28 - Feb 4 off; Sunday Jan 26 is a working day.
            ("2025-01-25 10:00", "1h", "2025-01-26 09:30"),
            ("2025-01-27 17:00", "1h", "2025-02-05 09:00"),
            // Saturday Feb 8 2025 is a working day (调休).
            ("2025-02-07 17:00", "1h", "2025-02-08 09:00"),
            // National Day 2025: Oct 1-8 off; Sunday Sep 28 and Saturday Oct 11 work.
            ("2025-09-26 17:00", "2h", "2025-09-28 10:00"),
            ("2025-09-30 17:00", "1h", "2025-10-09 09:00"),
            // Working days count from the next day (Thu 09:00 + 3: Fri, Mon, Tue),
            ("2025-03-06 09:00", "3wd", "2025-03-11 17:30"),
            // unless the case came in before work began that day.
            ("2025-03-06 08:00", "1wd", "2025-03-06 17:30"),
            ("2025-03-06 09:00", "1wd", "2025-03-07 17:30"),
            // 2026 New Year: Jan 1-3 off, Sunday Jan 4 works.
            ("2025-12-31 16:00", "3h", "2026-01-04 10:00"),
            // 2026 Spring Festival: Feb 15-23 off; Saturdays Feb 14 and 28 work.
            ("2026-02-13 17:00", "1h", "2026-02-14 09:00"),
            ("2026-02-14 17:00", "1h", "2026-02-24 09:00"),
            ("2026-02-24 09:00", "5wd", "2026-03-02 17:30"),
            // 2026 Labour Day: May 1-5 off, Saturday May 9 works.
            ("2026-04-30 17:00", "1wd", "2026-05-06 17:30"),
            ("2026-05-08 09:00", "2wd", "2026-05-11 17:30"),
            // 2026 National Day: Oct 1-7 off; Sunday Sep 20 and Saturday Oct 10 work.
            ("2026-09-18 17:00", "1h", "2026-09-20 09:00"),
            ("2026-09-30 12:00", "4h", "2026-09-30 17:30"),
            ("2026-09-30 12:00", "5h", "2026-10-08 09:30"),
            ("2026-10-09 17:00", "1h", "2026-10-10 09:00"),
            // Calendar days ignore all of it.
            ("2026-02-14 10:00", "7d", "2026-02-21 10:00"),
            // Clock time too: a call due ten minutes after a warning at
            // 23:55 on New Year's Eve, a visit an hour after that.
            ("2025-12-31 23:55", "10cm", "2026-01-01 00:05"),
            ("2026-02-15 03:30", "1ch", "2026-02-15 04:30"),
        ];
        for (start, span, want) in cases {
            let got = cal.add(sh(start), Span::parse(span).unwrap());
            assert_eq!(local(got), want, "{start} + {span}");
        }
    }

    #[test]
    fn years_come_from_their_files_or_the_configuration() {
        let config = |years: Vec<i32>, holidays: Vec<&str>| CalendarConfig {
            timezone: "Asia/Shanghai".into(),
            hours: vec!["08:30-12:00".into(), "13:30-17:30".into()],
            holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
            workdays: vec![],
            years,
        };
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let built_in = WorkCalendar::new(&config(vec![2026], vec![])).unwrap();
        assert!(built_in.is_holiday(d("2026-10-01")) && !built_in.is_holiday(d("2025-10-01")));
        let e = WorkCalendar::new(&config(vec![2026, 2027], vec![])).unwrap_err();
        assert!(e.contains("lists 2027") && e.contains("State Council"), "{e}");
        let own = WorkCalendar::new(&config(vec![2026, 2027], vec!["2027-01-01"])).unwrap();
        assert!(own.is_holiday(d("2027-01-01")) && own.covers(d("2027-05-01")));
        assert!(own.is_holiday(d("2026-10-01")), "2026 still from its file");
    }

    #[test]
    fn adjusted_days_and_coverage() {
        let cal = china();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(cal.is_working_day(d("2026-02-28")), "Saturday 调休");
        assert!(!cal.is_working_day(d("2026-02-16")), "Spring Festival Monday");
        assert!(!cal.is_working_day(d("2026-06-19")), "Dragon Boat Friday");
        assert!(cal.covers(d("2026-06-01")) && !cal.covers(d("2027-06-01")));
        let at = |s: &str| Utc.from_utc_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap());
        assert_eq!(
            cal.uncovered_years(at("2026-12-20 08:00"), at("2027-01-20 08:00")),
            [2027]
        );
        assert!(
            cal.uncovered_years(at("2026-01-20 08:00"), at("2026-03-20 08:00"))
                .is_empty()
        );
        // 31 December 16:30 UTC is already 2027 in Beijing.
        assert_eq!(
            cal.uncovered_years(at("2026-12-31 16:30"), at("2026-12-31 17:00")),
            [2027]
        );
        assert_eq!(
            cal.working_minutes_between(sh("2025-03-07 16:30"), sh("2025-03-10 09:30")),
            120
        );
    }

    #[test]
    fn spans_parse_with_clear_errors() {
        assert_eq!(Span::parse("4h"), Ok(Span::WorkingMinutes(240)));
        assert_eq!(Span::parse("3wd"), Ok(Span::WorkingDays(3)));
        assert_eq!(Span::parse("30d"), Ok(Span::Days(30)));
        assert_eq!(Span::parse("10cm"), Ok(Span::ClockMinutes(10)));
        assert_eq!(Span::parse("2ch"), Ok(Span::ClockMinutes(120)));
        assert!(Span::parse("4 hours").unwrap_err().contains("unknown unit"));
        assert!(Span::parse("h").unwrap_err().contains("expected a number"));
    }

    proptest::proptest! {
        /// Any day from 1900 to 2200 in any zone of the database: a start
        /// exists, days follow one another, and the start belongs to the day
        /// (or to the next, for a day the zone skipped whole).
        #[test]
        fn every_day_of_every_zone_has_a_start(zone in 0..chrono_tz::TZ_VARIANTS.len(), day in 0i64..109_500) {
            let tz = chrono_tz::TZ_VARIANTS[zone];
            let d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(day);
            let (a, b) = (day_start(&tz, d), day_start(&tz, d + Duration::days(1)));
            proptest::prop_assert!(a < b, "{} {d}: {a} !< {b}", tz.name());
            let local = a.with_timezone(&tz).date_naive();
            proptest::prop_assert!(local == d || local == d + Duration::days(1), "{} {d}: starts on {local}", tz.name());
            proptest::prop_assert!((a - chrono::Duration::seconds(1)).with_timezone(&tz).date_naive() < d, "{} {d}: an earlier instant is on the day", tz.name());
        }

        /// Adding working time never moves backwards, lands inside working
        /// hours (or at a span's end), and counts exactly what was added.
        #[test]
        fn working_time_adds_up(day in 0i64..700, minute in 0i64..1440, add in 0i64..6000) {
            let cal = china();
            let start = sh("2025-01-01 00:00") + Duration::days(day) + Duration::minutes(minute);
            let end = cal.add(start, Span::WorkingMinutes(add));
            proptest::prop_assert!(end >= start);
            proptest::prop_assert_eq!(cal.working_minutes_between(start, end), add);
            proptest::prop_assert!(cal.is_working_day(cal.local_date(end)) || add == 0);
        }
    }
}
