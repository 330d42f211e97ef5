//! Failures as Kubernetes `Status` objects (`kind: Status`, `status: Failure`, a reason and
//! code the HPA reports in its conditions), and JSON success responses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use serde::Serialize;

use crate::backend::BackendError;

/// An API failure, answered as a `Status` with the matching HTTP code and reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400 BadRequest: a malformed selector, quantity or path.
    #[error("{0}")]
    BadRequest(String),
    /// 401 Unauthorized: no acceptable credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 Forbidden: authorization denied, or writes disabled.
    #[error("{0}")]
    Forbidden(String),
    /// 404 NotFound: unknown path, metric or object.
    #[error("{0}")]
    NotFound(String),
    /// 405 MethodNotAllowed.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 413 RequestEntityTooLarge: a body over the limit.
    #[error("{0}")]
    TooLarge(String),
    /// 414: a URI longer than the server reads.
    #[error("{0}")]
    UriTooLong(String),
    /// 429 TooManyRequests: too many requests in flight.
    #[error("{0}")]
    TooManyRequests(String),
    /// 500 InternalError.
    #[error("{0}")]
    Internal(String),
    /// 504 Timeout: the request did not complete in time.
    #[error("{0}")]
    Timeout(String),
    /// Any other failure code (the reason is derived from the code).
    #[error("{1}")]
    Other(u16, String),
    /// 503 ServiceUnavailable: the monitoring system failed or is not ready.
    #[error("{0}")]
    Unavailable(String),
}

impl ApiError {
    /// The HTTP status code.
    pub fn code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Other(code, _) => {
                StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    /// The `metav1.StatusReason` (empty: `StatusReasonUnknown`).
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::UriTooLong(_) => "",
            ApiError::TooManyRequests(_) => "TooManyRequests",
            ApiError::Timeout(_) => "Timeout",
            ApiError::Other(code, _) => reason_of_code(*code),
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::Unauthorized(_) => "Unauthorized",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::NotFound(_) => "NotFound",
            ApiError::MethodNotAllowed(_) => "MethodNotAllowed",
            ApiError::TooLarge(_) => "RequestEntityTooLarge",
            ApiError::Internal(_) => "InternalError",
            ApiError::Unavailable(_) => "ServiceUnavailable",
        }
    }

    /// The `Status` object.
    pub fn status(&self) -> Status {
        Status {
            code: Some(i32::from(self.code().as_u16())),
            message: Some(self.to_string()),
            reason: Some(self.reason().to_string()).filter(|r| !r.is_empty()),
            status: Some("Failure".to_string()),
            ..Default::default()
        }
    }
}

/// The reason upstream gives a failure code (`apierrors.NewGenericServerResponse`).
fn reason_of_code(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Gone",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "",
    }
}

impl From<BackendError> for ApiError {
    fn from(e: BackendError) -> Self {
        match e {
            BackendError::NotFound(m) => ApiError::NotFound(m),
            BackendError::BadRequest(m) => ApiError::BadRequest(m),
            BackendError::Unavailable(m) => ApiError::Unavailable(m),
            BackendError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = json_response(&self.status());
        *resp.status_mut() = self.code();
        resp
    }
}

/// A 200 response with a JSON body that is already serialized.
pub fn json_bytes(body: Bytes) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Serializes a value as a JSON response (500 Status if it cannot be serialized).
pub fn json_response<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(v) => json_bytes(Bytes::from(v)),
        Err(e) => {
            let mut resp = format!("{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"InternalError\",\"code\":500,\"message\":{:?}}}", e.to_string()).into_response();
            *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            resp
        }
    }
}
