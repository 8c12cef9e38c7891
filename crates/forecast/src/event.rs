//! Events, the study area and forecast windows.

use fengqiao_geo::Grid;

/// One incident as forecasting sees it: when, which cell, where in the plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Days since the Unix epoch, UTC.
    pub t: f64,
    /// Cell index in the grid.
    pub cell: u32,
    /// Local metric position (metres), for kernels finer than a cell.
    pub x: f64,
    pub y: f64,
    /// Officer-initiated (found on patrol) rather than reported by the public.
    pub officer: bool,
    /// Local day of week, 0 = Monday.
    pub weekday: u8,
    /// Local hour 0..23, or [`Event::NO_HOUR`] for day-only records.
    pub hour: u8,
    /// Kind of place (index into the run's place vocabulary; 0 = unknown).
    pub place: u8,
}

impl Event {
    pub const NO_HOUR: u8 = 255;
}

/// A forecast window `[start, end)` in days since the epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub start: f64,
    pub end: f64,
    /// Day of week of the window's local start, 0 = Monday.
    pub weekday: u8,
    /// Which shift of the day (0 for day and week windows).
    pub shift: u8,
}

impl Window {
    pub fn days(&self) -> f64 {
        self.end - self.start
    }
}

/// The grid and the study area (valid cells) every model forecasts over.
#[derive(Debug, Clone)]
pub struct Context {
    pub grid: Grid,
    /// Per cell: is it in the study area?
    pub valid: Vec<bool>,
    /// Indices of the valid cells, ascending.
    pub valid_cells: Vec<u32>,
    /// Number of shifts when forecasting shift windows (1 otherwise).
    pub shifts: usize,
    /// Shift index of each local hour.
    pub shift_of_hour: [u8; 24],
    /// What the city knows of its places, per cell (empty: nothing known).
    pub terrain: crate::Terrain,
}

impl Context {
    pub fn new(grid: Grid, valid: Vec<bool>) -> Self {
        let valid_cells = valid
            .iter()
            .enumerate()
            .filter(|(_, v)| **v)
            .map(|(i, _)| i as u32)
            .collect();
        Self {
            grid,
            valid,
            valid_cells,
            shifts: 1,
            shift_of_hour: [0; 24],
            terrain: crate::Terrain::default(),
        }
    }

    pub fn cells(&self) -> usize {
        self.grid.len()
    }

    /// (col, row) of a cell.
    pub fn col_row(&self, cell: u32) -> (i64, i64) {
        (i64::from(cell % self.grid.cols), i64::from(cell / self.grid.cols))
    }

    /// The cell at (col, row), if inside the grid.
    pub fn cell_at(&self, col: i64, row: i64) -> Option<usize> {
        (col >= 0 && row >= 0 && col < i64::from(self.grid.cols) && row < i64::from(self.grid.rows))
            .then(|| (row * i64::from(self.grid.cols) + col) as usize)
    }

    /// Centre of a cell in local metres.
    pub fn centre(&self, cell: usize) -> (f64, f64) {
        let c = self.grid.cell_centre(fengqiao_geo::CellId(cell as u32));
        (c.x, c.y)
    }
}
