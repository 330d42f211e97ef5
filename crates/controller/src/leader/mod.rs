//! Leader election through a `coordination.k8s.io/v1` Lease, with kube-lease-manager:
//! the Lease's `holderIdentity` names the leader, which renews `renewTime` before
//! `leaseDurationSeconds` run out; a replica standing by takes the Lease over once it is
//! released (on a clean shutdown) or expired (when the leader died).

use std::time::Duration;

use kube_lease_manager::{LeaseCreateMode, LeaseManager, LeaseManagerBuilder};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::ControllerError;

/// Where the Lease is and how it is held.
#[derive(Debug, Clone)]
pub struct LeaseConfig {
    /// The Lease's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// This replica's identity.
    pub identity: String,
    /// Seconds a leader holds the Lease without renewing.
    pub duration_secs: u64,
    /// Seconds before expiry the leader renews.
    pub renew_margin_secs: u64,
}

impl LeaseConfig {
    fn check(&self) -> Result<(), ControllerError> {
        if self.duration_secs == 0 || self.renew_margin_secs == 0 {
            return Err(ControllerError::Flag(
                "--leader-elect-lease-duration and --leader-elect-renew-margin must be at least 1s"
                    .into(),
            ));
        }
        if self.renew_margin_secs >= self.duration_secs {
            return Err(ControllerError::Flag(
                "--leader-elect-renew-margin must be shorter than --leader-elect-lease-duration"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// A running election.
pub struct Elector {
    state: watch::Receiver<bool>,
    task: JoinHandle<kube_lease_manager::Result<LeaseManager>>,
}

impl std::fmt::Debug for Elector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Elector")
            .field("leading", &*self.state.borrow())
            .finish()
    }
}

impl Elector {
    /// Joins the election (creating the Lease if needed).
    pub async fn start(
        client: kube::Client,
        config: &LeaseConfig,
    ) -> Result<Self, ControllerError> {
        config.check()?;
        let manager = LeaseManagerBuilder::new(client, config.name.clone())
            .with_namespace(config.namespace.clone())
            .with_identity(config.identity.clone())
            .with_duration(config.duration_secs)
            .with_grace(config.renew_margin_secs)
            .with_create_mode(LeaseCreateMode::AutoCreate)
            .build()
            .await
            .map_err(|e| ControllerError::Leader(e.to_string()))?;
        let (state, task) = manager.watch().await;
        Ok(Self { state, task })
    }

    /// Whether this replica leads now.
    pub fn is_leading(&self) -> bool {
        *self.state.borrow()
    }

    /// Waits until this replica leads (`true`), or the election ended (`false`).
    pub async fn wait_leading(&mut self) -> bool {
        self.state.wait_for(|leading| *leading).await.is_ok()
    }

    /// Waits until this replica no longer leads.
    pub async fn wait_lost(&mut self) {
        let _ = self.state.wait_for(|leading| !*leading).await;
    }

    /// Leaves the election, releasing the Lease if held (bounded by `timeout`).
    pub async fn release(self, timeout: Duration) {
        let Self { state, task } = self;
        drop(state);
        match tokio::time::timeout(timeout, task).await {
            Ok(Ok(Ok(_))) => tracing::info!("released the leader lease"),
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "releasing the leader lease failed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "leader election task failed"),
            Err(_) => tracing::warn!("releasing the leader lease timed out"),
        }
    }
}

/// This replica's identity: `$POD_NAME`, else the hostname, plus a random suffix so two
/// processes on one host differ.
pub fn default_identity() -> String {
    let base = std::env::var("POD_NAME")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "alpaca".into());
    let nanos = jiff::Timestamp::now().as_nanosecond() as u64;
    format!(
        "{base}_{:08x}",
        (nanos ^ u64::from(std::process::id())) as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_durations_instead_of_panicking() {
        let mut c = LeaseConfig {
            name: "l".into(),
            namespace: "n".into(),
            identity: "i".into(),
            duration_secs: 15,
            renew_margin_secs: 5,
        };
        assert!(c.check().is_ok());
        c.renew_margin_secs = 15;
        assert!(c.check().is_err());
        c.duration_secs = 0;
        assert!(c.check().is_err());
        assert!(!default_identity().is_empty());
    }
}
