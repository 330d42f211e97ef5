//! The memory backend's resource metrics writes, shaped like the read paths of
//! `metrics.k8s.io`: `POST /write-resource-metrics/namespaces/NS/pods/NAME` with
//! `{"containers":[{"name":"app","usage":{"cpu":"250m","memory":"64Mi"}}]}` and
//! `POST /write-resource-metrics/nodes/NAME` with `{"usage":{"cpu":"1","memory":"2Gi"}}`,
//! each with an optional `"window"` (`"30s"` when absent) and `?labels=k=v,...` (the object's
//! labels, used when the adapter has no cluster to read them from). A write replaces the
//! object's previous usage and is timestamped when received. Served only with `--enable-write`.

use std::collections::BTreeMap;

use alpaca_metrics_api::GoDuration;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde::Deserialize;

use super::status::ApiError;
use super::write::{labels_param, read_text, writable};
use super::{SharedState, query_params};
use crate::backend::resource::Usage;

/// The window reported when a write does not give one.
pub const DEFAULT_WINDOW: GoDuration = GoDuration::from_secs(30);

/// A write's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteBody {
    /// Per container (pods).
    #[serde(default)]
    containers: Vec<ContainerBody>,
    /// The node's usage (nodes).
    #[serde(default)]
    usage: BTreeMap<String, String>,
    /// The sampling window.
    window: Option<GoDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContainerBody {
    name: String,
    #[serde(default)]
    usage: BTreeMap<String, String>,
}

/// `POST /write-resource-metrics/...`.
pub async fn write(
    State(st): State<SharedState>,
    Path(rest): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let memory = writable(&st)?;
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let (node, namespace, name) = match segs.as_slice() {
        ["namespaces", ns, "pods", n] if valid(ns) && valid(n) => (false, *ns, *n),
        ["nodes", n] if valid(n) => (true, "", *n),
        _ => {
            return Err(ApiError::NotFound(format!(
                "{rest:?} is not a resource metrics write path (namespaces/NS/pods/NAME or nodes/NAME)"
            )));
        }
    };
    let labels = labels_param(&query_params(&uri)?, "labels")?;
    let text = read_text(&st, &headers, body).await?;
    let parsed: WriteBody = serde_json::from_str(&text)
        .map_err(|e| ApiError::BadRequest(format!("invalid resource metrics body: {e}")))?;
    let containers = if node {
        if !parsed.containers.is_empty() || parsed.usage.is_empty() {
            return Err(ApiError::BadRequest(
                "a node's body is {\"usage\":{\"cpu\":...,\"memory\":...}}".into(),
            ));
        }
        vec![(String::new(), quantities(parsed.usage)?)]
    } else {
        if parsed.containers.is_empty() || !parsed.usage.is_empty() {
            return Err(ApiError::BadRequest(
                "a pod's body is {\"containers\":[{\"name\":...,\"usage\":{\"cpu\":...,\"memory\":...}}]}".into(),
            ));
        }
        let mut out: Vec<(String, BTreeMap<String, Quantity>)> = Vec::new();
        for c in parsed.containers {
            if !valid(&c.name) || out.iter().any(|(n, _)| *n == c.name) {
                return Err(ApiError::BadRequest(format!(
                    "container names must be non-empty and distinct ({:?})",
                    c.name
                )));
            }
            out.push((c.name, quantities(c.usage)?));
        }
        out
    };
    memory.resources.write(
        node,
        Usage {
            namespace: namespace.to_string(),
            name: name.to_string(),
            labels,
            timestamp: Time(jiff::Timestamp::now()),
            window: parsed.window.unwrap_or(DEFAULT_WINDOW),
            containers,
        },
    );
    Ok(StatusCode::OK)
}

fn valid(s: &str) -> bool {
    !s.is_empty() && s != "*"
}

fn quantities(usage: BTreeMap<String, String>) -> Result<BTreeMap<String, Quantity>, ApiError> {
    usage
        .into_iter()
        .map(|(resource, value)| {
            let q = crate::quantity::parse_written(&value).map_err(|e| {
                ApiError::BadRequest(format!("invalid quantity {value:?} for {resource}: {e}"))
            })?;
            Ok((resource, q))
        })
        .collect()
}
