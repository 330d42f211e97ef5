//! The running controller: telemetry server, leader election, and while leading the
//! caches, the dispatcher of syncs to `--concurrency` workers, and the memory flusher.
//!
//! ```text
//!  watch autoscalers ─▶ cache ─▶ queue (due times) ─▶ dispatcher ─▶ N × ControlLoop::sync
//!  watch pods ───────▶ cache ─────────────────────────────────────▶   (KubeCluster)
//!                                 memory (annotation) ◀── flusher ◀── Decision.history
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use alpaca_loop::{ControlLoop, HpaKey, SyncError, SyncReport};
use jiff::Timestamp;
use kube::api::{Api, DynamicObject};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::args::{ControllerArgs, to_std};
use crate::cluster::{Cache, KubeCluster, PodScope, SlimPod, Source};
use crate::error::ControllerError;
use crate::informer;
use crate::kind::AutoscalerKind;
use crate::leader::{Elector, LeaseConfig, default_identity};
use crate::memory::{MemoryWriter, annotation};
use crate::telemetry::{Health, Telemetry, server};
use crate::workers::{Outcome, Queue};

/// How long in-flight syncs may take to finish at shutdown or on losing leadership.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Why leading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// SIGTERM (or the caller's shutdown future).
    Shutdown,
    /// The Lease is lost (another replica holds it, or the renew deadline passed).
    Lost,
}

/// The controller, ready to run.
pub struct Controller {
    client: kube::Client,
    args: ControllerArgs,
    kind: AutoscalerKind,
    identity: String,
    telemetry: Arc<Telemetry>,
    health: Arc<Health>,
    listener: Option<TcpListener>,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("mode", &self.kind.mode())
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// Everything one leading term shares with its tasks.
struct Term {
    cluster: Arc<KubeCluster>,
    autoscalers: Arc<Cache<DynamicObject>>,
    control: Arc<ControlLoop>,
    queue: Arc<Queue>,
    memory: Arc<MemoryWriter>,
    telemetry: Arc<Telemetry>,
    health: Arc<Health>,
    /// Leave alone autoscalers whose status another manager writes (`--mode hpa`).
    refuse_other_writers: bool,
}

impl Controller {
    /// A controller over this client; binds the telemetry address now.
    pub async fn new(client: kube::Client, args: ControllerArgs) -> Result<Self, ControllerError> {
        if args.concurrency == 0 {
            return Err(ControllerError::Flag(
                "--concurrency must be at least 1".into(),
            ));
        }
        if !(args.sync_jitter >= 0.0 && args.sync_jitter.is_finite()) {
            return Err(ControllerError::Flag(
                "--sync-jitter must be a fraction ≥ 0".into(),
            ));
        }
        let listener = server::bind(&args.metrics_bind_address)
            .await
            .map_err(|source| ControllerError::Listen {
                address: args.metrics_bind_address.clone(),
                source,
            })?;
        let health = Arc::new(Health {
            liveness: crate::telemetry::liveness::Liveness::new(to_std(args.liveness_timeout)),
            ..Health::default()
        });
        let identity = args
            .leader_elect_identity
            .clone()
            .unwrap_or_else(default_identity);
        Ok(Self {
            client,
            kind: AutoscalerKind::new(args.mode),
            args,
            identity,
            telemetry: Arc::new(Telemetry::default()),
            health,
            listener,
        })
    }

    /// Where `/metrics`, `/healthz` and `/readyz` are served.
    pub fn telemetry_address(&self) -> Option<SocketAddr> {
        self.listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The metrics.
    pub fn telemetry(&self) -> Arc<Telemetry> {
        self.telemetry.clone()
    }

    /// Health and readiness.
    pub fn health(&self) -> Arc<Health> {
        self.health.clone()
    }

    /// This replica's identity (in the Lease and in events' `reportingInstance`).
    pub fn identity(&self) -> &str {
        &self.identity
    }

    fn lease(&self) -> LeaseConfig {
        let namespace = self
            .args
            .leader_elect_resource_namespace
            .clone()
            .or_else(|| {
                std::env::var("POD_NAMESPACE")
                    .ok()
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or_else(|| "kube-system".into());
        LeaseConfig {
            name: self.args.leader_elect_resource_name.clone(),
            namespace,
            identity: self.identity.clone(),
            duration_secs: u64::try_from(self.args.leader_elect_lease_duration.whole_secs())
                .unwrap_or(0),
            renew_margin_secs: u64::try_from(self.args.leader_elect_renew_margin.whole_secs())
                .unwrap_or(0),
            renew_deadline: to_std(self.args.leader_elect_renew_deadline),
        }
    }

    /// Runs until `shutdown` resolves: leads while holding the Lease (or always, without
    /// `--leader-elect`), then drains, persists the memory and releases the Lease.
    pub async fn run(
        mut self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ControllerError> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let signal = tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let server = self.listener.take().map(|l| {
            tokio::spawn(server::serve(
                l,
                self.telemetry.clone(),
                self.health.clone(),
            ))
        });
        tracing::info!(
            mode = ?self.args.mode,
            namespace = self.args.namespace.as_deref().unwrap_or("(all)"),
            identity = %self.identity,
            "alpaca controller starting"
        );
        let result = if self.args.leader_elect {
            self.run_elected(stop_rx).await
        } else {
            self.lead_until(wait_stop(stop_rx)).await;
            Ok(())
        };
        signal.abort();
        if let Some(s) = server {
            s.abort();
        }
        tracing::info!("alpaca controller stopped");
        result
    }

    /// Waits for the Lease and leads while holding it. Losing it (another replica holds
    /// it, or no renew succeeded within the renew deadline) stops every write at once and
    /// ends the run with an error, as kube-controller-manager exits; the pod's restart
    /// joins the election again as a standby.
    async fn run_elected(&self, stop_rx: watch::Receiver<bool>) -> Result<(), ControllerError> {
        let lease = self.lease();
        let mut elector = Elector::start(self.client.clone(), &lease).await?;
        tracing::info!(lease = %lease.name, namespace = %lease.namespace, "waiting for the leader lease");
        tokio::select! {
            _ = wait_stop(stop_rx.clone()) => {
                elector.release(DRAIN_TIMEOUT).await;
                return Ok(());
            }
            leading = elector.wait_leading() => if !leading {
                let why = elector.wait_lost().await;
                return Err(ControllerError::Leader(format!("the election ended: {why}")));
            },
        }
        tracing::info!(identity = %self.identity, "became the leader");
        let mut lost_reason = None;
        let lost = async {
            tokio::select! {
                _ = wait_stop(stop_rx) => Stop::Shutdown,
                why = elector.wait_lost() => {
                    lost_reason = Some(why);
                    Stop::Lost
                }
            }
        };
        if self.lead_until(lost).await == Stop::Lost {
            let why = lost_reason.unwrap_or_default();
            tracing::error!(reason = %why, "lost the leader lease: every write stopped; exiting");
            return Err(ControllerError::Leader(format!(
                "lost the leader lease: {why}"
            )));
        }
        elector.release(DRAIN_TIMEOUT).await;
        Ok(())
    }

    /// One leading term, until `stop`.
    async fn lead_until(&self, stop: impl Future<Output = Stop>) -> Stop {
        self.telemetry.leader.set(1);
        self.health.synced.store(false, Ordering::Release);
        self.health.leading.store(true, Ordering::Release);
        let end = self.lead(stop).await;
        self.health.leading.store(false, Ordering::Release);
        self.health.synced.store(false, Ordering::Release);
        self.telemetry.leader.set(0);
        end
    }

    async fn lead(&self, stop: impl Future<Output = Stop>) -> Stop {
        tokio::pin!(stop);
        let autoscalers = Arc::new(Cache::<DynamicObject>::default());
        let pods = Arc::new(Cache::<SlimPod>::default());
        let scope = Arc::new(PodScope::default());
        let timing = self.args.timing();
        let term = Arc::new(Term {
            cluster: Arc::new(KubeCluster::new(
                self.client.clone(),
                self.kind.clone(),
                Source::Cached {
                    autoscalers: autoscalers.clone(),
                    pods: pods.clone(),
                    scope: scope.clone(),
                },
                self.identity.clone(),
            )),
            autoscalers: autoscalers.clone(),
            control: Arc::new(
                ControlLoop::new(self.args.engine.config())
                    .with_explanations(tracing::enabled!(tracing::Level::DEBUG)),
            ),
            queue: Arc::new(Queue::new(timing)),
            memory: Arc::new(MemoryWriter::with_limits(
                to_std(self.args.memory_min_write_interval),
                to_std(self.args.engine.downscale_stabilization),
            )),
            telemetry: self.telemetry.clone(),
            health: self.health.clone(),
            refuse_other_writers: self.args.mode == crate::Mode::Hpa
                && !self.args.allow_other_hpa_writers,
        });

        let mut background = JoinSet::new();
        let (autoscaler_api, pod_api) = match &self.args.namespace {
            Some(ns) => (
                Api::namespaced_with(self.client.clone(), ns, self.kind.resource()),
                Api::namespaced(self.client.clone(), ns),
            ),
            None => (
                Api::all_with(self.client.clone(), self.kind.resource()),
                Api::all(self.client.clone()),
            ),
        };
        let on_delete: informer::OnDelete = {
            let term = term.clone();
            let (autoscalers, pods, scope) = (autoscalers.clone(), pods.clone(), scope.clone());
            Arc::new(move |key: &HpaKey| {
                if !autoscalers.has_namespace(&key.namespace) {
                    // no autoscaler can select this namespace's pods any more
                    scope.uncover(&key.namespace);
                    pods.remove_namespace(&key.namespace);
                    term.telemetry.cached_pods.set(pods.len() as i64);
                }
                term.control.forget(key);
                term.memory.forget(key);
                term.telemetry.forget(&key.namespace, &key.name);
            })
        };
        background.spawn(informer::autoscalers(
            autoscaler_api,
            autoscalers.clone(),
            term.queue.clone(),
            on_delete,
            scope.clone(),
            self.telemetry.clone(),
            self.health.clone(),
        ));

        // the pod watch starts once the autoscalers are known, so that its first list keeps
        // the pods of their namespaces only
        background.spawn({
            let (pods, autoscalers, scope) = (pods.clone(), autoscalers.clone(), scope.clone());
            let (telemetry, health) = (self.telemetry.clone(), self.health.clone());
            async move {
                while !autoscalers.is_synced() {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                informer::pods(pod_api, pods, autoscalers, scope, telemetry, health).await;
            }
        });

        // wait for the caches
        let synced = async {
            while !(autoscalers.is_synced() && pods.is_synced()) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::select! {
            end = &mut stop => {
                background.abort_all();
                return end;
            }
            _ = synced => {}
        }
        self.health.synced.store(true, Ordering::Release);
        tracing::info!(
            autoscalers = autoscalers.len(),
            pods = pods.len(),
            "caches synced; syncing autoscalers"
        );

        // memory flusher
        {
            let term = term.clone();
            let every = to_std(self.args.memory_flush_interval).max(Duration::from_millis(10));
            let concurrency = self.args.concurrency;
            background.spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    flush(&term, concurrency, false).await;
                }
            });
        }

        let end = self.dispatch(&term, &mut stop).await;
        if end == Stop::Shutdown {
            // persist what this term learned before the next leader reads it
            flush(&term, self.args.concurrency, true).await;
        }
        background.abort_all();
        while background.join_next().await.is_some() {}
        end
    }

    /// Hands due autoscalers to workers until `stop`.
    async fn dispatch(
        &self,
        term: &Arc<Term>,
        stop: &mut std::pin::Pin<&mut impl Future<Output = Stop>>,
    ) -> Stop {
        let permits = Arc::new(Semaphore::new(self.args.concurrency));
        let mut workers = JoinSet::new();
        let end = 'dispatch: loop {
            let due = term.queue.take_due(Timestamp::now());
            set_queue_depth(term);
            for key in due {
                let permit = tokio::select! {
                    p = permits.clone().acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break 'dispatch Stop::Shutdown,
                    },
                    end = stop.as_mut() => break 'dispatch end,
                };
                let term = term.clone();
                workers.spawn(async move {
                    if let Some(lag) = term.queue.started(&key, Timestamp::now()) {
                        term.telemetry.sync_lag.observe(lag.as_secs_f64());
                    }
                    set_queue_depth(&term);
                    let outcome = sync_one(&term, &key).await;
                    term.queue.done(key, outcome, Timestamp::now());
                    drop(permit);
                });
                while workers.try_join_next().is_some() {}
            }
            let wait = term
                .queue
                .next_due()
                .map(|at| {
                    let d = at.duration_since(Timestamp::now());
                    Duration::try_from(d).unwrap_or(Duration::ZERO)
                })
                .unwrap_or(Duration::from_secs(3600));
            tokio::select! {
                end = stop.as_mut() => break end,
                _ = term.queue.changed() => {}
                _ = tokio::time::sleep(wait) => {}
                Some(_) = workers.join_next(), if !workers.is_empty() => {}
            }
        };
        if end == Stop::Lost {
            // another replica may lead now: not one more write from this one (the caller
            // aborts the memory flusher and the informers right after)
            workers.abort_all();
            return end;
        }
        let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
            while workers.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!("syncs still running at stop were abandoned");
            workers.abort_all();
        }
        end
    }
}

fn set_queue_depth(term: &Term) {
    let depth = term.queue.depth(Timestamp::now());
    term.telemetry
        .queue_depth
        .set(i64::try_from(depth).unwrap_or(i64::MAX));
}

async fn wait_stop(mut stop: watch::Receiver<bool>) -> Stop {
    let _ = stop.wait_for(|s| *s).await;
    Stop::Shutdown
}

async fn flush(term: &Term, concurrency: usize, all: bool) {
    let done = term.memory.flush(&term.cluster, concurrency, all).await;
    term.telemetry.memory_writes.inc_by(done.written as u64);
    for _ in 0..done.failed {
        term.telemetry.error("memory");
    }
}

/// Restores an autoscaler's persisted memory if this term has none for it yet.
fn restore_memory(term: &Term, key: &HpaKey) {
    if term.control.memory(key).is_some() {
        return;
    }
    let Some(obj) = term.autoscalers.get(&key.namespace, &key.name) else {
        return;
    };
    if let Some(history) = annotation::read(&obj) {
        tracing::debug!(autoscaler = %key, recommendations = history.recommendations.len(), "restored persisted memory");
        term.control.restore(key.clone(), history.clone());
        term.memory.restored(key.clone(), history);
    }
}

/// One sync of one autoscaler, with its telemetry and logs. An autoscaler deleted while
/// its sync ran is forgotten again afterwards: the deletion's clean-up may have run
/// before this sync recorded its memory and gauges.
async fn sync_one(term: &Term, key: &HpaKey) -> Outcome {
    let _in_flight = term
        .health
        .liveness
        .sync_started(format!("{}/{}", key.namespace, key.name));
    let outcome = sync_and_record(term, key).await;
    if outcome != Outcome::Gone && term.autoscalers.get(&key.namespace, &key.name).is_none() {
        term.control.forget(key);
        term.memory.forget(key);
        term.telemetry.forget(&key.namespace, &key.name);
        return Outcome::Gone;
    }
    outcome
}

async fn sync_and_record(term: &Term, key: &HpaKey) -> Outcome {
    if term.refuse_other_writers
        && let Some(obj) = term.autoscalers.get(&key.namespace, &key.name)
        && let Some(other) = crate::other_writers::other_status_writer(&obj, Timestamp::now())
    {
        // no scale or status write while another controller writes this autoscaler
        tracing::error!(autoscaler = %key, manager = %other.manager, "another controller writes this autoscaler's status: not syncing it");
        term.telemetry.sync("refused", 0.0);
        term.telemetry.error("other_writer");
        let event =
            alpaca_engine::snapshot::Event::warning("AnotherControllerActive", other.message());
        alpaca_loop::ScaleWrite::record_event(term.cluster.as_ref(), key, &event).await;
        return Outcome::Synced;
    }
    term.telemetry.in_flight.inc();
    restore_memory(term, key);
    let started = Instant::now();
    let result = term
        .control
        .sync(term.cluster.as_ref(), key, Timestamp::now())
        .await;
    let seconds = started.elapsed().as_secs_f64();
    term.telemetry.in_flight.dec();
    match result {
        Ok(SyncReport::Deleted(_)) => {
            term.telemetry.sync("deleted", seconds);
            term.memory.forget(key);
            term.telemetry.forget(&key.namespace, &key.name);
            Outcome::Gone
        }
        Ok(SyncReport::Synced {
            snapshot,
            decision,
            status_error,
            metric_reads,
            ..
        }) => {
            crate::telemetry::upstream::observe(
                &term.telemetry,
                &decision,
                status_error.is_some(),
                seconds,
                &metric_reads,
            );
            let own = alpaca_engine::sync_period::of(&snapshot.hpa);
            if let alpaca_engine::sync_period::SyncPeriod::Invalid { source, problem } = &own {
                tracing::warn!(autoscaler = %key, setting = source, problem = %problem, "sync period ignored");
            }
            term.queue.set_period(
                key,
                match own {
                    alpaca_engine::sync_period::SyncPeriod::Own { seconds, .. } => {
                        Some(Duration::from_secs(u64::from(seconds)))
                    }
                    _ => None,
                },
            );
            let spec = term.autoscalers.get(&key.namespace, &key.name);
            let spec = spec.as_ref().and_then(|o| o.data.get("spec"));
            term.memory.mark(
                key.clone(),
                decision.history.clone(),
                spec,
                Timestamp::now(),
            );
            let current = decision.status.current_replicas.unwrap_or_default();
            term.telemetry.replicas(
                &key.namespace,
                &key.name,
                i64::from(current),
                i64::from(decision.desired_replicas),
            );
            if decision.rescale {
                term.telemetry.rescales.inc();
                tracing::info!(autoscaler = %key, from = current, to = decision.desired_replicas, "rescaled");
            }
            if snapshot.errors.update_scale.is_some() {
                term.telemetry.error("scale");
            }
            if !(snapshot.errors.pod_metrics.is_none()
                && snapshot.errors.custom_metrics.is_none()
                && snapshot.errors.external_metrics.is_none())
            {
                term.telemetry.error("metrics");
            }
            tracing::debug!(autoscaler = %key, desired = decision.desired_replicas, explanation = ?decision.explanation, "synced");
            match status_error {
                Some(e) => {
                    term.telemetry.sync("error", seconds);
                    term.telemetry.error("status");
                    tracing::warn!(autoscaler = %key, error = %e, "status write failed");
                    Outcome::Failed
                }
                None => {
                    term.telemetry.sync("success", seconds);
                    Outcome::Synced
                }
            }
        }
        Err(e) => {
            term.telemetry.sync("error", seconds);
            let kind = match e {
                SyncError::ReadHpa { .. } => "read",
                SyncError::Invalid { .. } => {
                    // the HPA's spec is one the engine refuses
                    term.telemetry.reconciliation("none", "spec", seconds);
                    "invalid"
                }
            };
            term.telemetry.error(kind);
            tracing::warn!(autoscaler = %key, error = %e, "sync failed");
            Outcome::Failed
        }
    }
}
