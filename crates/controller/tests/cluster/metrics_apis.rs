//! The custom and external metrics APIs through the real aggregator, queried as upstream
//! queries them: Pods and Object metrics from `custom.metrics.k8s.io/v1beta2`, External
//! metrics from `external.metrics.k8s.io/v1beta1`.

use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::ListParams;
use serde_json::json;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_object_and_external_metrics_through_the_aggregator() {
    let Some(ns) = Ns::new("metrics_apis").await else {
        return;
    };
    let backend = ns.env.metrics().backend();
    let now = jiff::Timestamp::now().to_string();
    for name in ["rps", "ingress", "queue"] {
        ns.workload(name, 2, 100).await;
    }
    // Pods: 2 packets/s per pod against 1 → 4 replicas
    let pods = ns
        .api::<Pod>()
        .list(&ListParams::default().labels("app=rps"))
        .await
        .unwrap();
    for pod in pods.items {
        let name = pod.metadata.name.unwrap();
        backend.set_custom_metric(serde_json::from_value(json!({
            "describedObject": {"kind": "Pod", "apiVersion": "v1", "namespace": ns.name, "name": name},
            "metric": {"name": "packets-per-second", "selector": {"matchLabels": {"verb": "GET"}}},
            "timestamp": now, "windowSeconds": 60, "value": "2"
        })).unwrap());
    }
    ns.hpa(
        "rps",
        json!({"metrics": [{"type": "Pods", "pods": {
            "metric": {"name": "packets-per-second", "selector": {"matchLabels": {"verb": "GET"}}},
            "target": {"type": "AverageValue", "averageValue": "1"}}}]}),
    )
    .await;
    // Object: 20 requests/s on the Service against 10 → 2 × 2 = 4 replicas
    ns.apply::<Service>(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "main"}, "spec": {"ports": [{"port": 80}]}}))
        .await;
    backend.set_custom_metric(
        serde_json::from_value(json!({
            "describedObject": {"kind": "Service", "apiVersion": "v1", "namespace": ns.name, "name": "main"},
            "metric": {"name": "requests-per-second"},
            "timestamp": now, "windowSeconds": 60, "value": "20"
        }))
        .unwrap(),
    );
    ns.hpa(
        "ingress",
        json!({"metrics": [{"type": "Object", "object": {
            "describedObject": {"apiVersion": "v1", "kind": "Service", "name": "main"},
            "metric": {"name": "requests-per-second"},
            "target": {"type": "Value", "value": "10"}}}]}),
    )
    .await;
    // External: 60 messages, 10 per replica → 6 replicas
    backend.set_external_metric(
        &ns.name,
        serde_json::from_value(json!({
            "metricName": "queue_messages_ready", "metricLabels": {"queue": "tasks"},
            "timestamp": now, "value": "60"
        }))
        .unwrap(),
    );
    ns.hpa(
        "queue",
        json!({"metrics": [{"type": "External", "external": {
            "metric": {"name": "queue_messages_ready", "selector": {"matchLabels": {"queue": "tasks"}}},
            "target": {"type": "AverageValue", "averageValue": "10"}}}]}),
    )
    .await;

    let running = ns.start(ns.args()).await;
    // the first rescale of each, from the values above (later ones follow from the new
    // pods: an Object Value target keeps doubling while the Service's rate stays the same)
    let first_rescale = |name: &'static str| {
        let ns = &ns;
        async move {
            ns.events(name)
                .await
                .into_iter()
                .find(|e| e.0 == "SuccessfulRescale")
                .map(|e| e.1)
        }
    };
    eventually("all three scale", 30, || async {
        first_rescale("rps").await.is_some()
            && first_rescale("ingress").await.is_some()
            && first_rescale("queue").await.is_some()
    })
    .await;
    let pods_reason = "New size: 4; reason: pods metric packets-per-second above target";
    assert_eq!(first_rescale("rps").await.as_deref(), Some(pods_reason));
    assert_eq!(
        first_rescale("ingress").await.as_deref(),
        Some("New size: 4; reason: Service metric requests-per-second above target")
    );
    // 6 wanted, but without behavior upstream adds at most max(2 × 2, 4) per sync
    assert_eq!(
        first_rescale("queue").await.as_deref(),
        Some(
            "New size: 4; reason: external metric queue_messages_ready(&LabelSelector{MatchLabels:map[string]string{queue: tasks,},MatchExpressions:[]LabelSelectorRequirement{},}) above target"
        )
    );
    eventually("the queue worker reaches 6", 30, || async {
        ns.replicas("queue").await == Some(6)
    })
    .await;
    // what the aggregator forwarded to the metrics server (it escapes the wildcard)
    let paths: Vec<String> = backend
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    let has = |p: &str| paths.iter().any(|x| x.starts_with(p));
    let n = &ns.name;
    assert!(
        has(&format!(
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/{n}/pods/%2A/packets-per-second?labelSelector=app%3Drps&metricLabelSelector=verb%3DGET"
        )),
        "{paths:#?}"
    );
    assert!(
        has(&format!(
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/{n}/services/main/requests-per-second?"
        )),
        "{paths:#?}"
    );
    assert!(
        has(&format!(
            "/apis/external.metrics.k8s.io/v1beta1/namespaces/{n}/queue_messages_ready?labelSelector=queue%3Dtasks"
        )),
        "{paths:#?}"
    );
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_metric_is_read_in_the_autoscalers_own_namespace() {
    let Some(ns) = Ns::new("namespace_metric").await else {
        return;
    };
    let backend = ns.env.metrics().backend();
    let now = jiff::Timestamp::now().to_string();
    ns.workload("jobs", 1, 100).await;
    // the autoscaler's namespace has 30 pending jobs; "kube-system" (which the reference
    // names) has 100
    for (namespace, value) in [(ns.name.as_str(), "30"), ("kube-system", "100")] {
        backend.set_custom_metric(
            serde_json::from_value(json!({
                "describedObject": {"kind": "Namespace", "apiVersion": "v1", "name": namespace},
                "metric": {"name": "pending-jobs"},
                "timestamp": now, "windowSeconds": 60, "value": value
            }))
            .unwrap(),
        );
    }
    ns.hpa(
        "jobs",
        json!({"metrics": [{"type": "Object", "object": {
            "describedObject": {"apiVersion": "v1", "kind": "Namespace", "name": "kube-system"},
            "metric": {"name": "pending-jobs"},
            "target": {"type": "Value", "value": "10"}}}]}),
    )
    .await;
    let running = ns.start(ns.args()).await;
    eventually("a rescale", 30, || async {
        ns.has_event("jobs", "SuccessfulRescale").await
    })
    .await;
    let first = ns
        .events("jobs")
        .await
        .into_iter()
        .find(|e| e.0 == "SuccessfulRescale")
        .unwrap();
    // 30 / 10 × 1 pod = 3 (with the other namespace's 100 it would be 4, the legacy limit)
    assert_eq!(
        first.1,
        "New size: 3; reason: Namespace metric pending-jobs above target"
    );
    running.stop().await.unwrap();
}
