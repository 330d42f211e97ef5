//! The server's time and concurrency limits, with upstream kube-apiserver's defaults: how long
//! a client may take to send its request headers, how long a connection may stay idle, how long
//! a request may run, how many requests may run at once, and how long a graceful shutdown may
//! wait for open connections.

use std::time::Duration;

/// Limits of the listeners and of every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Time to receive a request's headers (HTTP/1; also bounds the wait for the next request
    /// on a kept-alive connection). Upstream: 32 s.
    pub header_read_timeout: Duration,
    /// A connection on which nothing is read for this long is closed. Upstream: 90 s.
    pub idle_timeout: Duration,
    /// A request not answered within this time gets 504 (`--request-timeout`, upstream 60 s).
    pub request_timeout: Duration,
    /// Requests served at once before new ones get 429 (`--max-requests-inflight`, upstream
    /// 400); 0 means no limit. Health checks are not counted.
    pub max_in_flight: usize,
    /// How long a graceful shutdown waits for open connections before closing them.
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(32),
            idle_timeout: Duration::from_secs(90),
            request_timeout: Duration::from_secs(60),
            max_in_flight: 400,
            shutdown_timeout: Duration::from_secs(20),
        }
    }
}
