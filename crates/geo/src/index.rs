//! A bucket-grid spatial index over polygons, for assigning millions of
//! points to jurisdictions: a lookup tests only the few polygons whose
//! bounding box overlaps the point's bucket.

use crate::{BBox, MultiPolygon};

#[derive(Debug, Clone)]
pub struct PolygonIndex {
    polygons: Vec<(MultiPolygon, BBox)>,
    extent: BBox,
    nx: usize,
    ny: usize,
    buckets: Vec<Vec<u32>>,
}

impl PolygonIndex {
    /// Builds the index. When polygons overlap, the one given first wins a
    /// lookup: callers order them by priority (e.g. smallest area first).
    pub fn new(polygons: Vec<MultiPolygon>) -> Self {
        let polygons: Vec<(MultiPolygon, BBox)> = polygons
            .into_iter()
            .map(|p| {
                let b = p.bbox();
                (p, b)
            })
            .collect();
        let extent = polygons.iter().fold(BBox::EMPTY, |acc, (_, b)| acc.union(b));
        let side = ((polygons.len() as f64).sqrt() * 4.0).ceil().clamp(1.0, 512.0) as usize;
        let (nx, ny) = if extent.is_empty() { (1, 1) } else { (side, side) };
        let mut index = Self {
            polygons,
            extent,
            nx,
            ny,
            buckets: vec![Vec::new(); nx * ny],
        };
        for (i, (_, b)) in index.polygons.iter().enumerate() {
            if b.is_empty() {
                continue;
            }
            let (c0, r0) = index.bucket_of(b.min_x, b.min_y);
            let (c1, r1) = index.bucket_of(b.max_x, b.max_y);
            for r in r0..=r1 {
                for c in c0..=c1 {
                    index.buckets[r * nx + c].push(i as u32);
                }
            }
        }
        index
    }

    fn bucket_of(&self, x: f64, y: f64) -> (usize, usize) {
        let w = (self.extent.max_x - self.extent.min_x).max(f64::MIN_POSITIVE);
        let h = (self.extent.max_y - self.extent.min_y).max(f64::MIN_POSITIVE);
        let c = (((x - self.extent.min_x) / w) * self.nx as f64).floor();
        let r = (((y - self.extent.min_y) / h) * self.ny as f64).floor();
        (
            (c.max(0.0) as usize).min(self.nx - 1),
            (r.max(0.0) as usize).min(self.ny - 1),
        )
    }

    pub fn len(&self) -> usize {
        self.polygons.len()
    }

    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
    }

    /// The first polygon (in construction order) that contains the point.
    pub fn find(&self, x: f64, y: f64) -> Option<usize> {
        if !self.extent.contains(x, y) {
            return None;
        }
        let (c, r) = self.bucket_of(x, y);
        self.buckets[r * self.nx + c].iter().map(|&i| i as usize).find(|&i| {
            let (p, b) = &self.polygons[i];
            b.contains(x, y) && p.contains(x, y)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Polygon;
    use proptest::prelude::*;

    fn square(x0: f64, y0: f64, s: f64) -> MultiPolygon {
        MultiPolygon(vec![Polygon::new(vec![vec![
            [x0, y0],
            [x0 + s, y0],
            [x0 + s, y0 + s],
            [x0, y0 + s],
        ]])])
    }

    proptest! {
        /// The index answers exactly what a linear scan answers.
        #[test]
        fn index_agrees_with_linear_scan(
            squares in proptest::collection::vec((0.0f64..100.0, 0.0f64..100.0, 1.0f64..30.0), 1..40),
            points in proptest::collection::vec((-10.0f64..140.0, -10.0f64..140.0), 1..50),
        ) {
            let polys: Vec<MultiPolygon> = squares.iter().map(|&(x, y, s)| square(x, y, s)).collect();
            let index = PolygonIndex::new(polys.clone());
            for (x, y) in points {
                let linear = polys.iter().position(|p| p.contains(x, y));
                prop_assert_eq!(index.find(x, y), linear);
            }
        }
    }
}
