//! The environment one test binary shares: a control plane started on first use, the
//! kubelet stand-in and the metrics pipeline running on a runtime of their own, a fresh
//! namespace per test, and fault-injecting proxies on demand.
//!
//! Without binaries (or without root for the network namespace) the tests that ask for it
//! are skipped with a loud message naming the reason; with `ALPACA_TESTENV_REQUIRED=1` (as
//! `scripts/test.sh` sets it) the same situation fails them instead, so CI cannot pass by
//! skipping.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::api::PostParams;
use serde_json::json;

use crate::aggregated::GroupVersion;
use crate::control_plane::{ControlPlane, Options};
use crate::error::TestEnvError;
use crate::kubelet::KubeletOptions;
use crate::metrics::MetricsServer;
use crate::proxy::FaultProxy;

/// Set to `1` to fail, not skip, when no control plane can be started.
pub const REQUIRED_VAR: &str = "ALPACA_TESTENV_REQUIRED";

/// What a test binary's environment runs.
#[derive(Debug, Clone, Default)]
pub struct EnvOptions {
    /// The control plane.
    pub plane: Options,
    /// Run the kubelet stand-in (with these default delays).
    pub kubelet: Option<KubeletOptions>,
    /// Serve these metrics APIs behind the aggregator (needs `plane.aggregation`).
    pub metrics: Vec<GroupVersion>,
}

impl EnvOptions {
    /// A cluster in which pods run: kube-controller-manager (its built-in HPA controller
    /// on or off, with `kcm_args`), the kubelet stand-in, and — when `metrics` is not
    /// empty — those metrics APIs behind the aggregator.
    pub fn cluster(builtin_hpa: bool, kcm_args: &[&str], metrics: &[GroupVersion]) -> Self {
        Self {
            plane: Options {
                controller_manager: Some(crate::ControllerManager {
                    builtin_hpa,
                    extra_args: kcm_args.iter().map(|a| a.to_string()).collect(),
                }),
                aggregation: true,
                ..Options::default()
            },
            kubelet: Some(KubeletOptions::default()),
            metrics: metrics.to_vec(),
        }
    }
}

/// A running environment.
#[derive(Debug)]
pub struct TestEnv {
    plane: ControlPlane,
    runtime: tokio::runtime::Runtime,
    metrics: Option<MetricsServer>,
    namespaces: AtomicUsize,
    started_in: Duration,
}

static ENV: OnceLock<Result<TestEnv, String>> = OnceLock::new();

fn start(options: &EnvOptions) -> Result<TestEnv, TestEnvError> {
    let began = Instant::now();
    let plane = ControlPlane::start(&options.plane)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("testenv")
        .enable_all()
        .build()
        .map_err(TestEnvError::io("starting the environment's runtime"))?;
    if let Some(kubelet) = options.kubelet {
        let client = runtime.block_on(plane.client())?;
        runtime.spawn(async move {
            if let Err(e) = crate::kubelet::run(client, kubelet).await {
                eprintln!("testenv: the kubelet stand-in stopped: {e}");
            }
        });
    }
    let metrics = if options.metrics.is_empty() {
        None
    } else {
        Some(runtime.block_on(MetricsServer::start(
            &plane,
            &options.metrics,
            Duration::from_millis(500),
        ))?)
    };
    Ok(TestEnv {
        plane,
        runtime,
        metrics,
        namespaces: AtomicUsize::new(0),
        started_in: began.elapsed(),
    })
}

impl TestEnv {
    /// The environment of this test binary, started by the first test that asks (with that
    /// test's options). `None` — after a loud message — when it cannot be started here.
    pub fn shared(test: &str, options: impl FnOnce() -> EnvOptions) -> Option<&'static TestEnv> {
        let env = ENV.get_or_init(|| {
            let options = options();
            std::thread::spawn(move || start(&options).map_err(|e| e.to_string()))
                .join()
                .unwrap_or_else(|_| Err("starting the environment panicked".into()))
        });
        match env {
            Ok(env) => Some(env),
            Err(why) => {
                let required = std::env::var(REQUIRED_VAR).is_ok_and(|v| v == "1");
                if required {
                    panic!("{test}: no real control plane ({REQUIRED_VAR}=1): {why}");
                }
                eprintln!(
                    "\n!!! SKIPPED {test}: no real control plane: {why}\n!!! (set {} to a folder with kube-apiserver, etcd and \
                     kube-controller-manager, or put them in ../shared/k8s/bin)\n",
                    crate::assets::ASSETS_VAR
                );
                None
            }
        }
    }

    /// The control plane.
    pub fn plane(&self) -> &ControlPlane {
        &self.plane
    }

    /// How long starting it took.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// An admin client for the calling test's runtime.
    pub async fn client(&self) -> kube::Client {
        self.plane.client().await.expect("an admin client")
    }

    /// A new namespace `{prefix}-{n}` for one test.
    pub async fn namespace(&self, prefix: &str) -> String {
        let n = self.namespaces.fetch_add(1, Ordering::SeqCst);
        let name = format!("{prefix}-{n}");
        let api: Api<Namespace> = Api::all(self.client().await);
        let ns: Namespace =
            serde_json::from_value(json!({"metadata": {"name": name}})).expect("a namespace");
        api.create(&PostParams::default(), &ns)
            .await
            .unwrap_or_else(|e| panic!("creating namespace {name}: {e}"));
        name
    }

    /// The metrics APIs.
    pub fn metrics(&self) -> &MetricsServer {
        self.metrics
            .as_ref()
            .expect("this environment serves no metrics APIs (EnvOptions::metrics)")
    }

    /// A new fault-injecting proxy to the API server (served by the environment's runtime,
    /// so it outlives the calling test's runtime if need be).
    pub async fn proxy(&'static self, name: &str) -> FaultProxy {
        let name = name.to_string();
        self.runtime
            .spawn(async move { FaultProxy::start(&self.plane, &name).await })
            .await
            .expect("the proxy task")
            .expect("a fault proxy")
    }

    /// Spawns a future on the environment's runtime.
    pub fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime.spawn(future)
    }
}
