//! `events.k8s.io/v1` Event ⇄ core `v1` Event: the same object with renamed fields.

use serde_json::{Map, Value};

/// (core field, events.k8s.io field)
const RENAMES: &[(&str, &str)] = &[
    ("message", "note"),
    ("involvedObject", "regarding"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
    ("reportingComponent", "reportingController"),
];

fn rename(obj: &Value, to_events: bool) -> Value {
    let Some(map) = obj.as_object() else {
        return obj.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let renamed = RENAMES.iter().find_map(|(core, ev)| match to_events {
            true if key == core => Some(*ev),
            false if key == ev => Some(*core),
            _ => None,
        });
        out.insert(renamed.unwrap_or(key).to_string(), value.clone());
    }
    Value::Object(out)
}

/// Core Event → events.k8s.io/v1 Event.
pub(super) fn core_to_events(stored: &Value) -> Value {
    rename(stored, true)
}

/// events.k8s.io/v1 Event → core Event.
pub(super) fn events_to_core(body: &Value) -> Value {
    rename(body, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips() {
        let ev = json!({"note": "scaled", "regarding": {"kind": "Deployment"}, "reason": "Scaled", "deprecatedCount": 2});
        let core = events_to_core(&ev);
        assert_eq!(core["message"], "scaled");
        assert_eq!(core["involvedObject"]["kind"], "Deployment");
        assert_eq!(core["count"], 2);
        assert_eq!(core_to_events(&core), ev);
    }
}
