//! The path for HPAs with `behavior`: `normalizeDesiredReplicasWithBehaviors` —
//! stabilization windows in both directions over the stored recommendations, then the
//! Pods/Percent policies over their periods (selectPolicy Max/Min/Disabled), then min/max.

use k8s_openapi::api::autoscaling::v2::HPAScalingRules;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::scale_events::change_in_period;
use crate::analyze::replica_calculator::Notes;
use crate::execute::conditions::Condition;
use crate::reconcile::Sync;
use crate::snapshot::{Recommendation, ScaleEvent};
use crate::time::minus_secs;

/// Which way a limit works.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

/// The limit the rules allow from the current count (`calculateScaleUpLimitWithScalingRules`
/// and `calculateScaleDownLimitWithBehaviors`), with a description for the explanation.
fn rate_limit(
    direction: Direction,
    now: jiff::Timestamp,
    current: i32,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    rules: &HPAScalingRules,
    described: &mut Notes,
) -> i32 {
    let select = rules.select_policy.as_deref().unwrap_or("Max");
    if select == "Disabled" {
        detail!(described, "selectPolicy Disabled: stay at {current}");
        return current;
    }
    // For a scale-up the largest change is the highest count; for a scale-down the lowest.
    let pick_max = (select == "Min") == (direction == Direction::Down);
    let mut result = if pick_max { i32::MIN } else { i32::MAX };
    for p in rules.policies.iter().flatten() {
        let added = change_in_period(now, p.period_seconds, up_events);
        let removed = change_in_period(now, p.period_seconds, down_events);
        let start = current.wrapping_sub(added).wrapping_add(removed);
        let proposed = match (direction, p.type_.as_str()) {
            (Direction::Up, "Pods") => start.wrapping_add(p.value),
            (Direction::Up, "Percent") => {
                crate::time::ceil_i32(f64::from(start) * (1.0 + f64::from(p.value) / 100.0))
            }
            (Direction::Down, "Pods") => start.wrapping_sub(p.value),
            (Direction::Down, "Percent") => {
                crate::time::go_f64_to_i32(f64::from(start) * (1.0 - f64::from(p.value) / 100.0))
            }
            _ => continue,
        };
        detail!(
            described,
            "{} {} per {}s from {start} at the period's start → {proposed}",
            p.type_,
            p.value,
            p.period_seconds
        );
        result = if pick_max {
            result.max(proposed)
        } else {
            result.min(proposed)
        };
    }
    result
}

impl Sync<'_> {
    /// `stabilizeRecommendationWithBehaviors`.
    fn stabilize_with_behaviors(
        &mut self,
        current: i32,
        desired: i32,
        up_window: i32,
        down_window: i32,
    ) -> (i32, &'static str, &'static str) {
        let up_cutoff = minus_secs(self.now, i64::from(up_window));
        let down_cutoff = minus_secs(self.now, i64::from(down_window));
        let mut up_rec = desired;
        let mut down_rec = desired;
        let mut old = None;
        for (i, rec) in self.history.recommendations.iter().enumerate() {
            let t = self.recommendation_time(i);
            if t > up_cutoff {
                up_rec = up_rec.min(rec.replicas);
            }
            if t > down_cutoff {
                down_rec = down_rec.max(rec.replicas);
            }
            if t < up_cutoff && t < down_cutoff {
                old = Some(i);
            }
        }
        let recommendation = current.max(up_rec).min(down_rec);
        let new = Recommendation {
            timestamp: Time(self.now),
            replicas: desired,
        };
        match old {
            Some(i) => self.history.recommendations[i] = new,
            None => self.history.recommendations.push(new),
        }
        note!(
            self,
            "plan",
            "stabilization: over the scale-up window ({up_window}s) the lowest recommendation is {up_rec}, over the scale-down window ({down_window}s) the highest is {down_rec}; from {current} replicas that allows {recommendation}"
        );
        if desired >= current {
            (
                recommendation,
                "ScaleUpStabilized",
                "recent recommendations were lower than current one, applying the lowest recent recommendation",
            )
        } else {
            (
                recommendation,
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation",
            )
        }
    }

    /// `normalizeDesiredReplicasWithBehaviors`.
    pub(crate) fn normalize_with_behaviors(
        &mut self,
        current: i32,
        prenormalized: i32,
        min: i32,
        max: i32,
    ) -> i32 {
        // Admission fills in both directions' rules; unset ones would read as empty.
        static UNSET: HPAScalingRules = HPAScalingRules {
            stabilization_window_seconds: None,
            select_policy: None,
            policies: None,
            tolerance: None,
        };
        let behavior = self.spec.behavior.as_ref();
        let up = behavior.and_then(|b| b.scale_up.as_ref()).unwrap_or(&UNSET);
        let down = behavior
            .and_then(|b| b.scale_down.as_ref())
            .unwrap_or(&UNSET);
        // maybeInitScaleDownStabilizationWindow: the flag fills an unset window.
        let down_window = down
            .stabilization_window_seconds
            .unwrap_or(self.config.downscale_stabilization_window.whole_secs() as i32);
        let up_window = up.stabilization_window_seconds.unwrap_or(0);

        let (stabilized, reason, message) =
            self.stabilize_with_behaviors(current, prenormalized, up_window, down_window);
        if stabilized != prenormalized {
            self.set_condition(Condition::new("AbleToScale", true, reason, message));
        } else {
            self.set_condition(Condition::new(
                "AbleToScale",
                true,
                "ReadyForNewScale",
                "recommended size matches current size",
            ));
        }

        let (desired, reason, message) = if stabilized > current {
            let mut described = Notes::new(self.explain);
            let limit = rate_limit(
                Direction::Up,
                self.now,
                current,
                &self.history.scale_up_events,
                &self.history.scale_down_events,
                up,
                &mut described,
            );
            let limit = limit.max(current);
            note!(
                self,
                "plan",
                "scale-up policies (selectPolicy {}): {}; the limit is {limit}",
                up.select_policy.as_deref().unwrap_or("Max"),
                described.lines().join("; ")
            );
            let (allowed, reason, message) = if max > limit {
                (
                    limit,
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
            if stabilized > allowed {
                (allowed, reason, message)
            } else {
                within(stabilized)
            }
        } else if stabilized < current {
            let mut described = Notes::new(self.explain);
            let limit = rate_limit(
                Direction::Down,
                self.now,
                current,
                &self.history.scale_up_events,
                &self.history.scale_down_events,
                down,
                &mut described,
            );
            let limit = limit.min(current);
            note!(
                self,
                "plan",
                "scale-down policies (selectPolicy {}): {}; the limit is {limit}",
                down.select_policy.as_deref().unwrap_or("Max"),
                described.lines().join("; ")
            );
            let (allowed, reason, message) = if min < limit {
                (
                    limit,
                    "ScaleDownLimit",
                    "the desired replica count is decreasing faster than the maximum scale rate",
                )
            } else {
                (
                    min,
                    "TooFewReplicas",
                    "the desired replica count is less than the minimum replica count",
                )
            };
            if stabilized < allowed {
                (allowed, reason, message)
            } else {
                within(stabilized)
            }
        } else {
            within(stabilized)
        };
        if desired != stabilized {
            note!(self, "plan", "{reason}: {stabilized} becomes {desired}");
        } else {
            note!(
                self,
                "plan",
                "{desired} is within minReplicas {min}, maxReplicas {max} and the policies"
            );
        }
        self.set_condition(Condition::new(
            "ScalingLimited",
            desired != stabilized,
            reason,
            message,
        ));
        desired
    }
}

fn within(replicas: i32) -> (i32, &'static str, &'static str) {
    (
        replicas,
        "DesiredWithinRange",
        "the desired count is within the acceptable range",
    )
}
