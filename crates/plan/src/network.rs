//! Road networks for travel distances: nodes with positions, undirected
//! edges with lengths, and shortest paths out to a limit (Dijkstra stopped
//! at the response distance, so a query touches only what is in reach).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Debug, Clone, Default)]
pub struct RoadNetwork {
    pub xy: Vec<(f64, f64)>,
    adjacent: Vec<Vec<(u32, f64)>>,
}

#[derive(PartialEq)]
struct Dist(f64);

impl Eq for Dist {}

impl PartialOrd for Dist {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dist {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl RoadNetwork {
    pub fn new(xy: Vec<(f64, f64)>) -> Self {
        let n = xy.len();
        Self {
            xy,
            adjacent: vec![Vec::new(); n],
        }
    }

    pub fn nodes(&self) -> usize {
        self.xy.len()
    }

    /// Adds a two-way road; without a length, the straight line between its ends.
    pub fn add_edge(&mut self, u: u32, v: u32, length: Option<f64>) {
        let ((x1, y1), (x2, y2)) = (self.xy[u as usize], self.xy[v as usize]);
        let len = length.unwrap_or_else(|| (x1 - x2).hypot(y1 - y2));
        self.adjacent[u as usize].push((v, len));
        self.adjacent[v as usize].push((u, len));
    }

    /// Every node within `limit` of `source` by road, with its distance, nearest first.
    pub fn within(&self, source: u32, limit: f64) -> Vec<(u32, f64)> {
        let mut dist = std::collections::HashMap::new();
        let mut heap = BinaryHeap::new();
        let mut out = Vec::new();
        dist.insert(source, 0.0);
        heap.push(Reverse((Dist(0.0), source)));
        while let Some(Reverse((Dist(d), u))) = heap.pop() {
            if dist.get(&u).is_some_and(|&best| d > best) {
                continue;
            }
            out.push((u, d));
            for &(v, len) in &self.adjacent[u as usize] {
                let nd = d + len;
                if nd <= limit + 1e-9 && dist.get(&v).is_none_or(|&best| nd < best) {
                    dist.insert(v, nd);
                    heap.push(Reverse((Dist(nd), v)));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square with one diagonal: distances follow the roads, not the crow.
    #[test]
    fn shortest_paths_stop_at_the_limit() {
        let mut net = RoadNetwork::new(vec![(0.0, 0.0), (3.0, 0.0), (3.0, 4.0), (0.0, 4.0)]);
        net.add_edge(0, 1, None);
        net.add_edge(1, 2, None);
        net.add_edge(2, 3, None);
        net.add_edge(0, 2, Some(10.0));
        let d: Vec<(u32, f64)> = net.within(0, 7.0);
        assert_eq!(d, [(0, 0.0), (1, 3.0), (2, 7.0)]);
        assert_eq!(net.within(0, 100.0).last(), Some(&(3, 10.0)));
    }
}
