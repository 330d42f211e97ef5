//! External metric fallback (KEP-5679, an upstream proposal; here ahead of upstream and
//! opt-in): an External metric that has failed continuously for `failureDurationSeconds`
//! (default and minimum 180) proposes `replicas` instead of blocking the autoscaler. The
//! proposal is max-combined with the other metrics', and min/max and `behavior` still
//! apply. The first failure time is kept in the controller's memory
//! (`History::external_fallback`), cleared by the first successful read.
//!
//! `autoscaling/v2` has no `external.fallback` field yet, so it is written as the annotation
//! `alpaca.dev/external-fallback`, a JSON list with one entry per metric name:
//!
//! ```json
//! [{"metric": "queue_messages", "failureDurationSeconds": 300, "replicas": 10}]
//! ```
//!
//! `alpacaMode` (an Alpaca extension, not in the KEP; KEDA's fallback behaviors) picks the
//! count proposed: `static` (the KEP's: `replicas`), `currentReplicas` (keep the current
//! count), `currentReplicasIfHigher` (the higher of current and `replicas`),
//! `currentReplicasIfLower` (the lower of the two).

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec};
use serde::Deserialize;

use crate::snapshot::History;

/// The annotation.
pub const ANNOTATION: &str = "alpaca.dev/external-fallback";

/// Where CRD mode puts the `spec.metrics[*].external.fallback` fields of an `alpaca.dev/v1`
/// object (the KEP's field form, which `autoscaling/v2` has no field for) when it hands the
/// object to the engine: the same list as [`ANNOTATION`]. It wins over [`ANNOTATION`], and
/// the controller drops one written by hand.
pub const FIELD_ANNOTATION: &str = "alpaca.dev/metrics.external.fallback";

/// The KEP's default and minimum `failureDurationSeconds`.
pub const MIN_FAILURE_SECONDS: i64 = 180;

/// One metric's fallback.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fallback {
    /// The External metric's name (every External metric of that name).
    pub metric: String,
    /// How long the metric must fail, continuously, before the fallback applies.
    #[serde(default = "default_failure_seconds")]
    pub failure_duration_seconds: i64,
    /// The replica count proposed while the fallback applies.
    pub replicas: i32,
    /// What is proposed (an Alpaca extension).
    #[serde(default)]
    pub alpaca_mode: Mode,
}

fn default_failure_seconds() -> i64 {
    MIN_FAILURE_SECONDS
}

/// KEDA's fallback behaviors, as an Alpaca extension of the KEP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// `replicas` (the KEP).
    #[default]
    Static,
    /// The current replica count.
    CurrentReplicas,
    /// The higher of the current count and `replicas`.
    CurrentReplicasIfHigher,
    /// The lower of the current count and `replicas`.
    CurrentReplicasIfLower,
}

impl Fallback {
    /// The replica count proposed when the target has `current`.
    pub fn proposal(&self, current: i32) -> i32 {
        match self.alpaca_mode {
            Mode::Static => self.replicas,
            Mode::CurrentReplicas => current,
            Mode::CurrentReplicasIfHigher => current.max(self.replicas),
            Mode::CurrentReplicasIfLower => current.min(self.replicas),
        }
    }

    /// Whether a metric failing since `first` falls back at `now`.
    pub fn applies(&self, first: Timestamp, now: Timestamp) -> bool {
        now.duration_since(first).as_secs() >= self.failure_duration_seconds
    }
}

/// Where an autoscaler's fallbacks were written, to name them in messages.
#[derive(Clone, Copy)]
enum FieldSource {
    /// `spec.metrics[*].external.fallback` of an `alpaca.dev/v1` object.
    Spec,
    /// The annotation of an `autoscaling/v2` object.
    Annotation,
}

impl FieldSource {
    fn all(self) -> String {
        match self {
            FieldSource::Spec => "spec.metrics[*].external.fallback".into(),
            FieldSource::Annotation => format!("annotation {ANNOTATION}"),
        }
    }

    fn entry(self, i: usize, metric: &str) -> String {
        match self {
            FieldSource::Spec => format!("spec.metrics[external {metric:?}].external.fallback"),
            FieldSource::Annotation => format!("annotation {ANNOTATION}[{i}]"),
        }
    }
}

/// The autoscaler's fallbacks: none without the annotation, an error naming the problem
/// when it is malformed (then none apply).
pub fn of(
    annotations: Option<&BTreeMap<String, String>>,
    spec: &HorizontalPodAutoscalerSpec,
) -> Result<Vec<Fallback>, String> {
    let external_metrics: Vec<&str> = spec
        .metrics
        .iter()
        .flatten()
        .filter_map(|m| m.external.as_ref())
        .map(|x| x.metric.name.as_str())
        .collect();
    let (source, raw) = match (
        annotations.and_then(|a| a.get(FIELD_ANNOTATION)),
        annotations.and_then(|a| a.get(ANNOTATION)),
    ) {
        (Some(raw), _) => (FieldSource::Spec, raw),
        (None, Some(raw)) => (FieldSource::Annotation, raw),
        (None, None) => return Ok(Vec::new()),
    };
    let list: Vec<Fallback> = serde_json::from_str(raw)
        .map_err(|e| format!("{}: {e}; ignored: no fallback applies", source.all()))?;
    for (i, f) in list.iter().enumerate() {
        let field = source.entry(i, &f.metric);
        if f.failure_duration_seconds < MIN_FAILURE_SECONDS {
            return Err(format!(
                "{field}.failureDurationSeconds: {} is below the minimum of {MIN_FAILURE_SECONDS}; ignored: no fallback applies",
                f.failure_duration_seconds
            ));
        }
        if f.replicas < 1 {
            return Err(format!(
                "{field}.replicas: {} must be greater than 0; ignored: no fallback applies",
                f.replicas
            ));
        }
        if !external_metrics.contains(&f.metric.as_str()) {
            return Err(format!(
                "{field}.metric: {:?} is not the name of one of the autoscaler's External metrics; ignored: no fallback applies",
                f.metric
            ));
        }
    }
    Ok(list)
}

/// KEP-5679's status fields of one External metric with a fallback that is failing, for
/// `status.currentMetrics[index].external` of the objects whose schema has them (CRD mode's
/// `alpaca.dev/v1`; `autoscaling/v2` has no such fields yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FallbackStatus {
    /// The metric's index in `spec.metrics` (and in `status.currentMetrics`).
    pub index: usize,
    /// `fallbackActive`: the metric has failed for `failureDurationSeconds` or longer.
    pub fallback_active: bool,
    /// `firstFailureTime`: the first of the consecutive failed reads.
    pub first_failure_time: Timestamp,
    /// `fallbackReplicas`: the count proposed, while the fallback is active.
    pub fallback_replicas: Option<i32>,
}

/// The status fields after a sync at `now` that left the controller's memory `history`,
/// the target at `current` replicas: one per failing External metric with a fallback.
/// Pure, from the same rules the sync applied.
pub fn statuses(
    hpa: &HorizontalPodAutoscaler,
    history: &History,
    now: Timestamp,
    current: i32,
) -> Vec<FallbackStatus> {
    let Ok(fallbacks) = of(hpa.metadata.annotations.as_ref(), &hpa.spec) else {
        return Vec::new();
    };
    history
        .external_fallback
        .iter()
        .filter_map(|m| {
            let f = fallbacks.iter().find(|f| f.metric == m.metric)?;
            let first = m.first_failure_time.0;
            let active = f.applies(first, now);
            Some(FallbackStatus {
                index: m.index,
                fallback_active: active,
                first_failure_time: first,
                fallback_replicas: active.then(|| f.proposal(current)),
            })
        })
        .collect()
}
