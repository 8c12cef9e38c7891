//! Seeds the demo with each station's police strength: 民警 and 辅警 in
//! four teams (一中队 … 四中队), enough for its patrol cars round the clock
//! with a 民警 leading every crew (about five of each per car, at five
//! 8-hour shifts a week each), a few 巡特警 at the busiest stations,
//! qualifications in realistic shares, and leave over the coming weeks
//! (annual leave, training, one sick call today) and days wished off.

use crate::demo_cases::{person, phone};
use crate::error::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use fengqiao_demo::Rng;
use fengqiao_domain::FacilityKind;
use fengqiao_domain::personnel::StaffKind;
use fengqiao_store::Store;
use fengqiao_store::personnel::{NewLeave, NewPerson};

const TEAMS: [&str; 4] = ["一中队", "二中队", "三中队", "四中队"];

/// Adds the demo's personnel and leave; returns (people, periods of leave
/// and of days wished off).
/// Does nothing if anyone is on file.
pub fn seed(store: &dyn Store, seed: u64, today: NaiveDate, now: DateTime<Utc>) -> Result<(usize, usize)> {
    if !store.personnel()?.is_empty() {
        return Ok((0, 0));
    }
    let mut rng = Rng::new(seed ^ 0x9E11);
    let stations: Vec<_> = store
        .facilities()?
        .into_iter()
        .filter(|f| f.kind == FacilityKind::Station)
        .collect();
    let mut people = Vec::new();
    let (mut officer_no, mut auxiliary_no) = (31_000, 10_000);
    for s in &stations {
        let cars = s.units.max(1) as usize;
        let mut add = |kind: StaffKind, count: usize, rng: &mut Rng| {
            for i in 0..count {
                let sworn = kind.is_sworn();
                let badge = if sworn {
                    officer_no += 1;
                    format!("{officer_no:06}")
                } else {
                    auxiliary_no += 1;
                    format!("F{auxiliary_no:05}")
                };
                let mut qualifications = Vec::new();
                let share = |rng: &mut Rng, percent: usize| rng.below(100) < percent;
                if share(rng, if sworn { 75 } else { 60 }) {
                    qualifications.push("driving".to_string());
                }
                if sworn && share(rng, 60) {
                    qualifications.push("firearm".to_string());
                }
                if share(rng, if sworn { 20 } else { 8 }) {
                    qualifications.push("mediation".to_string());
                }
                if share(rng, 25) {
                    qualifications.push("first_aid".to_string());
                }
                if share(rng, 15) {
                    qualifications.push("dialect".to_string());
                }
                if share(rng, 6) {
                    qualifications.push("english".to_string());
                }
                // A few community officers work days only.
                let shifts = if kind == StaffKind::Officer && share(rng, 8) {
                    vec!["day".to_string()]
                } else {
                    vec![]
                };
                people.push(NewPerson {
                    badge,
                    name: person(rng),
                    kind,
                    station: s.code.clone(),
                    team: TEAMS[i % TEAMS.len()].to_string(),
                    qualifications,
                    phone: Some(phone(rng)),
                    weekly_hours: 40,
                    shifts,
                });
            }
        };
        add(StaffKind::Officer, 5 * cars + 2, &mut rng);
        add(StaffKind::Auxiliary, 5 * cars + 1 + rng.below(3), &mut rng);
        if cars >= 6 {
            add(StaffKind::Special, 2, &mut rng);
        }
    }
    let ids = store.add_personnel(&people, now, "demo")?;
    let mut leave = 0;
    // Days wished off come from a stream of their own, so the leave below
    // stays as it was.
    let mut wishes = Rng::new(seed ^ 0x3157);
    for (k, &id) in ids.iter().enumerate() {
        // About one in twelve has leave in the coming four weeks…
        if rng.below(12) != 0 && k != 0 {
            // …and about one in ten of the others wishes for a day or two off.
            if wishes.below(10) == 0 {
                let first = today + Duration::days(1 + wishes.below(27) as i64);
                store.add_leave(
                    &NewLeave {
                        person_id: id,
                        kind: fengqiao_domain::personnel::WISH_OFF.into(),
                        first_day: first,
                        last_day: first + Duration::days(wishes.below(2) as i64),
                        note: String::new(),
                    },
                    now,
                    "demo",
                )?;
                leave += 1;
            }
            continue;
        }
        let (kind, first, days) = if k == 0 {
            ("sick", today, 2)
        } else {
            let kind = ["annual", "annual", "annual", "training", "compensatory", "personal"][rng.below(6)];
            (
                kind,
                today + Duration::days(1 + rng.below(27) as i64),
                1 + rng.below(5) as i64,
            )
        };
        store.add_leave(
            &NewLeave {
                person_id: id,
                kind: kind.into(),
                first_day: first,
                last_day: first + Duration::days(days - 1),
                note: String::new(),
            },
            now,
            "demo",
        )?;
        leave += 1;
    }
    Ok((ids.len(), leave))
}

/// Builds and publishes a four-week roster for each station from the
/// Monday of each week given (a short search each: the demo loads
/// quickly), in that order; returns how many stations.
pub fn publish_rosters(
    store: &dyn Store,
    duty: &fengqiao_domain::duty::DutyConfig,
    calendar: &fengqiao_cases::WorkCalendar,
    weeks_of: &[NaiveDate],
    today: NaiveDate,
) -> Result<usize> {
    use chrono::Datelike;
    let viewer = crate::personnel::Viewer::operator();
    let stations: Vec<String> = crate::personnel::stations(store)?.into_iter().map(|s| s.code).collect();
    let mut mondays: Vec<NaiveDate> = Vec::new();
    for day in weeks_of {
        let monday = *day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        // One roster a week: the plan's week may be this week.
        if mondays.contains(&monday) {
            continue;
        }
        mondays.push(monday);
        for code in &stations {
            let mut req = crate::roster::BuildRequest::new(code, Utc::now());
            req.first_day = Some(monday);
            req.seconds = 0.3;
            let r = crate::roster::build(store, duty, calendar, &viewer, &req, "demo", today)?;
            crate::roster::publish(store, &viewer, r.id, r.version, "demo")?;
        }
    }
    Ok(stations.len())
}
