//! How many crews an hour needs: from the expected calls and the time each
//! takes, the chance a call waits and the share answered within a target
//! (Erlang C), and — when crews answer calls outside their own area — each
//! crew's workload and who answers which area (Larson's hypercube model).

pub mod allocate;
pub mod erlang;
pub mod hypercube;
pub mod service;
pub mod spatial;

/// Why a staffing question has no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StaffingError {
    #[error("{what} {value}: {why}")]
    Input {
        what: &'static str,
        value: f64,
        why: &'static str,
    },
    #[error("more than {0} crews would be needed")]
    TooMany(u32),
    #[error("the model did not settle in {0} iterations")]
    NoConvergence(usize),
}

pub(crate) fn check(what: &'static str, value: f64, ok: bool, why: &'static str) -> Result<(), StaffingError> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(StaffingError::Input { what, value, why })
    }
}
