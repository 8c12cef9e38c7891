//! Planar helpers for building the demo city: Voronoi partitions by
//! half-plane clipping, and uniform points in a polygon.

use crate::rng::Rng;
use fengqiao_geo::Xy;

/// Keeps the part of `poly` that is at least as close to `a` as to `b`
/// (Sutherland-Hodgman against one half-plane).
fn clip_closer_to(poly: &[Xy], a: Xy, b: Xy) -> Vec<Xy> {
    let (mx, my) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
    let (nx, ny) = (b.x - a.x, b.y - a.y);
    let side = |p: Xy| (p.x - mx) * nx + (p.y - my) * ny; // <= 0: on a's side
    let mut out = Vec::with_capacity(poly.len() + 2);
    for i in 0..poly.len() {
        let p = poly[i];
        let q = poly[(i + 1) % poly.len()];
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp <= 0.0) != (sq <= 0.0) {
            let t = sp / (sp - sq);
            out.push(Xy::new(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)));
        }
    }
    out
}

/// The Voronoi cells of `seeds` inside `outline`, one per seed.
pub fn voronoi(outline: &[Xy], seeds: &[Xy]) -> Vec<Vec<Xy>> {
    seeds
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            seeds
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .fold(outline.to_vec(), |cell, (_, &o)| {
                    if cell.len() < 3 {
                        cell
                    } else {
                        clip_closer_to(&cell, s, o)
                    }
                })
        })
        .collect()
}

pub fn contains(poly: &[Xy], p: Xy) -> bool {
    let mut inside = false;
    let mut j = poly.len().wrapping_sub(1);
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

pub fn area(poly: &[Xy]) -> f64 {
    let n = poly.len();
    (0..n)
        .map(|i| poly[i].x * poly[(i + 1) % n].y - poly[(i + 1) % n].x * poly[i].y)
        .sum::<f64>()
        .abs()
        / 2.0
}

pub fn centroid(poly: &[Xy]) -> Xy {
    let n = poly.len() as f64;
    Xy::new(
        poly.iter().map(|p| p.x).sum::<f64>() / n,
        poly.iter().map(|p| p.y).sum::<f64>() / n,
    )
}

/// A uniform random point inside `poly` (rejection sampling in its box).
pub fn random_point_in(poly: &[Xy], rng: &mut Rng) -> Xy {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in poly {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    for _ in 0..1000 {
        let p = Xy::new(rng.range(x0, x1), rng.range(y0, y1));
        if contains(poly, p) {
            return p;
        }
    }
    centroid(poly)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voronoi_cells_tile_the_outline() {
        let outline = vec![
            Xy::new(0.0, 0.0),
            Xy::new(10.0, 0.0),
            Xy::new(10.0, 10.0),
            Xy::new(0.0, 10.0),
        ];
        let mut rng = Rng::new(1);
        let seeds: Vec<Xy> = (0..12)
            .map(|_| Xy::new(rng.range(0.0, 10.0), rng.range(0.0, 10.0)))
            .collect();
        let cells = voronoi(&outline, &seeds);
        let total: f64 = cells.iter().map(|c| area(c)).sum();
        assert!((total - 100.0).abs() < 1e-6, "{total}");
        for (c, s) in cells.iter().zip(&seeds) {
            assert!(contains(c, *s));
        }
    }
}
