//! The memory backend's resource metrics: the usage written for pods and nodes through
//! `write-resource-metrics`, kept with its write time and window, served as metrics-server
//! would. With a cluster, the objects' labels (matched by `labelSelector`) are those listed
//! from it and only objects that still exist are served; without one, the labels written.

use std::collections::BTreeMap;
use std::sync::RwLock;

use super::lister::ObjectLister;
use super::resource::{ResourceQuery, Usage};
use super::{BackendError, Labels};
use crate::resources::GroupResource;

/// Pod usage by (namespace, name), node usage by name.
#[derive(Debug, Default)]
pub struct ResourceStore {
    pods: RwLock<BTreeMap<(String, String), Usage>>,
    nodes: RwLock<BTreeMap<String, Usage>>,
}

impl ResourceStore {
    /// Stores (replaces) the usage of a pod, or of a node when `usage.namespace` is empty
    /// and `node` is true.
    pub fn write(&self, node: bool, usage: Usage) {
        if node {
            let mut nodes = self.nodes.write().unwrap_or_else(|e| e.into_inner());
            nodes.insert(usage.name.clone(), usage);
        } else {
            let mut pods = self.pods.write().unwrap_or_else(|e| e.into_inner());
            pods.insert((usage.namespace.clone(), usage.name.clone()), usage);
        }
    }

    /// The pods (`node` false) or nodes the query selects, with labels from the cluster when
    /// `lister` is given.
    pub async fn read(
        &self,
        node: bool,
        q: &ResourceQuery,
        lister: Option<&ObjectLister>,
    ) -> Result<Vec<Usage>, BackendError> {
        let written: Vec<Usage> = if node {
            let nodes = self.nodes.read().unwrap_or_else(|e| e.into_inner());
            nodes.values().cloned().collect()
        } else {
            let pods = self.pods.read().unwrap_or_else(|e| e.into_inner());
            pods.values().cloned().collect()
        };
        let Some(lister) = lister else {
            return Ok(written
                .into_iter()
                .filter(|u| q.selects(&u.namespace, &u.name, &u.labels))
                .collect());
        };
        let gr = GroupResource::parse(if node { "nodes" } else { "pods" });
        let namespace = if node { None } else { q.namespace.as_deref() };
        let listed: BTreeMap<(String, String), Labels> = lister
            .objects(&gr, namespace, &q.selector)
            .await?
            .into_iter()
            .map(|o| ((o.namespace, o.name), o.labels))
            .collect();
        Ok(written
            .into_iter()
            .filter_map(|mut u| {
                let labels = listed.get(&(u.namespace.clone(), u.name.clone()))?;
                u.labels = labels.clone();
                q.selects(&u.namespace, &u.name, &u.labels).then_some(u)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alpaca_metrics_api::GoDuration;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn usage(ns: &str, name: &str, app: &str) -> Usage {
        Usage {
            namespace: ns.into(),
            name: name.into(),
            labels: [("app".to_string(), app.to_string())].into(),
            timestamp: Time(jiff::Timestamp::now()),
            window: GoDuration::from_secs(30),
            containers: Vec::new(),
        }
    }

    #[tokio::test]
    async fn selects_by_namespace_name_and_labels() {
        let s = ResourceStore::default();
        s.write(false, usage("a", "p1", "web"));
        s.write(false, usage("a", "p2", "db"));
        s.write(false, usage("b", "p3", "web"));
        let q = |ns: Option<&str>, name: Option<&str>, sel: &str| ResourceQuery {
            namespace: ns.map(str::to_string),
            name: name.map(str::to_string),
            selector: crate::selector::parse(sel).unwrap(),
        };
        let n = |q: ResourceQuery| {
            let s = &s;
            async move { s.read(false, &q, None).await.unwrap().len() }
        };
        assert_eq!(n(q(Some("a"), None, "")).await, 2);
        assert_eq!(n(q(None, None, "app=web")).await, 2);
        assert_eq!(n(q(Some("a"), Some("p2"), "")).await, 1);
        assert_eq!(n(q(Some("b"), Some("p2"), "")).await, 0);
        assert!(
            s.read(true, &q(None, None, ""), None)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
