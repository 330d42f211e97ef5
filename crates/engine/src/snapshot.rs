//! The Snapshot and Decision types of `shared/spec/snapshot.md`: everything one sync of one
//! HPA reads, and everything it produces.

use alpaca_metrics_api::GoDuration;
use alpaca_metrics_api::custom::v1beta2::MetricValue;
use alpaca_metrics_api::external::ExternalMetricValue;
use alpaca_metrics_api::resource::PodMetrics;
use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerStatus;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::hpa_object::HpaObject;

/// Everything the upstream HPA controller reads during one `reconcileAutoscaler` call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// Always `Snapshot`.
    pub kind: String,
    /// The controller's clock for this sync.
    pub now: Time,
    /// The kube-controller-manager flags.
    #[serde(default)]
    pub controller: ControllerConfig,
    /// The HPA as written: `autoscaling/v2`, or `autoscaling/v1`, `v2beta2` or `v2beta1`
    /// (converted on use).
    pub hpa: HpaObject,
    /// The target's scale subresource; `None` when the target does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// Pods in the HPA's namespace (shared, so a shell hands out its cache without copying).
    #[serde(default)]
    pub pods: Vec<Arc<Pod>>,
    /// The resource metrics API's PodMetrics in the namespace (shared likewise).
    #[serde(default)]
    pub pod_metrics: Vec<Arc<PodMetrics>>,
    /// The pods and their PodMetrics as compact records, from a shell that keeps them that
    /// way (the simulator). When set, `decide` reads these instead of `pods` and
    /// `podMetrics`, and decides exactly as it would from the objects they stand for. Not
    /// serialized: a Snapshot file carries the objects.
    #[serde(skip)]
    pub pod_records: Option<Vec<Arc<crate::pod_record::PodRecord>>>,
    /// The scale's `status.selector` already parsed, from a controller loop that keeps
    /// every autoscaler's parsed selector anyway. Used only when its text is exactly the
    /// scale's selector (otherwise `decide` parses that, as without it). Not serialized.
    #[serde(skip)]
    pub scale_selector: Option<Arc<ParsedSelector>>,
    /// What the custom metrics API knows.
    #[serde(default)]
    pub custom_metrics: Vec<MetricValue>,
    /// What the external metrics API knows.
    #[serde(default)]
    pub external_metrics: Vec<ExternalMetricValue>,
    /// API calls made to fail, with their error messages.
    #[serde(default, skip_serializing_if = "ApiErrors::is_empty")]
    pub errors: ApiErrors,
    /// Kinds the controller's REST mapper knows besides the built-in API groups' (custom
    /// resources with a scale subresource, as discovery found them). An Alpaca extension:
    /// without it, a custom resource target fails as upstream fails for an unknown kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_kinds: Vec<GroupKind>,
    /// The other autoscalers of the HPA's namespace and the selector each one's last sync
    /// found on its target's scale (upstream's `hpaSelectors`). An Alpaca extension, filled
    /// by the controller loop: when one of them selects a pod this HPA's selector selects,
    /// the sync fails with upstream's `AmbiguousSelector`. Without it, no ambiguity is seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub autoscaler_selectors: Vec<AutoscalerSelector>,
    /// The controller's memory of this HPA; `None` before its first sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

/// A label selector's text and its parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSelector {
    /// The selector as written (a scale's `status.selector`).
    pub text: String,
    /// `text` parsed.
    pub selector: crate::selector::Selector,
}

/// Another autoscaler of the namespace and the label selector of its target's pods.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoscalerSelector {
    /// The autoscaler's name.
    pub name: String,
    /// Its target's `status.selector`, as its last sync read it.
    pub selector: String,
}

/// An API group and a kind in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupKind {
    /// The API group (`example.com`; empty for the core group).
    #[serde(default)]
    pub group: String,
    /// The kind (`Widget`).
    pub kind: String,
}

/// kube-controller-manager's `--horizontal-pod-autoscaler-*` flags.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControllerConfig {
    /// `--horizontal-pod-autoscaler-tolerance`.
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`.
    #[serde(default = "default_cpu_initialization_period")]
    pub cpu_initialization_period: GoDuration,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay`.
    #[serde(default = "default_initial_readiness_delay")]
    pub initial_readiness_delay: GoDuration,
    /// `--horizontal-pod-autoscaler-downscale-stabilization`.
    #[serde(default = "default_downscale_stabilization")]
    pub downscale_stabilization_window: GoDuration,
    /// The `HPAScaleToZero` feature gate (KEP-2021; beta and on by default in Kubernetes
    /// 1.37): `minReplicas: 0` with an Object or External metric, the `ScaledToZero`
    /// condition, and scaling up from zero when that condition is True.
    ///
    /// Absent means off: the contract's vectors come from kube-controller-managers where
    /// the gate was alpha and off, and with it on every rescale adds a `ScaledToZero`
    /// condition they do not have. The Alpaca controller and simulator set it (upstream
    /// 1.37's default) unless told not to. An Alpaca extension (`hpaScaleToZero`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub hpa_scale_to_zero: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            tolerance: default_tolerance(),
            cpu_initialization_period: default_cpu_initialization_period(),
            initial_readiness_delay: default_initial_readiness_delay(),
            downscale_stabilization_window: default_downscale_stabilization(),
            hpa_scale_to_zero: false,
        }
    }
}

impl ControllerConfig {
    /// Upstream 1.37's defaults: the flags' defaults with `HPAScaleToZero` on.
    pub fn kubernetes_1_37() -> Self {
        Self {
            hpa_scale_to_zero: true,
            ..Self::default()
        }
    }
}

fn default_tolerance() -> f64 {
    0.1
}
fn default_cpu_initialization_period() -> GoDuration {
    GoDuration::from_secs(300)
}
fn default_initial_readiness_delay() -> GoDuration {
    GoDuration::from_secs(30)
}
fn default_downscale_stabilization() -> GoDuration {
    GoDuration::from_secs(300)
}

/// API calls that fail in this sync, each with the error message the API answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiErrors {
    /// GET of the scale subresource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
    /// The resource metrics API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_metrics: Option<String>,
    /// The custom metrics API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_metrics: Option<String>,
    /// The external metrics API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_metrics: Option<String>,
    /// PUT of the scale subresource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_scale: Option<String>,
}

impl ApiErrors {
    /// No call fails.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The controller's in-memory state for one HPA, kept between syncs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct History {
    /// Unstabilized recommendations, in the controller's slice order.
    #[serde(default)]
    pub recommendations: Vec<Recommendation>,
    /// Scale-up events (replicas added), used by behavior policies.
    #[serde(default)]
    pub scale_up_events: Vec<ScaleEvent>,
    /// Scale-down events (replicas removed), used by behavior policies.
    #[serde(default)]
    pub scale_down_events: Vec<ScaleEvent>,
    /// External metrics with a fallback (KEP-5679, an Alpaca extension ahead of upstream)
    /// that are failing, and since when (`firstFailureTime`). Empty for every autoscaler
    /// without a fallback.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_fallback: Vec<FallbackMemory>,
}

/// One failing External metric that has a fallback: KEP-5679's `firstFailureTime`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FallbackMemory {
    /// The metric's index in `spec.metrics`.
    pub index: usize,
    /// The metric's name (an entry whose name no longer matches the spec is dropped).
    pub metric: String,
    /// The first of the consecutive failed reads.
    pub first_failure_time: Time,
}

/// One recommendation the controller computed before stabilization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// When it was computed.
    pub timestamp: Time,
    /// The replica count recommended.
    pub replicas: i32,
}

/// One rescale the controller made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleEvent {
    /// When.
    pub timestamp: Time,
    /// How many replicas were added (scale-up) or removed (scale-down); never negative.
    pub replica_change: i32,
}

/// Everything one sync produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Always `Decision`.
    pub kind: String,
    /// The replica count the target has after this sync.
    pub desired_replicas: i32,
    /// Whether this sync wrote a new scale.
    pub rescale: bool,
    /// The status written to the HPA.
    pub status: HorizontalPodAutoscalerStatus,
    /// The events recorded on the HPA, in order.
    pub events: Vec<Event>,
    /// The controller's memory after this sync.
    pub history: History,
    /// The steps that led to `desired_replicas`, for a person.
    #[serde(default)]
    pub explanation: Vec<String>,
    /// What each metric's computation gave, in the order of the spec's metrics (none when
    /// the sync never reached the metrics): upstream's `metric_computation_*` series.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricOutcome>,
    /// Whether upstream's `reconcileAutoscaler` would return an error for this sync, and
    /// of which kind (its `reconciliations_total` `error` label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
}

/// How upstream's HPA controller classifies a failed reconciliation or metric computation
/// (`monitor.ErrorLabel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// The HPA's spec is wrong (upstream's `errSpec`: an unknown metric source type, an
    /// unparsable `scaleTargetRef.apiVersion`).
    Spec,
    /// Anything else: an API that failed or answered nothing usable.
    Internal,
}

impl Fault {
    /// The label value: `spec` or `internal`.
    pub fn label(self) -> &'static str {
        match self {
            Fault::Spec => "spec",
            Fault::Internal => "internal",
        }
    }
}

/// One metric's computation (`computeReplicasForMetric`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricOutcome {
    /// The spec's `type` (`Resource`, `ContainerResource`, `Pods`, `Object`, `External`).
    #[serde(rename = "type")]
    pub type_: String,
    /// The replica count it proposed, when it could compute one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<i32>,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// The HPA status's `currentReplicas` before this sync, which upstream compares the
    /// proposal with.
    #[serde(default)]
    pub previous_replicas: i32,
}

impl MetricOutcome {
    /// Upstream's `action` label: `scale_up` or `scale_down` when the proposal is above or
    /// below the status's current replicas, `none` when equal or failed.
    pub fn action(&self) -> &'static str {
        match (self.fault, self.proposal) {
            (None, Some(p)) if p > self.previous_replicas => "scale_up",
            (None, Some(p)) if p < self.previous_replicas => "scale_down",
            _ => "none",
        }
    }
}

/// The name events are reported under (`source.component` and `reportingComponent`), by
/// the simulator and the controller alike: upstream's HPA controller's.
pub const EVENT_COMPONENT: &str = "horizontal-pod-autoscaler";

/// An event recorded on the HPA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The machine-readable reason (`SuccessfulRescale`, `FailedGetScale`, ...).
    pub reason: String,
    /// The message, exactly as upstream words it.
    pub message: String,
}

impl Event {
    /// A `Normal` event.
    pub fn normal(reason: &str, message: String) -> Self {
        Self {
            type_: "Normal".into(),
            reason: reason.into(),
            message,
        }
    }

    /// A `Warning` event.
    pub fn warning(reason: &str, message: String) -> Self {
        Self {
            type_: "Warning".into(),
            reason: reason.into(),
            message,
        }
    }
}
