//! When each HPA syncs next: every sync period, and at once when it changes
//! (the resync queue of the upstream controller, without its goroutines).

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};

use crate::HpaKey;

/// Due times per HPA, earliest first.
#[derive(Debug, Default, Clone)]
pub struct Schedule {
    due: BTreeMap<HpaKey, Timestamp>,
    queue: BTreeSet<(Timestamp, HpaKey)>,
}

impl Schedule {
    /// An empty schedule.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules a sync at `at` (replacing any earlier plan for this HPA).
    pub fn set(&mut self, key: HpaKey, at: Timestamp) {
        if let Some(old) = self.due.insert(key.clone(), at) {
            self.queue.remove(&(old, key.clone()));
        }
        self.queue.insert((at, key));
    }

    /// Schedules a sync `period` after `now`.
    pub fn after(&mut self, key: HpaKey, now: Timestamp, period: SignedDuration) {
        let at = now.checked_add(period).unwrap_or(Timestamp::MAX);
        self.set(key, at);
    }

    /// Forgets an HPA (deleted).
    pub fn remove(&mut self, key: &HpaKey) {
        if let Some(at) = self.due.remove(key) {
            self.queue.remove(&(at, key.clone()));
        }
    }

    /// The earliest due time.
    pub fn next(&self) -> Option<Timestamp> {
        self.queue.first().map(|(t, _)| *t)
    }

    /// Takes every HPA due at or before `now`, earliest first.
    pub fn take_due(&mut self, now: Timestamp) -> Vec<HpaKey> {
        let mut out = Vec::new();
        while let Some((t, _)) = self.queue.first() {
            if *t > now {
                break;
            }
            let (_, key) = self.queue.pop_first().expect("first exists");
            self.due.remove(&key);
            out.push(key);
        }
        out
    }

    /// How many HPAs are scheduled.
    pub fn len(&self) -> usize {
        self.due.len()
    }

    /// Whether nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.due.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_due_keys_in_time_order() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut s = Schedule::new();
        s.after(HpaKey::new("a", "x"), t0, SignedDuration::from_secs(15));
        s.after(HpaKey::new("a", "y"), t0, SignedDuration::from_secs(5));
        s.after(HpaKey::new("a", "x"), t0, SignedDuration::from_secs(30)); // replaces
        assert_eq!(s.len(), 2);
        assert!(s.take_due(t0).is_empty());
        let due = s.take_due(t0 + SignedDuration::from_secs(20));
        assert_eq!(due, vec![HpaKey::new("a", "y")]);
        assert_eq!(s.next(), Some(t0 + SignedDuration::from_secs(30)));
    }
}
