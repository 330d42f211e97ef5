//! Discovery as kube::discovery uses it: legacy and aggregated, scale subresources of
//! built-ins and registered CRDs, the metrics groups.

use kube::CustomResourceExt;
use kube::core::GroupVersionKind;
use kube::discovery::{Discovery, verbs};

use crate::scale::Widget;
use alpaca_fake_apiserver::FakeApiServer;

fn has_scale(d: &Discovery, group: &str, version: &str, kind: &str) -> bool {
    let (_, caps) = d
        .resolve_gvk(&GroupVersionKind::gvk(group, version, kind))
        .unwrap_or_else(|| panic!("{kind} not discovered"));
    caps.subresources
        .iter()
        .any(|(ar, _)| ar.plural == "scale" || ar.plural.ends_with("/scale"))
}

#[tokio::test]
async fn legacy_and_aggregated_discovery() {
    let fake = FakeApiServer::new();
    fake.register_crd(&Widget::crd()).unwrap();
    for aggregated in [false, true] {
        let d = Discovery::new(fake.client());
        let d = if aggregated {
            d.run_aggregated().await.unwrap()
        } else {
            d.run().await.unwrap()
        };
        assert!(
            has_scale(&d, "apps", "v1", "Deployment"),
            "aggregated={aggregated}"
        );
        assert!(has_scale(&d, "", "v1", "ReplicationController"));
        assert!(has_scale(&d, "example.com", "v1", "Widget"));
        let (hpa, caps) = d
            .resolve_gvk(&GroupVersionKind::gvk(
                "autoscaling",
                "v2",
                "HorizontalPodAutoscaler",
            ))
            .unwrap();
        assert_eq!(hpa.plural, "horizontalpodautoscalers");
        assert!(caps.supports_operation(verbs::WATCH));
        assert!(
            caps.subresources
                .iter()
                .any(|(ar, _)| ar.plural.ends_with("status"))
        );
        assert!(
            d.has_group("metrics.k8s.io")
                && d.has_group("custom.metrics.k8s.io")
                && d.has_group("external.metrics.k8s.io")
        );
        assert_eq!(
            d.get("autoscaling").unwrap().preferred_version_or_latest(),
            "v2"
        );
        assert!(
            d.resolve_gvk(&GroupVersionKind::gvk("events.k8s.io", "v1", "Event"))
                .is_some()
        );
        assert!(
            d.resolve_gvk(&GroupVersionKind::gvk("coordination.k8s.io", "v1", "Lease"))
                .is_some()
        );
    }
}

#[tokio::test]
async fn dynamic_scale_of_a_discovered_kind() {
    use kube::api::{Api, DynamicObject, Patch, PatchParams};
    use serde_json::json;

    let fake = FakeApiServer::new();
    fake.register_crd(&Widget::crd()).unwrap();
    fake.apply_json(json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "namespace": "default"},
        "spec": {"size": 3}, "status": {"count": 1, "selector": "app=w"}
    }))
    .unwrap();
    let client = fake.client();
    let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
    let (ar, caps) = kube::discovery::pinned_kind(&client, &gvk).await.unwrap();
    assert!(
        caps.subresources
            .iter()
            .any(|(sub, _)| sub.plural.ends_with("scale"))
    );
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &ar);
    let scale = api.get_scale("w").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(3));
    assert_eq!(scale.status.unwrap().selector.as_deref(), Some("app=w"));
    let patched = api
        .patch_scale(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.spec.unwrap().replicas, Some(5));
    assert_eq!(api.get("w").await.unwrap().data["spec"]["size"], 5);
}
