//! The errors of starting and running the adapter.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the adapter could not start or stopped with a failure.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// A listening socket could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// A file named by a flag could not be read.
    #[error("reading {path}: {source}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A certificate or key is unusable, or could not be generated.
    #[error("certificate: {0}")]
    Certificate(String),
    /// The flags contradict each other or are incomplete.
    #[error("invalid arguments: {0}")]
    InvalidArgs(String),
    /// The Prometheus rules file is invalid.
    #[error("rules config: {0}")]
    Rules(#[from] crate::backend::prometheus::rules::RulesError),
    /// The authentication settings cannot be read, or nothing could authenticate a request.
    #[error("authentication: {0}")]
    Authentication(String),
    /// An APIService the adapter would register is served by someone else.
    #[error(
        "metrics APIs already served elsewhere: {0} (installing would take them over; pass --allow-takeover to do it deliberately)"
    )]
    ApiServiceTaken(String),
    /// No usable cluster configuration for delegated authorization.
    #[error("kubernetes client: {0}")]
    Kube(String),
    /// Serving failed.
    #[error("serving: {0}")]
    Serve(std::io::Error),
}
