//! Aggregated API servers behind the real aggregation layer: serving an axum router over
//! TLS on the network namespace's host address, and registering it the way a deployment
//! does — a selector-less Service, its Endpoints, and one APIService per group-version
//! (with the serving CA as `caBundle`) — then waiting until the aggregator says Available.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use kube::Api;
use kube::api::{Patch, PatchParams};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::error::TestEnvError;
use crate::pki::Pem;

/// A TLS server in the background; stops when dropped.
#[derive(Debug)]
pub struct TlsServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl TlsServer {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A rustls server configuration for `cert` (HTTP/2 and HTTP/1.1).
pub fn server_config(cert: &Pem) -> Result<rustls::ServerConfig, TestEnvError> {
    let bad = |what: &str, e: String| TestEnvError::Config(format!("{what}: {e}"));
    let chain = CertificateDer::pem_slice_iter(cert.cert.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("serving certificate", e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(cert.key.as_bytes())
        .map_err(|e| bad("serving key", e.to_string()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| bad("TLS versions", e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| bad("serving certificate", e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves `router` over TLS with `cert` on `ip` (a free port). Call inside a runtime.
pub async fn serve_tls(
    router: axum::Router,
    ip: IpAddr,
    cert: &Pem,
) -> Result<TlsServer, TestEnvError> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config(cert)?));
    let listener = TcpListener::bind((ip, 0))
        .await
        .map_err(TestEnvError::io(format!("binding {ip}")))?;
    let addr = listener
        .local_addr()
        .map_err(TestEnvError::io("reading the bound address"))?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let router = router.clone();
            tokio::spawn(async move {
                let Ok(Ok(tls)) =
                    tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                else {
                    return;
                };
                let service = TowerToHyperService::new(router);
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection_with_upgrades(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    Ok(TlsServer { addr, task })
}

/// One group-version an aggregated server serves.
#[derive(Debug, Clone, Copy)]
pub struct GroupVersion {
    /// The group, e.g. `metrics.k8s.io`.
    pub group: &'static str,
    /// The version, e.g. `v1beta1`.
    pub version: &'static str,
    /// The APIService's `versionPriority`.
    pub priority: i32,
}

/// The three metrics APIs an HPA controller reads.
pub const METRICS_APIS: [GroupVersion; 4] = [
    GroupVersion {
        group: "metrics.k8s.io",
        version: "v1beta1",
        priority: 100,
    },
    GroupVersion {
        group: "custom.metrics.k8s.io",
        version: "v1beta1",
        priority: 100,
    },
    GroupVersion {
        group: "custom.metrics.k8s.io",
        version: "v1beta2",
        priority: 200,
    },
    GroupVersion {
        group: "external.metrics.k8s.io",
        version: "v1beta1",
        priority: 100,
    },
];

/// `metrics.k8s.io/v1` (GA in 1.37, KEP-5207), beside `v1beta1` preferred: not in
/// [`METRICS_APIS`] (a cluster older than 1.37 serves only `v1beta1`); add it to an
/// environment's options or register it later with [`crate::MetricsServer::serve`].
pub const RESOURCE_METRICS_V1: GroupVersion = GroupVersion {
    group: "metrics.k8s.io",
    version: "v1",
    priority: 200,
};

/// Registers the server at `addr` as Service `namespace/name` (port 443) serving `apis`,
/// its certificate signed by `ca_pem`, and waits (at most `timeout`) until every APIService
/// is Available.
pub async fn register(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    addr: SocketAddr,
    ca_pem: &str,
    apis: &[GroupVersion],
    timeout: Duration,
) -> Result<(), TestEnvError> {
    let pp = PatchParams::apply("alpaca-testenv").force();
    let services: Api<Service> = Api::namespaced(client.clone(), namespace);
    let service = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"ports": [{"name": "https", "port": 443, "targetPort": addr.port()}]}
    });
    services
        .patch(name, &pp, &Patch::Apply(service))
        .await
        .map_err(TestEnvError::kube(format!(
            "creating Service {namespace}/{name}"
        )))?;
    let endpoints: Api<Endpoints> = Api::namespaced(client.clone(), namespace);
    let eps = json!({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": name, "namespace": namespace},
        "subsets": [{"addresses": [{"ip": addr.ip().to_string()}],
                     "ports": [{"name": "https", "port": addr.port()}]}]
    });
    endpoints
        .patch(name, &pp, &Patch::Apply(eps))
        .await
        .map_err(TestEnvError::kube(format!(
            "creating Endpoints {namespace}/{name}"
        )))?;
    let apiservices: Api<APIService> = Api::all(client.clone());
    let mut names = Vec::new();
    for gv in apis {
        let object = format!("{}.{}", gv.version, gv.group);
        let mut svc: APIService = serde_json::from_value(json!({
            "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": object},
            "spec": {"group": gv.group, "version": gv.version,
                     "groupPriorityMinimum": 100, "versionPriority": gv.priority,
                     "service": {"namespace": namespace, "name": name, "port": 443}}
        }))
        .map_err(|e| TestEnvError::Config(e.to_string()))?;
        if let Some(spec) = svc.spec.as_mut() {
            spec.ca_bundle = Some(ByteString(ca_pem.as_bytes().to_vec()));
        }
        apiservices
            .patch(&object, &pp, &Patch::Apply(&svc))
            .await
            .map_err(TestEnvError::kube(format!("creating APIService {object}")))?;
        names.push(object);
    }
    wait_available(&apiservices, &names, timeout).await
}

/// The Available condition of each APIService: `(status, message)`.
async fn availability(
    api: &Api<APIService>,
    names: &[String],
) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for name in names {
        let cond = api
            .get(name)
            .await
            .ok()
            .and_then(|s| s.status)
            .and_then(|s| s.conditions)
            .and_then(|c| c.into_iter().find(|c| c.type_ == "Available"))
            .map(|c| (c.status, c.message.unwrap_or_default()))
            .unwrap_or_else(|| ("Unknown".into(), "no condition yet".into()));
        out.insert(name.clone(), cond);
    }
    out
}

async fn wait_available(
    api: &Api<APIService>,
    names: &[String],
    timeout: Duration,
) -> Result<(), TestEnvError> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let state = availability(api, names).await;
        if state.values().all(|(s, _)| s == "True") {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(TestEnvError::Unsupported(format!(
                "APIServices not Available after {timeout:?}: {state:?}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
