//! `external.metrics.k8s.io` values: series per (namespace, metric name), told apart by
//! their metric labels.

use std::collections::HashMap;

use alpaca_metrics_api::external::ExternalMetricValue;

use crate::error::ApiError;
use crate::selectors::LabelSelector;

/// External metric series.
#[derive(Debug, Default)]
pub(crate) struct ExternalMetrics {
    series: HashMap<(String, String), Vec<ExternalMetricValue>>,
}

impl ExternalMetrics {
    /// Sets the series with this name and labels in `ns` (replacing the same labels).
    pub fn set(&mut self, ns: &str, value: ExternalMetricValue) {
        let list = self
            .series
            .entry((ns.to_string(), value.metric_name.clone()))
            .or_default();
        list.retain(|v| v.metric_labels != value.metric_labels);
        list.push(value);
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.series.clear();
    }

    /// Metric names known in any namespace (for discovery).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.series.keys().map(|(_, m)| m.to_lowercase()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Series of `metric` in `ns` whose labels match; 404 if the metric is unknown there.
    pub fn query(
        &self,
        ns: &str,
        metric: &str,
        selector: &LabelSelector,
    ) -> Result<Vec<ExternalMetricValue>, ApiError> {
        let list = self
            .series
            .iter()
            .find(|((n, m), _)| n == ns && m.eq_ignore_ascii_case(metric))
            .map(|(_, l)| l)
            .ok_or_else(|| {
                ApiError::new(
                    404,
                    format!("the server could not find the metric {metric} in namespace {ns}"),
                )
            })?;
        Ok(list
            .iter()
            .filter(|v| {
                let labels = serde_json::to_value(&v.metric_labels).ok();
                selector.matches(labels.as_ref())
            })
            .cloned()
            .collect())
    }
}
