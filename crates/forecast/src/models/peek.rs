//! `peek`, a ceiling rather than a forecaster: a blend of each cell's rate in
//! the history and its rate over the whole forecast period except the window
//! being forecast. It knows each cell's true rate over the test period, which
//! no honest model can, and so bounds what any stable-rate ranking can reach.
//! Only the backtest can build it, since it needs events from the future.

use super::Model;
use crate::{Context, Event, Window};

#[derive(Debug, Clone)]
pub struct Peek {
    /// Share of the forecast period's rate in the blend (0 = the naive rate).
    pub future_weight: f64,
    events: Vec<Event>,
    history: Vec<f64>,
    future: Vec<f64>,
    history_days: f64,
    future_days: f64,
}

impl Peek {
    /// `events`: every event, the forecast period's included, in time order.
    pub fn new(events: Vec<Event>) -> Self {
        Self {
            future_weight: 0.5,
            events,
            history: Vec::new(),
            future: Vec::new(),
            history_days: 1.0,
            future_days: 1.0,
        }
    }
}

impl Model for Peek {
    fn name(&self) -> String {
        "peek".into()
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({"ceiling": "sees the forecast period except the window", "future_weight": self.future_weight})
    }

    fn start(&mut self, ctx: &Context, history: &[Event], _validation: &[Window]) {
        self.history = vec![0.0; ctx.cells()];
        self.future = vec![0.0; ctx.cells()];
        let cut = history.last().map_or(f64::NEG_INFINITY, |e| e.t);
        for e in &self.events {
            if e.t <= cut {
                self.history[e.cell as usize] += 1.0;
            } else {
                self.future[e.cell as usize] += 1.0;
            }
        }
        let first = self.events.first().map_or(0.0, |e| e.t);
        let last = self.events.last().map_or(0.0, |e| e.t);
        self.history_days = (cut.max(first) - first).max(1.0);
        self.future_days = (last - cut.max(first)).max(1.0);
    }

    fn predict(&mut self, _ctx: &Context, _new: &[Event], w: &Window, out: &mut [f64]) {
        let from = self.events.partition_point(|e| e.t < w.start);
        let to = self.events.partition_point(|e| e.t < w.end);
        for e in &self.events[from..to] {
            self.future[e.cell as usize] -= 1.0;
        }
        let f = self.future_weight;
        let future_days = (self.future_days - w.days()).max(1.0);
        for ((o, h), u) in out.iter_mut().zip(&self.history).zip(&self.future) {
            *o = w.days() * ((1.0 - f) * h / self.history_days + f * u / future_days);
        }
        for e in &self.events[from..to] {
            self.future[e.cell as usize] += 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_geo::{Grid, Xy};

    fn event(t: f64, cell: u32) -> Event {
        Event {
            t,
            cell,
            x: 0.0,
            y: 0.0,
            officer: false,
            weekday: 0,
            hour: 0,
            place: 0,
        }
    }

    /// The window's own events never raise its cells' forecast.
    #[test]
    fn leaves_out_the_forecast_window() {
        let grid = Grid::new(Xy::new(0.0, 0.0), 100.0, 2, 1).unwrap();
        let ctx = Context::new(grid, vec![true; 2]);
        let events = vec![
            event(0.5, 0),
            event(1.5, 1),
            event(9.5, 1),
            event(10.5, 0),
            event(11.5, 0),
        ];
        let mut peek = Peek::new(events.clone());
        peek.start(&ctx, &events[..2], &[]);
        let mut out = [0.0; 2];
        let mut w = Window {
            start: 10.0,
            end: 11.0,
            weekday: 0,
            shift: 0,
        };
        peek.predict(&ctx, &[], &w, &mut out);
        // Cells 0 and 1 alike in the history; after it, cell 0 has two events
        // (one in the window) and cell 1 one: they tie.
        assert!((out[0] - out[1]).abs() < 1e-12, "{out:?}");
        w.start = 11.0;
        w.end = 12.0;
        peek.predict(&ctx, &[], &w, &mut out);
        assert!((out[0] - out[1]).abs() < 1e-12, "{out:?}");
        w.start = 20.0;
        w.end = 21.0;
        peek.predict(&ctx, &[], &w, &mut out);
        assert!(out[0] > out[1], "{out:?}");
    }
}
