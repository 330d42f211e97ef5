//! `custom.metrics.k8s.io` reads: one object, all objects (`*`) with `labelSelector`,
//! root-scoped objects and namespaces, each narrowed by `metricLabelSelector`, answered as a
//! `MetricValueList` of the requested version.

use alpaca_metrics_api::custom::{v1beta1, v1beta2};
use axum::http::Uri;
use axum::response::Response;
use bytes::Bytes;

use super::paths::parse_object_path;
use super::status::{ApiError, json_bytes};
use super::{SharedState, query_params};
use crate::backend::{CustomQuery, ObjectSelection};
use crate::selector::Selector;

/// Answers `GET /apis/custom.metrics.k8s.io/VERSION/REST`.
pub async fn get(
    st: &SharedState,
    version: &str,
    rest: &str,
    uri: &Uri,
) -> Result<Response, ApiError> {
    if version != "v1beta1" && version != "v1beta2" {
        return Err(ApiError::NotFound(format!(
            "the server could not find the requested resource (custom.metrics.k8s.io/{version} is not served)"
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
    let query = build_query(rest, uri)?;
    let items = st.backend.custom(&query).await?;
    let body = if version == "v1beta2" {
        serde_json::to_vec(&v1beta2::MetricValueList::new(items))
    } else {
        serde_json::to_vec(&v1beta1::MetricValueList::new(
            items.into_iter().map(Into::into).collect(),
        ))
    }
    .map_err(|e| ApiError::Internal(format!("serializing the answer: {e}")))?;
    let body = Bytes::from(body);
    if let Some(g) = generation {
        st.cache.put(key, g, body.clone());
    }
    Ok(json_bytes(body))
}

/// Turns the path and query parameters into a backend query.
pub fn build_query(rest: &str, uri: &Uri) -> Result<CustomQuery, ApiError> {
    let path = parse_object_path(rest)?;
    let params = query_params(uri)?;
    let selector = |name: &str| -> Result<Selector, ApiError> {
        match params.get(name) {
            None => Ok(Selector::everything()),
            Some(s) => crate::selector::parse(s)
                .map_err(|e| ApiError::BadRequest(format!("invalid {name} {s:?}: {e}"))),
        }
    };
    let metric_selector = selector("metricLabelSelector")?;
    let objects = if path.name == "*" {
        ObjectSelection::Selected(selector("labelSelector")?)
    } else {
        ObjectSelection::Named(path.name)
    };
    Ok(CustomQuery {
        info: path.info,
        namespace: path.namespace,
        objects,
        metric_selector,
    })
}
