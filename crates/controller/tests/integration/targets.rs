//! Scale targets beyond Deployments, found through discovery: StatefulSets and
//! ReplicationControllers scale; a custom resource's scale is read through discovery, but
//! the engine's static REST mapper refuses its kind (see docs/controller.md, Limits).

use alpaca_fake_apiserver::{FakeApiServer, Verb};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::ReplicationController;
use serde_json::json;

use crate::support::*;

fn pods_with_usage(fake: &FakeApiServer, app: &str) {
    for i in 0..2 {
        fake.apply(&pod("default", app, i)).unwrap();
        fake.set_pod_metrics(usage("default", app, i, "200m"));
    }
}

fn hpa_on(fake: &FakeApiServer, name: &str, api_version: &str, kind: &str) {
    let mut h = hpa_json("default", name);
    h["spec"]["scaleTargetRef"] = json!({"apiVersion": api_version, "kind": kind, "name": name});
    fake.apply_json(h).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statefulsets_replication_controllers_and_custom_resources() {
    let fake = FakeApiServer::new();
    fake.apply_json(json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "default"},
        "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}
    }))
    .unwrap();
    pods_with_usage(&fake, "db");
    hpa_on(&fake, "db", "apps/v1", "StatefulSet");
    fake.apply_json(json!({
        "apiVersion": "v1", "kind": "ReplicationController",
        "metadata": {"name": "legacy", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"app": "legacy"},
                 "template": {"metadata": {"labels": {"app": "legacy"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}
    }))
    .unwrap();
    pods_with_usage(&fake, "legacy");
    hpa_on(&fake, "legacy", "v1", "ReplicationController");
    fake.register_crd(
        &serde_json::from_value(json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
                     "versions": [{"name": "v1", "served": true, "storage": true,
                                   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                                   "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size",
                                       "statusReplicasPath": ".status.count", "labelSelectorPath": ".status.selector"}}}]}
        }))
        .unwrap(),
    )
    .unwrap();
    fake.apply_json(json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "namespace": "default"},
        "spec": {"size": 2}, "status": {"count": 2, "selector": "app=w"}
    }))
    .unwrap();
    pods_with_usage(&fake, "w");
    hpa_on(&fake, "w", "example.com/v1", "Widget");

    let running = start(&fake, fast_args()).await;
    eventually(
        "the StatefulSet and the ReplicationController scale",
        10,
        || {
            fake.get::<StatefulSet>("default", "db")
                .and_then(|s| s.spec.replicas)
                == Some(4)
                && fake
                    .get::<ReplicationController>("default", "legacy")
                    .and_then(|r| r.spec?.replicas)
                    == Some(4)
        },
    )
    .await;
    eventually("the Widget's autoscaler has a status", 10, || {
        fake.get::<HorizontalPodAutoscaler>("default", "w")
            .and_then(|h| h.status)
            .is_some()
    })
    .await;
    // the controller found the Widget's scale through discovery and read it ...
    assert!(fake.requests().iter().any(|r| {
        r.info.verb == Some(Verb::Get)
            && r.path == "/apis/example.com/v1/namespaces/default/widgets/w/scale"
            && r.status == 200
    }));
    // ... and, the kind being known through discovery (the Snapshot's `customKinds`), the
    // engine scaled it like the built-in kinds
    eventually("the Widget scales", 10, || {
        fake.get::<HorizontalPodAutoscaler>("default", "w")
            .and_then(|h| h.status)
            .and_then(|s| s.conditions)
            .into_iter()
            .flatten()
            .any(|c| c.type_ == "AbleToScale" && c.status == "True")
    })
    .await;
    let status = fake
        .get::<HorizontalPodAutoscaler>("default", "w")
        .unwrap()
        .status
        .unwrap();
    assert!(
        !status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.reason.as_deref() == Some("FailedGetScale")),
        "{status:?}"
    );
    assert_eq!(status.current_replicas, Some(2), "{status:?}");
    running.stop().await.unwrap();
}
