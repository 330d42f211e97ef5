//! Serving the fake API server on a loopback TCP port, for `kubectl --server` and
//! end-to-end runs of real binaries.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::FakeApiServer;

/// A server running on `127.0.0.1`; stops when dropped or on [`shutdown`](Self::shutdown).
#[derive(Debug)]
pub struct LocalServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl LocalServer {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A kubeconfig (YAML) pointing at this server, for binaries that read one.
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {}\n\
             contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: default\n\
             current-context: fake\nusers:\n- name: fake\n  user: {{}}\n",
            self.url()
        )
    }

    /// Stops serving (open connections are dropped).
    pub fn shutdown(self) {
        self.task.abort();
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeApiServer {
    /// Serves the API on an ephemeral port of `127.0.0.1` (plain HTTP). Must be called
    /// inside a tokio runtime.
    pub async fn serve_on_localhost(&self) -> std::io::Result<(SocketAddr, LocalServer)> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let router = self.router();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok((addr, LocalServer { addr, task }))
    }
}
