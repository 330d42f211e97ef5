//! What can stop the controller, `alpaca snapshot` or `alpaca explain`.

/// A failure of the controller or of an inspection command.
#[derive(Debug, thiserror::Error)]
pub enum ControllerError {
    /// No cluster configuration could be loaded (kubeconfig or in-cluster).
    #[error("loading the cluster configuration: {0}")]
    Config(String),
    /// An API call failed where the command cannot go on.
    #[error("{context}: {source}")]
    Api {
        /// What was being done.
        context: String,
        /// The client's error.
        #[source]
        source: kube::Error,
    },
    /// Reading from the cluster failed (the API's message).
    #[error("{0}")]
    Read(String),
    /// The autoscaler asked for does not exist.
    #[error("{kind} {namespace}/{name} not found")]
    NotFound {
        /// The kind (resource) looked for.
        kind: String,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// The autoscaler is one the API server would have rejected.
    #[error(transparent)]
    Sync(#[from] alpaca_loop::SyncError),
    /// The leader election could not start or failed for good.
    #[error("leader election: {0}")]
    Leader(String),
    /// The telemetry server could not listen.
    #[error("serving /metrics on {address}: {source}")]
    Listen {
        /// The address asked for.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A flag has an unusable value.
    #[error("invalid flag: {0}")]
    Flag(String),
}
