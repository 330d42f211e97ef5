//! Where metric values come from: the query types the API layer hands to a backend, the
//! errors a backend can answer with, and [`Backend`], the set of backends the adapter has
//! ([`memory`] for values written over HTTP, [`prometheus`] for a Prometheus server).

pub mod lister;
pub mod memory;
pub mod memory_resource;
pub mod prometheus;
pub mod resource;

use std::collections::BTreeMap;
use std::sync::Arc;

use alpaca_metrics_api::custom::v1beta2::MetricValue;
use alpaca_metrics_api::external::ExternalMetricValue;

use crate::resources::GroupResource;
use crate::selector::Selector;

/// A custom metric as discovery lists it: a metric about objects of one resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomMetricInfo {
    /// The resource of the described objects.
    pub resource: GroupResource,
    /// Whether those objects live in namespaces.
    pub namespaced: bool,
    /// The metric's name.
    pub metric: String,
}

/// Which objects a custom metric query is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectSelection {
    /// One object by name.
    Named(String),
    /// Every object (`*`) whose labels match the selector (`labelSelector`).
    Selected(Selector),
}

/// A query for a custom metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomQuery {
    /// The metric and resource.
    pub info: CustomMetricInfo,
    /// The namespace, for namespaced resources.
    pub namespace: Option<String>,
    /// The objects.
    pub objects: ObjectSelection,
    /// The selector over the metric's own labels (`metricLabelSelector`).
    pub metric_selector: Selector,
}

/// A query for an external metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalQuery {
    /// The namespace the HPA asking lives in.
    pub namespace: String,
    /// The metric's name.
    pub metric: String,
    /// The selector over the metric's labels (`labelSelector`).
    pub selector: Selector,
}

/// What a backend can fail with; the API layer turns each into a Kubernetes `Status`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The metric, or the value for the object, does not exist (404 NotFound).
    #[error("{0}")]
    NotFound(String),
    /// The query cannot be answered as asked (400 BadRequest).
    #[error("{0}")]
    BadRequest(String),
    /// The monitoring system could not be reached or failed (503 ServiceUnavailable).
    #[error("{0}")]
    Unavailable(String),
    /// The query could not be built or was refused by the monitoring system (500
    /// InternalError, as prometheus-adapter answers a Prometheus `bad_data`).
    #[error("{0}")]
    Internal(String),
}

/// A metric value as a backend returns it before it is shaped for a version.
pub type CustomValue = MetricValue;

/// The backend serving metric values; cheap to clone.
#[derive(Debug, Clone)]
pub enum Backend {
    /// Values written through `write-metrics`, held in memory.
    Memory(Arc<memory::MemoryBackend>),
    /// Values queried from Prometheus according to rules.
    Prometheus(Arc<prometheus::PrometheusBackend>),
}

impl Backend {
    /// A new, empty memory backend.
    pub fn memory() -> Self {
        Backend::Memory(Arc::new(memory::MemoryBackend::default()))
    }

    /// The custom metrics the backend knows about, for discovery.
    pub fn list_custom(&self) -> Vec<CustomMetricInfo> {
        match self {
            Backend::Memory(m) => m.list_custom(),
            Backend::Prometheus(p) => p.list_custom(),
        }
    }

    /// The external metric names the backend knows about, for discovery.
    pub fn list_external(&self) -> Vec<String> {
        match self {
            Backend::Memory(m) => m.list_external(),
            Backend::Prometheus(p) => p.list_external(),
        }
    }

    /// Values of a custom metric.
    pub async fn custom(&self, q: &CustomQuery) -> Result<Vec<CustomValue>, BackendError> {
        match self {
            Backend::Memory(m) => m.custom(q).await,
            Backend::Prometheus(p) => p.custom(q).await,
        }
    }

    /// Values of an external metric.
    pub async fn external(
        &self,
        q: &ExternalQuery,
    ) -> Result<Vec<ExternalMetricValue>, BackendError> {
        match self {
            Backend::Memory(m) => m.external(q),
            Backend::Prometheus(p) => p.external(q).await,
        }
    }

    /// The resource usage (`metrics.k8s.io`) of the pods (`node` false) or nodes selected.
    pub async fn resource(
        &self,
        node: bool,
        q: &resource::ResourceQuery,
    ) -> Result<Vec<resource::Usage>, BackendError> {
        match self {
            Backend::Memory(m) => m.resource(node, q).await,
            Backend::Prometheus(p) => p.resource(node, q).await,
        }
    }

    /// A number that changes whenever any answer of the backend may change, when the
    /// backend can tell (then answers may be cached until it changes); `None` otherwise (the
    /// Prometheus backend, and the memory backend when it lists objects from the cluster).
    pub fn generation(&self) -> Option<u64> {
        match self {
            Backend::Memory(m) if !m.has_lister() => Some(m.generation()),
            Backend::Memory(_) => None,
            Backend::Prometheus(_) => None,
        }
    }

    /// Whether the backend is ready to serve (the Prometheus backend after its first discovery).
    pub fn is_ready(&self) -> bool {
        match self {
            Backend::Memory(_) => true,
            Backend::Prometheus(p) => p.is_ready(),
        }
    }
}

/// The label set type used for metric and object labels.
pub type Labels = BTreeMap<String, String>;
