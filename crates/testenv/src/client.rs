//! Clients for the test control plane, built from a kubeconfig file the way a user's tools
//! build them.

use std::path::Path;

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::error::TestEnvError;

/// The configuration of the kubeconfig at `path`, without kube-client's retry layer (tests
/// see each answer as the server gave it; a 503 is not retried for minutes).
async fn config(path: &Path) -> Result<kube::Config, TestEnvError> {
    let kc = Kubeconfig::read_from(path)
        .map_err(|e| TestEnvError::Config(format!("{}: {e}", path.display())))?;
    let mut config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .map_err(|e| TestEnvError::Config(format!("{}: {e}", path.display())))?;
    config.default_retry = false;
    Ok(config)
}

/// A client from the kubeconfig at `path`.
pub async fn from_kubeconfig(path: &Path) -> Result<kube::Client, TestEnvError> {
    kube::Client::try_from(config(path).await?).map_err(TestEnvError::kube("building a client"))
}

/// A client from the kubeconfig at `path` that impersonates `user` in `groups`.
pub async fn impersonating(
    path: &Path,
    user: &str,
    groups: &[&str],
) -> Result<kube::Client, TestEnvError> {
    let mut config = config(path).await?;
    config.auth_info.impersonate = Some(user.to_string());
    config.auth_info.impersonate_groups = Some(groups.iter().map(|g| g.to_string()).collect());
    kube::Client::try_from(config).map_err(TestEnvError::kube("building a client"))
}
