//! Polygons with holes and their point-in-polygon test (even-odd rule).

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BBox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl BBox {
    pub const EMPTY: BBox = BBox {
        min_x: f64::INFINITY,
        min_y: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        max_y: f64::NEG_INFINITY,
    };

    pub fn extend(&mut self, x: f64, y: f64) {
        self.min_x = self.min_x.min(x);
        self.min_y = self.min_y.min(y);
        self.max_x = self.max_x.max(x);
        self.max_y = self.max_y.max(y);
    }

    pub fn union(mut self, o: &BBox) -> BBox {
        self.extend(o.min_x, o.min_y);
        self.extend(o.max_x, o.max_y);
        self
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.min_x && x <= self.max_x && y >= self.min_y && y <= self.max_y
    }

    pub fn is_empty(&self) -> bool {
        !(self.min_x <= self.max_x && self.min_y <= self.max_y)
    }
}

/// A polygon: the first ring is the exterior, the others are holes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Polygon {
    pub rings: Vec<Vec<[f64; 2]>>,
}

impl Polygon {
    pub fn new(rings: Vec<Vec<[f64; 2]>>) -> Self {
        Self { rings }
    }

    pub fn bbox(&self) -> BBox {
        let mut b = BBox::EMPTY;
        for p in self.rings.first().into_iter().flatten() {
            b.extend(p[0], p[1]);
        }
        b
    }

    /// Even-odd crossing test over all rings, so holes are excluded.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        let mut inside = false;
        for ring in &self.rings {
            let n = ring.len();
            if n < 3 {
                continue;
            }
            let mut j = n - 1;
            for i in 0..n {
                let (xi, yi) = (ring[i][0], ring[i][1]);
                let (xj, yj) = (ring[j][0], ring[j][1]);
                if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                    inside = !inside;
                }
                j = i;
            }
        }
        inside
    }

    /// Planar area of the exterior minus holes, in squared coordinate units.
    pub fn area(&self) -> f64 {
        let ring_area = |r: &Vec<[f64; 2]>| {
            let n = r.len();
            let mut s = 0.0;
            for i in 0..n {
                let (a, b) = (r[i], r[(i + 1) % n]);
                s += a[0] * b[1] - b[0] * a[1];
            }
            (s / 2.0).abs()
        };
        let mut it = self.rings.iter();
        let outer = it.next().map(ring_area).unwrap_or(0.0);
        outer - it.map(ring_area).sum::<f64>()
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MultiPolygon(pub Vec<Polygon>);

impl MultiPolygon {
    pub fn bbox(&self) -> BBox {
        self.0.iter().fold(BBox::EMPTY, |b, p| b.union(&p.bbox()))
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        self.0.iter().any(|p| p.contains(x, y))
    }

    pub fn area(&self) -> f64 {
        self.0.iter().map(Polygon::area).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, s: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]
    }

    #[test]
    fn hole_is_outside() {
        let p = Polygon::new(vec![square(0.0, 0.0, 10.0), square(4.0, 4.0, 2.0)]);
        assert!(p.contains(1.0, 1.0));
        assert!(!p.contains(5.0, 5.0));
        assert!(!p.contains(11.0, 5.0));
        assert!((p.area() - 96.0).abs() < 1e-9);
    }

    #[test]
    fn concave_polygon() {
        // A "U" shape: the notch is outside.
        let u = Polygon::new(vec![vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 3.0],
            [2.0, 3.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
        ]]);
        assert!(u.contains(0.5, 2.5));
        assert!(!u.contains(1.5, 2.0));
        assert!(u.contains(1.5, 0.5));
    }
}
