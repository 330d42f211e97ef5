//! No fight with kube-controller-manager: on a real control plane whose built-in HPA
//! controller is ON (2 s syncs), Alpaca in `--mode hpa` finds the HPA's status written by
//! field manager `kube-controller-manager` and leaves the autoscaler alone — no scale, no
//! status and no memory write, a Warning event `AnotherControllerActive` naming that
//! manager, the replica count steady — unless `--allow-other-hpa-writers` is given.
//!
//! Its own control plane (the `cluster` tests need the built-in controller off).

use std::time::Duration;

use alpaca_controller::{Controller, ControllerArgs};
use alpaca_fake_apiserver::Verb;
use alpaca_metrics_api::GoDuration;
use alpaca_testenv::aggregated::METRICS_APIS;
use alpaca_testenv::{CpuLoad, EnvOptions, FaultProxy, TestEnv, eventually};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::json;
use tokio::sync::oneshot;

fn env(test: &str) -> Option<&'static TestEnv> {
    TestEnv::shared(test, || {
        EnvOptions::cluster(
            true,
            &["--horizontal-pod-autoscaler-sync-period=2s"],
            &METRICS_APIS,
        )
    })
}

/// A namespace with Deployment `web` (2 pods at 100m of 200m requested: 50%, steady) and
/// an HPA on it (1..=10, 50% CPU) whose status kube-controller-manager has written.
async fn setup(env: &'static TestEnv, prefix: &str) -> (String, kube::Client) {
    let ns = env.namespace(prefix).await;
    let client = env.client().await;
    let pp = PatchParams::apply("test").force();
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .patch(
            "web",
            &pp,
            &Patch::Apply(json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "labels": {"app": "web"}},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                         "template": {"metadata": {"labels": {"app": "web"}},
                                      "spec": {"containers": [{"name": "app", "image": "php-apache",
                                               "resources": {"requests": {"cpu": "200m"}}}]}}}
            })),
        )
        .await
        .expect("the Deployment");
    env.metrics().set_cpu(&ns, "web", CpuLoad::PerPod(100));
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    eventually("2 Ready pods", 60, || async {
        pods.list(&ListParams::default().labels("app=web"))
            .await
            .is_ok_and(|l| {
                l.items
                    .iter()
                    .filter(|p| {
                        p.status
                            .as_ref()
                            .and_then(|s| s.conditions.as_ref())
                            .is_some_and(|c| {
                                c.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                            })
                    })
                    .count()
                    == 2
            })
    })
    .await;
    let hpas: Api<HorizontalPodAutoscaler> = Api::namespaced(client.clone(), &ns);
    hpas.patch(
        "web",
        &pp,
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
    .expect("the HPA");
    eventually(
        "kube-controller-manager writes the HPA's status",
        60,
        || async {
            hpas.get("web").await.is_ok_and(|h| {
                h.metadata
                    .managed_fields
                    .unwrap_or_default()
                    .iter()
                    .any(|e| {
                        e.manager.as_deref() == Some("kube-controller-manager")
                            && e.subresource.as_deref() == Some("status")
                    })
            })
        },
    )
    .await;
    (ns, client)
}

fn args(ns: &str) -> ControllerArgs {
    ControllerArgs {
        namespace: Some(ns.into()),
        sync_period: GoDuration::from_secs(1),
        sync_jitter: 0.0,
        memory_flush_interval: GoDuration::from_secs(1),
        request_timeout: GoDuration::from_secs(2),
        leader_elect: false,
        metrics_bind_address: "0".into(),
        ..ControllerArgs::default()
    }
}

/// Runs Alpaca through `proxy` for `secs`, sampling the Deployment's replicas; returns
/// the samples and the metrics text.
async fn run_for(
    proxy: &FaultProxy,
    client: &kube::Client,
    ns: &str,
    args: ControllerArgs,
    secs: u64,
) -> (Vec<Option<i32>>, String) {
    let kube =
        alpaca_controller::client_with_timeout(Some(proxy.kubeconfig()), args.request_timeout())
            .await
            .expect("a client");
    let controller = Controller::new(kube, args).await.expect("a controller");
    let telemetry = controller.telemetry();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(controller.run(async move {
        let _ = rx.await;
    }));
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns);
    let mut samples = Vec::new();
    for _ in 0..secs * 2 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        samples.push(
            deployments
                .get("web")
                .await
                .ok()
                .and_then(|d| d.spec.replicas),
        );
    }
    let _ = tx.send(());
    tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .expect("stops")
        .expect("no panic")
        .expect("a clean stop");
    (samples, telemetry.encode())
}

fn writes(proxy: &FaultProxy, ns: &str) -> Vec<String> {
    proxy
        .requests()
        .iter()
        .filter(|r| r.info.namespace.as_deref() == Some(ns))
        .filter(|r| {
            r.is(Verb::Update, "deployments/scale")
                || r.is(Verb::Patch, "deployments/scale")
                || r.is(Verb::Update, "horizontalpodautoscalers/status")
                || r.is(Verb::Patch, "horizontalpodautoscalers/status")
                || r.is(Verb::Update, "horizontalpodautoscalers")
                || r.is(Verb::Patch, "horizontalpodautoscalers")
        })
        .map(|r| r.line())
        .collect()
}

async fn events(client: &kube::Client, ns: &str, reason: &str) -> Vec<Event> {
    Api::<Event>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await
        .map(|l| l.items)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some(reason))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alpaca_leaves_alone_an_hpa_the_builtin_controller_writes() {
    let Some(env) = env("fight") else {
        return;
    };
    let (ns, client) = setup(env, "fight").await;
    let proxy = env.proxy("fight").await;
    let (samples, metrics) = run_for(&proxy, &client, &ns, args(&ns), 8).await;

    let made = writes(&proxy, &ns);
    assert!(
        made.is_empty(),
        "no scale, status or memory write: {made:?}"
    );
    assert!(
        samples.iter().all(|r| *r == Some(2)),
        "the replica count does not flap: {samples:?}"
    );
    let warned = events(&client, &ns, "AnotherControllerActive").await;
    let e = warned.first().expect("an AnotherControllerActive event");
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.involved_object.name.as_deref(), Some("web"));
    assert_eq!(
        e.source.as_ref().and_then(|s| s.component.as_deref()),
        Some(alpaca_controller::cluster::COMPONENT)
    );
    let message = e.message.clone().unwrap_or_default();
    assert!(message.contains("\"kube-controller-manager\""), "{message}");
    assert!(
        message.contains("--controllers=*,-horizontalpodautoscaling"),
        "{message}"
    );
    assert!(
        metrics.lines().any(|l| l
            .starts_with("alpaca_controller_errors_total{kind=\"other_writer\"}")
            && !l.ends_with(" 0")),
        "{metrics}"
    );
    assert!(
        !metrics
            .lines()
            .any(|l| l.starts_with("alpaca_controller_syncs_total{result=\"success\"}")),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_other_hpa_writers_lets_alpaca_proceed() {
    let Some(env) = env("fight_allowed") else {
        return;
    };
    let (ns, client) = setup(env, "fight-allowed").await;
    let proxy = env.proxy("fight-allowed").await;
    let (_, metrics) = run_for(
        &proxy,
        &client,
        &ns,
        ControllerArgs {
            allow_other_hpa_writers: true,
            ..args(&ns)
        },
        5,
    )
    .await;
    let made = writes(&proxy, &ns);
    assert!(
        made.iter()
            .any(|w| w.starts_with("PATCH") && w.ends_with(" 200")),
        "Alpaca persists its memory: {made:?}"
    );
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("alpaca_controller_syncs_total{result=\"success\"}")),
        "{metrics}"
    );
    assert!(
        events(&client, &ns, "AnotherControllerActive")
            .await
            .is_empty()
    );
}
