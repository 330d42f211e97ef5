//! `autoscaling/v1` HorizontalPodAutoscaler ⇄ `autoscaling/v2` storage, as the API server
//! converts: `targetCPUUtilizationPercentage` ⇄ a cpu `Utilization` Resource metric and
//! `currentCPUUtilizationPercentage` ⇄ the cpu current metric. Conditions are exposed in
//! the `autoscaling.alpha.kubernetes.io/conditions` annotation. What v1 cannot express
//! (other metrics, behavior, conditions) is kept from the stored object on writes.

use serde_json::{Map, Value, json};

const CONDITIONS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";

fn is_cpu_resource(m: &Value) -> bool {
    m["type"] == "Resource" && m["resource"]["name"] == "cpu"
}

fn is_cpu_utilization_target(m: &Value) -> bool {
    is_cpu_resource(m) && m["resource"]["target"]["type"] == "Utilization"
}

fn copy(from: &Value, to: &mut Map<String, Value>, key: &str) {
    if let Some(v) = from.get(key).filter(|v| !v.is_null()) {
        to.insert(key.into(), v.clone());
    }
}

/// Stored v2 → v1 view.
pub(super) fn v2_to_v1(stored: &Value) -> Value {
    let mut metadata = stored["metadata"].clone();
    let spec2 = &stored["spec"];
    let mut spec = Map::new();
    copy(spec2, &mut spec, "scaleTargetRef");
    copy(spec2, &mut spec, "minReplicas");
    copy(spec2, &mut spec, "maxReplicas");
    if let Some(cpu) = spec2["metrics"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| is_cpu_utilization_target(m)))
    {
        copy(&cpu["resource"]["target"], &mut spec, "averageUtilization");
        if let Some(v) = spec.remove("averageUtilization") {
            spec.insert("targetCPUUtilizationPercentage".into(), v);
        }
    }
    let mut out = json!({ "metadata": metadata.take(), "spec": spec });
    if let Some(status2) = stored.get("status").filter(|s| s.is_object()) {
        let mut status = Map::new();
        for key in [
            "observedGeneration",
            "lastScaleTime",
            "currentReplicas",
            "desiredReplicas",
        ] {
            copy(status2, &mut status, key);
        }
        status.entry("currentReplicas").or_insert(json!(0));
        status.entry("desiredReplicas").or_insert(json!(0));
        let current_cpu = status2["currentMetrics"].as_array().and_then(|ms| {
            ms.iter()
                .find(|m| is_cpu_resource(m))
                .and_then(|m| m["resource"]["current"].get("averageUtilization"))
        });
        if let Some(v) = current_cpu {
            status.insert("currentCPUUtilizationPercentage".into(), v.clone());
        }
        out["status"] = Value::Object(status);
        if let Some(conditions) = status2
            .get("conditions")
            .filter(|c| c.as_array().is_some_and(|a| !a.is_empty()))
        {
            if !out["metadata"]["annotations"].is_object() {
                out["metadata"]["annotations"] = json!({});
            }
            out["metadata"]["annotations"][CONDITIONS_ANNOTATION] = json!(conditions.to_string());
        }
    }
    out
}

/// Client's v1 object → v2 storage, keeping from `previous` what v1 cannot say.
pub(super) fn v1_to_v2(body: &Value, previous: Option<&Value>) -> Value {
    let mut metadata = body["metadata"].clone();
    if let Some(annotations) = metadata
        .get_mut("annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(CONDITIONS_ANNOTATION);
        if annotations.is_empty() {
            metadata.as_object_mut().map(|m| m.remove("annotations"));
        }
    }
    let spec1 = &body["spec"];
    let prev_spec = previous.map(|p| &p["spec"]);
    let mut spec = Map::new();
    copy(spec1, &mut spec, "scaleTargetRef");
    copy(spec1, &mut spec, "minReplicas");
    copy(spec1, &mut spec, "maxReplicas");
    let mut metrics: Vec<Value> = Vec::new();
    if let Some(target) = spec1
        .get("targetCPUUtilizationPercentage")
        .filter(|v| !v.is_null())
    {
        metrics.push(json!({"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}));
    }
    if let Some(prev) = prev_spec.and_then(|s| s["metrics"].as_array()) {
        metrics.extend(
            prev.iter()
                .filter(|m| !is_cpu_utilization_target(m))
                .cloned(),
        );
    }
    if !metrics.is_empty() {
        spec.insert("metrics".into(), Value::Array(metrics));
    }
    if let Some(prev) = prev_spec {
        copy(prev, &mut spec, "behavior");
    }
    let mut out = json!({ "metadata": metadata, "spec": spec });
    if let Some(status1) = body.get("status").filter(|s| s.is_object()) {
        let mut status = Map::new();
        for key in [
            "observedGeneration",
            "lastScaleTime",
            "currentReplicas",
            "desiredReplicas",
        ] {
            copy(status1, &mut status, key);
        }
        let prev_status = previous.map(|p| &p["status"]);
        let mut current: Vec<Value> = Vec::new();
        if let Some(cpu) = status1
            .get("currentCPUUtilizationPercentage")
            .filter(|v| !v.is_null())
        {
            current.push(json!({"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": cpu}}}));
        }
        if let Some(prev) = prev_status.and_then(|s| s["currentMetrics"].as_array()) {
            current.extend(prev.iter().filter(|m| !is_cpu_resource(m)).cloned());
        }
        if !current.is_empty() {
            status.insert("currentMetrics".into(), Value::Array(current));
        }
        if let Some(prev) = prev_status {
            copy(prev, &mut status, "conditions");
        }
        out["status"] = Value::Object(status);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_target_round_trips_and_other_metrics_survive() {
        let stored = json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                     "minReplicas": 1, "maxReplicas": 10,
                     "metrics": [
                        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}},
                        {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}}]},
            "status": {"currentReplicas": 2, "desiredReplicas": 3,
                       "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 70, "averageValue": "700m"}}}],
                       "conditions": [{"type": "AbleToScale", "status": "True"}]}
        });
        let v1 = v2_to_v1(&stored);
        assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 50);
        assert_eq!(v1["status"]["currentCPUUtilizationPercentage"], 70);
        assert!(
            v1["metadata"]["annotations"][CONDITIONS_ANNOTATION]
                .as_str()
                .unwrap()
                .contains("AbleToScale")
        );
        let mut edited = v1.clone();
        edited["spec"]["targetCPUUtilizationPercentage"] = json!(60);
        let back = v1_to_v2(&edited, Some(&stored));
        assert_eq!(
            back["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            60
        );
        assert_eq!(back["spec"]["metrics"][1]["type"], "Pods");
        assert_eq!(back["status"]["conditions"][0]["type"], "AbleToScale");
        assert!(back["metadata"].get("annotations").is_none());
    }
}
