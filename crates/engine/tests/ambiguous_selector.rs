//! `AmbiguousSelector`: upstream's `TestEventCreated` vector (a scale-up from 1 to 2),
//! read again with another autoscaler of the namespace selecting the same pods (the
//! Snapshot's `autoscalerSelectors`, an Alpaca extension): the sync fails as upstream's
//! `validateAndParseSelector` makes it fail, and nothing is rescaled.

use serde_json::{Value, json};

fn vector() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/upstream/hc-TestEventCreated.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn decide(snapshot: &Value) -> alpaca_engine::Decision {
    let snapshot = alpaca_engine::read_snapshot(&serde_json::to_vec(snapshot).unwrap()).unwrap();
    alpaca_engine::decide(&snapshot).unwrap()
}

fn condition(d: &alpaca_engine::Decision, type_: &str) -> (String, String, String) {
    let c = d
        .status
        .conditions
        .as_ref()
        .and_then(|c| c.iter().find(|c| c.type_ == type_))
        .unwrap_or_else(|| panic!("a {type_} condition"));
    (
        c.status.clone(),
        c.reason.clone().unwrap_or_default(),
        c.message.clone().unwrap_or_default(),
    )
}

#[test]
fn another_autoscaler_over_the_same_pods_stops_the_sync() {
    let mut snap = vector()["snapshot"].clone();
    // alone: the vector's scale-up
    assert!(decide(&snap).rescale);
    snap["autoscalerSelectors"] = json!([{"name": "other-hpa", "selector": "name in (test-pod)"}]);
    let d = decide(&snap);
    let msg = "pods by selector name=test-pod are controlled by multiple HPAs: \
               [test-namespace/other-hpa test-namespace/test-hpa]";
    assert!(!d.rescale);
    assert_eq!(
        condition(&d, "ScalingActive"),
        ("False".into(), "AmbiguousSelector".into(), msg.into())
    );
    let reasons: Vec<(&str, &str)> = d
        .events
        .iter()
        .map(|e| (e.reason.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        reasons.first(),
        Some(&("AmbiguousSelector", msg)),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(r, _)| *r == "FailedComputeMetricsReplicas"),
        "{reasons:?}"
    );
}

#[test]
fn other_autoscalers_on_other_pods_change_nothing() {
    let mut snap = vector()["snapshot"].clone();
    let alone = decide(&snap);
    snap["autoscalerSelectors"] = json!([
        {"name": "other-hpa", "selector": "name=other-pod"},
        {"name": "test-hpa", "selector": "name=test-pod"}
    ]);
    let with_others = decide(&snap);
    assert_eq!(alone.desired_replicas, with_others.desired_replicas);
    assert_eq!(alone.status, with_others.status);
}
