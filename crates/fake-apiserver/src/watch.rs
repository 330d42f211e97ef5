//! Watch streams: newline-delimited JSON events (`ADDED`, `MODIFIED`, `DELETED`,
//! `BOOKMARK`, `ERROR`) from a resourceVersion, filtered by namespace and selectors, with
//! `410 Gone` for versions older than the kept history, bookmarks, `sendInitialEvents`,
//! `timeoutSeconds`, and test commands to close or expire open watches.

use std::borrow::Cow;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use crate::convert;
use crate::error::ApiError;
use crate::registry::Endpoint;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::state::{Shared, WatchControl};
use crate::store::{EventType, StoredEvent, set_resource_version};

/// What a watch request asked for.
#[derive(Debug, Clone)]
pub(crate) struct WatchSpec {
    /// Resource and view.
    pub endpoint: Endpoint,
    /// Namespace, or all.
    pub namespace: Option<String>,
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `allowWatchBookmarks`.
    pub bookmarks: bool,
    /// `sendInitialEvents`.
    pub send_initial_events: bool,
    /// `timeoutSeconds`.
    pub timeout: Option<Duration>,
}

impl WatchSpec {
    fn selects(&self, obj: &Value) -> bool {
        let in_ns = self
            .namespace
            .as_deref()
            .is_none_or(|ns| obj["metadata"]["namespace"].as_str() == Some(ns));
        in_ns && self.labels.matches_object(obj) && self.fields.matches(obj)
    }

    /// What this watcher sees of a stored event: an object entering the selection is
    /// ADDED, one leaving it is DELETED (with its last selected state).
    fn view<'a>(&self, ev: &'a StoredEvent) -> Option<(EventType, Cow<'a, Value>)> {
        let now = self.selects(&ev.object);
        let before = ev.previous.as_deref().is_some_and(|p| self.selects(p));
        match ev.kind {
            EventType::Added => now.then_some((EventType::Added, Cow::Borrowed(&*ev.object))),
            EventType::Deleted => {
                (before || now).then_some((EventType::Deleted, Cow::Borrowed(&*ev.object)))
            }
            EventType::Modified => match (before, now) {
                (true, true) => Some((EventType::Modified, Cow::Borrowed(&*ev.object))),
                (false, true) => Some((EventType::Added, Cow::Borrowed(&*ev.object))),
                (true, false) => {
                    let mut last = ev.previous.as_deref().cloned().unwrap_or_default();
                    set_resource_version(&mut last, ev.rv);
                    Some((EventType::Deleted, Cow::Owned(last)))
                }
                (false, false) => None,
            },
        }
    }

    fn line(&self, kind: &str, stored: &Value) -> Vec<u8> {
        let obj = convert::encode(stored, &self.endpoint.kind, &self.endpoint.view);
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(br#"{"type":""#);
        out.extend_from_slice(kind.as_bytes());
        out.extend_from_slice(br#"","object":"#);
        let _ = serde_json::to_writer(&mut out, obj.as_ref());
        out.extend_from_slice(b"}\n");
        out
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Vec<u8> {
        let mut metadata = json!({ "resourceVersion": rv.to_string() });
        if initial_end {
            metadata["annotations"] = json!({ "k8s.io/initial-events-end": "true" });
        }
        let obj = json!({ "kind": self.endpoint.kind.kind, "apiVersion": self.endpoint.view.api_version(), "metadata": metadata });
        let mut out =
            serde_json::to_vec(&json!({ "type": "BOOKMARK", "object": obj })).unwrap_or_default();
        out.push(b'\n');
        out
    }
}

fn error_line(e: &ApiError) -> Vec<u8> {
    let mut out = serde_json::to_vec(&json!({ "type": "ERROR", "object": e.to_status() }))
        .unwrap_or_default();
    out.push(b'\n');
    out
}

/// Where a watch starts.
enum Start {
    /// Synthetic ADDED events for the current objects, then changes after `rv`.
    State { objects: Vec<Arc<Value>>, rv: u64 },
    /// Kept events after the requested version.
    Resume { events: Vec<Arc<StoredEvent>> },
    /// The requested version is no longer kept.
    Gone(ApiError),
}

fn body_of(rx: mpsc::Receiver<Bytes>) -> Body {
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, Infallible>(chunk), rx))
    });
    Body::from_stream(stream)
}

/// Starts a watch; the returned body streams until timeout, close, or the client leaves.
pub(crate) fn start(shared: Arc<Shared>, spec: WatchSpec) -> Result<Body, ApiError> {
    // sendInitialEvents starts from the current state whatever the version asked
    let requested = match spec.resource_version.as_deref() {
        _ if spec.send_initial_events => None,
        None | Some("0") => None,
        Some(rv) => Some(rv.parse::<u64>().map_err(|_| bad_rv(rv))?),
    };
    let (start, events) = {
        let mut st = shared.write();
        let current = st.store.current_rv();
        let res = st.store.resource_mut(&spec.endpoint.kind.storage_id());
        let start = match requested {
            None => {
                let ns = if spec.endpoint.kind.namespaced {
                    spec.namespace.as_deref()
                } else {
                    None
                };
                let objects = res
                    .objects
                    .iter(ns)
                    .filter(|(_, _, o)| spec.selects(o))
                    .map(|(_, _, o)| o.clone())
                    .collect();
                Start::State {
                    objects,
                    rv: current,
                }
            }
            Some(rv) => match res.history.since(rv) {
                Ok(events) => Start::Resume { events },
                Err(oldest) => Start::Gone(ApiError::too_old(rv, oldest)),
            },
        };
        (start, res.history.subscribe())
    };
    let control = shared.control.subscribe();
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    tokio::spawn(run(shared, spec, start, events, control, tx));
    Ok(body_of(rx))
}

fn bad_rv(rv: &str) -> ApiError {
    ApiError::bad_request(format!("invalid resource version: {rv}"))
}

/// Batches lines into chunks of about 64 KiB.
struct Batch {
    buf: Vec<u8>,
}

impl Batch {
    async fn push(&mut self, tx: &mpsc::Sender<Bytes>, line: Vec<u8>) -> bool {
        self.buf.extend_from_slice(&line);
        if self.buf.len() >= 64 * 1024 {
            self.flush(tx).await
        } else {
            true
        }
    }

    async fn flush(&mut self, tx: &mpsc::Sender<Bytes>) -> bool {
        if self.buf.is_empty() {
            return true;
        }
        tx.send(Bytes::from(std::mem::take(&mut self.buf)))
            .await
            .is_ok()
    }
}

async fn run(
    shared: Arc<Shared>,
    spec: WatchSpec,
    start: Start,
    mut events: broadcast::Receiver<Arc<StoredEvent>>,
    mut control: broadcast::Receiver<WatchControl>,
    tx: mpsc::Sender<Bytes>,
) {
    let mut batch = Batch { buf: Vec::new() };
    match start {
        Start::Gone(e) => {
            let _ = tx.send(Bytes::from(error_line(&e))).await;
            return;
        }
        Start::State { objects, rv } => {
            for obj in objects {
                if !batch.push(&tx, spec.line("ADDED", &obj)).await {
                    return;
                }
            }
            if spec.send_initial_events && !batch.push(&tx, spec.bookmark(rv, true)).await {
                return;
            }
        }
        Start::Resume { events } => {
            for ev in &events {
                if let Some((kind, obj)) = spec.view(ev)
                    && !batch.push(&tx, spec.line(kind.as_str(), &obj)).await
                {
                    return;
                }
            }
        }
    }
    if !batch.flush(&tx).await {
        return;
    }
    let deadline = spec.timeout.map(|t| Instant::now() + t);
    let interval = shared
        .config
        .bookmark_interval
        .max(Duration::from_millis(10));
    let mut ticks = tokio::time::interval_at(Instant::now() + interval, interval);
    loop {
        let line = tokio::select! {
            ev = events.recv() => match ev {
                Ok(ev) => match spec.view(&ev) {
                    Some((kind, obj)) => spec.line(kind.as_str(), &obj),
                    None => continue,
                },
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let rv = shared.read().store.current_rv();
                    let _ = tx.send(Bytes::from(error_line(&ApiError::too_old(rv, rv)))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = ticks.tick(), if spec.bookmarks => {
                let st = shared.read();
                if !events.is_empty() {
                    continue;
                }
                spec.bookmark(st.store.current_rv(), false)
            },
            _ = sleep_until(deadline) => return,
            c = control.recv() => match c {
                Ok(WatchControl::Close) | Err(broadcast::error::RecvError::Closed) => return,
                Ok(WatchControl::Expire) => {
                    let rv = shared.read().store.current_rv();
                    let _ = tx.send(Bytes::from(error_line(&ApiError::too_old(rv, rv)))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
            },
            _ = tx.closed() => return,
        };
        if tx.send(Bytes::from(line)).await.is_err() {
            return;
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
