//! Pods as compact records: what the HPA controller reads of a pod and of its
//! `metrics.k8s.io` PodMetrics, without the rest of the Kubernetes objects.
//!
//! A shell that keeps its pods this way (the simulator) hands them to `decide` in
//! [`Snapshot::pod_records`](crate::Snapshot::pod_records) instead of building `Pod` and
//! `PodMetrics` objects for every sync. Labels and specs are shared (`Arc`) between the
//! pods of one template, so a fleet of pods stays small and close together in memory.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::PodSpec;

/// `status.phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodPhase {
    /// `Pending`.
    Pending,
    /// `Running`.
    Running,
    /// `Succeeded`.
    Succeeded,
    /// `Failed`.
    Failed,
    /// `Unknown`, or no phase.
    Unknown,
}

/// A condition's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionStatus {
    /// `True`.
    True,
    /// `False`.
    False,
    /// `Unknown` (or anything else).
    Unknown,
}

/// The pod's `Ready` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadyCondition {
    /// Its status.
    pub status: ConditionStatus,
    /// `lastTransitionTime`.
    pub last_transition: Option<Timestamp>,
}

/// One container's usage in the pod's PodMetrics, in milli-units (the quantity's
/// `MilliValue`); `None` when the usage has no such resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUsage {
    /// The container's name.
    pub name: Arc<str>,
    /// `usage.cpu`.
    pub cpu_milli: Option<i64>,
    /// `usage.memory`.
    pub memory_milli: Option<i64>,
}

/// The pod's PodMetrics (labels and namespace are the pod's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodUsage {
    /// `timestamp`.
    pub timestamp: Timestamp,
    /// `window`, nanoseconds.
    pub window_nanos: i64,
    /// `containers`, in order.
    pub containers: Vec<ContainerUsage>,
}

impl PodUsage {
    /// A resource's usage by one container, milli-units.
    pub fn of(c: &ContainerUsage, resource: &str) -> Option<i64> {
        match resource {
            "cpu" => c.cpu_milli,
            "memory" => c.memory_milli,
            _ => None,
        }
    }
}

/// One pod as the HPA controller reads it, with its resource metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRecord {
    /// `metadata.name`.
    pub name: Arc<str>,
    /// `metadata.namespace`.
    pub namespace: Arc<str>,
    /// `metadata.labels`.
    pub labels: Arc<BTreeMap<String, String>>,
    /// Whether `metadata.deletionTimestamp` is set.
    pub deleting: bool,
    /// `status.phase`.
    pub phase: PodPhase,
    /// The `Ready` condition, if the pod has one.
    pub ready: Option<ReadyCondition>,
    /// `status.startTime`.
    pub start_time: Option<Timestamp>,
    /// `spec` (its containers' requests are what the controller reads).
    pub spec: Arc<PodSpec>,
    /// Its PodMetrics; `None` when the resource metrics API has none for it.
    pub usage: Option<PodUsage>,
}
