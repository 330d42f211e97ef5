//! `metrics.k8s.io` (`v1beta1`, and `v1` with the same types since KEP-5207): the resource
//! metrics API that metrics-server serves and the HPA reads for Resource and ContainerResource
//! metrics. The types default to `v1beta1`; [`PodMetricsList::in_version`] and
//! [`NodeMetricsList::in_version`] label a list and its items with another version.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ListMeta, ObjectMeta, Time};
use serde::{Deserialize, Serialize};

use crate::GoDuration;

/// The API group and version of these types.
pub const API_VERSION: &str = "metrics.k8s.io/v1beta1";
/// The same types at `metrics.k8s.io/v1`.
pub const API_VERSION_V1: &str = "metrics.k8s.io/v1";

/// The usage of one pod's containers, sampled over `window` ending at `timestamp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodMetrics {
    /// Always `metrics.k8s.io/v1beta1`.
    #[serde(default = "api_version")]
    pub api_version: String,
    /// Always `PodMetrics`.
    #[serde(default = "pod_metrics_kind")]
    pub kind: String,
    /// Name, namespace and labels of the pod the sample is for.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The end of the sampling window.
    pub timestamp: Time,
    /// How long the sample was averaged over.
    pub window: GoDuration,
    /// One entry per container.
    #[serde(default)]
    pub containers: Vec<ContainerMetrics>,
}

/// The usage of one container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerMetrics {
    /// The container's name in the pod spec.
    pub name: String,
    /// Usage by resource name (`cpu`, `memory`).
    #[serde(default)]
    pub usage: BTreeMap<String, Quantity>,
}

/// A list of [`PodMetrics`], as `GET .../pods` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodMetricsList {
    /// Always `metrics.k8s.io/v1beta1`.
    #[serde(default = "api_version")]
    pub api_version: String,
    /// Always `PodMetricsList`.
    #[serde(default = "pod_metrics_list_kind")]
    pub kind: String,
    /// List metadata.
    #[serde(default)]
    pub metadata: ListMeta,
    /// The samples.
    #[serde(default)]
    pub items: Vec<PodMetrics>,
}

/// The usage of one node, sampled over `window` ending at `timestamp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeMetrics {
    /// Always `metrics.k8s.io/v1beta1`.
    #[serde(default = "api_version")]
    pub api_version: String,
    /// Always `NodeMetrics`.
    #[serde(default = "node_metrics_kind")]
    pub kind: String,
    /// Name and labels of the node the sample is for.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The end of the sampling window.
    pub timestamp: Time,
    /// How long the sample was averaged over.
    pub window: GoDuration,
    /// Usage by resource name (`cpu`, `memory`).
    #[serde(default)]
    pub usage: BTreeMap<String, Quantity>,
}

/// A list of [`NodeMetrics`], as `GET .../nodes` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeMetricsList {
    /// Always `metrics.k8s.io/v1beta1`.
    #[serde(default = "api_version")]
    pub api_version: String,
    /// Always `NodeMetricsList`.
    #[serde(default = "node_metrics_list_kind")]
    pub kind: String,
    /// List metadata.
    #[serde(default)]
    pub metadata: ListMeta,
    /// The samples.
    #[serde(default)]
    pub items: Vec<NodeMetrics>,
}

impl PodMetricsList {
    /// A list of these items.
    pub fn new(items: Vec<PodMetrics>) -> Self {
        Self {
            api_version: api_version(),
            kind: pod_metrics_list_kind(),
            metadata: ListMeta::default(),
            items,
        }
    }
}

impl PodMetricsList {
    /// The list and its items with `api_version` (`metrics.k8s.io/v1`, say).
    pub fn in_version(mut self, api_version: &str) -> Self {
        self.api_version = api_version.to_string();
        for i in &mut self.items {
            i.api_version = api_version.to_string();
        }
        self
    }
}

impl NodeMetricsList {
    /// The list and its items with `api_version` (`metrics.k8s.io/v1`, say).
    pub fn in_version(mut self, api_version: &str) -> Self {
        self.api_version = api_version.to_string();
        for i in &mut self.items {
            i.api_version = api_version.to_string();
        }
        self
    }
}

impl NodeMetricsList {
    /// A list of these items.
    pub fn new(items: Vec<NodeMetrics>) -> Self {
        Self {
            api_version: api_version(),
            kind: node_metrics_list_kind(),
            metadata: ListMeta::default(),
            items,
        }
    }
}

fn api_version() -> String {
    API_VERSION.to_string()
}
fn pod_metrics_kind() -> String {
    "PodMetrics".to_string()
}
fn pod_metrics_list_kind() -> String {
    "PodMetricsList".to_string()
}
fn node_metrics_kind() -> String {
    "NodeMetrics".to_string()
}
fn node_metrics_list_kind() -> String {
    "NodeMetricsList".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_metrics_server_writes() {
        let json = r#"{"apiVersion":"metrics.k8s.io/v1beta1","kind":"PodMetrics",
            "metadata":{"name":"web-1","namespace":"default","labels":{"app":"web"}},
            "timestamp":"2026-01-01T00:00:00Z","window":"15s",
            "containers":[{"name":"web","usage":{"cpu":"250m","memory":"64Mi"}}]}"#;
        let m: PodMetrics = serde_json::from_str(json).unwrap();
        assert_eq!(m.window, GoDuration::from_secs(15));
        assert_eq!(m.containers[0].usage["cpu"].0, "250m");
        let back = serde_json::to_value(&m).unwrap();
        assert_eq!(back["window"], "15s");
        assert_eq!(back["metadata"]["labels"]["app"], "web");
    }
}
