//! A lower bound by Lagrangian relaxation of the cover: with a price on
//! each day's shift, people are independent (each takes their cheapest
//! schedule at those prices, found exactly) and so is each cover (the
//! count that costs least at its price). Any prices give a bound; the
//! subgradient method moves them towards the best one.

use crate::dp::{PersonModel, Workspace};
use crate::problem::Problem;
use crate::solve::Shared;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Raises `lower` until it meets `upper`, the deadline passes, `stop` is
/// set or the prices stop moving; returns the best bound found.
pub(crate) fn lagrangian(p: &Problem, deadline: Instant, shared: &Shared) -> Option<u64> {
    let (upper, lower, stop) = (&shared.upper, &shared.lower, &shared.stop);
    let n = p.staff.len();
    let s_count = p.shifts.len();
    let stride = s_count + 1;
    let models: Vec<PersonModel> = (0..n).map(|e| PersonModel::new(p, e)).collect::<Result<_, _>>().ok()?;
    let requests = crate::solve::request_costs(p);
    let mut ws = Workspace::default();
    let mut price: Vec<f64> = p
        .cover
        .iter()
        .flat_map(|row| row.iter().map(|c| -f64::from(c.under_weight) / 2.0))
        .collect();
    let mut cost = vec![0.0; p.days * stride];
    let mut best: Option<f64> = None;
    let mut theta = 1.0;
    let mut stale = 0;
    let mut y = vec![0u32; p.days * s_count];
    let mut last: Vec<Option<Vec<Option<usize>>>> = vec![None; n];
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) && theta > 1e-5 {
        y.iter_mut().for_each(|v| *v = 0);
        let mut value = 0.0;
        for (e, model) in models.iter().enumerate() {
            cost.copy_from_slice(&requests[e]);
            for d in 0..p.days {
                for s in 0..s_count {
                    cost[d * stride + s + 1] += price[d * s_count + s];
                }
            }
            let (v, schedule) = model.best(&cost, last[e].as_deref(), &mut ws)?;
            value += v;
            for (d, x) in schedule.iter().enumerate() {
                if let Some(s) = x {
                    y[d * s_count + s] += 1;
                }
            }
            last[e] = Some(schedule);
        }
        if let Ok(mut hint) = shared.hint.lock() {
            *hint = Some(last.iter().flatten().cloned().collect());
        }
        let mut g = vec![0.0; p.days * s_count];
        for d in 0..p.days {
            for s in 0..s_count {
                let c = p.cover[d][s];
                let l = price[d * s_count + s];
                let pen = |x: u32| {
                    f64::from(c.requirement.saturating_sub(x)) * f64::from(c.under_weight)
                        + f64::from(x.saturating_sub(c.requirement)) * f64::from(c.over_weight)
                        - l * f64::from(x)
                };
                let v = [0, c.requirement, n as u32]
                    .into_iter()
                    .map(pen)
                    .min_by(f64::total_cmp)
                    .expect("three candidates");
                value += v;
                // Of the counts that cost least, the one nearest the people
                // priced in: the smallest step that still moves the price.
                let wanted = y[d * s_count + s];
                let (lo, hi) = if l <= -f64::from(c.under_weight) {
                    (0, c.requirement)
                } else if l >= f64::from(c.over_weight) {
                    (c.requirement, n as u32)
                } else {
                    (c.requirement, c.requirement)
                };
                let x = wanted.clamp(lo, hi.max(lo));
                debug_assert!((pen(x) - v).abs() < 1e-6);
                g[d * s_count + s] = f64::from(wanted) - f64::from(x);
            }
        }
        if best.is_none_or(|b| value > b + 1e-9) {
            best = Some(value);
            stale = 0;
            let proven = (value - 1e-6).ceil().max(0.0) as u64;
            lower.fetch_max(proven, Ordering::Relaxed);
            if proven >= upper.load(Ordering::Relaxed) {
                break;
            }
        } else {
            stale += 1;
            if stale >= 10 {
                theta /= 2.0;
                stale = 0;
            }
        }
        let norm: f64 = g.iter().map(|v| v * v).sum();
        if norm == 0.0 {
            break;
        }
        let ub = match upper.load(Ordering::Relaxed) {
            u64::MAX => best.unwrap_or(0.0).abs() * 1.1 + 10.0,
            u => u as f64,
        };
        let step = theta * (ub - value).max(1.0) / norm;
        for d in 0..p.days {
            for s in 0..s_count {
                let c = p.cover[d][s];
                let i = d * s_count + s;
                price[i] = (price[i] + step * g[i]).clamp(-f64::from(c.under_weight), f64::from(c.over_weight));
            }
        }
    }
    best.map(|b| (b - 1e-6).ceil().max(0.0) as u64)
}
