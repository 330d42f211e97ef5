//! The API server's validation of `autoscaling/v2` HPAs (`ValidateHorizontalPodAutoscaler`):
//! an HPA it would reject never reaches the controller, so `decide` refuses it, naming the
//! field and the problem.

use alpaca_quantity::Quantity;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingRules, HorizontalPodAutoscaler, MetricIdentifier,
    MetricSpec, MetricTarget,
};

use crate::error::FieldError;

const MAX_STABILIZATION_WINDOW_SECONDS: i32 = 3600;
const MAX_PERIOD_SECONDS: i32 = 1800;

/// Every problem with the HPA, in upstream's order.
pub(crate) fn validate(hpa: &HorizontalPodAutoscaler) -> Vec<FieldError> {
    let mut v = Errors::default();
    if hpa.metadata.name.as_deref().unwrap_or_default().is_empty() {
        v.push("hpa.metadata.name", "name or generateName is required");
    }
    let spec = &hpa.spec;
    let min = spec.min_replicas.unwrap_or(1);
    if min < 1 {
        v.push("hpa.spec.minReplicas", "must be greater than or equal to 1");
    }
    if spec.max_replicas < 1 {
        v.push("hpa.spec.maxReplicas", "must be greater than 0");
    }
    if spec.max_replicas < min {
        v.push(
            "hpa.spec.maxReplicas",
            "must be greater than or equal to `minReplicas`",
        );
    }
    cross_version_ref(&mut v, &spec.scale_target_ref, "hpa.spec.scaleTargetRef");
    for (i, m) in spec.metrics.iter().flatten().enumerate() {
        metric_spec(&mut v, m, &format!("hpa.spec.metrics[{i}]"));
    }
    if let Some(b) = spec.behavior.as_ref() {
        scaling_rules(&mut v, b.scale_up.as_ref(), "hpa.spec.behavior.scaleUp");
        scaling_rules(&mut v, b.scale_down.as_ref(), "hpa.spec.behavior.scaleDown");
    }
    v.0
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: &str, problem: impl Into<String>) {
        self.0.push(FieldError::new(field, problem.into()));
    }
}

fn path_segment(v: &mut Errors, value: &str, field: &str) {
    if value.is_empty() {
        v.push(field, "required");
    } else if value == "." || value == ".." {
        v.push(field, format!("may not be '{value}'"));
    } else if value.contains('/') || value.contains('%') {
        let bad = if value.contains('/') { "/" } else { "%" };
        v.push(field, format!("{value:?}: may not contain '{bad}'"));
    }
}

fn cross_version_ref(v: &mut Errors, r: &CrossVersionObjectReference, field: &str) {
    path_segment(v, &r.kind, &format!("{field}.kind"));
    path_segment(v, &r.name, &format!("{field}.name"));
}

fn identifier(v: &mut Errors, id: &MetricIdentifier, field: &str) {
    if id.name.is_empty() {
        v.push(&format!("{field}.name"), "must specify a metric name");
    } else {
        path_segment(v, &id.name, &format!("{field}.name"));
    }
}

/// Parses a target quantity, reporting malformed or non-positive values.
fn positive(
    v: &mut Errors,
    q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    field: &str,
) {
    if let Some(q) = q {
        match Quantity::parse(&q.0) {
            Ok(parsed) if parsed.sign() == 1 => {}
            Ok(_) => v.push(field, format!("{:?}: must be positive", q.0)),
            Err(e) => v.push(field, e.to_string()),
        }
    }
}

fn target(v: &mut Errors, t: &MetricTarget, field: &str) {
    if t.type_.is_empty() {
        v.push(
            &format!("{field}.type"),
            "must specify a metric target type",
        );
    } else if !matches!(t.type_.as_str(), "Utilization" | "Value" | "AverageValue") {
        v.push(
            &format!("{field}.type"),
            format!(
                "{:?}: must be either Utilization, Value, or AverageValue",
                t.type_
            ),
        );
    }
    positive(v, t.value.as_ref(), &format!("{field}.value"));
    positive(
        v,
        t.average_value.as_ref(),
        &format!("{field}.averageValue"),
    );
    if let Some(u) = t.average_utilization
        && u < 1
    {
        v.push(
            &format!("{field}.averageUtilization"),
            "must be greater than 0",
        );
    }
}

fn resource_name(v: &mut Errors, name: &str, field: &str) {
    if name.is_empty() {
        v.push(field, "must specify a resource name");
    } else if !name.contains('/')
        && !matches!(name, "cpu" | "memory" | "ephemeral-storage")
        && !name.starts_with("hugepages-")
    {
        v.push(
            field,
            format!("{name:?}: must be a standard resource type or fully qualified"),
        );
    }
}

fn utilization_or_value(v: &mut Errors, t: &MetricTarget, field: &str) {
    if t.average_utilization.is_none() && t.average_value.is_none() {
        v.push(
            &format!("{field}.averageUtilization"),
            "must set either a target raw value or a target utilization",
        );
    }
    if t.average_utilization.is_some() && t.average_value.is_some() {
        v.push(
            &format!("{field}.averageValue"),
            "may not set both a target raw value and a target utilization",
        );
    }
}

fn metric_spec(v: &mut Errors, m: &MetricSpec, field: &str) {
    const TYPES: &str = "\"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"";
    if m.type_.is_empty() {
        v.push(
            &format!("{field}.type"),
            "must specify a metric source type",
        );
    }
    let mut present = Vec::new();
    if let Some(o) = &m.object {
        present.push("object");
        let f = format!("{field}.object");
        cross_version_ref(v, &o.described_object, &format!("{f}.describedObject"));
        identifier(v, &o.metric, &format!("{f}.metric"));
        target(v, &o.target, &format!("{f}.target"));
        if o.target.value.is_none() && o.target.average_value.is_none() {
            v.push(
                &format!("{f}.target.averageValue"),
                "must set either a target value or average value",
            );
        }
    }
    if let Some(p) = &m.pods {
        present.push("pods");
        let f = format!("{field}.pods");
        identifier(v, &p.metric, &format!("{f}.metric"));
        target(v, &p.target, &format!("{f}.target"));
        if p.target.average_value.is_none() {
            v.push(
                &format!("{f}.target.averageValue"),
                "must specify a positive target averageValue",
            );
        }
    }
    if let Some(r) = &m.resource {
        present.push("resource");
        let f = format!("{field}.resource");
        resource_name(v, &r.name, &format!("{f}.name"));
        target(v, &r.target, &format!("{f}.target"));
        utilization_or_value(v, &r.target, &format!("{f}.target"));
    }
    if let Some(r) = &m.container_resource {
        present.push("containerResource");
        let f = format!("{field}.containerResource");
        resource_name(v, &r.name, &format!("{f}.name"));
        if r.container.is_empty() {
            v.push(&format!("{f}.container"), "must specify a container");
        }
        target(v, &r.target, &format!("{f}.target"));
        utilization_or_value(v, &r.target, &format!("{f}.target"));
    }
    if let Some(e) = &m.external {
        present.push("external");
        let f = format!("{field}.external");
        identifier(v, &e.metric, &format!("{f}.metric"));
        target(v, &e.target, &format!("{f}.target"));
        if e.target.value.is_none() && e.target.average_value.is_none() {
            v.push(
                &format!("{f}.target.averageValue"),
                "must set either a target value for metric or a per-pod target",
            );
        }
        if e.target.value.is_some() && e.target.average_value.is_some() {
            v.push(
                &format!("{f}.target.value"),
                "may not set both a target value for metric and a per-pod target",
            );
        }
    }
    let expected = match m.type_.as_str() {
        "Object" => "object",
        "Pods" => "pods",
        "Resource" => "resource",
        "ContainerResource" => "containerResource",
        "External" => "external",
        other => {
            v.push(
                &format!("{field}.type"),
                format!("Unsupported value: {other:?}: supported values: {TYPES}"),
            );
            ""
        }
    };
    if !expected.is_empty() && !present.contains(&expected) {
        v.push(
            &format!("{field}.{expected}"),
            "must populate information for the given metric source",
        );
    }
    if present.len() > 1 {
        for p in present.iter().filter(|p| **p != expected) {
            v.push(
                &format!("{field}.{p}"),
                "must populate the given metric source only",
            );
        }
    }
}

fn scaling_rules(v: &mut Errors, rules: Option<&HPAScalingRules>, field: &str) {
    let Some(r) = rules else { return };
    if let Some(w) = r.stabilization_window_seconds {
        if w < 0 {
            v.push(
                &format!("{field}.stabilizationWindowSeconds"),
                "must be greater than or equal to zero",
            );
        }
        if w > MAX_STABILIZATION_WINDOW_SECONDS {
            v.push(
                &format!("{field}.stabilizationWindowSeconds"),
                format!("must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"),
            );
        }
    }
    if let Some(p) = &r.select_policy
        && !matches!(p.as_str(), "Max" | "Min" | "Disabled")
    {
        v.push(
            &format!("{field}.selectPolicy"),
            format!("Unsupported value: {p:?}: supported values: \"Disabled\", \"Max\", \"Min\""),
        );
    }
    let policies = r.policies.as_deref().unwrap_or_default();
    if policies.is_empty() {
        v.push(
            &format!("{field}.policies"),
            "must specify at least one Policy",
        );
    }
    for (i, p) in policies.iter().enumerate() {
        let f = format!("{field}.policies[{i}]");
        if !matches!(p.type_.as_str(), "Pods" | "Percent") {
            v.push(
                &format!("{f}.type"),
                format!(
                    "Unsupported value: {:?}: supported values: \"Percent\", \"Pods\"",
                    p.type_
                ),
            );
        }
        if p.value <= 0 {
            v.push(&format!("{f}.value"), "must be greater than zero");
        }
        if p.period_seconds <= 0 {
            v.push(&format!("{f}.periodSeconds"), "must be greater than zero");
        }
        if p.period_seconds > MAX_PERIOD_SECONDS {
            v.push(
                &format!("{f}.periodSeconds"),
                format!("must be less than or equal to {MAX_PERIOD_SECONDS}"),
            );
        }
    }
    if let Some(t) = &r.tolerance {
        match Quantity::parse(&t.0) {
            Ok(q) if q.sign() >= 0 => {}
            Ok(_) => v.push(
                &format!("{field}.tolerance"),
                "must be greater than or equal to 0",
            ),
            Err(e) => v.push(&format!("{field}.tolerance"), e.to_string()),
        }
    }
}
