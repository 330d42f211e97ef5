//! What the engine's scenario tests share: deciding a Snapshot written as JSON, and reading
//! a condition of the Decision.

use alpaca_engine::{Decision, Snapshot, decide, read_snapshot};
use serde_json::Value;

/// The Decision for a valid Snapshot.
pub fn run(v: &Value) -> Decision {
    let snap: Snapshot = read_snapshot(v.to_string().as_bytes()).expect("valid snapshot");
    decide(&snap).expect("decision")
}

/// `(status, reason, message)` of the condition `type_`, if set.
pub fn condition<'a>(d: &'a Decision, type_: &str) -> Option<(&'a str, &'a str, &'a str)> {
    d.status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == type_)
        .map(|c| {
            (
                c.status.as_str(),
                c.reason.as_deref().unwrap_or_default(),
                c.message.as_deref().unwrap_or_default(),
            )
        })
}
