//! One pod's life: Pending → Running (containers started) → Ready (readiness probe
//! passed) → Terminating (deleted, out of the Service at once) → gone after its shutdown
//! time; its CPU counter; and what the HPA controller reads of it: a compact record
//! (the `core/v1` Pod object and its PodMetrics are built from it only when asked for).

use std::collections::BTreeMap;
use std::sync::Arc;

use alpaca_engine::pod_record::{ConditionStatus, PodPhase, PodRecord, PodUsage, ReadyCondition};
use alpaca_metrics_api::GoDuration;
use alpaca_metrics_api::resource::{ContainerMetrics, PodMetrics};
use k8s_openapi::api::core::v1::{Pod, PodCondition, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use crate::clock::{Millis, timestamp};

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
    /// What the HPA controller reads of the Pod and of metrics-server's latest PodMetrics
    /// for it (no usage before its first scrape).
    pub record: Arc<PodRecord>,
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

    /// Whether the pod has been Ready (its `Ready` condition is true, or was when it was
    /// deleted).
    fn was_ready(&self) -> bool {
        match self.phase {
            Phase::Ready => true,
            Phase::Terminating => self.deleted_at.is_some_and(|d| d >= self.ready_at),
            _ => false,
        }
    }

    /// The `Ready` condition's last transition.
    fn ready_transition(&self) -> Millis {
        if self.was_ready() {
            self.ready_at
        } else {
            self.created
        }
    }

    /// Rewrites the record's status from the phase.
    pub fn refresh_object(&mut self) {
        let running = self.phase != Phase::Pending;
        let was_ready = self.was_ready();
        let transition = self.ready_transition();
        // Shared with Snapshots only during a sync; copied here only if one still holds it.
        let record = Arc::make_mut(&mut self.record);
        record.deleting = self.deleted_at.is_some();
        record.phase = if running {
            PodPhase::Running
        } else {
            PodPhase::Pending
        };
        record.ready = Some(ReadyCondition {
            status: if was_ready {
                ConditionStatus::True
            } else {
                ConditionStatus::False
            },
            last_transition: Some(timestamp(transition)),
        });
    }

    /// The Pod object as the API serves it.
    pub fn object(&self) -> Pod {
        let r = &self.record;
        let was_ready = self.was_ready();
        Pod {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                namespace: Some(r.namespace.to_string()),
                labels: Some((*r.labels).clone()),
                creation_timestamp: Some(Time(timestamp(self.created))),
                deletion_timestamp: self
                    .deleted_at
                    .map(|d| Time(timestamp(self.gone_at.max(d)))),
                ..ObjectMeta::default()
            },
            spec: Some((*r.spec).clone()),
            status: Some(PodStatus {
                start_time: Some(Time(timestamp(self.created))),
                phase: Some(
                    if self.phase == Phase::Pending {
                        "Pending"
                    } else {
                        "Running"
                    }
                    .into(),
                ),
                // Only the condition the HPA controller reads (PodScheduled etc. are left
                // out).
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: if was_ready { "True" } else { "False" }.into(),
                    last_transition_time: Some(Time(timestamp(self.ready_transition()))),
                    reason: (!was_ready).then(|| "ContainersNotReady".to_string()),
                    ..PodCondition::default()
                }]),
                ..PodStatus::default()
            }),
        }
    }

    /// metrics-server's latest PodMetrics for the pod (none before its first scrape):
    /// cpu in millicores, memory in KiB.
    pub fn pod_metrics(&self) -> Option<PodMetrics> {
        let r = &self.record;
        let usage = r.usage.as_ref()?;
        let quantity = |milli: i64, binary: bool| {
            let text = if binary {
                format!("{}Ki", milli / 1_024_000)
            } else {
                format!("{milli}m")
            };
            Quantity(text)
        };
        let containers = usage
            .containers
            .iter()
            .map(|c| {
                let mut usage = BTreeMap::new();
                if let Some(v) = c.cpu_milli {
                    usage.insert("cpu".to_string(), quantity(v, false));
                }
                if let Some(v) = c.memory_milli {
                    usage.insert("memory".to_string(), quantity(v, true));
                }
                ContainerMetrics {
                    name: c.name.to_string(),
                    usage,
                }
            })
            .collect();
        Some(PodMetrics {
            api_version: alpaca_metrics_api::resource::API_VERSION.into(),
            kind: "PodMetrics".into(),
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                namespace: Some(r.namespace.to_string()),
                labels: Some((*r.labels).clone()),
                ..ObjectMeta::default()
            },
            timestamp: Time(usage.timestamp),
            window: GoDuration::from_nanos(usage.window_nanos),
            containers,
        })
    }

    /// Sets metrics-server's reading: per container, cpu in nanocores and memory in KiB,
    /// as the quantities `{n}n` and `{k}Ki` would read (their `MilliValue`).
    pub fn set_usage(
        &mut self,
        t: Millis,
        window: Millis,
        containers: &[Arc<str>],
        mut usage: impl FnMut(usize) -> (i64, i64),
    ) {
        let record = Arc::make_mut(&mut self.record);
        let u = record.usage.get_or_insert_with(|| PodUsage {
            timestamp: timestamp(t),
            window_nanos: 0,
            containers: containers
                .iter()
                .map(|name| alpaca_engine::pod_record::ContainerUsage {
                    name: name.clone(),
                    cpu_milli: None,
                    memory_milli: None,
                })
                .collect(),
        });
        u.timestamp = timestamp(t);
        u.window_nanos = window.saturating_mul(1_000_000);
        for (i, c) in u.containers.iter_mut().enumerate() {
            let (cpu_nanos, mem_kib) = usage(i);
            c.cpu_milli = Some(nanos_to_milli(cpu_nanos));
            c.memory_milli = Some(mem_kib.saturating_mul(1_024_000));
        }
    }
}

/// `MilliValue` of the quantity `{n}n`: rounded up (away from zero).
pub fn nanos_to_milli(n: i64) -> i64 {
    let q = n / 1_000_000;
    if n % 1_000_000 > 0 {
        q + 1
    } else if n % 1_000_000 < 0 {
        q - 1
    } else {
        q
    }
}

/// What a new pod is made from.
pub struct Template<'a> {
    /// Namespace.
    pub namespace: &'a Arc<str>,
    /// Labels, `pod-template-hash` included.
    pub labels: &'a Arc<BTreeMap<String, String>>,
    /// The pod spec (its containers).
    pub spec: &'a Arc<PodSpec>,
    /// Pending → Running.
    pub startup_time: Millis,
    /// Running → Ready.
    pub readiness_delay: Millis,
}

/// A new Pending pod created at `t`.
pub fn create(name: String, seq: u64, t: Millis, tpl: &Template<'_>) -> SimPod {
    let running_at = t + tpl.startup_time;
    let record = PodRecord {
        name: name.as_str().into(),
        namespace: tpl.namespace.clone(),
        labels: tpl.labels.clone(),
        deleting: false,
        phase: PodPhase::Pending,
        ready: None,
        start_time: Some(timestamp(t)),
        spec: tpl.spec.clone(),
        usage: None,
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
        record: Arc::new(record),
    };
    pod.refresh_object();
    pod
}

#[cfg(test)]
mod tests {
    use super::*;
    use alpaca_quantity::Quantity as Q;

    #[test]
    fn usage_in_milli_units_is_what_the_quantities_would_read() {
        let mut values = vec![
            0i64,
            1,
            999_999,
            1_000_000,
            1_000_001,
            123_456_789,
            i64::MAX,
        ];
        values.extend((0..2_000).map(|i| i * 7_919 * 977));
        for n in values {
            assert_eq!(
                nanos_to_milli(n),
                Q::parse_milli_value(&format!("{n}n")).unwrap(),
                "{n}n"
            );
            assert_eq!(
                nanos_to_milli(-n),
                Q::parse_milli_value(&format!("-{n}n")).unwrap(),
                "-{n}n"
            );
        }
        for k in [0i64, 1, 4, 131_072, 1 << 30] {
            assert_eq!(
                k * 1_024_000,
                Q::parse_milli_value(&format!("{k}Ki")).unwrap(),
                "{k}Ki"
            );
        }
    }
}
