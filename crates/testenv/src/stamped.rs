//! A fault proxy whose answered requests are stamped with the time they were seen (polled
//! every 10 ms), so that a test can ask what a client did after a given moment: the leader
//! election tests, which must show that a replica stopped writing in time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alpaca_fake_apiserver::RequestRecord;
use jiff::Timestamp;

use crate::proxy::FaultProxy;

/// The proxy and its stamped log.
pub struct StampedProxy {
    /// The proxy (its kubeconfig, `cut`, `heal`, faults).
    pub proxy: Arc<FaultProxy>,
    log: Arc<Mutex<Vec<(Timestamp, RequestRecord)>>>,
    poller: tokio::task::JoinHandle<()>,
}

impl StampedProxy {
    /// Starts stamping `proxy`'s requests (on the current Tokio runtime).
    pub fn new(proxy: FaultProxy) -> Self {
        let proxy = Arc::new(proxy);
        let log: Arc<Mutex<Vec<(Timestamp, RequestRecord)>>> = Arc::default();
        let poller = {
            let (proxy, log) = (proxy.clone(), log.clone());
            tokio::spawn(async move {
                loop {
                    let all = proxy.requests();
                    {
                        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                        let now = Timestamp::now();
                        let seen = log.len();
                        log.extend(all.into_iter().skip(seen).map(|r| (now, r)));
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
        };
        Self { proxy, log, poller }
    }

    /// Every request seen at or after `since`, with its stamp.
    pub fn since(&self, since: Timestamp) -> Vec<(Timestamp, RequestRecord)> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(at, _)| *at >= since)
            .cloned()
            .collect()
    }

    /// Every request seen at or after `since`, as one line each (method, path, answer).
    pub fn lines_since(&self, since: Timestamp) -> Vec<String> {
        self.since(since).iter().map(|(_, r)| r.line()).collect()
    }

    /// Writes (anything but GET) seen at or after `since`, the Lease's included.
    pub fn writes_since(&self, since: Timestamp) -> Vec<(Timestamp, RequestRecord)> {
        let mut all = self.since(since);
        all.retain(|(_, r)| r.method != "GET");
        all
    }

    /// Writes to anything but the Lease (scales, status, events, memory) seen at or after
    /// `since`.
    pub fn work_writes_since(&self, since: Timestamp) -> Vec<(Timestamp, RequestRecord)> {
        let mut all = self.writes_since(since);
        all.retain(|(_, r)| r.info.resource.as_deref() != Some("leases"));
        all
    }
}

impl Drop for StampedProxy {
    fn drop(&mut self) {
        self.poller.abort();
    }
}
