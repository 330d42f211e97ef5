//! The Alpaca decision engine: one sync of one Kubernetes HorizontalPodAutoscaler as a pure
//! function, reproducing kube-controller-manager's HPA controller.
//!
//! ```text
//!   Snapshot ──decide──▶ Decision
//!   (HPA, scale, pods, metrics, flags, clock, memory)   (replicas, status, events, memory, why)
//! ```
//!
//! No IO, no clock, no global state: time, pods and metrics come in as values, so the
//! simulator, the controller and the CLI all call the same function.
//!
//! ```
//! let snapshot = alpaca_engine::read_snapshot(br#"{
//!   "kind": "Snapshot", "now": "2026-01-01T00:05:00Z",
//!   "hpa": {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
//!           "metadata": {"name": "web", "namespace": "default"},
//!           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
//!                    "maxReplicas": 10}},
//!   "scale": {"spec": {"replicas": 0}, "status": {"replicas": 0, "selector": "app=web"}}
//! }"#).unwrap();
//! let decision = alpaca_engine::decide(&snapshot).unwrap();
//! assert_eq!(decision.desired_replicas, 0); // scaled to zero by hand: autoscaling is off
//! ```

/// Adds a line to a sync's explanation; the text is formatted only when explaining.
macro_rules! note {
    ($sync:expr, $phase:expr, $($arg:tt)+) => {
        if $sync.explain() {
            let text = format!($($arg)+);
            $sync.push_note($phase, text);
        }
    };
}

/// Adds a detail to a metric's notes; the text is formatted only when explaining.
macro_rules! detail {
    ($notes:expr, $($arg:tt)+) => {
        if $notes.enabled() {
            let text = format!($($arg)+);
            $notes.push(text);
        }
    };
}

mod analyze;
mod api;
mod error;
mod execute;
mod hpa_object;
pub(crate) mod monitor;
mod plan;
pub mod pod_record;
mod read;
mod reconcile;
/// Label selectors (the `alpaca-labels` crate, shared with the adapter and the fake API server).
pub use alpaca_labels as selector;
pub mod snapshot;
pub mod sync_period;
mod time;

pub use analyze::fallback::ANNOTATION as EXTERNAL_FALLBACK_ANNOTATION;
pub use analyze::fallback::FIELD_ANNOTATION as EXTERNAL_FALLBACK_FIELD_ANNOTATION;
pub use analyze::fallback::{FallbackStatus, statuses as external_fallback_statuses};
pub use api::{v2beta1, v2beta2};
pub use error::{FieldError, InvalidSnapshot, ReadError};
pub use monitor::rest_mapper::is_built_in as is_built_in_kind;
pub use read::read_snapshot;
pub use snapshot::{Decision, EVENT_COMPONENT, Fault, HpaObject, MetricOutcome, Snapshot};

/// The HPA as the controller sees it: an `autoscaling/v2` object, or a `v1`, `v2beta2` or
/// `v2beta1` one converted to v2, defaulted and validated as the API server does (with
/// the `HPAScaleToZero` gate off, as for a Snapshot without `controller.hpaScaleToZero`).
pub fn admit(
    hpa: &HpaObject,
) -> Result<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler, InvalidSnapshot> {
    api::admit(hpa, false)
}

/// [`admit`] as an API server with these controller settings' feature gates
/// (`hpaScaleToZero` lets `minReplicas` be 0).
pub fn admit_with(
    hpa: &HpaObject,
    config: &snapshot::ControllerConfig,
) -> Result<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler, InvalidSnapshot> {
    api::admit(hpa, config.hpa_scale_to_zero)
}

/// One sync of one HPA: everything kube-controller-manager's HPA controller would do with
/// this Snapshot, and why.
///
/// Fails only when the Snapshot is one the controller could never see: an HPA the API
/// server would reject, or a malformed value.
pub fn decide(snapshot: &Snapshot) -> Result<Decision, InvalidSnapshot> {
    decide_with(snapshot, Options::default())
}

/// How `decide` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Write `Decision::explanation` (on by default). A controller loop that does not show
    /// it can turn it off and decide faster; the Decision is otherwise identical.
    pub explain: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { explain: true }
    }
}

/// [`decide`] with options.
pub fn decide_with(snapshot: &Snapshot, options: Options) -> Result<Decision, InvalidSnapshot> {
    if snapshot.kind != "Snapshot" {
        return Err(FieldError::new(
            "kind",
            format!("must be \"Snapshot\", not {:?}", snapshot.kind),
        )
        .into());
    }
    let hpa = api::admit_spec_and_status(&snapshot.hpa, snapshot.controller.hpa_scale_to_zero)?;
    let namespace = snapshot.hpa.namespace();
    let mut sync = reconcile::Sync::new(
        snapshot,
        &hpa.spec,
        hpa.status,
        hpa.current_metrics,
        namespace,
    );
    sync.explain = options.explain;
    if let Some(text) = snapshot.hpa.version_note() {
        note!(sync, "admit", "{text}");
    }
    let decision = sync.reconcile();
    if let Some(e) = sync.cluster.bad_input.take() {
        return Err(e.into());
    }
    Ok(decision)
}
