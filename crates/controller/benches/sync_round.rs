//! Benchmark: one full sync round of 1,000 autoscalers with 10 pods each.
//!
//! The in-memory API server runs in a child process (this binary, re-executed), served
//! on a loopback port, so that the CPU time and peak memory measured are the
//! controller's alone: `/proc/self/stat` (user + system time of all threads) and
//! `/proc/self/status` (VmHWM).
//!
//!     cargo bench -p alpaca-controller --bench sync_round
//!
//! Every pod uses 100m of a 200m request against a 50% target, so the steady round
//! decides "keep" for every autoscaler: it reads each target's scale and PodMetrics,
//! decides, and persists the memory; the first round also writes every status and
//! fills the caches (LIST of 1,000 autoscalers and 10,000 pods).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alpaca_controller::{Controller, ControllerArgs};
use alpaca_fake_apiserver::{Config, FakeApiServer};
use alpaca_metrics_api::GoDuration;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

const AUTOSCALERS: usize = 1_000;
const PODS: usize = 10;
const NAMESPACES: usize = 10;
const ENV: &str = "ALPACA_BENCH_SERVER";

fn ago(secs: i64) -> String {
    (Timestamp::now() - SignedDuration::from_secs(secs)).to_string()
}

/// The child: the fake API server with the fleet, until stdin closes.
async fn serve() {
    let fake = FakeApiServer::with_config(Config {
        request_log_capacity: 16,
        history_capacity: 50_000,
        ..Config::default()
    });
    for n in 0..NAMESPACES {
        fake.apply_json(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("ns-{n}")}}))
            .unwrap();
    }
    for i in 0..AUTOSCALERS {
        let ns = format!("ns-{}", i % NAMESPACES);
        let app = format!("app-{i}");
        fake.apply_json(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": app, "namespace": ns},
            "spec": {"replicas": PODS, "selector": {"matchLabels": {"app": app}},
                     "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
            "status": {"replicas": PODS}
        }))
        .unwrap();
        for p in 0..PODS {
            let name = format!("{app}-{p}");
            fake.apply_json(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": ns, "labels": {"app": app, "pod-template-hash": "abc123"}},
                "spec": {"containers": [{"name": "c", "image": "i", "resources": {"requests": {"cpu": "200m", "memory": "64Mi"}}}]},
                "status": {"phase": "Running", "startTime": ago(3600), "podIP": "10.0.0.1",
                           "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ago(3500)}]}
            }))
            .unwrap();
            fake.set_pod_metrics(
                serde_json::from_value(json!({
                    "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
                    "timestamp": ago(5), "window": "15s",
                    "containers": [{"name": "c", "usage": {"cpu": "100m", "memory": "32Mi"}}]
                }))
                .unwrap(),
            );
        }
        fake.apply_json(json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": app, "namespace": ns},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
                     "minReplicas": 1, "maxReplicas": 50,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}
        }))
        .unwrap();
    }
    let (_, server) = fake.serve_on_localhost().await.unwrap();
    println!("{}", server.url());
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    })
    .await;
}

/// User + system CPU seconds of this process (all threads).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // fields after the command: state is [0], utime [11], stime [12] (in clock ticks)
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

fn syncs(text: &str) -> u64 {
    text.lines()
        .filter(|l| l.starts_with("alpaca_controller_syncs_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn bench(url: String) {
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {url}\n\
         contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\ncurrent-context: fake\nusers:\n- name: fake\n  user: {{}}\n"
    );
    let path = std::env::temp_dir().join(format!("alpaca-bench-{}.kubeconfig", std::process::id()));
    std::fs::write(&path, kubeconfig).unwrap();
    let client = alpaca_controller::client(Some(&path)).await.unwrap();
    let _ = std::fs::remove_file(&path);
    let period = 6;
    let args = ControllerArgs {
        sync_period: GoDuration::from_secs(period),
        sync_jitter: 0.0,
        memory_flush_interval: GoDuration::from_secs(period),
        leader_elect: false,
        metrics_bind_address: "0".into(),
        ..ControllerArgs::default()
    };
    let concurrency = args.concurrency;
    let controller = Controller::new(client, args).await.unwrap();
    let telemetry = controller.telemetry();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let cpu0 = cpu_seconds();
    let rss0 = status_mib("VmRSS:");
    let started = Instant::now();
    let task = tokio::spawn(controller.run(async move {
        let _ = rx.await;
    }));
    let wait_for = |n: u64| {
        let telemetry = telemetry.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(300);
            while syncs(&telemetry.encode()) < n {
                assert!(Instant::now() < deadline, "round did not finish");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    let n = AUTOSCALERS as u64;
    wait_for(n).await;
    let first_wall = started.elapsed();
    let cpu1 = cpu_seconds();
    let hwm_first = status_mib("VmHWM:");
    let rss_first = status_mib("VmRSS:");
    // the second round starts one period after each first sync
    tokio::time::sleep(Duration::from_millis(period as u64 * 1000 - 500)).await;
    let cpu2 = cpu_seconds();
    let round2 = Instant::now();
    wait_for(2 * n).await;
    // let the memory flush of round 2 happen and count it in
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let steady_wall = round2.elapsed();
    let cpu3 = cpu_seconds();
    let _ = tx.send(());
    let _ = task.await;
    let text = telemetry.encode();
    let writes = text
        .lines()
        .find(|l| l.starts_with("alpaca_controller_memory_writes_total"))
        .unwrap_or("")
        .to_string();
    println!(
        "sync_round: {AUTOSCALERS} autoscalers × {PODS} pods in {NAMESPACES} namespaces, concurrency {concurrency}"
    );
    println!(
        "  first round (cache fill + status writes): {:.2} s CPU, {:.2} s wall",
        cpu1 - cpu0,
        first_wall.as_secs_f64()
    );
    println!(
        "  steady round (scale + PodMetrics reads, decide, memory writes): {:.2} s CPU, {:.2} s wall",
        cpu3 - cpu2,
        steady_wall.as_secs_f64() - 1.5
    );
    println!(
        "  memory: peak {:.1} MiB (VmHWM; {hwm_first:.1} MiB after the first round), {rss_first:.1} MiB resident after the first round, {:.1} MiB at the end, {:.1} MiB before start",
        status_mib("VmHWM:"),
        status_mib("VmRSS:"),
        rss0
    );
    println!("  {writes}");
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if std::env::var_os(ENV).is_some() {
        runtime.block_on(serve());
        return;
    }
    // `cargo bench` passes `--bench`; anything else is ignored too
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .env(ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    runtime.block_on(bench(url.trim().to_string()));
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"\n");
    }
    let _ = child.wait();
}
