//! A fault-injecting proxy in front of the real API server, for what the real server cannot
//! be made to do: answer 503 or 409 on demand, be slow, never answer, or vanish (a client
//! cut off by a network partition).
//!
//! It serves plain HTTP on a loopback port and forwards to the API server with the admin
//! credentials, so that the code under test builds its client from a kubeconfig exactly as
//! it would in production ([`FaultProxy::kubeconfig`]). Rules are the in-memory server's
//! [`Fault`]s, matched on what each request addresses (kube-apiserver's RequestInfo).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alpaca_fake_apiserver::{Fault, Faults, RequestInfo, RequestRecord, error_response};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::{AbortHandle, JoinHandle};

use crate::error::TestEnvError;

#[derive(Debug)]
struct Shared {
    faults: Mutex<Faults>,
    log: Mutex<Vec<RequestRecord>>,
    cut: tokio::sync::watch::Sender<bool>,
    connections: Mutex<Vec<AbortHandle>>,
    expiries: Mutex<Vec<(String, u32)>>,
}

impl Shared {
    /// Whether this watch is to be told its resource version expired (and counts it).
    fn expire(&self, info: &RequestInfo) -> bool {
        if info.verb != Some(alpaca_fake_apiserver::Verb::Watch) {
            return false;
        }
        let mut expiries = self.expiries.lock().expect("expiries");
        for (resource, times) in expiries.iter_mut() {
            if info.resource.as_deref() == Some(resource.as_str()) && *times > 0 {
                *times -= 1;
                return true;
            }
        }
        false
    }

    fn is_cut(&self) -> bool {
        *self.cut.borrow()
    }

    /// Resolves when a partition starts.
    async fn until_cut(&self) {
        let mut rx = self.cut.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }
}

/// A response body that stalls, with no error and no end, once a partition starts.
fn stalling(body: kube::client::Body, shared: Arc<Shared>) -> Body {
    use futures::StreamExt;
    use http_body_util::BodyExt;
    let stream = futures::stream::unfold(
        (body.into_data_stream(), shared),
        |(mut data, shared)| async move {
            if shared.is_cut() {
                futures::future::pending::<()>().await;
            }
            let item = tokio::select! {
                item = data.next() => item,
                _ = shared.until_cut() => futures::future::pending().await,
            };
            item.map(|i| (i, (data, shared)))
        },
    );
    Body::from_stream(stream)
}

struct Ctx {
    shared: Arc<Shared>,
    upstream: kube::Client,
}

/// A running proxy; stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    kubeconfig: PathBuf,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
        self.drop_connections();
    }
}

async fn forward(State(ctx): State<Arc<Ctx>>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let info = RequestInfo::of(&parts.method, &parts.uri);
    let record = |status: u16| RequestRecord {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        info: info.clone(),
        body: String::new(),
        status,
    };
    if ctx.shared.is_cut() {
        // a partition: the request is sent and nothing ever comes back
        futures::future::pending::<()>().await;
    }
    if ctx.shared.expire(&info) {
        ctx.shared.log.lock().expect("log").push(record(200));
        return expired_watch();
    }
    let outcome = ctx.shared.faults.lock().expect("faults").check(&info);
    if !outcome.latency.is_zero() {
        tokio::time::sleep(outcome.latency).await;
    }
    if let Some(e) = outcome.error {
        let response = error_response(&e);
        ctx.shared
            .log
            .lock()
            .expect("log")
            .push(record(response.status().as_u16()));
        return response;
    }
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            return error_response(&alpaca_fake_apiserver::ApiError::bad_request(e.to_string()));
        }
    };
    parts.headers.remove(http::header::AUTHORIZATION);
    parts.headers.remove(http::header::HOST);
    let upstream_req = http::Request::from_parts(parts.clone(), kube::client::Body::from(body));
    match ctx.upstream.send(upstream_req).await {
        Ok(res) => {
            ctx.shared
                .log
                .lock()
                .expect("log")
                .push(record(res.status().as_u16()));
            let (rparts, rbody) = res.into_parts();
            Response::from_parts(rparts, stalling(rbody, ctx.shared.clone()))
        }
        Err(e) => {
            ctx.shared.log.lock().expect("log").push(record(502));
            error_response(&alpaca_fake_apiserver::ApiError::new(
                502,
                format!("proxy: {e}"),
            ))
        }
    }
}

/// What kube-apiserver answers a watch from a resource version it no longer has: 200, then
/// one ERROR event carrying a 410 `Expired` Status, then the end of the stream.
fn expired_watch() -> Response {
    let event = serde_json::json!({"type": "ERROR", "object": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "too old resource version", "reason": "Expired", "code": 410}});
    let mut body = serde_json::to_vec(&event).unwrap_or_default();
    body.push(b'\n');
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

impl FaultProxy {
    /// Starts a proxy to the control plane. Call inside the runtime that will keep it.
    pub async fn start(plane: &crate::ControlPlane, name: &str) -> Result<Self, TestEnvError> {
        let kc = kube::config::Kubeconfig::read_from(plane.kubeconfig_path())
            .map_err(|e| TestEnvError::Config(e.to_string()))?;
        let mut config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .map_err(|e| TestEnvError::Config(e.to_string()))?;
        config.default_retry = false;
        config.read_timeout = None;
        let upstream =
            kube::Client::try_from(config).map_err(TestEnvError::kube("proxy client"))?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(TestEnvError::io("binding the proxy"))?;
        let addr = listener
            .local_addr()
            .map_err(TestEnvError::io("proxy address"))?;
        let shared = Arc::new(Shared {
            faults: Mutex::default(),
            log: Mutex::default(),
            cut: tokio::sync::watch::Sender::new(false),
            connections: Mutex::default(),
            expiries: Mutex::default(),
        });
        let ctx = Arc::new(Ctx {
            shared: shared.clone(),
            upstream,
        });
        let router = axum::Router::new().fallback(forward).with_state(ctx);
        let conns = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let service = TowerToHyperService::new(router.clone());
                let conn = tokio::spawn(async move {
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
                let mut list = conns.connections.lock().expect("connections");
                list.retain(|c| !c.is_finished());
                list.push(conn.abort_handle());
            }
        });
        let kubeconfig =
            plane.write_kubeconfig(&format!("kubeconfig-{name}"), &format!("http://{addr}"))?;
        Ok(Self {
            addr,
            kubeconfig,
            shared,
            task,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A kubeconfig that reaches the API server through this proxy.
    pub fn kubeconfig(&self) -> &std::path::Path {
        &self.kubeconfig
    }

    /// Adds a fault rule.
    pub fn inject(&self, fault: Fault) {
        self.shared.faults.lock().expect("faults").inject(fault);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.lock().expect("faults").clear();
    }

    /// The requests seen so far (those that hang are not logged).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.lock().expect("log").clone()
    }

    /// Forgets the requests seen so far.
    pub fn clear_requests(&self) {
        self.shared.log.lock().expect("log").clear();
    }

    /// A partition: nothing more comes back — open responses (watches included) stall
    /// where they are, and every new request hangs with no answer.
    pub fn cut(&self) {
        self.shared.cut.send_replace(true);
    }

    /// Ends the partition (what hung stays hung; new requests go through).
    pub fn heal(&self) {
        self.shared.cut.send_replace(false);
    }

    /// The next `times` watches of `resource` (plural) are told their resource version has
    /// expired, as kube-apiserver tells it (the client must list again).
    pub fn expire_watches(&self, resource: &str, times: u32) {
        self.shared
            .expiries
            .lock()
            .expect("expiries")
            .push((resource.to_string(), times));
    }

    /// Drops every open connection (the server closed them).
    pub fn reset_connections(&self) {
        self.drop_connections();
    }

    fn drop_connections(&self) {
        for c in self
            .shared
            .connections
            .lock()
            .expect("connections")
            .drain(..)
        {
            c.abort();
        }
    }
}

/// Hangs: a fault whose answer never comes (an hour of latency).
pub fn never_answers(fault: Fault) -> Fault {
    fault.latency(Duration::from_secs(3600))
}
