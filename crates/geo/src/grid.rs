//! Square grids over a city's local metric plane: the unit of counting,
//! forecasting and planning.

use crate::Xy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct CellId(pub u32);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("grid cell size must be a positive number of metres, got {0}")]
    CellSize(f64),
    #[error("grid of {cols} x {rows} cells is empty or larger than 2^31 cells")]
    Shape { cols: u32, rows: u32 },
}

/// A grid of `cols` x `rows` square cells of side `cell_m`, whose lower-left
/// corner is `origin`. Cell ids run row-major from the lower-left.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Grid {
    pub origin: Xy,
    pub cell_m: f64,
    pub cols: u32,
    pub rows: u32,
}

impl Grid {
    pub fn new(origin: Xy, cell_m: f64, cols: u32, rows: u32) -> Result<Self, GridError> {
        if !(cell_m.is_finite() && cell_m > 0.0) {
            return Err(GridError::CellSize(cell_m));
        }
        if cols == 0 || rows == 0 || u64::from(cols) * u64::from(rows) > (1u64 << 31) {
            return Err(GridError::Shape { cols, rows });
        }
        Ok(Self {
            origin,
            cell_m,
            cols,
            rows,
        })
    }

    /// The smallest grid with cell corners on multiples of `cell_m` that
    /// covers the rectangle `min`..`max`.
    pub fn covering(min: Xy, max: Xy, cell_m: f64) -> Result<Self, GridError> {
        if !(cell_m.is_finite() && cell_m > 0.0) {
            return Err(GridError::CellSize(cell_m));
        }
        let ox = (min.x / cell_m).floor() * cell_m;
        let oy = (min.y / cell_m).floor() * cell_m;
        let cols = (((max.x - ox) / cell_m).floor() as i64 + 1).max(1);
        let rows = (((max.y - oy) / cell_m).floor() as i64 + 1).max(1);
        let clamp = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Self::new(Xy::new(ox, oy), cell_m, clamp(cols), clamp(rows))
    }

    pub fn len(&self) -> usize {
        self.cols as usize * self.rows as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell holding `p`; a point on a shared edge belongs to the cell to
    /// its upper right. `None` outside the grid.
    pub fn cell_of(&self, p: Xy) -> Option<CellId> {
        let fx = ((p.x - self.origin.x) / self.cell_m).floor();
        let fy = ((p.y - self.origin.y) / self.cell_m).floor();
        if !(fx >= 0.0 && fy >= 0.0 && fx < f64::from(self.cols) && fy < f64::from(self.rows)) {
            return None;
        }
        Some(CellId(fy as u32 * self.cols + fx as u32))
    }

    pub fn col_row(&self, id: CellId) -> (u32, u32) {
        (id.0 % self.cols, id.0 / self.cols)
    }

    pub fn cell_min(&self, id: CellId) -> Xy {
        let (c, r) = self.col_row(id);
        Xy::new(
            self.origin.x + f64::from(c) * self.cell_m,
            self.origin.y + f64::from(r) * self.cell_m,
        )
    }

    pub fn cell_centre(&self, id: CellId) -> Xy {
        let m = self.cell_min(id);
        Xy::new(m.x + self.cell_m / 2.0, m.y + self.cell_m / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_bad_cell_size() {
        assert!(Grid::new(Xy::new(0.0, 0.0), 0.0, 1, 1).is_err());
        assert!(Grid::new(Xy::new(0.0, 0.0), f64::NAN, 1, 1).is_err());
    }

    #[test]
    fn edges_and_outside() {
        let g = Grid::new(Xy::new(0.0, 0.0), 100.0, 3, 2).unwrap();
        assert_eq!(g.cell_of(Xy::new(0.0, 0.0)), Some(CellId(0)));
        assert_eq!(g.cell_of(Xy::new(100.0, 0.0)), Some(CellId(1)));
        assert_eq!(g.cell_of(Xy::new(299.9, 199.9)), Some(CellId(5)));
        assert_eq!(g.cell_of(Xy::new(300.0, 0.0)), None);
        assert_eq!(g.cell_of(Xy::new(-0.1, 0.0)), None);
        assert_eq!(g.cell_of(Xy::new(f64::NAN, 0.0)), None);
    }

    proptest! {
        #[test]
        fn cell_centre_maps_back_to_its_cell(
            ox in -1e5f64..1e5, oy in -1e5f64..1e5, cell in 10.0f64..2000.0,
            cols in 1u32..300, rows in 1u32..300, pick in 0.0f64..1.0,
        ) {
            let g = Grid::new(Xy::new(ox, oy), cell, cols, rows).unwrap();
            let id = CellId(((g.len() - 1) as f64 * pick) as u32);
            prop_assert_eq!(g.cell_of(g.cell_centre(id)), Some(id));
        }

        #[test]
        fn covering_contains_its_rectangle(
            x0 in -1e5f64..1e5, y0 in -1e5f64..1e5, w in 0.0f64..5e4, h in 0.0f64..5e4, cell in 50.0f64..1000.0,
        ) {
            let (min, max) = (Xy::new(x0, y0), Xy::new(x0 + w, y0 + h));
            let g = Grid::covering(min, max, cell).unwrap();
            prop_assert!(g.cell_of(min).is_some());
            prop_assert!(g.cell_of(max).is_some());
        }
    }
}
