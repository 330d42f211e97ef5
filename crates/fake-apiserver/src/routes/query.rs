//! Query parameters of resource requests.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::Query;
use http::Uri;

use crate::error::ApiError;
use crate::selectors::{FieldSelector, LabelSelector};

/// The query parameters the server understands.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    /// `watch=true|1`.
    pub watch: bool,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
    /// `limit` (0 = none).
    pub limit: Option<usize>,
    /// `continue`.
    pub continue_token: Option<String>,
    /// `allowWatchBookmarks`.
    pub bookmarks: bool,
    /// `sendInitialEvents`.
    pub send_initial_events: bool,
    /// `timeoutSeconds`.
    pub timeout: Option<Duration>,
    /// `metricLabelSelector` (custom metrics).
    pub metric_labels: LabelSelector,
}

fn flag(q: &HashMap<String, String>, key: &str) -> bool {
    q.get(key).is_some_and(|v| v == "true" || v == "1")
}

/// Parses the query string; a malformed selector or number is a 400.
pub(crate) fn parse(uri: &Uri) -> Result<Params, ApiError> {
    let q: HashMap<String, String> = Query::try_from_uri(uri)
        .map(|Query(q)| q)
        .unwrap_or_default();
    let selector = |key: &str| -> Result<LabelSelector, ApiError> {
        LabelSelector::parse(q.get(key).map(String::as_str).unwrap_or(""))
            .map_err(|e| ApiError::bad_request(e.to_string()))
    };
    let number = |key: &str| -> Result<Option<u64>, ApiError> {
        q.get(key)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| ApiError::bad_request(format!("invalid {key}: {v}")))
            })
            .transpose()
    };
    Ok(Params {
        watch: flag(&q, "watch"),
        resource_version: q.get("resourceVersion").filter(|v| !v.is_empty()).cloned(),
        labels: selector("labelSelector")?,
        fields: FieldSelector::parse(q.get("fieldSelector").map(String::as_str).unwrap_or(""))
            .map_err(|e| ApiError::bad_request(e.to_string()))?,
        limit: number("limit")?.filter(|l| *l > 0).map(|l| l as usize),
        continue_token: q.get("continue").filter(|v| !v.is_empty()).cloned(),
        bookmarks: flag(&q, "allowWatchBookmarks"),
        send_initial_events: flag(&q, "sendInitialEvents"),
        timeout: number("timeoutSeconds")?.map(Duration::from_secs),
        metric_labels: selector("metricLabelSelector")?,
    })
}
