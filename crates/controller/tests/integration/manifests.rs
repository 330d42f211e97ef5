//! The installation manifests: they parse as the Kubernetes types they claim to be and the
//! RBAC rules cover what the controller calls (the real API server's dry run and the rules
//! at work are in tests/cluster: manifests.rs, rbac.rs).

use std::path::{Path, PathBuf};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::rbac::v1::ClusterRole;
use serde::Deserialize;

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn documents(file: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(deploy_dir().join(file)).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde_json::Value::deserialize(d).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

#[test]
fn rbac_and_deployment_are_as_documented() {
    let docs = documents("controller.yaml");
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Deployment",
            "PodDisruptionBudget"
        ]
    );
    let role: ClusterRole = serde_json::from_value(docs[2].clone()).unwrap();
    let allows = |group: &str, resource: &str, verb: &str| {
        role.rules.iter().flatten().any(|r| {
            r.api_groups
                .iter()
                .flatten()
                .any(|g| g == group || g == "*")
                && r.resources.iter().flatten().any(|x| x == resource)
                && r.verbs.iter().any(|v| v == verb)
        })
    };
    for (group, resource, verb) in [
        ("autoscaling", "horizontalpodautoscalers", "watch"),
        ("autoscaling", "horizontalpodautoscalers", "patch"),
        ("autoscaling", "horizontalpodautoscalers/status", "update"),
        ("alpaca.dev", "horizontalpodautoscalers/status", "update"),
        ("apps", "*/scale", "update"),
        ("", "pods", "watch"),
        ("", "events", "create"),
        ("metrics.k8s.io", "pods", "list"),
        ("external.metrics.k8s.io", "*", "get"),
    ] {
        assert!(allows(group, resource, verb), "{verb} {group}/{resource}");
    }
    // least privilege: no writes beyond those
    assert!(!allows("autoscaling", "horizontalpodautoscalers", "update"));
    assert!(!allows("", "pods", "get") && !allows("", "configmaps", "get"));
    let d: Deployment = serde_json::from_value(docs[6].clone()).unwrap();
    let c = &d.spec.template.spec.unwrap().containers[0];
    assert_eq!(c.args.as_ref().unwrap()[0], "controller");
    assert!(c.liveness_probe.is_some() && c.readiness_probe.is_some());
    assert!(c.resources.is_some());
}
