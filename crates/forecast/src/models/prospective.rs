//! Prospective hot spot (Bowers, Johnson & Pease 2004): each event of the
//! last T weeks adds 1 / ((1 + d)(1 + t)) to the cells within S cells, with
//! d the grid distance in cells and t the age in whole weeks.

use crate::{Context, Event, Model, Window};

#[derive(Debug, Clone)]
pub struct Prospective {
    /// Space bandwidth in cells (Chebyshev distance).
    pub space_cells: i64,
    /// Time bandwidth in weeks.
    pub time_weeks: f64,
    recent: Vec<Event>,
}

impl Default for Prospective {
    fn default() -> Self {
        Self {
            space_cells: 4,
            time_weeks: 8.0,
            recent: Vec::new(),
        }
    }
}

/// The classic weight for a grid distance and an age in whole weeks.
pub fn classic_weight(cells: i64, weeks: f64) -> f64 {
    1.0 / ((1.0 + cells as f64) * (1.0 + weeks))
}

impl Model for Prospective {
    fn name(&self) -> String {
        "prospective".into()
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({"space_cells": self.space_cells, "time_weeks": self.time_weeks, "distance": "chebyshev"})
    }

    fn start(&mut self, _ctx: &Context, history: &[Event], _validation: &[Window]) {
        let from = history.last().map_or(0.0, |e| e.t) - 7.0 * (self.time_weeks + 1.0);
        self.recent = history.iter().filter(|e| e.t >= from).copied().collect();
    }

    fn predict(&mut self, ctx: &Context, new: &[Event], w: &Window, out: &mut [f64]) {
        self.recent.extend_from_slice(new);
        let horizon = w.start - 7.0 * (self.time_weeks + 1.0);
        self.recent.retain(|e| e.t >= horizon);
        out.iter_mut().for_each(|o| *o = 0.0);
        let s = self.space_cells;
        for e in &self.recent {
            let weeks = ((w.start - e.t) / 7.0).floor();
            if weeks > self.time_weeks {
                continue;
            }
            let (c, r) = ctx.col_row(e.cell);
            for dr in -s..=s {
                for dc in -s..=s {
                    if let Some(cell) = ctx.cell_at(c + dc, r + dr) {
                        out[cell] += classic_weight(dc.abs().max(dr.abs()), weeks);
                    }
                }
            }
        }
        // Rescale to the recent incident rate so the forecast is a count.
        let events_per_day = self
            .recent
            .iter()
            .filter(|e| e.t >= w.start - 7.0 * self.time_weeks)
            .count() as f64
            / (7.0 * self.time_weeks);
        let total: f64 = ctx.valid_cells.iter().map(|&c| out[c as usize]).sum();
        if total > 0.0 {
            let k = events_per_day * w.days() / total;
            out.iter_mut().for_each(|o| *o *= k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_geo::{Grid, Xy};

    #[test]
    fn weights_by_hand() {
        assert_eq!(classic_weight(0, 0.0), 1.0);
        assert_eq!(classic_weight(1, 1.0), 0.25);
        assert_eq!(classic_weight(3, 0.0), 0.25);
        let ctx = Context::new(Grid::new(Xy::new(0.0, 0.0), 100.0, 5, 1).unwrap(), vec![true; 5]);
        let mut m = Prospective {
            space_cells: 2,
            time_weeks: 2.0,
            recent: Vec::new(),
        };
        // Two events in cell 0: one 3 days old (week 0), one 10 days old (week 1).
        let e = |t| Event {
            t,
            cell: 0,
            x: 50.0,
            y: 50.0,
            officer: false,
            weekday: 0,
            hour: 0,
            place: 0,
        };
        m.start(&ctx, &[e(90.0), e(97.0)], &[]);
        let mut out = vec![0.0; 5];
        m.predict(
            &ctx,
            &[],
            &Window {
                start: 100.0,
                end: 101.0,
                weekday: 0,
                shift: 0,
            },
            &mut out,
        );
        let raw = [1.0 + 0.5, 0.5 + 0.25, 1.0 / 3.0 + 1.0 / 6.0, 0.0, 0.0];
        let k = out[0] / raw[0];
        for (o, r) in out.iter().zip(raw) {
            assert!((o - r * k).abs() < 1e-12, "{out:?}");
        }
    }
}
