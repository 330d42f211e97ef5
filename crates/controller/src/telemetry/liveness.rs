//! Liveness that means something: `/healthz` fails when a sync has run for longer than the
//! liveness timeout (a wedged worker) or a watch has failed without a break for that long
//! (caches no longer fed), so that the kubelet restarts the pod. A standby replica and a
//! quiet cluster are healthy: a watch with no events is not a failing one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Syncs in flight and watches failing, with when each began.
#[derive(Debug)]
pub struct Liveness {
    timeout: Duration,
    next: AtomicU64,
    syncs: Mutex<HashMap<u64, (String, Instant)>>,
    failing: Mutex<HashMap<&'static str, Instant>>,
}

impl Default for Liveness {
    fn default() -> Self {
        Self::new(Duration::from_secs(300))
    }
}

/// Marks a sync in flight until dropped.
#[derive(Debug)]
pub struct SyncGuard<'a> {
    liveness: &'a Liveness,
    id: u64,
}

impl Drop for SyncGuard<'_> {
    fn drop(&mut self) {
        self.liveness
            .syncs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

impl Liveness {
    /// Failing after `timeout` (`--liveness-timeout`).
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            next: AtomicU64::new(0),
            syncs: Mutex::default(),
            failing: Mutex::default(),
        }
    }

    /// A sync of `what` begins; it ends when the guard drops.
    pub fn sync_started(&self, what: String) -> SyncGuard<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.syncs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, (what, Instant::now()));
        SyncGuard { liveness: self, id }
    }

    /// The watch `which` delivered something.
    pub fn watch_ok(&self, which: &'static str) {
        self.failing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(which);
    }

    /// The watch `which` failed (the first failure of a run is kept).
    pub fn watch_failed(&self, which: &'static str) {
        self.failing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(which)
            .or_insert_with(Instant::now);
    }

    /// `Err` naming what has been stuck for longer than the timeout.
    pub fn check(&self, now: Instant) -> Result<(), String> {
        let too_long = |since: Instant| now.saturating_duration_since(since) > self.timeout;
        let syncs = self.syncs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((what, since)) = syncs.values().find(|(_, s)| too_long(*s)) {
            return Err(format!(
                "the sync of {what} has run for {:.0?} (--liveness-timeout {:?})",
                now.saturating_duration_since(*since),
                self.timeout
            ));
        }
        let failing = self.failing.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((which, since)) = failing.iter().find(|(_, s)| too_long(**s)) {
            return Err(format!(
                "the {which} watch has failed for {:.0?} (--liveness-timeout {:?})",
                now.saturating_duration_since(*since),
                self.timeout
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wedged_syncs_and_failing_watches_fail_liveness() {
        let l = Liveness::new(Duration::from_secs(60));
        let now = Instant::now();
        assert!(l.check(now).is_ok());
        let guard = l.sync_started("default/web".into());
        assert!(l.check(now + Duration::from_secs(30)).is_ok());
        let e = l.check(now + Duration::from_secs(61)).unwrap_err();
        assert!(e.starts_with("the sync of default/web has run for"), "{e}");
        drop(guard);
        assert!(l.check(now + Duration::from_secs(61)).is_ok());

        l.watch_failed("pods");
        l.watch_failed("pods");
        assert!(l.check(now + Duration::from_secs(30)).is_ok());
        assert!(
            l.check(now + Duration::from_secs(61))
                .unwrap_err()
                .contains("pods watch")
        );
        l.watch_ok("pods");
        assert!(l.check(now + Duration::from_secs(61)).is_ok());
    }
}
