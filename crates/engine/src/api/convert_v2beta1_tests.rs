//! Tests of the v2beta1 conversion: each field's mapping, and the errors of admission
//! named at the field as written.

use k8s_openapi::api::autoscaling::v2::{CrossVersionObjectReference, MetricTarget};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::*;
use crate::hpa_object::HpaObject;

fn q(s: &str) -> Option<Quantity> {
    Some(Quantity(s.into()))
}

fn hpa(metrics: &str) -> v2beta1::HorizontalPodAutoscaler {
    let yaml = format!(
        "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\n\
         metadata: {{name: web}}\n\
         spec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  \
         maxReplicas: 10\n  metrics:\n{metrics}"
    );
    serde_yaml_ng::from_str(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

fn one_metric(metrics: &str) -> MetricSpec {
    let mut m = convert(&hpa(metrics)).spec.metrics.unwrap();
    assert_eq!(m.len(), 1);
    m.remove(0)
}

fn app_selector() -> Option<LabelSelector> {
    Some(LabelSelector {
        match_labels: Some([("app".to_string(), "web".to_string())].into()),
        ..Default::default()
    })
}

#[test]
fn resource_utilization() {
    let m =
        one_metric("  - type: Resource\n    resource: {name: cpu, targetAverageUtilization: 50}\n");
    assert_eq!(m.type_, "Resource");
    let r = m.resource.unwrap();
    assert_eq!(r.name, "cpu");
    assert_eq!(
        r.target,
        MetricTarget {
            type_: "Utilization".into(),
            average_utilization: Some(50),
            ..Default::default()
        }
    );
}

#[test]
fn resource_average_value() {
    let r =
        one_metric("  - type: Resource\n    resource: {name: memory, targetAverageValue: 100Mi}\n")
            .resource
            .unwrap();
    assert_eq!(
        r.target,
        MetricTarget {
            type_: "AverageValue".into(),
            average_value: q("100Mi"),
            ..Default::default()
        }
    );
}

#[test]
fn resource_with_both_targets_keeps_both() {
    let r = one_metric(
        "  - type: Resource\n    resource: {name: cpu, targetAverageUtilization: 50, targetAverageValue: 100m}\n",
    )
    .resource
    .unwrap();
    assert_eq!(r.target.type_, "Utilization");
    assert_eq!(r.target.average_utilization, Some(50));
    assert_eq!(r.target.average_value, q("100m"));
}

#[test]
fn container_resource() {
    let r = one_metric(
        "  - type: ContainerResource\n    containerResource: {name: cpu, container: app, targetAverageUtilization: 60}\n",
    )
    .container_resource
    .unwrap();
    assert_eq!((r.name.as_str(), r.container.as_str()), ("cpu", "app"));
    assert_eq!(r.target.type_, "Utilization");
    assert_eq!(r.target.average_utilization, Some(60));
}

#[test]
fn pods() {
    let p = one_metric(
        "  - type: Pods\n    pods: {metricName: packets-per-second, targetAverageValue: 1k, selector: {matchLabels: {app: web}}}\n",
    )
    .pods
    .unwrap();
    assert_eq!(p.metric.name, "packets-per-second");
    assert_eq!(p.metric.selector, app_selector());
    assert_eq!(
        p.target,
        MetricTarget {
            type_: "AverageValue".into(),
            average_value: q("1k"),
            ..Default::default()
        }
    );
}

#[test]
fn object_value() {
    let o = one_metric(
        "  - type: Object\n    object:\n      target: {apiVersion: v1, kind: Service, name: kubernetes}\n      \
         metricName: test-metric\n      targetValue: 300m\n      selector: {matchLabels: {app: web}}\n",
    )
    .object
    .unwrap();
    assert_eq!(
        o.described_object,
        CrossVersionObjectReference {
            api_version: Some("v1".into()),
            kind: "Service".into(),
            name: "kubernetes".into(),
        }
    );
    assert_eq!(o.metric.name, "test-metric");
    assert_eq!(o.metric.selector, app_selector());
    assert_eq!(
        o.target,
        MetricTarget {
            type_: "Value".into(),
            value: q("300m"),
            ..Default::default()
        }
    );
}

#[test]
fn object_average_value_keeps_the_value_too() {
    let o = one_metric(
        "  - type: Object\n    object:\n      target: {kind: Service, name: kubernetes}\n      \
         metricName: test-metric\n      targetValue: 300m\n      averageValue: 100m\n",
    )
    .object
    .unwrap();
    assert_eq!(
        o.target,
        MetricTarget {
            type_: "AverageValue".into(),
            value: q("300m"),
            average_value: q("100m"),
            ..Default::default()
        }
    );
}

#[test]
fn external_value_and_average_value() {
    let e = one_metric(
        "  - type: External\n    external: {metricName: queue_messages_ready, metricSelector: {matchLabels: {app: web}}, targetValue: '30'}\n",
    )
    .external
    .unwrap();
    assert_eq!(e.metric.name, "queue_messages_ready");
    assert_eq!(e.metric.selector, app_selector());
    assert_eq!(
        e.target,
        MetricTarget {
            type_: "Value".into(),
            value: q("30"),
            ..Default::default()
        }
    );
    let e = one_metric(
        "  - type: External\n    external: {metricName: queue_messages_ready, targetAverageValue: '30'}\n",
    )
    .external
    .unwrap();
    assert_eq!(
        e.target,
        MetricTarget {
            type_: "AverageValue".into(),
            average_value: q("30"),
            ..Default::default()
        }
    );
}

#[test]
fn scale_target_bounds_and_no_metrics() {
    let yaml = "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n\
                spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  \
                minReplicas: 2\n  maxReplicas: 10\n";
    let new = convert(&serde_yaml_ng::from_str(yaml).unwrap());
    assert_eq!(new.spec.scale_target_ref.name, "web");
    assert_eq!(new.spec.min_replicas, Some(2));
    assert_eq!(new.spec.max_replicas, 10);
    assert_eq!(new.spec.metrics, None, "defaulting adds cpu at 80% later");
    assert_eq!(new.spec.behavior, None);
}

#[test]
fn behavior_comes_from_its_annotation_when_well_formed() {
    let mut old =
        hpa("  - type: Resource\n    resource: {name: cpu, targetAverageUtilization: 50}\n");
    let annotate = |old: &mut v2beta1::HorizontalPodAutoscaler, value: &str| {
        old.metadata.annotations = Some(
            [
                (round_trip::BEHAVIOR.to_string(), value.to_string()),
                ("team".to_string(), "web".to_string()),
            ]
            .into(),
        );
    };
    annotate(
        &mut old,
        r#"{"scaleDown":{"stabilizationWindowSeconds":60}}"#,
    );
    let new = convert(&old);
    let down = new.spec.behavior.unwrap().scale_down.unwrap();
    assert_eq!(down.stabilization_window_seconds, Some(60));
    assert_eq!(
        new.metadata.annotations.unwrap().keys().collect::<Vec<_>>(),
        vec!["team"],
        "the round-trip annotation is dropped"
    );
    for ignored in ["{not json", "{}", r#"{"scaleUp": 3}"#] {
        annotate(&mut old, ignored);
        let new = convert(&old);
        assert_eq!(new.spec.behavior, None, "{ignored}");
        assert_eq!(new.metadata.annotations.unwrap().len(), 1);
    }
}

#[test]
fn status_fields() {
    let mut old =
        hpa("  - type: Resource\n    resource: {name: cpu, targetAverageUtilization: 50}\n");
    old.status = Some(
        serde_yaml_ng::from_str(
            r#"
observedGeneration: 3
lastScaleTime: "2026-01-01T00:00:00Z"
currentReplicas: 2
desiredReplicas: 4
conditions:
- {type: AbleToScale, status: "True", reason: ReadyForNewScale}
currentMetrics:
- type: Resource
  resource: {name: cpu, currentAverageUtilization: 75, currentAverageValue: 150m}
- type: ContainerResource
  containerResource: {name: cpu, container: app, currentAverageValue: 90m}
- type: Pods
  pods: {metricName: rps, currentAverageValue: "12"}
- type: Object
  object: {target: {kind: Service, name: kubernetes}, metricName: test-metric, currentValue: 400m, averageValue: 200m}
- type: External
  external: {metricName: queue, currentValue: "30", currentAverageValue: "15"}
"#,
        )
        .unwrap(),
    );
    let s = convert(&old).status.unwrap();
    assert_eq!(s.observed_generation, Some(3));
    assert!(s.last_scale_time.is_some());
    assert_eq!((s.current_replicas, s.desired_replicas), (Some(2), 4));
    assert_eq!(s.conditions.unwrap()[0].type_, "AbleToScale");
    let m = s.current_metrics.unwrap();
    let r = m[0].resource.as_ref().unwrap();
    assert_eq!(r.name, "cpu");
    assert_eq!(r.current.average_utilization, Some(75));
    assert_eq!(r.current.average_value, q("150m"));
    let c = m[1].container_resource.as_ref().unwrap();
    assert_eq!(
        (c.container.as_str(), c.current.average_utilization),
        ("app", None)
    );
    assert_eq!(c.current.average_value, q("90m"));
    let p = m[2].pods.as_ref().unwrap();
    assert_eq!(
        (p.metric.name.as_str(), &p.current.average_value),
        ("rps", &q("12"))
    );
    let o = m[3].object.as_ref().unwrap();
    assert_eq!(o.described_object.kind, "Service");
    assert_eq!(o.metric.name, "test-metric");
    assert_eq!(
        (&o.current.value, &o.current.average_value),
        (&q("400m"), &q("200m"))
    );
    let e = m[4].external.as_ref().unwrap();
    assert_eq!(e.metric.name, "queue");
    assert_eq!(
        (&e.current.value, &e.current.average_value),
        (&q("30"), &q("15"))
    );
}

fn admit_errors(metrics: &str) -> Vec<String> {
    let object = HpaObject::V2beta1(Box::new(hpa(metrics)));
    match crate::api::admit(&object, false) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_resource_with_both_targets_is_refused_at_the_written_field() {
    assert_eq!(
        admit_errors(
            "  - type: Resource\n    resource: {name: cpu, targetAverageUtilization: 50, targetAverageValue: 100m}\n"
        ),
        vec![
            "hpa.spec.metrics[0].resource.targetAverageValue: may not set both a target raw value and a target utilization"
        ]
    );
}

#[test]
fn a_resource_without_a_target_is_refused_at_the_written_field() {
    assert_eq!(
        admit_errors("  - type: Resource\n    resource: {name: cpu}\n"),
        vec![
            "hpa.spec.metrics[0].resource.targetAverageUtilization: must set either a target raw value or a target utilization"
        ]
    );
    assert_eq!(
        admit_errors(
            "  - type: ContainerResource\n    containerResource: {name: cpu, container: app}\n"
        ),
        vec![
            "hpa.spec.metrics[0].containerResource.targetAverageUtilization: must set either a target raw value or a target utilization"
        ]
    );
}

#[test]
fn an_external_metric_with_both_or_no_targets_is_refused() {
    assert_eq!(
        admit_errors(
            "  - type: External\n    external: {metricName: q, targetValue: '1', targetAverageValue: '1'}\n"
        ),
        vec![
            "hpa.spec.metrics[0].external.targetValue: may not set both a target value for metric and a per-pod target"
        ]
    );
    assert_eq!(
        admit_errors("  - type: External\n    external: {metricName: q}\n"),
        vec![
            "hpa.spec.metrics[0].external.targetAverageValue: must set either a target value for metric or a per-pod target"
        ]
    );
}

#[test]
fn bad_values_are_named_as_written() {
    assert_eq!(
        admit_errors(
            "  - type: Object\n    object: {target: {kind: Service, name: ''}, metricName: '', targetValue: '0'}\n"
        ),
        vec![
            "hpa.spec.metrics[0].object.target.name: required",
            "hpa.spec.metrics[0].object.metricName: must specify a metric name",
            "hpa.spec.metrics[0].object.targetValue: \"0\": must be positive",
        ]
    );
    assert_eq!(
        admit_errors("  - type: Pods\n    pods: {metricName: rps, targetAverageValue: '-1'}\n"),
        vec!["hpa.spec.metrics[0].pods.targetAverageValue: \"-1\": must be positive"]
    );
    assert_eq!(
        admit_errors(
            "  - type: Resource\n    resource: {name: cpu, targetAverageUtilization: 0}\n"
        ),
        vec!["hpa.spec.metrics[0].resource.targetAverageUtilization: must be greater than 0"]
    );
}

#[test]
fn a_missing_required_field_is_named() {
    let yaml = "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n\
                spec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 3\n  metrics:\n  \
                - type: Pods\n    pods: {metricName: rps}\n";
    let value: serde_json::Value = serde_yaml_ng::from_str(yaml).unwrap();
    let e = serde_path_to_error::deserialize::<_, HpaObject>(&value)
        .unwrap_err()
        .to_string();
    assert!(e.contains("spec.metrics[0].pods"), "{e}");
    assert!(e.contains("missing field `targetAverageValue`"), "{e}");
}
