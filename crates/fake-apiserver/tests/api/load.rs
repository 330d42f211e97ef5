//! The benchmark's scale: 1,000 Deployments and HPAs with 10 pods each, listed and
//! watched through kube.

use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::runtime::watcher::{self, Event};
use serde_json::json;

use alpaca_fake_apiserver::FakeApiServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eleven_thousand_objects() {
    let fake = FakeApiServer::new();
    let t = Instant::now();
    for d in 0..1000 {
        let ns = format!("ns-{}", d % 50);
        let app = format!("app-{d}");
        fake.apply_json(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": app, "namespace": ns, "labels": {"app": app}},
            "spec": {"replicas": 10, "selector": {"matchLabels": {"app": app}},
                     "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}
        }))
        .unwrap();
        fake.apply_json(json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": app, "namespace": ns},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app}, "maxReplicas": 20}
        }))
        .unwrap();
        for p in 0..10 {
            fake.apply_json(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{app}-{p}"), "namespace": ns, "labels": {"app": app}},
                "spec": {"containers": [{"name": "c", "image": "i", "resources": {"requests": {"cpu": "100m"}}}]},
                "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
            }))
            .unwrap();
        }
    }
    let seeded = t.elapsed();

    let pods: Api<Pod> = Api::all(fake.client());
    let t = Instant::now();
    let all = pods.list(&ListParams::default()).await.unwrap();
    assert_eq!(all.items.len(), 10_000);
    let listed = t.elapsed();

    let t = Instant::now();
    let in_ns: Api<Pod> = Api::namespaced(fake.client(), "ns-7");
    for _ in 0..100 {
        let some = in_ns
            .list(&ListParams::default().labels("app=app-7"))
            .await
            .unwrap();
        assert_eq!(some.items.len(), 10);
    }
    let selected = t.elapsed();

    let t = Instant::now();
    let mut stream = watcher::watcher(pods, watcher::Config::default()).boxed();
    let mut applied = 0;
    while let Some(ev) = stream.next().await {
        match ev.unwrap() {
            Event::InitApply(_) => applied += 1,
            Event::InitDone => break,
            _ => {}
        }
    }
    assert_eq!(applied, 10_000);
    let watched = t.elapsed();
    eprintln!(
        "seed {seeded:?}, list {listed:?}, 100 selected lists {selected:?}, watcher init {watched:?}"
    );
    assert!(listed + selected + watched < Duration::from_secs(20));
}
