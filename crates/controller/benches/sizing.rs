//! Sizing on the real API server: N autoscalers × 10 pods on the `alpaca-testenv` control
//! plane (kube-apiserver 1.24 and etcd; the metrics API behind the real aggregator), the
//! controller in a process of its own with the default flags, its CPU time per sync round
//! and its peak memory.
//!
//!     cargo bench -p alpaca-controller --bench sizing -- 1000
//!     cargo bench -p alpaca-controller --bench sizing -- 5000
//!
//! N Deployments (no kube-controller-manager: a Deployment's scale subresource takes its
//! selector from `spec.selector` and its replicas from `spec.replicas`), 10 pods each
//! created directly and made Running and Ready through the status subresource (no kubelet
//! stand-in), a PodMetrics sample per pod (100m of a 200m request, so every autoscaler
//! keeps its 10 replicas), N HPAs at 50% CPU; one namespace per 100 autoscalers, and as
//! many pods again in namespaces without autoscalers (which the controller does not
//! cache). Then the bench re-executes itself as the controller (`ALPACA_SIZING_KUBECONFIG`
//! set), which reports its CPU time (`/proc/self/stat`, all threads) over the first
//! round (the caches filled, every status written) and over the next minute (4 periods
//! of 15 s, the memory written once), and its peak resident memory (`VmHWM`).
//! `ALPACA_SIZING_CONCURRENCY` sets the controller's `--concurrency` (default 5);
//! `ALPACA_SIZING_BYSTANDERS=0` leaves out the pods of namespaces without autoscalers.

use std::process::Command;
use std::time::{Duration, Instant};

use alpaca_controller::telemetry::metrics::ResultLabels;
use alpaca_controller::{Controller, ControllerArgs};
use alpaca_testenv::aggregated::METRICS_APIS;
use alpaca_testenv::{EnvOptions, Options, TestEnv};
use futures::{StreamExt, TryStreamExt, stream};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};

const PODS: usize = 10;
const PER_NAMESPACE: usize = 100;
const KUBECONFIG_VAR: &str = "ALPACA_SIZING_KUBECONFIG";
const COUNT_VAR: &str = "ALPACA_SIZING_AUTOSCALERS";
const CONCURRENCY_VAR: &str = "ALPACA_SIZING_CONCURRENCY";
/// Requests at once while the fleet is created.
const WRITERS: usize = 48;

fn ago(secs: i64) -> String {
    (Timestamp::now() - SignedDuration::from_secs(secs)).to_string()
}

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("a valid object")
}

/// User + system CPU seconds of this process (all threads).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // after the command: state is [0], utime [11], stime [12] (clock ticks)
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// A `/proc/self/status` value in MiB (`VmHWM`, `VmRSS`).
fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn series_sum(text: &str, prefix: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Runs `f` over `items`, `WRITERS` at once, panicking on the first error.
async fn each<T, F, Fut>(what: &str, items: Vec<T>, f: F)
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<(), kube::Error>>,
{
    let began = Instant::now();
    let n = items.len();
    stream::iter(items.into_iter().map(f))
        .buffer_unordered(WRITERS)
        .try_collect::<Vec<()>>()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    eprintln!("  {n} {what} in {:.1} s", began.elapsed().as_secs_f64());
}

/// The fleet: namespaces, Deployments, Running and Ready pods, PodMetrics, HPAs (and as
/// many pods in namespaces without autoscalers).
async fn create_fleet(env: &TestEnv, n: usize) {
    let client = env.client().await;
    let namespaces = n.div_ceil(PER_NAMESPACE);
    let ns_name = |i: usize| format!("sizing-{}", i / PER_NAMESPACE);
    let mut names: Vec<String> = (0..namespaces).map(|i| format!("sizing-{i}")).collect();
    let bystanders: Vec<String> = (0..namespaces).map(|i| format!("bystander-{i}")).collect();
    names.extend(bystanders.iter().cloned());
    let ns_api: Api<Namespace> = Api::all(client.clone());
    each("namespaces", names, |name| {
        let api = ns_api.clone();
        async move {
            api.create(
                &PostParams::default(),
                &from(json!({"metadata": {"name": name}})),
            )
            .await
            .map(|_| ())
        }
    })
    .await;

    each("deployments", (0..n).collect(), |i| {
        let api: Api<Deployment> = Api::namespaced(client.clone(), &ns_name(i));
        async move {
            let app = format!("app-{i}");
            api.create(
                &PostParams::default(),
                &from(json!({
                    "metadata": {"name": app},
                    "spec": {"replicas": PODS, "selector": {"matchLabels": {"app": app}},
                             "template": {"metadata": {"labels": {"app": app}},
                                          "spec": {"containers": [{"name": "c", "image": "i"}]}}}
                })),
            )
            .await
            .map(|_| ())
        }
    })
    .await;

    // pods of autoscaled apps (i < n) and bystanders (i >= n)
    let pod_of = |i: usize, p: usize| {
        let (ns, app) = if i < n {
            (ns_name(i), format!("app-{i}"))
        } else {
            (
                format!("bystander-{}", (i - n) / PER_NAMESPACE),
                format!("other-{i}"),
            )
        };
        (ns, app.clone(), format!("{app}-{p}"))
    };
    // `ALPACA_SIZING_BYSTANDERS=0`: no pods in namespaces without autoscalers
    let bystander_apps = if std::env::var("ALPACA_SIZING_BYSTANDERS").is_ok_and(|v| v == "0") {
        0
    } else {
        n
    };
    let all: Vec<(usize, usize)> = (0..n + bystander_apps)
        .flat_map(|i| (0..PODS).map(move |p| (i, p)))
        .collect();
    each("pods created", all.clone(), |(i, p)| {
        let (ns, app, name) = pod_of(i, p);
        let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
        async move {
            api.create(&PostParams::default(), &from(json!({
                "metadata": {"name": name, "labels": {"app": app, "pod-template-hash": "abc123"}},
                "spec": {"nodeName": "sizing-node",
                         "containers": [{"name": "c", "image": "i",
                                         "resources": {"requests": {"cpu": "200m", "memory": "64Mi"}}}]}
            })))
            .await
            .map(|_| ())
        }
    })
    .await;
    let started = ago(3600);
    let ready = ago(3500);
    each("pods made Running and Ready", all.clone(), |(i, p)| {
        let (ns, _, name) = pod_of(i, p);
        let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
        let status = json!({"status": {
            "phase": "Running", "startTime": started, "podIP": "10.0.0.1", "hostIP": "10.0.0.2",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ready}]
        }});
        async move {
            api.patch_status(&name, &PatchParams::default(), &Patch::Merge(status))
                .await
                .map(|_| ())
        }
    })
    .await;
    let backend = env.metrics().backend();
    for (i, p) in all.iter().copied().filter(|(i, _)| *i < n) {
        let (ns, app, name) = pod_of(i, p);
        backend.set_pod_metrics(from(json!({
            "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
            "timestamp": ago(5), "window": "15s",
            "containers": [{"name": "c", "usage": {"cpu": "100m", "memory": "32Mi"}}]
        })));
    }
    each("HPAs", (0..n).collect(), |i| {
        let api: Api<HorizontalPodAutoscaler> = Api::namespaced(client.clone(), &ns_name(i));
        async move {
            let app = format!("app-{i}");
            api.create(&PostParams::default(), &from(json!({
                "metadata": {"name": app},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
                         "minReplicas": 1, "maxReplicas": 50,
                         "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                      "target": {"type": "Utilization", "averageUtilization": 50}}}]}
            })))
            .await
            .map(|_| ())
        }
    })
    .await;
}

/// The child: the controller with the default flags (no leader election, no telemetry
/// server), measured.
async fn controller(kubeconfig: String, n: u64) {
    let mut args = ControllerArgs {
        leader_elect: false,
        metrics_bind_address: "0".into(),
        ..ControllerArgs::default()
    };
    if let Some(c) = std::env::var(CONCURRENCY_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
    {
        args.concurrency = c;
    }
    let period = Duration::from_secs(15);
    let concurrency = args.concurrency;
    let rss0 = status_mib("VmRSS:");
    let client = alpaca_controller::client_with_timeout(
        Some(std::path::Path::new(&kubeconfig)),
        args.request_timeout(),
    )
    .await
    .expect("a client");
    let controller = Controller::new(client, args).await.expect("a controller");
    let telemetry = controller.telemetry();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let cpu0 = cpu_seconds();
    let began = Instant::now();
    let task = tokio::spawn(controller.run(async move {
        let _ = rx.await;
    }));
    // counted from the counters, not by encoding every series (which, polled, would cost
    // the controller's process more than the syncs at 5,000 autoscalers)
    let syncs = || {
        ["success", "error", "deleted", "refused"]
            .iter()
            .map(|r| {
                telemetry
                    .syncs
                    .get_or_create(&ResultLabels {
                        result: (*r).into(),
                    })
                    .get()
            })
            .sum::<u64>()
    };
    let deadline = Instant::now() + Duration::from_secs(1800);
    while syncs() < n {
        assert!(Instant::now() < deadline, "the first round did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first_wall = began.elapsed().as_secs_f64();
    let cpu1 = cpu_seconds();
    let hwm1 = status_mib("VmHWM:");
    // steady state: four periods (one memory write per autoscaler, at most once a minute)
    let window = 4 * period;
    let s1 = syncs();
    tokio::time::sleep(window).await;
    let cpu2 = cpu_seconds();
    let s2 = syncs();
    let text = telemetry.encode();
    let _ = tx.send(());
    let _ = task.await;
    let rounds = (s2 - s1) as f64 / n as f64;
    let lag_sum = series_sum(&text, "alpaca_controller_sync_lag_seconds_sum");
    let lag_count = series_sum(&text, "alpaca_controller_sync_lag_seconds_count").max(1.0);
    println!("sizing: {n} autoscalers × {PODS} pods, concurrency {concurrency}, 15 s period");
    println!(
        "  first round (LIST and cache, {n} syncs, {n} status writes): {:.2} s CPU, {first_wall:.1} s wall",
        cpu1 - cpu0
    );
    println!(
        "  steady: {:.2} s CPU over {:.0} s, {} syncs ({rounds:.2} rounds): {:.2} s CPU per round",
        cpu2 - cpu1,
        window.as_secs_f64(),
        s2 - s1,
        (cpu2 - cpu1) / rounds.max(0.01)
    );
    println!(
        "  memory: peak {:.1} MiB (VmHWM; {hwm1:.1} MiB after the first round), {:.1} MiB resident at the end, {rss0:.1} MiB before start",
        status_mib("VmHWM:"),
        status_mib("VmRSS:")
    );
    println!(
        "  cached pods {}, memory writes {}, errors {}, mean sync lag {:.2} s",
        series_sum(&text, "alpaca_controller_cached_pods"),
        series_sum(&text, "alpaca_controller_memory_writes_total"),
        series_sum(&text, "alpaca_controller_errors_total"),
        lag_sum / lag_count
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    if let Ok(kubeconfig) = std::env::var(KUBECONFIG_VAR) {
        let n = std::env::var(COUNT_VAR)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000);
        runtime.block_on(controller(kubeconfig, n));
        return;
    }
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let Some(env) = TestEnv::shared("sizing", || EnvOptions {
        plane: Options {
            aggregation: true,
            ..Options::default()
        },
        kubelet: None,
        metrics: METRICS_APIS.to_vec(),
    }) else {
        return;
    };
    eprintln!("sizing: creating {n} autoscalers × {PODS} pods");
    runtime.block_on(create_fleet(env, n));
    let status = Command::new(std::env::current_exe().expect("this binary"))
        .env(KUBECONFIG_VAR, env.plane().kubeconfig_path())
        .env(COUNT_VAR, n.to_string())
        .status()
        .expect("the controller process");
    assert!(status.success(), "the controller process failed: {status}");
}
