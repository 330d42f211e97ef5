//! The cluster as the controller loop sees it: [`ClusterRead`] and [`ScaleWrite`] over
//! kube-rs. Autoscalers and pods come from reflector caches (or, for one-off commands,
//! straight from the API); scales through discovery; metrics from the three metrics APIs.

mod cache;
mod discovery;
mod errors;
mod events;
mod metrics;
mod pod_scope;
mod scale;
mod slim_pod;
mod status;

use std::sync::Arc;

use alpaca_engine::snapshot::Event;
use alpaca_loop::{ApiResult, ClusterRead, HpaKey, ScaleWrite};
use alpaca_metrics_api::custom::v1beta2::MetricValue;
use alpaca_metrics_api::external::ExternalMetricValue;
use alpaca_metrics_api::resource::PodMetrics;
use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus,
    MetricIdentifier,
};
use k8s_openapi::api::core::v1::{ObjectReference, Pod};
use kube::api::{Api, DynamicObject, ListParams};

pub(crate) use cache::{Cache, Keyed};
pub(crate) use errors::{is_not_found, message};
pub use events::COMPONENT;
pub(crate) use pod_scope::PodScope;
pub(crate) use slim_pod::SlimPod;

use crate::kind::AutoscalerKind;

/// Where autoscalers and pods are read from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Reflector caches (the running controller).
    Cached {
        /// Autoscalers.
        autoscalers: Arc<Cache<DynamicObject>>,
        /// Pods (of the namespaces with autoscalers).
        pods: Arc<Cache<SlimPod>>,
        /// The namespaces whose pods the cache holds completely.
        scope: Arc<PodScope>,
    },
    /// GET and LIST calls (one-off commands).
    Direct,
}

/// The Kubernetes cluster behind the controller loop's two traits.
pub struct KubeCluster {
    client: kube::Client,
    kind: AutoscalerKind,
    source: Source,
    mapper: discovery::RestMapper,
    scales: scale::Scales,
    metrics: metrics::MetricsClient,
    recorder: events::Recorder,
}

impl KubeCluster {
    /// A cluster reading autoscalers and pods with API calls (for one-off commands).
    pub fn direct(client: kube::Client, kind: AutoscalerKind) -> Self {
        Self::new(client, kind, Source::Direct, "alpaca".to_string())
    }

    pub(crate) fn new(
        client: kube::Client,
        kind: AutoscalerKind,
        source: Source,
        instance: String,
    ) -> Self {
        Self {
            mapper: discovery::RestMapper::new(client.clone()),
            scales: scale::Scales::new(client.clone()),
            metrics: metrics::MetricsClient::new(client.clone()),
            recorder: events::Recorder::new(client.clone(), instance),
            client,
            kind,
            source,
        }
    }

    /// The autoscaler resource.
    pub fn kind(&self) -> &AutoscalerKind {
        &self.kind
    }

    /// The autoscalers of a namespace.
    pub(crate) fn autoscaler_api(&self, namespace: &str) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), namespace, self.kind.resource())
    }

    /// The stored autoscaler object (from the cache, or a GET).
    pub async fn object(&self, key: &HpaKey) -> ApiResult<Option<DynamicObject>> {
        match &self.source {
            Source::Cached { autoscalers, .. } => Ok(autoscalers
                .get(&key.namespace, &key.name)
                .map(|o| (*o).clone())),
            Source::Direct => match self.autoscaler_api(&key.namespace).get(&key.name).await {
                Ok(o) => Ok(Some(o)),
                Err(e) if is_not_found(&e) => Ok(None),
                Err(e) => Err(message(
                    &e,
                    &format!("get {} {}", self.kind.qualified(), key.name),
                )),
            },
        }
    }

    async fn reference(&self, key: &HpaKey) -> ObjectReference {
        match self.object(key).await {
            Ok(Some(obj)) => self.kind.reference(&obj),
            _ => ObjectReference {
                api_version: Some(self.kind.resource().api_version.clone()),
                kind: Some(self.kind.resource().kind.clone()),
                name: Some(key.name.clone()),
                namespace: Some(key.namespace.clone()),
                ..ObjectReference::default()
            },
        }
    }
}

impl ClusterRead for KubeCluster {
    async fn hpa(&self, key: &HpaKey) -> ApiResult<Option<Arc<HorizontalPodAutoscaler>>> {
        match self.object(key).await? {
            Some(obj) => self.kind.to_hpa(&obj).map(|h| Some(Arc::new(h))),
            None => Ok(None),
        }
    }

    async fn scale(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
    ) -> ApiResult<Option<Scale>> {
        self.scales.get(&self.mapper, namespace, target).await
    }

    async fn pods(&self, namespace: &str, selector: &str) -> ApiResult<Vec<Arc<Pod>>> {
        match &self.source {
            Source::Cached { pods, scope, .. } if scope.covers(namespace) => {
                let selector = alpaca_engine::selector::parse(selector)?;
                Ok(pods
                    .select(namespace, |p| selector.matches_opt(p.labels()))
                    .iter()
                    .map(|p| Arc::new(p.pod()))
                    .collect())
            }
            // one-off commands, and a namespace the pod cache does not hold yet
            _ => {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
                api.list(&ListParams::default().labels(selector))
                    .await
                    .map(|l| l.items.into_iter().map(Arc::new).collect())
                    .map_err(|e| message(&e, "list pods"))
            }
        }
    }

    async fn pod_metrics(
        &self,
        namespace: &str,
        selector: &str,
    ) -> ApiResult<Vec<Arc<PodMetrics>>> {
        let items = self.metrics.pod_metrics(namespace, selector).await?;
        Ok(items.into_iter().map(Arc::new).collect())
    }

    async fn pods_metric(
        &self,
        namespace: &str,
        selector: &str,
        metric: &MetricIdentifier,
    ) -> ApiResult<Vec<MetricValue>> {
        self.metrics.pods_metric(namespace, selector, metric).await
    }

    async fn object_metric(
        &self,
        namespace: &str,
        object: &CrossVersionObjectReference,
        metric: &MetricIdentifier,
    ) -> ApiResult<Vec<MetricValue>> {
        self.metrics
            .object_metric(&self.mapper, namespace, object, metric)
            .await
    }

    async fn external_metric(
        &self,
        namespace: &str,
        metric: &MetricIdentifier,
    ) -> ApiResult<Vec<ExternalMetricValue>> {
        self.metrics.external_metric(namespace, metric).await
    }
}

impl ScaleWrite for KubeCluster {
    async fn update_scale(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
        replicas: i32,
    ) -> ApiResult<()> {
        let result = self
            .scales
            .update(&self.mapper, namespace, target, replicas)
            .await;
        if result.is_err() {
            self.mapper
                .invalidate(target.api_version.as_deref().unwrap_or("v1"), &target.kind);
        }
        result
    }

    async fn update_status(
        &self,
        key: &HpaKey,
        status: &HorizontalPodAutoscalerStatus,
        external_fallback: &[alpaca_engine::FallbackStatus],
    ) -> ApiResult<()> {
        let read = match &self.source {
            Source::Cached { autoscalers, .. } => autoscalers
                .get(&key.namespace, &key.name)
                .map(|o| (*o).clone()),
            Source::Direct => None,
        };
        status::write(
            &self.autoscaler_api(&key.namespace),
            &self.kind,
            &key.name,
            read,
            status,
            external_fallback,
        )
        .await
    }

    async fn record_event(&self, key: &HpaKey, event: &Event) {
        let regarding = self.reference(key).await;
        self.recorder.record(&regarding, event).await;
    }
}
