//! The memory of recent rescales that `behavior` policies limit against: how many replicas
//! were added or removed within a policy's period, and how a new rescale is stored
//! (`storeScaleEvent`, reusing the slot of an outdated event).

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::reconcile::Sync;
use crate::snapshot::ScaleEvent;
use crate::time::minus_secs;

/// `getReplicasChangePerPeriod`: replicas changed by events strictly after `now - period`.
pub(crate) fn change_in_period(now: Timestamp, period_seconds: i32, events: &[ScaleEvent]) -> i32 {
    let cutoff = minus_secs(now, i64::from(period_seconds));
    events
        .iter()
        .filter(|e| e.timestamp.0 > cutoff)
        .fold(0i32, |acc, e| acc.wrapping_add(e.replica_change))
}

/// The longest policy period of a direction's rules.
fn longest_period(rules: Option<&k8s_openapi::api::autoscaling::v2::HPAScalingRules>) -> i32 {
    rules
        .and_then(|r| r.policies.as_ref())
        .into_iter()
        .flatten()
        .map(|p| p.period_seconds)
        .fold(0, i32::max)
}

impl Sync<'_> {
    /// `storeScaleEvent`: only HPAs with `behavior` keep scale events.
    pub(crate) fn store_scale_event(&mut self, previous: i32, new: i32) {
        let Some(behavior) = self.spec.behavior.as_ref() else {
            return;
        };
        let (rules, events, change) = if new > previous {
            (
                behavior.scale_up.as_ref(),
                &mut self.history.scale_up_events,
                new - previous,
            )
        } else {
            (
                behavior.scale_down.as_ref(),
                &mut self.history.scale_down_events,
                previous - new,
            )
        };
        let cutoff = minus_secs(self.now, i64::from(longest_period(rules)));
        let outdated = events.iter().rposition(|e| e.timestamp.0 < cutoff);
        let event = ScaleEvent {
            timestamp: Time(self.now),
            replica_change: change,
        };
        match outdated {
            Some(i) => events[i] = event,
            None => events.push(event),
        }
    }
}
