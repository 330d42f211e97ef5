//! `custom.metrics.k8s.io`: metrics describing Kubernetes objects (Pods metrics and Object
//! metrics of an HPA), in the two versions an adapter serves.

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ListMeta, Time};
use serde::{Deserialize, Serialize};

/// The API group.
pub const GROUP: &str = "custom.metrics.k8s.io";

/// Names a metric and the selector that narrows it (`v1beta2`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricIdentifier {
    /// The metric's name.
    pub name: String,
    /// Label selector over the metric's own labels; absent selects all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
}

/// `custom.metrics.k8s.io/v1beta2` types.
pub mod v1beta2 {
    use super::*;

    /// The group-version string.
    pub const API_VERSION: &str = "custom.metrics.k8s.io/v1beta2";

    /// One metric value for one object.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct MetricValue {
        /// The object the value describes.
        pub described_object: ObjectReference,
        /// Which metric this is.
        pub metric: MetricIdentifier,
        /// When the value was observed.
        pub timestamp: Time,
        /// The window the value was computed over, in seconds, when it is a rate or average.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub window_seconds: Option<i64>,
        /// The value.
        pub value: Quantity,
    }

    /// A list of [`MetricValue`].
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct MetricValueList {
        /// `custom.metrics.k8s.io/v1beta2`.
        pub api_version: String,
        /// `MetricValueList`.
        pub kind: String,
        /// List metadata.
        #[serde(default)]
        pub metadata: ListMeta,
        /// The values.
        #[serde(default)]
        pub items: Vec<MetricValue>,
    }

    impl MetricValueList {
        /// A list with the right apiVersion and kind.
        pub fn new(items: Vec<MetricValue>) -> Self {
            Self {
                api_version: API_VERSION.into(),
                kind: "MetricValueList".into(),
                metadata: ListMeta::default(),
                items,
            }
        }
    }
}

/// `custom.metrics.k8s.io/v1beta1` types.
pub mod v1beta1 {
    use super::*;

    /// The group-version string.
    pub const API_VERSION: &str = "custom.metrics.k8s.io/v1beta1";

    /// One metric value for one object (the older shape: `metricName`, `window`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct MetricValue {
        /// The object the value describes.
        pub described_object: ObjectReference,
        /// The metric's name.
        pub metric_name: String,
        /// When the value was observed.
        pub timestamp: Time,
        /// The window in seconds.
        #[serde(default, rename = "window", skip_serializing_if = "Option::is_none")]
        pub window_seconds: Option<i64>,
        /// The value.
        pub value: Quantity,
        /// The metric label selector the value was computed for.
        #[serde(default)]
        pub selector: Option<LabelSelector>,
    }

    /// A list of [`MetricValue`].
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct MetricValueList {
        /// `custom.metrics.k8s.io/v1beta1`.
        pub api_version: String,
        /// `MetricValueList`.
        pub kind: String,
        /// List metadata.
        #[serde(default)]
        pub metadata: ListMeta,
        /// The values.
        #[serde(default)]
        pub items: Vec<MetricValue>,
    }

    impl MetricValueList {
        /// A list with the right apiVersion and kind.
        pub fn new(items: Vec<MetricValue>) -> Self {
            Self {
                api_version: API_VERSION.into(),
                kind: "MetricValueList".into(),
                metadata: ListMeta::default(),
                items,
            }
        }
    }

    impl From<super::v1beta2::MetricValue> for MetricValue {
        fn from(v: super::v1beta2::MetricValue) -> Self {
            Self {
                described_object: v.described_object,
                metric_name: v.metric.name,
                timestamp: v.timestamp,
                window_seconds: v.window_seconds,
                value: v.value,
                selector: v.metric.selector,
            }
        }
    }

    impl From<MetricValue> for super::v1beta2::MetricValue {
        fn from(v: MetricValue) -> Self {
            Self {
                described_object: v.described_object,
                metric: MetricIdentifier {
                    name: v.metric_name,
                    selector: v.selector,
                },
                timestamp: v.timestamp,
                window_seconds: v.window_seconds,
                value: v.value,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1beta2_shape() {
        let json = r#"{"describedObject":{"kind":"Service","namespace":"default","name":"kubernetes","apiVersion":"/v1"},
            "metric":{"name":"test-metric","selector":{"matchLabels":{"verb":"GET"}}},
            "timestamp":"2026-01-01T00:09:45Z","windowSeconds":60,"value":"1200m"}"#;
        let v: v1beta2::MetricValue = serde_json::from_str(json).unwrap();
        assert_eq!(v.metric.name, "test-metric");
        assert_eq!(v.window_seconds, Some(60));
        let old: v1beta1::MetricValue = v.clone().into();
        let old_json = serde_json::to_value(&old).unwrap();
        assert_eq!(old_json["metricName"], "test-metric");
        assert_eq!(old_json["window"], 60);
        assert_eq!(v1beta2::MetricValue::from(old), v);
    }
}
