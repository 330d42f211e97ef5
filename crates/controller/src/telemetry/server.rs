//! The HTTP endpoints: `/metrics` (Prometheus text), `/healthz` (no sync wedged and no watch
//! failing for longer than the liveness timeout) and
//! `/readyz` (a standby replica, or a leader whose caches are filled).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;

use super::metrics::Telemetry;

/// What the endpoints report.
#[derive(Debug, Default)]
pub struct Health {
    /// This replica leads.
    pub leading: AtomicBool,
    /// The leader's caches are filled.
    pub synced: AtomicBool,
    /// Syncs in flight and failing watches.
    pub liveness: super::liveness::Liveness,
}

impl Health {
    /// Ready: standing by, or leading with filled caches.
    pub fn ready(&self) -> bool {
        !self.leading.load(Ordering::Acquire) || self.synced.load(Ordering::Acquire)
    }
}

#[derive(Clone)]
struct AppState {
    telemetry: Arc<Telemetry>,
    health: Arc<Health>,
}

async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.telemetry.encode(),
    )
}

async fn healthz(State(s): State<AppState>) -> (StatusCode, String) {
    match s.health.liveness.check(std::time::Instant::now()) {
        Ok(()) => (StatusCode::OK, "ok".into()),
        Err(why) => (StatusCode::INTERNAL_SERVER_ERROR, why),
    }
}

async fn readyz(State(s): State<AppState>) -> (StatusCode, &'static str) {
    if s.health.ready() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "caches not synced")
    }
}

/// The router.
pub fn router(telemetry: Arc<Telemetry>, health: Arc<Health>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(AppState { telemetry, health })
}

/// Binds the address; `None` for `0` (the server is off).
pub async fn bind(address: &str) -> std::io::Result<Option<TcpListener>> {
    if address == "0" || address.is_empty() {
        return Ok(None);
    }
    let addr = match address.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => address.to_string(),
    };
    TcpListener::bind(addr).await.map(Some)
}

/// Serves until the task is dropped.
pub async fn serve(listener: TcpListener, telemetry: Arc<Telemetry>, health: Arc<Health>) {
    let local: Option<SocketAddr> = listener.local_addr().ok();
    tracing::info!(address = ?local, "serving /metrics, /healthz and /readyz");
    if let Err(e) = axum::serve(listener, router(telemetry, health)).await {
        tracing::error!(error = %e, "telemetry server stopped");
    }
}
