//! Builders and helpers shared by the integration tests: a fake cluster with the
//! php-apache shape (a Deployment, its pods, their CPU metrics, an HPA), a controller
//! running in the background with fast timings, and bounded waits.

use std::future::Future;
use std::time::Duration;

use alpaca_controller::{Controller, ControllerArgs, ControllerError};
use alpaca_fake_apiserver::FakeApiServer;
use alpaca_metrics_api::GoDuration;
use alpaca_metrics_api::resource::PodMetrics;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Event, Pod};
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// An RFC 3339 time `secs` seconds before now.
pub fn ago(secs: i64) -> String {
    (Timestamp::now() - SignedDuration::from_secs(secs)).to_string()
}

/// A Deployment `name` selecting `app=name` with `replicas`.
pub fn deployment(ns: &str, name: &str, replicas: i32) -> Deployment {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": "php-apache"}]}}}
    }))
    .unwrap()
}

/// A running, ready pod of `app` with a 200m CPU request, started ten minutes ago.
pub fn pod(ns: &str, app: &str, i: usize) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": format!("{app}-{i}"), "namespace": ns, "labels": {"app": app},
                     "annotations": {"big": "dropped by the cache"}},
        "spec": {"containers": [{"name": "app", "image": "php-apache",
                                 "resources": {"requests": {"cpu": "200m"}}}]},
        "status": {"phase": "Running", "startTime": ago(600),
                   "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ago(590)}]}
    }))
    .unwrap()
}

/// metrics-server's sample of a pod: `cpu` in use now.
pub fn usage(ns: &str, app: &str, i: usize, cpu: &str) -> PodMetrics {
    serde_json::from_value(json!({
        "metadata": {"name": format!("{app}-{i}"), "namespace": ns, "labels": {"app": app}},
        "timestamp": ago(5), "window": "15s",
        "containers": [{"name": "app", "usage": {"cpu": cpu}}]
    }))
    .unwrap()
}

/// An HPA on Deployment `name`: 1..=10 replicas, 50% CPU.
pub fn hpa(ns: &str, name: &str) -> HorizontalPodAutoscaler {
    serde_json::from_value(hpa_json(ns, name)).unwrap()
}

/// [`hpa`] as JSON (with apiVersion and kind).
pub fn hpa_json(ns: &str, name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                 "minReplicas": 1, "maxReplicas": 10,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                              "target": {"type": "Utilization", "averageUtilization": 50}}}]}
    })
}

/// A workload of `replicas` pods each using `cpu`, with an HPA (see [`hpa`]).
pub fn workload(fake: &FakeApiServer, ns: &str, name: &str, replicas: usize, cpu: &str) {
    fake.apply(&deployment(ns, name, replicas as i32)).unwrap();
    for i in 0..replicas {
        fake.apply(&pod(ns, name, i)).unwrap();
        fake.set_pod_metrics(usage(ns, name, i, cpu));
    }
    fake.apply(&hpa(ns, name)).unwrap();
}

/// The Deployment's `spec.replicas`.
pub fn replicas(fake: &FakeApiServer, ns: &str, name: &str) -> Option<i32> {
    fake.get::<Deployment>(ns, name)?.spec.replicas
}

/// The HPA's status `desiredReplicas`.
pub fn status_desired(fake: &FakeApiServer, ns: &str, name: &str) -> Option<i32> {
    Some(
        fake.get::<HorizontalPodAutoscaler>(ns, name)?
            .status?
            .desired_replicas,
    )
}

/// Events about an object, as `(reason, message, count)`.
pub fn events(fake: &FakeApiServer, ns: &str, name: &str) -> Vec<(String, String, i32)> {
    fake.list::<Event>(Some(ns))
        .into_iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(name))
        .map(|e| {
            (
                e.reason.unwrap_or_default(),
                e.message.unwrap_or_default(),
                e.count.unwrap_or(1),
            )
        })
        .collect()
}

/// Flags for tests: 100 ms syncs, no jitter, short backoff, no leader election, no
/// telemetry server.
pub fn fast_args() -> ControllerArgs {
    ControllerArgs {
        sync_period: GoDuration::from_nanos(100_000_000),
        sync_jitter: 0.0,
        sync_backoff_base: GoDuration::from_nanos(50_000_000),
        sync_backoff_max: GoDuration::from_nanos(400_000_000),
        memory_flush_interval: GoDuration::from_nanos(100_000_000),
        leader_elect: false,
        metrics_bind_address: "0".into(),
        ..ControllerArgs::default()
    }
}

/// A controller running in the background.
pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ControllerError>>,
    /// Its telemetry address, when served.
    pub addr: Option<std::net::SocketAddr>,
    /// Its metrics.
    pub telemetry: std::sync::Arc<alpaca_controller::telemetry::Telemetry>,
}

/// Starts a controller on the fake cluster.
pub async fn start(fake: &FakeApiServer, args: ControllerArgs) -> Running {
    let controller = Controller::new(fake.client(), args).await.unwrap();
    let addr = controller.telemetry_address();
    let telemetry = controller.telemetry();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(controller.run(async move {
        let _ = rx.await;
    }));
    Running {
        stop: Some(tx),
        task,
        addr,
        telemetry,
    }
}

impl Running {
    /// Sends the shutdown signal and waits (at most 15 s) for a clean stop.
    pub async fn stop(mut self) -> Result<(), ControllerError> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(15), &mut self.task)
            .await
            .expect("the controller stops within 15 s")
            .expect("the controller task does not panic")
    }

    /// Kills the controller without a clean shutdown (a crash).
    pub fn kill(self) {
        self.task.abort();
    }

    /// The metrics text.
    pub fn metrics(&self) -> String {
        self.telemetry.encode()
    }
}

/// Polls `check` every 20 ms until it is true; panics after `secs` seconds.
pub async fn eventually(what: &str, secs: u64, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check() {
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Like [`eventually`] for an async check.
pub async fn eventually_async<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
