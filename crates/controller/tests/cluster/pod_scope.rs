//! Sizing: the pod cache holds only the pods of namespaces with autoscalers. Pods of a
//! namespace without one are not kept; an autoscaler created there is synced at once
//! from a LIST, its namespace's pods are cached after a relist, and dropped again when
//! the namespace's last autoscaler goes.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::api::DeleteParams;

use crate::support::*;

fn cached_pods(text: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix("alpaca_controller_cached_pods "))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_no_autoscaler_can_select_are_not_cached() {
    let Some(ns) = Ns::new("pods_no_autoscaler_can_select").await else {
        return;
    };
    // two pods at 100% of their CPU request, and no autoscaler yet
    ns.workload("web", 2, 200).await;
    let running = ns.start(ns.args()).await;
    // the pod watch lists within this time (its cache is filled in well under a second)
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        cached_pods(&running.metrics()),
        Some(0.0),
        "no autoscaler in the namespace, no pod cached"
    );

    // an autoscaler: synced at once (pods read with a LIST), then its pods are cached
    ns.hpa("web", serde_json::json!({})).await;
    eventually("the scale is written: 2 → 4", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    ns.wait_ready_pods("web", 4).await;
    eventually("the namespace's 4 pods are cached", 30, || async {
        cached_pods(&running.metrics()) == Some(4.0)
    })
    .await;

    // the last autoscaler goes: its namespace's pods are dropped
    ns.api::<HorizontalPodAutoscaler>()
        .delete("web", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the pods are dropped from the cache", 30, || async {
        cached_pods(&running.metrics()) == Some(0.0)
    })
    .await;
    running.stop().await.unwrap();
}
