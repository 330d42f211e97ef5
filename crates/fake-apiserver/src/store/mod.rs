//! The object store: every resource's objects indexed by namespace, one global
//! resourceVersion counter (as etcd's revision), and per-resource watch history.

mod history;
mod objects;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

pub(crate) use history::{EventType, History, StoredEvent};
pub(crate) use objects::Objects;

/// One resource's objects and watch history.
#[derive(Debug)]
pub(crate) struct ResourceStore {
    /// Current objects.
    pub objects: Objects,
    /// Recent events and the live broadcast.
    pub history: History,
}

/// Sizes of the watch machinery.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoreLimits {
    /// Events kept per resource for watches that resume from a resourceVersion.
    pub history: usize,
    /// Events a watch may fall behind before it is closed with 410 Gone.
    pub channel: usize,
}

/// All objects of all resources.
#[derive(Debug)]
pub(crate) struct Store {
    rv: u64,
    resources: HashMap<String, ResourceStore>,
    limits: StoreLimits,
}

/// Sets `metadata.resourceVersion`.
pub(crate) fn set_resource_version(obj: &mut Value, rv: u64) {
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    obj["metadata"]["resourceVersion"] = json!(rv.to_string());
}

impl Store {
    /// An empty store.
    pub fn new(limits: StoreLimits) -> Self {
        Self {
            rv: 1,
            resources: HashMap::new(),
            limits,
        }
    }

    /// The latest resourceVersion handed out.
    pub fn current_rv(&self) -> u64 {
        self.rv
    }

    /// The resource's store, if anything was ever written to it.
    pub fn resource(&self, id: &str) -> Option<&ResourceStore> {
        self.resources.get(id)
    }

    /// The resource's store, created empty on first use.
    pub fn resource_mut(&mut self, id: &str) -> &mut ResourceStore {
        let limits = self.limits;
        self.resources
            .entry(id.to_string())
            .or_insert_with(|| ResourceStore {
                objects: Objects::default(),
                history: History::new(limits.history, limits.channel),
            })
    }

    /// A stored object.
    pub fn get(&self, id: &str, ns: &str, name: &str) -> Option<&Arc<Value>> {
        self.resources.get(id)?.objects.get(ns, name)
    }

    /// Stores `obj` under a new resourceVersion and records ADDED or MODIFIED.
    pub fn put(&mut self, id: &str, ns: &str, name: &str, mut obj: Value) -> Arc<Value> {
        self.rv += 1;
        let rv = self.rv;
        set_resource_version(&mut obj, rv);
        let obj = Arc::new(obj);
        let res = self.resource_mut(id);
        let previous = res.objects.insert(ns, name, obj.clone());
        let kind = if previous.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        res.history.push(StoredEvent {
            rv,
            kind,
            object: obj.clone(),
            previous,
        });
        obj
    }

    /// Removes an object and records DELETED (the object carries the deletion's
    /// resourceVersion, as the watch cache sends it).
    pub fn delete(&mut self, id: &str, ns: &str, name: &str) -> Option<Arc<Value>> {
        let res = self.resources.get_mut(id)?;
        let previous = res.objects.remove(ns, name)?;
        self.rv += 1;
        let rv = self.rv;
        let mut obj = (*previous).clone();
        set_resource_version(&mut obj, rv);
        let obj = Arc::new(obj);
        let res = self.resource_mut(id);
        res.history.push(StoredEvent {
            rv,
            kind: EventType::Deleted,
            object: obj.clone(),
            previous: Some(previous),
        });
        Some(obj)
    }

    /// Forgets all watch history: a watch from any resourceVersion handed out so far
    /// gets 410 Gone; a fresh list returns a resourceVersion that can be watched.
    pub fn compact(&mut self) {
        self.rv += 1;
        let rv = self.rv;
        for res in self.resources.values_mut() {
            res.history.compact(rv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::new(StoreLimits {
            history: 3,
            channel: 16,
        })
    }

    #[test]
    fn versions_increase_and_history_trims() {
        let mut s = store();
        let a = s.put("/pods", "ns", "a", json!({"metadata": {"name": "a"}}));
        assert_eq!(a["metadata"]["resourceVersion"], "2");
        for i in 0..4 {
            s.put("/pods", "ns", &format!("p{i}"), json!({"metadata": {}}));
        }
        let h = &s.resource("/pods").unwrap().history;
        assert_eq!(h.since(2).unwrap_err(), 3);
        assert_eq!(h.since(3).unwrap().len(), 3);
        assert_eq!(h.since(4).unwrap().len(), 2);
        let gone = s.delete("/pods", "ns", "a").unwrap();
        assert_eq!(gone["metadata"]["resourceVersion"], "7");
        assert!(s.get("/pods", "ns", "a").is_none());
        s.compact();
        assert!(s.resource("/pods").unwrap().history.since(7).is_err());
        assert!(
            s.resource("/pods")
                .unwrap()
                .history
                .since(8)
                .unwrap()
                .is_empty()
        );
    }
}
