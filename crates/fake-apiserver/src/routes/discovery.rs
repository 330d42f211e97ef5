//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/GROUP`,
//! `/apis/GROUP/VERSION`, including the metrics API groups and registered CRDs. Answers
//! the aggregated (`apidiscovery.k8s.io/v2`) form of `/api` and `/apis` when asked for it.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::response::Response;
use http::{HeaderMap, header};
use serde_json::{Value, json};

use super::path::{CUSTOM_METRICS, EXTERNAL_METRICS, RESOURCE_METRICS};
use super::respond;
use crate::error::ApiError;
use crate::registry::Endpoint;
use crate::state::Shared;

const OBJECT_VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const SUBRESOURCE_VERBS: [&str; 3] = ["get", "patch", "update"];
const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// `/version`.
pub(super) fn version() -> Response {
    respond::json(
        200,
        &json!({
            "major": "1", "minor": "32", "gitVersion": "v1.32.0-alpaca-fake",
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23", "compiler": "gc", "platform": "linux/amd64"
        }),
    )
}

fn wants_aggregated(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"))
}

/// The groups beyond the registry: the three metrics APIs, versions preferred first.
fn metrics_groups() -> [(&'static str, Vec<String>); 3] {
    [
        (CUSTOM_METRICS, vec!["v1beta2".into(), "v1beta1".into()]),
        (EXTERNAL_METRICS, vec!["v1beta1".into()]),
        (RESOURCE_METRICS, vec!["v1".into(), "v1beta1".into()]),
    ]
}

fn all_groups(shared: &Shared) -> BTreeMap<String, Vec<String>> {
    let mut groups = shared.read().registry.groups();
    for (g, versions) in metrics_groups() {
        groups.insert(g.to_string(), versions);
    }
    groups
}

fn group_doc(name: &str, versions: &[String]) -> Value {
    let v = |version: &String| json!({ "groupVersion": format!("{name}/{version}"), "version": version });
    json!({
        "name": name,
        "versions": versions.iter().map(v).collect::<Vec<_>>(),
        "preferredVersion": v(&versions[0]),
    })
}

/// `/api`.
pub(super) fn core_versions(shared: &Arc<Shared>, headers: &HeaderMap) -> Response {
    if wants_aggregated(headers) {
        return aggregated(shared, true);
    }
    respond::json(
        200,
        &json!({
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]
        }),
    )
}

/// `/apis`.
pub(super) fn groups(shared: &Arc<Shared>, headers: &HeaderMap) -> Response {
    if wants_aggregated(headers) {
        return aggregated(shared, false);
    }
    let groups: Vec<Value> = all_groups(shared)
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| group_doc(g, v))
        .collect();
    respond::json(
        200,
        &json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups }),
    )
}

/// `/apis/GROUP`.
pub(super) fn group(shared: &Arc<Shared>, name: &str) -> Response {
    match all_groups(shared).get(name).filter(|_| !name.is_empty()) {
        Some(versions) => {
            let mut doc = group_doc(name, versions);
            doc["kind"] = json!("APIGroup");
            doc["apiVersion"] = json!("v1");
            respond::json(200, &doc)
        }
        None => respond::error(&ApiError::no_route()),
    }
}

/// One resource entry plus its subresources, in APIResourceList form.
fn resource_entries(ep: &Endpoint) -> Vec<Value> {
    let k = &ep.kind;
    let mut main = json!({
        "name": k.plural, "singularName": k.singular, "namespaced": k.namespaced, "kind": k.kind, "verbs": OBJECT_VERBS,
    });
    if !k.short_names.is_empty() && ep.view.group == k.group {
        main["shortNames"] = json!(k.short_names);
    }
    let mut out = vec![main];
    if k.status {
        out.push(json!({"name": format!("{}/status", k.plural), "singularName": "", "namespaced": k.namespaced, "kind": k.kind, "verbs": SUBRESOURCE_VERBS}));
    }
    if k.scale.is_some() {
        out.push(json!({"name": format!("{}/scale", k.plural), "singularName": "", "namespaced": k.namespaced,
            "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": SUBRESOURCE_VERBS}));
    }
    out
}

fn metric_entries(shared: &Shared, group: &str) -> Vec<Value> {
    let metrics = shared.metrics.read().unwrap_or_else(|e| e.into_inner());
    let entry = |name: &str, namespaced: bool, kind: &str, verbs: &[&str]| json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": verbs});
    match group {
        RESOURCE_METRICS => vec![
            entry("nodes", false, "NodeMetrics", &["get", "list"]),
            entry("pods", true, "PodMetrics", &["get", "list"]),
        ],
        CUSTOM_METRICS => metrics
            .custom
            .names()
            .iter()
            .map(|(n, namespaced)| entry(n, *namespaced, "MetricValueList", &["get"]))
            .collect(),
        _ => metrics
            .external
            .names()
            .iter()
            .map(|n| entry(n, true, "ExternalMetricValueList", &["get"]))
            .collect(),
    }
}

/// `/api/v1` and `/apis/GROUP/VERSION`.
pub(super) fn resource_list(shared: &Arc<Shared>, group: &str, version: &str) -> Response {
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let resources: Vec<Value> =
        if let Some((_, versions)) = metrics_groups().into_iter().find(|(g, _)| *g == group) {
            if !versions.iter().any(|v| v == version) {
                return respond::error(&ApiError::no_route());
            }
            metric_entries(shared, group)
        } else {
            let eps = shared.read().registry.resources_in(group, version);
            if eps.is_empty() {
                return respond::error(&ApiError::no_route());
            }
            eps.iter().flat_map(resource_entries).collect()
        };
    respond::json(
        200,
        &json!({ "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources }),
    )
}

fn aggregated_resource(ep: &Endpoint) -> Value {
    let k = &ep.kind;
    let response_kind = json!({"group": ep.view.group, "version": ep.view.version, "kind": k.kind});
    let mut subresources = Vec::new();
    if k.status {
        subresources.push(json!({"subresource": "status", "responseKind": response_kind, "verbs": SUBRESOURCE_VERBS}));
    }
    if k.scale.is_some() {
        subresources.push(json!({"subresource": "scale",
            "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}, "verbs": SUBRESOURCE_VERBS}));
    }
    let mut r = json!({
        "resource": k.plural, "responseKind": response_kind,
        "scope": if k.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": k.singular, "verbs": OBJECT_VERBS,
    });
    if !k.short_names.is_empty() && ep.view.group == k.group {
        r["shortNames"] = json!(k.short_names);
    }
    if !subresources.is_empty() {
        r["subresources"] = json!(subresources);
    }
    r
}

fn aggregated_metric_resource(group: &str, version: &str, entry: &Value) -> Value {
    json!({
        "resource": entry["name"], "responseKind": {"group": group, "version": version, "kind": entry["kind"]},
        "scope": if entry["namespaced"] == true { "Namespaced" } else { "Cluster" },
        "singularResource": "", "verbs": entry["verbs"],
    })
}

/// The aggregated discovery document of `/api` (core) or `/apis` (every other group).
fn aggregated(shared: &Arc<Shared>, core: bool) -> Response {
    let groups = all_groups(shared);
    let mut items = Vec::new();
    for (group, versions) in groups.iter().filter(|(g, _)| g.is_empty() == core) {
        let is_metrics = metrics_groups().iter().any(|(g, _)| g == group);
        let versions: Vec<Value> = versions
            .iter()
            .map(|version| {
                let resources: Vec<Value> = if is_metrics {
                    metric_entries(shared, group)
                        .iter()
                        .map(|e| aggregated_metric_resource(group, version, e))
                        .collect()
                } else {
                    shared
                        .read()
                        .registry
                        .resources_in(group, version)
                        .iter()
                        .map(aggregated_resource)
                        .collect()
                };
                json!({"version": version, "resources": resources, "freshness": "Current"})
            })
            .collect();
        let metadata = if core {
            json!({"creationTimestamp": null})
        } else {
            json!({"name": group, "creationTimestamp": null})
        };
        items.push(json!({"metadata": metadata, "versions": versions}));
    }
    let doc = json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items});
    respond::bytes_with_type(
        200,
        serde_json::to_vec(&doc).unwrap_or_default(),
        AGGREGATED,
    )
}
