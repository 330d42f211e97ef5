//! `custom.metrics.k8s.io` values: series describing objects (pods, deployments,
//! namespaces, nodes, ...), one per (object, metric, metric labels).

use std::collections::{BTreeMap, HashMap};

use alpaca_metrics_api::custom::v1beta2::MetricValue;
use serde_json::Value;

use crate::error::ApiError;
use crate::selectors::LabelSelector;

/// Identifies the objects a metric series describes: group, resource (plural), namespace
/// (`""` for cluster-scoped objects and namespace metrics), metric name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ObjectKey {
    /// API group of the described resource.
    pub group: String,
    /// Plural resource of the described object.
    pub resource: String,
    /// Namespace (`""` when cluster-scoped).
    pub namespace: String,
    /// Metric name (compared case-insensitively).
    pub metric: String,
}

/// A query of the custom metrics API.
#[derive(Debug, Clone)]
pub(crate) struct CustomQuery {
    /// Group as written in the URL (`deployments.apps` → `apps`); None if not written.
    pub group: Option<String>,
    /// Plural resource.
    pub resource: String,
    /// Namespace (`""` for root-scoped).
    pub namespace: String,
    /// Object name or `*`.
    pub name: String,
    /// Metric name.
    pub metric: String,
    /// `labelSelector` over the described objects (for `*`).
    pub selector: LabelSelector,
    /// `metricLabelSelector` over the series labels.
    pub metric_selector: LabelSelector,
}

/// Custom metric series.
#[derive(Debug, Default)]
pub(crate) struct CustomMetrics {
    series: HashMap<ObjectKey, BTreeMap<String, Vec<MetricValue>>>,
}

fn series_labels(v: &MetricValue) -> Option<Value> {
    v.metric
        .selector
        .as_ref()
        .and_then(|s| serde_json::to_value(s.match_labels.clone().unwrap_or_default()).ok())
}

impl CustomMetrics {
    /// Sets one series: the object `name`, keyed by `key`, with the value's
    /// `metric.selector.matchLabels` as its labels (replacing a series with the same labels).
    pub fn set(&mut self, mut key: ObjectKey, name: &str, value: MetricValue) {
        key.metric = key.metric.to_lowercase();
        let list = self
            .series
            .entry(key)
            .or_default()
            .entry(name.to_string())
            .or_default();
        list.retain(|v| series_labels(v) != series_labels(&value));
        list.push(value);
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.series.clear();
    }

    /// `resource/metric` pairs known (for discovery), with whether they are namespaced.
    pub fn names(&self) -> Vec<(String, bool)> {
        let mut names: Vec<(String, bool)> = self
            .series
            .keys()
            .map(|k| {
                let resource = if k.group.is_empty() {
                    k.resource.clone()
                } else {
                    format!("{}.{}", k.resource, k.group)
                };
                (format!("{resource}/{}", k.metric), !k.namespace.is_empty())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Answers a query. `object_labels(group, resource, ns, name)` gives the labels of a
    /// described object, for `*` queries with a `labelSelector`.
    pub fn query(
        &self,
        q: &CustomQuery,
        object_labels: impl Fn(&str, &str, &str, &str) -> Option<Value>,
    ) -> Result<Vec<MetricValue>, ApiError> {
        let metric = q.metric.to_lowercase();
        let (key, objects) = self
            .series
            .iter()
            .find(|(k, _)| {
                k.resource == q.resource
                    && k.namespace == q.namespace
                    && k.metric == metric
                    && q.group.as_ref().is_none_or(|g| *g == k.group)
            })
            .ok_or_else(|| {
                ApiError::new(
                    404,
                    format!(
                        "the server could not find the metric {} for {}",
                        q.metric, q.resource
                    ),
                )
            })?;
        let pick = |values: &Vec<MetricValue>| {
            values
                .iter()
                .find(|v| q.metric_selector.matches(series_labels(v).as_ref()))
                .cloned()
        };
        if q.name != "*" {
            return objects
                .get(&q.name)
                .and_then(pick)
                .map(|v| vec![v])
                .ok_or_else(|| {
                    ApiError::new(
                        404,
                        format!(
                            "the server could not find the metric {} for {} {}",
                            q.metric, q.resource, q.name
                        ),
                    )
                });
        }
        Ok(objects
            .iter()
            .filter(|(name, _)| {
                q.selector.is_empty()
                    || q.selector.matches(
                        object_labels(&key.group, &key.resource, &key.namespace, name).as_ref(),
                    )
            })
            .filter_map(|(_, values)| pick(values))
            .collect())
    }
}
