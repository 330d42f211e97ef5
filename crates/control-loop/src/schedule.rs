//! When each HPA syncs next: every sync period, and at once when it changes
//! (the resync queue of the upstream controller, without its goroutines).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::Hash;

use rustc_hash::FxHashMap as HashMap;

use jiff::{SignedDuration, Timestamp};

use crate::HpaKey;

/// Due times per HPA, earliest first (ties in key order).
///
/// A binary heap of plans; replacing or removing a plan leaves the old entry in the heap,
/// where it is recognised as stale (its sequence number is no longer the HPA's) and
/// skipped when it comes up. HPAs are named by [`HpaKey`], or by any key that orders as
/// their `HpaKey`s would (a shell with a fixed set of HPAs can use their rank, and so
/// neither copy nor compare strings).
#[derive(Debug, Clone)]
pub struct Schedule<K = HpaKey> {
    due: HashMap<K, (Timestamp, u64)>,
    queue: BinaryHeap<Reverse<(Timestamp, K, u64)>>,
    seq: u64,
}

impl<K> Default for Schedule<K> {
    fn default() -> Self {
        Self {
            due: HashMap::default(),
            queue: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl Schedule {
    /// An empty schedule.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<K: Ord + Hash + Clone> Schedule<K> {
    /// Schedules a sync at `at` (replacing any earlier plan for this HPA).
    pub fn set(&mut self, key: K, at: Timestamp) {
        self.seq += 1;
        self.due.insert(key.clone(), (at, self.seq));
        self.queue.push(Reverse((at, key, self.seq)));
        // Stale entries are dropped as they surface; bound them all the same.
        if self.queue.len() > 2 * self.due.len() + 64 {
            self.compact();
        }
    }

    /// Schedules a sync `period` after `now`.
    pub fn after(&mut self, key: K, now: Timestamp, period: SignedDuration) {
        let at = now.checked_add(period).unwrap_or(Timestamp::MAX);
        self.set(key, at);
    }

    /// Forgets an HPA (deleted).
    pub fn remove(&mut self, key: &K) {
        self.due.remove(key);
    }

    fn drop_stale(&mut self) {
        while let Some(Reverse((_, key, seq))) = self.queue.peek() {
            if is_current(&self.due, key, *seq) {
                break;
            }
            self.queue.pop();
        }
    }

    fn compact(&mut self) {
        let due = &self.due;
        self.queue
            .retain(|Reverse((_, key, seq))| is_current(due, key, *seq));
    }

    /// The earliest due time.
    pub fn next_due(&mut self) -> Option<Timestamp> {
        self.drop_stale();
        self.queue.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Takes every HPA due at or before `now`, earliest first.
    pub fn take_due(&mut self, now: Timestamp) -> Vec<K> {
        let mut out = Vec::new();
        loop {
            self.drop_stale();
            match self.queue.peek() {
                Some(Reverse((t, _, _))) if *t <= now => {}
                _ => break,
            }
            let Some(Reverse((_, key, _))) = self.queue.pop() else {
                break;
            };
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

/// Whether a heap entry is the HPA's current plan (not replaced or removed since).
fn is_current<K: Hash + Eq>(due: &HashMap<K, (Timestamp, u64)>, key: &K, seq: u64) -> bool {
    due.get(key).is_some_and(|&(_, s)| s == seq)
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
        assert_eq!(s.next_due(), Some(t0 + SignedDuration::from_secs(30)));
    }

    #[test]
    fn ties_in_key_order_and_removed_or_replaced_plans_never_come_up() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut s = Schedule::new();
        for name in ["c", "a", "b", "d"] {
            s.set(HpaKey::new("ns", name), t0);
        }
        s.remove(&HpaKey::new("ns", "d"));
        s.set(HpaKey::new("ns", "c"), t0); // the same plan again: still once
        let names: Vec<_> = s.take_due(t0).into_iter().map(|k| k.name).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(s.is_empty());
        assert_eq!(s.next_due(), None);
        // many replacements keep the heap bounded
        let k = HpaKey::new("ns", "x");
        for i in 0..10_000 {
            s.after(k.clone(), t0, SignedDuration::from_secs(i));
        }
        assert!(s.queue.len() < 200, "{}", s.queue.len());
        assert_eq!(s.next_due(), Some(t0 + SignedDuration::from_secs(9_999)));
    }
}
