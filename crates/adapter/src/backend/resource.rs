//! The resource metrics (`metrics.k8s.io`) side of a backend: which pods or nodes a query is
//! about, and the usage a backend answers with, before it is shaped as `PodMetrics` or
//! `NodeMetrics`.

use std::collections::BTreeMap;

use alpaca_metrics_api::GoDuration;
use alpaca_metrics_api::resource::{ContainerMetrics, NodeMetrics, PodMetrics};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::Labels;
use crate::selector::Selector;

/// Which pods or nodes a resource metrics query is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceQuery {
    /// The namespace of pods; `None` for every namespace (and for nodes).
    pub namespace: Option<String>,
    /// One object by name, if the path names one.
    pub name: Option<String>,
    /// The objects' labels must match (`labelSelector`).
    pub selector: Selector,
}

impl ResourceQuery {
    /// Whether an object with this namespace, name and labels is selected.
    pub fn selects(&self, namespace: &str, name: &str, labels: &Labels) -> bool {
        self.namespace.as_deref().is_none_or(|ns| ns == namespace)
            && self.name.as_deref().is_none_or(|n| n == name)
            && self.selector.matches(labels)
    }
}

/// The usage of one pod or node.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    /// The namespace (empty for nodes).
    pub namespace: String,
    /// The object's name.
    pub name: String,
    /// The object's labels.
    pub labels: Labels,
    /// The end of the sampling window.
    pub timestamp: Time,
    /// The sampling window.
    pub window: GoDuration,
    /// Per container (pods) or a single unnamed entry (nodes): resource → quantity.
    pub containers: Vec<(String, BTreeMap<String, Quantity>)>,
}

impl Usage {
    fn metadata(&self, namespaced: bool) -> ObjectMeta {
        ObjectMeta {
            name: Some(self.name.clone()),
            namespace: namespaced.then(|| self.namespace.clone()),
            labels: (!self.labels.is_empty()).then(|| self.labels.clone()),
            creation_timestamp: Some(Time(jiff::Timestamp::now())),
            ..ObjectMeta::default()
        }
    }

    /// As metrics-server shapes a pod, at `api_version` (`metrics.k8s.io/v1beta1` or `/v1`).
    pub fn into_pod(self, api_version: &str) -> PodMetrics {
        PodMetrics {
            api_version: api_version.into(),
            kind: "PodMetrics".into(),
            metadata: self.metadata(true),
            timestamp: self.timestamp,
            window: self.window,
            containers: self
                .containers
                .into_iter()
                .map(|(name, usage)| ContainerMetrics { name, usage })
                .collect(),
        }
    }

    /// As metrics-server shapes a node (the containers' usage summed by resource), at
    /// `api_version`.
    pub fn into_node(self, api_version: &str) -> NodeMetrics {
        let metadata = self.metadata(false);
        let mut usage: BTreeMap<String, Quantity> = BTreeMap::new();
        for (_, c) in self.containers {
            for (resource, q) in c {
                let sum = match usage.get(&resource) {
                    Some(prev) => add(prev, &q).unwrap_or(q),
                    None => q,
                };
                usage.insert(resource, sum);
            }
        }
        NodeMetrics {
            api_version: api_version.into(),
            kind: "NodeMetrics".into(),
            metadata,
            timestamp: self.timestamp,
            window: self.window,
            usage,
        }
    }
}

fn add(a: &Quantity, b: &Quantity) -> Option<Quantity> {
    let a = alpaca_quantity::Quantity::parse(&a.0).ok()?;
    let b = alpaca_quantity::Quantity::parse(&b.0).ok()?;
    Some(Quantity(a.checked_add(b)?.to_string()))
}
