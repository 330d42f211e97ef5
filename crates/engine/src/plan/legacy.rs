//! The path for HPAs without `behavior` (as `kubectl autoscale` makes them):
//! `normalizeDesiredReplicas` — downscale stabilization over the flag's window, then
//! min/max and the scale-up limit of max(2 × current, 4).

use crate::execute::conditions::Condition;
use crate::reconcile::Sync;
use crate::snapshot::Recommendation;
use crate::time::add_nanos;

const SCALE_UP_LIMIT_FACTOR: f64 = 2.0;
const SCALE_UP_LIMIT_MINIMUM: f64 = 4.0;

impl Sync<'_> {
    /// `stabilizeRecommendation`: records the recommendation (replacing the last one older
    /// than the window) and returns the highest one inside the window.
    fn stabilize_recommendation(&mut self, prenormalized: i32) -> i32 {
        let window = self.config.downscale_stabilization_window;
        let cutoff = add_nanos(self.now, -window.nanos);
        let mut max = prenormalized;
        let mut old = None;
        let mut kept = Vec::new();
        for (i, rec) in self.history.recommendations.iter().enumerate() {
            if self.recommendation_time(i) < cutoff {
                old = Some(i);
            } else {
                if self.explain {
                    kept.push(rec.replicas);
                }
                max = max.max(rec.replicas);
            }
        }
        let new = Recommendation {
            timestamp: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(self.now),
            replicas: prenormalized,
        };
        match old {
            Some(i) => self.history.recommendations[i] = new,
            None => self.history.recommendations.push(new),
        }
        note!(
            self,
            "plan",
            "no behavior: downscale stabilization over the last {window} (--horizontal-pod-autoscaler-downscale-stabilization); recommendations in the window {kept:?} plus this one ({prenormalized}): the highest is {max}"
        );
        max
    }

    /// `normalizeDesiredReplicas`.
    pub(crate) fn normalize_legacy(
        &mut self,
        current: i32,
        prenormalized: i32,
        min: i32,
        max: i32,
    ) -> i32 {
        let stabilized = self.stabilize_recommendation(prenormalized);
        if stabilized != prenormalized {
            self.set_condition(Condition::new(
                "AbleToScale",
                true,
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation",
            ));
        } else {
            self.set_condition(Condition::new(
                "AbleToScale",
                true,
                "ReadyForNewScale",
                "recommended size matches current size",
            ));
        }
        let scale_up_limit = crate::time::go_f64_to_i32(
            (SCALE_UP_LIMIT_FACTOR * f64::from(current)).max(SCALE_UP_LIMIT_MINIMUM),
        );
        let (upper, upper_reason, upper_message) = if max > scale_up_limit {
            (
                scale_up_limit,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            )
        } else {
            (
                max,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        };
        let (desired, reason, message) = if stabilized < min {
            (
                min,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        } else if stabilized > upper {
            (upper, upper_reason, upper_message)
        } else {
            (
                stabilized,
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            )
        };
        note!(
            self,
            "plan",
            "{}",
            match reason {
                "DesiredWithinRange" => format!(
                    "{stabilized} is within minReplicas {min}, maxReplicas {max} and the scale-up limit max(2 × {current}, 4) = {scale_up_limit}"
                ),
                "ScaleUpLimit" => format!(
                    "scale-up limit without behavior: at most max(2 × {current}, 4) = {scale_up_limit} replicas per sync, so {stabilized} becomes {desired}"
                ),
                "TooManyReplicas" => format!("{stabilized} is above maxReplicas: {desired}"),
                _ => format!("{stabilized} is below minReplicas: {desired}"),
            }
        );
        self.set_condition(Condition::new(
            "ScalingLimited",
            desired != stabilized,
            reason,
            message,
        ));
        desired
    }
}
