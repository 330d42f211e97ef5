//! Pods as the HPA sees them: selection by the Scale's selector, readiness, and
//! `groupPods`, which sorts them into ready, unready, missing-metrics and ignored.

use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Pod, PodSpec};

use super::PodMetricsInfo;
use crate::pod_record::{ConditionStatus, PodPhase, PodRecord, ReadyCondition};
use crate::time::add_nanos;

/// What the controller reads of one selected pod, extracted once per decision from a
/// `Pod` object or a [`PodRecord`], so that later passes over the pods read a few
/// bytes each instead of walking the objects again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PodView<'a> {
    /// `metadata.name` (empty when it has none).
    pub name: &'a str,
    /// `status.phase`.
    pub phase: PodPhase,
    /// Whether it is being deleted.
    pub deleting: bool,
    /// The `Ready` condition.
    pub ready: Option<ReadyCondition>,
    /// `status.startTime`.
    pub start_time: Option<Timestamp>,
    /// `spec`, when it has one.
    pub spec: Option<&'a PodSpec>,
    /// `metadata.labels` (read again only to tell whether another autoscaler selects it).
    pub labels: Option<&'a BTreeMap<String, String>>,
}

fn parse_phase(phase: &str) -> PodPhase {
    match phase {
        "Pending" => PodPhase::Pending,
        "Running" => PodPhase::Running,
        "Succeeded" => PodPhase::Succeeded,
        "Failed" => PodPhase::Failed,
        _ => PodPhase::Unknown,
    }
}

fn parse_status(status: &str) -> ConditionStatus {
    match status {
        "True" => ConditionStatus::True,
        "False" => ConditionStatus::False,
        _ => ConditionStatus::Unknown,
    }
}

impl<'a> PodView<'a> {
    /// The view of a Pod object.
    pub fn of_pod(pod: &'a Pod) -> Self {
        let status = pod.status.as_ref();
        // `podutil.GetPodReadyCondition`: the first condition of type Ready.
        let ready = status
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
            .map(|c| ReadyCondition {
                status: parse_status(&c.status),
                last_transition: c.last_transition_time.as_ref().map(|t| t.0),
            });
        Self {
            name: pod.metadata.name.as_deref().unwrap_or_default(),
            phase: parse_phase(status.and_then(|s| s.phase.as_deref()).unwrap_or_default()),
            deleting: pod.metadata.deletion_timestamp.is_some(),
            ready,
            start_time: status.and_then(|s| s.start_time.as_ref()).map(|t| t.0),
            spec: pod.spec.as_ref(),
            labels: pod.metadata.labels.as_ref(),
        }
    }

    /// The view of a record.
    pub fn of_record(pod: &'a PodRecord) -> Self {
        Self {
            name: &pod.name,
            phase: pod.phase,
            deleting: pod.deleting,
            ready: pod.ready,
            start_time: pod.start_time,
            spec: Some(&pod.spec),
            labels: Some(&pod.labels),
        }
    }

    /// `podutil.IsPodReady`.
    fn is_ready(&self) -> bool {
        self.ready
            .is_some_and(|c| c.status == ConditionStatus::True)
    }

    /// Counted by `getReadyPodsCount`: Running and Ready.
    pub fn is_running_and_ready(&self) -> bool {
        self.phase == PodPhase::Running && self.is_ready()
    }
}

/// The result of `groupPods`.
#[derive(Debug, Default)]
pub(crate) struct Groups<'a> {
    /// Pods whose metrics count.
    pub ready: usize,
    /// Pending pods, and (for cpu) pods not yet ready or still initializing.
    pub unready: HashSet<&'a str>,
    /// Pods without a metric.
    pub missing: HashSet<&'a str>,
    /// Pods being deleted, and Failed or Succeeded pods.
    pub ignored: HashSet<&'a str>,
}

/// The controller's timing flags that decide whether a cpu sample can be trusted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Readiness {
    /// The controller's clock.
    pub now: Timestamp,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`, nanoseconds.
    pub cpu_initialization_nanos: i64,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay`, nanoseconds.
    pub initial_readiness_nanos: i64,
}

/// `groupPods`: sorts pods by how their samples are treated.
pub(crate) fn group<'a>(
    pods: &[PodView<'a>],
    metrics: &PodMetricsInfo<'_>,
    is_cpu: bool,
    r: Readiness,
) -> Groups<'a> {
    let mut g = Groups::default();
    for pod in pods {
        let pod_name = pod.name;
        if pod.deleting || matches!(pod.phase, PodPhase::Failed | PodPhase::Succeeded) {
            g.ignored.insert(pod_name);
            continue;
        }
        if pod.phase == PodPhase::Pending {
            g.unready.insert(pod_name);
            continue;
        }
        let Some(metric) = metrics.get(pod_name) else {
            g.missing.insert(pod_name);
            continue;
        };
        if is_cpu {
            let unready = match (pod.ready, pod.start_time) {
                (Some(c), Some(start)) => {
                    let transition = c.last_transition.unwrap_or(Timestamp::UNIX_EPOCH);
                    let not_ready = c.status == ConditionStatus::False;
                    if add_nanos(start, r.cpu_initialization_nanos) > r.now {
                        // Still initializing: ignore the sample if the pod is unready, or if one
                        // full metric window has not passed since it became ready.
                        not_ready || metric.timestamp < add_nanos(transition, metric.window_nanos)
                    } else {
                        // Ignore a pod that is unready and has never been ready.
                        not_ready && add_nanos(start, r.initial_readiness_nanos) > transition
                    }
                }
                _ => true,
            };
            if unready {
                g.unready.insert(pod_name);
                continue;
            }
        }
        g.ready += 1;
    }
    g
}
