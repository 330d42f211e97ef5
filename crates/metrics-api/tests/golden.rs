//! Golden JSON files for the list types the metrics adapter serves: each value is built in
//! Rust, serialized, and compared with the file (as JSON values, so key order and whitespace
//! do not matter), then read back from the file and compared with the value.

use std::collections::BTreeMap;

use alpaca_metrics_api::custom::{MetricIdentifier, v1beta1, v1beta2};
use alpaca_metrics_api::external::{ExternalMetricValue, ExternalMetricValueList};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn golden(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn check<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T, file: &str) {
    let expected = golden(file);
    assert_eq!(
        serde_json::to_value(value).unwrap(),
        expected,
        "serialized {file}"
    );
    let back: T = serde_json::from_value(expected).unwrap();
    assert_eq!(&back, value, "deserialized {file}");
}

fn at() -> Time {
    Time("2026-01-01T00:09:45Z".parse().unwrap())
}

fn reference(kind: &str, namespace: Option<&str>, name: &str) -> ObjectReference {
    ObjectReference {
        api_version: Some("/v1".into()),
        kind: Some(kind.into()),
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        ..Default::default()
    }
}

fn v1beta2_items() -> Vec<v1beta2::MetricValue> {
    vec![
        v1beta2::MetricValue {
            described_object: reference("Service", Some("default"), "kubernetes"),
            metric: MetricIdentifier {
                name: "test-metric".into(),
                selector: Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([("verb".to_string(), "GET".to_string())])),
                    match_expressions: None,
                }),
            },
            timestamp: at(),
            window_seconds: Some(60),
            value: Quantity("300m".into()),
        },
        v1beta2::MetricValue {
            described_object: reference("Node", None, "node-1"),
            metric: MetricIdentifier {
                name: "temperature".into(),
                selector: None,
            },
            timestamp: at(),
            window_seconds: None,
            value: Quantity("42".into()),
        },
    ]
}

#[test]
fn custom_v1beta2_list() {
    check(
        &v1beta2::MetricValueList::new(v1beta2_items()),
        "custom_v1beta2_list.json",
    );
}

#[test]
fn custom_v1beta1_list() {
    let items = v1beta2_items().into_iter().map(Into::into).collect();
    check(
        &v1beta1::MetricValueList::new(items),
        "custom_v1beta1_list.json",
    );
}

#[test]
fn external_v1beta1_list() {
    let list = ExternalMetricValueList::new(vec![
        ExternalMetricValue {
            metric_name: "queue_messages".into(),
            metric_labels: BTreeMap::from([("queue".to_string(), "orders".to_string())]),
            timestamp: at(),
            window_seconds: Some(30),
            value: Quantity("30".into()),
        },
        ExternalMetricValue {
            metric_name: "queue_messages".into(),
            metric_labels: BTreeMap::new(),
            timestamp: at(),
            window_seconds: None,
            value: Quantity("1500m".into()),
        },
    ]);
    check(&list, "external_v1beta1_list.json");
}

#[test]
fn reads_what_the_upstream_testing_adapter_sends() {
    // The boilerplate's testing adapter writes `"selector": null` in v1beta2.
    let list: v1beta2::MetricValueList =
        serde_json::from_value(golden("custom_v1beta2_upstream.json")).unwrap();
    assert_eq!(list.items[0].metric.name, "test-metric");
    assert_eq!(list.items[0].metric.selector, None);
    assert_eq!(list.items[0].value, Quantity("300m".into()));
}
