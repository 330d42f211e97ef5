//! `alpaca controller`: the cluster client (in-cluster config in a pod, a kubeconfig
//! otherwise), logs, signals, and the controller until SIGTERM or Ctrl-C.

use std::path::Path;

use crate::args::ControllerArgs;
use crate::controller::Controller;
use crate::error::ControllerError;
use crate::telemetry::logs;

/// A client for the cluster: `kubeconfig` when given, else in-cluster config in a pod,
/// else `$KUBECONFIG` or `~/.kube/config`.
pub async fn client(kubeconfig: Option<&Path>) -> Result<kube::Client, ControllerError> {
    let config = match kubeconfig {
        Some(path) => {
            let kc = kube::config::Kubeconfig::read_from(path)
                .map_err(|e| ControllerError::Config(format!("{}: {e}", path.display())))?;
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await
                .map_err(|e| ControllerError::Config(format!("{}: {e}", path.display())))?
        }
        None => kube::Config::infer()
            .await
            .map_err(|e| ControllerError::Config(e.to_string()))?,
    };
    kube::Client::try_from(config).map_err(|e| ControllerError::Config(e.to_string()))
}

/// Resolves on SIGTERM or Ctrl-C.
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("interrupted: shutting down"),
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the controller until SIGTERM (or Ctrl-C), then shuts down cleanly: in-flight
/// syncs finish, the memory is persisted and the leader Lease is released.
pub async fn run(args: ControllerArgs) -> Result<(), ControllerError> {
    logs::init(args.log_format);
    let client = client(args.kubeconfig.as_deref()).await?;
    let controller = Controller::new(client, args).await?;
    controller.run(terminated()).await
}
