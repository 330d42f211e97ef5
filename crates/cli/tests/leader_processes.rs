//! Leader election between two OS processes: the `alpaca` binary twice (`alpaca
//! controller`, leader election on, a 3 s Lease), each reaching the real API server through
//! a fault proxy of its own. The leader is cut off from the API server (a partition: its
//! requests go out and nothing comes back); it must exit — stopping every write — before
//! its Lease could have been taken (its last renew plus the lease duration), the other
//! process takes the Lease once it has expired and writes the rescale. Prints the
//! failover time.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alpaca_testenv::aggregated::METRICS_APIS;
use alpaca_testenv::{CpuLoad, EnvOptions, StampedProxy, TestEnv, eventually};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::json;

const LEASE_SECS: i64 = 3;

/// `alpaca controller` as a process of its own, through `kubeconfig`.
struct Replica(Child);

impl Replica {
    fn start(kubeconfig: &Path, ns: &str, identity: &str) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_alpaca"))
            .args([
                "controller",
                &format!("--kubeconfig={}", kubeconfig.display()),
                &format!("--namespace={ns}"),
                "--leader-elect=true",
                &format!("--leader-elect-resource-namespace={ns}"),
                &format!("--leader-elect-identity={identity}"),
                &format!("--leader-elect-lease-duration={LEASE_SECS}s"),
                "--leader-elect-renew-margin=2s",
                "--leader-elect-renew-deadline=2s",
                "--horizontal-pod-autoscaler-sync-period=1s",
                "--sync-jitter=0",
                "--request-timeout=2s",
                "--metrics-bind-address=0",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the alpaca binary starts");
        Self(child)
    }

    /// The exit status, once it has exited.
    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.0.try_wait().ok().flatten()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The Lease: `(holder, renewTime)`.
async fn lease(api: &Api<Lease>) -> Option<(Option<String>, Option<Timestamp>)> {
    let spec = api.get("alpaca-controller").await.ok()?.spec?;
    Some((spec.holder_identity, spec.renew_time.map(|t| t.0)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_process_cut_off_exits_before_its_lease_can_be_taken() {
    let Some(env) = TestEnv::shared("leader_processes", || {
        EnvOptions::cluster(false, &[], &METRICS_APIS)
    }) else {
        return;
    };
    let ns = env.namespace("leader-processes").await;
    let client = env.client().await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let leases: Api<Lease> = Api::namespaced(client.clone(), &ns);
    // two pods at 50% of their request: at target
    deployments
        .patch(
            "web",
            &PatchParams::apply("test").force(),
            &Patch::Apply(json!({
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                         "template": {"metadata": {"labels": {"app": "web"}},
                                      "spec": {"containers": [{"name": "web", "image": "web",
                                               "resources": {"requests": {"cpu": "200m"}}}]}}}
            })),
        )
        .await
        .unwrap();
    env.metrics().set_cpu(&ns, "web", CpuLoad::PerPod(100));
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    eventually("2 Ready pods", 60, || async {
        pods.list(&ListParams::default().labels("app=web"))
            .await
            .is_ok_and(|l| l.items.iter().filter(|p| is_ready(p)).count() == 2)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let hpas: Api<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler> =
        Api::namespaced(client.clone(), &ns);
    hpas.patch(
        "web",
        &PatchParams::apply("test").force(),
        &Patch::Apply(json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "minReplicas": 1, "maxReplicas": 10,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                  "target": {"type": "Utilization", "averageUtilization": 50}}}]}
        })),
    )
    .await
    .unwrap();

    let (pa, pb) = (
        StampedProxy::new(env.proxy("proc-a").await),
        StampedProxy::new(env.proxy("proc-b").await),
    );
    let mut a = Replica::start(pa.proxy.kubeconfig(), &ns, "process-a");
    eventually("process a leads", 20, || async {
        lease(&leases).await.and_then(|l| l.0).as_deref() == Some("process-a")
    })
    .await;
    let mut b = Replica::start(pb.proxy.kubeconfig(), &ns, "process-b");
    eventually("a writes the status", 20, || async {
        pa.work_writes_since(Timestamp::UNIX_EPOCH)
            .iter()
            .any(|(_, r)| r.info.subresource.as_deref() == Some("status"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        pb.work_writes_since(Timestamp::UNIX_EPOCH).is_empty(),
        "the standby process wrote"
    );

    // the partition; then the load doubles, so the next leader has a rescale to write
    pa.proxy.cut();
    let cut = Timestamp::now();
    env.metrics().set_cpu(&ns, "web", CpuLoad::PerPod(200));

    let mut last_renew = None;
    let mut a_exited = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let took_over = loop {
        assert!(tokio::time::Instant::now() < deadline, "b never took over");
        if a_exited.is_none() && a.exited().is_some() {
            a_exited = Some(Timestamp::now());
        }
        match lease(&leases).await {
            Some((Some(h), renew)) if h == "process-a" => last_renew = renew,
            Some((Some(h), _)) if h == "process-b" => break Timestamp::now(),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let last_renew = last_renew.expect("a renewed the Lease");
    let takeable = last_renew + SignedDuration::from_secs(LEASE_SECS);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while a_exited.is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "process a never exited"
        );
        if a.exited().is_some() {
            a_exited = Some(Timestamp::now());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let a_exited = a_exited.unwrap();
    let status = a.exited().unwrap();
    assert!(!status.success(), "a exits with an error: {status}");

    eventually("b scales to 4", 30, || async {
        deployments
            .get("web")
            .await
            .ok()
            .and_then(|d| d.spec.replicas)
            == Some(4)
    })
    .await;
    eventually("b's first write is logged", 10, || async {
        !pb.work_writes_since(cut).is_empty()
    })
    .await;
    let (first_write, first) = pb.work_writes_since(cut)[0].clone();
    eprintln!(
        "leader failover, two processes: cut at {cut}; a's last renew {:#} before the cut; \
         a exited ({status}) {:#} after the cut, {:#} before its Lease could be taken; b holds \
         the Lease {:#} and writes ({}) {:#} after the cut",
        cut.duration_since(last_renew),
        a_exited.duration_since(cut),
        takeable.duration_since(a_exited),
        took_over.duration_since(cut),
        first.line(),
        first_write.duration_since(cut),
    );
    assert!(
        took_over >= takeable,
        "b took the Lease at {took_over}, before it expired at {takeable}"
    );
    assert!(
        a_exited < takeable,
        "a exited at {a_exited}, after its Lease could be taken at {takeable}"
    );

    // the partition heals: nothing more comes from a (it has exited)
    pa.proxy.heal();
    let healed = Timestamp::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let late = pa.work_writes_since(cut);
    assert!(
        late.is_empty(),
        "the old leader wrote after the cut: {late:#?}"
    );
    let after_heal = pa.lines_since(healed);
    assert!(after_heal.is_empty(), "the old leader sent {after_heal:#?}");
    assert!(b.exited().is_none(), "b keeps running");
}
