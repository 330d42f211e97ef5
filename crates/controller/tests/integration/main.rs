//! Integration tests of the whole controller against the in-memory API server.

mod faults;
mod inspect;
mod manifests;
mod metrics_apis;
mod support;
mod sync;
mod telemetry;
mod watch;
