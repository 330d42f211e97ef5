//! `metrics.k8s.io` PodMetrics, as metrics-server would report them.

use std::collections::BTreeMap;

use alpaca_metrics_api::resource::PodMetrics;
use serde_json::Value;

use crate::error::ApiError;
use crate::selectors::LabelSelector;

/// PodMetrics by (namespace, name).
#[derive(Debug, Default)]
pub(crate) struct PodMetricsStore {
    by_pod: BTreeMap<(String, String), PodMetrics>,
}

impl PodMetricsStore {
    /// Sets (replaces) the metrics of one pod.
    pub fn set(&mut self, m: PodMetrics) {
        let ns = m
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into());
        let name = m.metadata.name.clone().unwrap_or_default();
        self.by_pod.insert((ns, name), m);
    }

    /// Removes the metrics of one pod.
    pub fn remove(&mut self, ns: &str, name: &str) {
        self.by_pod.remove(&(ns.to_string(), name.to_string()));
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.by_pod.clear();
    }

    /// One pod's metrics, or 404 as metrics-server answers.
    pub fn get(&self, ns: &str, name: &str) -> Result<PodMetrics, ApiError> {
        self.by_pod
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
            .ok_or_else(|| ApiError::not_found("pods", "metrics.k8s.io", name))
    }

    /// Metrics of the selected pods. Labels are those of the PodMetrics, or else those of
    /// the pod object (`pod_labels`), as metrics-server selects through its pod lister.
    pub fn list(
        &self,
        ns: Option<&str>,
        selector: &LabelSelector,
        pod_labels: impl Fn(&str, &str) -> Option<Value>,
    ) -> Vec<PodMetrics> {
        self.by_pod
            .iter()
            .filter(|((n, _), _)| ns.is_none_or(|want| want == n))
            .filter(|((n, name), m)| {
                if selector.is_empty() {
                    return true;
                }
                let labels = match &m.metadata.labels {
                    Some(l) => serde_json::to_value(l).ok(),
                    None => pod_labels(n, name),
                };
                selector.matches(labels.as_ref())
            })
            .map(|(_, m)| m.clone())
            .collect()
    }
}
