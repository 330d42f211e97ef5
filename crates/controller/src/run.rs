//! `alpaca controller`: the cluster client (in-cluster config in a pod, a kubeconfig
//! otherwise), logs, signals, and the controller until SIGTERM or Ctrl-C.

use std::path::Path;
use std::time::Duration;

use kube::config::KubeConfigOptions;

use crate::args::ControllerArgs;
use crate::controller::Controller;
use crate::error::ControllerError;
use crate::request_timeout::RequestTimeoutLayer;
use crate::telemetry::logs;

/// The default deadline of one API request (`--request-timeout`).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for the cluster: `kubeconfig` when given, else in-cluster config in a pod,
/// else `$KUBECONFIG` or `~/.kube/config`; with the default request timeout.
pub async fn client(kubeconfig: Option<&Path>) -> Result<kube::Client, ControllerError> {
    client_with_timeout(kubeconfig, DEFAULT_REQUEST_TIMEOUT).await
}

/// [`client`] with a deadline of `timeout` on every request but watches, no retry layer
/// (a failed request fails the sync at once, as with client-go), and Alpaca's user agent.
pub async fn client_with_timeout(
    kubeconfig: Option<&Path>,
    timeout: Duration,
) -> Result<kube::Client, ControllerError> {
    client_with_options(kubeconfig, &KubeConfigOptions::default(), timeout).await
}

/// [`client_with_timeout`] for a chosen kubeconfig context, cluster or user (kubectl's
/// `--context`, `--cluster`, `--user`): [`config_with_options`], then [`client_for`].
pub async fn client_with_options(
    kubeconfig: Option<&Path>,
    options: &KubeConfigOptions,
    timeout: Duration,
) -> Result<kube::Client, ControllerError> {
    client_for(config_with_options(kubeconfig, options).await?, timeout)
}

/// The cluster configuration: `kubeconfig` when given; else, with no context, cluster or
/// user chosen, the in-cluster config first as in [`client`]; else `$KUBECONFIG` (all its
/// files, merged) or `~/.kube/config`.
pub async fn config_with_options(
    kubeconfig: Option<&Path>,
    options: &KubeConfigOptions,
) -> Result<kube::Config, ControllerError> {
    let chosen = options.context.is_some() || options.cluster.is_some() || options.user.is_some();
    match kubeconfig {
        Some(path) => {
            let kc = kube::config::Kubeconfig::read_from(path)
                .map_err(|e| ControllerError::Config(format!("{}: {e}", path.display())))?;
            kube::Config::from_custom_kubeconfig(kc, options)
                .await
                .map_err(|e| ControllerError::Config(format!("{}: {e}", path.display())))
        }
        None if chosen => kube::Config::from_kubeconfig(options)
            .await
            .map_err(|e| ControllerError::Config(e.to_string())),
        None => kube::Config::infer()
            .await
            .map_err(|e| ControllerError::Config(e.to_string())),
    }
}

/// A client for `config` with a deadline of `timeout` on every request but watches, no
/// retry layer and Alpaca's user agent.
pub fn client_for(
    mut config: kube::Config,
    timeout: Duration,
) -> Result<kube::Client, ControllerError> {
    config.default_retry = false;
    if let Ok(agent) = http::HeaderValue::from_str(&user_agent()) {
        config.headers.push((http::header::USER_AGENT, agent));
    }
    let builder = kube::client::ClientBuilder::try_from(config)
        .map_err(|e| ControllerError::Config(e.to_string()))?;
    Ok(builder.with_layer(&RequestTimeoutLayer(timeout)).build())
}

/// `alpaca/VERSION (OS/ARCH)`, as audit logs show who wrote.
pub fn user_agent() -> String {
    format!(
        "alpaca/{} ({}/{})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
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
    let client = client_with_timeout(args.kubeconfig.as_deref(), args.request_timeout()).await?;
    let controller = Controller::new(client, args).await?;
    controller.run(terminated()).await
}
