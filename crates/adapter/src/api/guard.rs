//! Request guards around every route: a bound on the URI length (414), a bound on the requests
//! in flight (429 with `Retry-After`, as upstream's max-requests-inflight filter answers), a
//! request timeout (504), and a last layer that turns any failure that is not already a
//! Kubernetes `Status` (an extractor's plain-text rejection, say) into one. They run as one
//! middleware ([`guard`]) rather than a layer each: every layer costs a boxed service clone, a
//! boxed future and their allocations on every request, which showed in the load benchmark.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::SharedState;
use super::status::ApiError;
use crate::telemetry::{method_label, route_template};

/// The longest URI read (hyper answers URIs over 64 KiB itself, without a `Status`).
pub const MAX_URI_BYTES: usize = 32 * 1024;

/// How much of a non-`Status` failure body becomes the `Status` message.
const MAX_MESSAGE_BYTES: usize = 4 * 1024;

/// Paths not counted in flight: the probes must answer while the server is busy.
fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/livez" | "/readyz")
}

/// Every guard, outermost first: `Status` for every failure, telemetry, URI length, requests
/// in flight, request timeout.
pub async fn guard(State(st): State<SharedState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let path = route_template(req.uri().path());
    let method = method_label(req.method());
    let resp = uri_length(&st, req, next).await;
    st.telemetry.observe(
        &path,
        method,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    status_everywhere(resp).await
}

/// 414 for URIs longer than [`MAX_URI_BYTES`].
async fn uri_length(st: &SharedState, req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if len > MAX_URI_BYTES {
        return ApiError::UriTooLong(format!(
            "the request URI is {len} bytes long, over the {MAX_URI_BYTES} bytes this server reads"
        ))
        .into_response();
    }
    in_flight(st, req, next).await
}

/// 429 when `max_in_flight` requests are already being served.
async fn in_flight(st: &SharedState, req: Request, next: Next) -> Response {
    let Some(slots) = &st.in_flight else {
        return timeout(st, req, next).await;
    };
    if is_probe(req.uri().path()) {
        return timeout(st, req, next).await;
    }
    match slots.clone().try_acquire_owned() {
        Ok(permit) => {
            let resp = timeout(st, req, next).await;
            drop(permit);
            resp
        }
        Err(_) => {
            let mut resp =
                ApiError::TooManyRequests("Too many requests, please try again later.".into())
                    .into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            resp
        }
    }
}

/// 504 when the handler has not answered within the request timeout.
async fn timeout(st: &SharedState, req: Request, next: Next) -> Response {
    let limit = st.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::Timeout(format!(
            "Timeout: request did not complete within the allotted timeout ({}s)",
            limit.as_secs_f64()
        ))
        .into_response(),
    }
}

/// Turns a failure response that is not JSON into a `Status` with the same code.
async fn status_everywhere(resp: Response) -> Response {
    let code = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(code.is_client_error() || code.is_server_error()) || is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = match axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await {
        Ok(b) if !b.is_empty() => String::from_utf8_lossy(&b).trim().to_string(),
        _ => code
            .canonical_reason()
            .unwrap_or("request failed")
            .to_string(),
    };
    let mut out = ApiError::Other(code.as_u16(), text).into_response();
    for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE, header::ALLOW] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}
