//! Server-side defaulting, limited to what an HPA controller observes: workload
//! `spec.replicas`, HorizontalPodAutoscaler v2 defaults, Namespace phase.

use serde_json::{Value, json};

use crate::registry::Defaults;

/// Applies the kind's defaults to a stored-form object.
pub(super) fn apply(defaults: Defaults, obj: &mut Value) {
    match defaults {
        Defaults::None => {}
        Defaults::Workload => {
            if !obj["spec"].is_object() {
                obj["spec"] = json!({});
            }
            if obj["spec"]["replicas"].is_null() {
                obj["spec"]["replicas"] = json!(1);
            }
        }
        Defaults::Namespace => {
            if obj["status"]["phase"].is_null() {
                obj["status"] = json!({"phase": "Active"});
            }
        }
        Defaults::Hpa => hpa(obj),
    }
}

fn hpa(obj: &mut Value) {
    let Some(spec) = obj.get_mut("spec").filter(|s| s.is_object()) else {
        return;
    };
    if spec["minReplicas"].is_null() {
        spec["minReplicas"] = json!(1);
    }
    if spec["metrics"].as_array().is_none_or(Vec::is_empty) {
        spec["metrics"] = json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]);
    }
    if let Some(behavior) = spec.get_mut("behavior").filter(|b| b.is_object()) {
        rules(
            &mut behavior["scaleUp"],
            0,
            json!([{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]),
        );
        rules(
            &mut behavior["scaleDown"],
            300,
            json!([{"type": "Percent", "value": 100, "periodSeconds": 15}]),
        );
    }
}

fn rules(r: &mut Value, stabilization: i64, policies: Value) {
    if !r.is_object() {
        *r = json!({});
    }
    if r["stabilizationWindowSeconds"].is_null() {
        r["stabilizationWindowSeconds"] = json!(stabilization);
    }
    if r["selectPolicy"].is_null() {
        r["selectPolicy"] = json!("Max");
    }
    if r["policies"].as_array().is_none_or(Vec::is_empty) {
        r["policies"] = policies;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hpa_defaults_fill_behavior_only_when_given() {
        let mut h = json!({"spec": {"maxReplicas": 5}});
        apply(Defaults::Hpa, &mut h);
        assert_eq!(h["spec"]["minReplicas"], 1);
        assert_eq!(
            h["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            80
        );
        assert!(h["spec"].get("behavior").is_none());
        let mut h = json!({"spec": {"maxReplicas": 5, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}});
        apply(Defaults::Hpa, &mut h);
        assert_eq!(
            h["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"],
            60
        );
        assert_eq!(h["spec"]["behavior"]["scaleDown"]["selectPolicy"], "Max");
        assert_eq!(h["spec"]["behavior"]["scaleUp"]["policies"][0]["value"], 4);
    }

    #[test]
    fn workload_replicas_default_to_one() {
        let mut d = json!({"spec": {}});
        apply(Defaults::Workload, &mut d);
        assert_eq!(d["spec"]["replicas"], 1);
    }
}
