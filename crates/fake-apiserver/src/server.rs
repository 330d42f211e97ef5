//! [`FakeApiServer`]: the test-facing handle. Builds the router and a `kube::Client` on
//! it, seeds and reads objects and metric values, injects faults, reads the request log
//! and drives watches.

use std::sync::Arc;

use alpaca_metrics_api::custom::v1beta2::MetricValue;
use alpaca_metrics_api::external::ExternalMetricValue;
use alpaca_metrics_api::resource::PodMetrics;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Resource;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::convert;
use crate::error::FakeError;
use crate::faults::Fault;
use crate::metrics::ObjectKey;
use crate::ops::{self, WriteMode};
use crate::registry::Endpoint;
use crate::requests::RequestRecord;
use crate::state::{Config, Shared, WatchControl};

/// An in-memory Kubernetes API server. Cheap to clone; clones share state.
#[derive(Debug, Clone)]
pub struct FakeApiServer {
    shared: Arc<Shared>,
}

impl Default for FakeApiServer {
    fn default() -> Self {
        Self::new()
    }
}

fn api_version_parts(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

impl FakeApiServer {
    /// A server with the built-in resources, namespaces `default` and `kube-system`, and
    /// the default [`Config`].
    pub fn new() -> Self {
        Self::with_config(Config::default())
    }

    /// A server with the given tunables.
    pub fn with_config(config: Config) -> Self {
        let server = Self {
            shared: Arc::new(Shared::new(config)),
        };
        for ns in ["default", "kube-system"] {
            let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            let _ = server.apply_json(body);
        }
        server
    }

    /// The axum router answering the Kubernetes API.
    pub fn router(&self) -> axum::Router {
        crate::routes::router(self.shared.clone())
    }

    /// A `kube::Client` whose requests go straight to [`router`](Self::router), no
    /// network. Must be called inside a tokio runtime.
    pub fn client(&self) -> kube::Client {
        kube::Client::new(self.router(), self.shared.config.default_namespace.clone())
    }

    fn endpoint(&self, group: &str, version: &str, plural: &str) -> Result<Endpoint, FakeError> {
        self.shared
            .read()
            .registry
            .endpoint(group, version, plural)
            .ok_or_else(|| FakeError::UnknownResource(format!("{plural}.{version}.{group}")))
    }

    fn endpoint_of<K: Resource<DynamicType = ()>>(&self) -> Result<Endpoint, FakeError> {
        self.endpoint(&K::group(&()), &K::version(&()), &K::plural(&()))
    }

    fn namespace_or_default(&self, ep: &Endpoint, ns: Option<&str>) -> Option<String> {
        ep.kind.namespaced.then(|| {
            ns.filter(|n| !n.is_empty())
                .unwrap_or(&self.shared.config.default_namespace)
                .to_string()
        })
    }

    fn seed(&self, ep: &Endpoint, obj: Value) -> Result<Value, FakeError> {
        let ns = self.namespace_or_default(ep, obj["metadata"]["namespace"].as_str());
        let stored = ops::create(
            &mut self.shared.write(),
            ep,
            ns.as_deref(),
            obj,
            WriteMode::Seed,
        )?;
        Ok(convert::encode(&stored, &ep.kind, &ep.view).into_owned())
    }

    /// Creates or replaces an object, status included, without preconditions (watchers
    /// see ADDED or MODIFIED). Namespaced objects without a namespace go to the default
    /// namespace. Returns the object as stored (uid, resourceVersion, ... filled in).
    pub fn apply<K>(&self, obj: &K) -> Result<K, FakeError>
    where
        K: Resource<DynamicType = ()> + Serialize + DeserializeOwned,
    {
        let ep = self.endpoint_of::<K>()?;
        let stored = self.seed(&ep, serde_json::to_value(obj)?)?;
        Ok(serde_json::from_value(stored)?)
    }

    /// [`apply`](Self::apply) for a JSON object with `apiVersion` and `kind`.
    pub fn apply_json(&self, obj: Value) -> Result<Value, FakeError> {
        let (group, version) = api_version_parts(obj["apiVersion"].as_str().unwrap_or(""));
        let kind = obj["kind"].as_str().unwrap_or("");
        let plural = {
            let st = self.shared.read();
            st.registry
                .by_group_kind(group, kind)
                .map(|k| k.plural.clone())
        }
        .ok_or_else(|| FakeError::UnknownResource(format!("{kind}.{version}.{group}")))?;
        let ep = self.endpoint(group, version, &plural)?;
        self.seed(&ep, obj)
    }

    /// Registers a custom resource: the CRD is stored (as `kubectl apply` would) and its
    /// kind is served, with its status and scale subresources, from now on.
    pub fn register_crd(&self, crd: &CustomResourceDefinition) -> Result<(), FakeError> {
        self.apply(crd).map(|_| ())
    }

    /// One object, in `K`'s version. `namespace` is ignored for cluster-scoped kinds.
    pub fn get<K>(&self, namespace: &str, name: &str) -> Option<K>
    where
        K: Resource<DynamicType = ()> + DeserializeOwned,
    {
        let ep = self.endpoint_of::<K>().ok()?;
        let ns = if ep.kind.namespaced { namespace } else { "" };
        let stored = self
            .shared
            .read()
            .store
            .get(&ep.kind.storage_id(), ns, name)
            .cloned()?;
        serde_json::from_value(convert::encode(&stored, &ep.kind, &ep.view).into_owned()).ok()
    }

    /// All objects of a kind in a namespace (or all namespaces), in `K`'s version.
    pub fn list<K>(&self, namespace: Option<&str>) -> Vec<K>
    where
        K: Resource<DynamicType = ()> + DeserializeOwned,
    {
        let Ok(ep) = self.endpoint_of::<K>() else {
            return Vec::new();
        };
        let objects: Vec<Arc<Value>> = {
            let st = self.shared.read();
            let ns = if ep.kind.namespaced { namespace } else { None };
            st.store
                .resource(&ep.kind.storage_id())
                .map(|r| r.objects.iter(ns).map(|(_, _, o)| o.clone()).collect())
                .unwrap_or_default()
        };
        objects
            .iter()
            .filter_map(|o| {
                serde_json::from_value(convert::encode(o, &ep.kind, &ep.view).into_owned()).ok()
            })
            .collect()
    }

    /// Deletes an object (watchers see DELETED).
    pub fn delete<K>(&self, namespace: &str, name: &str) -> Result<(), FakeError>
    where
        K: Resource<DynamicType = ()>,
    {
        let ep = self.endpoint_of::<K>()?;
        let ns = self.namespace_or_default(&ep, Some(namespace));
        ops::delete(&mut self.shared.write(), &ep, ns.as_deref(), name, None)?;
        Ok(())
    }

    /// Sets the `metrics.k8s.io` PodMetrics of one pod (namespace defaults to the default
    /// namespace). Label-selected lists use the PodMetrics labels, or the pod's.
    pub fn set_pod_metrics(&self, mut metrics: PodMetrics) {
        if metrics.metadata.namespace.is_none() {
            metrics.metadata.namespace = Some(self.shared.config.default_namespace.clone());
        }
        self.shared
            .metrics
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .pods
            .set(metrics);
    }

    /// Removes the PodMetrics of one pod (metrics-server has no sample for it).
    pub fn remove_pod_metrics(&self, namespace: &str, name: &str) {
        self.shared
            .metrics
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .pods
            .remove(namespace, name);
    }

    /// Sets one `custom.metrics.k8s.io` series, for `value.described_object` (kind and
    /// apiVersion map to the resource, e.g. `Pod` → `pods`, `Deployment` `apps/v1` →
    /// `deployments.apps`; a `Namespace` object gives a namespace metric). The series'
    /// labels, matched by `metricLabelSelector`, are `value.metric.selector.matchLabels`.
    pub fn set_custom_metric(&self, value: MetricValue) {
        let obj = &value.described_object;
        let (group, _) = api_version_parts(obj.api_version.as_deref().unwrap_or("v1"));
        let group = group.trim_start_matches('/').to_string();
        let kind = obj.kind.clone().unwrap_or_default();
        let resource = {
            let st = self.shared.read();
            st.registry
                .by_group_kind(&group, &kind)
                .map(|k| (k.plural.clone(), k.namespaced))
        };
        let (resource, namespaced) =
            resource.unwrap_or_else(|| (format!("{}s", kind.to_lowercase()), true));
        let namespace = if namespaced {
            obj.namespace
                .clone()
                .unwrap_or_else(|| self.shared.config.default_namespace.clone())
        } else {
            String::new()
        };
        let key = ObjectKey {
            group,
            resource,
            namespace,
            metric: value.metric.name.clone(),
        };
        let name = obj.name.clone().unwrap_or_default();
        self.shared
            .metrics
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .custom
            .set(key, &name, value);
    }

    /// Sets one `external.metrics.k8s.io` series in `namespace` (replacing the series
    /// with the same name and labels).
    pub fn set_external_metric(&self, namespace: &str, value: ExternalMetricValue) {
        self.shared
            .metrics
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .external
            .set(namespace, value);
    }

    /// Removes every metric value of the three metrics APIs.
    pub fn clear_metrics(&self) {
        let mut m = self
            .shared
            .metrics
            .write()
            .unwrap_or_else(|e| e.into_inner());
        m.pods.clear();
        m.custom.clear();
        m.external.clear();
    }

    /// The requests served so far, in completion order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Adds a fault rule (rules apply in injection order).
    pub fn inject(&self, fault: Fault) {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .inject(fault);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Removes the fault rules narrowed to `namespace`, leaving the others.
    pub fn clear_faults_in(&self, namespace: &str) {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear_namespace(namespace);
    }

    /// Fault rules that may still fire (unlimited ones count).
    pub fn pending_faults(&self) -> usize {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pending()
    }

    /// Drops the watch history of every resource, as an etcd compaction: the next watch
    /// from any resourceVersion handed out so far gets `410 Gone` (open watches go on;
    /// combine with [`close_watches`](Self::close_watches) to make watchers re-watch now).
    pub fn compact_watch_history(&self) {
        self.shared.write().store.compact();
    }

    /// Ends every open watch cleanly (watchers re-watch from their last resourceVersion).
    pub fn close_watches(&self) {
        let _ = self.shared.control.send(WatchControl::Close);
    }

    /// Sends every open watch an `ERROR` event with `410 Expired`, then ends it
    /// (watchers relist).
    pub fn expire_watches(&self) {
        let _ = self.shared.control.send(WatchControl::Expire);
    }

    /// The latest resourceVersion handed out.
    pub fn resource_version(&self) -> u64 {
        self.shared.read().store.current_rv()
    }
}
