//! `external.metrics.k8s.io/v1beta1`: metrics from outside the cluster (queues, load
//! balancers), identified by name and labels, read by External metrics of an HPA.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ListMeta, Time};
use serde::{Deserialize, Serialize};

/// The group-version string.
pub const API_VERSION: &str = "external.metrics.k8s.io/v1beta1";

/// One value of an external metric, for one combination of labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalMetricValue {
    /// The metric's name.
    pub metric_name: String,
    /// The series' labels.
    #[serde(default)]
    pub metric_labels: BTreeMap<String, String>,
    /// When the value was observed.
    pub timestamp: Time,
    /// The window in seconds.
    #[serde(default, rename = "window", skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<i64>,
    /// The value.
    pub value: Quantity,
}

/// A list of [`ExternalMetricValue`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalMetricValueList {
    /// `external.metrics.k8s.io/v1beta1`.
    pub api_version: String,
    /// `ExternalMetricValueList`.
    pub kind: String,
    /// List metadata.
    #[serde(default)]
    pub metadata: ListMeta,
    /// The values.
    #[serde(default)]
    pub items: Vec<ExternalMetricValue>,
}

impl ExternalMetricValueList {
    /// A list with the right apiVersion and kind.
    pub fn new(items: Vec<ExternalMetricValue>) -> Self {
        Self {
            api_version: API_VERSION.into(),
            kind: "ExternalMetricValueList".into(),
            metadata: ListMeta::default(),
            items,
        }
    }
}
