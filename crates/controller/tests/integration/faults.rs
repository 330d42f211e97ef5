//! Conflicts and errors on every call the controller makes: each one shows up as
//! upstream shows it (conditions, events), and the controller recovers once the API does.

use alpaca_fake_apiserver::{FakeApiServer, Fault, Verb};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

use crate::support::*;

fn condition(fake: &FakeApiServer, name: &str, type_: &str) -> Option<(String, String)> {
    fake.get::<HorizontalPodAutoscaler>("default", name)?
        .status?
        .conditions?
        .into_iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status, c.reason.unwrap_or_default()))
}

fn has_event(fake: &FakeApiServer, name: &str, reason: &str) -> bool {
    events(fake, "default", name)
        .iter()
        .any(|(r, _, _)| r == reason)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_conflicts_are_retried_on_the_latest_object() {
    let fake = FakeApiServer::new();
    workload(&fake, "default", "web", 2, "200m");
    fake.inject(
        Fault::on(Verb::Update, "horizontalpodautoscalers/status")
            .conflict()
            .times(3),
    );
    let running = start(&fake, fast_args()).await;
    eventually("the status is written despite 3 conflicts", 10, || {
        status_desired(&fake, "default", "web") == Some(4)
    })
    .await;
    let statuses: Vec<u16> = fake
        .requests()
        .iter()
        .filter(|r| r.info.subresource.as_deref() == Some("status") && r.method == "PUT")
        .map(|r| r.status)
        .collect();
    assert_eq!(&statuses[..4], &[409, 409, 409, 200], "{statuses:?}");
    assert!(!has_event(&fake, "web", "FailedUpdateStatus"));
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_write_conflict_is_a_failed_rescale_then_succeeds() {
    let fake = FakeApiServer::new();
    workload(&fake, "default", "web", 2, "200m");
    fake.inject(
        Fault::on(Verb::Update, "deployments/scale")
            .conflict()
            .times(1),
    );
    let running = start(&fake, fast_args()).await;
    eventually("FailedRescale is recorded", 10, || {
        has_event(&fake, "web", "FailedRescale")
    })
    .await;
    eventually("the next sync rescales", 10, || {
        replicas(&fake, "default", "web") == Some(4)
    })
    .await;
    eventually("SuccessfulRescale is recorded", 10, || {
        has_event(&fake, "web", "SuccessfulRescale")
    })
    .await;
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_errors_become_conditions_and_events() {
    let fake = FakeApiServer::new();
    workload(&fake, "default", "web", 2, "200m");
    workload(&fake, "default", "api", 2, "200m");
    // web: the scale cannot be read; api: metrics-server is down
    fake.inject(
        Fault::on(Verb::Get, "deployments/scale")
            .name("web")
            .unavailable()
            .times(3),
    );
    fake.inject(
        Fault::any("pods")
            .group("metrics.k8s.io")
            .unavailable()
            .times(3),
    );
    let running = start(&fake, fast_args()).await;
    eventually("FailedGetScale", 10, || {
        has_event(&fake, "web", "FailedGetScale")
    })
    .await;
    eventually("FailedGetResourceMetric", 10, || {
        has_event(&fake, "api", "FailedGetResourceMetric")
    })
    .await;
    // both recover once the faults are spent
    eventually("web scales", 10, || {
        replicas(&fake, "default", "web") == Some(4)
    })
    .await;
    eventually("api scales", 10, || {
        replicas(&fake, "default", "api") == Some(4)
    })
    .await;
    eventually("conditions recover", 10, || {
        condition(&fake, "web", "AbleToScale").is_some_and(|c| c.0 == "True")
            && condition(&fake, "api", "ScalingActive").is_some_and(|c| c.0 == "True")
    })
    .await;
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_status_writes_back_off_and_events_and_memory_writes_may_fail() {
    let fake = FakeApiServer::new();
    workload(&fake, "default", "web", 2, "200m");
    fake.inject(Fault::on(Verb::Update, "horizontalpodautoscalers/status").unavailable());
    fake.inject(Fault::on(Verb::Create, "events").internal_error().times(2));
    fake.inject(
        Fault::on(Verb::Patch, "horizontalpodautoscalers")
            .unavailable()
            .times(2),
    );
    let running = start(&fake, fast_args()).await;
    eventually("FailedUpdateStatus is recorded", 10, || {
        has_event(&fake, "web", "FailedUpdateStatus")
    })
    .await;
    eventually("errors are counted", 10, || {
        running
            .metrics()
            .contains("alpaca_controller_errors_total{kind=\"status\"}")
    })
    .await;
    // the scale was still written, and the memory persisted after the failed PATCHes
    assert_eq!(replicas(&fake, "default", "web"), Some(4));
    eventually("memory persisted after retries", 10, || {
        fake.get::<HorizontalPodAutoscaler>("default", "web")
            .and_then(|h| h.metadata.annotations)
            .is_some_and(|a| a.contains_key(alpaca_controller::memory::ANNOTATION))
    })
    .await;
    // backoff: far fewer status PUTs than 100 ms syncs would make in 1 s
    fake.clear_requests();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let puts = fake
        .requests()
        .iter()
        .filter(|r| r.info.subresource.as_deref() == Some("status") && r.method == "PUT")
        .count();
    assert!(puts <= 6, "{puts} status writes in 1 s despite backoff");
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_target_and_a_deleted_autoscaler() {
    let fake = FakeApiServer::new();
    fake.apply(&hpa("default", "ghost")).unwrap();
    workload(&fake, "default", "web", 2, "200m");
    let running = start(&fake, fast_args()).await;
    eventually("FailedGetScale for the missing target", 10, || {
        condition(&fake, "ghost", "AbleToScale") == Some(("False".into(), "FailedGetScale".into()))
    })
    .await;
    eventually("web scales", 10, || {
        replicas(&fake, "default", "web") == Some(4)
    })
    .await;
    fake.delete::<HorizontalPodAutoscaler>("default", "web")
        .unwrap();
    eventually("the deleted autoscaler's gauges go", 10, || {
        !running.metrics().contains("name=\"web\"")
    })
    .await;
    running.stop().await.unwrap();
}
