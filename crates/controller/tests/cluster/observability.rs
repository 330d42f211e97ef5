//! Observability on a real control plane: upstream's HPA controller series with upstream's
//! labels, the queue's depth and lag, and events as client-go records them (one Event
//! counted up, similar ones combined, written off the sync's path so a slow events API
//! delays no sync).

use std::time::Duration;

use alpaca_fake_apiserver::{Fault, Verb};
use serde_json::json;

use crate::support::*;

/// An HPA on workload `name` scaling on an External metric nobody serves.
async fn broken(ns: &Ns, name: &str, metric: &str) {
    ns.workload(name, 1, 100).await;
    ns.hpa(
        name,
        json!({"metrics": [{"type": "External", "external": {
            "metric": {"name": metric},
            "target": {"type": "AverageValue", "averageValue": "10"}}}]}),
    )
    .await;
}

/// The value of the first series line starting with `series` (name and labels).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// The sum of every series line starting with `prefix`.
fn sum(text: &str, prefix: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_hpa_series_and_queue_telemetry() {
    let Some(ns) = Ns::new("observability_series").await else {
        return;
    };
    ns.workload("web", 2, 200).await;
    ns.hpa("web", json!({})).await;
    broken(&ns, "broken", "does-not-exist").await;
    let running = ns.start(ns.args()).await;
    eventually("the scale-up is written", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    eventually("both autoscalers synced a few times", 30, || async {
        let text = running.metrics();
        value(
            &text,
            "horizontal_pod_autoscaler_controller_reconciliations_total{action=\"none\",error=\"internal\"}",
        )
        .is_some_and(|v| v >= 2.0)
    })
    .await;
    let text = running.metrics();
    let positive = |series: &str| {
        let v = value(&text, series);
        assert!(v.is_some_and(|v| v > 0.0), "{series} = {v:?} in\n{text}");
    };
    positive(
        "horizontal_pod_autoscaler_controller_reconciliations_total{action=\"scale_up\",error=\"none\"}",
    );
    positive(
        "horizontal_pod_autoscaler_controller_reconciliation_duration_seconds_count{action=\"scale_up\",error=\"none\"}",
    );
    // web's first CPU computation proposed 4 against a status of 0 replicas
    positive(
        "horizontal_pod_autoscaler_controller_metric_computation_total{action=\"scale_up\",error=\"none\",metric_type=\"Resource\"}",
    );
    positive(
        "horizontal_pod_autoscaler_controller_metric_computation_total{action=\"none\",error=\"internal\",metric_type=\"External\"}",
    );
    positive(
        "horizontal_pod_autoscaler_controller_metric_computation_duration_seconds_count{action=\"none\",error=\"internal\",metric_type=\"External\"}",
    );
    assert!(
        !text.contains("error=\"spec\""),
        "nothing here is a spec error:\n{text}"
    );
    // the queue: a gauge, and one lag observation per sync started
    assert!(
        value(&text, "alpaca_controller_queue_depth ").is_some(),
        "{text}"
    );
    // the counts above can be read after as few as three syncs; wait for a fourth
    eventually("four syncs observed their lag", 30, || async {
        value(
            &running.metrics(),
            "alpaca_controller_sync_lag_seconds_count",
        )
        .is_some_and(|v| v >= 4.0)
    })
    .await;
    let text = running.metrics();
    let lags = value(&text, "alpaca_controller_sync_lag_seconds_count").unwrap_or(0.0);
    let syncs = sum(&text, "alpaca_controller_syncs_total");
    assert!(
        (lags - syncs).abs() <= 2.0,
        "one lag per sync: {lags} vs {syncs}"
    );
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_events_count_up_on_one_object_and_similar_ones_combine() {
    let Some(ns) = Ns::new("observability_events").await else {
        return;
    };
    broken(&ns, "broken", "does-not-exist").await;
    let running = ns.start(ns.args()).await;
    // one FailedGetExternalMetric each 1 s sync: one Event object whose count grows
    eventually("the event's count grows", 30, || async {
        let events = ns.events("broken").await;
        let failed: Vec<_> = events
            .iter()
            .filter(|e| e.0 == "FailedGetExternalMetric")
            .collect();
        failed.len() == 1 && failed[0].2 >= 3
    })
    .await;
    let events = ns.events("broken").await;
    assert!(
        events
            .iter()
            .filter(|e| e.0.starts_with("Failed"))
            .all(|e| e.3 == alpaca_controller::cluster::COMPONENT),
        "{events:?}"
    );
    assert_eq!(
        alpaca_controller::cluster::COMPONENT,
        "horizontal-pod-autoscaler"
    );
    running.stop().await.unwrap();

    // ten distinct messages of the same reason about one object: combined
    broken(&ns, "shifting", "missing-0").await;
    let mut args = ns.args();
    // only the spec changes sync it, so the spam filter's burst (25) is never reached
    args.sync_period = alpaca_metrics_api::GoDuration::from_secs(300);
    let running = ns.start(args).await;
    for i in 0..11 {
        let name = format!("missing-{i}");
        ns.hpa(
            "shifting",
            json!({"metrics": [{"type": "External", "external": {
                "metric": {"name": name},
                "target": {"type": "AverageValue", "averageValue": "10"}}}]}),
        )
        .await;
        eventually("the new metric's failure is recorded", 30, || async {
            ns.events("shifting")
                .await
                .iter()
                .any(|e| e.0 == "FailedGetExternalMetric" && e.1.contains(&name))
        })
        .await;
    }
    let events = ns.events("shifting").await;
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.0 == "FailedGetExternalMetric")
        .collect();
    let combined: Vec<_> = failed
        .iter()
        .filter(|e| e.1.starts_with("(combined from similar events): "))
        .collect();
    assert_eq!(combined.len(), 1, "{failed:#?}");
    assert_eq!(
        failed.len(),
        10,
        "9 single events and the combined one: {failed:#?}"
    );
    assert!(combined[0].2 >= 2, "the 11th counted on it: {failed:#?}");
    assert!(combined[0].1.contains("missing-10"), "{failed:#?}");
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_events_api_delays_no_sync() {
    let Some(ns) = Ns::new("observability_slow_events").await else {
        return;
    };
    broken(&ns, "broken", "does-not-exist").await;
    let proxy = ns.env.proxy("slow-events").await;
    // slower than the 2 s request timeout: the first writes fail, later ones are fast
    for verb in [Verb::Create, Verb::Patch] {
        proxy.inject(
            Fault::on(verb, "events")
                .latency(Duration::from_secs(5))
                .times(3),
        );
    }
    let running = start(proxy.kubeconfig(), ns.args()).await;
    eventually("the first sync", 30, || async {
        sum(&running.metrics(), "alpaca_controller_syncs_total") >= 1.0
    })
    .await;
    let before = sum(&running.metrics(), "alpaca_controller_syncs_total");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = sum(&running.metrics(), "alpaca_controller_syncs_total");
    assert!(
        after - before >= 4.0,
        "1 s syncs kept going while each event write took 5 s: {before} → {after}"
    );
    // the events still arrive, once the API is fast again. The recorder retries a failed
    // write 10 s later, as client-go's does: when the three slow answers fall on one event's
    // tries, it arrives after 3 × (2 s timeout + 10 s), about 36 s after its first try
    eventually("the slow event is written", 60, || async {
        ns.has_event("broken", "FailedGetExternalMetric").await
    })
    .await;
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.is(Verb::Create, "events")),
        "events went through the slow proxy"
    );
    running.stop().await.unwrap();
}
