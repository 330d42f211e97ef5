//! The API server's validation of `autoscaling/v2` HPAs (`ValidateHorizontalPodAutoscaler`):
//! an HPA it would reject never reaches the controller, so `decide` refuses it, naming the
//! field and the problem.

use alpaca_quantity::Quantity;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingRules, HorizontalPodAutoscalerSpec, MetricIdentifier,
    MetricSpec, MetricTarget,
};

use crate::error::FieldError;

const MAX_STABILIZATION_WINDOW_SECONDS: i32 = 3600;
const MAX_PERIOD_SECONDS: i32 = 1800;

/// Every problem with the HPA, in upstream's order. `scale_to_zero` is the `HPAScaleToZero`
/// feature gate: it lowers `minReplicas`' lower bound from 1 to 0.
pub(crate) fn validate(
    name: &str,
    spec: &HorizontalPodAutoscalerSpec,
    scale_to_zero: bool,
) -> Vec<FieldError> {
    let mut v = Errors::default();
    if name.is_empty() {
        v.push(
            P::Root("hpa.metadata.name"),
            "name or generateName is required",
        );
    }
    let min = spec.min_replicas.unwrap_or(1);
    let lower_bound = if scale_to_zero { 0 } else { 1 };
    if min < lower_bound {
        v.push(
            P::Root("hpa.spec.minReplicas"),
            format!("must be greater than or equal to {lower_bound}"),
        );
    }
    if spec.max_replicas < 1 {
        v.push(P::Root("hpa.spec.maxReplicas"), "must be greater than 0");
    }
    if spec.max_replicas < min {
        v.push(
            P::Root("hpa.spec.maxReplicas"),
            "must be greater than or equal to `minReplicas`",
        );
    }
    let spec_p = P::Root("hpa.spec");
    cross_version_ref(&mut v, &spec.scale_target_ref, spec_p.f("scaleTargetRef"));
    let metrics_p = spec_p.f("metrics");
    for (i, m) in spec.metrics.iter().flatten().enumerate() {
        metric_spec(&mut v, m, metrics_p.i(i));
    }
    // validateMetrics: scaling to zero needs a metric that exists without pods
    let object_or_external = spec
        .metrics
        .iter()
        .flatten()
        .any(|m| m.type_ == "Object" || m.type_ == "External");
    if min == 0 && !object_or_external {
        v.push(
            metrics_p,
            "must specify at least one Object or External metric to support scaling to zero replicas",
        );
    }
    if let Some(b) = spec.behavior.as_ref() {
        let behavior_p = spec_p.f("behavior");
        scaling_rules(&mut v, b.scale_up.as_ref(), behavior_p.f("scaleUp"));
        scaling_rules(&mut v, b.scale_down.as_ref(), behavior_p.f("scaleDown"));
    }
    v.0
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: P<'_>, problem: impl Into<String>) {
        self.0
            .push(FieldError::new(&field.to_string(), problem.into()));
    }
}

/// A field path, rendered only when a problem is found.
#[derive(Clone, Copy)]
enum P<'a> {
    Root(&'static str),
    Field(&'a P<'a>, &'static str),
    Index(&'a P<'a>, usize),
}

impl<'a> P<'a> {
    fn f(&'a self, name: &'static str) -> P<'a> {
        P::Field(self, name)
    }
    fn i(&'a self, index: usize) -> P<'a> {
        P::Index(self, index)
    }
}

impl std::fmt::Display for P<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            P::Root(name) => f.write_str(name),
            P::Field(parent, name) => write!(f, "{parent}.{name}"),
            P::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

fn path_segment(v: &mut Errors, value: &str, field: P<'_>) {
    if value.is_empty() {
        v.push(field, "required");
    } else if value == "." || value == ".." {
        v.push(field, format!("may not be '{value}'"));
    } else if value.contains('/') || value.contains('%') {
        let bad = if value.contains('/') { "/" } else { "%" };
        v.push(field, format!("{value:?}: may not contain '{bad}'"));
    }
}

fn cross_version_ref(v: &mut Errors, r: &CrossVersionObjectReference, field: P<'_>) {
    path_segment(v, &r.kind, field.f("kind"));
    path_segment(v, &r.name, field.f("name"));
}

fn identifier(v: &mut Errors, id: &MetricIdentifier, field: P<'_>) {
    if id.name.is_empty() {
        v.push(field.f("name"), "must specify a metric name");
    } else {
        path_segment(v, &id.name, field.f("name"));
    }
}

/// Parses a target quantity, reporting malformed or non-positive values.
fn positive(
    v: &mut Errors,
    q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    field: P<'_>,
) {
    if let Some(q) = q {
        match Quantity::parse(&q.0) {
            Ok(parsed) if parsed.sign() == 1 => {}
            Ok(_) => v.push(field, format!("{:?}: must be positive", q.0)),
            Err(e) => v.push(field, e.to_string()),
        }
    }
}

fn target(v: &mut Errors, t: &MetricTarget, field: P<'_>) {
    if t.type_.is_empty() {
        v.push(field.f("type"), "must specify a metric target type");
    } else if !matches!(t.type_.as_str(), "Utilization" | "Value" | "AverageValue") {
        v.push(
            field.f("type"),
            format!(
                "{:?}: must be either Utilization, Value, or AverageValue",
                t.type_
            ),
        );
    }
    positive(v, t.value.as_ref(), field.f("value"));
    positive(v, t.average_value.as_ref(), field.f("averageValue"));
    if let Some(u) = t.average_utilization
        && u < 1
    {
        v.push(field.f("averageUtilization"), "must be greater than 0");
    }
}

fn resource_name(v: &mut Errors, name: &str, field: P<'_>) {
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

fn utilization_or_value(v: &mut Errors, t: &MetricTarget, field: P<'_>) {
    if t.average_utilization.is_none() && t.average_value.is_none() {
        v.push(
            field.f("averageUtilization"),
            "must set either a target raw value or a target utilization",
        );
    }
    if t.average_utilization.is_some() && t.average_value.is_some() {
        v.push(
            field.f("averageValue"),
            "may not set both a target raw value and a target utilization",
        );
    }
}

fn metric_spec(v: &mut Errors, m: &MetricSpec, field: P<'_>) {
    const TYPES: &str = "\"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"";
    if m.type_.is_empty() {
        v.push(field.f("type"), "must specify a metric source type");
    }
    let mut present = Vec::new();
    if let Some(o) = &m.object {
        present.push("object");
        let f = field.f("object");
        cross_version_ref(v, &o.described_object, f.f("describedObject"));
        identifier(v, &o.metric, f.f("metric"));
        target(v, &o.target, f.f("target"));
        if o.target.value.is_none() && o.target.average_value.is_none() {
            v.push(
                f.f("target").f("averageValue"),
                "must set either a target value or average value",
            );
        }
    }
    if let Some(p) = &m.pods {
        present.push("pods");
        let f = field.f("pods");
        identifier(v, &p.metric, f.f("metric"));
        target(v, &p.target, f.f("target"));
        if p.target.average_value.is_none() {
            v.push(
                f.f("target").f("averageValue"),
                "must specify a positive target averageValue",
            );
        }
    }
    if let Some(r) = &m.resource {
        present.push("resource");
        let f = field.f("resource");
        resource_name(v, &r.name, f.f("name"));
        target(v, &r.target, f.f("target"));
        utilization_or_value(v, &r.target, f.f("target"));
    }
    if let Some(r) = &m.container_resource {
        present.push("containerResource");
        let f = field.f("containerResource");
        resource_name(v, &r.name, f.f("name"));
        if r.container.is_empty() {
            v.push(f.f("container"), "must specify a container");
        }
        target(v, &r.target, f.f("target"));
        utilization_or_value(v, &r.target, f.f("target"));
    }
    if let Some(e) = &m.external {
        present.push("external");
        let f = field.f("external");
        identifier(v, &e.metric, f.f("metric"));
        target(v, &e.target, f.f("target"));
        if e.target.value.is_none() && e.target.average_value.is_none() {
            v.push(
                f.f("target").f("averageValue"),
                "must set either a target value for metric or a per-pod target",
            );
        }
        if e.target.value.is_some() && e.target.average_value.is_some() {
            v.push(
                f.f("target").f("value"),
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
                field.f("type"),
                format!("Unsupported value: {other:?}: supported values: {TYPES}"),
            );
            ""
        }
    };
    if !expected.is_empty() && !present.contains(&expected) {
        v.push(
            field.f(expected),
            "must populate information for the given metric source",
        );
    }
    if present.len() > 1 {
        for p in present.iter().filter(|p| **p != expected) {
            v.push(field.f(p), "must populate the given metric source only");
        }
    }
}

fn scaling_rules(v: &mut Errors, rules: Option<&HPAScalingRules>, field: P<'_>) {
    let Some(r) = rules else { return };
    if let Some(w) = r.stabilization_window_seconds {
        if w < 0 {
            v.push(
                field.f("stabilizationWindowSeconds"),
                "must be greater than or equal to zero",
            );
        }
        if w > MAX_STABILIZATION_WINDOW_SECONDS {
            v.push(
                field.f("stabilizationWindowSeconds"),
                format!("must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"),
            );
        }
    }
    if let Some(p) = &r.select_policy
        && !matches!(p.as_str(), "Max" | "Min" | "Disabled")
    {
        v.push(
            field.f("selectPolicy"),
            format!("Unsupported value: {p:?}: supported values: \"Disabled\", \"Max\", \"Min\""),
        );
    }
    let policies = r.policies.as_deref().unwrap_or_default();
    if policies.is_empty() {
        v.push(field.f("policies"), "must specify at least one Policy");
    }
    let policies_p = field.f("policies");
    for (i, p) in policies.iter().enumerate() {
        let f = policies_p.i(i);
        if !matches!(p.type_.as_str(), "Pods" | "Percent") {
            v.push(
                f.f("type"),
                format!(
                    "Unsupported value: {:?}: supported values: \"Percent\", \"Pods\"",
                    p.type_
                ),
            );
        }
        if p.value <= 0 {
            v.push(f.f("value"), "must be greater than zero");
        }
        if p.period_seconds <= 0 {
            v.push(f.f("periodSeconds"), "must be greater than zero");
        }
        if p.period_seconds > MAX_PERIOD_SECONDS {
            v.push(
                f.f("periodSeconds"),
                format!("must be less than or equal to {MAX_PERIOD_SECONDS}"),
            );
        }
    }
    if let Some(t) = &r.tolerance {
        match Quantity::parse(&t.0) {
            Ok(q) if q.sign() >= 0 => {}
            Ok(_) => v.push(field.f("tolerance"), "must be greater than or equal to 0"),
            Err(e) => v.push(field.f("tolerance"), e.to_string()),
        }
    }
}
