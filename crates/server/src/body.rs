//! Request bodies: JSON parsed strictly (unknown fields are errors), with
//! errors in the API's one shape, naming the line and column.

use crate::error::{ApiError, Code};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// Largest request body the API reads (Open311 media aside).
pub const MAX_BYTES: usize = 256 * 1024;

pub fn json<T: DeserializeOwned>(raw: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(raw).map_err(|e| {
        let mut err = ApiError::new(Code::InvalidBody, format!("request body: {e}"));
        err.details = serde_json::json!({"line": e.line(), "column": e.column()});
        err
    })
}

/// Routes whose bodies are not JSON (a photo's bytes, a witness's lines, a CSV export).
const NOT_JSON: [&str; 6] = [
    "/photos",
    "/api/v1/imports/files",
    "/attachments",
    "/api/v1/ledger/cosignatures",
    "/api/v1/personnel/import",
    // JSON or the anti-fraud centre's CSV export.
    "/api/v1/fraud-warnings",
];

/// The body's media type, lower case, without its parameters.
pub fn media_type(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

/// A 415 naming the media types a route takes.
pub fn unsupported(media: Option<String>, wanted: &str) -> ApiError {
    let mut e = ApiError::new(
        Code::UnsupportedMediaType,
        format!(
            "send the body as Content-Type: {wanted} (got {})",
            media.as_deref().unwrap_or("none")
        ),
    );
    e.details = serde_json::json!({"content_type": media});
    e
}

/// What every API answer obeys whatever its handler did: a body sent to a
/// JSON route must say it is JSON (415 otherwise: a form or `text/plain`
/// that a foreign page can send without asking is not taken); a body too
/// large is refused in the API's error shape; and an answer that does not
/// say otherwise is not kept by any cache (answers carry personal data).
pub async fn shape(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let path = req.uri().path();
    let api = path.starts_with("/api/");
    if api && !path.starts_with("/api/openapi") && !NOT_JSON.iter().any(|n| path.ends_with(n)) {
        let h = req.headers();
        let has_body = h.contains_key(header::TRANSFER_ENCODING)
            || h.get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim() != "0");
        let media = media_type(h);
        let json = media
            .as_deref()
            .is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")));
        if has_body && !json {
            return unsupported(media, "application/json").into_response();
        }
    }
    let open311 = path.starts_with("/open311/");
    let mut r = next.run(req).await;
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE
        && !r
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json") || v.contains("xml"))
    {
        let mut e = ApiError::new(
            Code::PayloadTooLarge,
            format!("the body is larger than this route takes ({MAX_BYTES} bytes for JSON, 5 MB for a photo)"),
        );
        e.details = serde_json::json!({"limit_bytes": MAX_BYTES});
        r = e.into_response();
    }
    if (api || open311) && !r.headers().contains_key(header::CACHE_CONTROL) {
        r.headers_mut()
            .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    r
}
