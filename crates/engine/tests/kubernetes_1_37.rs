//! Kubernetes 1.37's HPA changes, sync by sync: scale to zero (`HPAScaleToZero`, the
//! Snapshot's `controller.hpaScaleToZero`), its validation, and pod overhead left out of
//! the requests utilization is measured against.

mod common;

use alpaca_engine::{Snapshot, decide, read_snapshot};
use common::{condition, run};
use serde_json::{Value, json};

/// A queue worker's HPA: one External metric (messages, 10 per replica) unless `metrics`
/// says otherwise.
fn snapshot(gate: bool, min: i32, replicas: i32, messages: i64, metrics: Option<Value>) -> Value {
    let metrics = metrics.unwrap_or_else(|| {
        json!([{"type": "External", "external": {
            "metric": {"name": "queue_messages"},
            "target": {"type": "AverageValue", "averageValue": "10"}}}])
    });
    json!({
        "kind": "Snapshot",
        "now": "2026-01-01T01:00:00Z",
        "controller": {"hpaScaleToZero": gate},
        "hpa": {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "worker", "namespace": "default"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"},
                         "minReplicas": min, "maxReplicas": 10, "metrics": metrics,
                         "behavior": {"scaleDown": {"stabilizationWindowSeconds": 0}}}},
        "scale": {"spec": {"replicas": replicas},
                  "status": {"replicas": replicas, "selector": "app=worker"}},
        "externalMetrics": [{"metricName": "queue_messages", "metricLabels": {},
                             "timestamp": "2026-01-01T00:59:50Z", "value": messages.to_string()}]
    })
}

fn refusal(v: &Value) -> String {
    let snap: Snapshot = read_snapshot(v.to_string().as_bytes()).expect("readable");
    decide(&snap).expect_err("refused").to_string()
}

#[test]
fn min_replicas_zero_needs_the_gate_and_an_object_or_external_metric() {
    // gate off: the lower bound is 1
    let e = refusal(&snapshot(false, 0, 1, 0, None));
    assert!(
        e.contains("hpa.spec.minReplicas: must be greater than or equal to 1"),
        "{e}"
    );
    // gate on, only a cpu metric: upstream's validateMetrics refuses it
    let cpu = json!([{"type": "Resource", "resource": {"name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": 50}}}]);
    let e = refusal(&snapshot(true, 0, 1, 0, Some(cpu)));
    assert!(
        e.contains("hpa.spec.metrics: must specify at least one Object or External metric to support scaling to zero replicas"),
        "{e}"
    );
    // without metrics the API server's default is cpu: refused the same way
    let mut v = snapshot(true, 0, 1, 0, None);
    v["hpa"]["spec"].as_object_mut().unwrap().remove("metrics");
    assert!(refusal(&v).contains("hpa.spec.metrics: must specify"));
    // gate on, an External metric: admitted
    assert_eq!(run(&snapshot(true, 0, 1, 0, None)).desired_replicas, 0);
}

#[test]
fn a_worker_scales_to_zero_and_wakes_on_the_first_messages() {
    // an empty queue: 3 replicas go to zero, and the HPA says it did
    let down = run(&snapshot(true, 0, 3, 0, None));
    assert_eq!(down.desired_replicas, 0);
    assert!(down.rescale);
    assert_eq!(
        condition(&down, "ScaledToZero"),
        Some((
            "True",
            "ScaledToZero",
            "the HPA controller scaled the workload to zero"
        ))
    );
    assert_eq!(
        down.events[0].message,
        "New size: 0; reason: All metrics below target"
    );

    // the next sync at zero, with its status: 25 messages = ceil(2.5) replicas
    let mut up = snapshot(true, 0, 0, 25, None);
    up["hpa"]["status"] = serde_json::to_value(&down.status).unwrap();
    up["history"] = serde_json::to_value(&down.history).unwrap();
    let woke = run(&up);
    assert_eq!(woke.desired_replicas, 3);
    assert_eq!(
        condition(&woke, "ScaledToZero"),
        Some((
            "False",
            "NotScaledToZero",
            "the HPA controller did not scale the workload to zero"
        ))
    );
    assert_eq!(
        condition(&woke, "ScalingActive").map(|c| c.1),
        Some("ValidMetricFound")
    );

    // the same queue at zero without the condition: someone scaled it to zero by hand
    let paused = run(&snapshot(true, 0, 0, 25, None));
    assert_eq!(paused.desired_replicas, 0);
    assert!(!paused.rescale);
    assert_eq!(
        condition(&paused, "ScalingActive").map(|c| c.1),
        Some("ScalingDisabled")
    );
    assert_eq!(condition(&paused, "ScaledToZero"), None);
}

#[test]
fn with_the_gate_off_zero_replicas_pause_the_autoscaler_and_the_condition_goes() {
    let mut v = snapshot(false, 1, 0, 25, None);
    v["hpa"]["status"] = json!({"desiredReplicas": 0, "conditions": [
        {"type": "ScaledToZero", "status": "True", "reason": "ScaledToZero", "message": ""}]});
    let d = run(&v);
    assert_eq!(d.desired_replicas, 0);
    assert_eq!(condition(&d, "ScaledToZero"), None);
    assert_eq!(
        condition(&d, "ScalingActive").map(|c| c.1),
        Some("ScalingDisabled")
    );
}

#[test]
fn pod_overhead_is_not_part_of_the_request() {
    // 250m used of a 500m request is 50%; counting the 500m overhead would make it 25%
    let cpu = json!([{"type": "Resource", "resource": {"name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": 25}}}]);
    let mut v = snapshot(true, 1, 1, 0, Some(cpu));
    v["pods"] = json!([{"metadata": {"name": "worker-0", "namespace": "default", "labels": {"app": "worker"}},
        "spec": {"overhead": {"cpu": "500m"}, "containers": [{"name": "c",
            "resources": {"requests": {"cpu": "500m"}}}]},
        "status": {"phase": "Running", "startTime": "2026-01-01T00:00:00Z",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:30Z"}]}}]);
    v["podMetrics"] = json!([{"metadata": {"name": "worker-0", "namespace": "default", "labels": {"app": "worker"}},
        "timestamp": "2026-01-01T00:59:50Z", "window": "30s",
        "containers": [{"name": "c", "usage": {"cpu": "250m", "memory": "1Mi"}}]}]);
    let d = run(&v);
    let cpu = d.status.current_metrics.as_ref().unwrap()[0]
        .resource
        .as_ref()
        .unwrap();
    assert_eq!(cpu.current.average_utilization, Some(50));
    assert_eq!(d.desired_replicas, 2);
}
