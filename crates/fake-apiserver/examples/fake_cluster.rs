//! Serves a fake API server on a loopback port with a small demo cluster (a Deployment,
//! its pods with metrics, an HPA), prints a kubeconfig, and runs until killed:
//! `cargo run -p alpaca-fake-apiserver --example fake_cluster`, then
//! `kubectl --server http://127.0.0.1:PORT get deploy,hpa,pods -A`.

use alpaca_fake_apiserver::FakeApiServer;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeApiServer::new();
    fake.apply_json(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
        "status": {"replicas": 2, "readyReplicas": 2}
    }))?;
    for i in 0..2 {
        fake.apply_json(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-{i}"), "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx", "resources": {"requests": {"cpu": "100m"}}}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
        }))?;
        fake.set_pod_metrics(serde_json::from_value(json!({
            "metadata": {"name": format!("web-{i}"), "namespace": "default"},
            "timestamp": "2026-01-01T00:00:00Z", "window": "15s",
            "containers": [{"name": "web", "usage": {"cpu": "80m", "memory": "32Mi"}}]
        }))?);
    }
    fake.apply_json(json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 10}
    }))?;
    let (addr, server) = fake.serve_on_localhost().await?;
    println!("serving on http://{addr}\n---\n{}", server.kubeconfig());
    std::future::pending::<()>().await;
    Ok(())
}
