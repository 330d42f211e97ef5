//! Watch history of one resource: a bounded window of recent events (to resume watches
//! from a resourceVersion) and a broadcast channel feeding open watches.

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

/// Watch event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventType {
    /// Created.
    Added,
    /// Updated.
    Modified,
    /// Removed.
    Deleted,
}

impl EventType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// A change to one object.
#[derive(Debug)]
pub(crate) struct StoredEvent {
    /// resourceVersion of the change.
    pub rv: u64,
    /// What happened.
    pub kind: EventType,
    /// The object after the change (for DELETED: the last state, at the deletion's RV).
    pub object: Arc<Value>,
    /// The object before the change.
    pub previous: Option<Arc<Value>>,
}

/// Recent events of one resource.
#[derive(Debug)]
pub(crate) struct History {
    events: VecDeque<Arc<StoredEvent>>,
    capacity: usize,
    oldest_valid: u64,
    tx: broadcast::Sender<Arc<StoredEvent>>,
}

impl History {
    /// Keeps `capacity` events; watches may lag `channel` events.
    pub fn new(capacity: usize, channel: usize) -> Self {
        let (tx, _) = broadcast::channel(channel.max(1));
        Self {
            events: VecDeque::new(),
            capacity: capacity.max(1),
            oldest_valid: 0,
            tx,
        }
    }

    /// Records an event and sends it to open watches.
    pub fn push(&mut self, event: StoredEvent) {
        let event = Arc::new(event);
        self.events.push_back(event.clone());
        while self.events.len() > self.capacity {
            if let Some(dropped) = self.events.pop_front() {
                self.oldest_valid = dropped.rv;
            }
        }
        // no receiver is fine
        let _ = self.tx.send(event);
    }

    /// Events after `rv`, or `Err(oldest resumable rv)` if they are no longer all kept.
    pub fn since(&self, rv: u64) -> Result<Vec<Arc<StoredEvent>>, u64> {
        if rv < self.oldest_valid {
            return Err(self.oldest_valid);
        }
        let start = self.events.partition_point(|e| e.rv <= rv);
        Ok(self.events.range(start..).cloned().collect())
    }

    /// Live events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.tx.subscribe()
    }

    /// Drops all history: only watches from `rv` on can resume.
    pub fn compact(&mut self, rv: u64) {
        self.events.clear();
        self.oldest_valid = rv;
    }
}
