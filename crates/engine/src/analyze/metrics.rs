//! `computeReplicasForMetrics`: one proposal per metric of the HPA, the status of each, the
//! condition and events for the ones that fail, and the largest proposal, with upstream's
//! rule that invalid metrics block a scale-down.

use k8s_openapi::api::autoscaling::v2::{
    ContainerResourceMetricStatus, ExternalMetricStatus, MetricIdentifier, MetricSpec,
    MetricStatus, MetricTarget, MetricValueStatus, ObjectMetricStatus, PodsMetricStatus,
    ResourceMetricStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as KQuantity;

use super::replica_calculator::{Calculator, Notes};
use crate::execute::conditions::Condition;
use crate::reconcile::Sync;
use crate::selector::{Selector, gogo_string, selector_from_object};
use crate::snapshot::{Event, Fault, MetricOutcome};

/// A metric's proposal.
pub(crate) struct Proposal {
    pub replicas: i32,
    pub metric: String,
}

/// A metric that could not be computed: the condition to set, and the error.
struct Failure {
    condition: Condition,
    error: String,
}

impl Failure {
    /// Upstream's `errSpec` marks only an unknown metric source type among a metric's
    /// failures; everything else is `internal`.
    fn fault(&self) -> Fault {
        if self.condition.reason == "InvalidMetricSourceType" {
            Fault::Spec
        } else {
            Fault::Internal
        }
    }
}

/// What `computeReplicasForMetrics` returns.
pub(crate) struct Computed {
    /// `None` is upstream's `-1`: nothing can be done this sync.
    pub replicas: Option<i32>,
    /// The metric whose proposal won.
    pub metric: String,
    /// One status per metric spec (`{type: ""}` for the ones that failed).
    pub statuses: Option<Vec<MetricStatus>>,
    /// The error to report, if any metric failed.
    pub error: Option<String>,
}

fn milli_quantity(v: i64, binary: bool) -> KQuantity {
    // The usual value, not a whole number: canonically its milli-units and `m` in either
    // format (binary SI prints non-integers as decimal SI).
    if v % 1000 != 0 {
        let mut buf = itoa::Buffer::new();
        let digits = buf.format(v);
        let mut text = String::with_capacity(digits.len() + 1);
        text.push_str(digits);
        text.push('m');
        return KQuantity(text);
    }
    let format = if binary {
        alpaca_quantity::Format::BinarySI
    } else {
        alpaca_quantity::Format::DecimalSI
    };
    KQuantity(alpaca_quantity::Quantity::from_milli(v, format).to_string())
}

impl<'a> Sync<'a> {
    /// Computes every metric's proposal and picks the largest.
    pub(crate) fn compute_replicas_for_metrics(
        &mut self,
        spec_replicas: i32,
        status_replicas: i32,
        selector_text: Option<&str>,
    ) -> Computed {
        let fail = |error: String| Computed {
            replicas: None,
            metric: String::new(),
            statuses: None,
            error: Some(error),
        };
        let selector_text = selector_text.unwrap_or_default();
        if selector_text.is_empty() {
            let msg = "selector is required".to_string();
            self.events
                .push(Event::warning("SelectorRequired", msg.clone()));
            self.set_condition(Condition::new(
                "ScalingActive",
                false,
                "InvalidSelector",
                "the HPA target's scale is missing a selector",
            ));
            note!(
                self,
                "analyze",
                "the target's scale has no selector, so no pods can be found"
            );
            return fail(msg);
        }
        let parsed;
        let given = self.cluster.snap.scale_selector.as_deref();
        let selector = match given.filter(|p| p.text == selector_text) {
            Some(p) => &p.selector,
            None => match crate::selector::parse(selector_text) {
                Ok(s) => {
                    parsed = s;
                    &parsed
                }
                Err(e) => {
                    let msg = format!(
                        "couldn't convert selector into a corresponding internal selector object: {e}"
                    );
                    self.events
                        .push(Event::warning("InvalidSelector", msg.clone()));
                    self.set_condition(Condition::new(
                        "ScalingActive",
                        false,
                        "InvalidSelector",
                        msg.clone(),
                    ));
                    note!(
                        self,
                        "analyze",
                        "the target's selector {selector_text:?} is invalid: {e}"
                    );
                    return fail(msg);
                }
            },
        };
        self.cluster.select_pods(selector);
        note!(
            self,
            "monitor",
            "the target's selector {selector_text} selects {} pods",
            self.cluster.pods.len()
        );
        if let Some(hpas) = super::ambiguous::controlling(
            self.cluster.namespace,
            self.cluster.snap.hpa.name(),
            &self.cluster.pods,
            &self.cluster.snap.autoscaler_selectors,
        ) {
            let msg = super::ambiguous::message(selector_text, &hpas);
            self.events
                .push(Event::warning("AmbiguousSelector", msg.clone()));
            self.set_condition(Condition::new(
                "ScalingActive",
                false,
                "AmbiguousSelector",
                msg.clone(),
            ));
            note!(
                self,
                "analyze",
                "other autoscalers select some of the same pods ({}), so none of them can scale on them",
                hpas.join(", ")
            );
            return fail(msg);
        }

        let specs: &[MetricSpec] = self.spec.metrics.as_deref().unwrap_or_default();
        let mut statuses: Vec<MetricStatus> = std::iter::repeat_with(MetricStatus::default)
            .take(specs.len())
            .collect();
        let mut invalid = 0usize;
        let mut first_failure: Option<Failure> = None;
        let mut best: Option<Proposal> = None;
        let previous_replicas = self
            .status
            .as_ref()
            .and_then(|s| s.current_replicas)
            .unwrap_or(0);
        self.forget_stale_failures(specs);
        let mut fallbacks_active: Vec<String> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let mut notes = Notes::new(self.explain);
            match self.compute_replicas_for_metric(
                spec,
                spec_replicas,
                status_replicas,
                selector,
                &mut statuses[i],
                &mut notes,
            ) {
                Ok(p) => {
                    if spec.type_ == "External" {
                        self.history.external_fallback.retain(|m| m.index != i);
                    }
                    self.metrics.push(MetricOutcome {
                        type_: spec.type_.clone(),
                        proposal: Some(p.replicas),
                        fault: None,
                        previous_replicas,
                    });
                    self.note_metric(i, &p.metric, &notes, Some(p.replicas));
                    if best
                        .as_ref()
                        .is_none_or(|b| b.replicas == 0 || p.replicas > b.replicas)
                    {
                        best = Some(p);
                    }
                }
                Err(f) if self.fallback_for(spec).is_some() => {
                    self.note_metric(i, &spec.type_, &notes, None);
                    note!(self, "analyze", "metric {} failed: {}", i + 1, f.error);
                    match self.fallback_proposal(i, spec, spec_replicas, &mut statuses[i]) {
                        Some((p, text)) => {
                            self.metrics.push(MetricOutcome {
                                type_: spec.type_.clone(),
                                proposal: Some(p.replicas),
                                fault: None,
                                previous_replicas,
                            });
                            fallbacks_active.push(text);
                            if best
                                .as_ref()
                                .is_none_or(|b| b.replicas == 0 || p.replicas > b.replicas)
                            {
                                best = Some(p);
                            }
                        }
                        None => {
                            self.metrics.push(MetricOutcome {
                                type_: spec.type_.clone(),
                                proposal: None,
                                fault: Some(f.fault()),
                                previous_replicas,
                            });
                            invalid += 1;
                            if first_failure.is_none() {
                                first_failure = Some(f);
                            }
                        }
                    }
                }
                Err(f) => {
                    self.metrics.push(MetricOutcome {
                        type_: spec.type_.clone(),
                        proposal: None,
                        fault: Some(f.fault()),
                        previous_replicas,
                    });
                    self.note_metric(i, &spec.type_, &notes, None);
                    note!(self, "analyze", "metric {} failed: {}", i + 1, f.error);
                    invalid += 1;
                    if first_failure.is_none() {
                        first_failure = Some(f);
                    }
                }
            }
        }
        self.set_fallback_condition(&fallbacks_active);
        let (replicas, metric) = best.map_or((0, String::new()), |b| (b.replicas, b.metric));
        let error = first_failure.as_ref().map(|f| {
            format!(
                "invalid metrics ({invalid} invalid out of {}), first error is: {}",
                specs.len(),
                f.error
            )
        });
        if invalid >= specs.len() || (invalid > 0 && replicas < spec_replicas) {
            if let Some(f) = first_failure {
                self.set_condition(f.condition);
            }
            let total = specs.len();
            if invalid < total {
                note!(
                    self,
                    "analyze",
                    "{invalid} metrics failed and the others propose fewer replicas ({replicas}) than now ({spec_replicas}): upstream never scales down on partial information, so nothing changes"
                );
            }
            return Computed {
                replicas: None,
                metric: String::new(),
                statuses: Some(statuses),
                error,
            };
        }
        self.set_condition(Condition::new(
            "ScalingActive",
            true,
            "ValidMetricFound",
            [
                "the HPA was able to successfully calculate a replica count from ",
                &metric,
            ]
            .concat(),
        ));
        let total = specs.len();
        if total > 1 {
            note!(
                self,
                "analyze",
                "the largest proposal wins: {replicas} replicas from {metric}"
            );
        }
        Computed {
            replicas: Some(replicas),
            metric,
            statuses: Some(statuses),
            error,
        }
    }

    fn note_metric(&mut self, i: usize, name: &str, notes: &Notes, proposal: Option<i32>) {
        if !self.explain {
            return;
        }
        let outcome = match proposal {
            Some(p) => format!(": proposes {p} replicas"),
            None => String::new(),
        };
        note!(self, "analyze", "metric {} ({name}){outcome}", i + 1);
        for n in notes.lines() {
            note!(self, "analyze", "  {n}");
        }
    }

    /// `getUnableComputeReplicaCountCondition`: records the event and builds the condition.
    fn unable(&mut self, reason: &'static str, error: String) -> Condition {
        self.events.push(Event::warning(reason, error.clone()));
        Condition::new(
            "ScalingActive",
            false,
            reason,
            format!("the HPA was unable to compute the replica count: {error}"),
        )
    }

    fn calculator(&self) -> Calculator<'_, 'a> {
        Calculator {
            cluster: &self.cluster,
            tolerances: self.tolerances,
            readiness: self.readiness(),
        }
    }

    fn milli_of(&self, q: Option<&KQuantity>, field: &str) -> i64 {
        q.map_or(0, |q| self.cluster.milli(q, || field.to_string()))
    }

    /// `computeReplicasForMetric`.
    fn compute_replicas_for_metric(
        &mut self,
        spec: &MetricSpec,
        spec_replicas: i32,
        status_replicas: i32,
        selector: &Selector,
        status: &mut MetricStatus,
        notes: &mut Notes,
    ) -> Result<Proposal, Failure> {
        match spec.type_.as_str() {
            "Object" => {
                let Some(o) = spec.object.as_ref() else {
                    return Err(self.invalid_source(spec));
                };
                let metric_selector =
                    selector_from_object(o.metric.selector.as_ref()).map_err(|e| {
                        let condition = self.unable("FailedGetObjectMetric", e.clone());
                        Failure {
                            condition,
                            error: format!("failed to get object metric value: {e}"),
                        }
                    })?;
                let base = ObjectMetricStatus {
                    described_object: o.described_object.clone(),
                    metric: o.metric.clone(),
                    current: MetricValueStatus::default(),
                };
                let t = &o.target;
                let wrap = |e: String| format!("failed to get object metric value: {e}");
                if t.type_ == "Value" && t.value.is_some() {
                    let target =
                        self.milli_of(t.value.as_ref(), "hpa.spec.metrics[].object.target.value");
                    let r = self.calculator().object_replicas(
                        spec_replicas,
                        target,
                        o,
                        &metric_selector,
                        notes,
                    );
                    match r {
                        Ok((replicas, usage)) => {
                            *status = MetricStatus {
                                type_: "Object".into(),
                                object: Some(ObjectMetricStatus {
                                    current: MetricValueStatus {
                                        value: Some(milli_quantity(usage, false)),
                                        ..Default::default()
                                    },
                                    ..base
                                }),
                                ..Default::default()
                            };
                            Ok(Proposal {
                                replicas,
                                metric: format!(
                                    "{} metric {}",
                                    o.described_object.kind, o.metric.name
                                ),
                            })
                        }
                        Err(e) => {
                            let condition = self.unable("FailedGetObjectMetric", e.clone());
                            Err(Failure {
                                condition,
                                error: wrap(e),
                            })
                        }
                    }
                } else if t.type_ == "AverageValue" && t.average_value.is_some() {
                    let target = self.milli_of(
                        t.average_value.as_ref(),
                        "hpa.spec.metrics[].object.target.averageValue",
                    );
                    let r = self.calculator().object_per_pod_replicas(
                        status_replicas,
                        target,
                        o,
                        &metric_selector,
                        notes,
                    );
                    match r {
                        Ok((replicas, usage)) => {
                            *status = MetricStatus {
                                type_: "Object".into(),
                                object: Some(ObjectMetricStatus {
                                    current: MetricValueStatus {
                                        average_value: Some(milli_quantity(usage, false)),
                                        ..Default::default()
                                    },
                                    ..base
                                }),
                                ..Default::default()
                            };
                            Ok(Proposal {
                                replicas,
                                // Upstream names this one "external metric" (sic).
                                metric: format!(
                                    "external metric {}({})",
                                    o.metric.name,
                                    gogo_string(o.metric.selector.as_ref())
                                ),
                            })
                        }
                        Err(e) => {
                            let condition = self.unable("FailedGetObjectMetric", e.clone());
                            Err(Failure {
                                condition,
                                error: wrap(format!(
                                    "failed to get {} object metric: {e}",
                                    o.metric.name
                                )),
                            })
                        }
                    }
                } else {
                    let e = "invalid object metric source: neither a value target nor an average value target was set".to_string();
                    let condition = self.unable("FailedGetObjectMetric", e.clone());
                    Err(Failure {
                        condition,
                        error: wrap(e),
                    })
                }
            }
            "Pods" => {
                let Some(p) = spec.pods.as_ref() else {
                    return Err(self.invalid_source(spec));
                };
                let wrap = |e: String| format!("failed to get pods metric value: {e}");
                let metric_selector =
                    selector_from_object(p.metric.selector.as_ref()).map_err(|e| {
                        let condition = self.unable("FailedGetPodsMetric", e.clone());
                        Failure {
                            condition,
                            error: wrap(e),
                        }
                    })?;
                let target = self.milli_of(
                    p.target.average_value.as_ref(),
                    "hpa.spec.metrics[].pods.target.averageValue",
                );
                match self.calculator().metric_replicas(
                    spec_replicas,
                    target,
                    &p.metric.name,
                    &metric_selector,
                    p.metric.selector.as_ref(),
                    notes,
                ) {
                    Ok((replicas, usage)) => {
                        *status = MetricStatus {
                            type_: "Pods".into(),
                            pods: Some(PodsMetricStatus {
                                metric: MetricIdentifier {
                                    name: p.metric.name.clone(),
                                    selector: p.metric.selector.clone(),
                                },
                                current: MetricValueStatus {
                                    average_value: Some(milli_quantity(usage, false)),
                                    ..Default::default()
                                },
                            }),
                            ..Default::default()
                        };
                        Ok(Proposal {
                            replicas,
                            metric: ["pods metric ", &p.metric.name].concat(),
                        })
                    }
                    Err(e) => {
                        let condition = self.unable("FailedGetPodsMetric", e.clone());
                        Err(Failure {
                            condition,
                            error: wrap(e),
                        })
                    }
                }
            }
            "Resource" => {
                let Some(r) = spec.resource.as_ref() else {
                    return Err(self.invalid_source(spec));
                };
                let out = self.resource_generic(
                    spec_replicas,
                    &r.target,
                    &r.name,
                    "",
                    selector,
                    false,
                    notes,
                );
                match out {
                    Ok((replicas, current, metric)) => {
                        *status = MetricStatus {
                            type_: "Resource".into(),
                            resource: Some(ResourceMetricStatus {
                                name: r.name.clone(),
                                current,
                            }),
                            ..Default::default()
                        };
                        Ok(Proposal { replicas, metric })
                    }
                    Err(e) => {
                        let condition = self.unable("FailedGetResourceMetric", e.clone());
                        Err(Failure {
                            condition,
                            error: format!("failed to get {} resource metric value: {e}", r.name),
                        })
                    }
                }
            }
            "ContainerResource" => {
                let Some(r) = spec.container_resource.as_ref() else {
                    return Err(self.invalid_source(spec));
                };
                let out = self.resource_generic(
                    spec_replicas,
                    &r.target,
                    &r.name,
                    &r.container,
                    selector,
                    true,
                    notes,
                );
                match out {
                    Ok((replicas, current, metric)) => {
                        *status = MetricStatus {
                            type_: "ContainerResource".into(),
                            container_resource: Some(ContainerResourceMetricStatus {
                                name: r.name.clone(),
                                container: r.container.clone(),
                                current,
                            }),
                            ..Default::default()
                        };
                        Ok(Proposal { replicas, metric })
                    }
                    Err(e) => {
                        let condition = self.unable("FailedGetContainerResourceMetric", e.clone());
                        Err(Failure {
                            condition,
                            error: format!(
                                "failed to get {} container metric value: {e}",
                                r.container
                            ),
                        })
                    }
                }
            }
            "External" => {
                let Some(x) = spec.external.as_ref() else {
                    return Err(self.invalid_source(spec));
                };
                let name = &x.metric.name;
                let wrap = |e: String| format!("failed to get {name} external metric value: {e}");
                let metric = [
                    "external metric ",
                    name,
                    "(",
                    &gogo_string(x.metric.selector.as_ref()),
                    ")",
                ]
                .concat();
                let identifier = MetricIdentifier {
                    name: name.clone(),
                    selector: x.metric.selector.clone(),
                };
                // AverageValue first, as upstream checks it first.
                let per_pod = x.target.average_value.is_some();
                let result = if per_pod {
                    let target = self.milli_of(
                        x.target.average_value.as_ref(),
                        "hpa.spec.metrics[].external.target.averageValue",
                    );
                    self.calculator().external_per_pod_replicas(
                        status_replicas,
                        target,
                        name,
                        x.metric.selector.as_ref(),
                        notes,
                    )
                } else if x.target.value.is_some() {
                    let target = self.milli_of(
                        x.target.value.as_ref(),
                        "hpa.spec.metrics[].external.target.value",
                    );
                    self.calculator().external_replicas(
                        spec_replicas,
                        target,
                        name,
                        x.metric.selector.as_ref(),
                        notes,
                    )
                } else {
                    let e = "invalid external metric source: neither a value target nor an average value target was set".to_string();
                    let condition = self.unable("FailedGetExternalMetric", e.clone());
                    return Err(Failure {
                        condition,
                        error: wrap(e),
                    });
                };
                match result {
                    Ok((replicas, usage)) => {
                        let quantity = Some(milli_quantity(usage, false));
                        let current = if per_pod {
                            MetricValueStatus {
                                average_value: quantity,
                                ..Default::default()
                            }
                        } else {
                            MetricValueStatus {
                                value: quantity,
                                ..Default::default()
                            }
                        };
                        *status = external_status(identifier, current);
                        Ok(Proposal { replicas, metric })
                    }
                    Err(e) => {
                        let condition = self.unable("FailedGetExternalMetric", e.clone());
                        // Upstream words the two failures differently.
                        let inner = if per_pod {
                            format!("failed to get {name} external metric: {e}")
                        } else {
                            format!("failed to get external metric {name}: {e}")
                        };
                        Err(Failure {
                            condition,
                            error: wrap(inner),
                        })
                    }
                }
            }
            other => {
                let e = format!("unknown metric source type {other:?}");
                let condition = self.unable("InvalidMetricSourceType", e.clone());
                Err(Failure {
                    condition,
                    error: e,
                })
            }
        }
    }

    /// A metric whose type names a source that is not there (validation prevents it).
    fn invalid_source(&mut self, spec: &MetricSpec) -> Failure {
        let e = format!("unknown metric source type {:?}", spec.type_);
        let condition = self.unable("InvalidMetricSourceType", e.clone());
        Failure {
            condition,
            error: e,
        }
    }

    /// `computeStatusForResourceMetricGeneric`: AverageValue first, then Utilization.
    #[allow(clippy::too_many_arguments)]
    fn resource_generic(
        &self,
        current_replicas: i32,
        target: &MetricTarget,
        resource: &str,
        container: &str,
        selector: &Selector,
        is_container: bool,
        notes: &mut Notes,
    ) -> Result<(i32, MetricValueStatus, String), String> {
        let binary = resource == "memory";
        if let Some(avg) = target.average_value.as_ref() {
            let target = self
                .cluster
                .milli(avg, || "hpa.spec.metrics[].target.averageValue".into());
            let (replicas, raw) = self
                .calculator()
                .raw_resource_replicas(
                    current_replicas,
                    target,
                    resource,
                    selector,
                    container,
                    notes,
                )
                .map_err(|e| format!("failed to get {resource} usage: {e}"))?;
            return Ok((
                replicas,
                MetricValueStatus {
                    average_value: Some(milli_quantity(raw, binary)),
                    ..Default::default()
                },
                format!("{resource} resource"),
            ));
        }
        let Some(utilization) = target.average_utilization else {
            return Err("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set".into());
        };
        let u = self
            .calculator()
            .resource_replicas(
                current_replicas,
                utilization,
                resource,
                selector,
                container,
                notes,
            )
            .map_err(|e| format!("failed to get {resource} utilization: {e}"))?;
        let metric = if is_container {
            [
                resource,
                " container resource utilization (percentage of request)",
            ]
            .concat()
        } else {
            [resource, " resource utilization (percentage of request)"].concat()
        };
        Ok((
            u.replicas,
            MetricValueStatus {
                average_utilization: Some(u.utilization),
                average_value: Some(milli_quantity(u.raw_average, binary)),
                value: None,
            },
            metric,
        ))
    }
}

pub(crate) fn external_status(
    metric: MetricIdentifier,
    current: MetricValueStatus,
) -> MetricStatus {
    MetricStatus {
        type_: "External".into(),
        external: Some(ExternalMetricStatus { metric, current }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::milli_quantity;

    #[test]
    fn milli_quantities_print_canonically() {
        let values = [
            0,
            1,
            -1,
            999,
            1000,
            1001,
            1500,
            -1500,
            123_456,
            1_000_000,
            1_000_001,
            1_024_000,
            1_048_576_000,
            1_048_576_001,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        for v in values {
            for (binary, format) in [
                (false, alpaca_quantity::Format::DecimalSI),
                (true, alpaca_quantity::Format::BinarySI),
            ] {
                let canonical = alpaca_quantity::Quantity::from_milli(v, format).to_string();
                assert_eq!(milli_quantity(v, binary).0, canonical, "{v} {format:?}");
            }
        }
    }
}
