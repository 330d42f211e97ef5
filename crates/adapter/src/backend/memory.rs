//! The memory backend: values written through the `write-metrics` URLs (as the
//! custom-metrics-apiserver testing adapter takes them), kept with the time they were written,
//! and served until overwritten. `*` queries with a `labelSelector` match the object labels
//! written with each value (`objectLabels`), or, given a cluster, the objects listed from it.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use alpaca_metrics_api::custom::MetricIdentifier;
use alpaca_metrics_api::external::ExternalMetricValue;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::lister::ObjectLister;
use super::{
    BackendError, CustomMetricInfo, CustomQuery, CustomValue, ExternalQuery, Labels,
    ObjectSelection,
};

/// One stored value of a custom metric for one object.
#[derive(Debug, Clone)]
struct ObjectEntry {
    value: Quantity,
    metric_labels: Labels,
    object_labels: Labels,
    timestamp: Time,
}

/// One stored value of an external metric for one label set.
#[derive(Debug, Clone)]
struct ExternalEntry {
    value: Quantity,
    timestamp: Time,
}

/// Key of an object: namespace (empty for root-scoped objects) and name.
type ObjectKey = (String, String);

#[derive(Debug, Default)]
struct Store {
    custom: BTreeMap<CustomMetricInfo, BTreeMap<ObjectKey, ObjectEntry>>,
    /// metric -> namespace -> labels -> value
    external: BTreeMap<String, BTreeMap<String, BTreeMap<Labels, ExternalEntry>>>,
}

/// Values written over HTTP, in memory.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    store: RwLock<Store>,
    generation: AtomicU64,
    lister: Option<ObjectLister>,
    /// Pod and node usage written through `write-resource-metrics`.
    pub resources: super::memory_resource::ResourceStore,
}

/// Where a custom metric value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectTarget {
    /// The metric and resource.
    pub info: CustomMetricInfo,
    /// The namespace of a namespaced object.
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
}

fn now() -> Time {
    Time(jiff::Timestamp::now())
}

impl MemoryBackend {
    /// A backend that resolves `labelSelector` on objects by listing them from the cluster
    /// (as the upstream testing adapter does) instead of matching the written `objectLabels`.
    pub fn with_lister(lister: ObjectLister) -> Self {
        Self {
            lister: Some(lister),
            ..Self::default()
        }
    }

    /// The resource usage of the pods (`node` false) or nodes the query selects.
    pub async fn resource(
        &self,
        node: bool,
        q: &super::resource::ResourceQuery,
    ) -> Result<Vec<super::resource::Usage>, BackendError> {
        self.resources.read(node, q, self.lister.as_ref()).await
    }

    /// Whether objects are listed from the cluster.
    pub fn has_lister(&self) -> bool {
        self.lister.is_some()
    }

    /// Stores a custom metric value for one object, with the metric's labels (matched by
    /// `metricLabelSelector`) and the object's labels (matched by `labelSelector`).
    pub fn write_custom(
        &self,
        target: &ObjectTarget,
        value: Quantity,
        metric_labels: Labels,
        object_labels: Labels,
    ) {
        let mut store = self.store.write().unwrap_or_else(|e| e.into_inner());
        store.custom.entry(target.info.clone()).or_default().insert(
            (
                target.namespace.clone().unwrap_or_default(),
                target.name.clone(),
            ),
            ObjectEntry {
                value,
                metric_labels,
                object_labels,
                timestamp: now(),
            },
        );
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Stores an external metric value for one label set in one namespace.
    pub fn write_external(&self, namespace: &str, metric: &str, labels: Labels, value: Quantity) {
        let mut store = self.store.write().unwrap_or_else(|e| e.into_inner());
        store
            .external
            .entry(metric.to_string())
            .or_default()
            .entry(namespace.to_string())
            .or_default()
            .insert(
                labels,
                ExternalEntry {
                    value,
                    timestamp: now(),
                },
            );
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Changes on every write.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The custom metrics written so far.
    pub fn list_custom(&self) -> Vec<CustomMetricInfo> {
        let store = self.store.read().unwrap_or_else(|e| e.into_inner());
        store.custom.keys().cloned().collect()
    }

    /// The external metrics written so far.
    pub fn list_external(&self) -> Vec<String> {
        let store = self.store.read().unwrap_or_else(|e| e.into_inner());
        store.external.keys().cloned().collect()
    }

    /// Answers a custom metric query.
    pub async fn custom(&self, q: &CustomQuery) -> Result<Vec<CustomValue>, BackendError> {
        let names = match (&q.objects, &self.lister) {
            (ObjectSelection::Selected(sel), Some(lister)) => Some(
                lister
                    .names(&q.info.resource, q.namespace.as_deref(), sel)
                    .await?
                    .into_iter()
                    .collect::<std::collections::BTreeSet<_>>(),
            ),
            _ => None,
        };
        let store = self.store.read().unwrap_or_else(|e| e.into_inner());
        let not_found = || {
            BackendError::NotFound(format!(
                "the server could not find the metric {} for {}",
                q.info.metric, q.info.resource
            ))
        };
        let objects = store.custom.get(&q.info).ok_or_else(not_found)?;
        let namespace = q.namespace.clone().unwrap_or_default();
        let metric = MetricIdentifier {
            name: q.info.metric.clone(),
            selector: crate::selector::to_label_selector(&q.metric_selector),
        };
        let value_of = |name: &str, e: &ObjectEntry| CustomValue {
            described_object: q.info.resource.reference(q.namespace.as_deref(), name),
            metric: metric.clone(),
            timestamp: e.timestamp.clone(),
            window_seconds: None,
            value: e.value.clone(),
        };
        match &q.objects {
            ObjectSelection::Named(name) => {
                let entry = objects.get(&(namespace, name.clone())).ok_or_else(|| {
                    BackendError::NotFound(format!(
                        "the server could not find the described metric {} for {} {}",
                        q.info.metric, q.info.resource, name
                    ))
                })?;
                if !q.metric_selector.matches(&entry.metric_labels) {
                    return Err(BackendError::NotFound(format!(
                        "the server could not find the described metric {} for {} {} with selector {}",
                        q.info.metric, q.info.resource, name, q.metric_selector
                    )));
                }
                Ok(vec![value_of(name, entry)])
            }
            ObjectSelection::Selected(selector) => {
                let start = (namespace.clone(), String::new());
                Ok(objects
                    .range(start..)
                    .take_while(|((ns, _), _)| *ns == namespace)
                    .filter(|((_, name), e)| match &names {
                        Some(listed) => listed.contains(name),
                        None => selector.matches(&e.object_labels),
                    })
                    .filter(|(_, e)| q.metric_selector.matches(&e.metric_labels))
                    .map(|((_, name), e)| value_of(name, e))
                    .collect())
            }
        }
    }

    /// Answers an external metric query: every label set of the metric in the namespace
    /// that the selector matches.
    pub fn external(&self, q: &ExternalQuery) -> Result<Vec<ExternalMetricValue>, BackendError> {
        let store = self.store.read().unwrap_or_else(|e| e.into_inner());
        let by_ns = store.external.get(&q.metric).ok_or_else(|| {
            BackendError::NotFound(format!(
                "the server could not find the external metric {} in namespace {}",
                q.metric, q.namespace
            ))
        })?;
        Ok(by_ns
            .get(&q.namespace)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(|(labels, _)| q.selector.matches(labels))
            .map(|(labels, e)| ExternalMetricValue {
                metric_name: q.metric.clone(),
                metric_labels: labels.clone(),
                timestamp: e.timestamp.clone(),
                window_seconds: None,
                value: e.value.clone(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::GroupResource;

    fn pods_info() -> CustomMetricInfo {
        CustomMetricInfo {
            resource: GroupResource::parse("pods"),
            namespaced: true,
            metric: "rps".into(),
        }
    }

    fn labels(s: &str) -> Labels {
        s.split(',')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn lists_by_namespace_and_selectors() {
        let m = MemoryBackend::default();
        for (ns, name, app) in [("a", "p1", "web"), ("a", "p2", "db"), ("b", "p3", "web")] {
            let t = ObjectTarget {
                info: pods_info(),
                namespace: Some(ns.into()),
                name: name.into(),
            };
            m.write_custom(
                &t,
                Quantity("1".into()),
                labels("verb=GET"),
                labels(&format!("app={app}")),
            );
        }
        let q = |ns: &str, sel: &str, msel: &str| CustomQuery {
            info: pods_info(),
            namespace: Some(ns.into()),
            objects: ObjectSelection::Selected(crate::selector::parse(sel).unwrap()),
            metric_selector: crate::selector::parse(msel).unwrap(),
        };
        assert_eq!(m.custom(&q("a", "", "")).await.unwrap().len(), 2);
        assert_eq!(m.custom(&q("a", "app=web", "")).await.unwrap().len(), 1);
        assert_eq!(m.custom(&q("a", "", "verb=POST")).await.unwrap().len(), 0);
        assert_eq!(m.custom(&q("c", "", "")).await.unwrap().len(), 0);
        let g = m.generation();
        m.write_external("a", "queue", labels("q=x"), Quantity("3".into()));
        assert!(m.generation() > g);
        let eq = ExternalQuery {
            namespace: "a".into(),
            metric: "queue".into(),
            selector: crate::selector::parse("q in (x,y)").unwrap(),
        };
        assert_eq!(m.external(&eq).unwrap().len(), 1);
        assert!(matches!(
            m.external(&ExternalQuery {
                metric: "nope".into(),
                ..eq
            }),
            Err(BackendError::NotFound(_))
        ));
    }
}
