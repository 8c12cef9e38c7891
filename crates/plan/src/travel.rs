//! Travel over a road network: a point joins the network at its nearest
//! node (that stretch at straight-line distance), then follows shortest
//! paths. Shortest-path trees are computed once per source node, out to a
//! limit, and kept; a plan asks from few sources (candidate positions,
//! units, posts) to many points.

use crate::deploy::{Buckets, Xy};
use crate::network::RoadNetwork;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct RoadTravel {
    net: RoadNetwork,
    nodes: Buckets,
    /// Road metres beyond which a destination counts as out of reach.
    limit_m: f64,
    trees: Mutex<HashMap<u32, Arc<HashMap<u32, f64>>>>,
}

impl RoadTravel {
    pub fn new(net: RoadNetwork, limit_m: f64) -> Self {
        let nodes = Buckets::new(&net.xy.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(), 250.0);
        Self {
            net,
            nodes,
            limit_m,
            trees: Mutex::new(HashMap::new()),
        }
    }

    pub fn nodes(&self) -> usize {
        self.net.nodes()
    }

    /// The nearest node and the straight distance to it.
    pub fn snap(&self, p: Xy) -> Option<(u32, f64)> {
        let mut radius = 250.0;
        while radius < 1e6 {
            let mut best: Option<(u32, f64)> = None;
            self.nodes.around(p, radius, |i| {
                let q = self.net.xy[i as usize];
                let d = (q.0 - p.0).hypot(q.1 - p.1);
                if d <= radius && best.is_none_or(|(_, b)| d < b) {
                    best = Some((i, d));
                }
            });
            if best.is_some() {
                return best;
            }
            radius *= 4.0;
        }
        None
    }

    fn tree(&self, node: u32) -> Arc<HashMap<u32, f64>> {
        if let Some(t) = self.trees.lock().expect("lock").get(&node) {
            return t.clone();
        }
        let t: Arc<HashMap<u32, f64>> = Arc::new(self.net.within(node, self.limit_m).into_iter().collect());
        self.trees.lock().expect("lock").insert(node, t.clone());
        t
    }

    /// Distances from `a` to many points, each given by its [`Self::snap`].
    pub fn from(&self, a: Xy) -> Option<From> {
        let (node, offset) = self.snap(a)?;
        Some(From {
            tree: self.tree(node),
            offset,
        })
    }

    /// Metres from `a` to `b` (infinite beyond the limit or off the network).
    pub fn distance(&self, a: Xy, b: Xy) -> f64 {
        let (Some((na, da)), Some((nb, db))) = (self.snap(a), self.snap(b)) else {
            return f64::INFINITY;
        };
        self.tree(na).get(&nb).map_or(f64::INFINITY, |d| da + d + db)
    }
}

/// The shortest-path tree of one origin, for many destinations.
#[derive(Debug, Clone)]
pub struct From {
    tree: Arc<HashMap<u32, f64>>,
    offset: f64,
}

impl From {
    /// Metres to a destination snapped to `(node, offset)`.
    pub fn to(&self, snapped: (u32, f64)) -> f64 {
        self.tree
            .get(&snapped.0)
            .map_or(f64::INFINITY, |d| self.offset + d + snapped.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two banks of a river 100 m apart, one bridge 2 km upstream.
    #[test]
    fn goes_round_by_the_bridge() {
        let mut net = RoadNetwork::new(vec![(0.0, 0.0), (2000.0, 0.0), (2000.0, 100.0), (0.0, 100.0)]);
        net.add_edge(0, 1, None);
        net.add_edge(1, 2, None); // the bridge
        net.add_edge(2, 3, None);
        let t = RoadTravel::new(net, 10_000.0);
        let d = t.distance((0.0, -10.0), (0.0, 110.0));
        assert!((d - 4120.0).abs() < 1e-9, "{d}");
        let tight = RoadTravel::new(t.net.clone(), 1000.0);
        assert!(tight.distance((0.0, -10.0), (0.0, 110.0)).is_infinite());
    }
}
