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
    /// Likewise each External metric's `fallback` (KEP-5679) goes as the list of
    /// [`alpaca_engine::EXTERNAL_FALLBACK_FIELD_ANNOTATION`].
    pub fn to_hpa(&self, obj: &DynamicObject) -> Result<HorizontalPodAutoscaler, String> {
        let mut value = serde_json::to_value(obj).map_err(|e| e.to_string())?;
        let period_key = alpaca_engine::sync_period::FIELD_ANNOTATION;
        let fallback_key = alpaca_engine::EXTERNAL_FALLBACK_FIELD_ANNOTATION;
        let (sync_period, fallbacks) = match self.mode {
            Mode::Crd => (
                value
                    .pointer_mut("/spec/behavior")
                    .and_then(|b| b.as_object_mut())
                    .and_then(|b| b.remove("syncPeriodSeconds")),
                take_fallbacks(&mut value),
            ),
            Mode::Hpa => (None, Vec::new()),
        };
        if let Some(annotations) = value
            .pointer_mut("/metadata/annotations")
            .and_then(|a| a.as_object_mut())
        {
            annotations.remove(period_key);
            annotations.remove(fallback_key);
        }
        let mut carried = serde_json::Map::new();
        if let Some(seconds) = sync_period {
            carried.insert(period_key.into(), seconds.to_string().into());
        }
        if !fallbacks.is_empty() {
            let list = serde_json::Value::Array(fallbacks).to_string();
            carried.insert(fallback_key.into(), list.into());
        }
        if !carried.is_empty()
            && let Some(meta) = value.get_mut("metadata").and_then(|m| m.as_object_mut())
        {
            let annotations = meta
                .entry("annotations")
                .or_insert_with(|| serde_json::json!({}));
            if let Some(a) = annotations.as_object_mut() {
                a.extend(carried);
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

/// Removes `spec.metrics[*].external.fallback` from a CRD-mode object, giving the engine's
/// list form of each: the metric's name added to the fields as written.
fn take_fallbacks(value: &mut serde_json::Value) -> Vec<serde_json::Value> {
    let Some(metrics) = value
        .pointer_mut("/spec/metrics")
        .and_then(|m| m.as_array_mut())
    else {
        return Vec::new();
    };
    let mut list = Vec::new();
    for metric in metrics {
        let Some(external) = metric.get_mut("external").and_then(|x| x.as_object_mut()) else {
            continue;
        };
        let Some(serde_json::Value::Object(mut fallback)) = external.remove("fallback") else {
            continue;
        };
        let name = external
            .get("metric")
            .and_then(|m| m.get("name"))
            .cloned()
            .unwrap_or_default();
        fallback.insert("metric".into(), name);
        list.push(serde_json::Value::Object(fallback));
    }
    list
}

/// Adds KEP-5679's per-metric fields to a CRD-mode status: `fallbackActive`,
/// `firstFailureTime` and (while active) `fallbackReplicas` on
/// `currentMetrics[index].external`.
pub(crate) fn add_fallback_status(
    status: &mut serde_json::Value,
    fallbacks: &[alpaca_engine::FallbackStatus],
) {
    for f in fallbacks {
        let Some(entry) = status
            .get_mut("currentMetrics")
            .and_then(|m| m.get_mut(f.index))
            .and_then(|m| m.as_object_mut())
        else {
            continue;
        };
        let external = entry
            .entry("external")
            .or_insert_with(|| serde_json::json!({}));
        let Some(external) = external.as_object_mut() else {
            continue;
        };
        external.insert("fallbackActive".into(), f.fallback_active.into());
        external.insert(
            "firstFailureTime".into(),
            f.first_failure_time
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
                .into(),
        );
        if let Some(n) = f.fallback_replicas {
            external.insert("fallbackReplicas".into(), n.into());
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

    #[test]
    fn the_crd_fallback_field_reaches_the_engine_and_its_status_is_written() {
        let obj = |fallback: serde_json::Value, annotations: serde_json::Value| {
            serde_json::from_value::<DynamicObject>(serde_json::json!({
                "apiVersion": "alpaca.dev/v1", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "w", "namespace": "default", "annotations": annotations},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "w"},
                         "maxReplicas": 5,
                         "metrics": [
                            {"type": "Resource", "resource": {"name": "cpu",
                                "target": {"type": "Utilization", "averageUtilization": 50}}},
                            {"type": "External", "external": {"metric": {"name": "queue"},
                                "target": {"type": "Value", "value": "10"}, "fallback": fallback}}]}
            }))
            .unwrap()
        };
        let key = alpaca_engine::EXTERNAL_FALLBACK_FIELD_ANNOTATION;
        let carried = |mode: Mode, o: &DynamicObject| {
            let hpa = AutoscalerKind::new(mode).to_hpa(o).unwrap();
            hpa.metadata
                .annotations
                .and_then(|a| a.get(key).cloned())
                .map(|v| serde_json::from_str::<serde_json::Value>(&v).unwrap())
        };
        let with = obj(
            serde_json::json!({"failureDurationSeconds": 300, "replicas": 4}),
            serde_json::json!({}),
        );
        assert_eq!(
            carried(Mode::Crd, &with),
            Some(
                serde_json::json!([{"failureDurationSeconds": 300, "replicas": 4, "metric": "queue"}])
            )
        );
        // a carrier written by hand is dropped in both modes
        let forged = obj(
            serde_json::Value::Null,
            serde_json::json!({key: r#"[{"metric": "queue", "replicas": 9}]"#}),
        );
        assert_eq!(carried(Mode::Crd, &forged), None);
        assert_eq!(carried(Mode::Hpa, &forged), None);

        let mut status = serde_json::json!({"currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 40}}},
            {"type": ""}]});
        add_fallback_status(
            &mut status,
            &[alpaca_engine::FallbackStatus {
                index: 1,
                fallback_active: true,
                first_failure_time: "2026-01-01T00:00:00Z".parse().unwrap(),
                fallback_replicas: Some(4),
            }],
        );
        assert_eq!(
            status["currentMetrics"][1]["external"],
            serde_json::json!({"fallbackActive": true,
                "firstFailureTime": "2026-01-01T00:00:00Z", "fallbackReplicas": 4})
        );
        assert!(status["currentMetrics"][0].get("external").is_none());
    }
}
