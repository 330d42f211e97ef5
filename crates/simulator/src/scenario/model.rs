//! The scenario after validation: every name resolved to an index, every duration in
//! milliseconds, every default applied. This is what the simulator runs.

use std::collections::BTreeMap;

use alpaca_engine::snapshot::ControllerConfig;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Container;

use crate::clock::Millis;
use crate::load::rate::Rate;

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The Simulation document's name (or the file's stem).
    pub name: String,
    /// A title for reports.
    pub title: String,
    /// How long to run.
    pub duration: Millis,
    /// The time step.
    pub step: Millis,
    /// Seed of the noise.
    pub seed: u64,
    /// The HPA sync period.
    pub sync_period: Millis,
    /// The controller's other flags.
    pub controller: ControllerConfig,
    /// metrics-server's scrape interval.
    pub metrics_resolution: Millis,
    /// When in the interval metrics-server scrapes.
    pub metrics_offset: Millis,
    /// How often the custom/external metrics adapter refreshes.
    pub adapter_interval: Millis,
    /// Deployments.
    pub deployments: Vec<DeploymentDef>,
    /// Services.
    pub services: Vec<ServiceDef>,
    /// HPAs.
    pub hpas: Vec<HpaDef>,
    /// Load generators.
    pub loads: Vec<LoadDef>,
    /// Work queues.
    pub queues: Vec<QueueDef>,
    /// Custom and external metrics.
    pub metrics: Vec<MetricDef>,
    /// Timed actions, in time order (file order for equal times).
    pub actions: Vec<ActionDef>,
}

/// A Deployment and its workload model.
#[derive(Debug, Clone)]
pub struct DeploymentDef {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// `spec.replicas` at the start.
    pub replicas: i32,
    /// The pod template's labels.
    pub labels: BTreeMap<String, String>,
    /// `spec.selector` as a label selector string (the Scale's `status.selector`).
    pub selector: String,
    /// The pod template's containers (resources are what the HPA reads).
    pub containers: Vec<Container>,
    /// Sum of the containers' CPU requests, cores (0 when a container has none).
    pub cpu_request: f64,
    /// Each container's CPU request, cores (0 when it has none): how metrics-server's
    /// simulated usage is split between containers.
    pub container_cpu_requests: Vec<f64>,
    /// Whether every container requests CPU.
    pub all_request_cpu: bool,
    /// Sum of the containers' CPU limits, cores, when every container has one.
    pub cpu_limit: Option<f64>,
    /// `terminationGracePeriodSeconds` (30s by default).
    pub grace_period: Millis,
    /// How its pods behave.
    pub workload: Workload,
}

/// How a Deployment's pods behave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// CPU seconds per request or message.
    pub cpu_per_request: f64,
    /// Cores used when idle.
    pub idle_cpu: f64,
    /// Cores used while starting (Running, not Ready).
    pub startup_cpu: f64,
    /// Bytes of an idle pod.
    pub memory: f64,
    /// Extra bytes per request/s.
    pub memory_per_rps: f64,
    /// Pending → Running.
    pub startup_time: Millis,
    /// Running → Ready.
    pub readiness_delay: Millis,
    /// Terminating → gone.
    pub shutdown_time: Millis,
    /// Cores at which throttling caps a pod; `None`: no cap.
    pub cpu_cap: Option<f64>,
}

/// A Service.
#[derive(Debug, Clone)]
pub struct ServiceDef {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// The Deployments whose pods it selects.
    pub deployments: Vec<usize>,
}

/// An HPA.
#[derive(Debug, Clone)]
pub struct HpaDef {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// The object as written (`autoscaling/v2`, `v1`, `v2beta2` or `v2beta1`), namespace
    /// filled in.
    pub written: serde_json::Value,
    /// As the API server serves it: `autoscaling/v2`, defaulted.
    pub admitted: HorizontalPodAutoscaler,
    /// A note on how it was read, for a person: set when it is written in a version
    /// current clusters no longer serve (`v2beta2`, `v2beta1`), read as `v2`.
    pub note: Option<String>,
    /// The Deployment it scales.
    pub target: usize,
}

/// A load generator.
#[derive(Debug, Clone)]
pub struct LoadDef {
    /// Name.
    pub name: String,
    /// The Service it sends to.
    pub service: usize,
    /// Open or closed loop.
    pub kind: LoadKind,
    /// Relative noise.
    pub noise: f64,
    /// How long one noise draw lasts.
    pub noise_period: Millis,
    /// Name of its noise sequence.
    pub noise_stream: String,
    /// Start time.
    pub start: Millis,
    /// Stop time, if any.
    pub stop: Option<Millis>,
}

/// Open or closed loop.
#[derive(Debug, Clone)]
pub enum LoadKind {
    /// Requests per second over time.
    Open(Rate),
    /// Clients that wait for each answer.
    Closed {
        /// How many.
        clients: u32,
        /// Think time, seconds.
        think: f64,
    },
}

/// A work queue.
#[derive(Debug, Clone)]
pub struct QueueDef {
    /// Name.
    pub name: String,
    /// The consuming Deployment.
    pub workers: usize,
    /// Arrivals per second.
    pub arrival: Rate,
    /// Relative noise.
    pub noise: f64,
    /// How long one noise draw lasts.
    pub noise_period: Millis,
    /// Messages at the start.
    pub initial: f64,
}

/// A custom or external metric.
#[derive(Debug, Clone)]
pub struct MetricDef {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// What it describes.
    pub target: MetricTarget,
    /// Where the value comes from.
    pub value: MetricValueSource,
}

/// What a custom metric describes.
#[derive(Debug, Clone)]
pub enum MetricTarget {
    /// Each pod of a Deployment.
    Pods(usize),
    /// One object.
    Object {
        /// API group (`""` for core).
        group: String,
        /// Kind.
        kind: String,
        /// Name.
        name: String,
    },
    /// An external series.
    External(BTreeMap<String, String>),
}

/// Where a metric's value comes from.
#[derive(Debug, Clone)]
pub enum MetricValueSource {
    /// Piecewise constant values, `(from, value)`, the first at 0.
    Values(Vec<(Millis, f64)>),
    /// Requests/s served (of a Service, or for Pods metrics optionally any) × factor.
    RequestRate {
        /// The Service.
        service: Option<usize>,
        /// Multiplier.
        factor: f64,
    },
    /// A queue's length.
    QueueLength(usize),
}

/// An action at a time.
#[derive(Debug, Clone)]
pub struct ActionDef {
    /// When.
    pub at: Millis,
    /// What.
    pub what: Action,
}

/// What an action does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Start a load.
    StartLoad(usize),
    /// Stop a load.
    StopLoad(usize),
    /// Replace a load's open-loop rate.
    SetRate(usize, Rate),
    /// Set a metric's value.
    SetMetric(usize, f64),
    /// Replace an HPA's spec (patched and admitted at validation).
    PatchHpa(usize, Box<(serde_json::Value, HorizontalPodAutoscaler)>),
    /// Scale a Deployment.
    ScaleDeployment(usize, i32),
    /// The external metrics API fails (true) or answers again (false) for a metric.
    Outage(usize, bool),
}
