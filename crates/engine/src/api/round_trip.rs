//! The annotations older HPA versions use to carry fields they do not have
//! (`autoscaling.alpha.kubernetes.io/*`), and upstream's
//! `DropRoundTripHorizontalPodAutoscalerAnnotations`: a converted object keeps none of them.

use std::collections::BTreeMap;

/// v2 metrics a v1 object cannot hold.
pub(crate) const METRICS: &str = "autoscaling.alpha.kubernetes.io/metrics";
/// Conditions of a v1 object's status.
pub(crate) const CONDITIONS: &str = "autoscaling.alpha.kubernetes.io/conditions";
/// The `behavior` of a v1 or v2beta1 object.
pub(crate) const BEHAVIOR: &str = "autoscaling.alpha.kubernetes.io/behavior";
/// The current metrics of a v1 object's status.
pub(crate) const CURRENT_METRICS: &str = "autoscaling.alpha.kubernetes.io/current-metrics";
/// `behavior.scaleDown.tolerance` of a v2beta2 object.
pub(crate) const SCALE_DOWN_TOLERANCE: &str =
    "autoscaling.alpha.kubernetes.io/scale-down-tolerance";
/// `behavior.scaleUp.tolerance` of a v2beta2 object.
pub(crate) const SCALE_UP_TOLERANCE: &str = "autoscaling.alpha.kubernetes.io/scale-up-tolerance";

const ALL: [&str; 6] = [
    METRICS,
    BEHAVIOR,
    CURRENT_METRICS,
    CONDITIONS,
    SCALE_DOWN_TOLERANCE,
    SCALE_UP_TOLERANCE,
];

/// Removes every round-trip annotation; an emptied map becomes `None`.
pub(crate) fn drop_all(annotations: &mut Option<BTreeMap<String, String>>) {
    if let Some(map) = annotations.as_mut() {
        for key in ALL {
            map.remove(key);
        }
        if map.is_empty() {
            *annotations = None;
        }
    }
}
