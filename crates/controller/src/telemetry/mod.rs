//! What the controller tells its operators: Prometheus metrics, health and readiness
//! endpoints, and structured logs.

pub mod liveness;
pub mod logs;
pub mod metrics;
pub mod server;
pub mod upstream;

pub use metrics::Telemetry;
pub use server::Health;
