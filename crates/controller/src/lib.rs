//! The Alpaca controller: the controller loop the simulator drives
//! ([`alpaca_loop::ControlLoop`]), run against a real Kubernetes cluster with kube-rs, as
//! a drop-in for kube-controller-manager's HPA controller (`--mode hpa`) or side by side
//! with it on its own CRD (`--mode crd`).
//!
//! - [`cluster`]: the loop's `ClusterRead`/`ScaleWrite` over kube-rs: reflector caches of
//!   autoscalers and pods, scale subresources through discovery, the three metrics APIs,
//!   status writes retried on conflicts, upstream-style events.
//! - [`workers`]: the queue (period, jitter, immediate syncs on change, backoff).
//! - [`memory`]: each autoscaler's memory persisted on the object.
//! - [`leader`]: Lease-based leader election.
//! - [`telemetry`]: `/metrics`, `/healthz`, `/readyz`, logs.
//! - [`run`] for `alpaca controller`; [`inspect`] for `alpaca snapshot` and `alpaca explain`.

pub mod args;
pub mod cluster;
pub mod controller;
pub mod crd;
pub mod error;
mod informer;
pub mod inspect;
pub mod kind;
pub mod leader;
pub mod memory;
pub mod other_writers;
pub mod request_timeout;
mod run;
pub mod telemetry;
pub mod workers;

pub use args::{ControllerArgs, EngineFlags, LogFormat, Mode};
pub use controller::Controller;
pub use error::ControllerError;
pub use inspect::{Target, explain, snapshot};
pub use other_writers::FIELD_MANAGER;
pub use run::{
    DEFAULT_REQUEST_TIMEOUT, client, client_for, client_with_options, client_with_timeout,
    config_with_options, run, user_agent,
};
