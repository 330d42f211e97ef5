//! `alpaca snapshot` and `alpaca explain` against a real API server: a live autoscaler
//! captured with its persisted memory, replayable with `decide`, and nothing written.

use alpaca_controller::memory::{ANNOTATION, annotation};
use alpaca_controller::{ControllerError, Mode, Target};
use alpaca_engine::snapshot::{History, Recommendation};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Patch, PatchParams};
use serde_json::json;

use crate::support::*;

fn target(ns: &Ns, name: &str) -> Target {
    Target {
        namespace: Some(ns.name.clone()),
        name: name.into(),
        mode: Mode::Hpa,
        engine: alpaca_controller::ControllerArgs::default().engine,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_captures_memory_and_replays() {
    let Some(ns) = Ns::new("inspect").await else {
        return;
    };
    ns.workload("web", 2, 50).await; // 25% of the request: proposes 1 replica
    ns.hpa("web", json!({})).await;
    // the controller remembered recommending 6 a minute ago
    let remembered = History {
        recommendations: vec![Recommendation {
            timestamp: Time(
                jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() - 60).unwrap(),
            ),
            replicas: 6,
        }],
        ..History::default()
    };
    ns.api::<HorizontalPodAutoscaler>()
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"metadata": {"annotations": {ANNOTATION: annotation::encode(&remembered)}}}),
            ),
        )
        .await
        .unwrap();
    // the resource metrics pipeline has sampled both pods
    eventually("both pods have metrics", 30, || async {
        alpaca_controller::snapshot(ns.client.clone(), &target(&ns, "web"))
            .await
            .is_ok_and(|s| s.pod_metrics.len() == 2)
    })
    .await;

    let snap = alpaca_controller::snapshot(ns.client.clone(), &target(&ns, "web"))
        .await
        .unwrap();
    assert_eq!(snap.history.as_ref(), Some(&remembered));
    assert_eq!(snap.pods.len(), 2);
    assert_eq!(
        snap.scale.as_ref().unwrap().spec.as_ref().unwrap().replicas,
        Some(2)
    );
    let yaml = serde_yaml_ng::to_string(&snap).unwrap();
    let back = alpaca_engine::read_snapshot(yaml.as_bytes()).unwrap();
    let decision = alpaca_engine::decide(&back).unwrap();
    // no behavior: the remembered 6 is kept, limited to max(2 × 2, 4) per sync
    assert_eq!(decision.desired_replicas, 4, "{:#?}", decision.explanation);
    assert!(decision.rescale);

    let (_, explained) = alpaca_controller::explain(ns.client.clone(), &target(&ns, "web"))
        .await
        .unwrap();
    assert_eq!(explained.desired_replicas, 4);
    assert!(!explained.explanation.is_empty());
    // nothing was written
    assert_eq!(ns.replicas("web").await, Some(2));
    let status = ns
        .hpa_object("web")
        .await
        .unwrap()
        .status
        .unwrap_or_default();
    assert!(status.conditions.is_none(), "{status:?}");
    assert_eq!(status.desired_replicas, 0, "{status:?}");

    let e = alpaca_controller::snapshot(ns.client.clone(), &target(&ns, "nope"))
        .await
        .unwrap_err();
    assert!(matches!(e, ControllerError::NotFound { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "horizontalpodautoscalers.autoscaling {}/nope not found",
            ns.name
        )
    );
}
