//! The custom and external metrics APIs, queried as upstream queries them: Pods and
//! Object metrics from `custom.metrics.k8s.io/v1beta2`, External metrics from
//! `external.metrics.k8s.io/v1beta1`.

use alpaca_fake_apiserver::FakeApiServer;
use serde_json::json;

use crate::support::*;

fn metric_hpa(fake: &FakeApiServer, name: &str, metric: serde_json::Value) {
    let mut h = hpa_json("default", name);
    h["spec"]["metrics"] = json!([metric]);
    fake.apply_json(h).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_object_and_external_metrics() {
    let fake = FakeApiServer::new();
    let now = ago(5);
    for name in ["rps", "ingress", "queue"] {
        fake.apply(&deployment("default", name, 2)).unwrap();
        for i in 0..2 {
            fake.apply(&pod("default", name, i)).unwrap();
        }
    }
    // Pods: 2 packets/s per pod against 1 → 4 replicas
    for i in 0..2 {
        fake.set_custom_metric(serde_json::from_value(json!({
            "describedObject": {"kind": "Pod", "apiVersion": "v1", "namespace": "default", "name": format!("rps-{i}")},
            "metric": {"name": "packets-per-second", "selector": {"matchLabels": {"verb": "GET"}}},
            "timestamp": now, "windowSeconds": 60, "value": "2"
        })).unwrap());
    }
    metric_hpa(
        &fake,
        "rps",
        json!({"type": "Pods", "pods": {
        "metric": {"name": "packets-per-second", "selector": {"matchLabels": {"verb": "GET"}}},
        "target": {"type": "AverageValue", "averageValue": "1"}}}),
    );
    // Object: 20 requests/s on the Service against 10 → 2 × 2 = 4 replicas
    fake.apply_json(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "main", "namespace": "default"}}))
        .unwrap();
    fake.set_custom_metric(serde_json::from_value(json!({
        "describedObject": {"kind": "Service", "apiVersion": "v1", "namespace": "default", "name": "main"},
        "metric": {"name": "requests-per-second"},
        "timestamp": now, "windowSeconds": 60, "value": "20"
    })).unwrap());
    metric_hpa(
        &fake,
        "ingress",
        json!({"type": "Object", "object": {
        "describedObject": {"apiVersion": "v1", "kind": "Service", "name": "main"},
        "metric": {"name": "requests-per-second"},
        "target": {"type": "Value", "value": "10"}}}),
    );
    // External: 60 messages, 10 per replica → 6 replicas
    fake.set_external_metric(
        "default",
        serde_json::from_value(json!({
            "metricName": "queue_messages_ready", "metricLabels": {"queue": "tasks"},
            "timestamp": now, "value": "60"
        }))
        .unwrap(),
    );
    metric_hpa(
        &fake,
        "queue",
        json!({"type": "External", "external": {
        "metric": {"name": "queue_messages_ready", "selector": {"matchLabels": {"queue": "tasks"}}},
        "target": {"type": "AverageValue", "averageValue": "10"}}}),
    );

    let running = start(&fake, fast_args()).await;
    eventually("all three scale", 10, || {
        replicas(&fake, "default", "rps") == Some(4)
            && replicas(&fake, "default", "ingress") == Some(4)
            && replicas(&fake, "default", "queue") == Some(6)
    })
    .await;
    let paths: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    let has = |p: &str| paths.iter().any(|x| x.starts_with(p));
    assert!(
        has(
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/packets-per-second?labelSelector=app%3Drps&metricLabelSelector=verb%3DGET"
        ),
        "{paths:#?}"
    );
    assert!(
        has(
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/main/requests-per-second?"
        ),
        "{paths:#?}"
    );
    assert!(
        has(
            "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready?labelSelector=queue%3Dtasks"
        ),
        "{paths:#?}"
    );
    running.stop().await.unwrap();
}
