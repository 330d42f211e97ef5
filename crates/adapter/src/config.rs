//! The resolved server configuration: what [`crate::Server::bind`] needs, built from
//! [`AdapterArgs`] (reading certificate files, generating a serving certificate, loading
//! rules, connecting to the cluster for authorization) or directly by tests.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::args::{AdapterArgs, BackendKind};
use crate::auth::lookup::{self, ClusterAuthentication};
use crate::auth::requestheader::RequestHeaderConfig;
use crate::auth::token::TokenReviewer;
use crate::auth::{Auth, Authorizer, delegated::DelegatedAuthorizer};
use crate::backend::Backend;
use crate::backend::lister::ObjectLister;
use crate::backend::memory::MemoryBackend;
use crate::backend::prometheus::PrometheusBackend;
use crate::backend::prometheus::rules::Rules;
use crate::error::AdapterError;
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
        }
    }

    /// HTTPS with a generated certificate on `127.0.0.1:0`, a memory backend, writes on and
    /// the given authentication (`client_roots` are the CAs whose client certificates the TLS
    /// layer verifies).
    pub fn secure_local(
        auth: Auth,
        client_roots: &[rustls::pki_types::CertificateDer<'static>],
    ) -> Result<Self, AdapterError> {
        tls::install_crypto_provider();
        let cert = tls::self_signed(&[])?;
        let generated_ca_pem = cert.generated_ca_pem.clone();
        Ok(Self {
            tls: Some(TlsSettings {
                server_config: tls::server_config(cert, client_roots)?,
                generated_ca_pem,
            }),
            auth,
            ..Self::insecure_local()
        })
    }

    /// Resolves the flags: reads files, generates what is missing, connects what is asked.
    pub async fn from_args(args: &AdapterArgs) -> Result<Self, AdapterError> {
        tls::install_crypto_provider();
        let bind = SocketAddr::new(args.bind_address, args.secure_port);
        let write_bind = args
            .write_port
            .map(|p| SocketAddr::new(args.bind_address, p));
        let backend = build_backend(args).await?;
        let max_body_bytes = args.max_request_body_bytes;
        if args.insecure_serve_http {
            tracing::warn!(
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
            });
        }
        let cert = match (&args.tls_cert_file, &args.tls_private_key_file) {
            (Some(c), Some(k)) => tls::load_serving_cert(c, k)?,
            _ => {
                let cert = tls::self_signed(&args.tls_sni_hosts)?;
                if let (Some(dir), Some(ca)) = (&args.cert_dir, &cert.generated_ca_pem) {
                    write_file(&dir.join("ca.crt"), ca).await?;
                }
                tracing::info!("serving with a generated self-signed certificate");
                cert
            }
        };
        let mut client_roots = Vec::new();
        // The cluster's settings for extension API servers, unless told not to look them up.
        let authn_client = cluster_client(args.authentication_kubeconfig.as_deref()).await?;
        let cluster = match (&authn_client, args.authentication_skip_lookup) {
            (Some(client), false) => match lookup::lookup(client.clone()).await {
                Ok(found) => Some(found),
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the cluster's authentication settings; using the flags only");
                    None
                }
            },
            _ => None,
        };
        let requestheader = match (&args.requestheader_client_ca_file, &cluster) {
            (Some(path), _) => Some(requestheader_config(
                args,
                tls::load_certs(path)?,
                None,
                &mut client_roots,
            )?),
            (None, Some(found)) if !found.requestheader_ca.is_empty() => {
                Some(requestheader_config(
                    args,
                    found.requestheader_ca.clone(),
                    Some(found),
                    &mut client_roots,
                )?)
            }
            _ => None,
        };
        let client_ca_certs = match (&args.client_ca_file, &cluster) {
            (Some(path), _) => tls::load_certs(path)?,
            (None, Some(found)) => found.client_ca.clone(),
            (None, None) => Vec::new(),
        };
        let client_ca = if client_ca_certs.is_empty() {
            None
        } else {
            let subjects = tls::subjects(&client_ca_certs)?;
            client_roots.extend(client_ca_certs);
            Some(subjects)
        };
        let token = authn_client.map(TokenReviewer::new);
        if requestheader.is_none() && client_ca.is_none() && token.is_none() && !args.anonymous_auth
        {
            tracing::warn!(
                "no request-header CA, client CA, token review or --anonymous-auth: every API request will be rejected as Unauthorized"
            );
        }
        let authorizer = if args.delegated_authorization || args.authorization_kubeconfig.is_some()
        {
            let client = cluster_client(args.authorization_kubeconfig.as_deref())
                .await?
                .ok_or_else(|| {
                    AdapterError::InvalidArgs(
                        "--delegated-authorization needs a cluster: run in one or give --authorization-kubeconfig".into(),
                    )
                })?;
            Authorizer::Delegated(DelegatedAuthorizer::new(client))
        } else {
            Authorizer::AlwaysAllow
        };
        let generated_ca_pem = cert.generated_ca_pem.clone();
        Ok(Self {
            bind,
            tls: Some(TlsSettings {
                server_config: tls::server_config(cert, &client_roots)?,
                generated_ca_pem,
            }),
            auth: Auth {
                insecure: false,
                requestheader,
                client_ca,
                token,
                anonymous: args.anonymous_auth,
                authorizer,
            },
            backend,
            enable_write: args.enable_write,
            write_bind,
            max_body_bytes,
        })
    }
}

async fn build_backend(args: &AdapterArgs) -> Result<Backend, AdapterError> {
    let lister = cluster_client(args.kubeconfig.as_deref())
        .await?
        .map(ObjectLister::new);
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
            let backend = PrometheusBackend::new(
                &args.prometheus_url,
                to_std(args.prometheus_timeout.nanos),
                rules,
                lister,
                to_std(args.metrics_relist_interval.nanos).max(Duration::from_millis(100)),
            )
            .map_err(|e| AdapterError::InvalidArgs(e.to_string()))?;
            Ok(Backend::Prometheus(Arc::new(backend)))
        }
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

/// The request-header settings: the CA given, and the flags, or where the flags were left at
/// their defaults, what the cluster's ConfigMap says.
fn requestheader_config(
    args: &AdapterArgs,
    ca: Vec<rustls::pki_types::CertificateDer<'static>>,
    cluster: Option<&ClusterAuthentication>,
    client_roots: &mut Vec<rustls::pki_types::CertificateDer<'static>>,
) -> Result<RequestHeaderConfig, AdapterError> {
    let subjects = tls::subjects(&ca)?;
    client_roots.extend(ca);
    let pick = |flag: &Vec<String>, default: &str, from_cluster: Option<&Vec<String>>| {
        match from_cluster {
            Some(c) if !c.is_empty() && flag.len() == 1 && flag[0] == default => c.clone(),
            _ => flag.clone(),
        }
    };
    Ok(RequestHeaderConfig {
        ca: subjects,
        allowed_names: match cluster {
            Some(c) if args.requestheader_allowed_names.is_empty() => c.allowed_names.clone(),
            _ => args.requestheader_allowed_names.clone(),
        },
        username_headers: pick(
            &args.requestheader_username_headers,
            "X-Remote-User",
            cluster.map(|c| &c.username_headers),
        ),
        group_headers: pick(
            &args.requestheader_group_headers,
            "X-Remote-Group",
            cluster.map(|c| &c.group_headers),
        ),
        extra_headers_prefixes: pick(
            &args.requestheader_extra_headers_prefix,
            "X-Remote-Extra-",
            cluster.map(|c| &c.extra_headers_prefixes),
        ),
    })
}
