//! CRD mode on a real API server: deploy/crd.yaml applied for real (server-side apply,
//! Established), an `alpaca.dev/v1` HorizontalPodAutoscaler scaled by a controller in
//! `--mode crd` with its status and events written on the custom object, while an
//! `autoscaling/v2` HPA in the same namespace is left alone.

use alpaca_controller::kind::AutoscalerKind;
use alpaca_controller::{ControllerArgs, Mode};
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};

use crate::manifests::install_crd;
use crate::support::*;

/// The custom autoscalers of the namespace.
pub fn alpaca_hpas(ns: &Ns) -> Api<DynamicObject> {
    let kind = AutoscalerKind::new(Mode::Crd);
    Api::namespaced_with(ns.client.clone(), &ns.name, kind.resource())
}

/// An `alpaca.dev/v1` HPA on Deployment `name`: 1..=10 replicas, 50% CPU.
pub async fn alpaca_hpa(ns: &Ns, name: &str) {
    let mut obj = hpa_json(name);
    obj["apiVersion"] = "alpaca.dev/v1".into();
    alpaca_hpas(ns)
        .patch(
            name,
            &PatchParams::apply("test").force(),
            &Patch::Apply(obj),
        )
        .await
        .unwrap_or_else(|e| panic!("applying alpaca.dev HPA {name}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_mode_scales_its_own_kind_and_leaves_builtin_hpas_alone() {
    let Some(ns) = Ns::new("crd_mode").await else {
        return;
    };
    if install_crd(&ns).await.is_none() {
        return;
    }
    // both at 100% of their request: each HPA would want 4
    ns.workload("builtin", 2, 200).await;
    ns.hpa("builtin", serde_json::json!({})).await;
    ns.workload("web", 2, 200).await;
    alpaca_hpa(&ns, "web").await;

    let running = ns
        .start(ControllerArgs {
            mode: Mode::Crd,
            ..ns.args()
        })
        .await;
    eventually("the alpaca.dev HPA's target scales to 4", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    let api = alpaca_hpas(&ns);
    eventually("its status is written", 30, || async {
        api.get("web")
            .await
            .ok()
            .and_then(|o| o.data["status"]["desiredReplicas"].as_i64())
            == Some(4)
    })
    .await;
    let status = api.get("web").await.unwrap().data["status"].clone();
    assert!(status["lastScaleTime"].is_string(), "{status}");
    assert!(
        status["conditions"].as_array().is_some_and(|c| c
            .iter()
            .any(|c| c["type"] == "ScalingActive"
                && c["status"] == "True"
                && c["reason"] == "ValidMetricFound")),
        "{status}"
    );
    let events: Api<Event> = ns.api();
    eventually("the event names the alpaca.dev object", 30, || async {
        events.list(&ListParams::default()).await.is_ok_and(|l| {
            l.items.iter().any(|e| {
                e.involved_object.api_version.as_deref() == Some("alpaca.dev/v1")
                    && e.involved_object.name.as_deref() == Some("web")
                    && e.reason.as_deref() == Some("SuccessfulRescale")
            })
        })
    })
    .await;
    // the built-in HPA: neither its target nor its status touched, no event about it
    assert_eq!(ns.replicas("builtin").await, Some(2));
    let builtin = ns.hpa_object("builtin").await.unwrap();
    assert!(
        builtin
            .status
            .as_ref()
            .is_none_or(|s| s.conditions.is_none() && s.last_scale_time.is_none()),
        "{:?}",
        builtin.status
    );
    let about_builtin: Vec<Event> = events
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some("HorizontalPodAutoscaler")
                && e.involved_object.name.as_deref() == Some("builtin")
        })
        .collect();
    assert!(about_builtin.is_empty(), "{about_builtin:?}");
    running.stop().await.unwrap();
}
