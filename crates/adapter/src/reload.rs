//! What is re-read while serving, and the tasks that do it: the certificate authenticators'
//! settings (CA files and the cluster's ConfigMap, [`crate::auth::source`]) and the serving
//! certificate files ([`crate::serving_cert`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::certs::SharedCertAuthenticators;
use crate::auth::source::{AuthInputs, AuthSource};
use crate::error::AdapterError;
use crate::serving_cert::{ServingCertFiles, ServingCertResolver};

/// The authentication settings to re-read, and what was read at start.
#[derive(Debug)]
pub struct AuthReload {
    /// Where they come from.
    pub source: AuthSource,
    /// What was read at start.
    pub inputs: AuthInputs,
}

/// The serving certificate files to re-read, and the resolver serving them.
#[derive(Debug)]
pub struct CertReload {
    /// The files.
    pub files: ServingCertFiles,
    /// The certificate in force.
    pub resolver: Arc<ServingCertResolver>,
}

/// What to re-read, and how often.
#[derive(Debug)]
pub struct Reload {
    /// The period.
    pub interval: Duration,
    /// The authentication settings, if any come from files or the cluster.
    pub authentication: Option<AuthReload>,
    /// The serving certificate, if it comes from files.
    pub serving_cert: Option<CertReload>,
}

impl Default for Reload {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            authentication: None,
            serving_cert: None,
        }
    }
}

impl Reload {
    /// Starts the reloading tasks; they stop when `shutdown` turns true.
    pub fn spawn(
        self,
        certs: Arc<SharedCertAuthenticators>,
        shutdown: &watch::Receiver<bool>,
    ) -> Vec<JoinHandle<Result<(), AdapterError>>> {
        let mut tasks = Vec::new();
        if let Some(a) = self.authentication {
            let fut = crate::auth::source::reload(
                a.source,
                a.inputs,
                certs,
                self.interval,
                shutdown.clone(),
            );
            tasks.push(tokio::spawn(async move {
                fut.await;
                Ok(())
            }));
        }
        if let Some(c) = self.serving_cert {
            let fut =
                crate::serving_cert::reload(c.files, c.resolver, self.interval, shutdown.clone());
            tasks.push(tokio::spawn(async move {
                fut.await;
                Ok(())
            }));
        }
        tasks
    }
}
