//! Faults on a real control plane: a metrics API that answers 503 (passed on by the real
//! aggregator) or never answers, a 409 on the scale write, watches that fail and end. Each
//! shows up as upstream shows it, in the sync it happens in, while healthy autoscalers keep
//! syncing on time; the controller recovers once the API does.

use std::time::{Duration, Instant};

use alpaca_fake_apiserver::{Fault, Verb};
use alpaca_testenv::never_answers;
use serde_json::json;

use crate::support::*;

/// A second autoscaler on an External metric `queue` (target 10 per pod) whose value is set
/// by [`set_queue`]: healthy while the resource metrics API fails.
async fn queue_worker(ns: &Ns) {
    ns.workload("worker", 1, 100).await;
    ns.hpa(
        "worker",
        json!({"metrics": [{"type": "External", "external": {
            "metric": {"name": "queue"},
            "target": {"type": "AverageValue", "averageValue": "10"}}}]}),
    )
    .await;
    set_queue(ns, 10);
}

/// Waits for `web`'s ScalingActive to be False with FailedGetResourceMetric; returns how
/// long after `since` it was seen.
async fn failed_metric_condition(ns: &Ns, since: Instant) -> Duration {
    eventually(
        "ScalingActive False FailedGetResourceMetric",
        30,
        || async {
            ns.condition("web", "ScalingActive").await
                == Some(("False".into(), "FailedGetResourceMetric".into()))
        },
    )
    .await;
    since.elapsed()
}

async fn outage(test: &str, fault: Fault, label: &str) {
    let Some(ns) = Ns::new(test).await else {
        return;
    };
    ns.workload("web", 2, 100).await;
    ns.hpa("web", json!({})).await;
    queue_worker(&ns).await;
    let args = ns.args();
    let limit = args.sync_period() + args.request_timeout() + Duration::from_secs(3);
    let running = ns.start(args).await;
    eventually("web is synced and healthy", 30, || async {
        ns.condition("web", "ScalingActive").await
            == Some(("True".into(), "ValidMetricFound".into()))
    })
    .await;

    let began = Instant::now();
    ns.env.metrics().backend().inject(fault.namespace(&ns.name));
    let took = failed_metric_condition(&ns, began).await;
    eprintln!("{label}: outage to FailedGetResourceMetric condition in {took:?}");
    assert!(
        took < limit,
        "{label}: the condition took {took:?} (limit {limit:?})"
    );
    eventually("the FailedGetResourceMetric event", 10, || async {
        ns.has_event("web", "FailedGetResourceMetric").await
    })
    .await;

    // the healthy autoscaler keeps syncing on time meanwhile
    let changed = Instant::now();
    set_queue(&ns, 30);
    eventually(
        "the queue worker scales to 3 during the outage",
        20,
        || async { ns.replicas("worker").await == Some(3) },
    )
    .await;
    let lag = changed.elapsed();
    eprintln!("{label}: a healthy autoscaler scaled {lag:?} after its metric changed");
    assert!(
        lag < limit,
        "{label}: the healthy autoscaler waited {lag:?}"
    );

    // recovery
    // only this test's faults: the metrics server is shared with tests running alongside
    ns.env.metrics().backend().clear_faults_in(&ns.name);
    eventually("web recovers", 30, || async {
        ns.condition("web", "ScalingActive").await
            == Some(("True".into(), "ValidMetricFound".into()))
    })
    .await;
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_api_503_is_a_failed_metric_in_the_same_sync() {
    outage(
        "metrics_api_503",
        resource_metrics_any_ns().unavailable(),
        "503",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_api_that_never_answers_fails_within_the_request_timeout() {
    outage(
        "metrics_api_hangs",
        never_answers(resource_metrics_any_ns()),
        "no answer",
    )
    .await;
}

/// A fault on the resource metrics API (narrowed to the test's namespace by [`outage`]).
fn resource_metrics_any_ns() -> Fault {
    Fault::any("pods").group("metrics.k8s.io")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_on_the_scale_write_is_retried_in_the_same_sync() {
    let Some(ns) = Ns::new("scale_conflict").await else {
        return;
    };
    ns.workload("web", 2, 200).await;
    ns.hpa("web", json!({})).await;
    let proxy = ns.env.proxy("scale-conflict").await;
    proxy.inject(
        Fault::on(Verb::Update, "deployments/scale")
            .namespace(&ns.name)
            .conflict()
            .times(1),
    );
    let running = start(proxy.kubeconfig(), ns.args()).await;
    eventually("the scale is written despite the conflict", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    let writes: Vec<u16> = proxy
        .requests()
        .iter()
        .filter(|r| r.is(Verb::Update, "deployments/scale"))
        .map(|r| r.status)
        .collect();
    assert_eq!(writes.first(), Some(&409), "{writes:?}");
    assert!(writes.contains(&200), "{writes:?}");
    eventually("SuccessfulRescale", 10, || async {
        ns.has_event("web", "SuccessfulRescale").await
    })
    .await;
    // retried within the sync, as upstream's RetryOnConflict does: no failed rescale
    assert!(!ns.has_event("web", "FailedRescale").await);
    assert_eq!(
        ns.condition("web", "AbleToScale").await.map(|c| c.0),
        Some("True".into())
    );
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watches_that_fail_and_end_are_resumed() {
    let Some(ns) = Ns::new("watch_faults").await else {
        return;
    };
    ns.workload("web", 1, 100).await;
    ns.hpa("web", json!({})).await;
    let proxy = ns.env.proxy("watch-faults").await;
    let args = alpaca_controller::ControllerArgs {
        // only watch events make it sync again
        sync_period: alpaca_metrics_api::GoDuration::from_secs(3600),
        ..ns.args()
    };
    let running = start(proxy.kubeconfig(), args).await;
    eventually("the first sync", 30, || async {
        ns.condition("web", "ScalingActive").await.is_some()
    })
    .await;
    // the watches' connections drop, and the next watch is told its resource version
    // expired (410 Gone in the stream, as kube-apiserver says it)
    proxy.expire_watches("horizontalpodautoscalers", 1);
    proxy.reset_connections();
    tokio::time::sleep(Duration::from_secs(1)).await;
    // a change made now is still seen (the controller relisted and watches again)
    let mut hpa = ns.hpa_object("web").await.unwrap();
    hpa.spec.min_replicas = Some(2);
    hpa.metadata.managed_fields = None;
    hpa.metadata.resource_version = None;
    hpa.status = None;
    ns.api::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>()
        .patch(
            "web",
            &kube::api::PatchParams::apply("test").force(),
            &kube::api::Patch::Apply(&hpa),
        )
        .await
        .unwrap();
    eventually("minReplicas 2 is applied without a resync", 30, || async {
        ns.replicas("web").await == Some(2)
    })
    .await;
    let relists = proxy
        .requests()
        .iter()
        .filter(|r| r.is(Verb::List, "horizontalpodautoscalers"))
        .count();
    let log: Vec<String> = proxy
        .requests()
        .iter()
        .filter(|r| r.info.resource.as_deref() == Some("horizontalpodautoscalers"))
        .map(|r| format!("{:?} {} {}", r.info.verb, r.query, r.status))
        .collect();
    assert!(
        relists >= 2,
        "the controller listed again after the watch failed ({relists}): {log:#?}"
    );
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_conflicts_are_retried_on_the_latest_object() {
    let Some(ns) = Ns::new("status_conflicts").await else {
        return;
    };
    ns.workload("web", 2, 200).await;
    ns.hpa("web", json!({})).await;
    let proxy = ns.env.proxy("status-conflicts").await;
    proxy.inject(
        Fault::on(Verb::Update, "horizontalpodautoscalers/status")
            .namespace(&ns.name)
            .conflict()
            .times(3),
    );
    let running = start(proxy.kubeconfig(), ns.args()).await;
    eventually("the status is written despite 3 conflicts", 30, || async {
        ns.hpa_object("web")
            .await
            .and_then(|h| h.status)
            .is_some_and(|s| s.desired_replicas == 4)
    })
    .await;
    let statuses: Vec<u16> = proxy
        .requests()
        .iter()
        .filter(|r| r.is(Verb::Update, "horizontalpodautoscalers/status"))
        .map(|r| r.status)
        .collect();
    assert_eq!(&statuses[..4], &[409, 409, 409, 200], "{statuses:?}");
    assert!(!ns.has_event("web", "FailedUpdateStatus").await);
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_writes_back_off_and_memory_and_events_are_retried() {
    let Some(ns) = Ns::new("failing_writes").await else {
        return;
    };
    ns.workload("web", 2, 200).await;
    ns.hpa("web", json!({})).await;
    let proxy = ns.env.proxy("failing-writes").await;
    proxy.inject(Fault::on(Verb::Update, "horizontalpodautoscalers/status").unavailable());
    proxy.inject(Fault::on(Verb::Create, "events").internal_error().times(2));
    proxy.inject(
        Fault::on(Verb::Patch, "horizontalpodautoscalers")
            .unavailable()
            .times(2),
    );
    let running = start(proxy.kubeconfig(), ns.args()).await;
    eventually("FailedUpdateStatus is recorded", 30, || async {
        ns.has_event("web", "FailedUpdateStatus").await
    })
    .await;
    assert!(
        running
            .metrics()
            .contains("alpaca_controller_errors_total{kind=\"status\"}")
    );
    // the scale was still written, and the memory persisted after the failed PATCHes
    assert_eq!(ns.replicas("web").await, Some(4));
    eventually("memory persisted after retries", 30, || async {
        ns.hpa_object("web")
            .await
            .and_then(|h| h.metadata.annotations)
            .is_some_and(|a| a.contains_key(alpaca_controller::memory::ANNOTATION))
    })
    .await;
    // a failing autoscaler is retried, but not in a loop: at most one status write per
    // backoff step (200 ms doubling to the 1 s sync period) over three seconds
    proxy.clear_requests();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let puts = proxy
        .requests()
        .iter()
        .filter(|r| r.is(Verb::Update, "horizontalpodautoscalers/status"))
        .count();
    assert!((1..=6).contains(&puts), "{puts} status writes in 3 s");
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_target_and_a_deleted_autoscaler() {
    let Some(ns) = Ns::new("missing_target").await else {
        return;
    };
    ns.hpa("ghost", json!({})).await;
    ns.workload("web", 2, 200).await;
    ns.hpa("web", json!({})).await;
    let running = ns.start(ns.args()).await;
    eventually("FailedGetScale for the missing target", 30, || async {
        ns.condition("ghost", "AbleToScale").await
            == Some(("False".into(), "FailedGetScale".into()))
    })
    .await;
    eventually("web scales", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    eventually("web's gauges are exported", 30, || async {
        running.metrics().contains("name=\"web\"")
    })
    .await;
    ns.api::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>()
        .delete("web", &Default::default())
        .await
        .unwrap();
    eventually("the deleted autoscaler's gauges go", 30, || async {
        !running.metrics().contains("name=\"web\"")
    })
    .await;
    running.stop().await.unwrap();
}

/// Events are retried as client-go's recorder retries them: the events API answering 503
/// holds the event back (off the sync path: the scale is written meanwhile), and once it
/// answers again the event arrives; an answer that is final (500) is not retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_write_answered_503_is_retried_until_it_arrives() {
    let Some(ns) = Ns::new("event_retried").await else {
        return;
    };
    ns.workload("web", 2, 200).await;
    ns.hpa("web", json!({})).await;
    let proxy = ns.env.proxy("event-retried").await;
    proxy.inject(Fault::on(Verb::Create, "events").unavailable());
    let running = start(proxy.kubeconfig(), ns.args()).await;
    eventually("the scale is written while events fail", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    eventually("an event write was answered 503", 30, || async {
        proxy
            .requests()
            .iter()
            .any(|r| r.is(Verb::Create, "events") && r.status == 503)
    })
    .await;
    assert!(!ns.has_event("web", "SuccessfulRescale").await);
    let healed = std::time::Instant::now();
    proxy.clear_faults();
    // the first retry comes after a random part of 10 s, the next ones 10 s apart
    eventually("SuccessfulRescale arrives after the outage", 30, || async {
        ns.has_event("web", "SuccessfulRescale").await
    })
    .await;
    let creates = proxy
        .requests()
        .iter()
        .filter(|r| r.is(Verb::Create, "events") && r.status == 503)
        .count();
    eprintln!(
        "event_retried: arrived {:.1} s after the events API recovered, after {creates} answers 503",
        healed.elapsed().as_secs_f64()
    );
    running.stop().await.unwrap();
}
