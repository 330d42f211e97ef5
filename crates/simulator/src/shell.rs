//! The simulated API server as the HPA controller loop sees it: [`ClusterRead`] and
//! [`ScaleWrite`] over the run's state, answering as the Kubernetes API and the metrics
//! APIs would.

use std::cell::{Cell, RefCell};
use std::future::{Future, ready};
use std::sync::Arc;

use alpaca_engine::pod_record::PodRecord;
use alpaca_engine::snapshot::Event;
use alpaca_loop::{ApiResult, ClusterRead, HpaKey, ScaleWrite};
use alpaca_metrics_api::custom::MetricIdentifier as _ApiMetricIdentifier;
use alpaca_metrics_api::custom::v1beta2::MetricValue;
use alpaca_metrics_api::external::ExternalMetricValue;
use alpaca_metrics_api::resource::PodMetrics;
use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus,
    MetricIdentifier,
};
use k8s_openapi::api::core::v1::{ObjectReference, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::clock::timestamp;
use crate::runner::state::{RecordedEvent, State};
use crate::scenario::{MetricTarget, Scenario};

/// The cluster the controller loop talks to.
pub struct Shell<'a> {
    /// The scenario (static definitions).
    pub sc: &'a Scenario,
    /// The run's state.
    pub state: &'a RefCell<State>,
    /// Whether the loop gets the pods as compact records (else as `Pod` and `PodMetrics`
    /// objects built for each read; the decisions are the same).
    pub records: bool,
    /// The HPA being synced (its index), so that the loop's reads and writes of it find
    /// it without a lookup by key.
    pub current: Cell<Option<usize>>,
}

fn group(api_version: Option<&str>) -> &str {
    api_version
        .and_then(|v| v.split_once('/'))
        .map_or("", |(g, _)| g)
}

fn quantity(v: f64) -> Quantity {
    Quantity(
        alpaca_quantity::Quantity::from_milli(
            (v * 1000.0).round() as i64,
            alpaca_quantity::Format::DecimalSI,
        )
        .to_string(),
    )
}

fn api_metric(m: &MetricIdentifier) -> _ApiMetricIdentifier {
    _ApiMetricIdentifier {
        name: m.name.clone(),
        selector: m.selector.clone(),
    }
}

impl Shell<'_> {
    /// The index of the HPA with this key.
    fn hpa_index(&self, st: &State, key: &HpaKey) -> Option<usize> {
        match self.current.get() {
            Some(i) if st.hpas.get(i).is_some_and(|h| h.key == *key) => Some(i),
            _ => st.hpa_index(key),
        }
    }

    fn find_deployment(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
    ) -> Option<usize> {
        if target.kind != "Deployment"
            || !matches!(group(target.api_version.as_deref()), "apps" | "")
        {
            return None;
        }
        self.state
            .borrow()
            .deployment_index(namespace, &target.name)
    }

    fn read_hpa(&self, key: &HpaKey) -> ApiResult<Option<Arc<HorizontalPodAutoscaler>>> {
        let st = self.state.borrow();
        Ok(self.hpa_index(&st, key).map(|i| st.hpas[i].object.clone()))
    }

    fn read_scale(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
    ) -> ApiResult<Option<Scale>> {
        let st = self.state.borrow();
        Ok(self
            .find_deployment(namespace, target)
            .map(|d| st.deps[d].scale(&self.sc.deployments[d])))
    }

    fn read_pods(&self, namespace: &str, selector: &str) -> ApiResult<Vec<Arc<Pod>>> {
        let mut st = self.state.borrow_mut();
        let deps = st.select(self.sc, namespace, selector)?;
        Ok(deps
            .iter()
            .flat_map(|&d| st.deps[d].pods.iter().map(|p| Arc::new(p.object())))
            .collect())
    }

    fn read_pod_metrics(&self, namespace: &str, selector: &str) -> ApiResult<Vec<Arc<PodMetrics>>> {
        let mut st = self.state.borrow_mut();
        let deps = st.select(self.sc, namespace, selector)?;
        Ok(deps
            .iter()
            .flat_map(|&d| {
                st.deps[d]
                    .pods
                    .iter()
                    .filter_map(|p| p.pod_metrics().map(Arc::new))
            })
            .collect())
    }

    fn read_pod_records(&self, namespace: &str, selector: &str) -> ApiResult<Vec<Arc<PodRecord>>> {
        let mut st = self.state.borrow_mut();
        let deps = st.select(self.sc, namespace, selector)?;
        Ok(deps
            .iter()
            .flat_map(|&d| st.deps[d].pods.iter().map(|p| p.record.clone()))
            .collect())
    }

    fn read_pods_metric(
        &self,
        namespace: &str,
        selector: &str,
        metric: &MetricIdentifier,
    ) -> ApiResult<Vec<MetricValue>> {
        let mut st = self.state.borrow_mut();
        let deps = st.select(self.sc, namespace, selector)?;
        let window = self.sc.adapter_interval / 1000;
        let mut out = Vec::new();
        for (i, m) in self.sc.metrics.iter().enumerate() {
            let MetricTarget::Pods(d) = m.target else {
                continue;
            };
            if m.name != metric.name || m.namespace != namespace || !deps.contains(&d) {
                continue;
            }
            for p in &st.deps[d].pods {
                if let Some((at, v)) = st.adapter.pod_values[i].get(&p.name) {
                    out.push(MetricValue {
                        described_object: ObjectReference {
                            api_version: Some("/v1".into()),
                            kind: Some("Pod".into()),
                            name: Some(p.name.clone()),
                            namespace: Some(namespace.to_string()),
                            ..ObjectReference::default()
                        },
                        metric: api_metric(metric),
                        timestamp: Time(timestamp(*at)),
                        window_seconds: Some(window),
                        value: quantity(*v),
                    });
                }
            }
        }
        Ok(out)
    }

    fn read_object_metric(
        &self,
        namespace: &str,
        object: &CrossVersionObjectReference,
        metric: &MetricIdentifier,
    ) -> ApiResult<Vec<MetricValue>> {
        let st = self.state.borrow();
        let wanted_group = group(object.api_version.as_deref());
        let mut out = Vec::new();
        for (i, m) in self.sc.metrics.iter().enumerate() {
            let MetricTarget::Object {
                group: g,
                kind,
                name,
            } = &m.target
            else {
                continue;
            };
            if m.name != metric.name
                || m.namespace != namespace
                || kind != &object.kind
                || name != &object.name
                || g != wanted_group
            {
                continue;
            }
            if let Some((at, v)) = st.adapter.values[i] {
                out.push(MetricValue {
                    described_object: ObjectReference {
                        api_version: object.api_version.clone(),
                        kind: Some(object.kind.clone()),
                        name: Some(object.name.clone()),
                        namespace: Some(namespace.to_string()),
                        ..ObjectReference::default()
                    },
                    metric: api_metric(metric),
                    timestamp: Time(timestamp(at)),
                    window_seconds: Some(self.sc.adapter_interval / 1000),
                    value: quantity(v),
                });
            }
        }
        Ok(out)
    }

    fn read_external_metric(
        &self,
        namespace: &str,
        metric: &MetricIdentifier,
    ) -> ApiResult<Vec<ExternalMetricValue>> {
        let st = self.state.borrow();
        let selector = alpaca_engine::selector::selector_from_object(metric.selector.as_ref())?;
        let mut out = Vec::new();
        for (i, m) in self.sc.metrics.iter().enumerate() {
            let MetricTarget::External(labels) = &m.target else {
                continue;
            };
            if m.name != metric.name || m.namespace != namespace {
                continue;
            }
            if metric.selector.is_some() && !selector.matches(labels) {
                continue;
            }
            if st.adapter.dark.get(i).copied().unwrap_or(false) {
                return Err(format!(
                    "the server is currently unable to handle the request (get {}.external.metrics.k8s.io)",
                    m.name
                ));
            }
            if let Some((at, v)) = st.adapter.values[i] {
                out.push(ExternalMetricValue {
                    metric_name: m.name.clone(),
                    metric_labels: labels.clone(),
                    timestamp: Time(timestamp(at)),
                    window_seconds: Some(self.sc.adapter_interval / 1000),
                    value: quantity(v),
                });
            }
        }
        Ok(out)
    }

    fn write_scale(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
        replicas: i32,
    ) -> ApiResult<()> {
        let Some(d) = self.find_deployment(namespace, target) else {
            return Err(format!("deployments.apps {:?} not found", target.name));
        };
        let mut st = self.state.borrow_mut();
        let now = st.now;
        st.deps[d].replicas = replicas;
        if st.deps[d].reconcile(now, &self.sc.deployments[d]) {
            st.endpoints_changed = true;
        }
        Ok(())
    }

    fn write_status(&self, key: &HpaKey, status: &HorizontalPodAutoscalerStatus) -> ApiResult<()> {
        let mut st = self.state.borrow_mut();
        let i = self.hpa_index(&st, key).ok_or_else(|| {
            format!(
                "horizontalpodautoscalers.autoscaling {:?} not found",
                key.name
            )
        })?;
        // The sync's Snapshot still holds the object read: the runner puts the status in
        // once the sync is over (`HpaState::settle`), from the Decision (this `status`).
        let _ = status;
        st.hpas[i].status_written = true;
        Ok(())
    }

    fn write_event(&self, key: &HpaKey, event: &Event) {
        let mut st = self.state.borrow_mut();
        let now = st.now;
        let Some(i) = self.hpa_index(&st, key) else {
            return;
        };
        let h = &mut st.hpas[i];
        h.fresh_events.push(event.clone());
        match h.events.iter_mut().find(|e| &e.event == event) {
            Some(e) => {
                e.count += 1;
                e.last = now;
            }
            None => h.events.push(RecordedEvent {
                event: event.clone(),
                first: now,
                last: now,
                count: 1,
            }),
        }
    }
}

impl ClusterRead for Shell<'_> {
    fn hpa(
        &self,
        key: &HpaKey,
    ) -> impl Future<Output = ApiResult<Option<Arc<HorizontalPodAutoscaler>>>> + Send {
        ready(self.read_hpa(key))
    }
    fn scale(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
    ) -> impl Future<Output = ApiResult<Option<Scale>>> + Send {
        ready(self.read_scale(namespace, target))
    }
    fn pods(
        &self,
        namespace: &str,
        selector: &str,
    ) -> impl Future<Output = ApiResult<Vec<Arc<Pod>>>> + Send {
        ready(self.read_pods(namespace, selector))
    }
    fn pod_records(
        &self,
        namespace: &str,
        selector: &str,
    ) -> impl Future<Output = Option<ApiResult<Vec<Arc<PodRecord>>>>> + Send {
        ready(
            self.records
                .then(|| self.read_pod_records(namespace, selector)),
        )
    }
    fn pod_metrics(
        &self,
        namespace: &str,
        selector: &str,
    ) -> impl Future<Output = ApiResult<Vec<Arc<PodMetrics>>>> + Send {
        ready(self.read_pod_metrics(namespace, selector))
    }
    fn pods_metric(
        &self,
        namespace: &str,
        selector: &str,
        metric: &MetricIdentifier,
    ) -> impl Future<Output = ApiResult<Vec<MetricValue>>> + Send {
        ready(self.read_pods_metric(namespace, selector, metric))
    }
    fn object_metric(
        &self,
        namespace: &str,
        object: &CrossVersionObjectReference,
        metric: &MetricIdentifier,
    ) -> impl Future<Output = ApiResult<Vec<MetricValue>>> + Send {
        ready(self.read_object_metric(namespace, object, metric))
    }
    fn external_metric(
        &self,
        namespace: &str,
        metric: &MetricIdentifier,
    ) -> impl Future<Output = ApiResult<Vec<ExternalMetricValue>>> + Send {
        ready(self.read_external_metric(namespace, metric))
    }
}

impl ScaleWrite for Shell<'_> {
    fn update_scale(
        &self,
        namespace: &str,
        target: &CrossVersionObjectReference,
        replicas: i32,
    ) -> impl Future<Output = ApiResult<()>> + Send {
        ready(self.write_scale(namespace, target, replicas))
    }
    fn update_status(
        &self,
        key: &HpaKey,
        status: &HorizontalPodAutoscalerStatus,
        _external_fallback: &[alpaca_engine::FallbackStatus],
    ) -> impl Future<Output = ApiResult<()>> + Send {
        ready(self.write_status(key, status))
    }
    fn record_event(&self, key: &HpaKey, event: &Event) -> impl Future<Output = ()> + Send {
        self.write_event(key, event);
        ready(())
    }
}
