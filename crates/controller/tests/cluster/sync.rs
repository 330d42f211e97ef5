//! The happy path on a real API server: real Deployments scaled through their scale
//! subresource, pods made by kube-controller-manager, CPU through the aggregator, status
//! through the status subresource, events through the events API, the memory persisted.

use alpaca_controller::memory::ANNOTATION;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scales_a_real_deployment_and_writes_status_and_events() {
    let Some(ns) = Ns::new("scales_a_real_deployment").await else {
        return;
    };
    // two pods at 100% of their CPU request, target 50% → 4 replicas
    ns.workload("php-apache", 2, 200).await;
    ns.hpa("php-apache", serde_json::json!({})).await;
    let running = ns.start(ns.args()).await;

    eventually("the scale is written", 30, || async {
        ns.replicas("php-apache").await == Some(4)
    })
    .await;
    ns.wait_ready_pods("php-apache", 4).await;
    eventually("the status says 4 desired", 30, || async {
        ns.hpa_object("php-apache")
            .await
            .and_then(|h| h.status)
            .is_some_and(|s| s.desired_replicas == 4)
    })
    .await;
    let status = ns.hpa_object("php-apache").await.unwrap().status.unwrap();
    assert!(status.last_scale_time.is_some());
    let able = ns.condition("php-apache", "AbleToScale").await.unwrap();
    assert_eq!(able.0, "True", "{able:?}");
    let active = ns.condition("php-apache", "ScalingActive").await.unwrap();
    assert_eq!(active, ("True".into(), "ValidMetricFound".into()));
    eventually("SuccessfulRescale is recorded", 30, || async {
        ns.events("php-apache").await.iter().any(|(reason, message, _, component)| {
            reason == "SuccessfulRescale"
                && message == "New size: 4; reason: cpu resource utilization (percentage of request) above target"
                && component == alpaca_controller::cluster::COMPONENT
        })
    })
    .await;
    eventually("the memory is persisted on the object", 30, || async {
        ns.hpa_object("php-apache")
            .await
            .and_then(|h| h.metadata.annotations)
            .is_some_and(|a| a.contains_key(ANNOTATION))
    })
    .await;
    // managedFields say who wrote the status
    let hpa = ns.hpa_object("php-apache").await.unwrap();
    let managers: Vec<String> = hpa
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert!(
        managers.iter().any(|m| m.starts_with("alpaca")),
        "an Alpaca field manager among {managers:?}"
    );
    assert!(
        running
            .metrics()
            .contains("alpaca_controller_syncs_total{result=\"success\"}")
    );
    running.stop().await.unwrap();
}
