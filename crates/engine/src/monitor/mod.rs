//! Monitor: what the controller reads from the cluster, answered from the Snapshot exactly
//! as the pod lister and the three metrics APIs would answer.

pub(crate) mod metrics_client;
pub(crate) mod pods;
pub mod rest_mapper;

use jiff::Timestamp;

/// One pod's metric value as the HPA's metrics client returns it (milli-units).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PodMetric {
    /// When the sample was taken.
    pub timestamp: Timestamp,
    /// The sampling window, in nanoseconds.
    pub window_nanos: i64,
    /// The value in milli-units.
    pub value: i64,
}

/// Metric values by pod name (`metricsclient.PodMetricsInfo`).
pub(crate) type PodMetricsInfo<'a> = rustc_hash::FxHashMap<&'a str, PodMetric>;
