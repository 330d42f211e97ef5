//! The state shared by the router, the watch streams and the test handle.

use std::collections::VecDeque;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use tokio::sync::broadcast;

use crate::faults::Faults;
use crate::metrics::MetricsData;
use crate::registry::Registry;
use crate::requests::RequestRecord;
use crate::store::{Store, StoreLimits};

/// Tunables of a [`FakeApiServer`](crate::FakeApiServer).
#[derive(Debug, Clone)]
pub struct Config {
    /// Watch events kept per resource; a watch resuming from an older resourceVersion
    /// gets `410 Gone`. Default 10,000.
    pub history_capacity: usize,
    /// Events an open watch may fall behind before it is ended with `410 Gone`. Default 8,192.
    pub watch_lag_capacity: usize,
    /// How often watches with `allowWatchBookmarks=true` get a BOOKMARK. Default 1 s.
    pub bookmark_interval: Duration,
    /// The default namespace of [`FakeApiServer::client`](crate::FakeApiServer::client).
    pub default_namespace: String,
    /// Requests kept in the request log (oldest dropped first). Default 100,000.
    pub request_log_capacity: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            history_capacity: 10_000,
            watch_lag_capacity: 8_192,
            bookmark_interval: Duration::from_secs(1),
            default_namespace: "default".into(),
            request_log_capacity: 100_000,
        }
    }
}

/// What a test can do to open watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WatchControl {
    /// End every open watch cleanly.
    Close,
    /// Send every open watch an ERROR 410 Expired event, then end it.
    Expire,
}

/// Registry and objects, under one lock so that a write and its event are atomic.
#[derive(Debug)]
pub(crate) struct ApiState {
    /// Served kinds.
    pub registry: Registry,
    /// Objects.
    pub store: Store,
}

/// Everything behind a [`FakeApiServer`](crate::FakeApiServer).
#[derive(Debug)]
pub(crate) struct Shared {
    /// Objects and kinds.
    pub api: RwLock<ApiState>,
    /// Metric values served by the metrics APIs.
    pub metrics: RwLock<MetricsData>,
    /// Injected faults.
    pub faults: Mutex<Faults>,
    /// Requests served so far.
    pub log: Mutex<VecDeque<RequestRecord>>,
    /// Commands to open watches.
    pub control: broadcast::Sender<WatchControl>,
    /// Tunables.
    pub config: Config,
}

impl Shared {
    /// Fresh state with the built-in kinds.
    pub fn new(config: Config) -> Self {
        let limits = StoreLimits {
            history: config.history_capacity,
            channel: config.watch_lag_capacity,
        };
        Self {
            api: RwLock::new(ApiState {
                registry: Registry::builtin(),
                store: Store::new(limits),
            }),
            metrics: RwLock::new(MetricsData::default()),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(VecDeque::new()),
            control: broadcast::channel(16).0,
            config,
        }
    }

    /// Appends to the request log, dropping the oldest record when full.
    pub fn record(&self, record: RequestRecord) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if self.config.request_log_capacity == 0 {
            return;
        }
        while log.len() >= self.config.request_log_capacity {
            log.pop_front();
        }
        log.push_back(record);
    }

    /// Read access to objects (a poisoned lock is still usable: writers never leave
    /// half-done state behind).
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, ApiState> {
        self.api.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access to objects.
    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, ApiState> {
        self.api.write().unwrap_or_else(|e| e.into_inner())
    }
}
