//! A metrics pipeline for the kubelet stand-in's pods, served behind the real aggregator:
//! the three metrics APIs (`metrics.k8s.io`, `custom.metrics.k8s.io`,
//! `external.metrics.k8s.io`) answered by the in-memory API server's metrics endpoints over
//! TLS, registered through APIServices like metrics-server and an adapter are.
//!
//! Samples are taken every half second with a one-second window (metrics-server's
//! `--metric-resolution` shortened for tests, so that a pod counts for CPU one second after
//! it is Ready rather than fifteen). Resource metrics follow a load model per workload (namespace and `app` label): a CPU
//! demand shared by its Ready pods (as a Service spreads requests), or a usage per pod.
//! Custom and external values, and faults on the metrics APIs (503s, answers that never
//! come), are set on [`MetricsServer::backend`].

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alpaca_fake_apiserver::FakeApiServer;
use alpaca_metrics_api::resource::PodMetrics;
use futures::StreamExt;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::aggregated::{GroupVersion, TlsServer, register, serve_tls};
use crate::error::TestEnvError;
use crate::kubelet::is_ready;

/// How much CPU a workload's pods use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuLoad {
    /// A demand in millicores shared equally by the Ready pods; unready pods use nothing.
    Total(u64),
    /// Every running pod uses this many millicores.
    PerPod(u64),
}

/// The Service the metrics APIs are registered behind (in `kube-system`).
const NAME: &str = "testenv-metrics";

type Rules = Arc<Mutex<HashMap<(String, String), CpuLoad>>>;

/// The metrics APIs of the test cluster.
pub struct MetricsServer {
    backend: FakeApiServer,
    rules: Rules,
    client: kube::Client,
    ca_pem: String,
    server: TlsServer,
    _pipeline: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MetricsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsServer")
            .field("backend", &self.backend)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

fn running(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
}

/// The usage of each running pod of a workload under `load`, in millicores.
fn shares(pods: &[&Pod], load: CpuLoad) -> Vec<u64> {
    let ready_count = pods.iter().filter(|p| is_ready(p)).count() as u64;
    pods.iter()
        .map(|p| match load {
            CpuLoad::PerPod(m) => m,
            CpuLoad::Total(m) if is_ready(p) => m / ready_count.max(1),
            CpuLoad::Total(_) => 0,
        })
        .collect()
}

fn sample(pod: &Pod, millis: u64) -> Option<PodMetrics> {
    let containers: Vec<_> = pod
        .spec
        .as_ref()?
        .containers
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let each = millis / containers.len().max(1) as u64;
    serde_json::from_value(json!({
        "metadata": {"name": pod.name_any(), "namespace": pod.namespace(), "labels": pod.labels()},
        "timestamp": Timestamp::now().to_string(),
        "window": "1s",
        "containers": containers.iter().map(|c| json!({"name": c,
            "usage": {"cpu": format!("{each}m"), "memory": "64Mi"}})).collect::<Vec<_>>(),
    }))
    .ok()
}

/// One pass of the pipeline: a sample for every running pod of a workload with a load.
fn publish(
    backend: &FakeApiServer,
    store: &reflector::Store<Pod>,
    rules: &Rules,
    published: &mut HashSet<(String, String)>,
) {
    let rules = rules.lock().expect("load rules").clone();
    let pods = store.state();
    let mut now = HashSet::new();
    for ((ns, app), load) in &rules {
        let mine: Vec<&Pod> = pods
            .iter()
            .map(|p| p.as_ref())
            .filter(|p| p.namespace().as_deref() == Some(ns.as_str()))
            .filter(|p| p.labels().get("app") == Some(app))
            .filter(|p| running(p))
            .collect();
        for (pod, millis) in mine.iter().zip(shares(&mine, *load)) {
            if let Some(m) = sample(pod, millis) {
                backend.set_pod_metrics(m);
                now.insert((ns.clone(), pod.name_any()));
            }
        }
    }
    for key in published.iter() {
        if !now.contains(key) {
            backend.remove_pod_metrics(&key.0, &key.1);
        }
    }
    *published = now;
}

/// Keeps the backend's copy of the cluster's pods, whose labels the custom metrics API
/// selects `pods/*` series by (as an adapter looks pods up in the API server).
fn mirror_pod(backend: &FakeApiServer, event: Result<watcher::Event<Pod>, watcher::Error>) {
    let copy = |pod: &Pod| {
        let mut pod = pod.clone();
        pod.metadata.managed_fields = None;
        pod.metadata.resource_version = None;
        pod
    };
    match event {
        Ok(watcher::Event::Apply(pod) | watcher::Event::InitApply(pod)) => {
            let _ = backend.apply(&copy(&pod));
        }
        Ok(watcher::Event::Delete(pod)) => {
            let _ = backend.delete::<Pod>(&pod.namespace().unwrap_or_default(), &pod.name_any());
        }
        _ => {}
    }
}

impl MetricsServer {
    /// Serves the metrics APIs on the network namespace's host address, registers `apis`
    /// and starts the pipeline (a sample every `period`). Call inside the runtime that
    /// will keep it.
    pub async fn start(
        plane: &crate::ControlPlane,
        apis: &[GroupVersion],
        period: Duration,
    ) -> Result<Self, TestEnvError> {
        let ns = plane.netns().ok_or_else(|| {
            TestEnvError::Unsupported(
                "aggregated APIs need the control plane's network namespace".into(),
            )
        })?;
        let cert = plane
            .serving_ca()
            .server(&[&format!("{NAME}.kube-system.svc")], &[])?;
        let backend = FakeApiServer::new();
        let server = serve_tls(backend.router(), ns.host.into(), &cert).await?;
        let client = plane.client().await?;
        let ca_pem = plane.serving_ca().cert_pem().to_string();
        register(
            &client,
            "kube-system",
            NAME,
            server.addr(),
            &ca_pem,
            apis,
            Duration::from_secs(60),
        )
        .await?;
        let (store, writer) = reflector::store();
        let mirror = backend.clone();
        let events = reflector(
            writer,
            watcher(Api::<Pod>::all(client.clone()), watcher::Config::default()),
        )
        .default_backoff();
        let stream = StreamExt::for_each(events, move |event| {
            mirror_pod(&mirror, event);
            async {}
        });
        let rules: Rules = Arc::default();
        let pipeline = {
            let backend = backend.clone();
            let rules = rules.clone();
            tokio::spawn(async move {
                tokio::spawn(stream);
                let mut published = HashSet::new();
                let mut tick = tokio::time::interval(period);
                loop {
                    tick.tick().await;
                    publish(&backend, &store, &rules, &mut published);
                }
            })
        };
        Ok(Self {
            backend,
            rules,
            client,
            ca_pem,
            server,
            _pipeline: pipeline,
        })
    }

    /// Registers `apis` too (e.g. [`crate::aggregated::RESOURCE_METRICS_V1`]: the backend
    /// answers `metrics.k8s.io` at `v1` and `v1beta1` alike, the aggregator routes only the
    /// versions registered) and waits until they are Available. Registered versions stay.
    pub async fn serve(&self, apis: &[GroupVersion]) -> Result<(), TestEnvError> {
        register(
            &self.client,
            "kube-system",
            NAME,
            self.server.addr(),
            &self.ca_pem,
            apis,
            Duration::from_secs(60),
        )
        .await
    }

    /// Sets the CPU load of the pods labelled `app` in `namespace`.
    pub fn set_cpu(&self, namespace: &str, app: &str, load: CpuLoad) {
        self.rules
            .lock()
            .expect("load rules")
            .insert((namespace.to_string(), app.to_string()), load);
    }

    /// Stops reporting the pods labelled `app` in `namespace` (no samples at all).
    pub fn forget(&self, namespace: &str, app: &str) {
        self.rules
            .lock()
            .expect("load rules")
            .remove(&(namespace.to_string(), app.to_string()));
    }

    /// The in-memory server behind the APIs: custom and external values, faults, the log of
    /// the requests the aggregator forwarded.
    pub fn backend(&self) -> &FakeApiServer {
        &self.backend
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(is_ready: bool) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": if is_ready {"True"} else {"False"}}]}
        }))
        .unwrap()
    }

    #[test]
    fn total_load_is_shared_by_ready_pods() {
        let (a, b, c) = (pod(true), pod(true), pod(false));
        assert_eq!(
            shares(&[&a, &b, &c], CpuLoad::Total(600)),
            vec![300, 300, 0]
        );
        assert_eq!(
            shares(&[&a, &b, &c], CpuLoad::PerPod(100)),
            vec![100, 100, 100]
        );
        assert_eq!(shares(&[&c], CpuLoad::Total(600)), vec![0]);
    }
}
