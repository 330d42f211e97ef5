//! Events on the autoscalers, recorded as client-go's event recorder records them: core/v1
//! Events with source component [`COMPONENT`] (also `reportingComponent`, shared with the
//! simulator), passed through client-go's `EventCorrelator` and written by a background
//! task, so that a slow events API never delays a sync.
//!
//! ```text
//!  sync ─▶ record() ─try_send─▶ bounded queue (1000; full = dropped, as the broadcaster)
//!                                   │
//!            background task ◀──────┘  correlate: aggregate ─▶ dedup ─▶ spam filter
//!                 │                           │
//!                 └── POST a new Event, or PATCH count/lastTimestamp/message of the
//!                     Event it repeats; the answer updates the dedup state
//! ```
//!
//! The correlator (`tools/record/events_cache.go`):
//! - the aggregator: events differing only in their message, about the same object, with
//!   the same type and reason, are similar; from the 10th distinct message within 10
//!   minutes of the previous similar one, they are reported as one event whose message is
//!   `(combined from similar events): <the latest message>`;
//! - the dedup: an event identical to one already written (or the combined event again) is
//!   a PATCH of `count`, `lastTimestamp` and `message` on that object, not a new one;
//! - the spam filter: a token bucket per source and object, burst 25, refilled with one
//!   token every 5 minutes; an event (new or repeated) with no token is dropped.
//!
//! A write that fails for want of an answer (a timeout, a refused or reset connection)
//! or with `429`/`503` is tried again as client-go's `recordToSink` does: up to 12 tries,
//! the first retry after a random part of 10 s, then every 10 s, holding up the events
//! behind it (they wait in the queue; the syncs do not). Any other answer of the API
//! server is final, as in client-go ("will not retry!"): logged, and the event dropped.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use alpaca_engine::snapshot::Event;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Event as CoreEvent, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, Patch, PatchParams, PostParams};
use tokio::sync::mpsc;

use super::errors;

/// The reporting component: upstream's HPA controller's, as the simulator reports.
pub const COMPONENT: &str = alpaca_engine::EVENT_COMPONENT;

/// Events waiting for the background writer (client-go's `maxQueuedEvents`).
pub const QUEUE_CAPACITY: usize = 1000;
/// Entries each correlator cache keeps (client-go's `maxLruCacheEntries`).
const MAX_REMEMBERED: usize = 4096;
/// Distinct messages of similar events before they are combined.
const AGGREGATE_MAX_EVENTS: usize = 10;
/// How long similar events are remembered for aggregation.
const AGGREGATE_INTERVAL: SignedDuration = SignedDuration::from_secs(600);
/// The spam filter's burst.
const SPAM_BURST: f64 = 25.0;
/// The spam filter's refill: one token per 5 minutes.
const SPAM_QPS: f64 = 1.0 / 300.0;
/// Tries per event write (client-go's `maxTriesPerEvent`).
pub const MAX_TRIES: u32 = 12;
/// The pause between tries (client-go's default `sleepDuration`).
pub const RETRY_SLEEP: std::time::Duration = std::time::Duration::from_secs(10);
/// The aggregated message's prefix.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// One event as it goes to the API, after correlation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outgoing {
    /// The dedup key the answer is remembered under.
    pub key: String,
    /// The Event object's name.
    pub name: String,
    /// `Normal` or `Warning`.
    pub type_: String,
    /// The reason.
    pub reason: String,
    /// The message (combined, for an aggregated event).
    pub message: String,
    /// 1 for a new object; more for a PATCH of an existing one.
    pub count: i32,
    /// When it was first seen.
    pub first: Timestamp,
    /// Now.
    pub last: Timestamp,
}

#[derive(Debug, Clone)]
struct Aggregate {
    messages: HashSet<String>,
    last: Timestamp,
}

#[derive(Debug, Clone)]
struct Observed {
    name: String,
    count: i32,
    first: Timestamp,
}

#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    at: Timestamp,
}

impl Bucket {
    fn try_accept(&mut self, now: Timestamp) -> bool {
        let elapsed = now.duration_since(self.at).as_secs_f64().max(0.0);
        self.tokens = (self.tokens + elapsed * SPAM_QPS).min(SPAM_BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// client-go's `EventCorrelator`, on an explicit clock.
#[derive(Debug, Default)]
pub(crate) struct Correlator {
    aggregates: HashMap<String, Aggregate>,
    observed: HashMap<String, Observed>,
    spam: HashMap<String, Bucket>,
}

fn bounded_insert<V>(map: &mut HashMap<String, V>, key: String, value: V) {
    if map.len() >= MAX_REMEMBERED && !map.contains_key(&key) {
        map.clear();
    }
    map.insert(key, value);
}

fn object_key(o: &ObjectReference) -> String {
    [
        COMPONENT,
        "",
        o.kind.as_deref().unwrap_or_default(),
        o.namespace.as_deref().unwrap_or_default(),
        o.name.as_deref().unwrap_or_default(),
        o.uid.as_deref().unwrap_or_default(),
        o.api_version.as_deref().unwrap_or_default(),
    ]
    .join("\u{0}")
}

fn event_name(o: &ObjectReference, now: Timestamp) -> String {
    format!(
        "{}.{:x}",
        o.name.as_deref().unwrap_or_default(),
        now.as_nanosecond().max(0)
    )
}

impl Correlator {
    /// What to write for `event` about `object` at `now`; `None` when the spam filter
    /// drops it.
    pub fn correlate(
        &mut self,
        object: &ObjectReference,
        event: &Event,
        now: Timestamp,
    ) -> Option<Outgoing> {
        let source = object_key(object);
        let aggregate_key = [source.as_str(), &event.type_, &event.reason].join("\u{0}");
        // the aggregator
        let record = match self.aggregates.remove(&aggregate_key) {
            Some(r) if now.duration_since(r.last) <= AGGREGATE_INTERVAL => r,
            _ => Aggregate {
                messages: HashSet::new(),
                last: now,
            },
        };
        let mut record = record;
        record.messages.insert(event.message.clone());
        record.last = now;
        let (key, message) = if record.messages.len() < AGGREGATE_MAX_EVENTS {
            (
                [aggregate_key.as_str(), &event.message].join("\u{0}"),
                event.message.clone(),
            )
        } else {
            // keep the set bounded, as client-go's PopAny
            if let Some(any) = record.messages.iter().next().cloned() {
                record.messages.remove(&any);
            }
            (
                aggregate_key.clone(),
                [COMBINED_PREFIX, &event.message].concat(),
            )
        };
        bounded_insert(&mut self.aggregates, aggregate_key, record);
        // the dedup
        let out = match self.observed.get(&key) {
            Some(seen) => Outgoing {
                key,
                name: seen.name.clone(),
                type_: event.type_.clone(),
                reason: event.reason.clone(),
                message,
                count: seen.count + 1,
                first: seen.first,
                last: now,
            },
            None => Outgoing {
                key,
                name: event_name(object, now),
                type_: event.type_.clone(),
                reason: event.reason.clone(),
                message,
                count: 1,
                first: now,
                last: now,
            },
        };
        // the spam filter
        let bucket = self.spam.entry(source.clone()).or_insert(Bucket {
            tokens: SPAM_BURST,
            at: now,
        });
        if !bucket.try_accept(now) {
            return None;
        }
        if self.spam.len() > MAX_REMEMBERED {
            let keep = self.spam.remove(&source);
            self.spam.clear();
            if let Some(b) = keep {
                self.spam.insert(source, b);
            }
        }
        Some(out)
    }

    /// The API accepted `out` (client-go's `UpdateState`): repeats of it patch this object.
    pub fn recorded(&mut self, out: &Outgoing, name: String, count: i32) {
        bounded_insert(
            &mut self.observed,
            out.key.clone(),
            Observed {
                name,
                count,
                first: out.first,
            },
        );
    }
}

struct Pending {
    object: ObjectReference,
    event: Event,
}

/// Records events through a background writer.
pub(crate) struct Recorder {
    client: kube::Client,
    instance: String,
    sender: OnceLock<mpsc::Sender<Pending>>,
    dropped: Arc<Mutex<u64>>,
}

impl Recorder {
    /// A recorder reporting as [`COMPONENT`] from `instance` (the replica's identity).
    pub fn new(client: kube::Client, instance: String) -> Self {
        Self {
            client,
            instance,
            sender: OnceLock::new(),
            dropped: Arc::new(Mutex::new(0)),
        }
    }

    fn sender(&self) -> &mpsc::Sender<Pending> {
        self.sender.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
            tokio::spawn(write_events(self.client.clone(), self.instance.clone(), rx));
            tx
        })
    }

    /// Queues an event about `regarding`; never waits for the API. When the queue is
    /// full the event is dropped and logged, as client-go's broadcaster drops it.
    pub async fn record(&self, regarding: &ObjectReference, event: &Event) {
        let pending = Pending {
            object: regarding.clone(),
            event: event.clone(),
        };
        if let Err(e) = self.sender().try_send(pending) {
            let mut dropped = self.dropped.lock().unwrap_or_else(|e| e.into_inner());
            *dropped += 1;
            let reason = match e {
                mpsc::error::TrySendError::Full(p) => p.event.reason,
                mpsc::error::TrySendError::Closed(p) => p.event.reason,
            };
            tracing::warn!(event = %reason, dropped = *dropped, "event queue full; event dropped");
        }
    }
}

/// Whether a failed write is tried again: no answer at all (client-go retries transport
/// errors), or an answer asking to come back (`429`, `503`, which client-go's request
/// layer retries when the server sends `Retry-After`). Other answers are final.
pub(crate) fn retryable(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(status) => matches!(status.code, 429 | 503),
        kube::Error::SerdeError(_) | kube::Error::BuildRequest(_) => false,
        _ => true,
    }
}

/// How long to wait before try `tries + 1` (`tries` ≥ 1 failed so far): a random part of
/// the pause first, so that clients do not all come back at once, then the whole pause.
fn pause(tries: u32, sleep: std::time::Duration) -> std::time::Duration {
    if tries == 1 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        sleep.mul_f64(f64::from(nanos) / 1e9)
    } else {
        sleep
    }
}

/// The background writer: correlates each event and writes it, retrying as client-go.
async fn write_events(client: kube::Client, instance: String, mut rx: mpsc::Receiver<Pending>) {
    let mut correlator = Correlator::default();
    while let Some(Pending { object, event }) = rx.recv().await {
        let Some(out) = correlator.correlate(&object, &event, Timestamp::now()) else {
            tracing::debug!(event = %event.reason, "event dropped by the spam filter");
            continue;
        };
        let mut tries = 0;
        loop {
            match write_one(&client, &instance, &object, &out).await {
                Ok((name, count)) => {
                    correlator.recorded(&out, name, count);
                    break;
                }
                Err(e) => {
                    tries += 1;
                    if !retryable(&e) {
                        tracing::warn!(event = %out.reason, error = %e, "could not record event (will not retry)");
                        break;
                    }
                    if tries >= MAX_TRIES {
                        tracing::warn!(event = %out.reason, error = %e, tries, "could not record event (retry limit exceeded)");
                        break;
                    }
                    tracing::warn!(event = %out.reason, error = %e, tries, "could not record event (will retry)");
                    tokio::time::sleep(pause(tries, RETRY_SLEEP)).await;
                }
            }
        }
    }
}

/// One write: a PATCH of the Event it repeats (a POST when that one is gone), or a POST.
/// The written object's name and count.
async fn write_one(
    client: &kube::Client,
    instance: &str,
    object: &ObjectReference,
    out: &Outgoing,
) -> Result<(String, i32), kube::Error> {
    let namespace = object.namespace.clone().unwrap_or_else(|| "default".into());
    let api: Api<CoreEvent> = Api::namespaced(client.clone(), &namespace);
    if out.count > 1 {
        let patch = serde_json::json!({
            "count": out.count,
            "lastTimestamp": Time(out.last),
            "message": out.message,
        });
        match api
            .patch(&out.name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(written) => return Ok((out.name.clone(), written.count.unwrap_or(out.count))),
            Err(e) if errors::is_not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    let body = CoreEvent {
        metadata: kube::api::ObjectMeta {
            name: Some(out.name.clone()),
            namespace: Some(namespace.clone()),
            ..Default::default()
        },
        involved_object: object.clone(),
        type_: Some(out.type_.clone()),
        reason: Some(out.reason.clone()),
        message: Some(out.message.clone()),
        source: Some(EventSource {
            component: Some(COMPONENT.into()),
            host: None,
        }),
        first_timestamp: Some(Time(out.first)),
        last_timestamp: Some(Time(out.last)),
        count: Some(out.count),
        reporting_component: Some(COMPONENT.into()),
        reporting_instance: Some(instance.to_string()),
        ..CoreEvent::default()
    };
    let written = api.create(&PostParams::default(), &body).await?;
    Ok((
        written.metadata.name.unwrap_or_else(|| out.name.clone()),
        written.count.unwrap_or(out.count),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_429_and_503_are_retried_other_answers_are_not() {
        let api = |code: u16| {
            kube::Error::Api(
                kube::core::Status::failure("no", "Reason")
                    .with_code(code)
                    .boxed(),
            )
        };
        assert!(retryable(&api(503)));
        assert!(retryable(&api(429)));
        assert!(!retryable(&api(500)));
        assert!(!retryable(&api(409)));
        assert!(!retryable(&api(403)));
        let first = pause(1, RETRY_SLEEP);
        assert!(first < RETRY_SLEEP);
        assert_eq!(pause(2, RETRY_SLEEP), RETRY_SLEEP);
    }

    fn object(name: &str) -> ObjectReference {
        ObjectReference {
            kind: Some("HorizontalPodAutoscaler".into()),
            namespace: Some("ns".into()),
            name: Some(name.into()),
            uid: Some(format!("uid-{name}")),
            api_version: Some("autoscaling/v2".into()),
            ..Default::default()
        }
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).unwrap()
    }

    /// Correlates and, as the API would, accepts what comes out.
    fn send(
        c: &mut Correlator,
        o: &ObjectReference,
        e: &Event,
        now: Timestamp,
    ) -> Option<Outgoing> {
        let out = c.correlate(o, e, now)?;
        c.recorded(&out, out.name.clone(), out.count);
        Some(out)
    }

    #[test]
    fn identical_events_patch_one_object_whose_count_grows() {
        let mut c = Correlator::default();
        let o = object("web");
        let e = Event::warning("FailedGetExternalMetric", "no such metric".into());
        let first = send(&mut c, &o, &e, at(0)).unwrap();
        assert_eq!(first.count, 1);
        for i in 1..5 {
            let out = send(&mut c, &o, &e, at(i)).unwrap();
            assert_eq!(out.name, first.name);
            assert_eq!(out.count, i as i32 + 1);
            assert_eq!(out.first, at(0));
            assert_eq!(out.last, at(i));
            assert_eq!(out.message, "no such metric");
        }
    }

    #[test]
    fn the_tenth_distinct_similar_message_is_combined() {
        let mut c = Correlator::default();
        let o = object("web");
        let mut names = HashSet::new();
        for i in 0..9 {
            let e = Event::warning("FailedGetScale", format!("error {i}"));
            let out = send(&mut c, &o, &e, at(i)).unwrap();
            assert_eq!(out.message, format!("error {i}"));
            assert_eq!(out.count, 1);
            names.insert(out.name);
        }
        assert_eq!(names.len(), 9, "nine separate events");
        let e = Event::warning("FailedGetScale", "error 9".into());
        let combined = send(&mut c, &o, &e, at(9)).unwrap();
        assert_eq!(combined.message, "(combined from similar events): error 9");
        assert_eq!(combined.count, 1);
        assert!(!names.contains(&combined.name));
        // the next similar one, whatever its message, counts on the combined event
        let e = Event::warning("FailedGetScale", "error 10".into());
        let again = send(&mut c, &o, &e, at(10)).unwrap();
        assert_eq!(again.name, combined.name);
        assert_eq!(again.count, 2);
        assert_eq!(again.message, "(combined from similar events): error 10");
        // another reason, or another object, is not similar
        let other = Event::warning("FailedRescale", "error 11".into());
        assert_eq!(
            send(&mut c, &o, &other, at(11)).unwrap().message,
            "error 11"
        );
        let e = Event::warning("FailedGetScale", "error 12".into());
        assert_eq!(
            send(&mut c, &object("api"), &e, at(12)).unwrap().message,
            "error 12"
        );
    }

    #[test]
    fn aggregation_forgets_after_ten_quiet_minutes() {
        let mut c = Correlator::default();
        let o = object("web");
        for i in 0..9 {
            let e = Event::warning("FailedGetScale", format!("error {i}"));
            send(&mut c, &o, &e, at(i)).unwrap();
        }
        let e = Event::warning("FailedGetScale", "error 9".into());
        let out = send(&mut c, &o, &e, at(8 + 601)).unwrap();
        assert_eq!(out.message, "error 9", "the similar events expired");
    }

    #[test]
    fn the_spam_filter_allows_25_then_one_per_five_minutes_per_object() {
        let mut c = Correlator::default();
        let o = object("web");
        let e = Event::warning("FailedGetExternalMetric", "no such metric".into());
        for i in 0..25 {
            assert!(
                send(&mut c, &o, &e, at(i)).is_some(),
                "event {i} within the burst"
            );
        }
        assert!(
            send(&mut c, &o, &e, at(25)).is_none(),
            "the 26th is dropped"
        );
        assert!(send(&mut c, &o, &e, at(200)).is_none(), "no token yet");
        // another object has its own bucket
        assert!(send(&mut c, &object("api"), &e, at(200)).is_some());
        // one token back 300 s after the burst began
        let out = send(&mut c, &o, &e, at(301)).unwrap();
        assert_eq!(out.count, 26, "the dropped ones were never written");
        assert!(send(&mut c, &o, &e, at(302)).is_none());
        assert!(send(&mut c, &o, &e, at(602)).is_some());
    }
}
