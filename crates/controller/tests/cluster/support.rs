//! What the real-control-plane tests share: the environment (kube-apiserver,
//! kube-controller-manager with its HPA controller off, the kubelet stand-in, the metrics
//! APIs behind the real aggregator), a namespace per test with php-apache-shaped workloads,
//! controllers built from a kubeconfig as `alpaca controller` builds them, and bounded waits.

use std::path::Path;
use std::time::Duration;

use alpaca_controller::{Controller, ControllerArgs, ControllerError};
use alpaca_metrics_api::GoDuration;
use alpaca_testenv::aggregated::METRICS_APIS;
use alpaca_testenv::kubelet::is_ready;
use alpaca_testenv::{CpuLoad, EnvOptions, TestEnv};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The environment of this test binary (`None`, loudly, where it cannot run).
pub fn env(test: &str) -> Option<&'static TestEnv> {
    TestEnv::shared(test, || {
        let mut options = EnvOptions::cluster(false, &[], &METRICS_APIS);
        // as a 1.37 API server: minReplicas 0 with an Object or External metric
        options.plane.feature_gates = vec!["HPAScaleToZero=true".into()];
        options
    })
}

/// One test's namespace on the shared cluster.
pub struct Ns {
    /// The environment.
    pub env: &'static TestEnv,
    /// The namespace.
    pub name: String,
    /// An admin client.
    pub client: kube::Client,
}

impl Ns {
    /// A new namespace for `test`, or `None` (after a loud message) without a cluster.
    pub async fn new(test: &str) -> Option<Self> {
        let env = env(test)?;
        let prefix: String = test.chars().take(40).collect::<String>().replace('_', "-");
        let name = env.namespace(prefix.trim_end_matches('-')).await;
        Some(Self {
            env,
            name,
            client: env.client().await,
        })
    }

    /// An API of namespaced objects in this namespace.
    pub fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
    {
        Api::namespaced(self.client.clone(), &self.name)
    }

    /// Server-side applies a JSON object in this namespace (as field manager `test`).
    pub async fn apply<K>(&self, obj: Value) -> K
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
            + serde::de::DeserializeOwned
            + serde::Serialize
            + Clone
            + std::fmt::Debug,
    {
        let name = obj["metadata"]["name"]
            .as_str()
            .expect("a name")
            .to_string();
        self.api::<K>()
            .patch(
                &name,
                &PatchParams::apply("test").force(),
                &Patch::Apply(obj),
            )
            .await
            .unwrap_or_else(|e| panic!("applying {name}: {e}"))
    }

    /// A Deployment `name` (pods labelled `app=name`, 200m CPU requested) with `replicas`,
    /// each pod using `cpu_millis`; waits until its pods are Ready.
    pub async fn workload(&self, name: &str, replicas: i32, cpu_millis: u64) {
        self.apply::<Deployment>(deployment(name, replicas)).await;
        self.env
            .metrics()
            .set_cpu(&self.name, name, CpuLoad::PerPod(cpu_millis));
        self.wait_ready_pods(name, replicas as usize).await;
        // a CPU sample counts once its window ends after the pod became Ready (upstream's
        // CPU initialization rule); the pipeline's window is 1 s
        tokio::time::sleep(Duration::from_millis(2000)).await;
    }

    /// Waits until `n` pods of `app` are Ready.
    pub async fn wait_ready_pods(&self, app: &str, n: usize) {
        let pods = self.api::<Pod>();
        let lp = ListParams::default().labels(&format!("app={app}"));
        eventually(&format!("{n} Ready pods of {app}"), 60, || async {
            pods.list(&lp).await.is_ok_and(|l| {
                l.items
                    .iter()
                    .filter(|p| p.metadata.deletion_timestamp.is_none() && is_ready(p))
                    .count()
                    == n
            })
        })
        .await;
    }

    /// An HPA on Deployment `name`: 1..=10 replicas, 50% CPU (and `extra` merged into spec).
    pub async fn hpa(&self, name: &str, extra: Value) -> HorizontalPodAutoscaler {
        let mut h = hpa_json(name);
        if let (Some(spec), Some(extra)) = (h["spec"].as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                spec.insert(k.clone(), v.clone());
            }
        }
        self.apply(h).await
    }

    /// The Deployment's `spec.replicas`.
    pub async fn replicas(&self, name: &str) -> Option<i32> {
        self.api::<Deployment>().get(name).await.ok()?.spec.replicas
    }

    /// The HPA.
    pub async fn hpa_object(&self, name: &str) -> Option<HorizontalPodAutoscaler> {
        self.api::<HorizontalPodAutoscaler>().get(name).await.ok()
    }

    /// A condition of the HPA: `(status, reason)`.
    pub async fn condition(&self, name: &str, type_: &str) -> Option<(String, String)> {
        self.hpa_object(name)
            .await?
            .status?
            .conditions?
            .into_iter()
            .find(|c| c.type_ == type_)
            .map(|c| (c.status, c.reason.unwrap_or_default()))
    }

    /// Events about `name`: `(reason, message, count, reporting component)`.
    pub async fn events(&self, name: &str) -> Vec<(String, String, i32, String)> {
        self.api::<Event>()
            .list(&ListParams::default())
            .await
            .map(|l| l.items)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.involved_object.name.as_deref() == Some(name))
            .map(|e| {
                (
                    e.reason.unwrap_or_default(),
                    e.message.unwrap_or_default(),
                    e.count.unwrap_or(1),
                    e.source.and_then(|s| s.component).unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Whether an event with `reason` was recorded about `name`.
    pub async fn has_event(&self, name: &str, reason: &str) -> bool {
        self.events(name).await.iter().any(|e| e.0 == reason)
    }

    /// Flags for a controller of this namespace only: 1 s syncs, no jitter, short backoff,
    /// no leader election, no telemetry server.
    pub fn args(&self) -> ControllerArgs {
        ControllerArgs {
            namespace: Some(self.name.clone()),
            sync_period: GoDuration::from_secs(1),
            sync_jitter: 0.0,
            sync_backoff_base: GoDuration::from_nanos(200_000_000),
            sync_backoff_max: GoDuration::from_secs(1),
            memory_flush_interval: GoDuration::from_secs(1),
            request_timeout: GoDuration::from_secs(2),
            leader_elect: false,
            leader_elect_resource_namespace: Some(self.name.clone()),
            metrics_bind_address: "0".into(),
            ..ControllerArgs::default()
        }
    }

    /// Starts a controller that reaches the API server with the admin kubeconfig.
    pub async fn start(&self, args: ControllerArgs) -> Running {
        start(self.env.plane().kubeconfig_path(), args).await
    }
}

/// A Deployment `name` selecting `app=name`, 200m CPU requested per pod.
pub fn deployment(name: &str, replicas: i32) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": "php-apache",
                                       "resources": {"requests": {"cpu": "200m"}}}]}}}
    })
}

/// An HPA on Deployment `name`: 1..=10 replicas, 50% CPU.
pub fn hpa_json(name: &str) -> Value {
    json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                 "minReplicas": 1, "maxReplicas": 10,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                              "target": {"type": "Utilization", "averageUtilization": 50}}}]}
    })
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

/// Starts a controller whose client is built from `kubeconfig` exactly as `alpaca
/// controller --kubeconfig` builds it (no retry layer, request timeout, user agent).
pub async fn start(kubeconfig: &Path, args: ControllerArgs) -> Running {
    let client = alpaca_controller::client_with_timeout(Some(kubeconfig), args.request_timeout())
        .await
        .expect("a client from the kubeconfig");
    let controller = Controller::new(client, args).await.expect("a controller");
    let telemetry = controller.telemetry();
    let addr = controller.telemetry_address();
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
    /// Sends the shutdown signal and waits (at most 30 s) for a clean stop.
    pub async fn stop(mut self) -> Result<(), ControllerError> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), &mut self.task)
            .await
            .expect("the controller stops within 30 s")
            .expect("the controller task does not panic")
    }

    /// Whether the controller has ended (e.g. after losing its Lease).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
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

pub use alpaca_testenv::eventually;

/// Sets the External metric `queue` (no labels) of the test's namespace to `value`, now.
pub fn set_queue(ns: &Ns, value: i64) {
    let v: alpaca_metrics_api::external::ExternalMetricValue = serde_json::from_value(json!({
        "metricName": "queue", "metricLabels": {},
        "timestamp": jiff::Timestamp::now().to_string(), "value": value.to_string()
    }))
    .unwrap();
    ns.env.metrics().backend().set_external_metric(&ns.name, v);
}
