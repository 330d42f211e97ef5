//! Where the certificate authenticators' settings come from, read at start and re-read while
//! serving: the CA files named by flags (`--client-ca-file`, `--requestheader-client-ca-file`)
//! and the cluster's `kube-system/extension-apiserver-authentication` ConfigMap. Flags win over
//! the ConfigMap: a request-header setting left at its default is taken from the ConfigMap, a
//! CA given as a file is read from the file. The raw inputs are compared between reads, so the
//! authenticators are rebuilt only when something changed.

use std::path::PathBuf;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use tokio::sync::watch;

use super::certs::{CertAuthenticators, SharedCertAuthenticators};
use super::lookup::{self, ClusterAuthentication};
use super::requestheader::RequestHeaderConfig;
use super::x509::CaPool;
use crate::args::AdapterArgs;
use crate::error::AdapterError;
use crate::tls;

/// The request-header flags' defaults, which the ConfigMap's values replace.
const DEFAULT_USERNAME_HEADER: &str = "X-Remote-User";
const DEFAULT_GROUP_HEADER: &str = "X-Remote-Group";
const DEFAULT_EXTRA_PREFIX: &str = "X-Remote-Extra-";

/// What the authenticators are built from, as read (compared to tell a change).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthInputs {
    /// The request-header CA certificates.
    pub requestheader_ca: Vec<CertificateDer<'static>>,
    /// Allowed front-proxy common names.
    pub allowed_names: Vec<String>,
    /// User name headers.
    pub username_headers: Vec<String>,
    /// Group headers.
    pub group_headers: Vec<String>,
    /// Extra header prefixes.
    pub extra_headers_prefixes: Vec<String>,
    /// The client CA certificates.
    pub client_ca: Vec<CertificateDer<'static>>,
}

impl AuthInputs {
    /// The authenticators these inputs describe (none for an empty CA).
    pub fn build(&self) -> Result<CertAuthenticators, AdapterError> {
        let requestheader = if self.requestheader_ca.is_empty() {
            None
        } else {
            Some(RequestHeaderConfig {
                ca: CaPool::new(&self.requestheader_ca)?,
                allowed_names: self.allowed_names.clone(),
                username_headers: self.username_headers.clone(),
                group_headers: self.group_headers.clone(),
                extra_headers_prefixes: self.extra_headers_prefixes.clone(),
            })
        };
        let client_ca = if self.client_ca.is_empty() {
            None
        } else {
            Some(CaPool::new(&self.client_ca)?)
        };
        Ok(CertAuthenticators {
            requestheader,
            client_ca,
        })
    }
}

/// The flags and the cluster the settings are read from.
#[derive(Clone)]
pub struct AuthSource {
    requestheader_client_ca_file: Option<PathBuf>,
    client_ca_file: Option<PathBuf>,
    allowed_names: Vec<String>,
    username_headers: Vec<String>,
    group_headers: Vec<String>,
    extra_headers_prefixes: Vec<String>,
    /// The cluster to read the ConfigMap from; `None` to use the flags only.
    cluster: Option<kube::Client>,
}

impl std::fmt::Debug for AuthSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSource")
            .field(
                "requestheader_client_ca_file",
                &self.requestheader_client_ca_file,
            )
            .field("client_ca_file", &self.client_ca_file)
            .field("cluster", &self.cluster.is_some())
            .finish_non_exhaustive()
    }
}

impl AuthSource {
    /// The settings the flags name; the ConfigMap is read from `cluster` when given.
    pub fn from_args(args: &AdapterArgs, cluster: Option<kube::Client>) -> Self {
        Self {
            requestheader_client_ca_file: args.requestheader_client_ca_file.clone(),
            client_ca_file: args.client_ca_file.clone(),
            allowed_names: args.requestheader_allowed_names.clone(),
            username_headers: args.requestheader_username_headers.clone(),
            group_headers: args.requestheader_group_headers.clone(),
            extra_headers_prefixes: args.requestheader_extra_headers_prefix.clone(),
            cluster,
        }
    }

    fn combine(&self, cluster: Option<&ClusterAuthentication>) -> Result<AuthInputs, AdapterError> {
        let (requestheader_ca, rh_cluster) = match &self.requestheader_client_ca_file {
            Some(path) => (tls::load_certs(path)?, None),
            None => (
                cluster
                    .map(|c| c.requestheader_ca.clone())
                    .unwrap_or_default(),
                cluster,
            ),
        };
        let pick = |flag: &Vec<String>, default: &str, from: Option<&Vec<String>>| match from {
            Some(c) if !c.is_empty() && flag.len() == 1 && flag[0] == default => c.clone(),
            _ => flag.clone(),
        };
        let client_ca = match (&self.client_ca_file, cluster) {
            (Some(path), _) => tls::load_certs(path)?,
            (None, Some(c)) => c.client_ca.clone(),
            (None, None) => Vec::new(),
        };
        Ok(AuthInputs {
            requestheader_ca,
            allowed_names: match rh_cluster {
                Some(c) if self.allowed_names.is_empty() => c.allowed_names.clone(),
                _ => self.allowed_names.clone(),
            },
            username_headers: pick(
                &self.username_headers,
                DEFAULT_USERNAME_HEADER,
                rh_cluster.map(|c| &c.username_headers),
            ),
            group_headers: pick(
                &self.group_headers,
                DEFAULT_GROUP_HEADER,
                rh_cluster.map(|c| &c.group_headers),
            ),
            extra_headers_prefixes: pick(
                &self.extra_headers_prefixes,
                DEFAULT_EXTRA_PREFIX,
                rh_cluster.map(|c| &c.extra_headers_prefixes),
            ),
            client_ca,
        })
    }

    /// Reads the files and the ConfigMap; any failure (a file, the ConfigMap) is an error.
    pub async fn read(&self) -> Result<AuthInputs, AdapterError> {
        let cluster = match &self.cluster {
            Some(client) => Some(lookup::lookup(client.clone()).await?),
            None => None,
        };
        self.combine(cluster.as_ref())
    }
}

/// Sends a signal each time the cluster's ConfigMap changes (a watch, with kube's backoff
/// after failures), so a change applies at once rather than at the next periodic read.
fn watch_configmap(client: kube::Client) -> tokio::sync::mpsc::Receiver<()> {
    use futures::StreamExt;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::runtime::{WatchStreamExt, watcher};
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let api: kube::Api<ConfigMap> = kube::Api::namespaced(client, lookup::NAMESPACE);
    let config = watcher::Config::default().fields(&format!("metadata.name={}", lookup::NAME));
    tokio::spawn(async move {
        let mut events = watcher(api, config).default_backoff().boxed();
        while let Some(event) = events.next().await {
            match event {
                Ok(
                    watcher::Event::Apply(_) | watcher::Event::Delete(_) | watcher::Event::InitDone,
                ) => {
                    // A full channel already holds a pending re-read.
                    if tx.try_send(()).is_err() && tx.is_closed() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "watching the authentication configmap failed; retrying")
                }
            }
        }
    });
    rx
}

/// Re-reads the settings when the cluster's ConfigMap changes (watched) and every `interval`
/// (the CA files, and a fallback), until shutdown; puts new authenticators in force when the
/// inputs changed; a failed read keeps the current ones (and is logged).
pub async fn reload(
    source: AuthSource,
    mut last: AuthInputs,
    target: std::sync::Arc<SharedCertAuthenticators>,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut changes = source.cluster.clone().map(watch_configmap);
    loop {
        let changed = async {
            match changes.as_mut() {
                Some(rx) => {
                    if rx.recv().await.is_none() {
                        std::future::pending::<()>().await
                    }
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = changed => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        let inputs = match source.read().await {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(error = %e, "re-reading the authentication settings failed; keeping the current ones");
                continue;
            }
        };
        if inputs == last {
            continue;
        }
        match inputs.build() {
            Ok(certs) => {
                target.replace(certs);
                tracing::info!("authentication settings changed: reloaded");
                last = inputs;
            }
            Err(e) => {
                tracing::warn!(error = %e, "the new authentication settings are unusable; keeping the current ones")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: AdapterArgs,
    }

    fn source(flags: &[&str]) -> AuthSource {
        let args = Cli::try_parse_from(std::iter::once("x").chain(flags.iter().copied()))
            .unwrap()
            .args;
        AuthSource::from_args(&args, None)
    }

    #[test]
    fn flags_left_at_their_defaults_take_the_configmap_values() {
        let cluster = ClusterAuthentication {
            requestheader_ca: vec![CertificateDer::from(vec![1u8])],
            allowed_names: vec!["front-proxy-client".into()],
            username_headers: vec!["X-Remote-User".into(), "X-User".into()],
            group_headers: vec!["X-Remote-Group".into()],
            extra_headers_prefixes: vec!["X-Remote-Extra-".into()],
            client_ca: vec![CertificateDer::from(vec![2u8])],
        };
        let from_cm = source(&[]).combine(Some(&cluster)).unwrap();
        assert_eq!(from_cm.allowed_names, ["front-proxy-client"]);
        assert_eq!(from_cm.username_headers, ["X-Remote-User", "X-User"]);
        assert_eq!(from_cm.client_ca, cluster.client_ca);
        let flags = source(&[
            "--requestheader-allowed-names=aggregator",
            "--requestheader-username-headers=X-Who",
        ])
        .combine(Some(&cluster))
        .unwrap();
        assert_eq!(flags.allowed_names, ["aggregator"]);
        assert_eq!(flags.username_headers, ["X-Who"]);
        assert_eq!(flags.requestheader_ca, cluster.requestheader_ca);
        assert_eq!(
            source(&[]).combine(None).unwrap(),
            AuthInputs {
                username_headers: vec![DEFAULT_USERNAME_HEADER.into()],
                group_headers: vec![DEFAULT_GROUP_HEADER.into()],
                extra_headers_prefixes: vec![DEFAULT_EXTRA_PREFIX.into()],
                ..AuthInputs::default()
            }
        );
        assert!(
            source(&["--client-ca-file=/nonexistent/ca.crt"])
                .combine(None)
                .is_err(),
            "an unreadable CA file is an error"
        );
    }
}
