//! Request bodies: JSON parsed strictly (unknown fields are errors), with
//! errors in the API's one shape, naming the line and column.

use crate::error::ApiError;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// Largest request body the API reads (Open311 media aside).
pub const MAX_BYTES: usize = 256 * 1024;

pub fn json<T: DeserializeOwned>(raw: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(raw).map_err(|e| {
        let mut err = ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", format!("request body: {e}"));
        err.details = serde_json::json!({"line": e.line(), "column": e.column()});
        err
    })
}
