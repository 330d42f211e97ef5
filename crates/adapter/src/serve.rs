//! Serving accepted connections with hyper (HTTP/1.1 and HTTP/2): the header read timeout, the
//! router with the peer's [`PeerInfo`] attached to each request, hyper's own error responses
//! turned into `Status` objects ([`crate::bare_errors`]), and a graceful shutdown with a
//! deadline: on shutdown, accepting stops, open connections are asked to finish (HTTP/2
//! GOAWAY, HTTP/1 close after the current response), and whatever is still open at the
//! deadline is closed, so a slow client cannot hold the process.

use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::error::AdapterError;
use crate::limits::Limits;
use crate::listener::PeerInfo;

/// HTTP/2 streams per connection (upstream's generic API server default).
const MAX_CONCURRENT_STREAMS: u32 = 250;

/// Serves `app` on the listener's connections until `shutdown` turns true, then shuts down
/// gracefully within `limits.shutdown_timeout`.
pub async fn serve<L>(
    mut listener: L,
    app: Router,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), AdapterError>
where
    L: Listener<Addr = PeerInfo>,
    L::Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_CONCURRENT_STREAMS);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        let (io, peer) = tokio::select! {
            conn = listener.accept() => conn,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            _ = stopped(&mut shutdown) => break,
        };
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer.clone()));
            router.clone().oneshot(req)
        });
        let conn = builder
            .serve_connection(
                TokioIo::new(crate::bare_errors::StatusOnBareErrors::new(io)),
                service,
            )
            .into_owned();
        let conn = graceful.watch(conn);
        connections.spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    finish(graceful, connections, limits.shutdown_timeout).await;
    Ok(())
}

/// Waits for open connections to finish, up to the deadline, then closes the rest.
async fn finish(graceful: GracefulShutdown, mut connections: JoinSet<()>, deadline: Duration) {
    let drained = async {
        graceful.shutdown().await;
        while connections.join_next().await.is_some() {}
    };
    if tokio::time::timeout(deadline, drained).await.is_err() {
        tracing::warn!(
            open = connections.len(),
            "graceful shutdown deadline passed: closing the connections still open"
        );
    }
    connections.abort_all();
}

async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        if shutdown.changed().await.is_err() {
            return;
        }
    }
}
