//! One sync of one HPA through the four phases, and the memory the controller keeps
//! between syncs.
//!
//! Monitor reads the cluster into a Snapshot; analyze and plan are the engine's `decide`;
//! execute writes the scale, the status and the events. When the scale write fails, the
//! Snapshot is decided again with that failure in it, so the status and events say exactly
//! what upstream's would.

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alpaca_engine::snapshot::{ApiErrors, ControllerConfig, Decision, History, Snapshot};
use jiff::Timestamp;
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::cluster::{ClusterRead, HpaKey, ScaleWrite};

/// Why a sync produced no Decision.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Reading the HPA itself failed.
    #[error("reading HPA {key}: {message}")]
    ReadHpa {
        /// The HPA.
        key: HpaKey,
        /// The API's message.
        message: String,
    },
    /// The HPA is one the engine refuses (the API server would have rejected it).
    #[error("HPA {key} is invalid: {source}")]
    Invalid {
        /// The HPA.
        key: HpaKey,
        /// What is wrong.
        #[source]
        source: alpaca_engine::InvalidSnapshot,
    },
}

/// What one sync did.
#[derive(Debug)]
pub enum SyncReport {
    /// The HPA no longer exists; its memory was dropped.
    Deleted(HpaKey),
    /// The HPA was synced.
    Synced {
        /// The HPA.
        key: HpaKey,
        /// What the cluster looked like.
        snapshot: Box<Snapshot>,
        /// What the controller decided and wrote.
        decision: Box<Decision>,
        /// Whether the status write failed (the message).
        status_error: Option<String>,
        /// How long the metrics API read behind each of the spec's metrics took, in the
        /// spec's order (empty when the sync read no metrics). Resource and
        /// ContainerResource metrics share one `metrics.k8s.io` read, and each reports it.
        metric_reads: Vec<Duration>,
    },
}

/// The controller's loop state: flags and per-HPA memory.
#[derive(Debug, Default)]
pub struct ControlLoop {
    config: ControllerConfig,
    explain: bool,
    memory: Mutex<HashMap<HpaKey, History>>,
    selectors: crate::selectors::Selectors,
}

impl ControlLoop {
    /// A loop with kube-controller-manager's flags.
    pub fn new(config: ControllerConfig) -> Self {
        Self {
            config,
            explain: false,
            memory: Mutex::new(HashMap::default()),
            selectors: crate::selectors::Selectors::default(),
        }
    }

    /// Whether each Decision carries its explanation (off by default: the loop decides
    /// faster without it, and any sync can be explained later from its Snapshot).
    pub fn with_explanations(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// The flags.
    pub fn config(&self) -> &ControllerConfig {
        &self.config
    }

    /// The memory kept for an HPA (to persist it).
    pub fn memory(&self, key: &HpaKey) -> Option<History> {
        self.lock().get(key).cloned()
    }

    /// Restores memory for an HPA (after a restart or a leader change).
    pub fn restore(&self, key: HpaKey, history: History) {
        self.lock().insert(key, history);
    }

    /// Forgets an HPA.
    pub fn forget(&self, key: &HpaKey) {
        self.lock().remove(key);
        self.selectors.forget(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<HpaKey, History>> {
        self.memory
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Monitor: reads everything one sync of this HPA needs into a Snapshot.
    pub async fn observe<C: ClusterRead>(
        &self,
        cluster: &C,
        key: &HpaKey,
        hpa: &HorizontalPodAutoscaler,
        now: Timestamp,
    ) -> Result<Snapshot, SyncError> {
        self.observe_owned(cluster, key, Arc::new(hpa.clone()), now)
            .await
            .map(|(snapshot, _)| snapshot)
    }

    /// [`ControlLoop::observe`], keeping the HPA it is given (no copy).
    async fn observe_owned<C: ClusterRead>(
        &self,
        cluster: &C,
        key: &HpaKey,
        hpa: Arc<HorizontalPodAutoscaler>,
        now: Timestamp,
    ) -> Result<(Snapshot, Vec<Duration>), SyncError> {
        let ns = key.namespace.as_str();
        let mut reads = Vec::new();
        let mut errors = ApiErrors::default();
        let target = &hpa.spec.scale_target_ref;
        let mut custom_kinds = Vec::new();
        let scale = match cluster.scale(ns, target).await {
            Ok(s) => {
                // The shell found this kind's scale through discovery: a custom resource
                // the REST mapper knows, though it is in no built-in API group.
                let group = target
                    .api_version
                    .as_deref()
                    .and_then(|v| v.split_once('/'))
                    .map_or("", |(g, _)| g);
                if s.is_some() && !alpaca_engine::is_built_in_kind(group, &target.kind) {
                    custom_kinds.push(alpaca_engine::snapshot::GroupKind {
                        group: group.to_string(),
                        kind: target.kind.clone(),
                    });
                }
                s
            }
            Err(e) => {
                errors.scale = Some(e);
                None
            }
        };
        let selector = scale
            .as_ref()
            .and_then(|s| s.status.as_ref())
            .and_then(|s| s.selector.clone())
            .unwrap_or_default();
        let mut snapshot = Snapshot {
            kind: "Snapshot".into(),
            now: Time(now),
            controller: self.config,
            // Filled in at the end, once the metric specs have been read.
            hpa: alpaca_engine::HpaObject::V2(Arc::default()),
            scale,
            pods: Vec::new(),
            pod_metrics: Vec::new(),
            pod_records: None,
            scale_selector: None,
            custom_metrics: Vec::new(),
            external_metrics: Vec::new(),
            errors,
            custom_kinds,
            autoscaler_selectors: Vec::new(),
            history: self.memory(key),
        };
        if snapshot.scale.is_none() || selector.is_empty() {
            snapshot.hpa = hpa.into();
            return Ok((snapshot, reads));
        }
        snapshot.scale_selector = self.selectors.put(key, &selector);
        let mut resource_read = None;
        // A shell with compact records answers the pod list and the resource metrics in
        // one read; a failed read is the resource metrics API's error, as a failed
        // PodMetrics list would be.
        let mut records_error = None;
        match cluster.pod_records(ns, &selector).await {
            Some(Ok(records)) => snapshot.pod_records = Some(records),
            Some(Err(e)) => {
                snapshot.pod_records = Some(Vec::new());
                records_error = Some(e);
            }
            None => snapshot.pods = cluster.pods(ns, &selector).await.unwrap_or_default(),
        }
        snapshot.autoscaler_selectors = match &snapshot.pod_records {
            Some(records) => self.selectors.overlapping_records(key, records),
            None => self.selectors.overlapping(
                key,
                snapshot.pods.iter().map(|p| p.metadata.labels.as_ref()),
            ),
        };
        // An HPA without metrics gets the API server's default cpu metric.
        let default_metrics = [k8s_openapi::api::autoscaling::v2::MetricSpec {
            type_: "Resource".into(),
            ..Default::default()
        }];
        let metrics = match hpa.spec.metrics.as_deref() {
            Some(m) if !m.is_empty() => m,
            _ => &default_metrics,
        };
        for m in metrics {
            let started = Instant::now();
            match m.type_.as_str() {
                "Resource" | "ContainerResource"
                    if resource_read.is_none() && snapshot.pod_records.is_some() =>
                {
                    if let Some(e) = records_error.take() {
                        snapshot.errors.pod_metrics.get_or_insert(e);
                    }
                    resource_read = Some(started.elapsed());
                }
                "Resource" | "ContainerResource" if resource_read.is_none() => {
                    match cluster.pod_metrics(ns, &selector).await {
                        Ok(items) => snapshot.pod_metrics = items,
                        Err(e) => {
                            snapshot.errors.pod_metrics.get_or_insert(e);
                        }
                    }
                    resource_read = Some(started.elapsed());
                }
                "Resource" | "ContainerResource" => {
                    reads.push(resource_read.unwrap_or_default());
                    continue;
                }
                "Pods" => {
                    if let Some(p) = &m.pods {
                        match cluster.pods_metric(ns, &selector, &p.metric).await {
                            Ok(items) => snapshot.custom_metrics.extend(items),
                            Err(e) => {
                                snapshot.errors.custom_metrics.get_or_insert(e);
                            }
                        }
                    }
                }
                "Object" => {
                    if let Some(o) = &m.object {
                        match cluster
                            .object_metric(ns, &o.described_object, &o.metric)
                            .await
                        {
                            Ok(items) => snapshot.custom_metrics.extend(items),
                            Err(e) => {
                                snapshot.errors.custom_metrics.get_or_insert(e);
                            }
                        }
                    }
                }
                "External" => {
                    if let Some(x) = &m.external {
                        match cluster.external_metric(ns, &x.metric).await {
                            Ok(items) => snapshot.external_metrics.extend(items),
                            Err(e) => {
                                snapshot.errors.external_metrics.get_or_insert(e);
                            }
                        }
                    }
                }
                _ => {}
            }
            reads.push(started.elapsed());
        }
        snapshot.hpa = hpa.into();
        Ok((snapshot, reads))
    }

    /// One whole sync: monitor, analyze, plan, execute; then remember the new memory.
    pub async fn sync<C: ClusterRead + ScaleWrite>(
        &self,
        cluster: &C,
        key: &HpaKey,
        now: Timestamp,
    ) -> Result<SyncReport, SyncError> {
        let hpa = match cluster.hpa(key).await {
            Ok(Some(hpa)) => hpa,
            Ok(None) => {
                self.forget(key);
                return Ok(SyncReport::Deleted(key.clone()));
            }
            Err(message) => {
                return Err(SyncError::ReadHpa {
                    key: key.clone(),
                    message,
                });
            }
        };
        // Shared with the Snapshot: its target and old status, without copies.
        let (mut snapshot, metric_reads) =
            self.observe_owned(cluster, key, hpa.clone(), now).await?;
        let invalid = |source| SyncError::Invalid {
            key: key.clone(),
            source,
        };
        let options = alpaca_engine::Options {
            explain: self.explain,
        };
        let mut decision = alpaca_engine::decide_with(&snapshot, options).map_err(invalid)?;
        if decision.rescale
            && let Err(e) = cluster
                .update_scale(
                    &key.namespace,
                    &hpa.spec.scale_target_ref,
                    decision.desired_replicas,
                )
                .await
        {
            snapshot.errors.update_scale = Some(e);
            decision = alpaca_engine::decide_with(&snapshot, options).map_err(invalid)?;
        }
        let mut status_error = None;
        let unchanged = match &hpa.status {
            Some(old) => *old == decision.status,
            None => HorizontalPodAutoscalerStatus::default() == decision.status,
        };
        let external_fallback = if decision.history.external_fallback.is_empty() {
            Vec::new()
        } else {
            alpaca_engine::external_fallback_statuses(
                &hpa,
                &decision.history,
                snapshot.now.0,
                decision.status.current_replicas.unwrap_or(0),
            )
        };
        if !unchanged
            && let Err(e) = cluster
                .update_status(key, &decision.status, &external_fallback)
                .await
        {
            let event = alpaca_engine::snapshot::Event::warning("FailedUpdateStatus", e.clone());
            cluster.record_event(key, &event).await;
            status_error = Some(e);
        }
        for event in &decision.events {
            cluster.record_event(key, event).await;
        }
        let history = decision.history.clone();
        let mut memory = self.lock();
        match memory.get_mut(key) {
            Some(kept) => *kept = history,
            None => {
                memory.insert(key.clone(), history);
            }
        }
        drop(memory);
        Ok(SyncReport::Synced {
            key: key.clone(),
            snapshot: Box::new(snapshot),
            decision: Box::new(decision),
            status_error,
            metric_reads,
        })
    }
}
