//! The API server's conversion of an `autoscaling/v2beta1` HPA to `autoscaling/v2`
//! (pkg/apis/autoscaling/v2beta1/conversion.go), field by field:
//!
//! | v2beta1 | v2 |
//! |---|---|
//! | `resource`/`containerResource.targetAverageUtilization` | `target: {type: Utilization, averageUtilization}` |
//! | `resource`/`containerResource.targetAverageValue` | `target.averageValue` (type `AverageValue` without a utilization) |
//! | `pods.metricName`, `pods.selector` | `pods.metric.name`, `pods.metric.selector` |
//! | `pods.targetAverageValue` | `pods.target: {type: AverageValue, averageValue}` |
//! | `object.target` | `object.describedObject` |
//! | `object.metricName`, `object.selector` | `object.metric.name`, `object.metric.selector` |
//! | `object.targetValue` | `object.target.value` (always; type `Value`) |
//! | `object.averageValue` | `object.target.averageValue` (type `AverageValue`) |
//! | `external.metricName`, `external.metricSelector` | `external.metric.name`, `external.metric.selector` |
//! | `external.targetValue` | `external.target.value` (type `Value`) |
//! | `external.targetAverageValue` | `external.target.averageValue` (type `AverageValue` without a value) |
//! | annotation `autoscaling.alpha.kubernetes.io/behavior` | `behavior` (only when well-formed and not empty) |
//!
//! and the same for the status's `current*` fields. Every field is copied, even the one
//! the type does not use: an HPA with both targets converts, and v2's validation refuses
//! it. Defaulting is v2's: v2beta1's defaults (minReplicas 1, cpu at 80% without metrics)
//! give the same object once converted.

use k8s_openapi::api::autoscaling::v2::{
    ContainerResourceMetricSource, ContainerResourceMetricStatus, ExternalMetricSource,
    ExternalMetricStatus, HorizontalPodAutoscaler, HorizontalPodAutoscalerBehavior,
    HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerStatus, MetricIdentifier, MetricSpec,
    MetricStatus, MetricTarget, MetricValueStatus, ObjectMetricSource, ObjectMetricStatus,
    PodsMetricSource, PodsMetricStatus, ResourceMetricSource, ResourceMetricStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::round_trip;
use super::v2beta1;

/// Converts a v2beta1 HPA to v2 (upstream's conversion cannot fail).
pub(crate) fn convert(old: &v2beta1::HorizontalPodAutoscaler) -> HorizontalPodAutoscaler {
    let mut metadata = old.metadata.clone();
    let behavior = metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(round_trip::BEHAVIOR))
        .and_then(|raw| behavior(raw));
    round_trip::drop_all(&mut metadata.annotations);
    let s = &old.spec;
    HorizontalPodAutoscaler {
        metadata,
        spec: HorizontalPodAutoscalerSpec {
            scale_target_ref: s.scale_target_ref.clone(),
            min_replicas: s.min_replicas,
            max_replicas: s.max_replicas,
            metrics: s
                .metrics
                .as_ref()
                .map(|m| m.iter().map(metric_spec).collect()),
            behavior,
        },
        status: old.status.as_ref().map(status),
    }
}

/// The annotation's behavior, if it is well-formed JSON and sets a direction (upstream
/// ignores it otherwise, without an error).
fn behavior(raw: &str) -> Option<HorizontalPodAutoscalerBehavior> {
    serde_json::from_str::<HorizontalPodAutoscalerBehavior>(raw)
        .ok()
        .filter(|b| b.scale_up.is_some() || b.scale_down.is_some())
}

fn target(type_: &str) -> MetricTarget {
    MetricTarget {
        type_: type_.into(),
        ..Default::default()
    }
}

/// `Utilization` when a utilization is set, else `AverageValue`; both are kept.
fn utilization_target(utilization: Option<i32>, value: Option<&Quantity>) -> MetricTarget {
    MetricTarget {
        average_utilization: utilization,
        average_value: value.cloned(),
        ..target(if utilization.is_some() {
            "Utilization"
        } else {
            "AverageValue"
        })
    }
}

fn metric_spec(m: &v2beta1::MetricSpec) -> MetricSpec {
    MetricSpec {
        type_: m.type_.clone(),
        object: m.object.as_ref().map(|o| ObjectMetricSource {
            described_object: o.target.clone(),
            metric: MetricIdentifier {
                name: o.metric_name.clone(),
                selector: o.selector.clone(),
            },
            target: MetricTarget {
                value: Some(o.target_value.clone()),
                average_value: o.average_value.clone(),
                ..target(if o.average_value.is_some() {
                    "AverageValue"
                } else {
                    "Value"
                })
            },
        }),
        pods: m.pods.as_ref().map(|p| PodsMetricSource {
            metric: MetricIdentifier {
                name: p.metric_name.clone(),
                selector: p.selector.clone(),
            },
            target: MetricTarget {
                average_value: Some(p.target_average_value.clone()),
                ..target("AverageValue")
            },
        }),
        resource: m.resource.as_ref().map(|r| ResourceMetricSource {
            name: r.name.clone(),
            target: utilization_target(
                r.target_average_utilization,
                r.target_average_value.as_ref(),
            ),
        }),
        container_resource: m
            .container_resource
            .as_ref()
            .map(|r| ContainerResourceMetricSource {
                name: r.name.clone(),
                container: r.container.clone(),
                target: utilization_target(
                    r.target_average_utilization,
                    r.target_average_value.as_ref(),
                ),
            }),
        external: m.external.as_ref().map(|e| ExternalMetricSource {
            metric: MetricIdentifier {
                name: e.metric_name.clone(),
                selector: e.metric_selector.clone(),
            },
            target: MetricTarget {
                value: e.target_value.clone(),
                average_value: e.target_average_value.clone(),
                ..target(if e.target_value.is_some() {
                    "Value"
                } else {
                    "AverageValue"
                })
            },
        }),
    }
}

fn status(s: &v2beta1::HorizontalPodAutoscalerStatus) -> HorizontalPodAutoscalerStatus {
    HorizontalPodAutoscalerStatus {
        observed_generation: s.observed_generation,
        last_scale_time: s.last_scale_time.clone(),
        current_replicas: Some(s.current_replicas),
        desired_replicas: s.desired_replicas,
        current_metrics: s
            .current_metrics
            .as_ref()
            .map(|m| m.iter().map(metric_status).collect()),
        conditions: s.conditions.clone(),
    }
}

fn metric_status(m: &v2beta1::MetricStatus) -> MetricStatus {
    MetricStatus {
        type_: m.type_.clone(),
        object: m.object.as_ref().map(|o| ObjectMetricStatus {
            described_object: o.target.clone(),
            metric: MetricIdentifier {
                name: o.metric_name.clone(),
                selector: o.selector.clone(),
            },
            current: MetricValueStatus {
                value: Some(o.current_value.clone()),
                average_value: o.average_value.clone(),
                ..Default::default()
            },
        }),
        pods: m.pods.as_ref().map(|p| PodsMetricStatus {
            metric: MetricIdentifier {
                name: p.metric_name.clone(),
                selector: p.selector.clone(),
            },
            current: MetricValueStatus {
                average_value: Some(p.current_average_value.clone()),
                ..Default::default()
            },
        }),
        resource: m.resource.as_ref().map(|r| ResourceMetricStatus {
            name: r.name.clone(),
            current: MetricValueStatus {
                average_utilization: r.current_average_utilization,
                average_value: Some(r.current_average_value.clone()),
                ..Default::default()
            },
        }),
        container_resource: m
            .container_resource
            .as_ref()
            .map(|r| ContainerResourceMetricStatus {
                name: r.name.clone(),
                container: r.container.clone(),
                current: MetricValueStatus {
                    average_utilization: r.current_average_utilization,
                    average_value: Some(r.current_average_value.clone()),
                    ..Default::default()
                },
            }),
        external: m.external.as_ref().map(|e| ExternalMetricStatus {
            metric: MetricIdentifier {
                name: e.metric_name.clone(),
                selector: e.metric_selector.clone(),
            },
            current: MetricValueStatus {
                value: Some(e.current_value.clone()),
                average_value: e.current_average_value.clone(),
                ..Default::default()
            },
        }),
    }
}

#[cfg(test)]
#[path = "convert_v2beta1_tests.rs"]
mod tests;
