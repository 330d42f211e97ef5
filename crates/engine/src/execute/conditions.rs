//! HPA conditions (`AbleToScale`, `ScalingActive`, `ScalingLimited`) set the way
//! `setConditionInList` sets them: in place, appended when new, with the transition time
//! moved only when the status changes.

use std::borrow::Cow;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerCondition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::reconcile::Sync;

/// A condition to set.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    pub type_: &'static str,
    pub status: bool,
    pub reason: &'static str,
    pub message: Cow<'static, str>,
}

impl Condition {
    /// A condition of a type, true or false, with a reason and message.
    pub fn new(
        type_: &'static str,
        status: bool,
        reason: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            type_,
            status,
            reason,
            message: message.into(),
        }
    }
}

impl Sync<'_> {
    /// `setCondition`.
    pub(crate) fn set_condition(&mut self, c: Condition) {
        let status = if c.status { "True" } else { "False" };
        let now = self.now;
        let list = self
            .status
            .get_or_insert_with(Default::default)
            .conditions
            .get_or_insert_with(Vec::new);
        let i = match list.iter().position(|x| x.type_ == c.type_) {
            Some(i) => i,
            None => {
                list.push(HorizontalPodAutoscalerCondition {
                    type_: c.type_.to_string(),
                    ..Default::default()
                });
                list.len() - 1
            }
        };
        let existing = &mut list[i];
        if existing.status != status {
            existing.last_transition_time = Some(Time(now));
            existing.status = status.to_owned();
        }
        set_text(&mut existing.reason, c.reason);
        match c.message {
            Cow::Borrowed(message) => set_text(&mut existing.message, message),
            Cow::Owned(message) => existing.message = Some(message),
        }
    }
}

/// Sets an optional text field, reusing the string already there when it is large enough.
fn set_text(field: &mut Option<String>, text: &str) {
    match field {
        Some(old) if old.capacity() >= text.len() => {
            old.clear();
            old.push_str(text);
        }
        _ => *field = Some(text.to_owned()),
    }
}
