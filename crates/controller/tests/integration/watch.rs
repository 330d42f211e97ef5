//! Watches: an autoscaler change syncs it at once (even with a long period), and the
//! controller keeps working across watch restarts, compactions (410 Gone) and expiries.

use alpaca_fake_apiserver::{FakeApiServer, Verb};
use alpaca_metrics_api::GoDuration;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

use crate::support::*;

fn lists_of_autoscalers(fake: &FakeApiServer) -> usize {
    fake.requests()
        .iter()
        .filter(|r| {
            r.info.verb == Some(Verb::List)
                && r.info.resource.as_deref() == Some("horizontalpodautoscalers")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_sync_at_once_with_a_long_period() {
    let fake = FakeApiServer::new();
    workload(&fake, "default", "web", 2, "200m");
    let args = alpaca_controller::ControllerArgs {
        sync_period: GoDuration::from_secs(3600),
        ..fast_args()
    };
    let running = start(&fake, args).await;
    eventually("the first sync scales", 10, || {
        replicas(&fake, "default", "web") == Some(4)
    })
    .await;
    // lower maxReplicas: the watch event makes it due now, not in an hour
    let mut h = fake
        .get::<HorizontalPodAutoscaler>("default", "web")
        .unwrap();
    h.spec.max_replicas = 3;
    fake.apply(&h).unwrap();
    eventually("the change is applied at once", 10, || {
        replicas(&fake, "default", "web") == Some(3)
    })
    .await;
    // a new autoscaler too (its pods first: the pod and autoscaler watches are separate
    // streams, and a sync that saw no pods would wait an hour for the next)
    fake.apply(&deployment("default", "api", 1)).unwrap();
    fake.apply(&pod("default", "api", 0)).unwrap();
    fake.set_pod_metrics(usage("default", "api", 0, "200m"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    fake.apply(&hpa("default", "api")).unwrap();
    eventually("a new autoscaler syncs at once", 10, || {
        replicas(&fake, "default", "api") == Some(2)
    })
    .await;
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_watch_restarts_compaction_and_expiry() {
    let fake = FakeApiServer::new();
    workload(&fake, "default", "web", 2, "200m");
    let running = start(&fake, fast_args()).await;
    eventually("web scales", 10, || {
        replicas(&fake, "default", "web") == Some(4)
    })
    .await;
    let lists = lists_of_autoscalers(&fake);

    // watches end cleanly: re-watch from the last resourceVersion
    fake.close_watches();
    workload(&fake, "default", "a", 1, "200m");
    eventually("a scales after the re-watch", 10, || {
        replicas(&fake, "default", "a") == Some(2)
    })
    .await;

    // compaction then closed watches: a re-watch from a compacted resourceVersion gets
    // 410 Gone and relists (one from the latest resourceVersion goes on watching)
    fake.compact_watch_history();
    fake.close_watches();
    workload(&fake, "default", "b", 1, "200m");
    eventually("b scales after the re-watch or relist", 10, || {
        replicas(&fake, "default", "b") == Some(2)
    })
    .await;

    // an ERROR 410 Expired event on open watches: always a relist
    let lists = lists.max(lists_of_autoscalers(&fake));
    fake.expire_watches();
    eventually("the autoscalers were listed again", 10, || {
        lists_of_autoscalers(&fake) > lists
    })
    .await;
    fake.delete::<HorizontalPodAutoscaler>("default", "a")
        .unwrap();
    workload(&fake, "default", "c", 1, "200m");
    eventually("c scales after the expiry", 10, || {
        replicas(&fake, "default", "c") == Some(2)
    })
    .await;
    eventually("a is forgotten", 10, || {
        !running.metrics().contains("name=\"a\"")
    })
    .await;
    running.stop().await.unwrap();
}
