//! HorizontalPodAutoscalers: v2 defaults and the autoscaling/v1 view of v2 storage.

use k8s_openapi::api::autoscaling::{v1, v2};
use kube::api::{Api, PostParams};
use serde_json::json;

use alpaca_fake_apiserver::FakeApiServer;

fn hpa_v2() -> v2::HorizontalPodAutoscaler {
    serde_json::from_value(json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "maxReplicas": 10,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}},
                {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}}
            ],
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}
        }
    }))
    .unwrap()
}

#[tokio::test]
async fn v2_defaults_and_v1_view() {
    let fake = FakeApiServer::new();
    let v2api: Api<v2::HorizontalPodAutoscaler> = Api::default_namespaced(fake.client());
    let created = v2api
        .create(&PostParams::default(), &hpa_v2())
        .await
        .unwrap();
    let spec = created.spec;
    assert_eq!(spec.min_replicas, Some(1));
    let behavior = spec.behavior.unwrap();
    assert_eq!(
        behavior
            .scale_down
            .as_ref()
            .unwrap()
            .stabilization_window_seconds,
        Some(60)
    );
    assert_eq!(behavior.scale_up.unwrap().policies.unwrap().len(), 2);

    let v1api: Api<v1::HorizontalPodAutoscaler> = Api::default_namespaced(fake.client());
    let mut old = v1api.get("web").await.unwrap();
    assert_eq!(old.spec.target_cpu_utilization_percentage, Some(60));
    old.spec.target_cpu_utilization_percentage = Some(75);
    v1api
        .replace("web", &PostParams::default(), &old)
        .await
        .unwrap();

    let back = v2api.get("web").await.unwrap().spec;
    let metrics = back.metrics.unwrap();
    assert_eq!(
        metrics[0]
            .resource
            .as_ref()
            .unwrap()
            .target
            .average_utilization,
        Some(75)
    );
    assert_eq!(
        metrics[1].type_, "Pods",
        "v1 writes keep what v1 cannot express"
    );
    assert!(back.behavior.is_some());

    // a v1 create without a target gets the default cpu metric
    let bare: v1::HorizontalPodAutoscaler = serde_json::from_value(json!({
        "metadata": {"name": "bare"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "bare"}, "maxReplicas": 3}
    }))
    .unwrap();
    v1api.create(&PostParams::default(), &bare).await.unwrap();
    let stored = fake
        .get::<v2::HorizontalPodAutoscaler>("default", "bare")
        .unwrap();
    let m = &stored.spec.metrics.unwrap()[0];
    assert_eq!(
        m.resource.as_ref().unwrap().target.average_utilization,
        Some(80)
    );
    assert_eq!(
        fake.get::<v1::HorizontalPodAutoscaler>("default", "bare")
            .unwrap()
            .spec
            .target_cpu_utilization_percentage,
        Some(80)
    );
}
