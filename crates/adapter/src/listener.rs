//! Listeners that tell handlers who is connected: a plain TCP listener and a TLS listener that
//! completes handshakes concurrently (a slow client cannot hold up others) and records the
//! client certificate chain the peer presented (proved to hold the leaf's key; which CA, if
//! any, issued it is decided by authentication). Every connection is closed once it has been
//! idle (no byte read) for the idle timeout.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use rustls::ServerConfig;
use rustls::pki_types::CertificateDer;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_io_timeout::TimeoutStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A TCP connection that fails its pending read once it has been idle for the idle timeout.
pub type Conn = Pin<Box<TimeoutStream<TcpStream>>>;

/// What the adapter knows of a presented client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    /// The chain as presented, leaf first (not yet verified against any CA).
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf subject's common name.
    pub common_name: Option<String>,
    /// The leaf subject's organizations.
    pub organizations: Vec<String>,
}

impl ClientCert {
    /// Reads a presented chain; `None` if it is empty or its leaf cannot be parsed.
    pub fn from_chain(chain: &[CertificateDer<'_>]) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(chain.first()?.as_ref()).ok()?;
        let subject = cert.subject();
        Some(Self {
            chain: chain.iter().map(|c| c.clone().into_owned()).collect(),
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

/// Wraps an accepted stream: `TCP_NODELAY` and the idle timeout.
fn conn(stream: TcpStream, idle_timeout: Option<Duration>) -> Conn {
    let _ = stream.set_nodelay(true);
    let mut s = TimeoutStream::new(stream);
    s.set_read_timeout(idle_timeout);
    Box::pin(s)
}

/// Plain TCP.
#[derive(Debug)]
pub struct PlainListener {
    inner: TcpListener,
    idle_timeout: Option<Duration>,
}

impl PlainListener {
    /// Wraps a bound listener; connections idle for `idle_timeout` are closed.
    pub fn new(inner: TcpListener, idle_timeout: Option<Duration>) -> Self {
        Self {
            inner,
            idle_timeout,
        }
    }
}

impl Listener for PlainListener {
    type Io = Conn;
    type Addr = PeerInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, remote)) => {
                    return (
                        conn(stream, self.idle_timeout),
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
    rx: mpsc::Receiver<(TlsStream<Conn>, PeerInfo)>,
    local: SocketAddr,
    acceptor_task: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on a bound listener; connections idle for `idle_timeout` are closed.
    pub fn new(
        tcp: TcpListener,
        config: Arc<ServerConfig>,
        idle_timeout: Option<Duration>,
    ) -> io::Result<Self> {
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
                let stream = conn(stream, idle_timeout);
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
                        .and_then(ClientCert::from_chain)
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
    type Io = TlsStream<Conn>;
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
