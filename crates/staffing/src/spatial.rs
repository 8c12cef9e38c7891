//! Crews per station when crews answer each other's calls. Erlang C sizes
//! each station as if its crews served only its own area; in a city, a
//! busy station's calls go to its neighbours' crews when its own are all
//! out, so a quiet station next to a busy one is less often free for its
//! own calls than Erlang C says. Here the stations' crews form one
//! hypercube region (Larson's approximation): each place calls the crews of
//! its nearest station first, then the next station's, and so on; a
//! station's *own share* is the share of its area's calls that one of its
//! own crews answers at once. [`crews_needed`] adds crews, from a starting
//! count (Erlang C's), until every station's own share reaches the level.

use crate::hypercube::{Atom, Region};
use crate::{StaffingError, check};

/// Places whose nearest stations agree this far share a preference list.
pub const KEYED_STATIONS: usize = 4;
/// Most rounds of adding crews.
pub const MAX_ROUNDS: usize = 50;
/// Most stations and places the model takes on.
pub const MAX_STATIONS: usize = 500;
pub const MAX_PLACES: usize = 1_000_000;

/// Calls expected from one place (a forecast cell's centre, in metres).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    pub at: [f64; 2],
    pub calls_per_hour: f64,
}

/// The stations' crews as one region, and what each station sees of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Spatial {
    pub crews: Vec<u32>,
    /// Share of each station's calls answered at once by one of its own crews.
    pub own_share: Vec<f64>,
    /// Share of each station's calls answered at once by another station's crew.
    pub helped_share: Vec<f64>,
    /// Mean share of time each station's crews are busy (its calls and others').
    pub workload: Vec<f64>,
    /// Probability that a call finds every crew in the city busy.
    pub queue_probability: f64,
}

/// What [`crews_needed`] found: the model at the starting crews and at the
/// crews it ended with, and whether every station met the level.
#[derive(Debug, Clone, PartialEq)]
pub struct Needed {
    pub start: Spatial,
    pub end: Spatial,
    pub met: bool,
}

/// Places grouped by their nearest stations: each group's calls, its own
/// (nearest) station and every station in the order its first place calls them.
struct Groups {
    calls: Vec<f64>,
    own: Vec<usize>,
    order: Vec<Vec<usize>>,
}

fn group(stations: &[[f64; 2]], demand: &[Demand]) -> Groups {
    let mut index: std::collections::HashMap<Vec<usize>, usize> = std::collections::HashMap::new();
    let mut g = Groups {
        calls: Vec::new(),
        own: Vec::new(),
        order: Vec::new(),
    };
    for d in demand.iter().filter(|d| d.calls_per_hour > 0.0) {
        let dist = |s: &[f64; 2]| (s[0] - d.at[0]).powi(2) + (s[1] - d.at[1]).powi(2);
        let mut order: Vec<usize> = (0..stations.len()).collect();
        order.sort_by(|&a, &b| dist(&stations[a]).total_cmp(&dist(&stations[b])).then(a.cmp(&b)));
        let key = order[..order.len().min(KEYED_STATIONS)].to_vec();
        let k = *index.entry(key).or_insert_with(|| {
            g.calls.push(0.0);
            g.own.push(order[0]);
            g.order.push(order);
            g.calls.len() - 1
        });
        g.calls[k] += d.calls_per_hour;
    }
    g
}

fn validate(
    stations: &[[f64; 2]],
    crews: &[u32],
    demand: &[Demand],
    service_minutes: f64,
) -> Result<(), StaffingError> {
    check(
        "stations",
        stations.len() as f64,
        !stations.is_empty() && stations.len() <= MAX_STATIONS,
        "one to 500",
    )?;
    check(
        "crews per station",
        crews.len() as f64,
        crews.len() == stations.len(),
        "one count per station",
    )?;
    check(
        "places",
        demand.len() as f64,
        demand.len() <= MAX_PLACES,
        "at most a million",
    )?;
    check(
        "service minutes",
        service_minutes,
        service_minutes > 0.0,
        "must be above zero",
    )?;
    for s in stations {
        check("station position", s[0] + s[1], true, "must be a number")?;
    }
    for d in demand {
        check("place position", d.at[0] + d.at[1], true, "must be a number")?;
        check(
            "calls per hour",
            d.calls_per_hour,
            d.calls_per_hour >= 0.0,
            "must be zero or more",
        )?;
    }
    Ok(())
}

fn model(groups: &Groups, crews: &[u32], service_minutes: f64) -> Result<Spatial, StaffingError> {
    let stations = crews.len();
    let first: Vec<usize> = crews
        .iter()
        .scan(0usize, |next, &c| {
            let at = *next;
            *next += c as usize;
            Some(at)
        })
        .collect();
    let units: usize = crews.iter().map(|&c| c as usize).sum();
    let units_of = |s: usize| first[s]..first[s] + crews[s] as usize;
    let mut calls = vec![0.0; stations];
    for (g, &c) in groups.own.iter().zip(&groups.calls) {
        calls[*g] += c;
    }
    if groups.calls.is_empty() {
        return Ok(Spatial {
            crews: crews.to_vec(),
            own_share: vec![1.0; stations],
            helped_share: vec![0.0; stations],
            workload: vec![0.0; stations],
            queue_probability: 0.0,
        });
    }
    check("crews", units as f64, units >= 1, "at least one in the city")?;
    let region = Region {
        units,
        service_minutes,
        atoms: groups
            .order
            .iter()
            .zip(&groups.calls)
            .map(|(order, &c)| Atom {
                calls_per_hour: c,
                preference: order.iter().flat_map(|&s| units_of(s)).collect(),
            })
            .collect(),
    };
    let p = region.approximate()?;
    let queued_each = p.queue_probability / units as f64;
    let (mut own, mut helped) = (vec![0.0; stations], vec![0.0; stations]);
    for ((row, &s), &c) in p.dispatch.iter().zip(&groups.own).zip(&groups.calls) {
        for (u, &share) in row.iter().enumerate() {
            let at_once = (share - queued_each).max(0.0) * c;
            if units_of(s).contains(&u) {
                own[s] += at_once;
            } else {
                helped[s] += at_once;
            }
        }
    }
    let share = |x: Vec<f64>, empty: f64| -> Vec<f64> {
        x.iter()
            .zip(&calls)
            .map(|(v, &c)| if c > 0.0 { v / c } else { empty })
            .collect()
    };
    let workload = (0..stations)
        .map(|s| {
            let r = units_of(s);
            if r.is_empty() {
                0.0
            } else {
                p.workload[r.clone()].iter().sum::<f64>() / r.len() as f64
            }
        })
        .collect();
    Ok(Spatial {
        crews: crews.to_vec(),
        own_share: share(own, 1.0),
        helped_share: share(helped, 0.0),
        workload,
        queue_probability: p.queue_probability,
    })
}

/// The stations' crews (`crews[s]` at `stations[s]`) as one hypercube region.
pub fn evaluate(
    stations: &[[f64; 2]],
    crews: &[u32],
    demand: &[Demand],
    service_minutes: f64,
) -> Result<Spatial, StaffingError> {
    validate(stations, crews, demand, service_minutes)?;
    model(&group(stations, demand), crews, service_minutes)
}

/// From `start` crews, a crew more each round at every station whose own
/// share is below `level` (at most [`MAX_ROUNDS`] rounds); then each crew
/// the last round added is taken back where every station still meets the
/// level without it.
pub fn crews_needed(
    stations: &[[f64; 2]],
    start: &[u32],
    demand: &[Demand],
    service_minutes: f64,
    level: f64,
) -> Result<Needed, StaffingError> {
    validate(stations, start, demand, service_minutes)?;
    check("level", level, level > 0.0 && level < 1.0, "above 0 and below 1")?;
    let groups = group(stations, demand);
    let short = |m: &Spatial| -> Vec<usize> { (0..m.crews.len()).filter(|&s| m.own_share[s] < level).collect() };
    let first = model(&groups, start, service_minutes)?;
    let mut now = first.clone();
    let mut added_last = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let under = short(&now);
        if under.is_empty() {
            break;
        }
        let mut crews = now.crews.clone();
        under.iter().for_each(|&s| crews[s] += 1);
        now = model(&groups, &crews, service_minutes)?;
        added_last = under;
    }
    let met = short(&now).is_empty();
    if met {
        for s in added_last {
            let mut fewer = now.crews.clone();
            fewer[s] -= 1;
            if fewer[s] < start[s] {
                continue;
            }
            let without = model(&groups, &fewer, service_minutes)?;
            if short(&without).is_empty() {
                now = without;
            }
        }
    }
    Ok(Needed {
        start: first,
        end: now,
        met,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erlang;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    fn at(x: f64, calls: f64) -> Demand {
        Demand {
            at: [x, 0.0],
            calls_per_hour: calls,
        }
    }

    /// One station alone is Erlang's M/M/n: its own share is the chance a
    /// call finds a crew free.
    #[test]
    fn one_station_is_erlang_c() {
        let demand = [at(-100.0, 1.0), at(300.0, 1.0)];
        let m = evaluate(&[[0.0, 0.0]], &[3], &demand, 45.0).unwrap();
        close(m.own_share[0], 1.0 - erlang::wait_probability(3, 1.5), 1e-9);
        // Larson's approximation keeps the total workload only approximately.
        close(m.workload[0], 0.5, 0.02);
        assert_eq!(m.helped_share[0], 0.0);
    }

    /// A quiet station beside a busy one: the busy one's calls take the
    /// quiet one's crews, so the quiet station answers fewer of its own
    /// calls than Erlang C alone says, and needs more crews to meet the level.
    #[test]
    fn a_busy_neighbour_takes_crews_away() {
        let stations = [[0.0, 0.0], [5_000.0, 0.0]];
        let demand = [at(100.0, 4.0), at(4_900.0, 0.5)];
        let service = 45.0;
        let ratio = 5.0 / service;
        let crews: Vec<u32> = [4.0, 0.5]
            .iter()
            .map(|&c| erlang::servers_needed(erlang::intensity(c, service).unwrap(), ratio, 0.9).unwrap())
            .collect();
        let alone = 1.0 - erlang::wait_probability(crews[1], 0.375);
        let m = evaluate(&stations, &crews, &demand, service).unwrap();
        assert!(m.own_share[1] < alone - 0.01, "{} vs {alone}", m.own_share[1]);
        assert!(m.helped_share[0] > 0.0 && m.workload[1] > 0.375 / f64::from(crews[1]));
        let n = crews_needed(&stations, &crews, &demand, service, 0.9).unwrap();
        assert!(n.met);
        assert_eq!(n.start, m);
        assert!(n.end.crews.iter().zip(&crews).all(|(a, b)| a >= b));
        assert!(n.end.own_share.iter().all(|&s| s >= 0.9));
        // Fewest from the start, one station at a time: none can lose a crew it gained.
        for s in 0..2 {
            if n.end.crews[s] > crews[s] {
                let mut fewer = n.end.crews.clone();
                fewer[s] -= 1;
                let without = evaluate(&stations, &fewer, &demand, service).unwrap();
                assert!(without.own_share.iter().any(|&x| x < 0.9));
            }
        }
    }

    #[test]
    fn places_with_the_same_nearest_stations_share_a_list() {
        let stations = [[0.0, 0.0], [1_000.0, 0.0], [0.0, 1_000.0]];
        let demand: Vec<Demand> = (0..100)
            .map(|i| Demand {
                at: [f64::from(i % 10) * 10.0, f64::from(i / 10) * 10.0],
                calls_per_hour: 0.01,
            })
            .collect();
        let g = group(&stations, &demand);
        assert_eq!(g.calls.len(), 2, "below and above the diagonal");
        close(g.calls.iter().sum::<f64>(), 1.0, 1e-9);
    }

    #[test]
    fn bad_input_is_refused() {
        let demand = [at(0.0, 1.0)];
        assert!(evaluate(&[], &[], &demand, 45.0).is_err());
        assert!(evaluate(&[[0.0, 0.0]], &[1, 2], &demand, 45.0).is_err());
        assert!(evaluate(&[[f64::NAN, 0.0]], &[1], &demand, 45.0).is_err());
        assert!(evaluate(&[[0.0, 0.0]], &[0], &demand, 45.0).is_err());
        assert!(
            evaluate(&[[0.0, 0.0]], &[1], &[at(0.0, 2.0)], 45.0).is_err(),
            "load 1.5 on one crew"
        );
        assert!(crews_needed(&[[0.0, 0.0]], &[2], &demand, 45.0, 1.0).is_err());
        let quiet = evaluate(&[[0.0, 0.0]], &[0], &[], 45.0).unwrap();
        assert_eq!(quiet.own_share, vec![1.0]);
    }
}
