//! Service times measured from incidents' own lifecycle: how long a crew
//! is busy with a call (from dispatch — or receipt where dispatch is not
//! recorded — to the end of handling, 处警结束), by category and hour of
//! the day. Erlang C and the hypercube model take the mean.

use std::collections::BTreeMap;

/// Times longer than this (a day) are data errors, not service.
pub const MAX_SERVICE_MINUTES: f64 = 24.0 * 60.0;

/// One handled call: its category, the local hour it came in (0–23) and
/// the minutes a crew was busy with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub category: String,
    pub hour: u8,
    pub minutes: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    pub count: usize,
    pub mean_minutes: f64,
}

/// Which group a service time was taken from: the narrowest with enough calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    CategoryHour,
    Category,
    Overall,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceTimes {
    pub overall: Summary,
    pub by_category: BTreeMap<String, Summary>,
    pub by_category_hour: BTreeMap<(String, u8), Summary>,
    /// Samples left out: not a positive time, over a day, or an hour past 23.
    pub rejected: usize,
    /// The fewest calls a group needs for its own mean to be used.
    pub min_samples: usize,
}

fn add(summary: &mut Summary, minutes: f64) {
    summary.count += 1;
    summary.mean_minutes += (minutes - summary.mean_minutes) / summary.count as f64;
}

/// Measures service times; groups with fewer than `min_samples` calls
/// fall back to their category, then to all calls.
pub fn measure(samples: impl IntoIterator<Item = Sample>, min_samples: usize) -> ServiceTimes {
    let mut out = ServiceTimes {
        min_samples: min_samples.max(1),
        ..ServiceTimes::default()
    };
    for s in samples {
        if !(s.minutes.is_finite() && s.minutes > 0.0 && s.minutes <= MAX_SERVICE_MINUTES && s.hour < 24) {
            out.rejected += 1;
            continue;
        }
        add(&mut out.overall, s.minutes);
        add(out.by_category.entry(s.category.clone()).or_default(), s.minutes);
        add(out.by_category_hour.entry((s.category, s.hour)).or_default(), s.minutes);
    }
    out
}

impl ServiceTimes {
    /// The mean minutes for a category's calls at an hour, from the
    /// narrowest group with enough calls; None when there are no calls at all.
    pub fn minutes(&self, category: &str, hour: u8) -> Option<(f64, Basis)> {
        let enough = |s: &Summary| s.count >= self.min_samples;
        if let Some(s) = self
            .by_category_hour
            .get(&(category.to_string(), hour))
            .filter(|s| enough(s))
        {
            return Some((s.mean_minutes, Basis::CategoryHour));
        }
        if let Some(s) = self.by_category.get(category).filter(|s| enough(s)) {
            return Some((s.mean_minutes, Basis::Category));
        }
        (self.overall.count > 0).then_some((self.overall.mean_minutes, Basis::Overall))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(category: &str, hour: u8, minutes: f64) -> Sample {
        Sample {
            category: category.into(),
            hour,
            minutes,
        }
    }

    #[test]
    fn narrowest_group_with_enough_calls() {
        let mut samples = vec![
            sample("fight", 22, 40.0),
            sample("fight", 22, 60.0),
            sample("fight", 3, 20.0),
        ];
        samples.extend((0..3).map(|_| sample("theft", 10, 90.0)));
        let t = measure(samples, 2);
        assert_eq!(t.minutes("fight", 22), Some((50.0, Basis::CategoryHour)));
        // One fight at 03:00 is too few: all fights.
        assert_eq!(t.minutes("fight", 3), Some((40.0, Basis::Category)));
        assert_eq!(t.minutes("theft", 4), Some((90.0, Basis::Category)));
        // No noise calls at all: every call.
        assert_eq!(
            t.minutes("noise", 1),
            Some(((40.0 + 60.0 + 20.0 + 270.0) / 6.0, Basis::Overall))
        );
        assert_eq!(measure(Vec::new(), 2).minutes("fight", 1), None);
    }

    #[test]
    fn impossible_times_are_left_out_and_counted() {
        let t = measure(
            vec![
                sample("fight", 1, -5.0),
                sample("fight", 1, 0.0),
                sample("fight", 1, f64::NAN),
                sample("fight", 1, 2000.0),
                sample("fight", 24, 30.0),
                sample("fight", 1, 30.0),
            ],
            1,
        );
        assert_eq!(t.rejected, 5);
        assert_eq!(
            t.overall,
            Summary {
                count: 1,
                mean_minutes: 30.0
            }
        );
    }
}
