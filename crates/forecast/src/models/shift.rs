//! Two naive shift forecasts, to measure what each cell's own time-of-day
//! history is worth: `dayspread` spreads the cell's all-history day rate
//! over the shifts by the city-wide share of each shift; `naiveshift` counts
//! only the cell's own incidents in the same shift.

use crate::{Context, Event, Model, Window};

#[derive(Debug, Clone)]
pub struct ShiftNaive {
    /// true: the cell's own shift history; false: day rate x city shift share.
    own_shift: bool,
    per_cell: Vec<f64>,
    per_cell_shift: Vec<Vec<f64>>,
    city_shift: Vec<f64>,
    first: Option<f64>,
}

impl ShiftNaive {
    pub fn day_spread() -> Self {
        Self {
            own_shift: false,
            per_cell: Vec::new(),
            per_cell_shift: Vec::new(),
            city_shift: Vec::new(),
            first: None,
        }
    }

    pub fn own_shift() -> Self {
        Self {
            own_shift: true,
            ..Self::day_spread()
        }
    }

    fn add(&mut self, ctx: &Context, events: &[Event]) {
        for e in events {
            self.first.get_or_insert(e.t);
            self.per_cell[e.cell as usize] += 1.0;
            if e.hour != Event::NO_HOUR {
                let s = usize::from(ctx.shift_of_hour[usize::from(e.hour) % 24]);
                self.per_cell_shift[s][e.cell as usize] += 1.0;
                self.city_shift[s] += 1.0;
            }
        }
    }
}

impl Model for ShiftNaive {
    fn name(&self) -> String {
        if self.own_shift {
            "naiveshift".into()
        } else {
            "dayspread".into()
        }
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({"own_shift_history": self.own_shift})
    }

    fn start(&mut self, ctx: &Context, history: &[Event], _validation: &[Window]) {
        let shifts = ctx.shifts.max(1);
        self.per_cell = vec![0.0; ctx.cells()];
        self.per_cell_shift = vec![vec![0.0; ctx.cells()]; shifts];
        self.city_shift = vec![0.0; shifts];
        self.first = None;
        self.add(ctx, history);
    }

    fn predict(&mut self, ctx: &Context, new: &[Event], w: &Window, out: &mut [f64]) {
        self.add(ctx, new);
        let span = (w.start - self.first.unwrap_or(w.start)).max(1.0);
        let s = usize::from(w.shift).min(self.city_shift.len() - 1);
        if self.own_shift {
            for (o, c) in out.iter_mut().zip(&self.per_cell_shift[s]) {
                *o = c / span;
            }
        } else {
            let share = self.city_shift[s] / self.city_shift.iter().sum::<f64>().max(1.0);
            for (o, c) in out.iter_mut().zip(&self.per_cell) {
                *o = c / span * share;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_geo::{Grid, Xy};

    #[test]
    fn own_shift_history_versus_city_share() {
        let mut ctx = Context::new(Grid::new(Xy::new(0.0, 0.0), 100.0, 2, 1).unwrap(), vec![true; 2]);
        ctx.shifts = 2;
        ctx.shift_of_hour = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        let ev = |t: f64, cell: u32, hour: u8| Event {
            t,
            cell,
            x: 0.0,
            y: 0.0,
            officer: false,
            weekday: 0,
            hour,
            place: 0,
        };
        // Cell 0: three night events; cell 1: one day event. 10 days of history.
        let history = [ev(0.0, 0, 2), ev(3.0, 0, 3), ev(6.0, 0, 4), ev(9.0, 1, 14)];
        let w = Window {
            start: 10.0,
            end: 10.5,
            weekday: 0,
            shift: 1,
        };
        let mut out = vec![0.0; 2];
        let mut own = ShiftNaive::own_shift();
        own.start(&ctx, &history, &[]);
        own.predict(&ctx, &[], &w, &mut out);
        assert_eq!(out, vec![0.0, 0.1]);
        let mut spread = ShiftNaive::day_spread();
        spread.start(&ctx, &history, &[]);
        spread.predict(&ctx, &[], &w, &mut out);
        // City share of shift 1 is 1/4.
        assert_eq!(out, vec![0.3 * 0.25, 0.1 * 0.25]);
    }
}
