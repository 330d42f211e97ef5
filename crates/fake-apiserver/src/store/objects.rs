//! Objects of one resource, indexed by namespace then name (cluster-scoped objects live
//! under the empty namespace), iterated in key order like etcd lists.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

/// Objects of one resource.
#[derive(Debug, Default)]
pub(crate) struct Objects {
    by_namespace: BTreeMap<String, BTreeMap<String, Arc<Value>>>,
}

impl Objects {
    /// One object.
    pub fn get(&self, ns: &str, name: &str) -> Option<&Arc<Value>> {
        self.by_namespace.get(ns)?.get(name)
    }

    /// Inserts or replaces; returns the replaced object.
    pub fn insert(&mut self, ns: &str, name: &str, obj: Arc<Value>) -> Option<Arc<Value>> {
        self.by_namespace
            .entry(ns.to_string())
            .or_default()
            .insert(name.to_string(), obj)
    }

    /// Removes; returns the removed object.
    pub fn remove(&mut self, ns: &str, name: &str) -> Option<Arc<Value>> {
        let names = self.by_namespace.get_mut(ns)?;
        let removed = names.remove(name)?;
        if names.is_empty() {
            self.by_namespace.remove(ns);
        }
        Some(removed)
    }

    /// Objects of one namespace, or all of them, in (namespace, name) order.
    pub fn iter<'a>(
        &'a self,
        ns: Option<&'a str>,
    ) -> Box<dyn Iterator<Item = (&'a str, &'a str, &'a Arc<Value>)> + 'a> {
        match ns {
            Some(ns) => Box::new(self.by_namespace.get_key_value(ns).into_iter().flat_map(
                |(ns, names)| names.iter().map(move |(n, o)| (ns.as_str(), n.as_str(), o)),
            )),
            None => Box::new(self.by_namespace.iter().flat_map(|(ns, names)| {
                names.iter().map(move |(n, o)| (ns.as_str(), n.as_str(), o))
            })),
        }
    }
}
