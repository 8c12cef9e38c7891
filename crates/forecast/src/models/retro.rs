//! Retrospective hot spot: quartic-kernel density of the events of the last
//! W days, evaluated at cell centres (as open_cp's RetroHotSpot).

use super::stencil::spread_point;
use crate::{Context, Event, Model, Window};
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct Retrospective {
    pub window_days: f64,
    pub bandwidth_m: f64,
    density: Vec<f64>,
    kept: VecDeque<Event>,
    /// Total kernel weight one event spreads over the grid.
    mass: f64,
}

impl Default for Retrospective {
    fn default() -> Self {
        Self::new(60.0, 300.0)
    }
}

/// The quartic (biweight) kernel, unnormalised: (1 - (d/b)^2)^2 inside b.
pub fn quartic(d: f64, b: f64) -> f64 {
    let u = d / b;
    if u >= 1.0 { 0.0 } else { (1.0 - u * u).powi(2) }
}

impl Retrospective {
    pub fn new(window_days: f64, bandwidth_m: f64) -> Self {
        Self {
            window_days,
            bandwidth_m,
            density: Vec::new(),
            kept: VecDeque::new(),
            mass: 1.0,
        }
    }

    fn apply(&mut self, ctx: &Context, e: &Event, sign: f64) {
        let b = self.bandwidth_m;
        spread_point(ctx, e.x, e.y, b, sign, |d| quartic(d, b), &mut self.density);
    }
}

impl Model for Retrospective {
    fn name(&self) -> String {
        "retro".into()
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({"window_days": self.window_days, "bandwidth_m": self.bandwidth_m, "kernel": "quartic"})
    }

    fn start(&mut self, ctx: &Context, history: &[Event], _validation: &[Window]) {
        self.density = vec![0.0; ctx.cells()];
        self.kept.clear();
        let mut probe = vec![0.0; ctx.cells()];
        let (cx, cy) = ctx.centre(ctx.cells() / 2);
        let b = self.bandwidth_m;
        spread_point(ctx, cx, cy, b, 1.0, |d| quartic(d, b), &mut probe);
        self.mass = probe.iter().sum::<f64>().max(1e-12);
        let from = history.last().map_or(0.0, |e| e.t) - self.window_days;
        for e in history.iter().filter(|e| e.t >= from) {
            self.apply(ctx, e, 1.0);
            self.kept.push_back(*e);
        }
    }

    fn predict(&mut self, ctx: &Context, new: &[Event], w: &Window, out: &mut [f64]) {
        for e in new {
            self.apply(ctx, e, 1.0);
            self.kept.push_back(*e);
        }
        while let Some(e) = self.kept.front().copied().filter(|e| e.t < w.start - self.window_days) {
            self.apply(ctx, &e, -1.0);
            self.kept.pop_front();
        }
        // Each event's kernel mass, spread over the window's share of W days: a count.
        let scale = w.days() / self.window_days / self.mass;
        for (o, d) in out.iter_mut().zip(&self.density) {
            *o = d.max(0.0) * scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_geo::{Grid, Xy};

    #[test]
    fn quartic_weights_by_hand() {
        assert_eq!(quartic(0.0, 100.0), 1.0);
        assert!((quartic(50.0, 100.0) - 0.5625).abs() < 1e-12);
        assert_eq!(quartic(100.0, 100.0), 0.0);
        // One event at the centre of cell 4 of a 3x3 grid of 100 m cells, b = 150 m:
        // the centre gets 1, the four edge neighbours (d = 100) get (1 - 4/9)^2, corners (d = 141) get (1 - 8/9)^2.
        let ctx = Context::new(Grid::new(Xy::new(0.0, 0.0), 100.0, 3, 3).unwrap(), vec![true; 9]);
        let mut m = Retrospective::new(30.0, 150.0);
        m.start(
            &ctx,
            &[Event {
                t: 0.0,
                cell: 4,
                x: 150.0,
                y: 150.0,
                officer: false,
                weekday: 0,
                hour: 0,
                place: 0,
            }],
            &[],
        );
        let edge = (1.0f64 - 4.0 / 9.0).powi(2);
        let corner = (1.0f64 - 20000.0 / 22500.0).powi(2);
        assert!((m.density[4] - 1.0).abs() < 1e-12);
        assert!((m.density[1] - edge).abs() < 1e-12 && (m.density[3] - edge).abs() < 1e-12);
        assert!((m.density[0] - corner).abs() < 1e-12);
        // After the window has passed, the event is forgotten.
        let mut out = vec![0.0; 9];
        m.predict(
            &ctx,
            &[],
            &Window {
                start: 31.0,
                end: 32.0,
                weekday: 0,
                shift: 0,
            },
            &mut out,
        );
        assert!(out.iter().all(|v| v.abs() < 1e-12));
    }
}
