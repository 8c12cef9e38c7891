//! Lazy greedy (Minoux's accelerated greedy): the objective is submodular, so
//! a gain computed earlier bounds the gain now, and most facilities never
//! need recomputing. Minimum-presence groups are served first.

use crate::coverage::Coverage;
use crate::{Instance, InstanceError};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(PartialEq)]
struct Entry(f64, u32);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Larger gain first; among equals the smaller index, so results are deterministic.
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

/// Opens up to `wanted` facilities among `allowed`, one at a time, each the
/// best whose class has budget left.
fn lazy_fill(cov: &mut Coverage<'_>, allowed: impl Iterator<Item = u32>, wanted: usize) {
    let inst = cov.inst;
    let room = |cov: &Coverage<'_>, f: u32| {
        let class = inst.class_of[f as usize] as usize;
        cov.used[class] < inst.budgets[class]
    };
    let mut heap: BinaryHeap<Entry> = allowed
        .filter(|&f| !cov.open[f as usize] && room(cov, f))
        .map(|f| Entry(cov.gain(f), f))
        .collect();
    let mut added = 0;
    while let Some(Entry(_, f)) = heap.pop() {
        if added == wanted {
            break;
        }
        if cov.open[f as usize] || !room(cov, f) {
            continue;
        }
        let gain = cov.gain(f);
        if heap.peek().is_none_or(|top| gain >= top.0) {
            cov.add(f);
            added += 1;
        } else {
            heap.push(Entry(gain, f));
        }
    }
}

/// A feasible solution by lazy greedy, or the minimum-presence group it could not fill.
pub(crate) fn greedy(inst: &Instance) -> Result<Coverage<'_>, InstanceError> {
    let mut cov = Coverage::new(inst);
    for (g, group) in inst.groups.iter().enumerate() {
        let wanted = group.min.saturating_sub(cov.in_group[g]);
        lazy_fill(&mut cov, group.facilities.iter().copied(), wanted);
        if cov.in_group[g] < group.min {
            return Err(InstanceError::GroupUnreachable {
                name: group.name.clone(),
                min: group.min,
                reachable: cov.in_group[g],
            });
        }
    }
    lazy_fill(&mut cov, 0..inst.facilities() as u32, usize::MAX);
    Ok(cov)
}
