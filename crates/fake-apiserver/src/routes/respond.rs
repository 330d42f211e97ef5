//! Building HTTP responses: JSON bodies and `Status` errors.

use axum::body::Body;
use axum::response::Response;
use http::{StatusCode, header};
use serde_json::Value;

use crate::error::ApiError;

/// A JSON response from already-serialized bytes.
pub(crate) fn bytes(code: u16, body: Vec<u8>) -> Response {
    bytes_with_type(code, body, "application/json")
}

/// A response with an explicit Content-Type.
pub(crate) fn bytes_with_type(code: u16, body: Vec<u8>, content_type: &str) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(ct) = content_type.parse() {
        r.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    r
}

/// A JSON response.
pub(crate) fn json(code: u16, value: &Value) -> Response {
    bytes(code, serde_json::to_vec(value).unwrap_or_default())
}

/// A `Status` error response.
pub(crate) fn error(e: &ApiError) -> Response {
    json(e.code, &e.to_status())
}
