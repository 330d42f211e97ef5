//! `metrics.k8s.io/v1` (GA in 1.37, KEP-5207) through the real aggregator: with only
//! `v1beta1` registered (a cluster older than 1.37) the controller reads `v1beta1`; once the
//! `v1` APIService is registered beside it, a controller reads `v1` and nothing else.

use alpaca_testenv::aggregated::RESOURCE_METRICS_V1;
use serde_json::json;

use crate::support::*;

/// How many PodMetrics lists of `ns` were read at `version`.
fn reads(ns: &Ns, version: &str) -> usize {
    let path = format!("/apis/metrics.k8s.io/{version}/namespaces/{}/pods", ns.name);
    ns.env
        .metrics()
        .backend()
        .requests()
        .iter()
        .filter(|r| r.path == path && r.status == 200)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_v1_when_served_else_v1beta1() {
    let Some(ns) = Ns::new("resource_metrics_v1").await else {
        return;
    };
    // 200m used per pod of 200m requested against 50%: doubles at each sync
    ns.workload("old", 2, 200).await;
    ns.hpa("old", json!({})).await;
    let running = ns.start(ns.args()).await;
    eventually("old is scaled up from v1beta1", 30, || async {
        ns.replicas("old").await.is_some_and(|n| n >= 4)
    })
    .await;
    running.stop().await.unwrap();
    assert!(reads(&ns, "v1beta1") > 0);
    assert_eq!(reads(&ns, "v1"), 0, "v1 is not served yet");

    ns.env
        .metrics()
        .serve(&[RESOURCE_METRICS_V1])
        .await
        .unwrap();
    let before = reads(&ns, "v1beta1");
    ns.workload("new", 2, 200).await;
    ns.hpa("new", json!({})).await;
    let running = ns.start(ns.args()).await;
    eventually("new is scaled up from v1", 30, || async {
        ns.replicas("new").await.is_some_and(|n| n >= 4)
    })
    .await;
    running.stop().await.unwrap();
    assert!(reads(&ns, "v1") > 0);
    assert_eq!(reads(&ns, "v1beta1"), before, "v1beta1 is no longer read");
}
