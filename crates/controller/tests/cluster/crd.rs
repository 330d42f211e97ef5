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

/// An `alpaca.dev/v1` HPA on Deployment `name` scaling on an External metric nobody
/// serves, with KEP-5679's `fallback` field (`failureDurationSeconds` left to the
/// schema's default) and, when given, a persisted memory.
fn failing_external(name: &str, memory: Option<String>) -> serde_json::Value {
    let mut obj = serde_json::json!({
        "apiVersion": "alpaca.dev/v1", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                 "minReplicas": 1, "maxReplicas": 10,
                 "metrics": [{"type": "External", "external": {
                     "metric": {"name": "nobody-serves-this"},
                     "target": {"type": "AverageValue", "averageValue": "10"},
                     "fallback": {"replicas": 3}}}]}
    });
    if let Some(memory) = memory {
        obj["metadata"]["annotations"] = serde_json::json!({"alpaca.dev/memory": memory});
    }
    obj
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_mode_external_fallback_field_and_its_status() {
    let Some(ns) = Ns::new("crd_fallback").await else {
        return;
    };
    if install_crd(&ns).await.is_none() {
        return;
    }
    let api = alpaca_hpas(&ns);
    let apply = |name: &str, obj: serde_json::Value| {
        let api = api.clone();
        let name = name.to_owned();
        async move {
            api.patch(
                &name,
                &PatchParams::apply("test").force(),
                &Patch::Apply(obj),
            )
            .await
        }
    };
    // the schema's bounds are the KEP's: refused by the API server, naming the field
    let mut short = failing_external("short", None);
    short["spec"]["metrics"][0]["external"]["fallback"]["failureDurationSeconds"] = 60.into();
    let refused = apply("short", short).await.unwrap_err().to_string();
    assert!(
        refused.contains("failureDurationSeconds") && refused.contains("180"),
        "{refused}"
    );
    // "fresh" starts failing now; "long" has been failing for ten minutes (its memory)
    ns.workload("fresh", 1, 100).await;
    ns.workload("long", 1, 100).await;
    apply("fresh", failing_external("fresh", None))
        .await
        .unwrap();
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10);
    let memory = serde_json::json!({"externalFallback": [
        {"index": 0, "metric": "nobody-serves-this",
         "firstFailureTime": since.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()}]});
    apply("long", failing_external("long", Some(memory.to_string())))
        .await
        .unwrap();
    let stored = api.get("fresh").await.unwrap();
    assert_eq!(
        stored.data["spec"]["metrics"][0]["external"]["fallback"]["failureDurationSeconds"], 180,
        "defaulted by the schema, kept (not pruned)"
    );

    let running = ns
        .start(ControllerArgs {
            mode: Mode::Crd,
            ..ns.args()
        })
        .await;
    // the fallback that applies: the metric proposes 3, the status says so
    eventually("long's fallback scales its target to 3", 30, || async {
        ns.replicas("long").await == Some(3)
    })
    .await;
    let status = |name: &'static str| {
        let api = api.clone();
        async move { api.get(name).await.map(|o| o.data["status"].clone()) }
    };
    eventually("long's status has the KEP's fields", 30, || async {
        status("long").await.is_ok_and(|s| {
            let x = &s["currentMetrics"][0]["external"];
            x["fallbackActive"] == true && x["fallbackReplicas"] == 3
        })
    })
    .await;
    let long = status("long").await.unwrap();
    assert_eq!(
        long["currentMetrics"][0]["external"]["firstFailureTime"],
        since.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "{long}"
    );
    assert!(
        long["conditions"].as_array().is_some_and(|c| c
            .iter()
            .any(|c| c["type"] == "ExternalMetricFallbackActive" && c["status"] == "True")),
        "{long}"
    );
    // the fallback that does not apply yet: its clock started, nothing scaled
    eventually("fresh's failure clock is in its status", 30, || async {
        status("fresh").await.is_ok_and(|s| {
            let x = &s["currentMetrics"][0]["external"];
            x["fallbackActive"] == false && x["firstFailureTime"].is_string()
        })
    })
    .await;
    let fresh = status("fresh").await.unwrap();
    assert!(
        fresh["currentMetrics"][0]["external"]["fallbackReplicas"].is_null(),
        "{fresh}"
    );
    assert_eq!(ns.replicas("fresh").await, Some(1));
    running.stop().await.unwrap();
}
