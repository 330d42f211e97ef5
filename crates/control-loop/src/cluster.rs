//! The two traits a shell implements: reading the cluster (monitor) and writing to it
//! (execute). Failures are the API's error messages, which become the Snapshot's `errors`.

use std::future::Future;
use std::sync::Arc;

use alpaca_engine::pod_record::PodRecord;
use alpaca_engine::snapshot::Event;
use alpaca_metrics_api::custom::v1beta2::MetricValue;
use alpaca_metrics_api::external::ExternalMetricValue;
use alpaca_metrics_api::resource::PodMetrics;
use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus,
    MetricIdentifier,
};
use k8s_openapi::api::core::v1::Pod;

/// Names one HPA.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HpaKey {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl HpaKey {
    /// A key.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for HpaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// An API call's answer: the value, or the error message the API gave.
pub type ApiResult<T> = Result<T, String>;

/// Monitor: what the HPA controller reads. Every method answers as the API server would.
pub trait ClusterRead {
    /// The HPA as `autoscaling/v2`; `Ok(None)` when it no longer exists.
    fn hpa(
        &self,
        key: &HpaKey,
    ) -> impl Future<Output = ApiResult<Option<Arc<HorizontalPodAutoscaler>>>> + Send;
    /// GET of the target's scale subresource; `Ok(None)` when the target does not exist.
    fn scale(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
    ) -> impl Future<Output = ApiResult<Option<Scale>>> + Send;
    /// Pods in the namespace that the selector string selects (the pod lister).
    fn pods(
        &self,
        namespace: &str,
        selector: &str,
    ) -> impl Future<Output = ApiResult<Vec<Arc<Pod>>>> + Send;
    /// The pods [`ClusterRead::pods`] would list, each with the PodMetrics
    /// [`ClusterRead::pod_metrics`] would give for it, as compact records: for a shell that
    /// keeps its pods that way (the simulator), so that no `Pod` objects are built per
    /// sync. `None` (the default) when the shell has only the objects.
    fn pod_records(
        &self,
        _namespace: &str,
        _selector: &str,
    ) -> impl Future<Output = Option<ApiResult<Vec<Arc<PodRecord>>>>> + Send {
        std::future::ready(None)
    }
    /// `metrics.k8s.io` PodMetrics in the namespace matching the selector string.
    fn pod_metrics(
        &self,
        namespace: &str,
        selector: &str,
    ) -> impl Future<Output = ApiResult<Vec<Arc<PodMetrics>>>> + Send;
    /// `custom.metrics.k8s.io` values of a metric for the pods the selector selects.
    fn pods_metric(
        &self,
        namespace: &str,
        selector: &str,
        metric: &MetricIdentifier,
    ) -> impl Future<Output = ApiResult<Vec<MetricValue>>> + Send;
    /// `custom.metrics.k8s.io` value of a metric describing one object; empty when the
    /// API answers NotFound.
    fn object_metric(
        &self,
        namespace: &str,
        object: &CrossVersionObjectReference,
        metric: &MetricIdentifier,
    ) -> impl Future<Output = ApiResult<Vec<MetricValue>>> + Send;
    /// `external.metrics.k8s.io` values of a metric matching its selector.
    fn external_metric(
        &self,
        namespace: &str,
        metric: &MetricIdentifier,
    ) -> impl Future<Output = ApiResult<Vec<ExternalMetricValue>>> + Send;
}

/// Execute: the HPA controller's writes.
pub trait ScaleWrite {
    /// PUT of the target's scale subresource.
    fn update_scale(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
        replicas: i32,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    /// PUT of the HPA's status subresource. `external_fallback` holds KEP-5679's per-metric
    /// fields (`fallbackActive`, `firstFailureTime`, `fallbackReplicas`) of failing External
    /// metrics with a fallback, for the objects whose schema has them (CRD mode's
    /// `alpaca.dev/v1`); empty for every autoscaler without a fallback.
    fn update_status(
        &self,
        key: &HpaKey,
        status: &HorizontalPodAutoscalerStatus,
        external_fallback: &[alpaca_engine::FallbackStatus],
    ) -> impl Future<Output = ApiResult<()>> + Send;
    /// Records an event on the HPA.
    fn record_event(&self, key: &HpaKey, event: &Event) -> impl Future<Output = ()> + Send;
}
