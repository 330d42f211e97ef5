//! The resources the server knows: built-in kinds, custom resources registered through
//! CRDs, the API versions each is served under, and its subresources.

mod builtin;
mod crd;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub(crate) use crd::kind_from_crd;

/// How a served version's JSON relates to the stored JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    /// Same schema; only `apiVersion` differs.
    Identity,
    /// `autoscaling/v1` view of `autoscaling/v2` storage.
    HpaV1,
    /// `events.k8s.io/v1` view of core `v1` Event storage.
    EventsV1,
}

/// Server-side defaulting applied on every write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Defaults {
    /// Nothing.
    None,
    /// `spec.replicas = 1` when missing (Deployment, StatefulSet, ReplicaSet, RC).
    Workload,
    /// HorizontalPodAutoscaler v2 defaults (minReplicas, cpu metric, behavior rules).
    Hpa,
    /// Namespace `status.phase = Active`.
    Namespace,
}

/// JSON paths (as `.spec.replicas`) of a scale subresource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScalePaths {
    /// Where the desired replicas live.
    pub spec_replicas: String,
    /// Where the observed replicas live.
    pub status_replicas: String,
    /// Where a selector string lives (custom resources).
    pub label_selector: Option<String>,
    /// Built-in workloads: render `.spec.selector` (a LabelSelector) as a string.
    pub selector_from_spec: bool,
}

/// One (group, version) under which a kind is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct View {
    /// API group of this view (may differ from storage, as for events.k8s.io).
    pub group: String,
    /// Version.
    pub version: String,
    /// How to convert stored JSON to this view and back.
    pub codec: Codec,
}

impl View {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// A stored resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceKind {
    /// Storage group.
    pub group: String,
    /// Plural resource name.
    pub plural: String,
    /// Singular name.
    pub singular: String,
    /// Kind.
    pub kind: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// The served views; the first one is the storage form.
    pub views: Vec<View>,
    /// Has a `/status` subresource.
    pub status: bool,
    /// Has a `/scale` subresource.
    pub scale: Option<ScalePaths>,
    /// Short names for discovery.
    pub short_names: Vec<String>,
    /// Defaulting.
    pub defaults: Defaults,
}

impl ResourceKind {
    /// Key of this resource in the object store.
    pub fn storage_id(&self) -> String {
        format!("{}/{}", self.group, self.plural)
    }

    /// The storage view (first view).
    pub fn storage_view(&self) -> &View {
        &self.views[0]
    }
}

/// A resolved `(group, version, plural)`: the kind and the view the client speaks.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// The stored kind.
    pub kind: Arc<ResourceKind>,
    /// The view requested.
    pub view: View,
}

/// All served kinds, indexed by endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    kinds: BTreeMap<String, Arc<ResourceKind>>,
    endpoints: HashMap<(String, String, String), (String, usize)>,
}

impl Registry {
    /// The built-in resources.
    pub fn builtin() -> Self {
        let mut r = Self {
            kinds: BTreeMap::new(),
            endpoints: HashMap::new(),
        };
        for kind in builtin::kinds() {
            r.register(kind);
        }
        r
    }

    /// Adds (or replaces) a kind and its endpoints.
    pub fn register(&mut self, kind: ResourceKind) {
        let id = kind.storage_id();
        self.unregister(&id);
        for (i, v) in kind.views.iter().enumerate() {
            self.endpoints.insert(
                (v.group.clone(), v.version.clone(), kind.plural.clone()),
                (id.clone(), i),
            );
        }
        self.kinds.insert(id, Arc::new(kind));
    }

    /// Removes a kind (its stored objects stay in the store, unreachable).
    pub fn unregister(&mut self, storage_id: &str) {
        if self.kinds.remove(storage_id).is_some() {
            self.endpoints.retain(|_, (id, _)| id != storage_id);
        }
    }

    /// Resolves an endpoint.
    pub fn endpoint(&self, group: &str, version: &str, plural: &str) -> Option<Endpoint> {
        let (id, i) =
            self.endpoints
                .get(&(group.to_string(), version.to_string(), plural.to_string()))?;
        let kind = self.kinds.get(id)?.clone();
        let view = kind.views[*i].clone();
        Some(Endpoint { kind, view })
    }

    /// The kind stored for `(group, kind)` (any version), to map a Kind to its resource.
    pub fn by_group_kind(&self, group: &str, kind: &str) -> Option<&Arc<ResourceKind>> {
        self.kinds
            .values()
            .find(|k| k.kind == kind && k.views.iter().any(|v| v.group == group))
    }

    /// The kind whose plural is `plural` in `group`, or in any group if `group` is None.
    pub fn by_plural(&self, group: Option<&str>, plural: &str) -> Option<&Arc<ResourceKind>> {
        let mut found = self.kinds.values().filter(|k| {
            k.plural == plural && group.is_none_or(|g| k.views.iter().any(|v| v.group == g))
        });
        let first = found.next()?;
        if group.is_none() && !first.group.is_empty() {
            // prefer the core group for ambiguous bare plurals (events)
            return self.kinds.get(&format!("/{plural}")).or(Some(first));
        }
        Some(first)
    }

    /// Every group served, with its versions, preferred version first.
    pub fn groups(&self) -> BTreeMap<String, Vec<String>> {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for kind in self.kinds.values() {
            for v in &kind.views {
                let versions = groups.entry(v.group.clone()).or_default();
                if !versions.contains(&v.version) {
                    versions.push(v.version.clone());
                }
            }
        }
        for versions in groups.values_mut() {
            versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        }
        groups
    }

    /// Every (kind, view) served under group/version.
    pub fn resources_in(&self, group: &str, version: &str) -> Vec<Endpoint> {
        self.kinds
            .values()
            .flat_map(|k| {
                k.views
                    .iter()
                    .filter(|v| v.group == group && v.version == version)
                    .map(|v| Endpoint {
                        kind: k.clone(),
                        view: v.clone(),
                    })
            })
            .collect()
    }
}

/// Kubernetes version priority: GA > beta > alpha, higher numbers first.
pub(crate) fn version_priority(v: &str) -> (u8, u32, u32) {
    let Some(rest) = v.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (stability, minor) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (stability, major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_views() {
        let r = Registry::builtin();
        let ep = r
            .endpoint("autoscaling", "v1", "horizontalpodautoscalers")
            .unwrap();
        assert_eq!(ep.view.codec, Codec::HpaV1);
        assert_eq!(ep.kind.storage_view().version, "v2");
        let ev = r.endpoint("events.k8s.io", "v1", "events").unwrap();
        assert_eq!(ev.kind.storage_id(), "/events");
        assert_eq!(r.groups()["autoscaling"], vec!["v2", "v1"]);
        assert!(r.endpoint("apps", "v1", "nope").is_none());
    }

    #[test]
    fn orders_versions() {
        let mut v = vec!["v1beta1", "v1", "v2alpha1", "v2", "v1beta2"];
        v.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        assert_eq!(v, vec!["v2", "v1", "v1beta2", "v1beta1", "v2alpha1"]);
    }
}
