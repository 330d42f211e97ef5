//! Kubernetes 1.37's scale to zero on the real control plane (its API server started with
//! `--feature-gates=HPAScaleToZero=true`, as 1.37 has it by default): a queue worker whose
//! queue empties goes to zero with `ScaledToZero` True, wakes when messages come, and a
//! worker scaled to zero by hand stays paused; plus a per-autoscaler sync period.

use serde_json::json;

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_queue_worker_scales_to_zero_and_wakes_up() {
    let Some(ns) = Ns::new("a_queue_worker_scales_to_zero").await else {
        return;
    };
    ns.workload("worker", 2, 100).await;
    set_queue(&ns, 0);
    ns.hpa(
        "worker",
        json!({"minReplicas": 0,
               "metrics": [{"type": "External", "external": {
                   "metric": {"name": "queue"},
                   "target": {"type": "AverageValue", "averageValue": "10"}}}],
               "behavior": {"scaleDown": {"stabilizationWindowSeconds": 0}}}),
    )
    .await;
    let running = ns.start(ns.args()).await;
    eventually("the worker at 0 replicas", 30, || async {
        ns.replicas("worker").await == Some(0)
    })
    .await;
    eventually("ScaledToZero True", 10, || async {
        ns.condition("worker", "ScaledToZero").await == Some(("True".into(), "ScaledToZero".into()))
    })
    .await;
    // messages: from zero, ceil(25 / 10) = 3
    set_queue(&ns, 25);
    eventually("the worker back at 3 replicas", 30, || async {
        ns.replicas("worker").await == Some(3)
    })
    .await;
    eventually("ScaledToZero False", 10, || async {
        ns.condition("worker", "ScaledToZero").await
            == Some(("False".into(), "NotScaledToZero".into()))
    })
    .await;
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_scaled_to_zero_by_hand_stays_paused() {
    let Some(ns) = Ns::new("scaled_to_zero_by_hand").await else {
        return;
    };
    ns.workload("worker", 0, 100).await;
    set_queue(&ns, 50);
    ns.hpa(
        "worker",
        json!({"minReplicas": 0,
               "metrics": [{"type": "External", "external": {
                   "metric": {"name": "queue"},
                   "target": {"type": "AverageValue", "averageValue": "10"}}}]}),
    )
    .await;
    let running = ns.start(ns.args()).await;
    eventually("ScalingActive False ScalingDisabled", 30, || async {
        ns.condition("worker", "ScalingActive").await
            == Some(("False".into(), "ScalingDisabled".into()))
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(ns.replicas("worker").await, Some(0));
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_sync_period_annotation_is_reported_on_the_autoscaler() {
    let Some(ns) = Ns::new("bad_sync_period_annotation").await else {
        return;
    };
    ns.workload("web", 1, 100).await;
    let mut h = hpa_json("web");
    h["metadata"]["annotations"] = json!({"alpaca.dev/sync-period-seconds": "7200"});
    ns.apply::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>(h)
        .await;
    let running = ns.start(ns.args()).await;
    eventually("SettingsValid False InvalidSyncPeriod", 30, || async {
        ns.condition("web", "SettingsValid").await
            == Some(("False".into(), "InvalidSyncPeriod".into()))
    })
    .await;
    eventually("the InvalidSyncPeriod event", 10, || async {
        ns.has_event("web", "InvalidSyncPeriod").await
    })
    .await;
    running.stop().await.unwrap();
}
