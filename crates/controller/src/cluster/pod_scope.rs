//! Which namespaces' pods the pod cache holds: only those of namespaces with at least
//! one autoscaler (an autoscaler selects pods of its own namespace only), so pods no
//! autoscaler can select cost no memory.
//!
//! The pod watch keeps a pod when the autoscaler cache has its namespace. A namespace is
//! *covered* once a complete pod list was taken while it had an autoscaler; until then
//! (an autoscaler in a namespace new to the controller) its pods are read with a LIST and
//! the pod watch is asked to relist. When a namespace's last autoscaler goes, its pods
//! are dropped from the cache.

use std::collections::HashSet;
use std::sync::RwLock;

use tokio::sync::Notify;

/// The namespaces whose pods the cache holds completely, and the relist request.
#[derive(Debug, Default)]
pub(crate) struct PodScope {
    covered: RwLock<HashSet<String>>,
    relist: Notify,
}

impl PodScope {
    /// Whether the cache holds every pod of `namespace`.
    pub fn covers(&self, namespace: &str) -> bool {
        self.covered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(namespace)
    }

    /// A complete pod list of `namespaces` is stored.
    pub fn set_covered(&self, namespaces: HashSet<String>) {
        *self.covered.write().unwrap_or_else(|e| e.into_inner()) = namespaces;
    }

    /// `namespace` has no autoscaler any more.
    pub fn uncover(&self, namespace: &str) {
        self.covered
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(namespace);
    }

    /// An autoscaler is in `namespace`: asks the pod watch for a relist unless covered.
    pub fn want(&self, namespace: &str) {
        if !self.covers(namespace) {
            self.relist.notify_one();
        }
    }

    /// Resolves when a relist was asked for (at once if asked since the last call).
    pub async fn relist_requested(&self) {
        self.relist.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_new_namespace_asks_for_one_relist() {
        let scope = PodScope::default();
        scope.set_covered(HashSet::from(["a".to_string()]));
        scope.want("a");
        let asked = tokio::time::timeout(Duration::from_millis(50), scope.relist_requested());
        assert!(asked.await.is_err(), "a covered namespace asks nothing");
        scope.want("b");
        scope.want("c");
        tokio::time::timeout(Duration::from_millis(50), scope.relist_requested())
            .await
            .expect("a relist asked for");
        assert!(scope.covers("a") && !scope.covers("b"));
        scope.uncover("a");
        assert!(!scope.covers("a"));
    }
}
