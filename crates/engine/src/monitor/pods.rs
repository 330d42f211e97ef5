//! Pods as the HPA sees them: selection by the Scale's selector, readiness, and
//! `groupPods`, which sorts them into ready, unready, missing-metrics and ignored.

use rustc_hash::FxHashSet as HashSet;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Pod, PodCondition};

use super::PodMetricsInfo;
use crate::time::add_nanos;

/// A pod's name (pods without one are never selected).
pub(crate) fn name(pod: &Pod) -> &str {
    pod.metadata.name.as_deref().unwrap_or_default()
}

fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

/// The pod's `Ready` condition.
fn ready_condition(pod: &Pod) -> Option<&PodCondition> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
}

/// `podutil.IsPodReady`.
pub(crate) fn is_ready(pod: &Pod) -> bool {
    ready_condition(pod).is_some_and(|c| c.status == "True")
}

/// Counted by `getReadyPodsCount`: Running and Ready.
pub(crate) fn is_running_and_ready(pod: &Pod) -> bool {
    phase(pod) == "Running" && is_ready(pod)
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
    pods: &[&'a Pod],
    metrics: &PodMetricsInfo<'_>,
    is_cpu: bool,
    r: Readiness,
) -> Groups<'a> {
    let mut g = Groups::default();
    for pod in pods {
        let pod_name = name(pod);
        let phase = phase(pod);
        if pod.metadata.deletion_timestamp.is_some() || phase == "Failed" || phase == "Succeeded" {
            g.ignored.insert(pod_name);
            continue;
        }
        if phase == "Pending" {
            g.unready.insert(pod_name);
            continue;
        }
        let Some(metric) = metrics.get(pod_name) else {
            g.missing.insert(pod_name);
            continue;
        };
        if is_cpu {
            let condition = ready_condition(pod);
            let start = pod.status.as_ref().and_then(|s| s.start_time.as_ref());
            let unready = match (condition, start) {
                (Some(c), Some(start)) => {
                    let transition = c
                        .last_transition_time
                        .as_ref()
                        .map_or(Timestamp::UNIX_EPOCH, |t| t.0);
                    if add_nanos(start.0, r.cpu_initialization_nanos) > r.now {
                        // Still initializing: ignore the sample if the pod is unready, or if one
                        // full metric window has not passed since it became ready.
                        c.status == "False"
                            || metric.timestamp < add_nanos(transition, metric.window_nanos)
                    } else {
                        // Ignore a pod that is unready and has never been ready.
                        c.status == "False"
                            && add_nanos(start.0, r.initial_readiness_nanos) > transition
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
