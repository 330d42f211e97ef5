//! Write-behind of the memory: each sync marks its autoscaler's new memory; a flush
//! (every `--memory-flush-interval`) writes the memories that changed in a way a later
//! decision could notice since they were last written, each at most once per
//! `--memory-min-write-interval`, with a merge PATCH of the annotation (field manager
//! [`crate::FIELD_MANAGER`]), several at a time. The flush at shutdown (and before the
//! Lease is released) writes every memory that differs at all from the written one.
//!
//! What a decision reads of the memory (upstream's stabilization and behavior policies):
//! the recommendations newer than the stabilization windows and the scale events newer
//! than the policies' periods. Entries older than that ([`Horizon`]) are never read again
//! and do not count. Among the rest, a new recommended value or a new scale event counts;
//! a recommendation of a value already persisted that is only more recent counts once the
//! persisted one is older by the minimum write interval (a restart then ends that value's
//! stabilization up to that much early, not more).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use alpaca_engine::snapshot::History;
use alpaca_loop::HpaKey;
use futures::StreamExt;
use jiff::Timestamp;
use kube::api::{Patch, PatchParams};

use super::annotation::{ANNOTATION, encode};
use crate::cluster::{KubeCluster, is_not_found};

/// What a flush did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flushed {
    /// Memories written.
    pub written: usize,
    /// Writes that failed (retried at the next flush).
    pub failed: usize,
}

/// How far back a decision of one autoscaler reads its memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// The longest stabilization window (recommendations older are never read).
    pub recommendations: Duration,
    /// The longest scaling policy period (scale events older are never read).
    pub events: Duration,
}

impl Horizon {
    /// The horizon of an autoscaler with this `spec` (JSON, as stored), the default
    /// downscale window being `--horizontal-pod-autoscaler-downscale-stabilization`.
    pub fn of(spec: Option<&serde_json::Value>, downscale_default: Duration) -> Self {
        let behavior = spec.and_then(|s| s.get("behavior"));
        let mut recommendations = downscale_default;
        // upstream's default policies have 15 s periods
        let mut events = Duration::from_secs(15);
        for rules in ["scaleUp", "scaleDown"] {
            let Some(rules) = behavior.and_then(|b| b.get(rules)) else {
                continue;
            };
            let secs = |v: Option<&serde_json::Value>| {
                Duration::from_secs(v.and_then(|v| v.as_u64()).unwrap_or(0))
            };
            recommendations = recommendations.max(secs(rules.get("stabilizationWindowSeconds")));
            for p in rules
                .get("policies")
                .and_then(|p| p.as_array())
                .into_iter()
                .flatten()
            {
                events = events.max(secs(p.get("periodSeconds")));
            }
        }
        Self {
            recommendations,
            events,
        }
    }
}

impl Default for Horizon {
    /// The longest a decision can look back: 1 h windows, 30 min periods (the API's limits).
    fn default() -> Self {
        Self {
            recommendations: Duration::from_secs(3600),
            events: Duration::from_secs(1800),
        }
    }
}

/// Whether `new` differs from the persisted `old` in a way a decision at `now` or later
/// could notice (see the module's doc).
pub fn noticeable(
    old: Option<&History>,
    new: &History,
    horizon: Horizon,
    now: Timestamp,
    slack: Duration,
) -> bool {
    let empty = History::default();
    let old = old.unwrap_or(&empty);
    let live =
        |t: Timestamp, window: Duration| now.duration_since(t).unsigned_abs() < window || t > now;
    // the newest timestamp per recommended value still inside the window
    let newest = |h: &History| {
        let mut by_value: HashMap<i32, Timestamp> = HashMap::new();
        for r in &h.recommendations {
            if live(r.timestamp.0, horizon.recommendations) {
                let e = by_value.entry(r.replicas).or_insert(r.timestamp.0);
                *e = (*e).max(r.timestamp.0);
            }
        }
        by_value
    };
    let (old_recs, new_recs) = (newest(old), newest(new));
    if old_recs.len() != new_recs.len() {
        return true;
    }
    for (value, t) in &new_recs {
        match old_recs.get(value) {
            None => return true,
            Some(o) if t.duration_since(*o).unsigned_abs() >= slack && *t > *o => return true,
            Some(_) => {}
        }
    }
    let events = |e: &[alpaca_engine::snapshot::ScaleEvent]| {
        let mut v: Vec<(Timestamp, i32)> = e
            .iter()
            .filter(|e| live(e.timestamp.0, horizon.events))
            .map(|e| (e.timestamp.0, e.replica_change))
            .collect();
        v.sort();
        v
    };
    events(&old.scale_up_events) != events(&new.scale_up_events)
        || events(&old.scale_down_events) != events(&new.scale_down_events)
        // a fallback's first failure time decides when the fallback starts
        || old.external_fallback != new.external_fallback
}

/// One autoscaler's memory: the latest, and the last written.
#[derive(Debug, Default)]
struct Entry {
    latest: Option<History>,
    written: Option<History>,
    written_at: Option<Instant>,
    /// `latest` differs noticeably from `written`.
    due: bool,
}

/// Memories waiting to be written, and the last written ones.
#[derive(Debug)]
pub struct MemoryWriter {
    min_interval: Duration,
    downscale_default: Duration,
    entries: Mutex<HashMap<HpaKey, Entry>>,
}

impl Default for MemoryWriter {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemoryWriter {
    /// Nothing pending; no minimum interval between writes; upstream's default
    /// downscale window.
    pub fn new() -> Self {
        Self::with_limits(Duration::ZERO, Duration::from_secs(300))
    }

    /// Nothing pending; one autoscaler's memory written at most once per `min_interval`;
    /// `downscale_default` is `--horizontal-pod-autoscaler-downscale-stabilization`.
    pub fn with_limits(min_interval: Duration, downscale_default: Duration) -> Self {
        Self {
            min_interval,
            downscale_default,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Notes the memory an autoscaler with this `spec` (as stored) has after a sync at
    /// `now`.
    pub fn mark(
        &self,
        key: HpaKey,
        history: History,
        spec: Option<&serde_json::Value>,
        now: Timestamp,
    ) {
        let horizon = Horizon::of(spec, self.downscale_default);
        let mut entries = lock(&self.entries);
        let e = entries.entry(key).or_default();
        e.due = noticeable(
            e.written.as_ref(),
            &history,
            horizon,
            now,
            self.min_interval,
        );
        e.latest = Some(history);
    }

    /// Notes the memory as read from the cluster (no write needed for it).
    pub fn restored(&self, key: HpaKey, history: History) {
        let mut entries = lock(&self.entries);
        let e = entries.entry(key).or_default();
        e.written = Some(history);
        e.due = false;
    }

    /// Forgets an autoscaler (deleted).
    pub fn forget(&self, key: &HpaKey) {
        lock(&self.entries).remove(key);
    }

    /// Forgets everything (leadership lost: the next leader writes).
    pub fn clear(&self) {
        lock(&self.entries).clear();
    }

    /// How many memories wait to be written (noticeable changes).
    pub fn pending(&self) -> usize {
        lock(&self.entries).values().filter(|e| e.due).count()
    }

    /// Writes the memories due (noticeable changes whose autoscaler was not written within
    /// the minimum interval), `concurrency` at a time; with `all` (shutdown), every memory
    /// that differs at all from the one written.
    pub async fn flush(&self, cluster: &KubeCluster, concurrency: usize, all: bool) -> Flushed {
        let batch: Vec<(HpaKey, History)> = {
            let entries = lock(&self.entries);
            entries
                .iter()
                .filter(|(_, e)| {
                    if all {
                        e.latest.is_some() && e.latest != e.written
                    } else {
                        e.due
                            && e.written_at
                                .is_none_or(|at| at.elapsed() >= self.min_interval)
                    }
                })
                .filter_map(|(k, e)| Some((k.clone(), e.latest.clone()?)))
                .collect()
        };
        if batch.is_empty() {
            return Flushed::default();
        }
        let results: Vec<(HpaKey, History, Result<(), String>)> =
            futures::stream::iter(batch.into_iter().map(|(key, history)| async move {
                let result = write(cluster, &key, &history).await;
                (key, history, result)
            }))
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        let mut out = Flushed::default();
        for (key, history, result) in results {
            match result {
                Ok(()) => {
                    out.written += 1;
                    let mut entries = lock(&self.entries);
                    if let Some(e) = entries.get_mut(&key) {
                        // a sync may have marked a newer memory meanwhile
                        e.due = e.due && e.latest.as_ref() != Some(&history);
                        e.written = Some(history);
                        e.written_at = Some(Instant::now());
                    }
                }
                Err(e) => {
                    out.failed += 1;
                    tracing::warn!(autoscaler = %key, error = %e, "could not persist memory; retrying at the next flush");
                }
            }
        }
        out
    }
}

async fn write(cluster: &KubeCluster, key: &HpaKey, history: &History) -> Result<(), String> {
    let patch = serde_json::json!({"metadata": {"annotations": {ANNOTATION: encode(history)}}});
    let params = PatchParams {
        field_manager: Some(crate::FIELD_MANAGER.into()),
        ..PatchParams::default()
    };
    match cluster
        .autoscaler_api(&key.namespace)
        .patch(&key.name, &params, &Patch::Merge(&patch))
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alpaca_engine::snapshot::{Recommendation, ScaleEvent};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    fn history(recs: &[(i64, i32)], ups: &[(i64, i32)]) -> History {
        History {
            recommendations: recs
                .iter()
                .map(|&(t, replicas)| Recommendation {
                    timestamp: Time(at(t)),
                    replicas,
                })
                .collect(),
            scale_up_events: ups
                .iter()
                .map(|&(t, replica_change)| ScaleEvent {
                    timestamp: Time(at(t)),
                    replica_change,
                })
                .collect(),
            scale_down_events: vec![],
            external_fallback: vec![],
        }
    }

    const H: Horizon = Horizon {
        recommendations: Duration::from_secs(300),
        events: Duration::from_secs(15),
    };
    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn only_changes_a_decision_could_notice_count() {
        let written = history(&[(100, 2), (110, 2)], &[]);
        // the same value, a few seconds newer: not yet
        let fresher = history(&[(100, 2), (110, 2), (120, 2)], &[]);
        assert!(!noticeable(Some(&written), &fresher, H, at(120), MIN));
        // a minute newer: a restart would end its stabilization a minute early
        let later = history(&[(110, 2), (170, 2)], &[]);
        assert!(noticeable(Some(&written), &later, H, at(170), MIN));
        // a new value counts at once
        let new_value = history(&[(100, 2), (110, 2), (120, 3)], &[]);
        assert!(noticeable(Some(&written), &new_value, H, at(120), MIN));
        // a value only in expired entries does not
        let expired = history(&[(100, 2), (110, 2), (-200, 7)], &[]);
        assert!(!noticeable(Some(&written), &expired, H, at(120), MIN));
        // a new scale event counts, an expired one does not
        let event = history(&[(100, 2), (110, 2)], &[(118, 1)]);
        assert!(noticeable(Some(&written), &event, H, at(120), MIN));
        let old_event = history(&[(100, 2), (110, 2)], &[(100, 1)]);
        assert!(!noticeable(Some(&written), &old_event, H, at(120), MIN));
        // nothing written yet
        assert!(noticeable(None, &written, H, at(120), MIN));
        assert!(!noticeable(None, &History::default(), H, at(120), MIN));
    }

    #[test]
    fn horizon_from_behavior() {
        let five = Duration::from_secs(300);
        assert_eq!(
            Horizon::of(Some(&serde_json::json!({})), five),
            Horizon {
                recommendations: five,
                events: Duration::from_secs(15)
            }
        );
        let spec = serde_json::json!({"behavior": {
            "scaleUp": {"stabilizationWindowSeconds": 600,
                        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
            "scaleDown": {"policies": [{"type": "Percent", "value": 10, "periodSeconds": 120}]}}});
        assert_eq!(
            Horizon::of(Some(&spec), five),
            Horizon {
                recommendations: Duration::from_secs(600),
                events: Duration::from_secs(120)
            }
        );
    }
}
