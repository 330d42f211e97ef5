//! The HPA walkthrough end to end on a real control plane, with the `alpaca` binary as the
//! HPA controller: kube-apiserver and kube-controller-manager 1.24 (its own HPA controller
//! off), the kubelet stand-in, resource metrics behind the real aggregator, `kubectl
//! autoscale` as the walkthrough types it, then load on and off: 1 → at least 4 → back to 1,
//! with a shortened downscale stabilization so that it takes about a minute.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use alpaca_testenv::aggregated::METRICS_APIS;
use alpaca_testenv::{CpuLoad, EnvOptions, TestEnv};
use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::json;

const KUBECTL: &str = "kubectl";

fn kubectl(kubeconfig: &Path, ns: &str, args: &[&str]) -> String {
    let out = Command::new(KUBECTL)
        .arg(format!("--kubeconfig={}", kubeconfig.display()))
        .arg(format!("--namespace={ns}"))
        .args(args)
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn replicas(api: &Api<Deployment>) -> i32 {
    api.get("php-apache")
        .await
        .ok()
        .and_then(|d| d.spec.replicas)
        .unwrap_or(-1)
}

/// Polls the replica count every 250 ms until `done` holds or `secs` pass; returns the
/// changes seen, as `(seconds since start, replicas)`.
async fn watch_until(
    api: &Api<Deployment>,
    start: Instant,
    history: &mut Vec<(f64, i32)>,
    secs: u64,
    done: impl Fn(i32) -> bool,
) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        let r = replicas(api).await;
        if history.last().map(|h| h.1) != Some(r) {
            history.push((start.elapsed().as_secs_f64(), r));
        }
        if done(r) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn php_apache_walkthrough_on_a_real_control_plane() {
    let Some(env) = TestEnv::shared("php_apache_walkthrough_on_a_real_control_plane", || {
        EnvOptions::cluster(false, &[], &METRICS_APIS)
    }) else {
        return;
    };
    let ns = env.namespace("walkthrough").await;
    let client = env.client().await;
    let kubeconfig = env.plane().kubeconfig_path().to_path_buf();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    // php-apache as the walkthrough deploys it (labelled app= for the load model)
    let php_apache = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "php-apache"},
        "spec": {"selector": {"matchLabels": {"app": "php-apache"}},
                 "template": {"metadata": {"labels": {"app": "php-apache"}},
                              "spec": {"containers": [{"name": "php-apache",
                                 "image": "registry.k8s.io/hpa-example",
                                 "ports": [{"containerPort": 80}],
                                 "resources": {"limits": {"cpu": "500m"}, "requests": {"cpu": "200m"}}}]}}}
    });
    deployments
        .patch(
            "php-apache",
            &PatchParams::apply("walkthrough"),
            &Patch::Apply(php_apache),
        )
        .await
        .unwrap();
    env.metrics().set_cpu(&ns, "php-apache", CpuLoad::Total(1));
    kubectl(
        &kubeconfig,
        &ns,
        &[
            "autoscale",
            "deployment",
            "php-apache",
            "--cpu-percent=50",
            "--min=1",
            "--max=10",
        ],
    );

    let args: Vec<String> = [
        "controller",
        &format!("--kubeconfig={}", kubeconfig.display()),
        &format!("--namespace={ns}"),
        "--leader-elect=false",
        "--metrics-bind-address=0",
        "--horizontal-pod-autoscaler-sync-period=2s",
        "--horizontal-pod-autoscaler-downscale-stabilization=20s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let process = format!("alpaca-{ns}");
    env.plane()
        .spawn(&process, Path::new(env!("CARGO_BIN_EXE_alpaca")), &args)
        .unwrap();

    let start = Instant::now();
    let mut history = vec![];
    let first_status = async {
        loop {
            let out = kubectl(
                &kubeconfig,
                &ns,
                &[
                    "get",
                    "hpa",
                    "php-apache",
                    "-o",
                    "jsonpath={.status.conditions}",
                ],
            );
            if !out.trim().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), first_status)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "no status within 30 s:\n{}",
                env.plane().log_tail(&process, 30)
            )
        });

    // the busybox loop starts: about 610m of CPU demand, shared by the ready pods
    env.metrics()
        .set_cpu(&ns, "php-apache", CpuLoad::Total(610));
    let load_on = start.elapsed().as_secs_f64();
    let up = watch_until(&deployments, start, &mut history, 60, |r| r >= 4).await;
    assert!(
        up,
        "no scale-up to ≥4 within 60 s: {history:?}\n{}",
        env.plane().log_tail(&process, 30)
    );
    // let it settle, then stop the load
    watch_until(&deployments, start, &mut history, 8, |_| false).await;
    let peak = history.iter().map(|h| h.1).max().unwrap();
    env.metrics().set_cpu(&ns, "php-apache", CpuLoad::Total(0));
    let load_off = start.elapsed().as_secs_f64();
    let down = watch_until(&deployments, start, &mut history, 90, |r| r == 1).await;
    assert!(
        down,
        "no scale-down to 1 within 90 s: {history:?}\n{}",
        env.plane().log_tail(&process, 30)
    );
    eprintln!(
        "walkthrough on the real control plane: load on at {load_on:.1}s, off at {load_off:.1}s; \
         replicas over time {history:?}; peak {peak}"
    );
    assert!(peak >= 4, "{history:?}");

    let describe = kubectl(&kubeconfig, &ns, &["describe", "hpa", "php-apache"]);
    assert!(describe.contains("SuccessfulRescale"), "{describe}");
    assert!(
        describe.contains("New size: 1; reason: All metrics below target"),
        "{describe}"
    );
    assert!(describe.contains("ScalingActive"), "{describe}");
    env.plane().stop(&process, Duration::from_secs(10));
}
