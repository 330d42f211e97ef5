//! Write-behind of the memory: each sync marks its autoscaler's new memory; a flush
//! (every `--memory-flush-interval`, and on shutdown) writes every memory that changed
//! since it was last written, with a merge PATCH of the annotation, several at a time.

use std::collections::HashMap;
use std::sync::Mutex;

use alpaca_engine::snapshot::History;
use alpaca_loop::HpaKey;
use futures::StreamExt;
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

/// Memories waiting to be written, and the last written ones.
#[derive(Debug, Default)]
pub struct MemoryWriter {
    dirty: Mutex<HashMap<HpaKey, History>>,
    written: Mutex<HashMap<HpaKey, History>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemoryWriter {
    /// Nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes the memory an autoscaler has after a sync.
    pub fn mark(&self, key: HpaKey, history: History) {
        if lock(&self.written).get(&key) == Some(&history) {
            lock(&self.dirty).remove(&key);
            return;
        }
        lock(&self.dirty).insert(key, history);
    }

    /// Notes the memory as read from the cluster (no write needed for it).
    pub fn restored(&self, key: HpaKey, history: History) {
        lock(&self.written).insert(key, history);
    }

    /// Forgets an autoscaler (deleted).
    pub fn forget(&self, key: &HpaKey) {
        lock(&self.dirty).remove(key);
        lock(&self.written).remove(key);
    }

    /// Forgets everything (leadership lost: the next leader writes).
    pub fn clear(&self) {
        lock(&self.dirty).clear();
        lock(&self.written).clear();
    }

    /// How many memories wait to be written.
    pub fn pending(&self) -> usize {
        lock(&self.dirty).len()
    }

    /// Writes every pending memory, `concurrency` at a time.
    pub async fn flush(&self, cluster: &KubeCluster, concurrency: usize) -> Flushed {
        let batch: Vec<(HpaKey, History)> = lock(&self.dirty).drain().collect();
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
                    lock(&self.written).insert(key, history);
                }
                Err(e) => {
                    out.failed += 1;
                    tracing::warn!(autoscaler = %key, error = %e, "could not persist memory; retrying at the next flush");
                    lock(&self.dirty).entry(key).or_insert(history);
                }
            }
        }
        out
    }
}

async fn write(cluster: &KubeCluster, key: &HpaKey, history: &History) -> Result<(), String> {
    let patch = serde_json::json!({"metadata": {"annotations": {ANNOTATION: encode(history)}}});
    match cluster
        .autoscaler_api(&key.namespace)
        .patch(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
