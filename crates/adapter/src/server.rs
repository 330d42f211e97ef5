//! Starting and stopping the server: binding the listeners (HTTPS or plain HTTP, plus the
//! optional write port), spawning the serving tasks, the backend's discovery and the
//! reloaders, and a handle that gives the bound addresses and shuts everything down.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, AppState, SharedState};
use crate::backend::Backend;
use crate::config::ServerConfig;
use crate::error::AdapterError;
use crate::listener::{PlainListener, TlsListener};
use crate::serve::serve;
use crate::telemetry::Telemetry;

/// A running adapter.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    write_addr: Option<SocketAddr>,
    https: bool,
    generated_ca_pem: Option<String>,
    backend: Backend,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<Result<(), AdapterError>>>,
}

impl Server {
    /// Binds the listeners and starts serving in background tasks.
    pub async fn bind(config: ServerConfig) -> Result<Server, AdapterError> {
        let limits = config.limits.clone();
        let idle = Some(limits.idle_timeout);
        let certs = config.auth.certs.clone();
        let state: SharedState = Arc::new(AppState {
            backend: config.backend.clone(),
            cache: Default::default(),
            enable_write: config.enable_write,
            max_body_bytes: config.max_body_bytes,
            telemetry: Arc::new(Telemetry::default()),
            auth: Arc::new(config.auth),
            in_flight: (limits.max_in_flight > 0)
                .then(|| Arc::new(tokio::sync::Semaphore::new(limits.max_in_flight))),
            limits: limits.clone(),
        });
        let (shutdown, rx) = watch::channel(false);
        let mut tasks = Vec::new();

        let tcp = bind(config.bind).await?;
        let addr = tcp.local_addr().map_err(AdapterError::Serve)?;
        let app = api::router(state.clone());
        let https = config.tls.is_some();
        let generated_ca_pem = config.tls.as_ref().and_then(|t| t.generated_ca_pem.clone());
        match config.tls {
            Some(tls) => {
                let listener =
                    TlsListener::new(tcp, tls.server_config, idle).map_err(AdapterError::Serve)?;
                tasks.push(tokio::spawn(serve(
                    listener,
                    app,
                    limits.clone(),
                    rx.clone(),
                )));
            }
            None => tasks.push(tokio::spawn(serve(
                PlainListener::new(tcp, idle),
                app,
                limits.clone(),
                rx.clone(),
            ))),
        }

        let mut write_addr = None;
        if let Some(wb) = config.write_bind {
            let tcp = bind(wb).await?;
            write_addr = Some(tcp.local_addr().map_err(AdapterError::Serve)?);
            let app = api::write_router(state.clone());
            tasks.push(tokio::spawn(serve(
                PlainListener::new(tcp, idle),
                app,
                limits.clone(),
                rx.clone(),
            )));
        }
        tasks.extend(config.reload.spawn(certs, &rx));

        if let Backend::Prometheus(p) = &config.backend {
            let p = p.clone();
            let rx = rx.clone();
            tasks.push(tokio::spawn(async move {
                p.run_discovery(rx).await;
                Ok(())
            }));
        }
        tracing::info!(%addr, https, "metrics adapter serving");
        Ok(Server {
            addr,
            write_addr,
            https,
            generated_ca_pem,
            backend: config.backend,
            shutdown,
            tasks,
        })
    }

    /// The address the API is served on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the plain-HTTP write listener, if any.
    pub fn write_addr(&self) -> Option<SocketAddr> {
        self.write_addr
    }

    /// `https://ADDR` or `http://ADDR`.
    pub fn url(&self) -> String {
        format!(
            "{}://{}",
            if self.https { "https" } else { "http" },
            self.addr
        )
    }

    /// The CA (PEM) of the generated serving certificate, when one was generated.
    pub fn generated_ca_pem(&self) -> Option<&str> {
        self.generated_ca_pem.as_deref()
    }

    /// The backend (e.g. to write values directly in tests).
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Stops accepting, lets open requests finish, and waits for the tasks.
    pub async fn shutdown(mut self) -> Result<(), AdapterError> {
        let _ = self.shutdown.send(true);
        let tasks = std::mem::take(&mut self.tasks);
        for t in tasks {
            match t.await {
                Ok(r) => r?,
                Err(e) if e.is_cancelled() => {}
                Err(e) => return Err(AdapterError::Serve(std::io::Error::other(e.to_string()))),
            }
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, AdapterError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| AdapterError::Bind { addr, source })
}
