//! Two replicas with leader election: only the leader writes; when it shuts down (or
//! dies) the other takes the Lease over, with the memory intact.

use std::time::Duration;

use alpaca_controller::ControllerArgs;
use alpaca_controller::memory::{ANNOTATION, annotation};
use alpaca_fake_apiserver::{FakeApiServer, Verb};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::coordination::v1::Lease;
use serde_json::json;

use crate::support::*;

fn elected(identity: &str) -> ControllerArgs {
    ControllerArgs {
        leader_elect: true,
        leader_elect_identity: Some(identity.into()),
        leader_elect_resource_namespace: Some("kube-system".into()),
        leader_elect_lease_duration: alpaca_metrics_api::GoDuration::from_secs(2),
        leader_elect_renew_margin: alpaca_metrics_api::GoDuration::from_secs(1),
        ..fast_args()
    }
}

/// An HPA that may add one pod per minute: the scale-up events in its memory decide
/// whether the next replica may be added.
fn rate_limited(fake: &FakeApiServer) {
    workload(fake, "default", "web", 2, "200m");
    let mut h = hpa_json("default", "web");
    h["spec"]["behavior"] = json!({"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}});
    fake.apply_json(h).unwrap();
}

fn holder(fake: &FakeApiServer) -> Option<String> {
    fake.get::<Lease>("kube-system", "alpaca-controller")?
        .spec?
        .holder_identity
}

fn memory(fake: &FakeApiServer) -> Option<alpaca_engine::snapshot::History> {
    let h = fake.get::<HorizontalPodAutoscaler>("default", "web")?;
    annotation::decode(h.metadata.annotations?.get(ANNOTATION)?).ok()
}

fn scale_writes(fake: &FakeApiServer) -> usize {
    fake.requests()
        .iter()
        .filter(|r| {
            r.info.verb == Some(Verb::Update) && r.info.subresource.as_deref() == Some("scale")
        })
        .count()
}

async fn takes_over(crash: bool) {
    let fake = FakeApiServer::new();
    rate_limited(&fake);
    let a = start(&fake, elected("replica-a")).await;
    eventually("a leads", 10, || {
        holder(&fake).as_deref() == Some("replica-a")
    })
    .await;
    let b = start(&fake, elected("replica-b")).await;
    eventually("a adds one replica", 10, || {
        replicas(&fake, "default", "web") == Some(3)
    })
    .await;
    eventually("a's memory is persisted", 10, || {
        memory(&fake).is_some_and(|m| !m.scale_up_events.is_empty())
    })
    .await;
    let before = memory(&fake).unwrap();
    // b stands by: only one scale write so far, and the rate limit holds under a
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(scale_writes(&fake), 1);
    assert!(!b.metrics().contains("alpaca_controller_syncs_total"));
    assert!(b.metrics().contains("alpaca_controller_leader 0"));

    if crash {
        a.kill();
    } else {
        a.stop().await.unwrap();
        // a clean shutdown releases the lease
        assert_eq!(holder(&fake), None);
    }
    eventually("b takes over", 15, || {
        holder(&fake).as_deref() == Some("replica-b")
    })
    .await;
    eventually("b syncs", 10, || {
        b.metrics()
            .contains("alpaca_controller_syncs_total{result=\"success\"}")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // with a's scale-up event remembered, b may not add a replica within the minute
    assert_eq!(replicas(&fake, "default", "web"), Some(3));
    assert_eq!(scale_writes(&fake), 1);
    let after = memory(&fake).unwrap();
    assert_eq!(after.scale_up_events, before.scale_up_events);
    assert!(
        after.recommendations.len() > before.recommendations.len()
            || after.recommendations != before.recommendations
    );
    b.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_replica_takes_over_with_memory_on_shutdown() {
    takes_over(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_replica_takes_over_with_memory_after_a_crash() {
    takes_over(true).await;
}
