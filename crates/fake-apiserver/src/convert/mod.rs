//! Conversion between the stored form of an object and the version a client asked for.

mod events;
mod hpa;

use std::borrow::Cow;

use serde_json::{Value, json};

use crate::registry::{Codec, ResourceKind, View};

/// The stored object as the client's `view` shows it.
pub(crate) fn encode<'a>(stored: &'a Value, kind: &ResourceKind, view: &View) -> Cow<'a, Value> {
    let storage = kind.storage_view();
    if view == storage {
        return Cow::Borrowed(stored);
    }
    let mut out = match view.codec {
        Codec::Identity => stored.clone(),
        Codec::HpaV1 => hpa::v2_to_v1(stored),
        Codec::EventsV1 => events::core_to_events(stored),
    };
    set_type(&mut out, &view.api_version(), &kind.kind);
    Cow::Owned(out)
}

/// A client's object in `view` converted to the stored form. `previous` is the stored
/// object being replaced, if any (a lossy view keeps what it cannot express from it).
pub(crate) fn decode(
    mut body: Value,
    kind: &ResourceKind,
    view: &View,
    previous: Option<&Value>,
) -> Value {
    let storage = kind.storage_view();
    if view != storage {
        body = match view.codec {
            Codec::Identity => body,
            Codec::HpaV1 => hpa::v1_to_v2(&body, previous),
            Codec::EventsV1 => events::events_to_core(&body),
        };
    }
    set_type(&mut body, &storage.api_version(), &kind.kind);
    body
}

fn set_type(obj: &mut Value, api_version: &str, kind: &str) {
    if let Some(map) = obj.as_object_mut() {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
}
