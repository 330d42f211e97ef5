//! One sync of one HPA (`reconcileAutoscaler`): get the scale, compute the proposals, plan
//! the replica count, and produce the status, events and memory the controller would write.
//!
//! ```text
//!   monitor: scale, pods, metrics  ->  analyze: one proposal per metric, the largest wins
//!     -> plan: stabilize, rate-limit, clamp  ->  execute: scale, status, events, memory
//! ```

use std::borrow::Cow;

use jiff::Timestamp;
use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerStatus, MetricStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::analyze::tolerance::Tolerances;
use crate::execute::conditions::Condition;
use crate::monitor::metrics_client::{Cluster, group_of, group_resource};
use crate::monitor::pods::Readiness;
use crate::snapshot::{
    ControllerConfig, Decision, Event, Fault, History, MetricOutcome, Recommendation, Snapshot,
};

/// The controller during one sync of one HPA.
pub(crate) struct Sync<'a> {
    /// The Snapshot, as the listers and metrics APIs answer it.
    pub cluster: Cluster<'a>,
    /// The HPA's spec after admission.
    pub spec: &'a HorizontalPodAutoscalerSpec,
    /// The HPA's status, rewritten as the sync goes (without `currentMetrics` until then).
    pub status: Option<HorizontalPodAutoscalerStatus>,
    /// The status's previous `currentMetrics`, put back if the status is never rebuilt.
    pub previous_metrics: Option<Cow<'a, [MetricStatus]>>,
    /// The controller's clock.
    pub now: Timestamp,
    /// The controller's flags.
    pub config: ControllerConfig,
    /// The tolerance band for this HPA.
    pub tolerances: Tolerances,
    /// Events recorded, in order.
    pub events: Vec<Event>,
    /// The controller's memory of this HPA.
    pub history: History,
    /// The explanation, one line per step.
    pub explanation: Vec<String>,
    /// Whether this sync recorded the first recommendation (index 0). Upstream reads the
    /// clock again for every step, so that record is an instant older than `now` when the
    /// stabilization windows are compared against it.
    pub initial_recommendation: bool,
    /// Whether to write the explanation.
    pub explain: bool,
    /// Each metric's computation, in spec order.
    pub metrics: Vec<MetricOutcome>,
    /// Why upstream's reconcile would fail, if it would (the first cause).
    pub fault: Option<Fault>,
    /// The External metric fallbacks (KEP-5679) of the autoscaler's annotation.
    pub fallbacks: Vec<crate::analyze::fallback::Fallback>,
    /// Why the fallback annotation is ignored, if it is.
    pub fallback_error: Option<String>,
}

impl<'a> Sync<'a> {
    /// Prepares a sync of an admitted HPA.
    pub fn new(
        snap: &'a Snapshot,
        spec: &'a HorizontalPodAutoscalerSpec,
        status: Option<HorizontalPodAutoscalerStatus>,
        previous_metrics: Option<Cow<'a, [MetricStatus]>>,
        namespace: &'a str,
    ) -> Self {
        let tolerances = Tolerances::for_hpa(spec, snap.controller.tolerance);
        let (fallbacks, fallback_error) =
            match crate::analyze::fallback::of(snap.hpa.annotations(), spec) {
                Ok(list) => (list, None),
                Err(e) => (Vec::new(), Some(e)),
            };
        Self {
            cluster: Cluster::new(snap, namespace),
            spec,
            status,
            previous_metrics,
            now: snap.now.0,
            config: snap.controller,
            tolerances,
            events: Vec::new(),
            history: snap.history.clone().unwrap_or_default(),
            explanation: Vec::new(),
            initial_recommendation: false,
            explain: true,
            metrics: Vec::new(),
            fault: None,
            fallbacks,
            fallback_error,
        }
    }

    /// Why the fallback annotation is ignored, if it is.
    pub(crate) fn fallback_problem(&self) -> Option<String> {
        self.fallback_error.clone()
    }

    /// When a stored recommendation was made, as the stabilization windows see it.
    pub(crate) fn recommendation_time(&self, index: usize) -> Timestamp {
        let t = self.history.recommendations[index].timestamp.0;
        if self.initial_recommendation && index == 0 {
            crate::time::add_nanos(t, -1)
        } else {
            t
        }
    }

    /// Whether this sync explains itself (the `note!` macro formats nothing otherwise).
    pub(crate) fn explain(&self) -> bool {
        self.explain
    }

    /// Adds a line to the explanation (use `note!`).
    pub(crate) fn push_note(&mut self, phase: &str, text: String) {
        let mut line = String::with_capacity(phase.len() + 2 + text.len());
        line.push_str(phase);
        line.push_str(": ");
        line.push_str(&text);
        self.explanation.push(line);
    }

    pub(crate) fn readiness(&self) -> Readiness {
        Readiness {
            now: self.now,
            cpu_initialization_nanos: self.config.cpu_initialization_period.nanos,
            initial_readiness_nanos: self.config.initial_readiness_delay.nanos,
        }
    }

    fn decision(&mut self, desired: i32, rescale: bool) -> Decision {
        let mut status = self.status.take().unwrap_or_default();
        if let Some(metrics) = self.previous_metrics.take() {
            status.current_metrics = Some(metrics.into_owned());
        }
        Decision {
            kind: "Decision".into(),
            desired_replicas: desired,
            rescale,
            status,
            events: std::mem::take(&mut self.events),
            history: std::mem::take(&mut self.history),
            explanation: std::mem::take(&mut self.explanation),
            metrics: std::mem::take(&mut self.metrics),
            fault: self.fault,
        }
    }

    /// `setStatus`: rebuilds the status, keeping conditions and the last scale time.
    fn set_status(
        &mut self,
        current: i32,
        desired: i32,
        metrics: Option<Vec<MetricStatus>>,
        rescale: bool,
    ) {
        let old = self.status.take().unwrap_or_default();
        self.previous_metrics = None;
        self.status = Some(HorizontalPodAutoscalerStatus {
            current_replicas: Some(current),
            desired_replicas: desired,
            last_scale_time: if rescale {
                Some(Time(self.now))
            } else {
                old.last_scale_time
            },
            current_metrics: metrics,
            conditions: old.conditions,
            observed_generation: None,
        });
    }

    /// `setCurrentReplicasAndMetricsInStatus`: the previous desired count is kept.
    fn set_current(&mut self, current: i32, metrics: Option<Vec<MetricStatus>>) {
        let desired = self.status.as_ref().map_or(0, |s| s.desired_replicas);
        self.set_status(current, desired, metrics, false);
    }

    /// The sync fails before anything is known about the target.
    fn scale_failure(&mut self, error: String) -> Decision {
        self.fault.get_or_insert(Fault::Internal);
        self.events
            .push(Event::warning("FailedGetScale", error.clone()));
        self.set_condition(Condition::new(
            "AbleToScale",
            false,
            "FailedGetScale",
            format!("the HPA controller was unable to get the target's current scale: {error}"),
        ));
        note!(
            self,
            "monitor",
            "cannot read the target's scale: {error}; nothing changes"
        );
        let desired = match &self.cluster.snap.scale {
            Some(s) => s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
            None => self
                .status
                .as_ref()
                .and_then(|s| s.current_replicas)
                .unwrap_or(0),
        };
        self.decision(desired, false)
    }

    /// Runs the sync.
    pub(crate) fn reconcile(&mut self) -> Decision {
        let snap = self.cluster.snap;
        let target = &self.spec.scale_target_ref;
        self.check_settings();
        let api_version = target.api_version.as_deref().unwrap_or_default();
        if api_version.matches('/').count() > 1 {
            // upstream wraps this one in errSpec
            self.fault = Some(Fault::Spec);
            return self.scale_failure(format!("unexpected GroupVersion string: {api_version}"));
        }
        if let Err(e) = crate::monitor::rest_mapper::check(
            group_of(api_version),
            &target.kind,
            &snap.custom_kinds,
        ) {
            return self.scale_failure(e);
        }
        let scale = match (&snap.errors.scale, &snap.scale) {
            (Some(e), _) => return self.scale_failure(e.clone()),
            (None, None) => {
                return self.scale_failure(format!(
                    "{} {:?} not found",
                    group_resource(&target.kind, group_of(api_version)),
                    target.name
                ));
            }
            (None, Some(s)) => s,
        };
        self.set_condition(Condition::new(
            "AbleToScale",
            true,
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        ));
        let current = scale.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        let status_replicas = scale.status.as_ref().map_or(0, |s| s.replicas);
        let selector = scale.status.as_ref().and_then(|s| s.selector.as_deref());
        note!(
            self,
            "monitor",
            "{}/{} wants {current} replicas (scale spec), {status_replicas} exist (scale status)",
            target.kind,
            target.name
        );
        if self.history.recommendations.is_empty() {
            self.history.recommendations.push(Recommendation {
                timestamp: Time(self.now),
                replicas: current,
            });
            self.initial_recommendation = true;
        }

        let min = self.spec.min_replicas.unwrap_or(1);
        let max = self.spec.max_replicas;
        let mut desired;
        let mut rescale_reason = String::new();
        let mut statuses = None;
        let mut rescale = true;
        let gate = self.config.hpa_scale_to_zero;
        // HPAScaleToZero: at zero, only a target this HPA scaled to zero scales up again
        let from_zero = gate && current == 0 && self.condition_is_true("ScaledToZero");
        if current == 0 && !from_zero {
            desired = 0;
            rescale = false;
            self.set_condition(Condition::new(
                "ScalingActive",
                false,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            ));
            if gate {
                note!(
                    self,
                    "analyze",
                    "the target has 0 replicas and the ScaledToZero condition is not True: it was scaled to zero by hand, so autoscaling is paused until someone scales it up"
                );
            } else {
                self.remove_condition("ScaledToZero");
                note!(
                    self,
                    "analyze",
                    "the target has 0 replicas: autoscaling is disabled until someone scales it up (HPAScaleToZero off)"
                );
            }
        } else if current > max {
            rescale_reason = "Current number of replicas above Spec.MaxReplicas".into();
            desired = max;
            note!(
                self,
                "plan",
                "{current} replicas is above maxReplicas {max}: scale to {max} without looking at metrics"
            );
        } else if current < min && !from_zero {
            rescale_reason = "Current number of replicas below Spec.MinReplicas".into();
            desired = min;
            note!(
                self,
                "plan",
                "{current} replicas is below minReplicas {min}: scale to {min} without looking at metrics"
            );
        } else {
            if from_zero {
                note!(
                    self,
                    "analyze",
                    "the target has 0 replicas and ScaledToZero is True (this HPA scaled it to zero): the metrics decide whether it scales up"
                );
            }
            let computed = self.compute_replicas_for_metrics(current, status_replicas, selector);
            if computed.error.is_some() {
                // upstream returns the metrics' error from reconcileAutoscaler even when the
                // other metrics still scale (wrapped with %v: never errSpec)
                self.fault.get_or_insert(Fault::Internal);
            }
            let Some(metric_desired) = computed.replicas else {
                let error = computed.error.unwrap_or_default();
                self.set_current(current, computed.statuses);
                self.events.push(Event::warning(
                    "FailedComputeMetricsReplicas",
                    error.clone(),
                ));
                note!(
                    self,
                    "execute",
                    "no metric gave a usable proposal, so {current} replicas stay"
                );
                return self.decision(current, false);
            };
            statuses = computed.statuses;
            desired = 0;
            let mut rescale_metric = String::new();
            if metric_desired > desired {
                desired = metric_desired;
                rescale_metric = computed.metric;
            }
            if desired > current {
                rescale_reason = rescale_metric + " above target";
            }
            if desired < current {
                rescale_reason = "All metrics below target".into();
            }
            let has_behavior = self.spec.behavior.is_some();
            desired = if has_behavior {
                self.normalize_with_behaviors(current, desired, min, max)
            } else {
                self.normalize_legacy(current, desired, min, max)
            };
            rescale = desired != current;
        }

        if rescale {
            if let Some(e) = &snap.errors.update_scale {
                self.fault.get_or_insert(Fault::Internal);
                self.events.push(Event::warning(
                    "FailedRescale",
                    format!("New size: {desired}; reason: {rescale_reason}; error: {e}"),
                ));
                self.set_condition(Condition::new(
                    "AbleToScale",
                    false,
                    "FailedUpdateScale",
                    format!("the HPA controller was unable to update the target scale: {e}"),
                ));
                self.set_current(current, statuses);
                note!(
                    self,
                    "execute",
                    "writing {desired} replicas failed: {e}; {current} replicas stay"
                );
                return self.decision(current, false);
            }
            self.set_condition(Condition::new(
                "AbleToScale",
                true,
                "SucceededRescale",
                [
                    "the HPA controller was able to update the target scale to ",
                    &desired.to_string(),
                ]
                .concat(),
            ));
            self.events.push(Event::normal(
                "SuccessfulRescale",
                [
                    "New size: ",
                    &desired.to_string(),
                    "; reason: ",
                    &rescale_reason,
                ]
                .concat(),
            ));
            self.store_scale_event(current, desired);
            if !gate {
                self.remove_condition("ScaledToZero");
            } else if desired == 0 {
                self.set_condition(Condition::new(
                    "ScaledToZero",
                    true,
                    "ScaledToZero",
                    "the HPA controller scaled the workload to zero",
                ));
                note!(
                    self,
                    "execute",
                    "ScaledToZero is set: the HPA scales the target up again when its Object or External metrics ask for it"
                );
            } else {
                self.set_condition(Condition::new(
                    "ScaledToZero",
                    false,
                    "NotScaledToZero",
                    "the HPA controller did not scale the workload to zero",
                ));
            }
            note!(
                self,
                "execute",
                "scale {}/{} from {current} to {desired} ({rescale_reason})",
                target.kind,
                target.name
            );
        } else {
            desired = current;
            note!(self, "execute", "keep {current} replicas");
        }
        self.set_status(current, desired, statuses, rescale);
        self.decision(desired, rescale)
    }

    fn condition_is_true(&self, type_: &str) -> bool {
        self.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|list| list.iter().find(|c| c.type_ == type_))
            .is_some_and(|c| c.status == "True")
    }

    fn remove_condition(&mut self, type_: &str) {
        if let Some(list) = self.status.as_mut().and_then(|s| s.conditions.as_mut()) {
            list.retain(|c| c.type_ != type_);
        }
    }
}
