//! The two kinds of autoscaler the controller reconciles, as one dynamic resource:
//! `autoscaling/v2` HorizontalPodAutoscalers (HPA mode) and `alpaca.dev/v1` ones (CRD
//! mode, the same spec and status). Both convert to the `autoscaling/v2` object the
//! engine reads.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{ApiResource, DynamicObject};

use crate::args::Mode;
use crate::crd;

/// Which autoscaler resource is served, and how to talk about it.
#[derive(Debug, Clone)]
pub struct AutoscalerKind {
    mode: Mode,
    resource: ApiResource,
}

impl AutoscalerKind {
    /// The resource of a mode.
    pub fn new(mode: Mode) -> Self {
        let (group, version) = match mode {
            Mode::Hpa => ("autoscaling", "v2"),
            Mode::Crd => (crd::GROUP, crd::VERSION),
        };
        let resource = ApiResource {
            group: group.into(),
            version: version.into(),
            api_version: format!("{group}/{version}"),
            kind: "HorizontalPodAutoscaler".into(),
            plural: "horizontalpodautoscalers".into(),
        };
        Self { mode, resource }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The dynamic resource.
    pub fn resource(&self) -> &ApiResource {
        &self.resource
    }

    /// `horizontalpodautoscalers.autoscaling` or `horizontalpodautoscalers.alpaca.dev`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.resource.plural, self.resource.group)
    }

    /// The stored object as the `autoscaling/v2` HPA the engine reads.
    pub fn to_hpa(&self, obj: &DynamicObject) -> Result<HorizontalPodAutoscaler, String> {
        let mut value = serde_json::to_value(obj).map_err(|e| e.to_string())?;
        if let Some(map) = value.as_object_mut() {
            map.insert("apiVersion".into(), "autoscaling/v2".into());
            map.insert("kind".into(), "HorizontalPodAutoscaler".into());
        }
        serde_json::from_value(value).map_err(|e| format!("decoding {}: {e}", self.qualified()))
    }

    /// An event's `involvedObject` for an object of this kind.
    pub fn reference(&self, obj: &DynamicObject) -> ObjectReference {
        ObjectReference {
            api_version: Some(self.resource.api_version.clone()),
            kind: Some(self.resource.kind.clone()),
            name: obj.metadata.name.clone(),
            namespace: obj.metadata.namespace.clone(),
            uid: obj.metadata.uid.clone(),
            resource_version: obj.metadata.resource_version.clone(),
            ..ObjectReference::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crd_objects_read_as_v2_hpas() {
        let kind = AutoscalerKind::new(Mode::Crd);
        let obj: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "alpaca.dev/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "maxReplicas": 5}
        }))
        .unwrap();
        let hpa = kind.to_hpa(&obj).unwrap();
        assert_eq!(hpa.spec.max_replicas, 5);
        assert_eq!(
            kind.reference(&obj).api_version.as_deref(),
            Some("alpaca.dev/v1")
        );
        assert_eq!(kind.qualified(), "horizontalpodautoscalers.alpaca.dev");
    }
}
