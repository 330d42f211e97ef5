//! Structurally valid Snapshots with arbitrary contents: any HPA shape the API server accepts
//! or rejects, pods in any state, metrics of every kind, any memory. `decide` must return a
//! Decision or a validation error, never panic, and a Decision must respect min/max.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

#[derive(Arbitrary, Debug)]
struct Case {
    replicas: u8,
    min: u8,
    max: u8,
    metrics: Vec<Metric>,
    pods: Vec<PodCase>,
    behavior: Option<(Rules, Rules)>,
    history: Vec<(u16, u8, bool)>,
    selector_broken: bool,
    errors: u8,
    tolerance: u8,
}

#[derive(Arbitrary, Debug)]
enum Metric {
    CpuUtilization(u16),
    MemoryAverage(u32),
    ContainerCpu(u16),
    Pods(u32),
    ObjectValue(u32),
    ObjectAverage(u32),
    ExternalValue(u32),
    ExternalAverage(u32),
}

#[derive(Arbitrary, Debug)]
struct PodCase {
    phase: u8,
    ready: bool,
    started_secs_ago: u16,
    ready_secs_ago: u16,
    cpu_request_m: u16,
    cpu_usage_m: Option<u32>,
    custom: Option<u32>,
    deleting: bool,
}

#[derive(Arbitrary, Debug)]
struct Rules {
    window: Option<u16>,
    select: u8,
    policies: Vec<(bool, u16, u16)>,
}

fn rules(r: &Rules) -> Value {
    let select = ["Max", "Min", "Disabled"][usize::from(r.select % 3)];
    let policies: Vec<Value> = r
        .policies
        .iter()
        .take(4)
        .map(|(pods, v, p)| json!({"type": if *pods {"Pods"} else {"Percent"}, "value": v, "periodSeconds": p}))
        .collect();
    let mut v = json!({"selectPolicy": select, "policies": policies});
    if let Some(w) = r.window {
        v["stabilizationWindowSeconds"] = json!(w);
    }
    v
}

fn metric(m: &Metric) -> Value {
    let q = |v: &u32| format!("{v}m");
    match m {
        Metric::CpuUtilization(u) => {
            json!({"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": u}}})
        }
        Metric::MemoryAverage(v) => {
            json!({"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": q(v)}}})
        }
        Metric::ContainerCpu(u) => {
            json!({"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app", "target": {"type": "Utilization", "averageUtilization": u}}})
        }
        Metric::Pods(v) => {
            json!({"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": q(v)}}})
        }
        Metric::ObjectValue(v) => {
            json!({"type": "Object", "object": {"describedObject": {"apiVersion": "v1", "kind": "Service", "name": "web"}, "metric": {"name": "hits"}, "target": {"type": "Value", "value": q(v)}}})
        }
        Metric::ObjectAverage(v) => {
            json!({"type": "Object", "object": {"describedObject": {"apiVersion": "v1", "kind": "Service", "name": "web"}, "metric": {"name": "hits"}, "target": {"type": "AverageValue", "averageValue": q(v)}}})
        }
        Metric::ExternalValue(v) => {
            json!({"type": "External", "external": {"metric": {"name": "queue", "selector": {"matchLabels": {"q": "a"}}}, "target": {"type": "Value", "value": q(v)}}})
        }
        Metric::ExternalAverage(v) => {
            json!({"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "AverageValue", "averageValue": q(v)}}})
        }
    }
}

fn at(secs_ago: u16) -> String {
    let t = 1_767_226_200 - i64::from(secs_ago); // 2026-01-01T00:10:00Z minus
    let s = t.rem_euclid(60);
    let m = (t / 60).rem_euclid(60);
    let h = (t / 3600).rem_euclid(24);
    let d = 1 + (t - 1_767_225_600).div_euclid(86_400);
    format!("2026-01-{:02}T{h:02}:{m:02}:{s:02}Z", d.clamp(1, 28))
}

fuzz_target!(|c: Case| {
    let mut hpa = json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": c.min, "maxReplicas": c.max,
            "metrics": c.metrics.iter().take(4).map(metric).collect::<Vec<_>>(),
        }
    });
    if let Some((up, down)) = &c.behavior {
        hpa["spec"]["behavior"] = json!({"scaleUp": rules(up), "scaleDown": rules(down)});
    }
    let phases = ["Running", "Pending", "Failed", "Succeeded", "Unknown"];
    let mut pods = Vec::new();
    let mut pod_metrics = Vec::new();
    let mut custom = Vec::new();
    for (i, p) in c.pods.iter().take(40).enumerate() {
        let name = format!("web-{i}");
        let mut pod = json!({
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "resources": {"requests": {"cpu": format!("{}m", p.cpu_request_m), "memory": "64Mi"}}}]},
            "status": {"phase": phases[usize::from(p.phase % 5)], "startTime": at(p.started_secs_ago),
                       "conditions": [{"type": "Ready", "status": if p.ready {"True"} else {"False"}, "lastTransitionTime": at(p.ready_secs_ago)}]}
        });
        if p.deleting {
            pod["metadata"]["deletionTimestamp"] = json!(at(1));
        }
        pods.push(pod);
        if let Some(u) = p.cpu_usage_m {
            pod_metrics.push(json!({"metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
                "timestamp": at(5), "window": "15s",
                "containers": [{"name": "app", "usage": {"cpu": format!("{u}m"), "memory": "32Mi"}}]}));
        }
        if let Some(v) = p.custom {
            custom.push(json!({"describedObject": {"kind": "Pod", "namespace": "default", "name": name, "apiVersion": "/v1"},
                "metric": {"name": "rps"}, "timestamp": at(5), "value": format!("{v}m")}));
        }
    }
    custom.push(json!({"describedObject": {"kind": "Service", "namespace": "default", "name": "web", "apiVersion": "/v1"},
        "metric": {"name": "hits"}, "timestamp": at(5), "value": "1500m"}));
    let recs: Vec<Value> = c
        .history
        .iter()
        .take(30)
        .map(|(ago, r, _)| json!({"timestamp": at(*ago), "replicas": r}))
        .collect();
    let ups: Vec<Value> = c
        .history
        .iter()
        .take(30)
        .filter(|h| h.2)
        .map(|(ago, r, _)| json!({"timestamp": at(*ago), "replicaChange": r}))
        .collect();
    let mut errors = json!({});
    for (bit, key) in [
        "scale",
        "podMetrics",
        "customMetrics",
        "externalMetrics",
        "updateScale",
    ]
    .iter()
    .enumerate()
    {
        if c.errors & (1 << bit) != 0 {
            errors[*key] = json!("the server is currently unable to handle the request");
        }
    }
    let snapshot = json!({
        "kind": "Snapshot", "now": "2026-01-01T00:10:00Z",
        "controller": {"tolerance": f64::from(c.tolerance) / 100.0},
        "hpa": hpa,
        "scale": {"spec": {"replicas": c.replicas}, "status": {"replicas": c.replicas,
                  "selector": if c.selector_broken {"app in (web"} else {"app=web"}}},
        "pods": pods, "podMetrics": pod_metrics, "customMetrics": custom,
        "externalMetrics": [{"metricName": "queue", "metricLabels": {"q": "a"}, "timestamp": at(5), "value": "42"}],
        "errors": errors,
        "history": {"recommendations": recs, "scaleUpEvents": ups, "scaleDownEvents": []},
    });
    let bytes = serde_json::to_vec(&snapshot).unwrap();
    let snapshot =
        alpaca_engine::read_snapshot(&bytes).expect("the generator writes readable Snapshots");
    if let Ok(d) = alpaca_engine::decide(&snapshot) {
        let (min, max) = (i32::from(c.min.max(1)), i32::from(c.max));
        let current = i32::from(c.replicas);
        if d.rescale {
            assert!(
                d.desired_replicas >= min.min(current) && d.desired_replicas <= max.max(min),
                "{d:?}"
            );
        } else {
            assert_eq!(d.desired_replicas, current);
        }
    }
});
