//! The API's rendering of errors: `{"code": "...", "message": "...",
//! "details": ...}` with the HTTP status of the code's row in the one
//! table (`fengqiao_app::error::Code`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
pub use fengqiao_app::Code;
use fengqiao_store::StoreError;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(code: Code, message: String) -> Self {
        Self {
            code,
            message,
            details: Value::Null,
        }
    }

    pub fn invalid_parameter(name: &str, value: &str, why: impl std::fmt::Display) -> Self {
        Self {
            code: Code::InvalidParameter,
            message: format!("parameter `{name}`: {why}"),
            details: json!({"parameter": name, "value": value}),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<fengqiao_app::Error> for ApiError {
    fn from(e: fengqiao_app::Error) -> Self {
        match e.code {
            // The database's and the program's own words stay in the server log.
            Code::DatabaseUnavailable => {
                eprintln!("store error: {}", e.message);
                ApiError::new(e.code, "the database could not answer".into())
            }
            Code::Internal => {
                eprintln!("internal error: {}", e.message);
                ApiError::new(e.code, "the server could not do that; the fault is logged".into())
            }
            code => ApiError {
                code,
                message: e.message,
                details: e.details,
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        fengqiao_app::Error::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"code": self.code.name(), "message": self.message, "details": self.details});
        (self.status(), Json(body)).into_response()
    }
}
