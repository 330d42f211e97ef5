//! What can go wrong starting or driving a test control plane.

use std::path::PathBuf;

/// A failure of the test environment (not of the code under test).
#[derive(Debug, thiserror::Error)]
pub enum TestEnvError {
    /// A binary was not found.
    #[error("{name} not found (looked in {looked})")]
    MissingBinary {
        /// The binary.
        name: &'static str,
        /// Where it was looked for.
        looked: String,
    },
    /// The environment cannot provide what a test asked for (and says why).
    #[error("{0}")]
    Unsupported(String),
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A process exited or never became ready; the tail of its log is included.
    #[error("{name} did not become ready: {why}\n--- last lines of {log} ---\n{tail}")]
    NotReady {
        /// The process.
        name: String,
        /// Why.
        why: String,
        /// Its log file.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// Generating certificates or keys failed.
    #[error("generating certificates: {0}")]
    Pki(#[from] rcgen::Error),
    /// A Kubernetes client operation failed.
    #[error("{what}: {source}")]
    Kube {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: kube::Error,
    },
    /// A client configuration could not be built.
    #[error("client configuration: {0}")]
    Config(String),
}

impl TestEnvError {
    /// An [`TestEnvError::Io`] error with context.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }

    /// A [`TestEnvError::Kube`] error with context.
    pub fn kube(what: impl Into<String>) -> impl FnOnce(kube::Error) -> Self {
        let what = what.into();
        move |source| Self::Kube { what, source }
    }
}
