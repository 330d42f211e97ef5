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

    /// The stored object as the `autoscaling/v2` HPA the engine reads. CRD mode's
    /// `spec.behavior.syncPeriodSeconds` (KEP-6003), which v2 has no field for, goes to the
    /// engine as the annotation [`alpaca_engine::sync_period::FIELD_ANNOTATION`] (which is
    /// ignored when written by hand).
    pub fn to_hpa(&self, obj: &DynamicObject) -> Result<HorizontalPodAutoscaler, String> {
        let mut value = serde_json::to_value(obj).map_err(|e| e.to_string())?;
        let field_key = alpaca_engine::sync_period::FIELD_ANNOTATION;
        let sync_period = match self.mode {
            Mode::Crd => value
                .pointer_mut("/spec/behavior")
                .and_then(|b| b.as_object_mut())
                .and_then(|b| b.remove("syncPeriodSeconds")),
            Mode::Hpa => None,
        };
        if let Some(annotations) = value
            .pointer_mut("/metadata/annotations")
            .and_then(|a| a.as_object_mut())
        {
            annotations.remove(field_key);
        }
        if let Some(seconds) = sync_period
            && let Some(meta) = value.get_mut("metadata").and_then(|m| m.as_object_mut())
        {
            let annotations = meta
                .entry("annotations")
                .or_insert_with(|| serde_json::json!({}));
            if let Some(a) = annotations.as_object_mut() {
                a.insert(field_key.into(), seconds.to_string().into());
            }
        }
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

    #[test]
    fn the_crd_sync_period_reaches_the_engine_and_a_hand_written_carrier_does_not() {
        let obj = |spec_behavior: serde_json::Value, annotations: serde_json::Value| {
            serde_json::from_value::<DynamicObject>(serde_json::json!({
                "apiVersion": "alpaca.dev/v1", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "web", "namespace": "default", "annotations": annotations},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                         "maxReplicas": 5, "behavior": spec_behavior}
            }))
            .unwrap()
        };
        let period = |kind: &AutoscalerKind, o: &DynamicObject| {
            let hpa = kind.to_hpa(o).unwrap();
            alpaca_engine::sync_period::of(&hpa.into())
        };
        let crd = AutoscalerKind::new(Mode::Crd);
        assert_eq!(
            period(
                &crd,
                &obj(
                    serde_json::json!({"syncPeriodSeconds": 3}),
                    serde_json::json!({})
                )
            ),
            alpaca_engine::sync_period::SyncPeriod::Own {
                seconds: 3,
                source: "spec.behavior.syncPeriodSeconds"
            }
        );
        let forged = obj(
            serde_json::json!({}),
            serde_json::json!({alpaca_engine::sync_period::FIELD_ANNOTATION: "2"}),
        );
        for mode in [Mode::Crd, Mode::Hpa] {
            assert_eq!(
                period(&AutoscalerKind::new(mode), &forged),
                alpaca_engine::sync_period::SyncPeriod::Controller
            );
        }
    }
}
