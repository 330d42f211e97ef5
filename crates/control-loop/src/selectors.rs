//! Every autoscaler's latest selector, as upstream's HPA controller keeps them
//! (`hpaSelectors`): each sync stores the selector of its target's scale, and a Snapshot
//! carries the other autoscalers of the namespace whose selectors select any of its pods,
//! so that the engine can refuse an ambiguous one (`AmbiguousSelector`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use alpaca_engine::selector::Selector;
use alpaca_engine::snapshot::AutoscalerSelector;
use rustc_hash::FxHashMap as HashMap;

use crate::cluster::HpaKey;

/// A namespace's autoscalers: name → (selector text, parsed).
type Namespace = BTreeMap<String, (String, Selector)>;

/// Selectors by namespace and autoscaler name.
#[derive(Debug, Default)]
pub(crate) struct Selectors {
    by_namespace: Mutex<HashMap<String, Namespace>>,
}

impl Selectors {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Namespace>> {
        self.by_namespace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores `key`'s selector (upstream stores only one that parses).
    pub fn put(&self, key: &HpaKey, text: &str) {
        if text.is_empty() {
            return;
        }
        let Ok(selector) = alpaca_engine::selector::parse(text) else {
            return;
        };
        let mut map = self.lock();
        let ns = map.entry(key.namespace.clone()).or_default();
        if ns.get(&key.name).is_none_or(|(t, _)| t != text) {
            ns.insert(key.name.clone(), (text.to_string(), selector));
        }
    }

    /// Forgets a deleted autoscaler.
    pub fn forget(&self, key: &HpaKey) {
        let mut map = self.lock();
        if let Some(ns) = map.get_mut(&key.namespace) {
            ns.remove(&key.name);
            if ns.is_empty() {
                map.remove(&key.namespace);
            }
        }
    }

    /// The other autoscalers of `key`'s namespace whose selectors select any of the pods
    /// whose labels are given.
    pub fn overlapping<'a>(
        &self,
        key: &HpaKey,
        pod_labels: impl Iterator<Item = Option<&'a BTreeMap<String, String>>>,
    ) -> Vec<AutoscalerSelector> {
        let labels: Vec<Option<&BTreeMap<String, String>>> = pod_labels.collect();
        if labels.is_empty() {
            return Vec::new();
        }
        let map = self.lock();
        let Some(ns) = map.get(&key.namespace) else {
            return Vec::new();
        };
        ns.iter()
            .filter(|(name, _)| **name != key.name)
            .filter(|(_, (_, s))| labels.iter().any(|l| s.matches_opt(*l)))
            .map(|(name, (text, _))| AutoscalerSelector {
                name: name.clone(),
                selector: text.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use std::sync::Arc;

    fn labels(pods: &[Arc<Pod>]) -> impl Iterator<Item = Option<&BTreeMap<String, String>>> {
        pods.iter().map(|p| p.metadata.labels.as_ref())
    }

    fn pod(app: &str) -> Arc<Pod> {
        Arc::new(
            serde_json::from_value(
                serde_json::json!({"metadata": {"name": app, "labels": {"app": app}}}),
            )
            .unwrap(),
        )
    }

    #[test]
    fn only_others_selecting_the_same_pods_are_carried() {
        let s = Selectors::default();
        let me = HpaKey::new("ns", "me");
        s.put(&me, "app=web");
        s.put(&HpaKey::new("ns", "twin"), "app in (web)");
        s.put(&HpaKey::new("ns", "db"), "app=db");
        s.put(&HpaKey::new("other", "web"), "app=web");
        s.put(&HpaKey::new("ns", "bad"), "app in (");
        let pods = [pod("web")];
        let got = s.overlapping(&me, labels(&pods));
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].name.as_str(), got[0].selector.as_str()),
            ("twin", "app in (web)")
        );
        s.forget(&HpaKey::new("ns", "twin"));
        assert!(s.overlapping(&me, labels(&pods)).is_empty());
        assert!(s.overlapping(&me, labels(&[])).is_empty());
    }
}
