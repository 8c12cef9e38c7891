//! The demo city: a deterministic synthetic district modelled on a
//! Ningbo-like Chinese city (明州区, "Mingzhou District"), with towns,
//! communities and villages, grid areas, police stations and posts, and a
//! year of 110 incidents with the structure real logs have: stable hot
//! spots, near-repeat bursts, daily and weekly cycles, seasons and holidays,
//! a realistic category mix, citizen- and officer-initiated incidents, and
//! lifecycle times (received, dispatched, arrived, closed).
//!
//! Pure: [`DemoCity::generate`] returns values; [`DemoCity::incidents_csv`]
//! and friends render them as the files a real platform would export
//! (GCJ-02 coordinates, Chinese headers), which the CLI writes and imports
//! through the ordinary importer. Geometry is invented; no real place is
//! described.

mod city;
mod export;
mod geometry;
mod incidents;
mod names;
mod rng;

pub use city::CENTRE;
pub use city::{Area, DemoCity, DemoConfig, Hotspot};
pub use incidents::DemoIncident;
pub use rng::Rng;

/// The mapping that reads [`DemoCity::incidents_csv`] with the importer.
pub const DEMO_MAPPING: &str = include_str!("demo_mapping.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike};
    use fengqiao_domain::{CategoryTable, Level};
    use std::collections::HashMap;

    fn small() -> DemoCity {
        DemoCity::generate(DemoConfig {
            days: 56,
            ..DemoConfig::default()
        })
    }

    #[test]
    fn same_seed_same_city() {
        let a = small();
        let b = small();
        assert_eq!(a.incidents, b.incidents);
        assert_eq!(a.incidents_csv(), b.incidents_csv());
        let c = DemoCity::generate(DemoConfig {
            days: 56,
            seed: 7,
            ..DemoConfig::default()
        });
        assert_ne!(a.incidents.len(), c.incidents.len());
    }

    #[test]
    fn hierarchy_is_complete_and_nested() {
        let city = small();
        let count = |l| city.areas_at(l).count();
        assert_eq!(count(Level::District), 1);
        assert_eq!(count(Level::Town), 8);
        assert!(count(Level::Village) >= 60, "{}", count(Level::Village));
        assert!(count(Level::Grid) >= 150);
        let codes: std::collections::HashSet<&str> = city.areas.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes.len(), city.areas.len(), "codes are unique");
        for a in &city.areas {
            if let Some(p) = &a.parent {
                assert!(codes.contains(p.as_str()), "{} has unknown parent {p}", a.code);
                let parent = city.areas.iter().find(|x| &x.code == p).unwrap();
                // every vertex of a child lies inside or on its parent
                let c = crate::geometry::centroid(&a.polygon);
                assert!(
                    crate::geometry::contains(&parent.polygon, c),
                    "{} not inside {}",
                    a.code,
                    p
                );
            }
        }
        assert_eq!(
            city.facilities
                .iter()
                .filter(|f| f.kind == fengqiao_domain::FacilityKind::Station)
                .count(),
            8
        );
        assert!(city.facilities.len() >= 15);
    }

    #[test]
    fn incidents_look_like_a_110_log() {
        let city = small();
        let n = city.incidents.len() as f64;
        let per_day = n / 56.0;
        assert!((140.0..230.0).contains(&per_day), "{per_day} per day");
        let table = CategoryTable::default_110();
        let mut tops: HashMap<&str, f64> = HashMap::new();
        for i in &city.incidents {
            assert!(table.get(i.category).is_some(), "{} not in table", i.category);
            *tops.entry(i.category.split('.').next().unwrap()).or_default() += 1.0 / n;
            assert!(i.received >= i.occurred && i.closed >= i.received);
            if let (Some(d), Some(a)) = (i.dispatched, i.arrived) {
                assert!(d >= i.received && a >= d);
            }
        }
        // assistance and disputes dominate a Chinese 110 log; all seven classes occur
        assert_eq!(tops.len(), 7, "{tops:?}");
        assert!(
            tops["assistance"] > 0.15 && tops["dispute"] > 0.12 && tops["criminal"] > 0.08,
            "{tops:?}"
        );
        let officer = city.incidents.iter().filter(|i| i.officer_initiated).count() as f64 / n;
        assert!((0.03..0.2).contains(&officer), "officer share {officer}");
        // nights differ from days: fights peak at night
        let fights: Vec<u32> = city
            .incidents
            .iter()
            .filter(|i| i.category == "public_order.fight")
            .map(|i| i.occurred.hour())
            .collect();
        let night = fights.iter().filter(|h| **h >= 21 || **h < 3).count() as f64 / fights.len() as f64;
        assert!(night > 0.45, "{night}");
        // weekday rush-hour traffic
        let traffic: Vec<_> = city
            .incidents
            .iter()
            .filter(|i| i.category.starts_with("traffic.accident"))
            .collect();
        let rush = traffic
            .iter()
            .filter(|i| matches!(i.occurred.hour(), 7 | 8 | 17 | 18))
            .count() as f64
            / traffic.len() as f64;
        assert!(rush > 0.3, "{rush}");
        assert!(city.incidents.iter().all(|i| i.occurred.year() == 2025));
    }

    #[test]
    fn near_repeats_cluster_in_space_and_time() {
        let city = small();
        let b: Vec<_> = city
            .incidents
            .iter()
            .filter(|i| i.category == "criminal.theft.burglary")
            .collect();
        // share of burglaries with another within 200 m and 7 days, against the
        // same with the times shuffled away (Knox-style comparison)
        let close = |i: usize, shift: i64| {
            b.iter().enumerate().any(|(j, o)| {
                j != i && o.position.distance(b[i].position) < 200.0 && {
                    let dt = (o.occurred - b[i].occurred).num_days() + shift;
                    (0..=7).contains(&dt.abs())
                }
            })
        };
        let observed = (0..b.len()).filter(|&i| close(i, 0)).count();
        let shifted = (0..b.len()).filter(|&i| close(i, 21)).count();
        assert!(
            observed as f64 > shifted as f64 * 1.3,
            "observed {observed}, shifted {shifted}"
        );
    }

    #[test]
    fn ids_are_unique_and_dated() {
        let city = small();
        let ids: std::collections::HashSet<&str> = city.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), city.incidents.len());
        assert!(city.incidents[0].id.starts_with("J33029920250101"));
        let csv = city.incidents_csv();
        assert_eq!(csv.lines().count(), city.incidents.len() + 1);
        assert!(csv.starts_with("警情编号,发案时间"));
    }
}
