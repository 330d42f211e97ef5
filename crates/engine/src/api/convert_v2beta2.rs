//! The API server's conversion of an `autoscaling/v2beta2` HPA to `autoscaling/v2`
//! (`Convert_v2beta2_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler`):
//! field for field the same, except that the tolerances v2beta2 has no field for come
//! from the `autoscaling.alpha.kubernetes.io/scale-{down,up}-tolerance` annotations, and
//! the round-trip annotations are dropped.
//!
//! Defaulting is v2's (v2beta2's defaults are the same: minReplicas 1, cpu at 80% without
//! metrics, the missing parts of a `behavior`), so it is left to `defaults::apply`.

use k8s_openapi::api::autoscaling::v2::{HPAScalingRules, HorizontalPodAutoscaler};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::round_trip;
use super::v2beta2;
use crate::error::{FieldError, InvalidSnapshot};

/// Converts a v2beta2 HPA to v2.
pub(crate) fn convert(
    old: &v2beta2::HorizontalPodAutoscaler,
) -> Result<HorizontalPodAutoscaler, InvalidSnapshot> {
    let mut errors = written_tolerances(old);
    let mut metadata = old.metadata.clone();
    let mut spec = old.spec.clone();
    let annotations = metadata.annotations.as_ref();
    for (key, down) in [
        (round_trip::SCALE_DOWN_TOLERANCE, true),
        (round_trip::SCALE_UP_TOLERANCE, false),
    ] {
        let Some(raw) = annotations.and_then(|a| a.get(key)) else {
            continue;
        };
        match alpaca_quantity::Quantity::parse(raw) {
            Ok(q) => rules(&mut spec, down).tolerance = Some(Quantity(q.to_string())),
            Err(e) => errors.push(FieldError::new(
                &format!("hpa.metadata.annotations[{key}]"),
                format!("failed to parse annotation {key:?}: {e}"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(InvalidSnapshot { errors });
    }
    round_trip::drop_all(&mut metadata.annotations);
    Ok(HorizontalPodAutoscaler {
        metadata,
        spec,
        status: old.status.clone(),
    })
}

/// The scaling rules of one direction, created empty if absent (as upstream does before
/// setting a tolerance from an annotation).
fn rules(
    spec: &mut k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec,
    down: bool,
) -> &mut HPAScalingRules {
    let behavior = spec.behavior.get_or_insert_with(Default::default);
    let rules = if down {
        &mut behavior.scale_down
    } else {
        &mut behavior.scale_up
    };
    rules.get_or_insert_with(Default::default)
}

/// `tolerance` written in the spec: a v2 field (Kubernetes 1.33) that a v2beta2 object
/// cannot carry. The API server would have dropped it as unknown; refusing it says so
/// instead of simulating without it.
fn written_tolerances(old: &v2beta2::HorizontalPodAutoscaler) -> Vec<FieldError> {
    let Some(b) = &old.spec.behavior else {
        return Vec::new();
    };
    [("scaleUp", &b.scale_up), ("scaleDown", &b.scale_down)]
        .into_iter()
        .filter(|(_, r)| r.as_ref().is_some_and(|r| r.tolerance.is_some()))
        .map(|(name, _)| {
            FieldError::new(
                &format!("hpa.spec.behavior.{name}.tolerance"),
                "not a field of autoscaling/v2beta2 (it is new in autoscaling/v2): \
                 use apiVersion autoscaling/v2, or the annotation \
                 autoscaling.alpha.kubernetes.io/scale-{up,down}-tolerance",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> v2beta2::HorizontalPodAutoscaler {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    const OBJECT_METRIC: &str = r#"
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: sample-app
  annotations: {team: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: sample-app}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Object
    object:
      describedObject: {apiVersion: v1, kind: Service, name: kubernetes}
      metric: {name: test-metric}
      target: {type: Value, value: 300m}
status:
  currentReplicas: 2
  desiredReplicas: 3
"#;

    #[test]
    fn spec_and_status_are_v2s() {
        let old = read(OBJECT_METRIC);
        let new = convert(&old).unwrap();
        assert_eq!(new.spec, old.spec);
        assert_eq!(new.status, old.status);
        assert_eq!(new.metadata, old.metadata);
    }

    #[test]
    fn tolerances_come_from_the_annotations_and_the_annotations_go() {
        let yaml = OBJECT_METRIC.replace(
            "annotations: {team: web}",
            "annotations: {team: web, autoscaling.alpha.kubernetes.io/scale-down-tolerance: '0.05', \
             autoscaling.alpha.kubernetes.io/scale-up-tolerance: 100m, \
             autoscaling.alpha.kubernetes.io/metrics: '[]'}",
        );
        let new = convert(&read(&yaml)).unwrap();
        let behavior = new.spec.behavior.unwrap();
        let down = behavior.scale_down.unwrap();
        assert_eq!(down.tolerance, Some(Quantity("50m".into())));
        assert_eq!(down.policies, None, "defaulting fills the rest later");
        assert_eq!(
            behavior.scale_up.unwrap().tolerance,
            Some(Quantity("100m".into()))
        );
        let annotations = new.metadata.annotations.unwrap();
        assert_eq!(annotations.keys().collect::<Vec<_>>(), vec!["team"]);
    }

    #[test]
    fn a_bad_tolerance_annotation_names_the_annotation() {
        let yaml = OBJECT_METRIC.replace(
            "annotations: {team: web}",
            "annotations: {autoscaling.alpha.kubernetes.io/scale-up-tolerance: lots}",
        );
        let e = convert(&read(&yaml)).unwrap_err();
        assert_eq!(
            e.errors[0].field,
            "hpa.metadata.annotations[autoscaling.alpha.kubernetes.io/scale-up-tolerance]"
        );
        assert!(
            e.errors[0].problem.starts_with(
                "failed to parse annotation \"autoscaling.alpha.kubernetes.io/scale-up-tolerance\": "
            ),
            "{e}"
        );
    }

    #[test]
    fn a_written_tolerance_is_refused() {
        let yaml = OBJECT_METRIC.replace(
            "  maxReplicas: 10\n",
            "  maxReplicas: 10\n  behavior:\n    scaleDown: {tolerance: '0.05'}\n",
        );
        let e = convert(&read(&yaml)).unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "hpa.spec.behavior.scaleDown.tolerance");
        assert!(e.errors[0].problem.contains("autoscaling/v2beta2"), "{e}");
    }
}
