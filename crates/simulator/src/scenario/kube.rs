//! Reading the Kubernetes manifests of a scenario: Deployments, Services and HPAs, checked
//! the way the API server would check what the simulator relies on.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, Service};

use super::documents::Document;
use super::model::{DeploymentDef, HpaDef, ServiceDef, Workload};
use crate::error::ScenarioError;

/// The namespace of an object (`default` when unset).
pub fn namespace_of(value: &serde_json::Value) -> String {
    value
        .pointer("/metadata/namespace")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or("default")
        .to_string()
}

fn require_name(doc: &Document) -> Result<(), ScenarioError> {
    if doc.name.is_empty() {
        return Err(doc.error("metadata.name", "required"));
    }
    Ok(())
}

fn cores(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> Result<f64, String> {
    alpaca_quantity::Quantity::parse(q.0.trim())
        .map(|q| q.milli_value() as f64 / 1000.0)
        .map_err(|e| e.to_string())
}

/// Reads a Deployment (the workload model is filled in later).
pub fn deployment(doc: &Document) -> Result<DeploymentDef, ScenarioError> {
    require_name(doc)?;
    let d: Deployment = doc.read()?;
    let spec = d.spec;
    let labels = spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let selector = alpaca_engine::selector::selector_from_object(Some(&spec.selector))
        .map_err(|e| doc.error("spec.selector", e))?;
    if selector.is_everything() {
        return Err(doc.error(
            "spec.selector",
            "empty: a Deployment's selector must select its pods",
        ));
    }
    if !selector.matches(&labels) {
        return Err(doc.error(
            "spec.template.metadata.labels",
            format!("`selector` does not match template `labels` (selector: {selector})"),
        ));
    }
    let pod_spec = spec
        .template
        .spec
        .ok_or_else(|| doc.error("spec.template.spec", "required"))?;
    if pod_spec.containers.is_empty() {
        return Err(doc.error(
            "spec.template.spec.containers",
            "at least one container is required",
        ));
    }
    let replicas = spec.replicas.unwrap_or(1);
    if replicas < 0 {
        return Err(doc.error("spec.replicas", "must be greater than or equal to 0"));
    }
    let (mut cpu_request, mut all_request_cpu, mut limit_sum, mut all_limited) =
        (0.0, true, 0.0, true);
    // Each container's CPU request as metrics-server's simulated usage splits it.
    let mut container_cpu_requests = Vec::with_capacity(pod_spec.containers.len());
    for (i, c) in pod_spec.containers.iter().enumerate() {
        let res = c.resources.as_ref();
        for (field, map) in [
            ("requests", res.and_then(|r| r.requests.as_ref())),
            ("limits", res.and_then(|r| r.limits.as_ref())),
        ] {
            for (name, q) in map.into_iter().flatten() {
                alpaca_quantity::Quantity::parse(q.0.trim()).map_err(|e| {
                    doc.error(
                        format!("spec.template.spec.containers[{i}].resources.{field}.{name}"),
                        e.to_string(),
                    )
                })?;
            }
        }
        let request = res
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("cpu"));
        let limit = res
            .and_then(|r| r.limits.as_ref())
            .and_then(|r| r.get("cpu"));
        // As the API server defaults it: a container with a limit and no request requests its limit.
        let defaulted = request.or(limit);
        container_cpu_requests.push(
            defaulted
                .and_then(|q| alpaca_quantity::Quantity::parse(q.0.trim()).ok())
                .map_or(0.0, |q| q.as_approximate_f64()),
        );
        match defaulted {
            Some(q) => cpu_request += cores(q).unwrap_or(0.0),
            None => all_request_cpu = false,
        }
        match limit {
            Some(q) => limit_sum += cores(q).unwrap_or(0.0),
            None => all_limited = false,
        }
    }
    let containers = pod_spec
        .containers
        .into_iter()
        .map(|c| {
            let mut resources = c.resources.unwrap_or_default();
            if let Some(limits) = &resources.limits {
                let requests = resources.requests.get_or_insert_with(BTreeMap::new);
                for (k, v) in limits {
                    requests.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            // What the HPA controller reads of a container: its name and requests (the
            // API server has already defaulted requests from limits).
            resources.limits = None;
            Container {
                name: c.name,
                resources: Some(resources),
                ..Container::default()
            }
        })
        .collect();
    let grace = pod_spec
        .termination_grace_period_seconds
        .unwrap_or(30)
        .max(0);
    Ok(DeploymentDef {
        name: doc.name.clone(),
        namespace: namespace_of(&doc.value),
        replicas,
        labels,
        selector: selector.to_string(),
        containers,
        cpu_request,
        container_cpu_requests,
        all_request_cpu,
        cpu_limit: all_limited.then_some(limit_sum),
        grace_period: grace.saturating_mul(1000),
        workload: Workload {
            cpu_per_request: 0.010,
            idle_cpu: 0.001,
            startup_cpu: 0.001,
            memory: 32.0 * 1024.0 * 1024.0,
            memory_per_rps: 0.0,
            startup_time: 10_000,
            readiness_delay: 5_000,
            shutdown_time: grace.saturating_mul(1000),
            cpu_cap: all_limited.then_some(limit_sum),
        },
    })
}

/// Reads a Service and finds the Deployments whose pods it selects.
pub fn service(doc: &Document, deployments: &[DeploymentDef]) -> Result<ServiceDef, ScenarioError> {
    require_name(doc)?;
    let s: Service = doc.read()?;
    let namespace = namespace_of(&doc.value);
    let selector = s.spec.and_then(|s| s.selector).unwrap_or_default();
    let selected = deployments
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.namespace == namespace
                && !selector.is_empty()
                && selector.iter().all(|(k, v)| d.labels.get(k) == Some(v))
        })
        .map(|(i, _)| i)
        .collect();
    Ok(ServiceDef {
        name: doc.name.clone(),
        namespace,
        deployments: selected,
    })
}

/// Admits an HPA as the API server would, and finds the Deployment it scales.
pub fn hpa(
    doc: &Document,
    written: serde_json::Value,
    deployments: &[DeploymentDef],
) -> Result<HpaDef, ScenarioError> {
    require_name(doc)?;
    let namespace = namespace_of(&written);
    let (admitted, note) =
        admit_noting(&written).map_err(|(field, problem)| doc.error(field, problem))?;
    let target = find_target(&admitted, &namespace, deployments)
        .map_err(|p| doc.error("spec.scaleTargetRef", p))?;
    Ok(HpaDef {
        name: doc.name.clone(),
        namespace,
        written,
        admitted,
        target,
        note: note.map(|n| format!("HorizontalPodAutoscaler {:?}: {n}", doc.name)),
    })
}

/// Runs the engine's admission (read as the API server reads `autoscaling/v2`, `v1`,
/// `v2beta2` or `v2beta1`, defaulted, validated), giving the first problem as
/// (field, problem).
pub fn admit(
    written: &serde_json::Value,
) -> Result<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler, (String, String)> {
    admit_noting(written).map(|(admitted, _)| admitted)
}

/// [`admit`], with the engine's note on the version read, if it has one.
fn admit_noting(
    written: &serde_json::Value,
) -> Result<
    (
        k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler,
        Option<&'static str>,
    ),
    (String, String),
> {
    let mut with_ns = written.clone();
    if let Some(meta) = with_ns.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        meta.entry("namespace").or_insert_with(|| "default".into());
    }
    let object: alpaca_engine::HpaObject =
        serde_path_to_error::deserialize(&with_ns).map_err(|e| {
            let outer = e.path().to_string();
            let message = e.into_inner().to_string();
            // The engine marks errors inside the HPA with their own path: \u{1}path\u{1}problem.
            let mut parts = message.splitn(3, '\u{1}');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(_), Some(path), Some(problem)) => (path.to_string(), problem.to_string()),
                _ => (if outer == "." { String::new() } else { outer }, message),
            }
        })?;
    let note = object.version_note();
    // as a 1.37 API server admits it (HPAScaleToZero on); a scenario that turns the gate
    // off is checked against minReplicas 0 when its controller settings are read
    let gates = alpaca_engine::snapshot::ControllerConfig::kubernetes_1_37();
    let admitted = alpaca_engine::admit_with(&object, &gates).map_err(|e| {
        let first = e.errors.first().cloned();
        let field = first
            .as_ref()
            .map(|f| f.field.strip_prefix("hpa.").unwrap_or(&f.field).to_string())
            .unwrap_or_default();
        let problem = match e.errors.len() {
            0 => e.to_string(),
            1 => e.errors[0].problem.clone(),
            n => format!("{} (and {} more: {e})", e.errors[0].problem, n - 1),
        };
        (field, problem)
    })?;
    Ok((admitted, note))
}

/// The Deployment an admitted HPA scales.
pub fn find_target(
    hpa: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler,
    namespace: &str,
    deployments: &[DeploymentDef],
) -> Result<usize, String> {
    let r = &hpa.spec.scale_target_ref;
    if r.kind != "Deployment" {
        return Err(format!(
            "kind {:?}: the simulator scales Deployments only",
            r.kind
        ));
    }
    deployments
        .iter()
        .position(|d| d.name == r.name && d.namespace == namespace)
        .ok_or_else(|| {
            let known: Vec<&str> = deployments.iter().map(|d| d.name.as_str()).collect();
            format!(
                "no Deployment {:?} in namespace {namespace:?} in the scenario (Deployments: {})",
                r.name,
                known.join(", ")
            )
        })
}
