//! Handlers of the three metrics APIs: `metrics.k8s.io` (`v1` and `v1beta1`, the same
//! objects), `custom.metrics.k8s.io`
//! (`v1beta2` and `v1beta1`) and `external.metrics.k8s.io/v1beta1`.

use std::sync::Arc;

use alpaca_metrics_api::custom::{v1beta1, v1beta2};
use alpaca_metrics_api::external::ExternalMetricValueList;
use alpaca_metrics_api::resource::PodMetricsList;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use super::query::Params;
use super::respond;
use crate::error::ApiError;
use crate::metrics::CustomQuery;
use crate::state::Shared;

fn ok<T: Serialize>(value: &T) -> Response {
    respond::bytes(200, serde_json::to_vec(value).unwrap_or_default())
}

/// Labels of a stored object, looked up by (group, plural).
fn labels_of(
    shared: &Shared,
    group: Option<&str>,
    plural: &str,
    ns: &str,
    name: &str,
) -> Option<Value> {
    let st = shared.read();
    let kind = st.registry.by_plural(group, plural)?;
    let ns = if kind.namespaced { ns } else { "" };
    st.store
        .get(&kind.storage_id(), ns, name)
        .map(|o| o["metadata"]["labels"].clone())
}

/// `metrics.k8s.io/VERSION` pods and nodes (`v1` and `v1beta1` differ only in `apiVersion`).
pub(super) fn resource(
    shared: &Arc<Shared>,
    version: &str,
    plural: &str,
    ns: Option<&str>,
    name: Option<&str>,
    params: &Params,
) -> Response {
    let api_version = format!("metrics.k8s.io/{version}");
    let metrics = shared.metrics.read().unwrap_or_else(|e| e.into_inner());
    match (plural, name) {
        ("pods", Some(name)) => match metrics.pods.get(ns.unwrap_or("default"), name) {
            Ok(mut m) => {
                m.api_version = api_version;
                ok(&m)
            }
            Err(e) => respond::error(&e),
        },
        ("pods", None) => {
            let mut items = metrics.pods.list(ns, &params.labels, |n, pod| {
                labels_of(shared, Some(""), "pods", n, pod)
            });
            for item in &mut items {
                item.api_version.clone_from(&api_version);
            }
            let list = PodMetricsList {
                api_version,
                kind: "PodMetricsList".into(),
                metadata: Default::default(),
                items,
            };
            ok(&list)
        }
        ("nodes", Some(name)) => {
            respond::error(&ApiError::not_found("nodes", "metrics.k8s.io", name))
        }
        _ => respond::json(
            200,
            &json!({"kind": "NodeMetricsList", "apiVersion": api_version, "metadata": {}, "items": []}),
        ),
    }
}

/// `custom.metrics.k8s.io/{v1beta1,v1beta2}`.
pub(super) fn custom(
    shared: &Arc<Shared>,
    version: &str,
    resource: &str,
    ns: &str,
    name: &str,
    metric: &str,
    params: &Params,
) -> Response {
    if version != "v1beta1" && version != "v1beta2" {
        return respond::error(&ApiError::no_route());
    }
    let (plural, group) = match resource.split_once('.') {
        Some((p, g)) => (p, Some(g.to_string())),
        None => (resource, None),
    };
    let query = CustomQuery {
        group,
        resource: plural.to_string(),
        namespace: ns.to_string(),
        name: name.to_string(),
        metric: metric.to_string(),
        selector: params.labels.clone(),
        metric_selector: params.metric_labels.clone(),
    };
    let metrics = shared.metrics.read().unwrap_or_else(|e| e.into_inner());
    let result = metrics
        .custom
        .query(&query, |g, r, n, obj| labels_of(shared, Some(g), r, n, obj));
    match result {
        Err(e) => respond::error(&e),
        Ok(items) if version == "v1beta2" => ok(&v1beta2::MetricValueList::new(items)),
        Ok(items) => ok(&v1beta1::MetricValueList::new(
            items.into_iter().map(Into::into).collect(),
        )),
    }
}

/// `external.metrics.k8s.io/v1beta1/namespaces/NS/METRIC`.
pub(super) fn external(shared: &Arc<Shared>, ns: &str, metric: &str, params: &Params) -> Response {
    let metrics = shared.metrics.read().unwrap_or_else(|e| e.into_inner());
    match metrics.external.query(ns, metric, &params.labels) {
        Ok(items) => ok(&ExternalMetricValueList::new(items)),
        Err(e) => respond::error(&e),
    }
}
