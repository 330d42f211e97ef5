//! The controller's REST mapper: which kinds it can find a resource for. Upstream resolves
//! `scaleTargetRef` through discovery of the API groups it knows; a kind outside them fails
//! with `no matches for kind "X" in group "Y"` before the scale is even read.

/// Every kind the built-in API groups serve, by group.
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
    (
        "extensions",
        &[
            "DaemonSet",
            "Deployment",
            "Ingress",
            "NetworkPolicy",
            "ReplicaSet",
        ],
    ),
    ("batch", &["CronJob", "Job"]),
    ("autoscaling", &["HorizontalPodAutoscaler", "Scale"]),
    ("policy", &["Eviction", "PodDisruptionBudget"]),
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
    ("coordination.k8s.io", &["Lease", "LeaseCandidate"]),
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
    (
        "certificates.k8s.io",
        &["CertificateSigningRequest", "ClusterTrustBundle"],
    ),
    (
        "admissionregistration.k8s.io",
        &[
            "MutatingAdmissionPolicy",
            "MutatingAdmissionPolicyBinding",
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
    ("apiserverinternal.k8s.io", &["StorageVersion"]),
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
