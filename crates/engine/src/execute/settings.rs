//! Alpaca's own settings on an autoscaler (ahead-of-upstream features written as
//! annotations or CRD fields): a bad value is ignored, never silently: the `SettingsValid`
//! condition (False, with the setting and the problem) and a Warning event say so. An
//! autoscaler whose settings are all valid or absent gets no condition (a stale one goes).

use crate::execute::conditions::Condition;
use crate::reconcile::Sync;
use crate::snapshot::Event;
use crate::sync_period::{self, SyncPeriod};

/// The condition type.
pub const CONDITION: &str = "SettingsValid";

impl Sync<'_> {
    /// Checks the autoscaler's Alpaca settings, reporting the first bad one.
    pub(crate) fn check_settings(&mut self) {
        let mut problem: Option<(&'static str, String)> = None;
        match sync_period::of(&self.cluster.snap.hpa) {
            SyncPeriod::Controller => {}
            SyncPeriod::Own { seconds, source } => {
                note!(
                    self,
                    "admit",
                    "this autoscaler is synced every {seconds}s ({source})"
                );
            }
            SyncPeriod::Invalid { source, problem: p } => {
                problem = Some((
                    "InvalidSyncPeriod",
                    format!("{source}: {p}; ignored: the controller's sync period applies"),
                ));
            }
        }
        if let Some(p) = self.fallback_problem() {
            problem.get_or_insert(("InvalidExternalFallback", p));
        }
        match problem {
            None => self.remove_settings_condition(),
            Some((reason, message)) => {
                note!(self, "admit", "{message}");
                self.events.push(Event::warning(reason, message.clone()));
                self.set_condition(Condition::new(CONDITION, false, reason, message));
            }
        }
    }

    fn remove_settings_condition(&mut self) {
        if let Some(list) = self.status.as_mut().and_then(|s| s.conditions.as_mut()) {
            list.retain(|c| c.type_ != CONDITION);
        }
    }
}
