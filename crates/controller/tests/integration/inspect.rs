//! `alpaca snapshot` and `alpaca explain` as library calls: a live autoscaler captured
//! with its persisted memory, replayable with `decide`.

use alpaca_controller::memory::{ANNOTATION, annotation};
use alpaca_controller::{ControllerError, EngineFlags, Mode, Target};
use alpaca_engine::snapshot::{History, Recommendation};
use alpaca_fake_apiserver::FakeApiServer;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::support::*;

fn target(name: &str) -> Target {
    Target {
        namespace: None,
        name: name.into(),
        mode: Mode::Hpa,
        engine: alpaca_controller::ControllerArgs::default().engine,
    }
}

#[tokio::test]
async fn snapshot_captures_memory_and_replays() {
    let fake = FakeApiServer::new();
    workload(&fake, "default", "web", 2, "50m"); // 25% of the request: proposes 1 replica
    // the controller remembered recommending 6 a minute ago
    let remembered = History {
        recommendations: vec![Recommendation {
            // whole seconds: metav1.Time (and so the annotation) has second precision
            timestamp: Time(
                jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() - 60).unwrap(),
            ),
            replicas: 6,
        }],
        ..History::default()
    };
    let mut h = fake
        .get::<HorizontalPodAutoscaler>("default", "web")
        .unwrap();
    h.metadata
        .annotations
        .get_or_insert_default()
        .insert(ANNOTATION.into(), annotation::encode(&remembered));
    fake.apply(&h).unwrap();

    let snap = alpaca_controller::snapshot(fake.client(), &target("web"))
        .await
        .unwrap();
    assert_eq!(snap.history.as_ref(), Some(&remembered));
    assert_eq!(snap.pods.len(), 2);
    assert!(snap.pods.iter().all(|p| p.metadata.annotations.is_some()));
    assert_eq!(snap.pod_metrics.len(), 2);
    assert_eq!(
        snap.scale.as_ref().unwrap().spec.as_ref().unwrap().replicas,
        Some(2)
    );
    // it is a valid Snapshot file
    let yaml = serde_yaml_ng::to_string(&snap).unwrap();
    let back = alpaca_engine::read_snapshot(yaml.as_bytes()).unwrap();
    let decision = alpaca_engine::decide(&back).unwrap();
    // upstream without `behavior`: the highest recommendation in the window (the
    // remembered 6) is kept, limited to max(2 × 2, 4) per sync; without the memory the
    // first recommendation would be the current 2 and nothing would change
    assert_eq!(decision.desired_replicas, 4, "{:#?}", decision.explanation);
    assert!(decision.rescale);

    let (_, explained) = alpaca_controller::explain(fake.client(), &target("web"))
        .await
        .unwrap();
    assert_eq!(explained.desired_replicas, 4);
    assert!(!explained.explanation.is_empty());
    // nothing was written
    assert_eq!(replicas(&fake, "default", "web"), Some(2));
    assert!(
        fake.get::<HorizontalPodAutoscaler>("default", "web")
            .unwrap()
            .status
            .is_none()
    );
}

#[tokio::test]
async fn unknown_autoscaler_is_not_found() {
    let fake = FakeApiServer::new();
    let e = alpaca_controller::snapshot(fake.client(), &target("nope"))
        .await
        .unwrap_err();
    assert!(matches!(e, ControllerError::NotFound { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "horizontalpodautoscalers.autoscaling default/nope not found"
    );
    let _ = EngineFlags::clone(&alpaca_controller::ControllerArgs::default().engine);
}
