//! Events on the autoscalers, recorded as upstream's event recorder does: core/v1 Events
//! with source component `alpaca` (also `reportingComponent`), and a repeat of the same
//! event (same object, type, reason and message) counted on the first one with a PATCH
//! of `count` and `lastTimestamp` instead of a new object.

use std::collections::HashMap;
use std::sync::Mutex;

use alpaca_engine::snapshot::Event;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event as CoreEvent, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, Patch, PatchParams, PostParams};

use super::errors;

/// The reporting component.
pub const COMPONENT: &str = "alpaca";
const MAX_REMEMBERED: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct EventKey {
    namespace: String,
    name: String,
    uid: String,
    type_: String,
    reason: String,
    message: String,
}

#[derive(Debug, Clone)]
struct Seen {
    object: String,
    count: i32,
}

/// Records events.
pub(crate) struct Recorder {
    client: kube::Client,
    instance: String,
    seen: Mutex<HashMap<EventKey, Seen>>,
}

impl Recorder {
    /// A recorder reporting as `alpaca` from `instance` (the replica's identity).
    pub fn new(client: kube::Client, instance: String) -> Self {
        Self {
            client,
            instance,
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, HashMap<EventKey, Seen>> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records an event about `regarding`; failures are logged, as upstream's are.
    pub async fn record(&self, regarding: &ObjectReference, event: &Event) {
        let namespace = regarding
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into());
        let key = EventKey {
            namespace: namespace.clone(),
            name: regarding.name.clone().unwrap_or_default(),
            uid: regarding.uid.clone().unwrap_or_default(),
            type_: event.type_.clone(),
            reason: event.reason.clone(),
            message: event.message.clone(),
        };
        let api: Api<CoreEvent> = Api::namespaced(self.client.clone(), &namespace);
        let now = Time(Timestamp::now());
        let previous = self.seen().get(&key).cloned();
        if let Some(seen) = previous {
            let patch = serde_json::json!({"count": seen.count + 1, "lastTimestamp": now});
            match api
                .patch(&seen.object, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                Ok(_) => {
                    if let Some(s) = self.seen().get_mut(&key) {
                        s.count += 1;
                    }
                    return;
                }
                Err(e) if errors::is_not_found(&e) => {}
                Err(e) => {
                    tracing::warn!(event = %event.reason, object = %key.name, error = %e, "could not record event");
                    return;
                }
            }
        }
        let object = format!("{}.{:x}", key.name, Timestamp::now().as_nanosecond().max(0));
        let body = CoreEvent {
            metadata: kube::api::ObjectMeta {
                name: Some(object.clone()),
                namespace: Some(namespace.clone()),
                ..Default::default()
            },
            involved_object: regarding.clone(),
            type_: Some(event.type_.clone()),
            reason: Some(event.reason.clone()),
            message: Some(event.message.clone()),
            source: Some(EventSource {
                component: Some(COMPONENT.into()),
                host: None,
            }),
            first_timestamp: Some(now.clone()),
            last_timestamp: Some(now),
            count: Some(1),
            reporting_component: Some(COMPONENT.into()),
            reporting_instance: Some(self.instance.clone()),
            ..CoreEvent::default()
        };
        match api.create(&PostParams::default(), &body).await {
            Ok(_) => {
                let mut seen = self.seen();
                if seen.len() >= MAX_REMEMBERED {
                    seen.clear();
                }
                seen.insert(key, Seen { object, count: 1 });
            }
            Err(e) => {
                tracing::warn!(event = %event.reason, object = %key.name, error = %e, "could not record event");
            }
        }
    }
}
