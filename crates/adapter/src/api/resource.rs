//! `metrics.k8s.io` reads (`v1` and `v1beta1`, the same shapes), as metrics-server serves them: `pods` (every namespace),
//! `namespaces/NS/pods`, `namespaces/NS/pods/NAME`, `nodes` and `nodes/NAME`, lists narrowed
//! by `labelSelector` and `fieldSelector`, answered as `PodMetricsList`/`PodMetrics` and
//! `NodeMetricsList`/`NodeMetrics`; an unknown object is a 404 `Status`.

use alpaca_metrics_api::resource::{NodeMetricsList, PodMetricsList};
use axum::http::Uri;
use axum::response::Response;

use super::field_selector::FieldSelector;
use super::status::{ApiError, json_response};
use super::{SharedState, query_params};
use crate::backend::resource::ResourceQuery;
use crate::selector::Selector;

/// The group.
pub const GROUP: &str = "metrics.k8s.io";
/// The versions served, preferred first (GA before beta, as Kubernetes orders them).
pub const VERSIONS: [&str; 2] = ["v1", "v1beta1"];

/// Answers `GET /apis/metrics.k8s.io/VERSION/REST`.
pub async fn get(
    st: &SharedState,
    version: &str,
    rest: &str,
    uri: &Uri,
) -> Result<Response, ApiError> {
    if !VERSIONS.contains(&version) {
        return Err(ApiError::NotFound(format!(
            "the server could not find the requested resource ({GROUP}/{version} is not served)"
        )));
    }
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let (node, namespace, name) = match segs.as_slice() {
        ["pods"] => (false, None, None),
        ["namespaces", ns, "pods"] if !ns.is_empty() => (false, Some(*ns), None),
        ["namespaces", ns, "pods", n] if !ns.is_empty() && !n.is_empty() => {
            (false, Some(*ns), Some(*n))
        }
        ["nodes"] => (true, None, None),
        ["nodes", n] if !n.is_empty() => (true, None, Some(*n)),
        _ => {
            return Err(ApiError::NotFound(format!(
                "the server could not find the requested resource: {rest:?} is not a resource metrics path \
                 (pods, namespaces/NS/pods[/NAME], nodes[/NAME])"
            )));
        }
    };
    let params = query_params(uri)?;
    let selector = match params.get("labelSelector") {
        None => Selector::everything(),
        Some(s) => crate::selector::parse(s)
            .map_err(|e| ApiError::BadRequest(format!("invalid labelSelector {s:?}: {e}")))?,
    };
    let fields = match params.get("fieldSelector") {
        None => FieldSelector::default(),
        Some(s) => FieldSelector::parse(s)?,
    };
    let query = ResourceQuery {
        namespace: namespace.map(str::to_string),
        name: name.map(str::to_string),
        selector: if name.is_some() {
            Selector::everything()
        } else {
            selector
        },
    };
    let api_version = format!("{GROUP}/{version}");
    let mut items = st.backend.resource(node, &query).await?;
    items.retain(|u| fields.matches(&u.namespace, &u.name));
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    if let Some(n) = name {
        let what = if node { "nodes" } else { "pods" };
        let Some(one) = items.pop() else {
            return Err(ApiError::NotFound(format!(
                "{what}.{GROUP} {n:?} not found"
            )));
        };
        return Ok(if node {
            json_response(&one.into_node(&api_version))
        } else {
            json_response(&one.into_pod(&api_version))
        });
    }
    Ok(if node {
        json_response(
            &NodeMetricsList::new(
                items
                    .into_iter()
                    .map(|u| u.into_node(&api_version))
                    .collect(),
            )
            .in_version(&api_version),
        )
    } else {
        json_response(
            &PodMetricsList::new(
                items
                    .into_iter()
                    .map(|u| u.into_pod(&api_version))
                    .collect(),
            )
            .in_version(&api_version),
        )
    })
}
