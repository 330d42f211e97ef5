//! The work queue: when each autoscaler syncs next. Every sync period plus a random
//! jitter after its last sync, at once when it changes, later and later (exponential
//! backoff) after failed syncs. An autoscaler is never synced by two workers at once: a
//! change seen while it syncs makes it due again as soon as that sync ends.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use alpaca_loop::{HpaKey, Schedule};
use jiff::{SignedDuration, Timestamp};
use tokio::sync::Notify;

/// Sync timing.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The resync period.
    pub period: Duration,
    /// Extra random delay per resync, as a fraction of the period (0.1 = up to +10%).
    pub jitter: f64,
    /// Delay after the first failure; doubles per further failure.
    pub backoff_base: Duration,
    /// Longest delay after failures.
    pub backoff_max: Duration,
}

impl Timing {
    /// The delay after `failures` consecutive failures (`failures` ≥ 1).
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(30));
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max)
    }
}

/// How a sync ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Synced: due again after the period.
    Synced,
    /// Failed: due again after a backoff.
    Failed,
    /// The autoscaler is gone: forget it.
    Gone,
}

#[derive(Debug, Default)]
struct Inner {
    schedule: Schedule,
    known: HashSet<HpaKey>,
    running: HashSet<HpaKey>,
    again: HashSet<HpaKey>,
    removed: HashSet<HpaKey>,
    failures: HashMap<HpaKey, u32>,
    /// When each scheduled autoscaler is due, until a worker starts it.
    due: HashMap<HpaKey, Timestamp>,
    /// Taken from the schedule, waiting for a worker.
    waiting: HashSet<HpaKey>,
    /// Autoscalers with their own sync period (KEP-6003), instead of `Timing::period`.
    periods: HashMap<HpaKey, Duration>,
    rng: u64,
}

impl Inner {
    fn schedule(&mut self, key: HpaKey, at: Timestamp) {
        self.due.insert(key.clone(), at);
        self.schedule.set(key, at);
    }

    /// splitmix64: cheap randomness for jitter.
    fn random(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The queue shared by the informers (which add) and the dispatcher (which takes).
#[derive(Debug)]
pub struct Queue {
    inner: Mutex<Inner>,
    notify: Notify,
    timing: Timing,
}

fn after(now: Timestamp, d: Duration) -> Timestamp {
    SignedDuration::try_from(d)
        .ok()
        .and_then(|d| now.checked_add(d).ok())
        .unwrap_or(Timestamp::MAX)
}

impl Queue {
    /// An empty queue.
    pub fn new(timing: Timing) -> Self {
        let seed = Timestamp::now().as_nanosecond() as u64 ^ u64::from(std::process::id());
        Self {
            inner: Mutex::new(Inner {
                rng: seed,
                ..Inner::default()
            }),
            notify: Notify::new(),
            timing,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The timing.
    pub fn timing(&self) -> &Timing {
        &self.timing
    }

    /// Makes an autoscaler due now (it was created or changed).
    pub fn add_now(&self, key: HpaKey) {
        let mut inner = self.lock();
        inner.removed.remove(&key);
        inner.known.insert(key.clone());
        if inner.running.contains(&key) {
            inner.again.insert(key);
        } else {
            inner.schedule(key, Timestamp::now());
        }
        drop(inner);
        self.notify.notify_one();
    }

    /// Makes an autoscaler due now unless it is already scheduled or running (it was
    /// listed again, unchanged).
    pub fn ensure(&self, key: HpaKey) {
        let mut inner = self.lock();
        if inner.known.insert(key.clone()) {
            inner.schedule(key, Timestamp::now());
            drop(inner);
            self.notify.notify_one();
        }
    }

    /// Sets an autoscaler's own sync period (`None`: the controller's), used from its
    /// next resync on. A 3 s autoscaler does not make the others sync more often.
    pub fn set_period(&self, key: &HpaKey, period: Option<Duration>) {
        let mut inner = self.lock();
        match period {
            Some(p) => {
                inner.periods.insert(key.clone(), p);
            }
            None => {
                inner.periods.remove(key);
            }
        }
    }

    /// Forgets an autoscaler (deleted).
    pub fn remove(&self, key: &HpaKey) {
        let mut inner = self.lock();
        inner.periods.remove(key);
        inner.known.remove(key);
        inner.schedule.remove(key);
        inner.due.remove(key);
        inner.failures.remove(key);
        inner.again.remove(key);
        if inner.running.contains(key) {
            inner.removed.insert(key.clone());
        }
    }

    /// Forgets everything (leadership lost).
    pub fn clear(&self) {
        let mut inner = self.lock();
        let rng = inner.rng;
        *inner = Inner {
            rng,
            ..Inner::default()
        };
    }

    /// Takes the autoscalers due at `now`, marking them running.
    pub fn take_due(&self, now: Timestamp) -> Vec<HpaKey> {
        let mut inner = self.lock();
        let due = inner.schedule.take_due(now);
        for k in &due {
            inner.running.insert(k.clone());
            inner.waiting.insert(k.clone());
        }
        due
    }

    /// A worker starts syncing `key` at `now`: how late that is after its due time.
    pub fn started(&self, key: &HpaKey, now: Timestamp) -> Option<Duration> {
        let mut inner = self.lock();
        inner.waiting.remove(key);
        let at = inner.due.remove(key)?;
        Some(Duration::try_from(now.duration_since(at)).unwrap_or(Duration::ZERO))
    }

    /// Autoscalers due at `now` that no worker has started yet.
    pub fn depth(&self, now: Timestamp) -> usize {
        let inner = self.lock();
        let scheduled = inner
            .due
            .iter()
            .filter(|(k, at)| **at <= now && !inner.running.contains(*k))
            .count();
        scheduled + inner.waiting.len()
    }

    /// When the next autoscaler is due.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.lock().schedule.next_due()
    }

    /// How many autoscalers are scheduled or running.
    pub fn len(&self) -> usize {
        self.lock().known.len()
    }

    /// Whether nothing is scheduled or running.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until something is added.
    pub async fn changed(&self) {
        self.notify.notified().await;
    }

    /// A sync ended: schedules the next one.
    pub fn done(&self, key: HpaKey, outcome: Outcome, now: Timestamp) {
        let mut inner = self.lock();
        inner.running.remove(&key);
        inner.waiting.remove(&key);
        let again = inner.again.remove(&key);
        // gone, unless it was created again while this sync ran
        if inner.removed.remove(&key) || (outcome == Outcome::Gone && !again) {
            inner.failures.remove(&key);
            inner.known.remove(&key);
            inner.periods.remove(&key);
            return;
        }
        let period = inner
            .periods
            .get(&key)
            .copied()
            .unwrap_or(self.timing.period);
        let at = if outcome == Outcome::Failed {
            let n = inner.failures.entry(key.clone()).or_insert(0);
            *n = n.saturating_add(1);
            let n = *n;
            after(now, self.timing.backoff(n))
        } else {
            inner.failures.remove(&key);
            let jitter = self.timing.jitter.max(0.0) * inner.random();
            after(now, period.mul_f64(1.0 + jitter))
        };
        let at = if again { now } else { at };
        inner.schedule(key, at);
        drop(inner);
        self.notify.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing() -> Timing {
        Timing {
            period: Duration::from_secs(15),
            jitter: 0.1,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
        }
    }

    #[test]
    fn an_autoscaler_with_its_own_period_resyncs_at_it_and_the_others_do_not() {
        let q = Queue::new(Timing {
            jitter: 0.0,
            ..timing()
        });
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let fast = HpaKey::new("ns", "fast");
        let slow = HpaKey::new("ns", "slow");
        for k in [&fast, &slow] {
            q.ensure(k.clone());
        }
        assert_eq!(q.take_due(Timestamp::now()).len(), 2);
        q.set_period(&fast, Some(Duration::from_secs(3)));
        q.done(fast.clone(), Outcome::Synced, t0);
        q.done(slow.clone(), Outcome::Synced, t0);
        let at = |s| t0 + SignedDuration::from_secs(s);
        assert_eq!(q.take_due(at(2)), Vec::<HpaKey>::new());
        assert_eq!(q.take_due(at(3)), vec![fast.clone()]);
        q.done(fast.clone(), Outcome::Synced, at(3));
        assert_eq!(q.take_due(at(6)), vec![fast.clone()]);
        assert_eq!(q.take_due(at(14)), Vec::<HpaKey>::new());
        assert_eq!(q.take_due(at(15)), vec![slow]);
        // back to the controller's period
        q.set_period(&fast, None);
        q.done(fast.clone(), Outcome::Synced, at(6));
        assert_eq!(q.take_due(at(20)), Vec::<HpaKey>::new());
        assert_eq!(q.take_due(at(21)), vec![fast]);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let t = timing();
        assert_eq!(t.backoff(1), Duration::from_secs(1));
        assert_eq!(t.backoff(3), Duration::from_secs(4));
        assert_eq!(t.backoff(40), Duration::from_secs(60));
    }

    #[test]
    fn resync_with_jitter_and_backoff() {
        let q = Queue::new(timing());
        let k = HpaKey::new("ns", "a");
        let t0 = Timestamp::now();
        q.add_now(k.clone());
        assert_eq!(
            q.take_due(t0 + SignedDuration::from_secs(1)),
            vec![k.clone()]
        );
        q.done(k.clone(), Outcome::Synced, t0);
        let next = q.next_due().unwrap();
        let delay = next.duration_since(t0);
        assert!(
            delay >= SignedDuration::from_secs(15) && delay <= SignedDuration::from_millis(16_500)
        );
        // failures back off
        q.take_due(next);
        q.done(k.clone(), Outcome::Failed, t0);
        assert_eq!(q.next_due().unwrap(), t0 + SignedDuration::from_secs(1));
        q.take_due(t0 + SignedDuration::from_secs(1));
        q.done(k.clone(), Outcome::Failed, t0);
        assert_eq!(q.next_due().unwrap(), t0 + SignedDuration::from_secs(2));
    }

    #[test]
    fn change_while_running_runs_again_and_removal_wins() {
        let q = Queue::new(timing());
        let k = HpaKey::new("ns", "a");
        let t0 = Timestamp::now();
        q.add_now(k.clone());
        q.take_due(t0 + SignedDuration::from_secs(1));
        q.add_now(k.clone()); // changed while running
        assert!(q.take_due(t0 + SignedDuration::from_secs(1)).is_empty());
        q.done(k.clone(), Outcome::Synced, t0);
        assert_eq!(q.next_due(), Some(t0));
        q.take_due(t0);
        q.remove(&k);
        q.done(k, Outcome::Synced, t0);
        assert!(q.is_empty());
    }

    #[test]
    fn gone_but_created_again_while_running_runs_again() {
        let q = Queue::new(timing());
        let k = HpaKey::new("ns", "a");
        let t0 = Timestamp::now();
        q.add_now(k.clone());
        q.take_due(t0 + SignedDuration::from_secs(1));
        q.remove(&k); // deleted while running ...
        q.add_now(k.clone()); // ... and created again
        q.done(k.clone(), Outcome::Gone, t0);
        assert_eq!(q.next_due(), Some(t0));
        q.take_due(t0);
        q.done(k, Outcome::Gone, t0);
        assert!(q.is_empty());
    }
}
