//! A small cluster for the plugin tests: the in-memory API server on a loopback port, with
//! one Deployment of two busy pods and its HPA in namespace `shop`, and kubeconfig files
//! that name it among other contexts.

use std::path::{Path, PathBuf};

use alpaca_fake_apiserver::{FakeApiServer, LocalServer};
use alpaca_metrics_api::resource::PodMetrics;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Pod;
use serde_json::json;

/// The namespace everything lives in (not the contexts' default).
pub const NS: &str = "shop";
/// The Deployment's and the HPA's name.
pub const NAME: &str = "web";

/// Serves (until dropped) a cluster holding `shop/web`: 2 pods at 300m of a 200m request (150% for a 50%
/// target), so the HPA wants more replicas.
pub async fn start() -> LocalServer {
    let fake = FakeApiServer::new();
    let started = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(900);
    let labels = json!({"app": NAME});
    let deployment: Deployment = serde_json::from_value(json!({
        "metadata": {"name": NAME, "namespace": NS, "labels": labels},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "php", "image": "php-apache"}]}}}
    }))
    .expect("a Deployment");
    fake.apply(&deployment).expect("Deployment stored");
    for i in 0..2 {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": format!("{NAME}-{i}"), "namespace": NS, "labels": labels},
            "spec": {"containers": [{"name": "php", "image": "php-apache",
                                     "resources": {"requests": {"cpu": "200m"}}}]},
            "status": {"phase": "Running", "startTime": started.to_string(),
                       "conditions": [{"type": "Ready", "status": "True",
                                       "lastTransitionTime": started.to_string()}]}
        }))
        .expect("a Pod");
        fake.apply(&pod).expect("Pod stored");
        let metrics: PodMetrics = serde_json::from_value(json!({
            "metadata": {"name": format!("{NAME}-{i}"), "namespace": NS, "labels": labels},
            "timestamp": jiff::Timestamp::now().to_string(), "window": "15s",
            "containers": [{"name": "php", "usage": {"cpu": "300m"}}]
        }))
        .expect("PodMetrics");
        fake.set_pod_metrics(metrics);
    }
    let hpa: HorizontalPodAutoscaler = serde_json::from_value(json!({
        "metadata": {"name": NAME, "namespace": NS},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME},
                 "minReplicas": 1, "maxReplicas": 10,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                              "target": {"type": "Utilization", "averageUtilization": 50}}}]}
    }))
    .expect("an HPA");
    fake.apply(&hpa).expect("HPA stored");
    let (_, server) = fake.serve_on_localhost().await.expect("a loopback port");
    server
}

/// A URL where nothing listens (a port bound and released).
pub fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    format!("http://{addr}")
}

/// Writes a kubeconfig at `dir/file` with one context per `(name, server URL)`, the
/// first being the current one; each context's namespace is `default`.
pub fn kubeconfig(dir: &Path, file: &str, contexts: &[(&str, &str)]) -> PathBuf {
    let mut clusters = String::new();
    let mut named = String::new();
    for (name, url) in contexts {
        clusters.push_str(&format!("- name: {name}\n  cluster:\n    server: {url}\n"));
        named.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {name}\n    user: {name}\n    namespace: default\n"
        ));
    }
    let users: String = contexts
        .iter()
        .map(|(name, _)| format!("- name: {name}\n  user: {{}}\n"))
        .collect();
    let current = contexts.first().map_or("", |c| c.0);
    let path = dir.join(file);
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n{clusters}contexts:\n{named}\
             current-context: {current}\nusers:\n{users}"
        ),
    )
    .expect("kubeconfig written");
    path
}
