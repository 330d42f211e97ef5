//! The HTTP API: routes for discovery, `custom.metrics.k8s.io` (v1beta1, v1beta2),
//! `external.metrics.k8s.io` (v1beta1), `metrics.k8s.io` (v1, v1beta1), the `write-metrics` URLs of the memory backend and
//! health, with the shared state the handlers use. Every route is guarded ([`guard`]): URI
//! length, requests in flight, request timeout, and failures always answered as `Status`.

pub mod cache;
pub mod custom;
pub mod discovery;
pub mod external;
pub mod field_selector;
pub mod guard;
pub mod health;
pub mod openapi;
pub mod paths;
pub mod resource;
pub mod status;
pub mod write;
pub mod write_resource;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::auth::Auth;
use crate::backend::Backend;
use crate::limits::Limits;
use crate::telemetry::Telemetry;
use status::ApiError;

/// The `custom.metrics.k8s.io` group.
pub const CUSTOM_GROUP: &str = "custom.metrics.k8s.io";
/// The `external.metrics.k8s.io` group.
pub const EXTERNAL_GROUP: &str = "external.metrics.k8s.io";

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    /// Where values come from.
    pub backend: Backend,
    /// Serialized answers of a backend that can tell when they change.
    pub cache: cache::ResponseCache,
    /// Whether `write-metrics` is served.
    pub enable_write: bool,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Request counters and latencies.
    pub telemetry: Arc<Telemetry>,
    /// Authentication and authorization.
    pub auth: Arc<Auth>,
    /// Timeouts and the in-flight bound.
    pub limits: Limits,
    /// Free slots for requests in flight; `None` when unlimited.
    pub in_flight: Option<Arc<tokio::sync::Semaphore>>,
}

/// Shared state handle.
pub type SharedState = Arc<AppState>;

/// The full router of the API server (discovery, metrics, writes, health).
pub fn router(state: SharedState) -> Router {
    let api = Router::new()
        .route("/apis", get(discovery::group_list))
        .route("/apis/{group}", get(discovery::group))
        .route("/apis/{group}/{version}", get(discovery::resource_list))
        .route("/apis/{group}/{version}/{*rest}", get(metrics))
        .route("/metrics", get(crate::telemetry::handler))
        .merge(write_routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::middleware,
        ));
    let routes = Router::new()
        .merge(api)
        .route("/healthz", get(health::ok))
        .route("/livez", get(health::ok))
        .route("/readyz", get(health::ready))
        .route("/openapi/v2", get(openapi::v2))
        .route("/openapi/v3", get(openapi::v3))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    guarded(routes, state)
}

/// The guards every listener's routes get ([`guard::guard`]): `Status` for every failure,
/// telemetry, URI length, in-flight bound and request timeout.
fn guarded(routes: Router<SharedState>, state: SharedState) -> Router {
    routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .with_state(state)
}

/// The write-only router served on the plain-HTTP write port (`--write-port`).
pub fn write_router(state: SharedState) -> Router {
    let routes = Router::new()
        .merge(write_routes())
        .route("/healthz", get(health::ok))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    guarded(routes, state)
}

fn write_routes() -> Router<SharedState> {
    Router::new()
        .route("/write-metrics/{*rest}", post(write::custom))
        .route("/write-external-metrics/{*rest}", post(write::external))
        .route(
            "/write-resource-metrics/{*rest}",
            post(write_resource::write),
        )
}

async fn metrics(
    State(st): State<SharedState>,
    Path((group, version, rest)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    let result = match group.as_str() {
        CUSTOM_GROUP => custom::get(&st, &version, &rest, &uri).await,
        EXTERNAL_GROUP => external::get(&st, &version, &rest, &uri).await,
        resource::GROUP => resource::get(&st, &version, &rest, &uri).await,
        _ => Err(ApiError::NotFound(format!(
            "the server could not find the requested resource (group {group:?} is not served)"
        ))),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Query parameters of a metric request, decoded.
pub(crate) fn query_params(
    uri: &Uri,
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    Query::<std::collections::HashMap<String, String>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::BadRequest(format!("malformed query string: {e}")))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("the server could not find the requested resource".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed(
        "the server does not allow this method on the requested resource".into(),
    )
}
