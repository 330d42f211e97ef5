//! Write economy on a real control plane: a steady autoscaler synced every second, with a
//! memory flush every second, has its memory written once (its first recommendation), not
//! at every flush as each sync's newer recommendation timestamp would have it, and the
//! write is attributed to Alpaca's field manager in `managedFields`.

use std::time::Duration;

use alpaca_controller::FIELD_MANAGER;
use alpaca_controller::memory::ANNOTATION;
use alpaca_fake_apiserver::Verb;
use serde_json::json;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_memory_is_written_once_with_alpacas_field_manager() {
    let Some(ns) = Ns::new("write_economy").await else {
        return;
    };
    // 2 pods at 100m of 200m requested: 50% against a 50% target, no scaling
    ns.workload("web", 2, 100).await;
    ns.hpa("web", json!({})).await;
    let proxy = ns.env.proxy("write-economy").await;
    let patches = || {
        proxy
            .requests()
            .iter()
            .filter(|r| r.is(Verb::Patch, "horizontalpodautoscalers"))
            .filter(|r| r.info.namespace.as_deref() == Some(ns.name.as_str()))
            .count()
    };
    let args = ns.args();
    assert_eq!(args.memory_flush_interval.whole_secs(), 1);
    let running = start(proxy.kubeconfig(), args).await;
    eventually("web is synced", 30, || async {
        ns.condition("web", "ScalingActive").await
            == Some(("True".into(), "ValidMetricFound".into()))
    })
    .await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let syncs = running
        .metrics()
        .lines()
        .find(|l| l.starts_with("alpaca_controller_syncs_total{result=\"success\"}"))
        .map(str::to_string)
        .unwrap_or_default();
    let written = patches();
    eprintln!("memory PATCHes over ~8 s of 1 s syncs and 1 s flushes: {written} ({syncs})");
    assert_eq!(written, 1, "one memory write for a steady autoscaler");
    assert_eq!(ns.replicas("web").await, Some(2), "no scaling");

    let hpa = ns.hpa_object("web").await.expect("the HPA");
    let annotations = hpa.metadata.annotations.clone().unwrap_or_default();
    let memory: serde_json::Value =
        serde_json::from_str(annotations.get(ANNOTATION).expect("the memory")).unwrap();
    assert_eq!(memory["recommendations"][0]["replicas"], 2, "{memory}");
    let entries = hpa.metadata.managed_fields.unwrap_or_default();
    let owner = entries
        .iter()
        .find(|e| {
            e.fields_v1
                .as_ref()
                .is_some_and(|f| f.0.to_string().contains(&format!("f:{ANNOTATION}")))
        })
        .expect("a managedFields entry for the memory annotation");
    assert_eq!(owner.manager.as_deref(), Some(FIELD_MANAGER));
    assert_eq!(owner.operation.as_deref(), Some("Update"));
    // the status, too, is written as Alpaca
    assert!(
        entries
            .iter()
            .any(|e| e.subresource.as_deref() == Some("status")
                && e.manager.as_deref() == Some(FIELD_MANAGER)),
        "{:?}",
        entries
            .iter()
            .map(|e| (&e.manager, &e.subresource))
            .collect::<Vec<_>>()
    );

    // shutdown persists what the minimum interval held back (newer timestamps)
    running.stop().await.unwrap();
    assert_eq!(patches(), 2, "the shutdown flush writes the pending memory");
}
