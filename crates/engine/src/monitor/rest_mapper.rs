//! The controller's REST mapper: which kinds it can find a resource for. Upstream resolves
//! `scaleTargetRef` through discovery of the API groups it knows; a kind outside them fails
//! with `no matches for kind "X" in group "Y"` before the scale is even read.

/// Every kind a current API server serves by default, by group, as its discovery lists
/// them (subresources such as `Scale` and `Eviction` have no mapping). Not here, so not
/// found as upstream does not find them: the `extensions` group (its last kinds,
/// Deployments, DaemonSets, ReplicaSets, NetworkPolicies and Ingresses, were removed in
/// 1.16 and 1.22), and the alpha and beta APIs served only when enabled
/// (`StorageVersion`, `LeaseCandidate`, `ClusterTrustBundle`, `MutatingAdmissionPolicy`).
/// The mapper looks up a group and a kind, not a version (upstream's
/// `RESTMappings(GroupKind)`): `apps/v1beta1` and `apps/v1beta2` Deployments, removed
/// versions of a group still served, are found as `apps/v1` ones.
const BUILT_IN: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "Binding",
            "ComponentStatus",
            "ConfigMap",
            "Endpoints",
            "Event",
            "LimitRange",
            "Namespace",
            "Node",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "Pod",
            "PodTemplate",
            "ReplicationController",
            "ResourceQuota",
            "Secret",
            "Service",
            "ServiceAccount",
        ],
    ),
    (
        "apps",
        &[
            "ControllerRevision",
            "DaemonSet",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
        ],
    ),
    ("batch", &["CronJob", "Job"]),
    ("autoscaling", &["HorizontalPodAutoscaler"]),
    ("policy", &["PodDisruptionBudget"]),
    (
        "networking.k8s.io",
        &[
            "IPAddress",
            "Ingress",
            "IngressClass",
            "NetworkPolicy",
            "ServiceCIDR",
        ],
    ),
    ("discovery.k8s.io", &["EndpointSlice"]),
    ("events.k8s.io", &["Event"]),
    ("coordination.k8s.io", &["Lease"]),
    (
        "rbac.authorization.k8s.io",
        &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    ),
    (
        "storage.k8s.io",
        &[
            "CSIDriver",
            "CSINode",
            "CSIStorageCapacity",
            "StorageClass",
            "VolumeAttachment",
            "VolumeAttributesClass",
        ],
    ),
    ("scheduling.k8s.io", &["PriorityClass"]),
    ("node.k8s.io", &["RuntimeClass"]),
    ("certificates.k8s.io", &["CertificateSigningRequest"]),
    (
        "admissionregistration.k8s.io",
        &[
            "MutatingWebhookConfiguration",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
            "ValidatingWebhookConfiguration",
        ],
    ),
    (
        "flowcontrol.apiserver.k8s.io",
        &["FlowSchema", "PriorityLevelConfiguration"],
    ),
    (
        "resource.k8s.io",
        &[
            "DeviceClass",
            "ResourceClaim",
            "ResourceClaimTemplate",
            "ResourceSlice",
        ],
    ),
];

/// Whether a kind belongs to a built-in API group.
pub fn is_built_in(group: &str, kind: &str) -> bool {
    BUILT_IN
        .iter()
        .any(|(g, kinds)| *g == group && kinds.contains(&kind))
}

/// `RESTMappings(groupKind)`: `Err` with upstream's message when the kind is neither
/// built in nor one of the custom kinds discovery found.
pub(crate) fn check(
    group: &str,
    kind: &str,
    custom: &[crate::snapshot::GroupKind],
) -> Result<(), String> {
    let known =
        is_built_in(group, kind) || custom.iter().any(|gk| gk.group == group && gk.kind == kind);
    if known {
        Ok(())
    } else {
        Err(format!("no matches for kind {kind:?} in group {group:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_groups_are_not_found_removed_versions_are() {
        assert_eq!(
            check("extensions", "Deployment", &[]),
            Err("no matches for kind \"Deployment\" in group \"extensions\"".into())
        );
        for kind in ["DaemonSet", "ReplicaSet", "Ingress", "NetworkPolicy"] {
            assert!(check("extensions", kind, &[]).is_err(), "{kind}");
        }
        assert!(check("autoscaling", "Scale", &[]).is_err());
        assert!(check("policy", "Eviction", &[]).is_err());
        // the version is not part of the lookup
        assert_eq!(check("apps", "Deployment", &[]), Ok(()));
        assert_eq!(check("", "ReplicationController", &[]), Ok(()));
        let custom = [crate::snapshot::GroupKind {
            group: "extensions".into(),
            kind: "Deployment".into(),
        }];
        assert_eq!(check("extensions", "Deployment", &custom), Ok(()));
    }
}
