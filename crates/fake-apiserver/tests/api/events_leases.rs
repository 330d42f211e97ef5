//! Leases (leader election) with conflicts, and Events in both APIs.

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Event as CoreEvent;
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, PostParams};
use serde_json::json;

use crate::support::api_error;
use alpaca_fake_apiserver::FakeApiServer;

#[tokio::test]
async fn lease_create_update_conflict() {
    let fake = FakeApiServer::new();
    let api: Api<Lease> = Api::namespaced(fake.client(), "kube-system");
    let lease: Lease = serde_json::from_value(json!({
        "metadata": {"name": "alpaca-controller"},
        "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15}
    }))
    .unwrap();
    let created = api.create(&PostParams::default(), &lease).await.unwrap();
    assert_eq!(
        api_error(
            api.create(&PostParams::default(), &lease)
                .await
                .unwrap_err()
        )
        .reason,
        "AlreadyExists"
    );

    let mut mine = created.clone();
    mine.spec.as_mut().unwrap().holder_identity = Some("b".into());
    api.replace("alpaca-controller", &PostParams::default(), &mine)
        .await
        .unwrap();
    let mut theirs = created;
    theirs.spec.as_mut().unwrap().holder_identity = Some("c".into());
    let e = api_error(
        api.replace("alpaca-controller", &PostParams::default(), &theirs)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code, 409);
    assert!(e.message.starts_with(
        "Operation cannot be fulfilled on leases.coordination.k8s.io \"alpaca-controller\""
    ));
    assert_eq!(
        api.get("alpaca-controller")
            .await
            .unwrap()
            .spec
            .unwrap()
            .holder_identity
            .as_deref(),
        Some("b")
    );
}

#[tokio::test]
async fn events_in_both_apis() {
    let fake = FakeApiServer::new();
    let core: Api<CoreEvent> = Api::default_namespaced(fake.client());
    let ev: CoreEvent = serde_json::from_value(json!({
        "metadata": {"name": "web.1"},
        "involvedObject": {"kind": "HorizontalPodAutoscaler", "name": "web", "namespace": "default"},
        "reason": "SuccessfulRescale", "message": "New size: 3; reason: cpu resource utilization above target",
        "type": "Normal", "count": 1
    }))
    .unwrap();
    core.create(&PostParams::default(), &ev).await.unwrap();

    let new_api: Api<Event> = Api::default_namespaced(fake.client());
    let ev2: Event = serde_json::from_value(json!({
        "metadata": {"name": "web.2"},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "regarding": {"kind": "HorizontalPodAutoscaler", "name": "web", "namespace": "default"},
        "reason": "FailedGetScale", "note": "deployments/scale.apps \"web\" not found",
        "type": "Warning", "action": "GetScale", "reportingController": "alpaca", "reportingInstance": "alpaca-1"
    }))
    .unwrap();
    new_api.create(&PostParams::default(), &ev2).await.unwrap();

    // each API sees both, converted
    let seen_new = new_api.get("web.1").await.unwrap();
    assert_eq!(
        seen_new.note.as_deref(),
        Some("New size: 3; reason: cpu resource utilization above target")
    );
    assert_eq!(seen_new.regarding.unwrap().name.as_deref(), Some("web"));
    let seen_core = core.get("web.2").await.unwrap();
    assert_eq!(
        seen_core.message.as_deref(),
        Some("deployments/scale.apps \"web\" not found")
    );
    assert_eq!(seen_core.reporting_component.as_deref(), Some("alpaca"));
    assert_eq!(fake.list::<CoreEvent>(Some("default")).len(), 2);
}
