//! One pod's life: Pending → Running (containers started) → Ready (readiness probe
//! passed) → Terminating (deleted, out of the Service at once) → gone after its shutdown
//! time; its CPU counter; and the `core/v1` Pod object the HPA controller lists.

use std::sync::Arc;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Pod, PodCondition, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use crate::clock::{Millis, timestamp};
use alpaca_metrics_api::resource::PodMetrics;

/// Where a pod is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Scheduled; image pulling, containers not started.
    Pending,
    /// Containers running; readiness probe not yet passed.
    Starting,
    /// Ready: an endpoint of its Services.
    Ready,
    /// Deleted: out of the Services, shutting down.
    Terminating,
}

/// A simulated pod.
#[derive(Debug, Clone)]
pub struct SimPod {
    /// Its name.
    pub name: String,
    /// Creation order within its Deployment.
    pub seq: u64,
    /// Created (and, as the kubelet sets it, `status.startTime`).
    pub created: Millis,
    /// Containers start.
    pub running_at: Millis,
    /// Readiness probe passes.
    pub ready_at: Millis,
    /// Deleted at, if it was.
    pub deleted_at: Option<Millis>,
    /// Gone (removed from the API) at, once deleted.
    pub gone_at: Millis,
    /// Current phase.
    pub phase: Phase,
    /// CPU-seconds used up to `mark_t`.
    pub cpu_base: f64,
    /// When `cpu_base` was settled.
    pub mark_t: Millis,
    /// The Deployment's per-ready-pod CPU integral at `mark_t`.
    pub mark_cum: f64,
    /// metrics-server's previous sample: (time, CPU-seconds).
    pub last_sample: Option<(Millis, f64)>,
    /// The Pod object as the API serves it.
    pub object: Arc<Pod>,
    /// metrics-server's latest PodMetrics for it (none before its first scrape).
    pub metrics: Option<Arc<PodMetrics>>,
}

/// The constant CPU rate of a phase other than Ready, cores.
pub fn phase_cpu(phase: Phase, idle: f64, startup: f64) -> f64 {
    match phase {
        Phase::Pending => 0.0,
        Phase::Starting => startup,
        Phase::Ready | Phase::Terminating => idle,
    }
}

impl SimPod {
    /// CPU-seconds used up to `t`, given the Deployment's per-ready-pod integral now.
    pub fn cpu_at(&self, t: Millis, cum_ready: f64, idle: f64, startup: f64) -> f64 {
        match self.phase {
            Phase::Ready => self.cpu_base + (cum_ready - self.mark_cum),
            p => self.cpu_base + phase_cpu(p, idle, startup) * (t - self.mark_t) as f64 / 1000.0,
        }
    }

    /// Moves to `phase` at `t`, settling the CPU counter first.
    pub fn enter(&mut self, phase: Phase, t: Millis, cum_ready: f64, idle: f64, startup: f64) {
        self.cpu_base = self.cpu_at(t, cum_ready, idle, startup);
        self.mark_t = t;
        self.mark_cum = cum_ready;
        self.phase = phase;
        self.refresh_object();
    }

    /// The next time this pod changes by itself.
    pub fn next_change(&self) -> Option<Millis> {
        match self.phase {
            Phase::Pending => Some(self.running_at),
            Phase::Starting => Some(self.ready_at),
            Phase::Ready => None,
            Phase::Terminating => Some(self.gone_at),
        }
    }

    /// Whether the containers have started (metrics-server can scrape it).
    pub fn started(&self) -> bool {
        self.phase != Phase::Pending
    }

    /// Rebuilds the status of the Pod object from the phase.
    pub fn refresh_object(&mut self) {
        let running = self.phase != Phase::Pending;
        let was_ready = match self.phase {
            Phase::Ready => true,
            Phase::Terminating => self.deleted_at.is_some_and(|d| d >= self.ready_at),
            _ => false,
        };
        let ready_transition = if was_ready {
            self.ready_at
        } else {
            self.created
        };
        let ready_status = if was_ready { "True" } else { "False" };
        // Shared with Snapshots only during a sync; copied here only if one still holds it.
        let object = Arc::make_mut(&mut self.object);
        if let Some(d) = self.deleted_at {
            object.metadata.deletion_timestamp = Some(Time(timestamp(self.gone_at.max(d))));
        }
        let status = object.status.get_or_insert_with(PodStatus::default);
        status.phase = Some(if running { "Running" } else { "Pending" }.into());
        // Only the condition the HPA controller reads (PodScheduled etc. are left out to
        // keep the objects it lists every sync small).
        status.conditions = Some(vec![PodCondition {
            type_: "Ready".into(),
            status: ready_status.into(),
            last_transition_time: Some(Time(timestamp(ready_transition))),
            reason: (!was_ready).then(|| "ContainersNotReady".to_string()),
            ..PodCondition::default()
        }]);
    }
}

/// What a new pod is made from.
pub struct Template<'a> {
    /// Namespace.
    pub namespace: &'a str,
    /// Labels, `pod-template-hash` included.
    pub labels: &'a BTreeMap<String, String>,
    /// Containers.
    pub containers: &'a [Container],
    /// Pending → Running.
    pub startup_time: Millis,
    /// Running → Ready.
    pub readiness_delay: Millis,
}

/// A new Pending pod created at `t`.
pub fn create(name: String, seq: u64, t: Millis, tpl: &Template<'_>) -> SimPod {
    let running_at = t + tpl.startup_time;
    let object = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(tpl.namespace.to_string()),
            labels: Some(tpl.labels.clone()),
            creation_timestamp: Some(Time(timestamp(t))),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers: tpl.containers.to_vec(),
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            start_time: Some(Time(timestamp(t))),
            ..PodStatus::default()
        }),
    };
    let mut pod = SimPod {
        name,
        seq,
        created: t,
        running_at,
        ready_at: running_at + tpl.readiness_delay,
        deleted_at: None,
        gone_at: Millis::MAX,
        phase: Phase::Pending,
        cpu_base: 0.0,
        mark_t: t,
        mark_cum: 0.0,
        last_sample: None,
        object: Arc::new(object),
        metrics: None,
    };
    pod.refresh_object();
    pod
}
