//! Metric values set by tests and the queries of the three metrics APIs over them.

mod custom;
mod external;
mod pods;

pub(crate) use custom::{CustomMetrics, CustomQuery, ObjectKey};
pub(crate) use external::ExternalMetrics;
pub(crate) use pods::PodMetricsStore;

/// Everything the metrics APIs serve.
#[derive(Debug, Default)]
pub(crate) struct MetricsData {
    /// `metrics.k8s.io` PodMetrics.
    pub pods: PodMetricsStore,
    /// `custom.metrics.k8s.io` values.
    pub custom: CustomMetrics,
    /// `external.metrics.k8s.io` values.
    pub external: ExternalMetrics,
}
