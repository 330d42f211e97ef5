//! The API server's defaulting of `autoscaling/v2` HPAs (`SetDefaults_HorizontalPodAutoscaler`):
//! minReplicas 1, a cpu Utilization 80% metric when there is none, and the missing parts
//! of a partial `behavior`.

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};

/// The target utilization of the default cpu metric.
pub const DEFAULT_CPU_UTILIZATION: i32 = 80;

/// Whether [`apply`] would change the spec (when not, the spec can be used as it is).
pub(crate) fn needed(spec: &HorizontalPodAutoscalerSpec) -> bool {
    spec.min_replicas.is_none()
        || spec.metrics.as_ref().is_none_or(Vec::is_empty)
        || spec.behavior.as_ref().is_some_and(|b| {
            !complete(b.scale_up.as_ref(), true) || !complete(b.scale_down.as_ref(), false)
        })
}

/// Whether `fill` leaves these rules as they are: every field whose default is set is set
/// (the scale-up defaults set a stabilization window, the scale-down ones do not).
fn complete(rules: Option<&HPAScalingRules>, window_defaulted: bool) -> bool {
    rules.is_some_and(|r| {
        r.select_policy.is_some()
            && r.policies.is_some()
            && (!window_defaulted || r.stabilization_window_seconds.is_some())
    })
}

/// Applies the API server's defaults in place.
pub(crate) fn apply(spec: &mut HorizontalPodAutoscalerSpec) {
    spec.min_replicas.get_or_insert(1);
    if spec.metrics.as_ref().is_none_or(Vec::is_empty) {
        spec.metrics = Some(vec![MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: "cpu".into(),
                target: MetricTarget {
                    type_: "Utilization".into(),
                    average_utilization: Some(DEFAULT_CPU_UTILIZATION),
                    ..Default::default()
                },
            }),
            ..Default::default()
        }]);
    }
    if let Some(behavior) = spec.behavior.as_mut() {
        behavior.scale_up = Some(fill(behavior.scale_up.take(), scale_up_defaults()));
        behavior.scale_down = Some(fill(behavior.scale_down.take(), scale_down_defaults()));
    }
}

fn policy(type_: &str, value: i32, period_seconds: i32) -> HPAScalingPolicy {
    HPAScalingPolicy {
        type_: type_.into(),
        value,
        period_seconds,
    }
}

fn scale_up_defaults() -> HPAScalingRules {
    HPAScalingRules {
        stabilization_window_seconds: Some(0),
        select_policy: Some("Max".into()),
        policies: Some(vec![policy("Pods", 4, 15), policy("Percent", 100, 15)]),
        tolerance: None,
    }
}

/// Scale-down's stabilization window stays unset: the controller fills it from its flag.
fn scale_down_defaults() -> HPAScalingRules {
    HPAScalingRules {
        stabilization_window_seconds: None,
        select_policy: Some("Max".into()),
        policies: Some(vec![policy("Percent", 100, 15)]),
        tolerance: None,
    }
}

/// `copyHPAScalingRules`: every field the user set wins over the default.
fn fill(from: Option<HPAScalingRules>, mut to: HPAScalingRules) -> HPAScalingRules {
    let Some(from) = from else {
        return to;
    };
    if from.select_policy.is_some() {
        to.select_policy = from.select_policy;
    }
    if from.stabilization_window_seconds.is_some() {
        to.stabilization_window_seconds = from.stabilization_window_seconds;
    }
    if from.policies.is_some() {
        to.policies = from.policies;
    }
    if from.tolerance.is_some() {
        to.tolerance = from.tolerance;
    }
    to
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior;

    /// Every combination of set and unset scaling-rule fields.
    fn rules() -> Vec<Option<HPAScalingRules>> {
        let mut out = vec![None];
        for bits in 0..16u8 {
            out.push(Some(HPAScalingRules {
                select_policy: (bits & 1 != 0).then(|| "Min".to_string()),
                stabilization_window_seconds: (bits & 2 != 0).then_some(30),
                policies: (bits & 4 != 0).then(|| vec![policy("Pods", 1, 60)]),
                tolerance: (bits & 8 != 0)
                    .then(|| k8s_openapi::apimachinery::pkg::api::resource::Quantity("0.2".into())),
            }));
        }
        out
    }

    #[test]
    fn needed_exactly_when_apply_changes_the_spec() {
        let metric = MetricSpec {
            type_: "Pods".into(),
            ..Default::default()
        };
        let mut specs = Vec::new();
        for min_replicas in [None, Some(3)] {
            for metrics in [None, Some(vec![]), Some(vec![metric.clone()])] {
                specs.push(HorizontalPodAutoscalerSpec {
                    min_replicas,
                    metrics,
                    max_replicas: 5,
                    ..Default::default()
                });
            }
        }
        let base = specs[5].clone();
        for scale_up in rules() {
            for scale_down in rules() {
                specs.push(HorizontalPodAutoscalerSpec {
                    behavior: Some(HorizontalPodAutoscalerBehavior {
                        scale_up: scale_up.clone(),
                        scale_down,
                    }),
                    ..base.clone()
                });
            }
        }
        for spec in specs {
            let mut defaulted = spec.clone();
            apply(&mut defaulted);
            assert_eq!(needed(&spec), defaulted != spec, "{spec:?}");
        }
    }
}
