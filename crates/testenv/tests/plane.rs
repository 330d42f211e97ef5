//! The test environment itself, on the real binaries: a control plane whose Deployments get
//! pods that the kubelet stand-in makes Ready, resource metrics for them through the real
//! aggregator, a fault proxy, and nothing left behind when a control plane is dropped.

use std::time::Duration;

use alpaca_fake_apiserver::{Fault, Verb};
use alpaca_testenv::aggregated::METRICS_APIS;
use alpaca_testenv::kubelet::is_ready;
use alpaca_testenv::{ControlPlane, CpuLoad, EnvOptions, Options, TestEnv, eventually};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, PostParams};
use serde_json::json;

fn env(test: &str) -> Option<&'static TestEnv> {
    TestEnv::shared(test, || EnvOptions::cluster(false, &[], &METRICS_APIS))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployments_get_ready_pods_with_metrics_through_the_aggregator() {
    let Some(env) = env("deployments_get_ready_pods_with_metrics_through_the_aggregator") else {
        return;
    };
    eprintln!("control plane started in {:?}", env.started_in());
    let t0 = std::time::Instant::now();
    let ns = env.namespace("plane").await;
    let client = env.client().await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "app", "image": "php-apache",
                                       "resources": {"requests": {"cpu": "200m"}}}]}}}
    }))
    .unwrap();
    deployments
        .create(&PostParams::default(), &d)
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    eventually("three Ready pods", 60, || async {
        let list = pods.list(&ListParams::default()).await.unwrap();
        list.items.len() == 3 && list.items.iter().all(is_ready)
    })
    .await;
    eprintln!("pods ready after {:?}", t0.elapsed());
    eventually("the Deployment reports 3 available", 30, || async {
        deployments
            .get("web")
            .await
            .ok()
            .and_then(|d| d.status?.available_replicas)
            == Some(3)
    })
    .await;

    eprintln!("deployment available after {:?}", t0.elapsed());
    env.metrics().set_cpu(&ns, "web", CpuLoad::Total(600));
    let path = format!("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods?labelSelector=app%3Dweb");
    eventually("200m per pod through the aggregator", 30, || async {
        let req = http::Request::get(&path).body(Vec::new()).unwrap();
        client
            .request::<serde_json::Value>(req)
            .await
            .is_ok_and(|v| {
                let items = v["items"].as_array().cloned().unwrap_or_default();
                items.len() == 3
                    && items
                        .iter()
                        .all(|i| i["containers"][0]["usage"]["cpu"] == "200m")
            })
    })
    .await;

    // the aggregator passes the metrics server's 503 on
    env.metrics().backend().inject(
        Fault::any("pods")
            .group("metrics.k8s.io")
            .namespace(&ns)
            .unavailable(),
    );
    let req = http::Request::get(&path).body(Vec::new()).unwrap();
    let err = client.request::<serde_json::Value>(req).await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 503),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fault_proxy_answers_for_the_api_server() {
    let Some(env) = env("the_fault_proxy_answers_for_the_api_server") else {
        return;
    };
    let ns = env.namespace("proxy").await;
    let proxy = env.proxy("proxy-test").await;
    let client = alpaca_testenv::client::from_kubeconfig(proxy.kubeconfig())
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client, &ns);
    assert!(
        pods.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    proxy.inject(Fault::on(Verb::List, "pods").unavailable().times(1));
    let err = pods.list(&ListParams::default()).await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 503),
        "{err:?}"
    );
    assert!(pods.list(&ListParams::default()).await.is_ok());
    let statuses: Vec<u16> = proxy.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![200, 503, 200]);
    // watch events stream through as they happen
    let mut events = pods
        .watch(&kube::api::WatchParams::default(), "0")
        .await
        .unwrap()
        .boxed();
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": "streamed"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}
    }))
    .unwrap();
    Api::<Pod>::namespaced(env.client().await, &ns)
        .create(&PostParams::default(), &pod)
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), events.next()).await;
    assert!(
        matches!(first, Ok(Some(Ok(kube::api::WatchEvent::Added(_))))),
        "a watch event through the proxy within 5 s: {first:?}"
    );
    // a partition: nothing answers
    proxy.cut();
    let hung =
        tokio::time::timeout(Duration::from_secs(1), pods.list(&ListParams::default())).await;
    assert!(hung.is_err(), "a cut-off request must hang");
    proxy.heal();
    assert!(pods.list(&ListParams::default()).await.is_ok());
}

#[test]
fn a_dropped_control_plane_leaves_nothing_behind() {
    if alpaca_testenv::assets::Assets::find().is_err() {
        eprintln!("!!! SKIPPED a_dropped_control_plane_leaves_nothing_behind: no binaries");
        return;
    }
    let plane = ControlPlane::start(&Options::default()).expect("a control plane");
    let dir = plane.dir().to_path_buf();
    let url = plane.url().to_string();
    assert!(dir.exists());
    drop(plane);
    assert!(!dir.exists(), "{} is removed", dir.display());
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "kube-apiserver is stopped"
    );
}
