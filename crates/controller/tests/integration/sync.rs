//! The happy path: an autoscaler is created, its pods and metrics are read, the scale is
//! written, then its status and events.

use alpaca_controller::memory::ANNOTATION;
use alpaca_fake_apiserver::{FakeApiServer, Verb};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scales_up_writes_status_and_events() {
    let fake = FakeApiServer::new();
    // two pods at 100% of their CPU request, target 50% → 4 replicas
    workload(&fake, "default", "php-apache", 2, "200m");
    let running = start(&fake, fast_args()).await;

    eventually("the scale is written", 10, || {
        replicas(&fake, "default", "php-apache") == Some(4)
    })
    .await;
    eventually("the status is written", 10, || {
        status_desired(&fake, "default", "php-apache") == Some(4)
    })
    .await;
    let hpa = fake
        .get::<HorizontalPodAutoscaler>("default", "php-apache")
        .unwrap();
    let status = hpa.status.unwrap();
    assert_eq!(status.current_replicas, Some(2));
    let conditions: Vec<(String, String)> = status
        .conditions
        .unwrap()
        .into_iter()
        .map(|c| (c.type_, c.status))
        .collect();
    assert!(conditions.contains(&("AbleToScale".into(), "True".into())));
    assert!(conditions.contains(&("ScalingActive".into(), "True".into())));
    let metric = &status.current_metrics.unwrap()[0];
    assert_eq!(
        metric
            .resource
            .as_ref()
            .unwrap()
            .current
            .average_utilization,
        Some(100)
    );
    eventually("SuccessfulRescale is recorded", 10, || {
        events(&fake, "default", "php-apache").iter().any(|(reason, message, _)| {
            reason == "SuccessfulRescale"
                && message == "New size: 4; reason: cpu resource utilization (percentage of request) above target"
        })
    })
    .await;
    // the memory is persisted on the object
    eventually("the memory is persisted", 10, || {
        fake.get::<HorizontalPodAutoscaler>("default", "php-apache")
            .and_then(|h| h.metadata.annotations)
            .is_some_and(|a| a.contains_key(ANNOTATION))
    })
    .await;

    // pods come from the watch cache, not a LIST per sync
    let syncs_before = fake.requests().len();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let pod_lists = fake
        .requests()
        .iter()
        .skip(syncs_before)
        .filter(|r| {
            r.info.verb == Some(Verb::List)
                && r.info.resource.as_deref() == Some("pods")
                && r.info.group.is_empty()
        })
        .count();
    assert_eq!(pod_lists, 0, "pods are read from the cache");
    assert!(
        running
            .metrics()
            .contains("alpaca_controller_syncs_total{result=\"success\"}")
    );
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespace_flag_limits_the_controller() {
    let fake = FakeApiServer::new();
    for ns in ["team-a", "team-b"] {
        fake.apply_json(
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        )
        .unwrap();
        workload(&fake, ns, "web", 2, "200m");
    }
    let args = alpaca_controller::ControllerArgs {
        namespace: Some("team-a".into()),
        ..fast_args()
    };
    let running = start(&fake, args).await;
    eventually("team-a scales", 10, || {
        replicas(&fake, "team-a", "web") == Some(4)
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(replicas(&fake, "team-b", "web"), Some(2));
    assert!(status_desired(&fake, "team-b", "web").is_none());
    running.stop().await.unwrap();
}
