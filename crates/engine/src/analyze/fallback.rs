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

use jiff::Timestamp;
use serde::Deserialize;

use crate::hpa_object::HpaObject;

/// The annotation.
pub const ANNOTATION: &str = "alpaca.dev/external-fallback";

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

/// The autoscaler's fallbacks: none without the annotation, an error naming the problem
/// when it is malformed (then none apply).
pub fn of(hpa: &HpaObject, external_metrics: &[&str]) -> Result<Vec<Fallback>, String> {
    let Some(raw) = hpa.annotations().and_then(|a| a.get(ANNOTATION)) else {
        return Ok(Vec::new());
    };
    let list: Vec<Fallback> = serde_json::from_str(raw)
        .map_err(|e| format!("annotation {ANNOTATION}: {e}; ignored: no fallback applies"))?;
    for (i, f) in list.iter().enumerate() {
        let field = format!("annotation {ANNOTATION}[{i}]");
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
