//! The pod cache's entries: only what the engine reads of a pod (name, namespace, labels,
//! deletion timestamp; the pod-level resource requests, the containers' and sidecars' names
//! and resource requests; phase,
//! start time and the Ready condition), in a compact struct. A `k8s_openapi` Pod takes
//! about 5 KB even when nearly empty, and a real pod is mostly what the engine never
//! reads (env, volumes, probes, statuses, managed fields); a sync gets its few pods back
//! as `Pod`s.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, Pod, PodCondition, PodSpec, PodStatus, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::cache::Keyed;

/// A container's name, requests and (for init containers) restart policy.
#[derive(Debug, Clone, PartialEq)]
struct SlimContainer {
    name: String,
    requests: Option<BTreeMap<String, Quantity>>,
    has_resources: bool,
    restart_policy: Option<String>,
}

impl SlimContainer {
    fn new(c: Container) -> Self {
        Self {
            name: c.name,
            has_resources: c.resources.is_some(),
            requests: c.resources.and_then(|r| r.requests),
            restart_policy: c.restart_policy,
        }
    }

    fn container(&self) -> Container {
        Container {
            name: self.name.clone(),
            restart_policy: self.restart_policy.clone(),
            resources: self.has_resources.then(|| ResourceRequirements {
                requests: self.requests.clone(),
                ..ResourceRequirements::default()
            }),
            ..Container::default()
        }
    }
}

/// A pod as the cache keeps it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlimPod {
    namespace: String,
    name: String,
    uid: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    deletion: Option<Time>,
    has_spec: bool,
    /// Pod-level `spec.resources` (GA in 1.37): `Some(requests)` when the pod has them.
    pod_resources: Option<Option<BTreeMap<String, Quantity>>>,
    containers: Vec<SlimContainer>,
    sidecars: Option<Vec<SlimContainer>>,
    has_status: bool,
    phase: Option<String>,
    start_time: Option<Time>,
    ready: Option<Vec<PodCondition>>,
}

impl Keyed for SlimPod {
    fn namespace(&self) -> String {
        self.namespace.clone()
    }
    fn name(&self) -> String {
        self.name.clone()
    }
}

impl SlimPod {
    /// Keeps what the engine reads of a pod.
    pub fn new(pod: Pod) -> Self {
        let Pod {
            metadata,
            spec,
            status,
        } = pod;
        let (has_spec, pod_resources, containers, sidecars) = match spec {
            Some(s) => (
                true,
                s.resources.map(|r| r.requests),
                s.containers.into_iter().map(SlimContainer::new).collect(),
                s.init_containers.map(|cs| {
                    cs.into_iter()
                        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
                        .map(SlimContainer::new)
                        .collect()
                }),
            ),
            None => (false, None, Vec::new(), None),
        };
        let (has_status, phase, start_time, ready) = match status {
            Some(s) => (
                true,
                s.phase,
                s.start_time,
                s.conditions
                    .map(|cs| cs.into_iter().filter(|c| c.type_ == "Ready").collect()),
            ),
            None => (false, None, None, None),
        };
        Self {
            namespace: metadata.namespace.unwrap_or_default(),
            name: metadata.name.unwrap_or_default(),
            uid: metadata.uid,
            labels: metadata.labels,
            deletion: metadata.deletion_timestamp,
            has_spec,
            pod_resources,
            containers,
            sidecars,
            has_status,
            phase,
            start_time,
            ready,
        }
    }

    /// The pod's labels.
    pub fn labels(&self) -> Option<&BTreeMap<String, String>> {
        self.labels.as_ref()
    }

    /// The pod, with only the kept fields.
    pub fn pod(&self) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                namespace: Some(self.namespace.clone()),
                uid: self.uid.clone(),
                labels: self.labels.clone(),
                deletion_timestamp: self.deletion.clone(),
                ..ObjectMeta::default()
            },
            spec: self.has_spec.then(|| PodSpec {
                containers: self
                    .containers
                    .iter()
                    .map(SlimContainer::container)
                    .collect(),
                init_containers: self
                    .sidecars
                    .as_ref()
                    .map(|cs| cs.iter().map(SlimContainer::container).collect()),
                resources: self
                    .pod_resources
                    .clone()
                    .map(|requests| ResourceRequirements {
                        requests,
                        ..ResourceRequirements::default()
                    }),
                ..PodSpec::default()
            }),
            status: self.has_status.then(|| PodStatus {
                phase: self.phase.clone(),
                start_time: self.start_time.clone(),
                conditions: self.ready.clone(),
                ..PodStatus::default()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_the_engine_reads() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "n", "labels": {"app": "a"},
                         "annotations": {"x": "y"}, "deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "c", "image": "i", "env": [{"name": "A", "value": "1"}],
                                     "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}}],
                     "initContainers": [{"name": "once", "image": "i"},
                                        {"name": "sidecar", "image": "i", "restartPolicy": "Always",
                                         "resources": {"requests": {"cpu": "100m"}}}],
                     "resources": {"requests": {"cpu": "1500m"}, "limits": {"cpu": "3"}},
                     "volumes": [{"name": "v", "emptyDir": {}}]},
            "status": {"phase": "Running", "startTime": "2026-01-01T00:00:00Z", "podIP": "10.0.0.1",
                       "conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}]}
        }))
        .unwrap();
        let slim = SlimPod::new(pod);
        assert_eq!(slim.key(), ("n".to_string(), "p".to_string()));
        assert_eq!(
            serde_json::to_value(slim.pod()).unwrap(),
            serde_json::json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "p", "namespace": "n", "labels": {"app": "a"},
                             "deletionTimestamp": "2026-01-01T00:00:00Z"},
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}],
                         "initContainers": [{"name": "sidecar", "restartPolicy": "Always",
                                             "resources": {"requests": {"cpu": "100m"}}}],
                         "resources": {"requests": {"cpu": "1500m"}}},
                "status": {"phase": "Running", "startTime": "2026-01-01T00:00:00Z",
                           "conditions": [{"type": "Ready", "status": "True"}]}
            })
        );
        let bare = SlimPod::new(Pod::default());
        assert_eq!(
            serde_json::to_value(bare.pod()).unwrap()["spec"],
            serde_json::Value::Null
        );
    }
}
