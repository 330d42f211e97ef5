//! The API server's conversion of an `autoscaling/v1` HPA (as `kubectl autoscale` creates
//! it) to `autoscaling/v2`: `targetCPUUtilizationPercentage` becomes a cpu Utilization
//! metric, and the `autoscaling.alpha.kubernetes.io/*` annotations carry the rest
//! (other metrics, conditions, behavior).

use k8s_openapi::api::autoscaling::v1;
use k8s_openapi::api::autoscaling::v2::{
    ContainerResourceMetricSource, CrossVersionObjectReference, ExternalMetricSource,
    HorizontalPodAutoscaler, HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerCondition,
    HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerStatus, MetricIdentifier, MetricSpec,
    MetricStatus, MetricTarget, MetricValueStatus, ObjectMetricSource, PodsMetricSource,
    ResourceMetricSource, ResourceMetricStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::Deserialize;

use crate::error::{FieldError, InvalidSnapshot};

const METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/metrics";
const CONDITIONS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";
const BEHAVIOR_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/behavior";
const CURRENT_METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/current-metrics";

/// Converts a v1 HPA to v2.
pub(crate) fn convert(
    old: &v1::HorizontalPodAutoscaler,
) -> Result<HorizontalPodAutoscaler, InvalidSnapshot> {
    let old = old.clone();
    let mut metadata = old.metadata;
    let mut annotations = metadata.annotations.take().unwrap_or_default();
    let other_metrics: Vec<V1MetricSpec> = take_annotation(&mut annotations, METRICS_ANNOTATION)?;
    let conditions: Vec<HorizontalPodAutoscalerCondition> =
        take_annotation(&mut annotations, CONDITIONS_ANNOTATION)?;
    let behavior: Option<HorizontalPodAutoscalerBehavior> =
        take_annotation(&mut annotations, BEHAVIOR_ANNOTATION)?;
    annotations.remove(CURRENT_METRICS_ANNOTATION);
    if !annotations.is_empty() {
        metadata.annotations = Some(annotations);
    }

    let spec = {
        let s = old.spec;
        let mut metrics: Vec<MetricSpec> = other_metrics
            .into_iter()
            .map(V1MetricSpec::into_v2)
            .collect();
        if let Some(cpu) = s.target_cpu_utilization_percentage {
            metrics.push(cpu_metric(cpu));
        }
        HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: s.scale_target_ref.api_version,
                kind: s.scale_target_ref.kind,
                name: s.scale_target_ref.name,
            },
            min_replicas: s.min_replicas,
            max_replicas: s.max_replicas,
            metrics: (!metrics.is_empty()).then_some(metrics),
            behavior,
        }
    };
    let status = old.status.map(|s| HorizontalPodAutoscalerStatus {
        current_replicas: Some(s.current_replicas),
        desired_replicas: s.desired_replicas,
        last_scale_time: s.last_scale_time,
        observed_generation: s.observed_generation,
        current_metrics: s.current_cpu_utilization_percentage.map(|u| {
            vec![MetricStatus {
                type_: "Resource".into(),
                resource: Some(ResourceMetricStatus {
                    name: "cpu".into(),
                    current: MetricValueStatus {
                        average_utilization: Some(u),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            }]
        }),
        conditions: (!conditions.is_empty()).then_some(conditions),
    });
    Ok(HorizontalPodAutoscaler {
        metadata,
        spec,
        status,
    })
}

fn take_annotation<T: serde::de::DeserializeOwned + Default>(
    annotations: &mut std::collections::BTreeMap<String, String>,
    key: &str,
) -> Result<T, InvalidSnapshot> {
    let Some(raw) = annotations.remove(key) else {
        return Ok(T::default());
    };
    serde_json::from_str(&raw).map_err(|e| {
        InvalidSnapshot::from(FieldError::new(
            &format!("hpa.metadata.annotations[{key}]"),
            format!("invalid JSON: {e}"),
        ))
    })
}

fn cpu_metric(utilization: i32) -> MetricSpec {
    MetricSpec {
        type_: "Resource".into(),
        resource: Some(ResourceMetricSource {
            name: "cpu".into(),
            target: MetricTarget {
                type_: "Utilization".into(),
                average_utilization: Some(utilization),
                ..Default::default()
            },
        }),
        ..Default::default()
    }
}

/// A metric in the v1 annotation's shape (autoscaling/v2beta1 field names).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1MetricSpec {
    #[serde(rename = "type")]
    type_: String,
    object: Option<V1Object>,
    pods: Option<V1Pods>,
    resource: Option<V1Resource>,
    container_resource: Option<V1ContainerResource>,
    external: Option<V1External>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1Object {
    target: CrossVersionObjectReference,
    metric_name: String,
    target_value: Option<Quantity>,
    selector: Option<LabelSelector>,
    average_value: Option<Quantity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1Pods {
    metric_name: String,
    target_average_value: Option<Quantity>,
    selector: Option<LabelSelector>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1Resource {
    name: String,
    target_average_utilization: Option<i32>,
    target_average_value: Option<Quantity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1ContainerResource {
    name: String,
    container: String,
    target_average_utilization: Option<i32>,
    target_average_value: Option<Quantity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1External {
    metric_name: String,
    metric_selector: Option<LabelSelector>,
    target_value: Option<Quantity>,
    target_average_value: Option<Quantity>,
}

fn utilization_or_value(utilization: Option<i32>, value: Option<Quantity>) -> MetricTarget {
    if utilization.is_some() {
        MetricTarget {
            type_: "Utilization".into(),
            average_utilization: utilization,
            ..Default::default()
        }
    } else {
        MetricTarget {
            type_: "AverageValue".into(),
            average_value: value,
            ..Default::default()
        }
    }
}

fn value_or_average(value: Option<Quantity>, average: Option<Quantity>) -> MetricTarget {
    if average.is_some() {
        MetricTarget {
            type_: "AverageValue".into(),
            average_value: average,
            ..Default::default()
        }
    } else {
        MetricTarget {
            type_: "Value".into(),
            value,
            ..Default::default()
        }
    }
}

impl V1MetricSpec {
    fn into_v2(self) -> MetricSpec {
        MetricSpec {
            type_: self.type_,
            object: self.object.map(|o| ObjectMetricSource {
                described_object: o.target,
                metric: MetricIdentifier {
                    name: o.metric_name,
                    selector: o.selector,
                },
                target: value_or_average(o.target_value, o.average_value),
            }),
            pods: self.pods.map(|p| PodsMetricSource {
                metric: MetricIdentifier {
                    name: p.metric_name,
                    selector: p.selector,
                },
                target: MetricTarget {
                    type_: "AverageValue".into(),
                    average_value: p.target_average_value,
                    ..Default::default()
                },
            }),
            resource: self.resource.map(|r| ResourceMetricSource {
                name: r.name,
                target: utilization_or_value(r.target_average_utilization, r.target_average_value),
            }),
            container_resource: self
                .container_resource
                .map(|r| ContainerResourceMetricSource {
                    name: r.name,
                    container: r.container,
                    target: utilization_or_value(
                        r.target_average_utilization,
                        r.target_average_value,
                    ),
                }),
            external: self.external.map(|e| ExternalMetricSource {
                metric: MetricIdentifier {
                    name: e.metric_name,
                    selector: e.metric_selector,
                },
                target: value_or_average(e.target_value, e.target_average_value),
            }),
        }
    }
}
