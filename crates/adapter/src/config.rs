//! The resolved server configuration: what [`crate::Server::bind`] needs, built from
//! [`AdapterArgs`] (reading certificate files, generating a serving certificate, reading the
//! authentication settings, loading rules, connecting to the cluster for authorization) or
//! directly by tests.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::args::{AdapterArgs, BackendKind};
use crate::auth::source::AuthSource;
use crate::auth::token::TokenReviewer;
use crate::auth::{
    Auth, Authorizer, certs::SharedCertAuthenticators, delegated::DelegatedAuthorizer,
};
use crate::backend::Backend;
use crate::backend::lister::ObjectLister;
use crate::backend::memory::MemoryBackend;
use crate::backend::prometheus::PrometheusBackend;
use crate::backend::prometheus::client::PrometheusClient;
use crate::backend::prometheus::connection::{ConnectionOptions, Verb};
use crate::backend::prometheus::rules::Rules;
use crate::error::AdapterError;
use crate::limits::Limits;
use crate::reload::{AuthReload, CertReload, Reload};
use crate::serving_cert::{ServingCertFiles, ServingCertResolver};
use crate::tls;

/// TLS settings of the main listener.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    /// The rustls configuration.
    pub server_config: Arc<rustls::ServerConfig>,
    /// The CA (PEM) of a generated serving certificate, for clients to trust.
    pub generated_ca_pem: Option<String>,
}

/// Everything the server needs.
#[derive(Debug)]
pub struct ServerConfig {
    /// Where the API listens (port 0 picks a free one).
    pub bind: SocketAddr,
    /// HTTPS settings; `None` serves plain HTTP (insecure mode).
    pub tls: Option<TlsSettings>,
    /// Authentication and authorization.
    pub auth: Auth,
    /// Where values come from.
    pub backend: Backend,
    /// Whether `write-metrics` accepts values.
    pub enable_write: bool,
    /// An extra plain-HTTP listener for the write URLs only.
    pub write_bind: Option<SocketAddr>,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// Timeouts and the in-flight bound.
    pub limits: Limits,
    /// What is re-read while serving.
    pub reload: Reload,
}

impl ServerConfig {
    /// Plain HTTP on `127.0.0.1:0` with no authentication, a memory backend and writes on:
    /// the quickest way to an adapter in tests and local trials.
    pub fn insecure_local() -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            tls: None,
            auth: Auth::insecure(),
            backend: Backend::memory(),
            enable_write: true,
            write_bind: None,
            max_body_bytes: 64 * 1024,
            limits: Limits::default(),
            reload: Reload::default(),
        }
    }

    /// HTTPS with a generated certificate on `127.0.0.1:0`, a memory backend, writes on and
    /// the given authentication.
    pub fn secure_local(auth: Auth) -> Result<Self, AdapterError> {
        tls::install_crypto_provider();
        let cert = tls::self_signed(&[])?;
        let generated_ca_pem = cert.generated_ca_pem.clone();
        Ok(Self {
            tls: Some(TlsSettings {
                server_config: tls::server_config(ServingCertResolver::new(cert)?)?,
                generated_ca_pem,
            }),
            auth,
            ..Self::insecure_local()
        })
    }

    /// Resolves the flags: reads files, generates what is missing, connects what is asked.
    /// Authentication settings that cannot be read are an error here, not a 401 later.
    pub async fn from_args(args: &AdapterArgs) -> Result<Self, AdapterError> {
        tls::install_crypto_provider();
        let ip = args.bind_ip();
        let bind = SocketAddr::new(ip, args.secure_port);
        let write_bind = args.write_port.map(|p| SocketAddr::new(ip, p));
        let backend = build_backend(args).await?;
        let max_body_bytes = args.max_request_body_bytes;
        let limits = Limits {
            request_timeout: to_std(args.request_timeout.nanos).max(Duration::from_millis(1)),
            max_in_flight: args.max_requests_inflight,
            shutdown_timeout: to_std(args.graceful_shutdown_timeout.nanos),
            ..Limits::default()
        };
        let interval = to_std(args.reload_interval.nanos).max(Duration::from_secs(1));
        if args.insecure_serve_http {
            tracing::warn!(
                %ip,
                "serving plain HTTP WITHOUT authentication or authorization (--insecure-serve-http): for local trials only"
            );
            return Ok(Self {
                bind,
                tls: None,
                auth: Auth::insecure(),
                backend,
                enable_write: args.enable_write,
                write_bind,
                max_body_bytes,
                limits,
                reload: Reload::default(),
            });
        }
        let (cert, serving_files) = match (&args.tls_cert_file, &args.tls_private_key_file) {
            (Some(c), Some(k)) => (
                tls::load_serving_cert(c, k)?,
                Some(ServingCertFiles {
                    cert: c.clone(),
                    key: k.clone(),
                }),
            ),
            _ => {
                let cert = tls::self_signed(&args.tls_sni_hosts)?;
                if let (Some(dir), Some(ca)) = (&args.cert_dir, &cert.generated_ca_pem) {
                    write_file(&dir.join("ca.crt"), ca).await?;
                }
                tracing::info!("serving with a generated self-signed certificate");
                (cert, None)
            }
        };
        let generated_ca_pem = cert.generated_ca_pem.clone();
        let resolver = ServingCertResolver::new(cert)?;

        let authn_client = cluster_client(args.authentication_kubeconfig.as_deref()).await?;
        let lookup_client = authn_client
            .clone()
            .filter(|_| !args.authentication_skip_lookup);
        let source = AuthSource::from_args(args, lookup_client);
        let inputs = match source.read().await {
            Ok(inputs) => inputs,
            Err(e) if args.authentication_tolerate_lookup_failure => {
                tracing::warn!(error = %e, "could not read the cluster's authentication settings; using the flags until a re-read succeeds (--authentication-tolerate-lookup-failure)");
                AuthSource::from_args(args, None).read().await?
            }
            Err(e) => {
                return Err(AdapterError::Authentication(format!(
                    "{e} (--authentication-skip-lookup uses the flags only; \
                     --authentication-tolerate-lookup-failure starts anyway)"
                )));
            }
        };
        let certs = inputs.build()?;
        let token = authn_client.map(TokenReviewer::new);
        if certs.requestheader.is_none()
            && certs.client_ca.is_none()
            && token.is_none()
            && !args.anonymous_auth
        {
            return Err(AdapterError::Authentication(
                "no way to authenticate a request: no request-header CA, no client CA, no cluster \
                 for token review and no --anonymous-auth (run in a cluster, or give \
                 --authentication-kubeconfig, --requestheader-client-ca-file or --client-ca-file)"
                    .into(),
            ));
        }
        let authorizer = if args.delegated_authorization || args.authorization_kubeconfig.is_some()
        {
            let client = cluster_client(args.authorization_kubeconfig.as_deref())
                .await?
                .ok_or_else(|| {
                    AdapterError::InvalidArgs(
                        "delegated authorization (on by default) needs a cluster: run in one, give \
                         --authorization-kubeconfig, or turn it off with \
                         --delegated-authorization=false"
                            .into(),
                    )
                })?;
            Authorizer::Delegated(DelegatedAuthorizer::new(client))
        } else {
            Authorizer::AlwaysAllow
        };
        Ok(Self {
            bind,
            tls: Some(TlsSettings {
                server_config: tls::server_config(resolver.clone())?,
                generated_ca_pem,
            }),
            auth: Auth {
                insecure: false,
                certs: SharedCertAuthenticators::new(certs),
                token,
                anonymous: args.anonymous_auth,
                authorizer,
            },
            backend,
            enable_write: args.enable_write,
            write_bind,
            max_body_bytes,
            limits,
            reload: Reload {
                interval,
                authentication: Some(AuthReload { source, inputs }),
                serving_cert: serving_files.map(|files| CertReload { files, resolver }),
            },
        })
    }
}

async fn build_backend(args: &AdapterArgs) -> Result<Backend, AdapterError> {
    let cluster = cluster_client(args.kubeconfig.as_deref()).await?;
    if let Some(client) = &cluster {
        // The resources the cluster serves (custom resources included), refreshed as often
        // as the metrics are relisted.
        let interval = to_std(args.metrics_relist_interval.nanos).max(Duration::from_secs(10));
        if let Err(e) = crate::discovery::start(client.clone(), interval).await {
            tracing::warn!(error = %e, "resource discovery failed; using the built-in table of resources until it succeeds");
        }
    }
    let lister = cluster.map(ObjectLister::new);
    match args.backend {
        BackendKind::Memory => Ok(match lister {
            Some(l) => Backend::Memory(Arc::new(MemoryBackend::with_lister(l))),
            None => Backend::memory(),
        }),
        BackendKind::Prometheus => {
            let path = args.config.as_ref().ok_or_else(|| {
                AdapterError::InvalidArgs(
                    "--backend=prometheus needs a rules file (--config)".into(),
                )
            })?;
            let rules = Rules::load(path)?;
            // Without a cluster, `*` queries with a labelSelector are refused with a clear message.
            if lister.is_none() {
                tracing::warn!(
                    "no cluster access: `*` queries with a labelSelector will be refused"
                );
            }
            let client = PrometheusClient::with_options(
                &args.prometheus_url,
                &ConnectionOptions {
                    timeout: to_std(args.prometheus_timeout.nanos),
                    ca_file: args.prometheus_ca_file.clone(),
                    client_cert_file: args.prometheus_client_tls_cert_file.clone(),
                    client_key_file: args.prometheus_client_tls_key_file.clone(),
                    token_file: args.prometheus_token_file.clone(),
                    auth_config: args.prometheus_auth_config.clone(),
                    auth_in_cluster: args.prometheus_auth_incluster,
                    headers: args.prometheus_header.clone(),
                    verb: if args.prometheus_verb == "POST" {
                        Verb::Post
                    } else {
                        Verb::Get
                    },
                },
            )
            .map_err(|e| AdapterError::InvalidArgs(e.to_string()))?;
            let max_age = metrics_max_age(args)?;
            let backend = PrometheusBackend::with_client(
                client,
                rules,
                lister,
                to_std(args.metrics_relist_interval.nanos).max(Duration::from_millis(100)),
            )
            .map_err(|e| AdapterError::InvalidArgs(e.to_string()))?
            .with_max_age(max_age);
            Ok(Backend::Prometheus(Arc::new(backend)))
        }
    }
}

/// `--metrics-max-age`, as prometheus-adapter reads it: `--metrics-relist-interval` when not
/// given, refused when less than it.
pub fn metrics_max_age(args: &AdapterArgs) -> Result<Duration, AdapterError> {
    let relist = args.metrics_relist_interval;
    match args.metrics_max_age {
        None => Ok(to_std(relist.nanos)),
        Some(age) if age.nanos < relist.nanos => Err(AdapterError::InvalidArgs(format!(
            "--metrics-max-age ({age}) must not be less than --metrics-relist-interval ({relist})"
        ))),
        Some(age) => Ok(to_std(age.nanos)),
    }
}

fn to_std(nanos: i64) -> Duration {
    Duration::from_nanos(nanos.max(0) as u64)
}

/// A kube client from an explicit kubeconfig, or from the in-cluster configuration when the
/// process runs in a pod; `None` otherwise (a developer's `~/.kube/config` is never picked up
/// implicitly).
pub async fn cluster_client(
    kubeconfig: Option<&Path>,
) -> Result<Option<kube::Client>, AdapterError> {
    if kubeconfig.is_some() {
        return kube_client(kubeconfig).await.map(Some);
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
        return Ok(None);
    }
    let config = kube::Config::incluster().map_err(|e| AdapterError::Kube(e.to_string()))?;
    kube::Client::try_from(config)
        .map(Some)
        .map_err(|e| AdapterError::Kube(e.to_string()))
}

/// A kube client from a kubeconfig file, or inferred (in-cluster, then `$KUBECONFIG`).
pub async fn kube_client(kubeconfig: Option<&Path>) -> Result<kube::Client, AdapterError> {
    let config = match kubeconfig {
        Some(path) => {
            let kc = kube::config::Kubeconfig::read_from(path)
                .map_err(|e| AdapterError::Kube(e.to_string()))?;
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await
                .map_err(|e| AdapterError::Kube(e.to_string()))?
        }
        None => kube::Config::infer()
            .await
            .map_err(|e| AdapterError::Kube(e.to_string()))?,
    };
    kube::Client::try_from(config).map_err(|e| AdapterError::Kube(e.to_string()))
}

async fn write_file(path: &Path, text: &str) -> Result<(), AdapterError> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|source| AdapterError::ReadFile {
                path: dir.to_path_buf(),
                source,
            })?;
    }
    tokio::fs::write(path, text)
        .await
        .map_err(|source| AdapterError::ReadFile {
            path: path.to_path_buf(),
            source,
        })
}
