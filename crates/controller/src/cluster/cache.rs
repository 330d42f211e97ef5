//! A reflector store indexed by namespace: the objects a watcher has listed and watched,
//! so a sync reads pods and autoscalers from memory, not with a LIST per sync.
//!
//! A relist (the watcher's `Init` .. `InitDone`, after a restart or a `410 Gone`) is
//! buffered and swapped in whole, as kube-rs' reflector does.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

type Key = (String, String);

/// What the cache stores: anything with a namespace and a name.
pub(crate) trait Keyed {
    /// The namespace (`""` when cluster-scoped).
    fn namespace(&self) -> String;
    /// The name.
    fn name(&self) -> String;
    /// `(namespace, name)`.
    fn key(&self) -> (String, String) {
        (self.namespace(), self.name())
    }
}

impl Keyed for kube::api::DynamicObject {
    fn namespace(&self) -> String {
        self.metadata.namespace.clone().unwrap_or_default()
    }
    fn name(&self) -> String {
        self.metadata.name.clone().unwrap_or_default()
    }
}

#[derive(Debug)]
struct Inner<K> {
    by_namespace: HashMap<String, BTreeMap<String, Arc<K>>>,
    relist: Option<HashMap<Key, Arc<K>>>,
}

/// What a relist changed.
#[derive(Debug, Default)]
pub(crate) struct Relisted {
    /// `(namespace, name)` of objects gone since the previous list.
    pub removed: Vec<(String, String)>,
    /// `(namespace, name)` of every listed object.
    pub listed: Vec<(String, String)>,
}

/// Objects of one kind by namespace and name.
#[derive(Debug)]
pub(crate) struct Cache<K> {
    inner: RwLock<Inner<K>>,
    synced: AtomicBool,
}

impl<K> Default for Cache<K> {
    fn default() -> Self {
        Self {
            inner: RwLock::new(Inner {
                by_namespace: HashMap::new(),
                relist: None,
            }),
            synced: AtomicBool::new(false),
        }
    }
}

fn key_of<K: Keyed>(obj: &K) -> Key {
    obj.key()
}

impl<K: Keyed> Cache<K> {
    fn read(&self) -> RwLockReadGuard<'_, Inner<K>> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner<K>> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a first full list has been stored.
    pub fn is_synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// One object.
    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<K>> {
        self.read().by_namespace.get(namespace)?.get(name).cloned()
    }

    /// The objects of a namespace that `keep` selects.
    pub fn select(&self, namespace: &str, mut keep: impl FnMut(&K) -> bool) -> Vec<Arc<K>> {
        self.read()
            .by_namespace
            .get(namespace)
            .map(|objs| objs.values().filter(|o| keep(o)).cloned().collect())
            .unwrap_or_default()
    }

    /// Whether any object of `namespace` is stored.
    pub fn has_namespace(&self, namespace: &str) -> bool {
        self.read().by_namespace.contains_key(namespace)
    }

    /// The namespaces with at least one object stored.
    pub fn namespaces(&self) -> std::collections::HashSet<String> {
        self.read().by_namespace.keys().cloned().collect()
    }

    /// Drops every object of `namespace`.
    pub fn remove_namespace(&self, namespace: &str) {
        self.write().by_namespace.remove(namespace);
    }

    /// How many objects are stored.
    pub fn len(&self) -> usize {
        self.read().by_namespace.values().map(BTreeMap::len).sum()
    }

    /// Stores a watched object; returns the one it replaced.
    pub fn apply(&self, obj: K) -> Option<Arc<K>> {
        let (ns, name) = key_of(&obj);
        self.write()
            .by_namespace
            .entry(ns)
            .or_default()
            .insert(name, Arc::new(obj))
    }

    /// Removes a deleted object; returns it.
    pub fn delete(&self, obj: &K) -> Option<Arc<K>> {
        let (ns, name) = key_of(obj);
        let mut inner = self.write();
        let objs = inner.by_namespace.get_mut(&ns)?;
        let old = objs.remove(&name);
        if objs.is_empty() {
            inner.by_namespace.remove(&ns);
        }
        old
    }

    /// A relist starts.
    pub fn relist_start(&self) {
        self.write().relist = Some(HashMap::new());
    }

    /// An object of the relist.
    pub fn relist_apply(&self, obj: K) {
        let key = key_of(&obj);
        let mut inner = self.write();
        inner
            .relist
            .get_or_insert_with(HashMap::new)
            .insert(key, Arc::new(obj));
    }

    /// The relist is complete: it replaces the stored objects.
    pub fn relist_done(&self) -> Relisted {
        let mut inner = self.write();
        let listed = inner.relist.take().unwrap_or_default();
        let mut out = Relisted::default();
        for (ns, objs) in &inner.by_namespace {
            for name in objs.keys() {
                let key = (ns.clone(), name.clone());
                if !listed.contains_key(&key) {
                    out.removed.push(key);
                }
            }
        }
        let mut by_namespace: HashMap<String, BTreeMap<String, Arc<K>>> = HashMap::new();
        for ((ns, name), obj) in listed {
            out.listed.push((ns.clone(), name.clone()));
            by_namespace.entry(ns).or_default().insert(name, obj);
        }
        inner.by_namespace = by_namespace;
        drop(inner);
        self.synced.store(true, Ordering::Release);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::api::DynamicObject;

    fn pod(ns: &str, name: &str) -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": ns, "name": name}
        }))
        .unwrap()
    }

    #[test]
    fn relist_replaces_and_reports_removals() {
        let cache = Cache::default();
        cache.apply(pod("a", "1"));
        cache.apply(pod("a", "2"));
        assert!(!cache.is_synced());
        cache.relist_start();
        cache.relist_apply(pod("a", "2"));
        cache.relist_apply(pod("b", "3"));
        let r = cache.relist_done();
        assert!(cache.is_synced());
        assert_eq!(r.removed, vec![("a".to_string(), "1".to_string())]);
        assert_eq!(cache.len(), 2);
        assert!(cache.get("a", "1").is_none());
        assert_eq!(cache.select("b", |_| true).len(), 1);
        assert!(cache.delete(&pod("b", "3")).is_some());
        assert_eq!(cache.len(), 1);
        assert!(cache.has_namespace("a") && !cache.has_namespace("b"));
        assert_eq!(cache.namespaces().len(), 1);
        cache.remove_namespace("a");
        assert_eq!(cache.len(), 0);
    }
}
