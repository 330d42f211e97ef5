//! The per-autoscaler sync period of KEP-6003 (`behavior.syncPeriodSeconds`, alpha targeted
//! at Kubernetes 1.38), ahead of upstream: how often one autoscaler wants to be synced,
//! overriding the controller's `--horizontal-pod-autoscaler-sync-period`.
//!
//! `autoscaling/v2` has no such field yet, so it is the annotation
//! `alpaca.dev/sync-period-seconds` there; an `alpaca.dev/v1` object has the KEP's field,
//! `spec.behavior.syncPeriodSeconds`, which the controller's CRD mode hands to the engine
//! under [`FIELD_ANNOTATION`]. Bounds as the KEP's validation: an integer from 1 to 3600.
//! A bad value is ignored (the controller's period applies) and reported on the autoscaler.

use std::time::Duration;

use crate::hpa_object::HpaObject;

/// The annotation of `autoscaling/v2` objects.
pub const ANNOTATION: &str = "alpaca.dev/sync-period-seconds";

/// Where CRD mode puts an `alpaca.dev/v1` object's `spec.behavior.syncPeriodSeconds` when
/// it converts the object to the `autoscaling/v2` one the engine reads (which has no such
/// field). Not meant to be written by hand.
pub const FIELD_ANNOTATION: &str = "alpaca.dev/behavior.sync-period-seconds";

/// The KEP's bounds, in seconds.
pub const MIN_SECONDS: u32 = 1;
/// The KEP's bounds, in seconds.
pub const MAX_SECONDS: u32 = 3600;

/// An autoscaler's own sync period, as written on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncPeriod {
    /// Not set: the controller's `--horizontal-pod-autoscaler-sync-period` applies.
    Controller,
    /// Set to a valid value.
    Own {
        /// The period.
        seconds: u32,
        /// Where it was written (`annotation alpaca.dev/sync-period-seconds` or
        /// `spec.behavior.syncPeriodSeconds`).
        source: &'static str,
    },
    /// Set to a value outside the bounds or not a number: ignored.
    Invalid {
        /// Where it was written.
        source: &'static str,
        /// What is wrong, naming the value.
        problem: String,
    },
}

impl SyncPeriod {
    /// The period to sync at, given the controller's.
    pub fn or(&self, controller: Duration) -> Duration {
        match self {
            SyncPeriod::Own { seconds, .. } => Duration::from_secs(u64::from(*seconds)),
            _ => controller,
        }
    }

    /// Where the period comes from, for a person.
    pub fn describe(&self, controller: Duration) -> String {
        match self {
            SyncPeriod::Controller => format!(
                "every {}s (the controller's --horizontal-pod-autoscaler-sync-period)",
                controller.as_secs_f64()
            ),
            SyncPeriod::Own { seconds, source } => format!("every {seconds}s ({source})"),
            SyncPeriod::Invalid { source, problem } => format!(
                "every {}s (the controller's period: {source} is ignored, {problem})",
                controller.as_secs_f64()
            ),
        }
    }
}

/// The autoscaler's sync period setting.
pub fn of(hpa: &HpaObject) -> SyncPeriod {
    let Some(annotations) = hpa.annotations() else {
        return SyncPeriod::Controller;
    };
    let (source, raw) = if let Some(v) = annotations.get(FIELD_ANNOTATION) {
        ("spec.behavior.syncPeriodSeconds", v)
    } else if let Some(v) = annotations.get(ANNOTATION) {
        ("annotation alpaca.dev/sync-period-seconds", v)
    } else {
        return SyncPeriod::Controller;
    };
    match raw.trim().parse::<i64>() {
        Ok(n) if (i64::from(MIN_SECONDS)..=i64::from(MAX_SECONDS)).contains(&n) => {
            SyncPeriod::Own {
                seconds: n as u32,
                source,
            }
        }
        Ok(_) => SyncPeriod::Invalid {
            source,
            problem: format!("{raw:?} must be from {MIN_SECONDS} to {MAX_SECONDS} seconds"),
        },
        Err(_) => SyncPeriod::Invalid {
            source,
            problem: format!("{raw:?} is not a whole number of seconds"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hpa(annotations: &[(&str, &str)]) -> HpaObject {
        let mut meta = serde_json::json!({"name": "h", "namespace": "d"});
        if !annotations.is_empty() {
            meta["annotations"] = annotations
                .iter()
                .map(|(k, v)| ((*k).to_string(), serde_json::Value::from(*v)))
                .collect::<serde_json::Map<_, _>>()
                .into();
        }
        serde_json::from_value(serde_json::json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": meta,
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "w", "apiVersion": "apps/v1"},
                     "maxReplicas": 3}
        }))
        .unwrap()
    }

    #[test]
    fn reads_the_annotation_and_the_crd_field_within_the_keps_bounds() {
        let flag = Duration::from_secs(15);
        assert_eq!(of(&hpa(&[])), SyncPeriod::Controller);
        assert_eq!(of(&hpa(&[])).or(flag), flag);
        let three = of(&hpa(&[(ANNOTATION, "3")]));
        assert_eq!(three.or(flag), Duration::from_secs(3));
        assert_eq!(
            three.describe(flag),
            "every 3s (annotation alpaca.dev/sync-period-seconds)"
        );
        // the CRD field wins over the annotation
        let field = of(&hpa(&[(ANNOTATION, "3"), (FIELD_ANNOTATION, "3600")]));
        assert_eq!(
            field,
            SyncPeriod::Own {
                seconds: 3600,
                source: "spec.behavior.syncPeriodSeconds"
            }
        );
        for bad in ["0", "3601", "-5"] {
            let p = of(&hpa(&[(ANNOTATION, bad)]));
            assert_eq!(p.or(flag), flag);
            assert!(
                matches!(&p, SyncPeriod::Invalid { problem, .. } if problem.contains("must be from 1 to 3600")),
                "{p:?}"
            );
        }
        let p = of(&hpa(&[(ANNOTATION, "3s")]));
        assert_eq!(
            p.describe(flag),
            "every 15s (the controller's period: annotation alpaca.dev/sync-period-seconds is ignored, \"3s\" is not a whole number of seconds)"
        );
    }
}
