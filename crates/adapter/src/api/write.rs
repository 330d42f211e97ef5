//! The memory backend's write URLs, shaped like the custom-metrics-apiserver testing
//! adapter's: `POST /write-metrics/namespaces/NS/RESOURCE/NAME/METRIC`,
//! `/write-metrics/RESOURCE/NAME/METRIC` and `/write-metrics/namespaces/NAME/metrics/METRIC`
//! with a JSON quantity string body (`"300m"`) and optional `?labels=k=v,...` (the metric's
//! labels) and `?objectLabels=k=v,...` (the object's labels, matched by `labelSelector`);
//! plus `POST /write-external-metrics/namespaces/NS/METRIC?labels=k=v,...` for external
//! metrics. Served only with `--enable-write`.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};

use super::paths::parse_object_path;
use super::status::ApiError;
use super::{SharedState, query_params};
use crate::backend::memory::{MemoryBackend, ObjectTarget};
use crate::backend::{Backend, Labels};

/// `POST /write-metrics/...`.
pub async fn custom(
    State(st): State<SharedState>,
    Path(rest): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let memory = writable(&st)?;
    let path = parse_object_path(&rest)?;
    if path.name == "*" {
        return Err(ApiError::BadRequest(
            "write a value for one named object, not '*'".into(),
        ));
    }
    let params = query_params(&uri)?;
    let metric_labels = labels_param(&params, "labels")?;
    let object_labels = labels_param(&params, "objectLabels")?;
    let value = read_value(&st, &headers, body).await?;
    memory.write_custom(
        &ObjectTarget {
            info: path.info,
            namespace: path.namespace,
            name: path.name,
        },
        value,
        metric_labels,
        object_labels,
    );
    Ok(StatusCode::OK)
}

/// `POST /write-external-metrics/namespaces/NS/METRIC`.
pub async fn external(
    State(st): State<SharedState>,
    Path(rest): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let memory = writable(&st)?;
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let (namespace, metric) = match segs.as_slice() {
        ["namespaces", ns, metric] if !ns.is_empty() && !metric.is_empty() && *ns != "*" => {
            (*ns, *metric)
        }
        _ => {
            return Err(ApiError::NotFound(format!(
                "{rest:?} is not an external metric write path (namespaces/NS/METRIC)"
            )));
        }
    };
    let params = query_params(&uri)?;
    let labels = labels_param(&params, "labels")?;
    let value = read_value(&st, &headers, body).await?;
    memory.write_external(namespace, metric, labels, value);
    Ok(StatusCode::OK)
}

pub(crate) fn writable(st: &SharedState) -> Result<&MemoryBackend, ApiError> {
    if !st.enable_write {
        return Err(ApiError::Forbidden(
            "writes are disabled: start the adapter with --enable-write".into(),
        ));
    }
    match &st.backend {
        Backend::Memory(m) => Ok(m),
        Backend::Prometheus(_) => Err(ApiError::Forbidden(
            "writes go to the memory backend; this adapter serves Prometheus".into(),
        )),
    }
}

/// Parses `k=v,k2=v2` (as `labels.ConvertSelectorToLabelsMap`).
pub(crate) fn labels_param(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Labels, ApiError> {
    let Some(raw) = params.get(name) else {
        return Ok(Labels::new());
    };
    let bad = |why: String| ApiError::BadRequest(format!("invalid {name} {raw:?}: {why}"));
    let sel = crate::selector::parse(raw).map_err(|e| bad(e.to_string()))?;
    sel.requirements()
        .iter()
        .map(|r| match r.values.first() {
            Some(v) if crate::selector::is_equality(r) => Ok((r.key.clone(), v.clone())),
            _ => Err(bad(format!("{r} is not a key=value pair"))),
        })
        .collect()
}

async fn read_value(
    st: &SharedState,
    headers: &HeaderMap,
    body: Body,
) -> Result<k8s_openapi::apimachinery::pkg::api::resource::Quantity, ApiError> {
    let text = read_text(st, headers, body).await?;
    crate::quantity::parse_written(&text)
        .map_err(|e| ApiError::BadRequest(format!("invalid quantity in the body: {e}")))
}

/// The body as UTF-8 text, refused when over `--max-request-body-bytes`.
pub(crate) async fn read_text(
    st: &SharedState,
    headers: &HeaderMap,
    body: Body,
) -> Result<String, ApiError> {
    let limit = st.max_body_bytes;
    let too_large = || ApiError::TooLarge(format!("the request body is larger than {limit} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::BadRequest("the body is not UTF-8".into()))
}
