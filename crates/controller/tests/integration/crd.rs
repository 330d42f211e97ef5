//! CRD mode: Alpaca reconciles `alpaca.dev/v1` HorizontalPodAutoscalers (registered from
//! deploy/crd.yaml) and leaves the built-in `autoscaling/v2` ones to the built-in
//! controller.

use alpaca_controller::kind::AutoscalerKind;
use alpaca_controller::{ControllerArgs, Mode, crd};
use alpaca_fake_apiserver::FakeApiServer;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::api::{Api, DynamicObject};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciles_its_own_kind_only() {
    let fake = FakeApiServer::new();
    fake.register_crd(&crd::definition().unwrap()).unwrap();
    // a built-in HPA: not Alpaca's business in CRD mode
    workload(&fake, "default", "builtin", 2, "200m");
    // an Alpaca HPA
    fake.apply(&deployment("default", "web", 2)).unwrap();
    for i in 0..2 {
        fake.apply(&pod("default", "web", i)).unwrap();
        fake.set_pod_metrics(usage("default", "web", i, "200m"));
    }
    let mut obj = hpa_json("default", "web");
    obj["apiVersion"] = "alpaca.dev/v1".into();
    fake.apply_json(obj).unwrap();

    let args = ControllerArgs {
        mode: Mode::Crd,
        ..fast_args()
    };
    let running = start(&fake, args).await;
    eventually("the Alpaca HPA's target scales", 10, || {
        replicas(&fake, "default", "web") == Some(4)
    })
    .await;
    let kind = AutoscalerKind::new(Mode::Crd);
    let api: Api<DynamicObject> = Api::namespaced_with(fake.client(), "default", kind.resource());
    eventually_async("its status is written", 10, || {
        let api = api.clone();
        async move {
            api.get("web")
                .await
                .ok()
                .and_then(|o| o.data["status"]["desiredReplicas"].as_i64())
                == Some(4)
        }
    })
    .await;
    eventually("events name the alpaca.dev object", 10, || {
        fake.list::<k8s_openapi::api::core::v1::Event>(Some("default"))
            .iter()
            .any(|e| {
                e.involved_object.api_version.as_deref() == Some("alpaca.dev/v1")
                    && e.reason.as_deref() == Some("SuccessfulRescale")
            })
    })
    .await;
    // the built-in one was not touched
    assert_eq!(replicas(&fake, "default", "builtin"), Some(2));
    assert!(
        fake.get::<HorizontalPodAutoscaler>("default", "builtin")
            .unwrap()
            .status
            .is_none()
    );
    running.stop().await.unwrap();
}
