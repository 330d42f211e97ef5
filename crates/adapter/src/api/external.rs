//! `external.metrics.k8s.io/v1beta1` reads: `namespaces/NS/METRIC?labelSelector=...`,
//! answered as an `ExternalMetricValueList`.

use alpaca_metrics_api::external::ExternalMetricValueList;
use axum::http::Uri;
use axum::response::Response;
use bytes::Bytes;

use super::status::{ApiError, json_bytes};
use super::{SharedState, query_params};
use crate::backend::ExternalQuery;
use crate::selector::Selector;

/// Answers `GET /apis/external.metrics.k8s.io/VERSION/REST`.
pub async fn get(
    st: &SharedState,
    version: &str,
    rest: &str,
    uri: &Uri,
) -> Result<Response, ApiError> {
    if version != "v1beta1" {
        return Err(ApiError::NotFound(format!(
            "the server could not find the requested resource (external.metrics.k8s.io/{version} is not served)"
        )));
    }
    let generation = st.backend.generation();
    let key = uri
        .path_and_query()
        .map_or_else(|| uri.path(), |p| p.as_str());
    if let Some(g) = generation
        && let Some(body) = st.cache.get(key, g)
    {
        return Ok(json_bytes(body));
    }
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let (namespace, metric) = match segs.as_slice() {
        ["namespaces", ns, metric] if !ns.is_empty() && !metric.is_empty() => (*ns, *metric),
        _ => {
            return Err(ApiError::NotFound(format!(
                "the server could not find the requested resource: {rest:?} is not an external metric path (namespaces/NS/METRIC)"
            )));
        }
    };
    let params = query_params(uri)?;
    let selector = match params.get("labelSelector") {
        None => Selector::everything(),
        Some(s) => crate::selector::parse(s)
            .map_err(|e| ApiError::BadRequest(format!("invalid labelSelector {s:?}: {e}")))?,
    };
    let items = st
        .backend
        .external(&ExternalQuery {
            namespace: namespace.to_string(),
            metric: metric.to_string(),
            selector,
        })
        .await?;
    let body = serde_json::to_vec(&ExternalMetricValueList::new(items))
        .map_err(|e| ApiError::Internal(format!("serializing the answer: {e}")))?;
    let body = Bytes::from(body);
    if let Some(g) = generation {
        st.cache.put(key, g, body.clone());
    }
    Ok(json_bytes(body))
}
