//! Leader election through a `coordination.k8s.io/v1` Lease, as client-go's
//! `leaderelection` package runs it for kube-controller-manager: the Lease's
//! `holderIdentity` names the leader, which renews `renewTime` every lease duration minus
//! the renew margin; a replica standing by takes the Lease over once it is released (on a
//! clean shutdown) or once it has seen the same `renewTime` for a whole lease duration.
//!
//! The renew deadline: a leader that has not renewed within `renew_deadline` of its last
//! successful renew (a partition: its requests hang or fail) gives leadership up at once,
//! before the Lease could have been taken (`renew_deadline` < the lease duration), and
//! never writes the Lease again. The controller then stops every write and exits, as
//! kube-controller-manager exits.
//!
//! Every write is a merge patch that carries the `resourceVersion` read just before it, so
//! two replicas can never both believe they took the same Lease (the second gets 409).

use std::time::{Duration, Instant};

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::json;
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
    /// How long after its last successful renew a leader that cannot renew gives up.
    pub renew_deadline: Duration,
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
        if self.renew_deadline >= self.duration() {
            return Err(ControllerError::Flag(
                "--leader-elect-renew-deadline must be shorter than --leader-elect-lease-duration"
                    .into(),
            ));
        }
        if self.renew_deadline <= self.renew_interval() {
            return Err(ControllerError::Flag(
                "--leader-elect-renew-deadline must be longer than the renew interval \
                 (--leader-elect-lease-duration minus --leader-elect-renew-margin)"
                    .into(),
            ));
        }
        Ok(())
    }

    fn duration(&self) -> Duration {
        Duration::from_secs(self.duration_secs)
    }

    /// How often the leader renews.
    fn renew_interval(&self) -> Duration {
        Duration::from_secs(self.duration_secs.saturating_sub(self.renew_margin_secs))
    }

    /// How often a standby looks at the Lease, and how soon a failed renew is tried again.
    fn retry(&self) -> Duration {
        self.renew_interval().min(Duration::from_secs(2))
    }
}

/// Where this replica stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Standby,
    Leading,
    /// Leadership is gone for good (the reason); the election has ended.
    Lost(String),
}

/// A running election.
pub struct Elector {
    state: watch::Receiver<State>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Elector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Elector")
            .field("state", &*self.state.borrow())
            .finish()
    }
}

impl Elector {
    /// Joins the election.
    pub async fn start(
        client: kube::Client,
        config: &LeaseConfig,
    ) -> Result<Self, ControllerError> {
        config.check()?;
        let (state_tx, state) = watch::channel(State::Standby);
        let (stop, stop_rx) = watch::channel(false);
        let election = Election {
            api: Api::namespaced(client, &config.namespace),
            config: config.clone(),
            observed: None,
            state: state_tx,
            stop: stop_rx,
        };
        let task = tokio::spawn(election.run());
        Ok(Self {
            state,
            stop,
            task: Some(task),
        })
    }

    /// Whether this replica leads now.
    pub fn is_leading(&self) -> bool {
        *self.state.borrow() == State::Leading
    }

    /// Waits until this replica leads (`true`), or the election ended (`false`).
    pub async fn wait_leading(&mut self) -> bool {
        match self
            .state
            .wait_for(|s| matches!(s, State::Leading | State::Lost(_)))
            .await
        {
            Ok(s) => *s == State::Leading,
            Err(_) => false,
        }
    }

    /// Waits until this replica no longer leads, for good; returns why.
    pub async fn wait_lost(&mut self) -> String {
        match self.state.wait_for(|s| matches!(s, State::Lost(_))).await {
            Ok(s) => match &*s {
                State::Lost(why) => why.clone(),
                _ => unreachable!("waited for Lost"),
            },
            Err(_) => "the election task ended".into(),
        }
    }

    /// Leaves the election, releasing the Lease if held (bounded by `timeout`).
    pub async fn release(mut self, timeout: Duration) {
        let _ = self.stop.send(true);
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(timeout, &mut task).await.is_err()
        {
            tracing::warn!("releasing the leader lease timed out");
            task.abort();
        }
    }
}

impl Drop for Elector {
    fn drop(&mut self) {
        // nothing renews or releases once the elector is gone
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// The Lease as last read: who held it since when (on this replica's clock).
#[derive(Debug, Clone)]
struct Observed {
    holder: Option<String>,
    renew: Option<MicroTime>,
    duration: Duration,
    transitions: i32,
    acquire: Option<MicroTime>,
    resource_version: Option<String>,
    at: Instant,
}

struct Election {
    api: Api<Lease>,
    config: LeaseConfig,
    observed: Option<Observed>,
    state: watch::Sender<State>,
    stop: watch::Receiver<bool>,
}

/// What one attempt to acquire or renew found.
enum Attempt {
    /// This replica holds the Lease, renewed now.
    Held,
    /// Another replica holds it.
    Other,
    /// Someone wrote the Lease between the read and the write: try again.
    Conflict,
}

impl Election {
    async fn run(mut self) {
        // standby: until acquired or stopped
        loop {
            if *self.stop.borrow() {
                return;
            }
            let started = Instant::now();
            match self.try_acquire_or_renew().await {
                Ok(Attempt::Held) => {
                    self.lead(started).await;
                    return;
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "reading the leader lease failed"),
            }
            if self.sleep(self.config.retry()).await {
                return;
            }
        }
    }

    /// Sleeps; `true` when told to stop meanwhile.
    async fn sleep(&mut self, d: Duration) -> bool {
        self.sleep_until(Instant::now() + d).await
    }

    /// Sleeps until `at`; `true` when told to stop meanwhile.
    async fn sleep_until(&mut self, at: Instant) -> bool {
        let _ = tokio::time::timeout_at(at.into(), self.stop.wait_for(|s| *s)).await;
        *self.stop.borrow()
    }

    /// Leads from a renew that started at `renewed`, until stopped (then releases) or
    /// until no renew succeeded within the renew deadline.
    async fn lead(&mut self, mut renewed: Instant) {
        tracing::info!(identity = %self.config.identity, "acquired the leader lease");
        self.state.send_replace(State::Leading);
        let mut failed = false;
        loop {
            let deadline = renewed + self.config.renew_deadline;
            let wait = if failed {
                self.config.retry()
            } else {
                self.config.renew_interval()
            };
            let next = (Instant::now() + wait).min(deadline);
            if self.sleep_until(next).await {
                self.release().await;
                return;
            }
            let started = Instant::now();
            if started >= deadline {
                return self.lose(format!(
                    "the leader lease was not renewed within the renew deadline ({:?})",
                    self.config.renew_deadline
                ));
            }
            let attempt =
                tokio::time::timeout(deadline - started, self.try_acquire_or_renew()).await;
            match attempt {
                Ok(Ok(Attempt::Held)) => {
                    renewed = started;
                    failed = false;
                }
                Ok(Ok(Attempt::Other)) => {
                    let holder = self
                        .observed
                        .as_ref()
                        .and_then(|o| o.holder.clone())
                        .unwrap_or_default();
                    return self.lose(format!("the leader lease is held by {holder:?} now"));
                }
                Ok(Ok(Attempt::Conflict)) => failed = true,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "renewing the leader lease failed");
                    failed = true;
                }
                Err(_) => {
                    tracing::warn!("renewing the leader lease did not finish in time");
                    failed = true;
                }
            }
        }
    }

    fn lose(&mut self, why: String) {
        tracing::error!(identity = %self.config.identity, reason = %why, "lost the leader lease");
        self.state.send_replace(State::Lost(why));
    }

    /// Reads the Lease and, if it is free, expired, or ours, takes or renews it.
    async fn try_acquire_or_renew(&mut self) -> Result<Attempt, kube::Error> {
        let now = MicroTime(Timestamp::now());
        let duration = i32::try_from(self.config.duration_secs).unwrap_or(i32::MAX);
        let me = self.config.identity.clone();
        let lease = match self.api.get_opt(&self.config.name).await? {
            Some(l) => l,
            None => {
                let lease: Lease = serde_json::from_value(json!({
                    "metadata": {"name": self.config.name},
                    "spec": {"holderIdentity": me, "acquireTime": now, "renewTime": now,
                             "leaseDurationSeconds": duration, "leaseTransitions": 0}
                }))
                .expect("a Lease");
                return match self.api.create(&PostParams::default(), &lease).await {
                    Ok(created) => {
                        self.observe(&created);
                        Ok(Attempt::Held)
                    }
                    Err(kube::Error::Api(e)) if e.code == 409 => Ok(Attempt::Conflict),
                    Err(e) => Err(e),
                };
            }
        };
        self.observe(&lease);
        let observed = self.observed.clone().expect("just observed");
        let ours = observed.holder.as_deref() == Some(me.as_str());
        let held_by_other = observed.holder.as_deref().is_some_and(|h| !h.is_empty()) && !ours;
        if held_by_other && observed.at.elapsed() < observed.duration {
            return Ok(Attempt::Other);
        }
        let (acquire, transitions) = if ours {
            (
                observed.acquire.clone().unwrap_or(now.clone()),
                observed.transitions,
            )
        } else {
            (now.clone(), observed.transitions.saturating_add(1))
        };
        let patch = json!({
            "metadata": {"resourceVersion": observed.resource_version},
            "spec": {"holderIdentity": me, "acquireTime": acquire, "renewTime": now,
                     "leaseDurationSeconds": duration, "leaseTransitions": transitions}
        });
        match self
            .api
            .patch(
                &self.config.name,
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
        {
            Ok(written) => {
                self.observe(&written);
                Ok(Attempt::Held)
            }
            Err(kube::Error::Api(e)) if e.code == 409 => Ok(Attempt::Conflict),
            Err(e) => Err(e),
        }
    }

    /// Records what the Lease says; a new holder or `renewTime` restarts the clock.
    fn observe(&mut self, lease: &Lease) {
        let spec = lease.spec.clone().unwrap_or_default();
        let holder = spec.holder_identity.filter(|h| !h.is_empty());
        let same = self
            .observed
            .as_ref()
            .is_some_and(|o| o.holder == holder && o.renew == spec.renew_time);
        let at = match &self.observed {
            Some(o) if same => o.at,
            _ => Instant::now(),
        };
        self.observed = Some(Observed {
            holder,
            renew: spec.renew_time,
            duration: Duration::from_secs(
                u64::try_from(spec.lease_duration_seconds.unwrap_or(0)).unwrap_or(0),
            ),
            transitions: spec.lease_transitions.unwrap_or(0),
            acquire: spec.acquire_time,
            resource_version: lease.metadata.resource_version.clone(),
            at,
        });
    }

    /// Gives the Lease up (a clean shutdown), if it is still ours as last written.
    async fn release(&mut self) {
        let Some(observed) = &self.observed else {
            return;
        };
        let patch = json!({
            "metadata": {"resourceVersion": observed.resource_version},
            "spec": {"holderIdentity": null, "acquireTime": null, "renewTime": null,
                     "leaseDurationSeconds": null}
        });
        match self
            .api
            .patch(
                &self.config.name,
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
        {
            Ok(_) => tracing::info!("released the leader lease"),
            Err(e) => tracing::warn!(error = %e, "releasing the leader lease failed"),
        }
        self.state.send_replace(State::Standby);
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
            renew_margin_secs: 13,
            renew_deadline: Duration::from_secs(10),
        };
        assert!(c.check().is_ok());
        assert_eq!(c.renew_interval(), Duration::from_secs(2));
        // the deadline must leave room for a renew, and end before the Lease does
        c.renew_deadline = Duration::from_secs(2);
        assert!(c.check().is_err());
        c.renew_deadline = Duration::from_secs(15);
        assert!(c.check().is_err());
        c.renew_deadline = Duration::from_secs(10);
        c.renew_margin_secs = 15;
        assert!(c.check().is_err());
        c.duration_secs = 0;
        assert!(c.check().is_err());
        assert!(!default_identity().is_empty());
    }
}
