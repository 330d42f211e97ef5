//! Names the fields of a refused `autoscaling/v2beta1` HPA as they were written. The API
//! server validates the converted object and names its fields (`resource.target.averageValue`);
//! the same problem is reported here at the v2beta1 field (`resource.targetAverageValue`).

use crate::error::FieldError;

/// v2 paths inside a metric, and the v2beta1 field each comes from.
const WRITTEN: &[(&str, &str)] = &[
    (
        "resource.target.averageUtilization",
        "resource.targetAverageUtilization",
    ),
    (
        "resource.target.averageValue",
        "resource.targetAverageValue",
    ),
    (
        "containerResource.target.averageUtilization",
        "containerResource.targetAverageUtilization",
    ),
    (
        "containerResource.target.averageValue",
        "containerResource.targetAverageValue",
    ),
    ("pods.target.averageValue", "pods.targetAverageValue"),
    ("pods.metric.name", "pods.metricName"),
    ("pods.metric.selector", "pods.selector"),
    ("object.target.value", "object.targetValue"),
    ("object.target.averageValue", "object.averageValue"),
    ("object.describedObject", "object.target"),
    ("object.metric.name", "object.metricName"),
    ("object.metric.selector", "object.selector"),
    ("external.target.value", "external.targetValue"),
    (
        "external.target.averageValue",
        "external.targetAverageValue",
    ),
    ("external.metric.name", "external.metricName"),
    ("external.metric.selector", "external.metricSelector"),
];

const METRICS: &str = "hpa.spec.metrics[";

/// Rewrites the errors' fields from the converted object's to the written object's.
pub(crate) fn rename(errors: &mut [FieldError]) {
    for e in errors {
        if let Some(written) = written(&e.field) {
            e.field = written;
        }
    }
}

/// The v2beta1 path of a v2 path inside `hpa.spec.metrics[i]`, when they differ.
fn written(field: &str) -> Option<String> {
    let rest = field.strip_prefix(METRICS)?;
    let (index, inner) = rest.split_once("].")?;
    WRITTEN.iter().find_map(|(v2, v2beta1)| {
        let tail = inner.strip_prefix(v2)?;
        (tail.is_empty() || tail.starts_with('.'))
            .then(|| format!("{METRICS}{index}].{v2beta1}{tail}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renamed(field: &str) -> String {
        let mut errors = [FieldError::new(field, "problem")];
        rename(&mut errors);
        errors[0].field.clone()
    }

    #[test]
    fn metric_fields_are_named_as_written() {
        for (v2, v2beta1) in [
            (
                "hpa.spec.metrics[0].resource.target.averageValue",
                "hpa.spec.metrics[0].resource.targetAverageValue",
            ),
            (
                "hpa.spec.metrics[2].containerResource.target.averageUtilization",
                "hpa.spec.metrics[2].containerResource.targetAverageUtilization",
            ),
            (
                "hpa.spec.metrics[1].object.describedObject.kind",
                "hpa.spec.metrics[1].object.target.kind",
            ),
            (
                "hpa.spec.metrics[1].object.target.value",
                "hpa.spec.metrics[1].object.targetValue",
            ),
            (
                "hpa.spec.metrics[10].external.target.averageValue",
                "hpa.spec.metrics[10].external.targetAverageValue",
            ),
            (
                "hpa.spec.metrics[0].pods.metric.name",
                "hpa.spec.metrics[0].pods.metricName",
            ),
        ] {
            assert_eq!(renamed(v2), v2beta1);
        }
    }

    #[test]
    fn other_fields_are_the_same_in_both() {
        for same in [
            "hpa.spec.maxReplicas",
            "hpa.spec.metrics[0].type",
            "hpa.spec.metrics[0].resource.name",
            "hpa.spec.metrics[0].object.target.valueish",
            "hpa.spec.scaleTargetRef.kind",
        ] {
            assert_eq!(renamed(same), same);
        }
    }
}
