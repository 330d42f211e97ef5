//! Leader election on a real API server: two controllers share one `coordination.k8s.io`
//! Lease, each through a fault proxy of its own so that every write can be told apart.
//! Only the leader writes; on a clean shutdown the other takes over with the memory
//! intact; and a leader cut off from the API server stops every write before its Lease
//! could have been taken (its last renew plus the lease duration), while the other takes
//! over once the Lease has expired.

use std::time::Duration;

use alpaca_controller::memory::{ANNOTATION, annotation};
use alpaca_controller::{ControllerArgs, ControllerError};
use alpaca_engine::snapshot::History;
use alpaca_fake_apiserver::RequestRecord;
use alpaca_metrics_api::GoDuration;
use alpaca_testenv::{CpuLoad, StampedProxy};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::coordination::v1::Lease;
use serde_json::json;

use crate::support::*;

/// Seconds a Lease is held without a renew; the leader renews every second and gives up
/// 2 s after its last renew.
const LEASE_SECS: i64 = 3;

fn elected(ns: &Ns, identity: &str) -> ControllerArgs {
    ControllerArgs {
        leader_elect: true,
        leader_elect_identity: Some(identity.into()),
        leader_elect_lease_duration: GoDuration::from_secs(LEASE_SECS),
        leader_elect_renew_margin: GoDuration::from_secs(2),
        leader_elect_renew_deadline: GoDuration::from_secs(2),
        ..ns.args()
    }
}

async fn stamped(ns: &Ns, name: &str) -> StampedProxy {
    StampedProxy::new(ns.env.proxy(name).await)
}

/// The Lease: `(holder, renewTime)`.
async fn lease(ns: &Ns) -> Option<(Option<String>, Option<Timestamp>)> {
    let spec = ns
        .api::<Lease>()
        .get("alpaca-controller")
        .await
        .ok()?
        .spec?;
    Some((spec.holder_identity, spec.renew_time.map(|t| t.0)))
}

async fn holder(ns: &Ns) -> Option<String> {
    lease(ns).await.and_then(|l| l.0)
}

async fn memory(ns: &Ns, name: &str) -> Option<History> {
    let h = ns.hpa_object(name).await?;
    annotation::decode(h.metadata.annotations?.get(ANNOTATION)?).ok()
}

fn scale_writes(log: &[(Timestamp, RequestRecord)]) -> usize {
    log.iter()
        .filter(|(_, r)| r.method == "PUT" && r.info.subresource.as_deref() == Some("scale"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_leader_writes_and_the_other_takes_over_with_the_memory() {
    takes_over("leader_takes_over", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_takes_over_with_the_memory_after_a_crash() {
    takes_over("leader_crash", true).await;
}

/// A leads and adds a replica; B stands by writing nothing; A shuts down cleanly (or
/// crashes: no release) and B takes over with A's memory.
async fn takes_over(test: &str, crash: bool) {
    let Some(ns) = Ns::new(test).await else {
        return;
    };
    // two pods at 100% of their request want 4, but one pod may be added per minute: the
    // scale-up event in the memory decides whether the next leader may add another
    ns.workload("web", 2, 200).await;
    ns.hpa(
        "web",
        json!({"behavior": {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
            "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}}),
    )
    .await;
    let (pa, pb) = (
        stamped(&ns, "leader-a").await,
        stamped(&ns, "leader-b").await,
    );
    let a = start(pa.proxy.kubeconfig(), elected(&ns, "replica-a")).await;
    eventually("a leads", 15, || async {
        holder(&ns).await.as_deref() == Some("replica-a")
    })
    .await;
    let b = start(pb.proxy.kubeconfig(), elected(&ns, "replica-b")).await;
    eventually("a adds one replica", 30, || async {
        ns.replicas("web").await == Some(3)
    })
    .await;
    eventually("a's memory is persisted", 15, || async {
        memory(&ns, "web")
            .await
            .is_some_and(|m| !m.scale_up_events.is_empty())
    })
    .await;
    let before = memory(&ns, "web").await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    // b stands by: it reads the Lease and writes nothing at all
    let a_log = pa.writes_since(Timestamp::UNIX_EPOCH);
    assert_eq!(scale_writes(&a_log), 1, "{a_log:#?}");
    assert!(
        pa.work_writes_since(Timestamp::UNIX_EPOCH)
            .iter()
            .any(|(_, r)| r.info.subresource.as_deref() == Some("status")),
        "a wrote the status"
    );
    let b_writes = pb.writes_since(Timestamp::UNIX_EPOCH);
    assert!(b_writes.is_empty(), "the standby wrote: {b_writes:#?}");
    assert!(
        pb.since(Timestamp::UNIX_EPOCH)
            .iter()
            .any(|(_, r)| r.info.resource.as_deref() == Some("leases")),
        "b reads the Lease"
    );
    assert!(!b.metrics().contains("alpaca_controller_syncs_total"));
    assert!(b.metrics().contains("alpaca_controller_leader 0"));

    let stopped = if crash {
        a.kill();
        Timestamp::now()
    } else {
        // a clean shutdown releases the Lease: b takes it well before it would have expired
        a.stop().await.expect("a stops cleanly");
        let stopped = Timestamp::now();
        assert!(
            pa.writes_since(stopped - SignedDuration::from_secs(5))
                .iter()
                .any(|(_, r)| r.info.resource.as_deref() == Some("leases") && r.method == "PATCH"),
            "a released the Lease"
        );
        stopped
    };
    let renewed = lease(&ns).await.and_then(|l| l.1);
    eventually("b takes over", 15, || async {
        holder(&ns).await.as_deref() == Some("replica-b")
    })
    .await;
    let took = Timestamp::now().duration_since(stopped);
    if crash {
        // a crashed leader's Lease is taken once it has expired
        let expired = renewed.unwrap() + SignedDuration::from_secs(LEASE_SECS);
        assert!(
            Timestamp::now() >= expired,
            "b took the Lease before it expired"
        );
    } else {
        assert!(
            took < SignedDuration::from_secs(LEASE_SECS),
            "b took a released Lease over in {took:#} (not by expiry)"
        );
    }
    eventually("b syncs", 20, || async {
        b.metrics()
            .contains("alpaca_controller_syncs_total{result=\"success\"}")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    // with a's scale-up event remembered, b may not add a replica within the minute
    assert_eq!(ns.replicas("web").await, Some(3));
    assert_eq!(scale_writes(&pb.writes_since(Timestamp::UNIX_EPOCH)), 0);
    let after = memory(&ns, "web").await.unwrap();
    assert_eq!(after.scale_up_events, before.scale_up_events);
    b.stop().await.expect("b stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_cut_off_stops_writing_before_its_lease_can_be_taken() {
    let Some(ns) = Ns::new("leader_cut_off").await else {
        return;
    };
    // at target: 2 pods at 50% of their request
    ns.workload("web", 2, 100).await;
    ns.hpa("web", json!({})).await;
    let (pa, pb) = (stamped(&ns, "cut-a").await, stamped(&ns, "cut-b").await);
    let a = start(pa.proxy.kubeconfig(), elected(&ns, "replica-a")).await;
    eventually("a leads", 15, || async {
        holder(&ns).await.as_deref() == Some("replica-a")
    })
    .await;
    let b = start(pb.proxy.kubeconfig(), elected(&ns, "replica-b")).await;
    eventually("a writes the status", 20, || async {
        pa.work_writes_since(Timestamp::UNIX_EPOCH)
            .iter()
            .any(|(_, r)| r.info.subresource.as_deref() == Some("status"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // the partition; then the load doubles, so the next leader has a rescale to write
    pa.proxy.cut();
    let cut = Timestamp::now();
    ns.env
        .metrics()
        .set_cpu(&ns.name, "web", CpuLoad::PerPod(200));

    // a's last renew, as the API server has it, until someone else holds the Lease
    let mut last_renew = None;
    let mut a_ended = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let took_over = loop {
        assert!(tokio::time::Instant::now() < deadline, "b never took over");
        if a_ended.is_none() && a.is_finished() {
            a_ended = Some(Timestamp::now());
        }
        match lease(&ns).await {
            Some((Some(h), renew)) if h == "replica-a" => last_renew = renew,
            Some((Some(h), _)) if h == "replica-b" => break Timestamp::now(),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let last_renew = last_renew.expect("a renewed the Lease");
    let takeable = last_renew + SignedDuration::from_secs(LEASE_SECS);
    eventually("a has stopped", 10, || async { a.is_finished() }).await;
    let a_ended = a_ended.unwrap_or_else(Timestamp::now);

    // b writes the rescale
    eventually("b scales to 4", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    eventually("b's first write is logged", 10, || async {
        !pb.work_writes_since(Timestamp::UNIX_EPOCH).is_empty()
    })
    .await;
    let first_write = pb.work_writes_since(Timestamp::UNIX_EPOCH)[0].0;
    eprintln!(
        "leader failover: cut at {cut}; a's last renew {last_renew} ({:#} before the cut); \
         a stopped {:#} after the cut, {:#} before its Lease could be taken; b holds the \
         Lease {:#} and writes ({} {}) {:#} after the cut",
        cut.duration_since(last_renew),
        a_ended.duration_since(cut),
        takeable.duration_since(a_ended),
        took_over.duration_since(cut),
        pb.work_writes_since(Timestamp::UNIX_EPOCH)[0].1.method,
        pb.work_writes_since(Timestamp::UNIX_EPOCH)[0].1.path,
        first_write.duration_since(cut),
    );
    assert!(
        took_over >= takeable,
        "b took the Lease at {took_over}, before it expired at {takeable}"
    );
    assert!(
        a_ended < takeable,
        "a stopped at {a_ended}, after its Lease could be taken at {takeable}"
    );

    // the partition heals: a has exited, so nothing more comes from it
    pa.proxy.heal();
    let healed = Timestamp::now();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let late = pa.writes_since(cut);
    assert!(
        late.is_empty(),
        "the old leader wrote after the cut: {late:#?}"
    );
    let after_heal = pa.lines_since(healed);
    assert!(after_heal.is_empty(), "the old leader sent {after_heal:#?}");
    match a.stop().await {
        Err(ControllerError::Leader(why)) => {
            assert!(why.contains("renew deadline"), "{why}")
        }
        other => panic!("a ends with a leader-election error, not {other:?}"),
    }
    // and b goes on: still the holder, renewing
    let renewed = lease(&ns).await.and_then(|l| l.1).unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (h, renewed_again) = lease(&ns).await.unwrap();
    assert_eq!(h.as_deref(), Some("replica-b"));
    assert!(renewed_again.unwrap() > renewed);
    b.stop().await.expect("b stops cleanly");
}
