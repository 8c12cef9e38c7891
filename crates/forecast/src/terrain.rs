//! Risk terrain: what a city knows about its places, as covariates per
//! cell (after Caplan & Kennedy's risk terrain modelling, which reads each
//! risk factor by its distance and its density). For each kind of place:
//!
//! - nearness `exp(-d / NEAR_M)`, `d` the distance from the cell's centre to
//!   the nearest place of the kind (0 beyond [`REACH_M`]);
//! - density `ln(1 + n)`, `n` the places of the kind within [`DENSITY_M`].
//!
//! The scales are RTM's usual operationalisation of "a few blocks" (its
//! spatial influence is typically tested at one to three blocks, about
//! 100-400 m in a Chinese or American city), fixed before any backtest,
//! not tuned on the shared data.

use fengqiao_geo::{CellId, Grid, Xy};

pub const NEAR_M: f64 = 250.0;
pub const DENSITY_M: f64 = 500.0;
/// Beyond this a place is too far to matter (nearness < 0.3 %).
pub const REACH_M: f64 = 1500.0;

/// Covariates per cell, named `kind.near` and `kind.density`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Terrain {
    pub names: Vec<String>,
    /// One vector per name, one value per cell of the grid.
    pub values: Vec<Vec<f64>>,
}

impl Terrain {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The covariates of `places` (kind name, position in the grid's metres) on
/// `grid`; kinds in the order first seen. Each place touches only the cells
/// within [`REACH_M`], so the cost is places x (reach / cell)^2.
pub fn terrain(grid: &Grid, places: &[(String, Xy)]) -> Terrain {
    let mut kinds: Vec<&str> = Vec::new();
    for (k, _) in places {
        if !kinds.contains(&k.as_str()) {
            kinds.push(k);
        }
    }
    let n = grid.len();
    let mut out = Terrain::default();
    let reach = (REACH_M / grid.cell_m).ceil() as i64 + 1;
    for kind in kinds {
        let mut near = vec![0.0f64; n];
        let mut count = vec![0.0f64; n];
        for (_, p) in places.iter().filter(|(k, _)| k == kind) {
            let col = ((p.x - grid.origin.x) / grid.cell_m).floor() as i64;
            let row = ((p.y - grid.origin.y) / grid.cell_m).floor() as i64;
            for r in (row - reach).max(0)..=(row + reach).min(i64::from(grid.rows) - 1) {
                for c in (col - reach).max(0)..=(col + reach).min(i64::from(grid.cols) - 1) {
                    let cell = (r * i64::from(grid.cols) + c) as usize;
                    let d = grid.cell_centre(CellId(cell as u32)).distance(*p);
                    if d <= REACH_M {
                        near[cell] = near[cell].max((-d / NEAR_M).exp());
                    }
                    if d <= DENSITY_M {
                        count[cell] += 1.0;
                    }
                }
            }
        }
        out.names.push(format!("{kind}.near"));
        out.values.push(near);
        out.names.push(format!("{kind}.density"));
        out.values.push(count.into_iter().map(f64::ln_1p).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearness_and_density_by_kind() {
        let grid = Grid::new(Xy::new(0.0, 0.0), 100.0, 40, 40).unwrap();
        let places = vec![
            ("market".to_string(), Xy::new(550.0, 550.0)),
            ("market".to_string(), Xy::new(750.0, 550.0)),
            ("school".to_string(), Xy::new(3050.0, 3050.0)),
        ];
        let t = terrain(&grid, &places);
        assert_eq!(
            t.names,
            ["market.near", "market.density", "school.near", "school.density"]
        );
        let cell = |col: u32, row: u32| (row * 40 + col) as usize;
        // The cell holding the first market: at its centre, two markets within 500 m.
        assert!((t.values[0][cell(5, 5)] - 1.0).abs() < 1e-12);
        assert!((t.values[1][cell(5, 5)] - 3f64.ln()).abs() < 1e-12);
        // 400 m east of the second market (600 m from the first): nearness by
        // the nearest, one within 500 m; at exactly 500 m a market counts.
        assert!((t.values[0][cell(11, 5)] - (-400.0f64 / NEAR_M).exp()).abs() < 1e-12);
        assert!((t.values[1][cell(11, 5)] - 2f64.ln()).abs() < 1e-12);
        assert!((t.values[1][cell(10, 5)] - 3f64.ln()).abs() < 1e-12);
        // Far from every market: nothing; the school's own covariates elsewhere.
        assert_eq!(t.values[0][cell(39, 39)], 0.0);
        assert_eq!(t.values[1][cell(39, 39)], 0.0);
        assert!(t.values[2][cell(30, 30)] > 0.99);
        assert_eq!(terrain(&grid, &[]), Terrain::default());
    }
}
