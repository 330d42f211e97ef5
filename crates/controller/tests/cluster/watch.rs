//! Watches on a real API server: an autoscaler change, and a new autoscaler, sync at once
//! even with an hour-long period; pods come from the watch cache, not a LIST per sync.

use alpaca_fake_apiserver::Verb;
use alpaca_metrics_api::GoDuration;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::api::{Patch, PatchParams};
use serde_json::json;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_sync_at_once_with_a_long_period() {
    let Some(ns) = Ns::new("watch_changes").await else {
        return;
    };
    ns.workload("web", 2, 200).await;
    ns.hpa("web", json!({})).await;
    let proxy = ns.env.proxy("watch-changes").await;
    let args = alpaca_controller::ControllerArgs {
        sync_period: GoDuration::from_secs(3600),
        ..ns.args()
    };
    let running = start(proxy.kubeconfig(), args).await;
    eventually("the first sync scales", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    // lower maxReplicas: the watch event makes it due now, not in an hour
    ns.api::<HorizontalPodAutoscaler>()
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"maxReplicas": 3}})),
        )
        .await
        .unwrap();
    let applied = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while ns.replicas("web").await != Some(3) {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await;
    let log: Vec<String> = proxy
        .requests()
        .iter()
        .filter(|r| !r.path.contains("/events") && !r.path.contains("leases"))
        .map(|r| format!("{} {} {}?{}", r.status, r.method, r.path, r.query))
        .collect();
    assert!(
        applied.is_ok(),
        "replicas {:?}, status {:#?}\n{log:#?}",
        ns.replicas("web").await,
        ns.hpa_object("web").await.and_then(|h| h.status)
    );
    // a new autoscaler too
    ns.workload("api", 1, 200).await;
    ns.hpa("api", json!({})).await;
    eventually("a new autoscaler syncs at once", 30, || async {
        ns.replicas("api").await == Some(2)
    })
    .await;
    // pods came from the watch cache: one LIST at the start, no LIST per sync
    let pod_lists = proxy
        .requests()
        .iter()
        .filter(|r| r.is(Verb::List, "pods") && r.info.group.is_empty())
        .count();
    assert_eq!(pod_lists, 1, "pods are listed once, then watched");
    running.stop().await.unwrap();
}
