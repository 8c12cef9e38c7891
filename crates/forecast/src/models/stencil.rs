//! Spreading a weight from a point or a cell onto its neighbouring cells.

use crate::Context;

/// Adds `w * kernel(dist)` to every cell whose centre lies within `radius`
/// metres of (x, y).
pub fn spread_point(ctx: &Context, x: f64, y: f64, radius: f64, w: f64, kernel: impl Fn(f64) -> f64, out: &mut [f64]) {
    let g = &ctx.grid;
    let c0 = ((x - radius - g.origin.x) / g.cell_m).floor() as i64;
    let c1 = ((x + radius - g.origin.x) / g.cell_m).floor() as i64;
    let r0 = ((y - radius - g.origin.y) / g.cell_m).floor() as i64;
    let r1 = ((y + radius - g.origin.y) / g.cell_m).floor() as i64;
    for row in r0..=r1 {
        for col in c0..=c1 {
            if let Some(cell) = ctx.cell_at(col, row) {
                let cx = g.origin.x + (col as f64 + 0.5) * g.cell_m;
                let cy = g.origin.y + (row as f64 + 0.5) * g.cell_m;
                let d = (cx - x).hypot(cy - y);
                if d <= radius {
                    out[cell] += w * kernel(d);
                }
            }
        }
    }
}
