//! Scale targets beyond Deployments on a real API server, found through discovery: a
//! StatefulSet (its pods made by kube-controller-manager's StatefulSet controller) and a
//! custom resource with a scale subresource (`specReplicasPath`, `statusReplicasPath`,
//! `labelSelectorPath`) whose pods are plain Pods made by the test.

use alpaca_testenv::CpuLoad;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::json;

use crate::support::*;

/// An HPA (1..=10, 50% CPU) on `api_version`/`kind` `name`.
async fn hpa_on(ns: &Ns, name: &str, api_version: &str, kind: &str) {
    ns.hpa(
        name,
        json!({"scaleTargetRef": {"apiVersion": api_version, "kind": kind, "name": name}}),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scales_a_statefulset() {
    let Some(ns) = Ns::new("target_statefulset").await else {
        return;
    };
    ns.apply::<StatefulSet>(json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {"replicas": 2, "serviceName": "db", "podManagementPolicy": "Parallel",
                 "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}},
                              "spec": {"containers": [{"name": "db", "image": "db",
                                       "resources": {"requests": {"cpu": "200m"}}}]}}}
    }))
    .await;
    ns.env
        .metrics()
        .set_cpu(&ns.name, "db", CpuLoad::Total(400));
    ns.wait_ready_pods("db", 2).await;
    hpa_on(&ns, "db", "apps/v1", "StatefulSet").await;
    let running = ns.start(ns.args()).await;
    eventually("the StatefulSet is scaled to 4", 30, || async {
        ns.api::<StatefulSet>()
            .get("db")
            .await
            .ok()
            .and_then(|s| s.spec.replicas)
            == Some(4)
    })
    .await;
    // kube-controller-manager makes the two new pods; the load spread over 4 is at target
    ns.wait_ready_pods("db", 4).await;
    eventually("the status counts 4 current replicas", 30, || async {
        ns.hpa_object("db")
            .await
            .and_then(|h| h.status)
            .is_some_and(|s| s.current_replicas == Some(4) && s.desired_replicas == 4)
    })
    .await;
    assert!(ns.has_event("db", "SuccessfulRescale").await);
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scales_a_custom_resource_through_its_scale_subresource() {
    let Some(ns) = Ns::new("target_custom_resource").await else {
        return;
    };
    let crds: Api<CustomResourceDefinition> = Api::all(ns.client.clone());
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                               "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size",
                                   "statusReplicasPath": ".status.count", "labelSelectorPath": ".status.selector"}}}]}
    });
    crds.patch(
        "widgets.example.com",
        &PatchParams::apply("test").force(),
        &Patch::Apply(crd),
    )
    .await
    .unwrap();
    eventually("the Widget CRD is Established", 30, || async {
        crds.get("widgets.example.com").await.is_ok_and(|c| {
            c.status.and_then(|s| s.conditions).is_some_and(|c| {
                c.iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
            })
        })
    })
    .await;
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("example.com", "v1", "Widget"),
        "widgets",
    );
    let widgets: Api<DynamicObject> = Api::namespaced_with(ns.client.clone(), &ns.name, &resource);
    let pp = PatchParams::apply("test").force();
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget",
                        "metadata": {"name": "w"}, "spec": {"size": 2}});
    eventually("the Widget is created", 30, || async {
        widgets
            .patch("w", &pp, &Patch::Apply(&widget))
            .await
            .is_ok()
    })
    .await;
    widgets
        .patch_status(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"count": 2, "selector": "app=w"}})),
        )
        .await
        .unwrap();
    // its pods, by hand: the kubelet stand-in runs them, each at 100% of its request
    for i in 0..2 {
        ns.apply::<Pod>(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("w-{i}"), "labels": {"app": "w"}},
            "spec": {"containers": [{"name": "w", "image": "w",
                     "resources": {"requests": {"cpu": "200m"}}}]}
        }))
        .await;
    }
    ns.env
        .metrics()
        .set_cpu(&ns.name, "w", CpuLoad::PerPod(200));
    ns.wait_ready_pods("w", 2).await;
    hpa_on(&ns, "w", "example.com/v1", "Widget").await;

    let running = ns.start(ns.args()).await;
    // the scale written through the subresource lands in spec.size
    eventually("the Widget's spec.size is 4", 30, || async {
        widgets
            .get("w")
            .await
            .ok()
            .and_then(|w| w.data["spec"]["size"].as_i64())
            == Some(4)
    })
    .await;
    eventually("the status says 2 current, 4 desired", 30, || async {
        ns.hpa_object("w")
            .await
            .and_then(|h| h.status)
            .is_some_and(|s| s.current_replicas == Some(2) && s.desired_replicas == 4)
    })
    .await;
    let able = ns.condition("w", "AbleToScale").await.unwrap();
    assert_eq!(able.0, "True", "{able:?}");
    let active = ns.condition("w", "ScalingActive").await.unwrap();
    assert_eq!(active, ("True".into(), "ValidMetricFound".into()));
    assert!(ns.has_event("w", "SuccessfulRescale").await);
    running.stop().await.unwrap();
}

/// The REST mapper knows what a current API server serves: a Deployment in the removed
/// `extensions` group fails as upstream's `no matches for kind`, one in a removed version
/// of `apps` (`apps/v1beta2`) is found by group and kind, as upstream's mapper finds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_in_a_removed_group_is_not_found() {
    let Some(ns) = Ns::new("target_removed_group").await else {
        return;
    };
    // two pods at 100% of their CPU request, target 50% → 4
    ns.workload("web", 2, 200).await;
    hpa_on(&ns, "old", "extensions/v1beta1", "Deployment").await;
    let mut beta = hpa_json("web");
    beta["metadata"]["name"] = "beta".into();
    beta["spec"]["scaleTargetRef"]["apiVersion"] = "apps/v1beta2".into();
    ns.apply::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>(beta)
        .await;
    // `old` names Deployment "old" (none exists): the mapper fails before any read
    let running = ns.start(ns.args()).await;
    let message = "no matches for kind \"Deployment\" in group \"extensions\"";
    eventually("old: AbleToScale False FailedGetScale, no matches", 30, || async {
        ns.hpa_object("old")
            .await
            .and_then(|h| h.status?.conditions)
            .is_some_and(|c| {
                c.iter().any(|c| {
                    c.type_ == "AbleToScale"
                        && c.status == "False"
                        && c.reason.as_deref() == Some("FailedGetScale")
                        && c.message.as_deref()
                            == Some(&*format!(
                                "the HPA controller was unable to get the target's current scale: {message}"
                            ))
                })
            })
    })
    .await;
    eventually("old: a FailedGetScale event", 30, || async {
        ns.events("old")
            .await
            .iter()
            .any(|(reason, msg, _, _)| reason == "FailedGetScale" && msg == message)
    })
    .await;
    eventually(
        "beta (apps/v1beta2) scales the Deployment to 4",
        30,
        || async { ns.replicas("web").await == Some(4) },
    )
    .await;
    running.stop().await.unwrap();
}
