//! The HTTP side: one axum fallback handler that parses the path, records the request,
//! applies injected faults, and dispatches to discovery, objects or the metrics APIs.

mod discovery;
mod metrics;
mod objects;
mod openapi;
mod path;
mod query;
mod respond;
mod subresources;
mod table;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::Response;
use http::Method;
use http::request::Parts;

use crate::error::ApiError;
use crate::requests::{RequestInfo, RequestRecord, Verb, summarize};
use crate::state::Shared;
use path::Route;
pub(crate) use path::{CUSTOM_METRICS, EXTERNAL_METRICS, RESOURCE_METRICS};
use query::Params;

/// The router serving `shared`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// What the request is about, for faults and the log.
fn info_of(method: &Method, route: &Route, params: Option<&Params>) -> RequestInfo {
    let named = |name: &Option<String>| match (method.as_str(), name.is_some()) {
        ("GET", true) => Some(Verb::Get),
        ("GET", false) if params.is_some_and(|p| p.watch) => Some(Verb::Watch),
        ("GET", false) => Some(Verb::List),
        ("POST", _) => Some(Verb::Create),
        ("PUT", _) => Some(Verb::Update),
        ("PATCH", _) => Some(Verb::Patch),
        ("DELETE", true) => Some(Verb::Delete),
        ("DELETE", false) => Some(Verb::DeleteCollection),
        _ => None,
    };
    match route {
        Route::Resource(r) => RequestInfo {
            verb: named(&r.name),
            group: r.group.clone(),
            resource: Some(r.plural.clone()),
            subresource: r.subresource.clone(),
            namespace: r.namespace.clone(),
            name: r.name.clone(),
        },
        Route::ResourceMetrics {
            plural,
            namespace,
            name,
            ..
        } => RequestInfo {
            verb: named(name),
            group: RESOURCE_METRICS.into(),
            resource: Some(plural.clone()),
            subresource: None,
            namespace: namespace.clone(),
            name: name.clone(),
        },
        Route::CustomMetrics {
            resource,
            namespace,
            name,
            metric,
            ..
        } => RequestInfo {
            verb: Some(Verb::Get),
            group: CUSTOM_METRICS.into(),
            resource: Some(resource.clone()),
            subresource: Some(metric.clone()),
            namespace: Some(namespace.clone()).filter(|n| !n.is_empty()),
            name: Some(name.clone()),
        },
        Route::ExternalMetrics { namespace, metric } => RequestInfo {
            verb: Some(Verb::List),
            group: EXTERNAL_METRICS.into(),
            resource: Some(metric.clone()),
            subresource: None,
            namespace: Some(namespace.clone()),
            name: None,
        },
        Route::Group(g) | Route::GroupResources(g, _) => RequestInfo {
            verb: Some(Verb::Get),
            group: g.clone(),
            ..Default::default()
        },
        _ => RequestInfo {
            verb: Some(Verb::Get),
            ..Default::default()
        },
    }
}

impl RequestInfo {
    /// What a request with this method and URI addresses, as kube-apiserver's
    /// RequestInfoFactory tells it (for a proxy that injects faults in front of a real
    /// server).
    pub fn of(method: &Method, uri: &http::Uri) -> Self {
        let route = path::parse(uri.path());
        let params = query::parse(uri);
        info_of(method, &route, params.as_ref().ok())
    }
}

/// A `Status` error response for `e`, as the fake answers errors.
pub fn error_response(e: &ApiError) -> Response {
    respond::error(e)
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let route = path::parse(parts.uri.path());
    let params = query::parse(&parts.uri);
    let info = info_of(&parts.method, &route, params.as_ref().ok());
    let outcome = shared
        .faults
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .check(&info);
    if !outcome.latency.is_zero() {
        tokio::time::sleep(outcome.latency).await;
    }
    let response = match (outcome.error, params) {
        (Some(e), _) | (None, Err(e)) => respond::error(&e),
        (None, Ok(params)) => dispatch(&shared, &parts, route, params, &body).await,
    };
    let record = RequestRecord {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        info,
        body: summarize(&body),
        status: response.status().as_u16(),
    };
    shared.record(record);
    response
}

async fn dispatch(
    shared: &Arc<Shared>,
    parts: &Parts,
    route: Route,
    params: Params,
    body: &Bytes,
) -> Response {
    let get_only = |r: Response| {
        if parts.method == Method::GET {
            r
        } else {
            respond::error(&ApiError::method_not_allowed())
        }
    };
    match route {
        Route::Version => get_only(discovery::version()),
        Route::CoreVersions => get_only(discovery::core_versions(shared, &parts.headers)),
        Route::CoreResources(v) => get_only(discovery::resource_list(shared, "", &v)),
        Route::Groups => get_only(discovery::groups(shared, &parts.headers)),
        Route::Group(g) => get_only(discovery::group(shared, &g)),
        Route::GroupResources(g, v) => get_only(discovery::resource_list(shared, &g, &v)),
        Route::Resource(r) => objects::handle(shared, parts, r, params, body),
        Route::ResourceMetrics {
            version,
            plural,
            namespace,
            name,
        } => get_only(metrics::resource(
            shared,
            &version,
            &plural,
            namespace.as_deref(),
            name.as_deref(),
            &params,
        )),
        Route::CustomMetrics {
            version,
            resource,
            namespace,
            name,
            metric,
        } => get_only(metrics::custom(
            shared, &version, &resource, &namespace, &name, &metric, &params,
        )),
        Route::ExternalMetrics { namespace, metric } => {
            get_only(metrics::external(shared, &namespace, &metric, &params))
        }
        Route::OpenApiIndex => get_only(openapi::index(shared)),
        Route::OpenApiGroupVersion(g, v) => get_only(openapi::group_version(shared, &g, &v)),
        Route::Unknown => respond::error(&ApiError::no_route()),
    }
}
