//! Naive: incidents per cell over the last W days (or all history), as a rate.

use crate::{Context, Event, Model, Window};
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct Naive {
    /// `None`: all history.
    window_days: Option<f64>,
    counts: Vec<f64>,
    kept: VecDeque<Event>,
    first: Option<f64>,
}

impl Naive {
    pub fn all_history() -> Self {
        Self {
            window_days: None,
            counts: Vec::new(),
            kept: VecDeque::new(),
            first: None,
        }
    }

    pub fn last_days(days: f64) -> Self {
        Self {
            window_days: Some(days),
            ..Self::all_history()
        }
    }

    fn add(&mut self, events: &[Event]) {
        for e in events {
            self.counts[e.cell as usize] += 1.0;
            self.first.get_or_insert(e.t);
            if self.window_days.is_some() {
                self.kept.push_back(*e);
            }
        }
    }
}

impl Model for Naive {
    fn name(&self) -> String {
        match self.window_days {
            None => "naive".into(),
            Some(d) => format!("naive{d}"),
        }
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({"window_days": self.window_days})
    }

    fn start(&mut self, ctx: &Context, history: &[Event], _validation: &[Window]) {
        self.counts = vec![0.0; ctx.cells()];
        self.add(history);
    }

    fn predict(&mut self, _ctx: &Context, new: &[Event], w: &Window, out: &mut [f64]) {
        self.add(new);
        let span = match self.window_days {
            Some(days) => {
                while let Some(e) = self.kept.front().filter(|e| e.t < w.start - days) {
                    self.counts[e.cell as usize] -= 1.0;
                    self.kept.pop_front();
                }
                days
            }
            None => (w.start - self.first.unwrap_or(w.start)).max(1.0),
        };
        let scale = w.days() / span;
        for (o, c) in out.iter_mut().zip(&self.counts) {
            *o = c * scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_geo::{Grid, Xy};

    fn ctx() -> Context {
        Context::new(Grid::new(Xy::new(0.0, 0.0), 100.0, 3, 1).unwrap(), vec![true; 3])
    }

    fn ev(t: f64, cell: u32) -> Event {
        Event {
            t,
            cell,
            x: 50.0 + 100.0 * f64::from(cell),
            y: 50.0,
            officer: false,
            weekday: 0,
            hour: 0,
            place: 0,
        }
    }

    #[test]
    fn counts_over_the_window_as_a_daily_rate() {
        let c = ctx();
        let mut m = Naive::last_days(10.0);
        m.start(&c, &[ev(0.0, 0), ev(5.0, 1), ev(8.0, 1)], &[]);
        let w = Window {
            start: 12.0,
            end: 13.0,
            weekday: 0,
            shift: 0,
        };
        let mut out = vec![0.0; 3];
        m.predict(&c, &[ev(11.0, 2)], &w, &mut out);
        // event at t=0 is older than 10 days before t=12
        assert_eq!(out, vec![0.0, 0.2, 0.1]);
        let mut all = Naive::all_history();
        all.start(&c, &[ev(0.0, 0), ev(5.0, 1), ev(8.0, 1)], &[]);
        all.predict(&c, &[], &w, &mut out);
        assert_eq!(out, vec![1.0 / 12.0, 2.0 / 12.0, 0.0]);
    }
}
