//! Where each autoscaler's memory is kept in the cluster: the annotation
//! `alpaca.dev/memory` on the autoscaler object itself, holding the engine's `History`
//! (unstabilized recommendations and scale events, with their timestamps) as JSON, the
//! same shape as a Snapshot's `history`.
//!
//! On the object, the memory lives and dies with its autoscaler, needs no other object
//! or permission than `patch` on the autoscalers, and `kubectl get hpa NAME -o yaml`
//! shows it.

use alpaca_engine::snapshot::History;
use kube::api::DynamicObject;

/// The annotation's key.
pub const ANNOTATION: &str = "alpaca.dev/memory";

/// The annotation's value for a memory.
pub fn encode(history: &History) -> String {
    serde_json::to_string(history).unwrap_or_else(|_| "{}".into())
}

/// A memory from the annotation's value.
pub fn decode(value: &str) -> Result<History, String> {
    serde_json::from_str(value).map_err(|e| format!("annotation {ANNOTATION}: {e}"))
}

/// The memory persisted on an autoscaler, if any (an unreadable one is logged and ignored).
pub fn read(obj: &DynamicObject) -> Option<History> {
    let value = obj.metadata.annotations.as_ref()?.get(ANNOTATION)?;
    match decode(value) {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::warn!(
                autoscaler = obj.metadata.name.as_deref().unwrap_or_default(),
                error = %e,
                "ignoring unreadable persisted memory"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alpaca_engine::snapshot::{Recommendation, ScaleEvent};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    #[test]
    fn round_trips_in_snapshot_shape() {
        let t: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let h = History {
            recommendations: vec![Recommendation {
                timestamp: Time(t),
                replicas: 4,
            }],
            scale_up_events: vec![ScaleEvent {
                timestamp: Time(t),
                replica_change: 3,
            }],
            scale_down_events: vec![],
            external_fallback: vec![],
        };
        let s = encode(&h);
        assert_eq!(
            s,
            r#"{"recommendations":[{"timestamp":"2026-01-01T00:00:00Z","replicas":4}],"scaleUpEvents":[{"timestamp":"2026-01-01T00:00:00Z","replicaChange":3}],"scaleDownEvents":[]}"#
        );
        assert_eq!(decode(&s).unwrap(), h);
        assert!(decode("{nope").is_err());
    }
}
