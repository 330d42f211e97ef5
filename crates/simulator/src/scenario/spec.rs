//! The `kind: Simulation` document: how long to run, the controller's flags, the workload
//! model of each Deployment, the metrics pipeline, the load, and timed actions.
//!
//! Every struct refuses unknown fields, so a misspelt key is an error naming it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::units::{Dur, Qty, Seconds};

/// The whole document.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SimulationDoc {
    /// `alpaca.dev/v1alpha1` (optional).
    #[serde(default)]
    pub api_version: Option<String>,
    /// `Simulation`.
    pub kind: String,
    /// Its name (optional; shown in titles).
    #[serde(default)]
    pub metadata: Metadata,
    /// What to simulate.
    pub spec: SimulationSpec,
}

/// A name, and an optional description shown in titles.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// The simulation's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Labels (ignored).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations (ignored).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// What to simulate.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SimulationSpec {
    /// How much simulated time to run.
    pub duration: Dur,
    /// A title for the plot and the summary.
    #[serde(default)]
    pub title: Option<String>,
    /// Seed of every random choice (noise); the default is 1.
    #[serde(default)]
    pub seed: Option<u64>,
    /// The simulation's time step; default 1s.
    #[serde(default)]
    pub step: Option<Dur>,
    /// kube-controller-manager's HPA flags.
    #[serde(default)]
    pub controller: ControllerSpec,
    /// metrics-server and the custom/external metrics adapter.
    #[serde(default)]
    pub metrics_server: MetricsServerSpec,
    /// The custom/external metrics adapter's sampling.
    #[serde(default)]
    pub metrics_adapter: AdapterSpec,
    /// The workload model of each Deployment (Deployments without one get the defaults).
    #[serde(default)]
    pub workloads: Vec<WorkloadSpec>,
    /// Traffic sent to Services.
    #[serde(default)]
    pub load: Vec<LoadSpec>,
    /// Work queues consumed by Deployments.
    #[serde(default)]
    pub queues: Vec<QueueSpec>,
    /// Custom (Pods, Object) and External metrics and where their values come from.
    #[serde(default)]
    pub custom_metrics: Vec<CustomMetricSpec>,
    /// Things that happen at given times.
    #[serde(default)]
    pub actions: Vec<ActionSpec>,
}

/// `--horizontal-pod-autoscaler-*` flags, upstream's defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControllerSpec {
    /// `--horizontal-pod-autoscaler-sync-period` (15s).
    #[serde(default)]
    pub sync_period: Option<Dur>,
    /// `--horizontal-pod-autoscaler-tolerance` (0.1).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// The `HPAScaleToZero` feature gate (true, as in Kubernetes 1.37).
    #[serde(default)]
    pub hpa_scale_to_zero: Option<bool>,
    /// `--horizontal-pod-autoscaler-downscale-stabilization` (5m).
    #[serde(default)]
    pub downscale_stabilization: Option<Dur>,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period` (5m).
    #[serde(default)]
    pub cpu_initialization_period: Option<Dur>,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay` (30s).
    #[serde(default)]
    pub initial_readiness_delay: Option<Dur>,
}

/// metrics-server.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsServerSpec {
    /// `--metric-resolution`: how often pods are scraped (15s). The window of a sample is
    /// the time since the pod's previous scrape (or since its container started).
    #[serde(default)]
    pub resolution: Option<Dur>,
    /// When in each period the scrape happens (0s: on multiples of the resolution).
    #[serde(default)]
    pub offset: Option<Dur>,
}

/// The custom/external metrics adapter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdapterSpec {
    /// How often the adapter's values are refreshed (15s).
    #[serde(default)]
    pub interval: Option<Dur>,
}

/// How one Deployment's pods behave.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadSpec {
    /// The Deployment's name.
    pub deployment: String,
    /// Its namespace (`default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// CPU time one request (or queue message) costs, e.g. `15ms` (10ms).
    #[serde(default)]
    pub cpu_per_request: Option<Seconds>,
    /// CPU a pod uses doing nothing, e.g. `1m` (1m).
    #[serde(default)]
    pub idle_cpu: Option<Qty>,
    /// CPU a pod uses while it starts (Running, not yet Ready), e.g. `500m` (its idle CPU).
    #[serde(default)]
    pub startup_cpu: Option<Qty>,
    /// Memory of an idle pod (32Mi).
    #[serde(default)]
    pub memory: Option<Qty>,
    /// Extra memory per request/s served (0).
    #[serde(default)]
    pub memory_per_rps: Option<Qty>,
    /// Pending → Running: scheduling, image pull, container start (10s).
    #[serde(default)]
    pub startup_time: Option<Dur>,
    /// Running → Ready: until the readiness probe passes (5s).
    #[serde(default)]
    pub readiness_delay: Option<Dur>,
    /// Terminating → gone (the pod's `terminationGracePeriodSeconds`, 30s by default).
    #[serde(default)]
    pub shutdown_time: Option<Dur>,
    /// Where CFS throttling caps a pod's CPU (the containers' CPU limits; none: no cap).
    #[serde(default)]
    pub cpu_limit: Option<Qty>,
}

/// Traffic sent to a Service.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadSpec {
    /// A name for actions and reports.
    pub name: String,
    /// The Service the requests go to.
    pub service: String,
    /// Its namespace (`default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Open loop: requests per second over time.
    #[serde(default)]
    pub rate: Option<RateSpec>,
    /// Closed loop: clients that each send a request, wait for the answer, then think.
    #[serde(default)]
    pub clients: Option<ClientsSpec>,
    /// Relative noise on the rate (0.2: ±20% standard deviation), redrawn every
    /// `noisePeriod`.
    #[serde(default)]
    pub noise: Option<f64>,
    /// How long one noise draw lasts (30s).
    #[serde(default)]
    pub noise_period: Option<Dur>,
    /// Name of the noise sequence (the load's name): loads with the same stream get the
    /// same noise.
    #[serde(default)]
    pub noise_stream: Option<String>,
    /// When it starts (0s).
    #[serde(default)]
    pub start: Option<Dur>,
    /// When it stops (never).
    #[serde(default)]
    pub stop: Option<Dur>,
}

/// Closed-loop clients, like `while sleep 0.01; do wget -q -O- http://php-apache; done`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientsSpec {
    /// How many clients loop at once.
    pub count: u32,
    /// How long each waits between an answer and its next request (`10ms`).
    #[serde(default)]
    pub think_time: Option<Seconds>,
}

/// A rate over time (requests or messages per second).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum RateSpec {
    /// Always the same.
    Constant(Qty),
    /// Piecewise constant: each step holds from its `at` to the next one's.
    Steps(Vec<StepSpec>),
    /// Linear from `from` to `to` between `start` and `start + over`, flat outside.
    Ramp(RampSpec),
    /// `base + amplitude × sin(2π (t - phase) / period)`, never below 0.
    Sine(SineSpec),
    /// A CSV file of `time,rate` rows (time in seconds or a duration), relative to the
    /// scenario file; linear between rows, flat after the last.
    Csv(String),
}

/// One step of a step function.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepSpec {
    /// From when.
    pub at: Dur,
    /// The rate.
    pub rate: Qty,
}

/// A linear ramp.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RampSpec {
    /// The rate before the ramp.
    pub from: Qty,
    /// The rate after it.
    pub to: Qty,
    /// When it begins (0s).
    #[serde(default)]
    pub start: Option<Dur>,
    /// How long it takes.
    pub over: Dur,
}

/// A sine wave.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SineSpec {
    /// The mean.
    pub base: Qty,
    /// The swing above and below the mean.
    pub amplitude: Qty,
    /// One full cycle.
    pub period: Dur,
    /// Shift of the wave (0s).
    #[serde(default)]
    pub phase: Option<Dur>,
}

/// A work queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueueSpec {
    /// Its name (for `queueLength` metric sources).
    pub name: String,
    /// The Deployment whose ready pods consume it.
    pub workers: String,
    /// Its namespace (`default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Messages arriving per second.
    pub arrival: RateSpec,
    /// Relative noise on arrivals, as for load.
    #[serde(default)]
    pub noise: Option<f64>,
    /// How long one noise draw lasts (30s).
    #[serde(default)]
    pub noise_period: Option<Dur>,
    /// Messages waiting at the start (0).
    #[serde(default)]
    pub initial: Option<Qty>,
}

/// A custom or external metric and where its value comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomMetricSpec {
    /// The metric's name as the HPA asks for it.
    pub name: String,
    /// Its namespace (`default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// A Pods metric: one value per pod of this Deployment.
    #[serde(default)]
    pub pods: Option<PodsSourceSpec>,
    /// An Object metric describing this object.
    #[serde(default)]
    pub object: Option<ObjectRefSpec>,
    /// An External metric with these labels.
    #[serde(default)]
    pub external: Option<ExternalSourceSpec>,
    /// Where the value comes from.
    pub value: ValueSpec,
}

/// The pods a Pods metric describes.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodsSourceSpec {
    /// The Deployment whose pods have the metric.
    pub deployment: String,
}

/// The object an Object metric describes.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectRefSpec {
    /// `v1`, `networking.k8s.io/v1`, ...
    #[serde(default)]
    pub api_version: Option<String>,
    /// `Service`, `Ingress`, ...
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// The labels of an External metric's series.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSourceSpec {
    /// The series' labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Where a custom metric's value comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum ValueSpec {
    /// Always this value (until an action sets another).
    Constant(Qty),
    /// Values from given times on.
    Schedule(Vec<ScheduledValue>),
    /// Requests per second served × `factor`: per pod for Pods metrics, for the Service
    /// as a whole for Object and External metrics.
    RequestRate(RequestRateSpec),
    /// The number of messages waiting in a queue.
    QueueLength(String),
}

/// A value from a time on.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduledValue {
    /// From when.
    pub at: Dur,
    /// The value.
    pub value: Qty,
}

/// A function of the load.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestRateSpec {
    /// The Service whose requests count (for Pods metrics: optional, every request the
    /// pod serves).
    #[serde(default)]
    pub service: Option<String>,
    /// Multiplier (1).
    #[serde(default)]
    pub factor: Option<f64>,
}

/// Something that happens at a time. Exactly one of the action fields is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionSpec {
    /// When.
    pub at: Dur,
    /// Start a load (by name).
    #[serde(default)]
    pub start_load: Option<String>,
    /// Stop a load (by name), like Ctrl-C in the load generator's terminal.
    #[serde(default)]
    pub stop_load: Option<String>,
    /// Change a load's open-loop rate.
    #[serde(default)]
    pub set_rate: Option<SetRateSpec>,
    /// Set a custom or external metric's value, like the test adapter's
    /// `curl -X POST .../write-metrics/... --data-raw '"400m"'`.
    #[serde(default)]
    pub set_metric: Option<SetMetricSpec>,
    /// Change an HPA with a JSON merge patch, like `kubectl patch hpa NAME --type=merge`.
    #[serde(default)]
    pub patch_hpa: Option<PatchHpaSpec>,
    /// Scale a Deployment by hand, like `kubectl scale deployment NAME --replicas=N`.
    #[serde(default)]
    pub scale_deployment: Option<ScaleDeploymentSpec>,
    /// Make the external metrics API fail for a metric (by name) until `metricRestored`:
    /// its provider went dark.
    #[serde(default)]
    pub metric_outage: Option<String>,
    /// End a `metricOutage` (by name).
    #[serde(default)]
    pub metric_restored: Option<String>,
}

/// `setRate`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetRateSpec {
    /// The load.
    pub load: String,
    /// Its new rate (times inside it are from the start of the run).
    pub rate: RateSpec,
}

/// `setMetric`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetMetricSpec {
    /// The metric's name.
    pub name: String,
    /// Its new value.
    pub value: Qty,
}

/// `patchHpa`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchHpaSpec {
    /// The HPA's name.
    pub name: String,
    /// Its namespace (`default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// A JSON merge patch (RFC 7386) applied to the HPA as written in the scenario.
    pub patch: serde_json::Value,
}

/// `scaleDeployment`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleDeploymentSpec {
    /// The Deployment's name.
    pub name: String,
    /// Its namespace (`default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// The new replica count.
    pub replicas: i32,
}
