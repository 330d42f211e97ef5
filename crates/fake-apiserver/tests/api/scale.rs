//! The `/scale` subresource of Deployments and of a registered custom resource.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelectorRequirement, ObjectMeta};
use kube::CustomResource;
use kube::CustomResourceExt;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::{api_error, deployment};
use alpaca_fake_apiserver::FakeApiServer;

/// A test custom resource with status and scale subresources.
#[derive(CustomResource, Serialize, Deserialize, Debug, Clone, Default)]
#[kube(
    group = "example.com",
    version = "v1",
    kind = "Widget",
    namespaced,
    schema = "disabled"
)]
#[kube(status = "WidgetStatus")]
#[kube(scale(
    spec_replicas_path = ".spec.size",
    status_replicas_path = ".status.count",
    label_selector_path = ".status.selector"
))]
pub struct WidgetSpec {
    /// Desired size.
    pub size: i32,
}

/// Status of a Widget.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct WidgetStatus {
    /// Observed count.
    pub count: i32,
    /// Selector string.
    pub selector: String,
}

#[tokio::test]
async fn deployment_scale() {
    let fake = FakeApiServer::new();
    let mut d = deployment("web", "web", Some(3));
    d.spec.selector.match_expressions = Some(vec![LabelSelectorRequirement {
        key: "tier".into(),
        operator: "In".into(),
        values: Some(vec!["front".into(), "edge".into()]),
    }]);
    d.status = Some(k8s_openapi::api::apps::v1::DeploymentStatus {
        replicas: Some(2),
        ..Default::default()
    });
    let seeded = fake.apply(&d).unwrap();
    let api: Api<Deployment> = Api::default_namespaced(fake.client());

    let scale = api.get_scale("web").await.unwrap();
    assert_eq!(scale.spec.as_ref().unwrap().replicas, Some(3));
    let status = scale.status.clone().unwrap();
    assert_eq!(status.replicas, 2);
    assert_eq!(
        status.selector.as_deref(),
        Some("app=web,tier in (edge,front)")
    );
    assert_eq!(
        scale.metadata.resource_version,
        seeded.metadata.resource_version
    );

    let mut wanted = scale.clone();
    wanted.spec = Some(ScaleSpec { replicas: Some(6) });
    let after = api
        .replace_scale("web", &PostParams::default(), &wanted)
        .await
        .unwrap();
    assert_eq!(after.spec.unwrap().replicas, Some(6));
    let stored = fake.get::<Deployment>("default", "web").unwrap();
    assert_eq!(stored.spec.replicas, Some(6));
    assert_eq!(stored.metadata.generation, Some(2));

    // the same (now stale) Scale conflicts on the deployment
    let e = api_error(
        api.replace_scale("web", &PostParams::default(), &wanted)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code, 409);
    assert!(
        e.message
            .starts_with("Operation cannot be fulfilled on deployments.apps \"web\""),
        "{}",
        e.message
    );

    let patched = api
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.spec.unwrap().replicas, Some(1));

    let negative = Scale {
        metadata: ObjectMeta::default(),
        spec: Some(ScaleSpec { replicas: Some(-1) }),
        status: None,
    };
    let e = api_error(
        api.replace_scale("web", &PostParams::default(), &negative)
            .await
            .unwrap_err(),
    );
    assert_eq!((e.code, e.reason.as_str()), (422, "Invalid"));
    assert_eq!(
        api_error(api.get_scale("nope").await.unwrap_err()).code,
        404
    );

    let sts: Api<StatefulSet> = Api::default_namespaced(fake.client());
    assert_eq!(api_error(sts.get_scale("web").await.unwrap_err()).code, 404);
}

#[tokio::test]
async fn custom_resource_scale() {
    let fake = FakeApiServer::new();
    fake.register_crd(&Widget::crd()).unwrap();
    let api: Api<Widget> = Api::default_namespaced(fake.client());
    let mut w = Widget::new("w1", WidgetSpec { size: 2 });
    w.metadata.namespace = Some("default".into());
    api.create(&PostParams::default(), &w).await.unwrap();
    let status = json!({"status": {"count": 2, "selector": "app=w1"}});
    api.patch_status("w1", &PatchParams::default(), &Patch::Merge(status))
        .await
        .unwrap();

    let scale = api.get_scale("w1").await.unwrap();
    assert_eq!(scale.spec.as_ref().unwrap().replicas, Some(2));
    assert_eq!(scale.status.as_ref().unwrap().replicas, 2);
    assert_eq!(
        scale.status.as_ref().unwrap().selector.as_deref(),
        Some("app=w1")
    );

    let mut wanted = scale.clone();
    wanted.spec = Some(ScaleSpec { replicas: Some(9) });
    api.replace_scale("w1", &PostParams::default(), &wanted)
        .await
        .unwrap();
    assert_eq!(api.get("w1").await.unwrap().spec.size, 9);
    let e = api_error(
        api.replace_scale("w1", &PostParams::default(), &wanted)
            .await
            .unwrap_err(),
    );
    assert!(
        e.message
            .starts_with("Operation cannot be fulfilled on widgets.example.com \"w1\""),
        "{}",
        e.message
    );
}
