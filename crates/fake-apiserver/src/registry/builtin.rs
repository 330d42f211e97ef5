//! The built-in resources an HPA controller touches, with their views and subresources,
//! and the kinds its installation manifests hold (service accounts, RBAC, PDBs).

use super::{Codec, Defaults, ResourceKind, ScalePaths, View};

fn view(group: &str, version: &str) -> View {
    View {
        group: group.into(),
        version: version.into(),
        codec: Codec::Identity,
    }
}

fn kind(
    group: &str,
    version: &str,
    plural: &str,
    kind_name: &str,
    namespaced: bool,
) -> ResourceKind {
    ResourceKind {
        group: group.into(),
        plural: plural.into(),
        singular: kind_name.to_lowercase(),
        kind: kind_name.into(),
        namespaced,
        views: vec![view(group, version)],
        status: false,
        scale: None,
        short_names: vec![],
        defaults: Defaults::None,
    }
}

fn workload(group: &str, plural: &str, kind_name: &str, short: &str) -> ResourceKind {
    ResourceKind {
        status: true,
        scale: Some(ScalePaths {
            spec_replicas: ".spec.replicas".into(),
            status_replicas: ".status.replicas".into(),
            label_selector: None,
            selector_from_spec: true,
        }),
        short_names: vec![short.into()],
        defaults: Defaults::Workload,
        ..kind(group, "v1", plural, kind_name, true)
    }
}

fn short(mut k: ResourceKind, names: &[&str]) -> ResourceKind {
    k.short_names = names.iter().map(|s| s.to_string()).collect();
    k
}

fn with_status(mut k: ResourceKind) -> ResourceKind {
    k.status = true;
    k
}

/// Every built-in kind.
pub(super) fn kinds() -> Vec<ResourceKind> {
    let mut hpa = with_status(short(
        kind(
            "autoscaling",
            "v2",
            "horizontalpodautoscalers",
            "HorizontalPodAutoscaler",
            true,
        ),
        &["hpa"],
    ));
    hpa.views.push(View {
        group: "autoscaling".into(),
        version: "v1".into(),
        codec: Codec::HpaV1,
    });
    hpa.defaults = Defaults::Hpa;

    let mut events = short(kind("", "v1", "events", "Event", true), &["ev"]);
    events.views.push(View {
        group: "events.k8s.io".into(),
        version: "v1".into(),
        codec: Codec::EventsV1,
    });

    let mut namespaces = with_status(short(
        kind("", "v1", "namespaces", "Namespace", false),
        &["ns"],
    ));
    namespaces.defaults = Defaults::Namespace;

    vec![
        with_status(short(kind("", "v1", "pods", "Pod", true), &["po"])),
        events,
        namespaces,
        with_status(short(kind("", "v1", "services", "Service", true), &["svc"])),
        short(kind("", "v1", "configmaps", "ConfigMap", true), &["cm"]),
        with_status(short(kind("", "v1", "nodes", "Node", false), &["no"])),
        workload("", "replicationcontrollers", "ReplicationController", "rc"),
        workload("apps", "deployments", "Deployment", "deploy"),
        workload("apps", "statefulsets", "StatefulSet", "sts"),
        workload("apps", "replicasets", "ReplicaSet", "rs"),
        hpa,
        kind("coordination.k8s.io", "v1", "leases", "Lease", true),
        // what an installation manifest holds besides workloads (kubectl apply)
        short(
            kind("", "v1", "serviceaccounts", "ServiceAccount", true),
            &["sa"],
        ),
        kind(
            "rbac.authorization.k8s.io",
            "v1",
            "clusterroles",
            "ClusterRole",
            false,
        ),
        kind(
            "rbac.authorization.k8s.io",
            "v1",
            "clusterrolebindings",
            "ClusterRoleBinding",
            false,
        ),
        kind("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
        kind(
            "rbac.authorization.k8s.io",
            "v1",
            "rolebindings",
            "RoleBinding",
            true,
        ),
        with_status(short(
            kind(
                "policy",
                "v1",
                "poddisruptionbudgets",
                "PodDisruptionBudget",
                true,
            ),
            &["pdb"],
        )),
        with_status(short(
            kind(
                "apiextensions.k8s.io",
                "v1",
                "customresourcedefinitions",
                "CustomResourceDefinition",
                false,
            ),
            &["crd", "crds"],
        )),
    ]
}
