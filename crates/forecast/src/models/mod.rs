//! Forecasting models: the published baselines and Fengqiao's flagship.

mod etas;
mod flagship;
mod naive;
mod peek;
mod prospective;
mod retro;
mod sepp;
mod seppexp;
mod shift;
mod stencil;

pub use etas::{EtasFit, GridEtas, fit_grid_etas};
pub use flagship::Flagship;
pub use naive::Naive;
pub use peek::Peek;
pub use prospective::Prospective;
pub use retro::Retrospective;
pub use sepp::{Sepp, SeppFit};
pub use seppexp::{SeppExp, SeppExpFit, fit_seppexp};
pub use shift::ShiftNaive;

use crate::{Context, Event, Window};

/// A forecaster, driven window by window by the backtest or the forecast command.
pub trait Model: Send {
    fn name(&self) -> String;

    /// The parameters that define this run, for reports and stored forecasts.
    fn params(&self) -> serde_json::Value;

    /// Called once with every event before the first window, in time order,
    /// and the validation windows (a period before the first window, of the
    /// same kind) on which a model may tune itself.
    fn start(&mut self, ctx: &Context, history: &[Event], validation: &[Window]);

    /// Expected incidents per cell in `window`. `new` holds the events since
    /// the previous call, in time order, all before `window.start`.
    fn predict(&mut self, ctx: &Context, new: &[Event], window: &Window, out: &mut [f64]);
}

/// Names accepted on the command line; `default` means the flagship,
/// `fq-plain` the flagship without the city's places (risk terrain), and
/// `naiveN` (e.g. `naive365`) is naive over the last N days. `peek` is a
/// ceiling that sees the future, which only the backtest can build.
pub const MODEL_NAMES: [&str; 12] = [
    "naive",
    "retro",
    "prospective",
    "etas",
    "sepp",
    "seppexp",
    "fq",
    "fq-plain",
    "default",
    "dayspread",
    "naiveshift",
    "peek",
];

/// The error for a model name that is not one of [`MODEL_NAMES`].
pub fn unknown_model(name: &str) -> String {
    if name == "peek" {
        return "peek is a ceiling that sees the future: only `fengqiao backtest` runs it".into();
    }
    format!(
        "unknown model {name:?}; known: {}, naiveN (e.g. naive365)",
        MODEL_NAMES.join(", ")
    )
}

pub fn model_by_name(name: &str) -> Option<Box<dyn Model>> {
    Some(match name {
        "naive" => Box::new(Naive::all_history()),
        "retro" => Box::new(Retrospective::default()),
        "prospective" => Box::new(Prospective::default()),
        "etas" => Box::new(GridEtas::default()),
        "sepp" => Box::new(Sepp::default()),
        "seppexp" => Box::new(SeppExp::default()),
        "fq" | "default" => Box::new(Flagship::default()),
        "fq-plain" => Box::new(Flagship::without_terrain()),
        "dayspread" => Box::new(ShiftNaive::day_spread()),
        "naiveshift" => Box::new(ShiftNaive::own_shift()),
        _ => {
            if let Some(days) = name.strip_prefix("naive") {
                return days
                    .parse()
                    .ok()
                    .map(|d| Box::new(Naive::last_days(d)) as Box<dyn Model>);
            }
            return None;
        }
    })
}

/// As [`model_by_name`], with officer-initiated incidents weighted by
/// `officer_weight` in the flagship's features (the other models count
/// every incident alike).
pub fn model_with_officer_weight(name: &str, officer_weight: f64) -> Option<Box<dyn Model>> {
    match name {
        "fq" | "default" => {
            let mut fq = Flagship::default();
            fq.officer_weight = officer_weight;
            Some(Box::new(fq))
        }
        _ => model_by_name(name),
    }
}
