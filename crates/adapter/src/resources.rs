//! Kubernetes resources the adapter can describe: the mapping between the resource names in
//! URLs (`pods`, `deployments.apps`, `pod`), their kind and API group-version, the way a
//! RESTMapper normalizes them, and the `describedObject` reference built from them.

use k8s_openapi::api::core::v1::ObjectReference;

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
        let known = KNOWN.iter().find(|k| {
            (k.plural == lower || k.singular == lower || k.kind.eq_ignore_ascii_case(&lower))
                && (group.is_empty() || k.group == group)
        });
        match known {
            Some(k) => Self {
                group: k.group.to_string(),
                resource: k.plural.to_string(),
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
        KNOWN
            .iter()
            .any(|k| k.plural == self.resource && k.group == self.group)
    }

    /// What the resource is, as far as the adapter knows.
    pub fn info(&self) -> ResourceInfo {
        match KNOWN
            .iter()
            .find(|k| k.plural == self.resource && k.group == self.group)
        {
            Some(k) => ResourceInfo {
                kind: k.kind.to_string(),
                version: k.version.to_string(),
                singular: k.singular.to_string(),
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
