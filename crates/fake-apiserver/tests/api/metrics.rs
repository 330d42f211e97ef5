//! The three metrics APIs, read with raw `client.request` as the HPA controller does.

use alpaca_metrics_api::custom::{v1beta1, v1beta2};
use alpaca_metrics_api::external::{ExternalMetricValue, ExternalMetricValueList};
use alpaca_metrics_api::resource::{PodMetrics, PodMetricsList};
use http::Request;
use k8s_openapi::api::apps::v1::Deployment;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::support::{api_error, deployment, pod};
use alpaca_fake_apiserver::FakeApiServer;

async fn get<T: DeserializeOwned>(client: &kube::Client, path: &str) -> Result<T, kube::Error> {
    client
        .request(Request::get(path).body(Vec::new()).unwrap())
        .await
}

fn pod_metrics(name: &str, cpu: &str) -> PodMetrics {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default"},
        "timestamp": "2026-01-01T00:00:00Z", "window": "15s",
        "containers": [{"name": "app", "usage": {"cpu": cpu, "memory": "64Mi"}}]
    }))
    .unwrap()
}

fn custom(
    kind: &str,
    api_version: &str,
    ns: Option<&str>,
    name: &str,
    metric: &str,
    value: &str,
    labels: serde_json::Value,
) -> v1beta2::MetricValue {
    let mut obj = json!({"kind": kind, "name": name, "apiVersion": api_version});
    if let Some(ns) = ns {
        obj["namespace"] = json!(ns);
    }
    serde_json::from_value(json!({
        "describedObject": obj,
        "metric": {"name": metric, "selector": {"matchLabels": labels}},
        "timestamp": "2026-01-01T00:00:00Z", "windowSeconds": 60, "value": value
    }))
    .unwrap()
}

#[tokio::test]
async fn resource_metrics() {
    let fake = FakeApiServer::new();
    fake.apply(&pod("default", "web-1", &[("app", "web")]))
        .unwrap();
    fake.apply(&pod("default", "web-2", &[("app", "web")]))
        .unwrap();
    fake.apply(&pod("default", "api-1", &[("app", "api")]))
        .unwrap();
    for (n, cpu) in [("web-1", "250m"), ("web-2", "350m"), ("api-1", "1")] {
        fake.set_pod_metrics(pod_metrics(n, cpu));
    }
    let client = fake.client();
    let list: PodMetricsList = get(
        &client,
        "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb",
    )
    .await
    .unwrap();
    let names: Vec<_> = list
        .items
        .iter()
        .map(|m| m.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["web-1", "web-2"]);
    assert_eq!(list.items[1].containers[0].usage["cpu"].0, "350m");
    let all: PodMetricsList = get(&client, "/apis/metrics.k8s.io/v1beta1/pods")
        .await
        .unwrap();
    assert_eq!(all.items.len(), 3);
    assert_eq!(all.api_version, "metrics.k8s.io/v1beta1");
    let v1: PodMetricsList = get(&client, "/apis/metrics.k8s.io/v1/pods").await.unwrap();
    assert_eq!(v1.api_version, "metrics.k8s.io/v1");
    assert_eq!(v1.items.len(), 3);
    assert_eq!(v1.items[0].api_version, "metrics.k8s.io/v1");
    let one: PodMetrics = get(
        &client,
        "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/api-1",
    )
    .await
    .unwrap();
    assert_eq!(one.containers[0].usage["cpu"].0, "1");
    fake.remove_pod_metrics("default", "api-1");
    let e = api_error(
        get::<PodMetrics>(
            &client,
            "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/api-1",
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(e.code, 404);
}

#[tokio::test]
async fn custom_metrics_both_versions() {
    let fake = FakeApiServer::new();
    fake.apply(&pod("default", "web-1", &[("app", "web")]))
        .unwrap();
    fake.apply(&pod("default", "web-2", &[("app", "web")]))
        .unwrap();
    fake.apply(&pod("default", "api-1", &[("app", "api")]))
        .unwrap();
    fake.apply(&deployment("web", "web", Some(2))).unwrap();
    for (n, v) in [("web-1", "10"), ("web-2", "20"), ("api-1", "99")] {
        fake.set_custom_metric(custom("Pod", "v1", Some("default"), n, "qps", v, json!({})));
    }
    fake.set_custom_metric(custom(
        "Deployment",
        "apps/v1",
        Some("default"),
        "web",
        "hits",
        "100",
        json!({"verb": "GET"}),
    ));
    fake.set_custom_metric(custom(
        "Deployment",
        "apps/v1",
        Some("default"),
        "web",
        "hits",
        "7",
        json!({"verb": "POST"}),
    ));
    fake.set_custom_metric(custom(
        "Namespace",
        "v1",
        None,
        "default",
        "queue",
        "42",
        json!({}),
    ));
    fake.set_custom_metric(custom("Node", "v1", None, "node-1", "load", "3", json!({})));
    let client = fake.client();
    let base = "/apis/custom.metrics.k8s.io/v1beta2";

    let pods: v1beta2::MetricValueList = get(
        &client,
        &format!("{base}/namespaces/default/pods/*/qps?labelSelector=app%3Dweb"),
    )
    .await
    .unwrap();
    let values: Vec<_> = pods.items.iter().map(|v| v.value.0.clone()).collect();
    assert_eq!(values, ["10", "20"]);

    let object: v1beta2::MetricValueList = get(
        &client,
        &format!(
            "{base}/namespaces/default/deployments.apps/web/hits?metricLabelSelector=verb%3DPOST"
        ),
    )
    .await
    .unwrap();
    assert_eq!(object.items.len(), 1);
    assert_eq!(object.items[0].value.0, "7");
    assert_eq!(
        object.items[0].described_object.name.as_deref(),
        Some("web")
    );

    let ns: v1beta2::MetricValueList =
        get(&client, &format!("{base}/namespaces/default/metrics/queue"))
            .await
            .unwrap();
    assert_eq!(ns.items[0].value.0, "42");
    let node: v1beta2::MetricValueList = get(&client, &format!("{base}/nodes/node-1/load"))
        .await
        .unwrap();
    assert_eq!(node.items[0].value.0, "3");

    let old: v1beta1::MetricValueList = get(
        &client,
        "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/web-1/qps",
    )
    .await
    .unwrap();
    assert_eq!(old.api_version, "custom.metrics.k8s.io/v1beta1");
    assert_eq!(old.items[0].metric_name, "qps");

    let e = api_error(
        get::<v1beta2::MetricValueList>(&client, &format!("{base}/namespaces/default/pods/*/nope"))
            .await
            .unwrap_err(),
    );
    assert_eq!((e.code, e.reason.as_str()), (404, "NotFound"));
    let e = api_error(
        get::<v1beta2::MetricValueList>(
            &client,
            &format!("{base}/namespaces/default/pods/ghost/qps"),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(e.code, 404);
    assert!(fake.get::<Deployment>("default", "web").is_some());
}

#[tokio::test]
async fn external_metrics() {
    let fake = FakeApiServer::new();
    let value = |name: &str, queue: &str, v: &str| -> ExternalMetricValue {
        serde_json::from_value(json!({
            "metricName": name, "metricLabels": {"queue": queue}, "timestamp": "2026-01-01T00:00:00Z", "value": v
        }))
        .unwrap()
    };
    fake.set_external_metric("default", value("queue_depth", "jobs", "30"));
    fake.set_external_metric("default", value("queue_depth", "mail", "5"));
    fake.set_external_metric("default", value("queue_depth", "jobs", "31")); // replaces
    let client = fake.client();
    let base = "/apis/external.metrics.k8s.io/v1beta1/namespaces/default";
    let jobs: ExternalMetricValueList = get(
        &client,
        &format!("{base}/queue_depth?labelSelector=queue%3Djobs"),
    )
    .await
    .unwrap();
    assert_eq!(jobs.items.len(), 1);
    assert_eq!(jobs.items[0].value.0, "31");
    let all: ExternalMetricValueList = get(&client, &format!("{base}/queue_depth")).await.unwrap();
    assert_eq!(all.items.len(), 2);
    let e = api_error(
        get::<ExternalMetricValueList>(&client, &format!("{base}/unknown"))
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code, 404);
}
