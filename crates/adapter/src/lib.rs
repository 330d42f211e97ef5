//! The Alpaca metrics adapter: an aggregated API server that serves
//! `custom.metrics.k8s.io` (v1beta1 and v1beta2), `external.metrics.k8s.io` (v1beta1) and the
//! resource metrics `metrics.k8s.io` (v1 and v1beta1) to any HPA, from values written over HTTP (the memory backend, with the custom-metrics-apiserver
//! testing adapter's `write-metrics` URLs) or from Prometheus (prometheus-adapter-style rules).
//!
//! [`run`] serves according to [`AdapterArgs`] until SIGTERM or ctrl-c; tests start a
//! [`Server`] in-process on an ephemeral port with [`Server::bind`].

pub mod api;
pub mod apiservice;
pub mod args;
pub mod auth;
pub mod backend;
pub mod bare_errors;
pub mod command;
pub mod config;
pub mod discovery;
pub mod error;
pub mod limits;
pub mod listener;
pub mod pki;
pub mod quantity;
pub mod reload;
pub mod resources;
pub mod selector;
pub mod serve;
pub mod server;
pub mod serving_cert;
pub mod telemetry;
pub mod tls;

pub use args::{AdapterArgs, BackendKind};
pub use config::ServerConfig;
pub use error::AdapterError;
pub use server::Server;

/// Serves according to the flags until SIGTERM or ctrl-c, then shuts down gracefully (or runs
/// the subcommand given, such as `check-apiservice`).
pub async fn run(args: AdapterArgs) -> Result<(), AdapterError> {
    tls::install_crypto_provider();
    if let Some(command) = args.command {
        return command::run(command).await;
    }
    let config = ServerConfig::from_args(&args).await?;
    let server = Server::bind(config).await?;
    tracing::info!(url = %server.url(), write = ?server.write_addr(), "metrics adapter started");
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
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
