//! Listeners for `axum::serve` that tell handlers who is connected: a plain TCP listener and a
//! TLS listener that completes handshakes concurrently (a slow client cannot hold up others)
//! and records the verified client certificate's issuer, common name and organizations.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the adapter knows of a verified client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    /// The issuer's distinguished name, DER-encoded.
    pub issuer: Vec<u8>,
    /// The subject's common name.
    pub common_name: Option<String>,
    /// The subject's organizations.
    pub organizations: Vec<String>,
}

impl ClientCert {
    /// Reads the leaf of a presented chain; `None` if it cannot be parsed.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let subject = cert.subject();
        Some(Self {
            issuer: cert.issuer().as_raw().to_vec(),
            common_name: subject
                .iter_common_name()
                .next()
                .and_then(|a| a.as_str().ok())
                .map(str::to_string),
            organizations: subject
                .iter_organization()
                .filter_map(|a| a.as_str().ok())
                .map(str::to_string)
                .collect(),
        })
    }
}

/// The peer of a connection, available to handlers as `ConnectInfo<PeerInfo>`.
#[derive(Debug, Clone)]
pub struct PeerInfo {
    /// The remote address.
    pub remote: SocketAddr,
    /// The client certificate rustls verified, if one was presented.
    pub client_cert: Option<Arc<ClientCert>>,
}

impl Connected<IncomingStream<'_, PlainListener>> for PeerInfo {
    fn connect_info(stream: IncomingStream<'_, PlainListener>) -> Self {
        stream.remote_addr().clone()
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for PeerInfo {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// Plain TCP with `TCP_NODELAY`.
#[derive(Debug)]
pub struct PlainListener {
    inner: TcpListener,
}

impl PlainListener {
    /// Wraps a bound listener.
    pub fn new(inner: TcpListener) -> Self {
        Self { inner }
    }
}

impl Listener for PlainListener {
    type Io = TcpStream;
    type Addr = PeerInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, remote)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        stream,
                        PeerInfo {
                            remote,
                            client_cert: None,
                        },
                    );
                }
                Err(e) => accept_error(e).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(PeerInfo {
            remote: self.inner.local_addr()?,
            client_cert: None,
        })
    }
}

/// TLS over TCP; handshakes run in their own tasks.
#[derive(Debug)]
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<TcpStream>, PeerInfo)>,
    local: SocketAddr,
    acceptor_task: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on a bound listener.
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, rx) = mpsc::channel(1024);
        let acceptor = TlsAcceptor::from(config);
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (stream, remote) = match tcp.accept().await {
                    Ok(x) => x,
                    Err(e) => {
                        accept_error(e).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    return;
                }
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let Ok(Ok(tls)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let client_cert = tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|chain| chain.first())
                        .and_then(|leaf| ClientCert::from_der(leaf.as_ref()))
                        .map(Arc::new);
                    let _ = tx
                        .send((
                            tls,
                            PeerInfo {
                                remote,
                                client_cert,
                            },
                        ))
                        .await;
                });
            }
        });
        Ok(Self {
            rx,
            local,
            acceptor_task,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = PeerInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(PeerInfo {
            remote: self.local,
            client_cert: None,
        })
    }
}

async fn accept_error(e: io::Error) {
    tracing::warn!(error = %e, "accepting a connection failed");
    // Out of file descriptors and the like: back off instead of spinning.
    tokio::time::sleep(Duration::from_millis(50)).await;
}
