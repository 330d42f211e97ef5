//! The sync's side of the External metric fallback ([`super::fallback`]): the failure
//! clock per metric, the proposal once it has run long enough, and the
//! `ExternalMetricFallbackActive` condition.

use jiff::SignedDuration;
use k8s_openapi::api::autoscaling::v2::{
    MetricIdentifier, MetricSpec, MetricStatus, MetricValueStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::fallback::Fallback;
use super::metrics::{Proposal, external_status};
use crate::execute::conditions::Condition;
use crate::reconcile::Sync;
use crate::snapshot::{Event, FallbackMemory};

/// The condition type (KEP-5679).
pub const CONDITION: &str = "ExternalMetricFallbackActive";

impl Sync<'_> {
    /// The fallback configured for metric `i`, if it is an External metric with one.
    pub(crate) fn fallback_for(&self, spec: &MetricSpec) -> Option<&Fallback> {
        let x = spec.external.as_ref()?;
        self.fallbacks.iter().find(|f| f.metric == x.metric.name)
    }

    /// Drops remembered failures of metrics that are no longer External metrics with a
    /// fallback at that index.
    pub(crate) fn forget_stale_failures(&mut self, specs: &[MetricSpec]) {
        let keep: Vec<bool> = self
            .history
            .external_fallback
            .iter()
            .map(|m| {
                specs.get(m.index).is_some_and(|s| {
                    s.external
                        .as_ref()
                        .is_some_and(|x| x.metric.name == m.metric)
                        && self.fallback_for(s).is_some()
                })
            })
            .collect();
        let mut k = keep.into_iter();
        self.history
            .external_fallback
            .retain(|_| k.next().unwrap_or(false));
    }

    /// Metric `i` failed: starts or reads its failure clock, and gives the fallback's
    /// proposal (with a line for the condition) once the metric has failed long enough.
    pub(crate) fn fallback_proposal(
        &mut self,
        i: usize,
        spec: &MetricSpec,
        current: i32,
        status: &mut MetricStatus,
    ) -> Option<(Proposal, String)> {
        let f = self.fallback_for(spec)?.clone();
        let x = spec.external.as_ref()?;
        let now = self.now;
        let first = match self.history.external_fallback.iter().find(|m| m.index == i) {
            Some(m) => m.first_failure_time.0,
            None => {
                self.history.external_fallback.push(FallbackMemory {
                    index: i,
                    metric: x.metric.name.clone(),
                    first_failure_time: Time(now),
                });
                now
            }
        };
        let failing = now.duration_since(first);
        if !f.applies(first, now) {
            let left = SignedDuration::from_secs(f.failure_duration_seconds) - failing;
            note!(
                self,
                "analyze",
                "  fallback: failing since {first} ({}s); its fallback applies after {}s of failures, {}s from now",
                failing.as_secs(),
                f.failure_duration_seconds,
                left.as_secs()
            );
            return None;
        }
        let replicas = f.proposal(current);
        *status = external_status(
            MetricIdentifier {
                name: x.metric.name.clone(),
                selector: x.metric.selector.clone(),
            },
            MetricValueStatus::default(),
        );
        let text = format!(
            "external metric {} has failed since {first} ({}s, at least {}s): its fallback proposes {replicas} replicas",
            x.metric.name,
            failing.as_secs(),
            f.failure_duration_seconds
        );
        note!(self, "analyze", "  fallback: {text}");
        let metric = format!("external metric {} fallback", x.metric.name);
        Some((Proposal { replicas, metric }, text))
    }

    /// `ExternalMetricFallbackActive`: True (with a Warning event when it becomes so) while
    /// a fallback applies, False otherwise; never set on an autoscaler without fallbacks.
    pub(crate) fn set_fallback_condition(&mut self, active: &[String]) {
        if self.fallbacks.is_empty() {
            return;
        }
        if active.is_empty() {
            self.set_condition(Condition::new(
                CONDITION,
                false,
                "NoFallbackActive",
                "no external metric is using its fallback",
            ));
            return;
        }
        let was_active = self
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|l| l.iter().find(|c| c.type_ == CONDITION))
            .is_some_and(|c| c.status == "True");
        let message = active.join("; ");
        if !was_active {
            self.events
                .push(Event::warning("ExternalMetricFallback", message.clone()));
        }
        self.set_condition(Condition::new(CONDITION, true, "FallbackActive", message));
    }
}
