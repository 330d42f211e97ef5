//! Kubernetes resources the adapter can describe: the mapping between the resource names in
//! URLs (`pods`, `deployments.apps`, `pod`), their kind and API group-version, the way a
//! RESTMapper normalizes them, and the `describedObject` reference built from them. What the
//! cluster serves (custom resources included) is learnt through discovery
//! ([`crate::discovery`]) and recorded with [`set_discovered`]; a built-in table of well-known
//! resources answers when there is no cluster.

use std::sync::{Arc, RwLock};

use k8s_openapi::api::core::v1::ObjectReference;

/// A resource as discovery describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceEntry {
    /// The API group, empty for the core group.
    pub group: String,
    /// The preferred version.
    pub version: String,
    /// The plural name.
    pub plural: String,
    /// The singular name (the lowercase kind when discovery leaves it empty).
    pub singular: String,
    /// The kind.
    pub kind: String,
}

static DISCOVERED: RwLock<Option<Arc<Vec<ResourceEntry>>>> = RwLock::new(None);

/// Records the resources the cluster serves; they take precedence over the built-in table.
pub fn set_discovered(entries: Vec<ResourceEntry>) {
    *DISCOVERED.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(entries));
}

/// The first resource, discovered ones first, for which `pred` holds.
fn find(pred: impl Fn(&str, &str, &str, &str) -> bool) -> Option<ResourceEntry> {
    let discovered = DISCOVERED.read().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(d) = discovered
        && let Some(e) = d
            .iter()
            .find(|e| pred(&e.group, &e.plural, &e.singular, &e.kind))
    {
        return Some(e.clone());
    }
    KNOWN
        .iter()
        .find(|k| pred(k.group, k.plural, k.singular, k.kind))
        .map(|k| ResourceEntry {
            group: k.group.into(),
            version: k.version.into(),
            plural: k.plural.into(),
            singular: k.singular.into(),
            kind: k.kind.into(),
        })
}

/// Every resource known: discovered ones first, then the built-in table.
pub fn all() -> Vec<GroupResource> {
    let mut out: Vec<GroupResource> = Vec::new();
    if let Some(d) = DISCOVERED.read().unwrap_or_else(|e| e.into_inner()).clone() {
        out.extend(d.iter().map(|e| GroupResource {
            group: e.group.clone(),
            resource: e.plural.clone(),
        }));
    }
    out.extend(KNOWN.iter().map(|k| GroupResource {
        group: k.group.into(),
        resource: k.plural.into(),
    }));
    out
}

/// Whether `written` names `group`, as is or with `.` and `-` replaced by `_` (how
/// prometheus-adapter writes groups in label templates).
fn group_matches(group: &str, written: &str) -> bool {
    group == written || group.replace(['.', '-'], "_") == written
}

/// A resource in a group, normalized to its plural lowercase name (`pods`, `deployments.apps`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupResource {
    /// The API group, empty for the core group.
    pub group: String,
    /// The plural resource name.
    pub resource: String,
}

impl GroupResource {
    /// Parses `resource` or `resource.group` (as `schema.ParseGroupResource`) and normalizes
    /// singular names and kinds of well-known resources to their plural.
    pub fn parse(s: &str) -> Self {
        let (resource, group) = match s.split_once('.') {
            Some((r, g)) => (r, g),
            None => (s, ""),
        };
        let lower = resource.to_ascii_lowercase();
        let known = find(|g, plural, singular, kind| {
            (plural == lower || singular == lower || kind.eq_ignore_ascii_case(&lower))
                && (group.is_empty() || group_matches(g, group))
        });
        match known {
            Some(k) => Self {
                group: k.group,
                resource: k.plural,
            },
            None => Self {
                group: group.to_string(),
                resource: lower,
            },
        }
    }

    /// Whether this is one of the well-known resources (used to tell resource labels from
    /// other labels when a label template maps every label).
    pub fn is_known(&self) -> bool {
        find(|g, plural, _, _| plural == self.resource && g == self.group).is_some()
    }

    /// What the resource is, as far as the adapter knows.
    pub fn info(&self) -> ResourceInfo {
        match find(|g, plural, _, _| plural == self.resource && g == self.group) {
            Some(k) => ResourceInfo {
                kind: k.kind,
                version: k.version,
                singular: k.singular,
            },
            None => {
                let singular = self
                    .resource
                    .strip_suffix('s')
                    .unwrap_or(&self.resource)
                    .to_string();
                let mut kind = singular.clone();
                if let Some(first) = kind.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                ResourceInfo {
                    kind,
                    version: "v1".into(),
                    singular,
                }
            }
        }
    }

    /// A reference to an object of this resource, shaped as the upstream adapters build it
    /// (`apiVersion` is `GROUP/VERSION`, so `/v1` for the core group).
    pub fn reference(&self, namespace: Option<&str>, name: &str) -> ObjectReference {
        let info = self.info();
        ObjectReference {
            api_version: Some(format!("{}/{}", self.group, info.version)),
            kind: Some(info.kind),
            name: Some(name.to_string()),
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
            ..Default::default()
        }
    }
}

impl std::fmt::Display for GroupResource {
    /// `resource` or `resource.group`, as `schema.GroupResource.String()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

/// Kind and version of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInfo {
    /// The kind (`Pod`).
    pub kind: String,
    /// The preferred version (`v1`).
    pub version: String,
    /// The singular name (`pod`).
    pub singular: String,
}

struct Known {
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
}

const fn k(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
) -> Known {
    Known {
        group,
        version,
        plural,
        singular,
        kind,
    }
}

const KNOWN: &[Known] = &[
    k("", "v1", "pods", "pod", "Pod"),
    k("", "v1", "services", "service", "Service"),
    k("", "v1", "namespaces", "namespace", "Namespace"),
    k("", "v1", "nodes", "node", "Node"),
    k("", "v1", "endpoints", "endpoints", "Endpoints"),
    k(
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
    ),
    k(
        "",
        "v1",
        "persistentvolumes",
        "persistentvolume",
        "PersistentVolume",
    ),
    k(
        "",
        "v1",
        "replicationcontrollers",
        "replicationcontroller",
        "ReplicationController",
    ),
    k("", "v1", "configmaps", "configmap", "ConfigMap"),
    k("apps", "v1", "deployments", "deployment", "Deployment"),
    k("apps", "v1", "statefulsets", "statefulset", "StatefulSet"),
    k("apps", "v1", "replicasets", "replicaset", "ReplicaSet"),
    k("apps", "v1", "daemonsets", "daemonset", "DaemonSet"),
    k("batch", "v1", "jobs", "job", "Job"),
    k("batch", "v1", "cronjobs", "cronjob", "CronJob"),
    k("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress"),
    k(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_a_rest_mapper() {
        assert_eq!(GroupResource::parse("pod").resource, "pods");
        assert_eq!(GroupResource::parse("Pod").resource, "pods");
        let d = GroupResource::parse("deployments.apps");
        assert_eq!(
            (d.group.as_str(), d.resource.as_str()),
            ("apps", "deployments")
        );
        assert_eq!(GroupResource::parse("deployment").group, "apps");
        assert_eq!(d.to_string(), "deployments.apps");
        let odd = GroupResource::parse("widgets.example.com");
        assert_eq!(odd.info().kind, "Widget");
        assert_eq!(odd.to_string(), "widgets.example.com");
    }

    #[test]
    fn references_use_upstream_api_version() {
        let r = GroupResource::parse("services").reference(Some("default"), "kubernetes");
        assert_eq!(r.api_version.as_deref(), Some("/v1"));
        assert_eq!(r.kind.as_deref(), Some("Service"));
        let r = GroupResource::parse("deployments.apps").reference(Some("ns"), "web");
        assert_eq!(r.api_version.as_deref(), Some("apps/v1"));
    }
}
