//! Alpaca's opt-in features ahead of upstream, sync by sync: the per-autoscaler sync
//! period (KEP-6003) and the External metric fallback (KEP-5679), written as annotations
//! on `autoscaling/v2` objects; bad values reported, never silently ignored.

mod common;

use alpaca_engine::Decision;
use common::{condition, run};
use serde_json::{Value, json};

/// A queue worker at `replicas`, scaled on one External metric (10 messages per replica),
/// `messages` in the queue, or the external metrics API down when `None`.
fn snapshot(now: &str, replicas: i32, messages: Option<i64>, annotations: Value) -> Value {
    let mut v = json!({
        "kind": "Snapshot",
        "now": now,
        "hpa": {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "worker", "namespace": "default", "annotations": annotations},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"},
                         "minReplicas": 1, "maxReplicas": 8,
                         "metrics": [{"type": "External", "external": {
                             "metric": {"name": "queue_messages"},
                             "target": {"type": "AverageValue", "averageValue": "10"}}}]}},
        "scale": {"spec": {"replicas": replicas},
                  "status": {"replicas": replicas, "selector": "app=worker"}}
    });
    match messages {
        Some(m) => {
            v["externalMetrics"] = json!([{"metricName": "queue_messages", "metricLabels": {},
                "timestamp": now, "value": m.to_string()}]);
        }
        None => {
            v["errors"] =
                json!({"externalMetrics": "the server is currently unable to handle the request"})
        }
    }
    v
}

/// The next sync: the previous decision's status and memory carried over.
fn after(mut v: Value, previous: &Decision) -> Value {
    v["hpa"]["status"] = serde_json::to_value(&previous.status).unwrap();
    v["history"] = serde_json::to_value(&previous.history).unwrap();
    v
}

#[test]
fn a_bad_sync_period_is_reported_and_ignored() {
    let plain = run(&snapshot("2026-01-01T00:00:00Z", 2, Some(50), json!({})));
    let bad = run(&snapshot(
        "2026-01-01T00:00:00Z",
        2,
        Some(50),
        json!({"alpaca.dev/sync-period-seconds": "0"}),
    ));
    assert_eq!(bad.desired_replicas, plain.desired_replicas);
    let (status, reason, message) = condition(&bad, "SettingsValid").expect("condition");
    assert_eq!((status, reason), ("False", "InvalidSyncPeriod"));
    assert!(
        message.starts_with(
            "annotation alpaca.dev/sync-period-seconds: \"0\" must be from 1 to 3600 seconds"
        ),
        "{message}"
    );
    assert!(
        bad.events.iter().any(|e| e.type_ == "Warning"
            && e.reason == "InvalidSyncPeriod"
            && e.message == message)
    );
    assert_eq!(condition(&plain, "SettingsValid"), None);

    // fixed: the condition goes, and the explanation says where the period comes from
    let mut fixed = snapshot(
        "2026-01-01T00:00:15Z",
        plain.desired_replicas,
        Some(50),
        json!({"alpaca.dev/sync-period-seconds": "3"}),
    );
    fixed = after(fixed, &bad);
    let d = run(&fixed);
    assert_eq!(condition(&d, "SettingsValid"), None);
    assert!(
        d.explanation
            .iter()
            .any(|l| l.contains("synced every 3s (annotation alpaca.dev/sync-period-seconds)")),
        "{:?}",
        d.explanation
    );
}

#[test]
fn an_external_metric_dark_for_three_minutes_falls_back_then_recovers() {
    let fallback = json!({"alpaca.dev/external-fallback":
        r#"[{"metric": "queue_messages", "failureDurationSeconds": 180, "replicas": 6}]"#});
    // the metric is read: 20 messages = 2 replicas; the fallback is configured, not active
    let ok = run(&snapshot(
        "2026-01-01T00:00:00Z",
        2,
        Some(20),
        fallback.clone(),
    ));
    assert_eq!(ok.desired_replicas, 2);
    assert_eq!(
        condition(&ok, "ExternalMetricFallbackActive").map(|c| (c.0, c.1)),
        Some(("False", "NoFallbackActive"))
    );
    // dark: the first failure starts the clock; nothing changes (as upstream)
    let dark = run(&after(
        snapshot("2026-01-01T00:00:15Z", 2, None, fallback.clone()),
        &ok,
    ));
    assert_eq!(dark.desired_replicas, 2);
    assert!(!dark.rescale);
    assert_eq!(dark.history.external_fallback.len(), 1);
    assert_eq!(
        dark.history.external_fallback[0]
            .first_failure_time
            .0
            .to_string(),
        "2026-01-01T00:00:15Z"
    );
    // 2m59s later: still failing, not yet
    let early = run(&after(
        snapshot("2026-01-01T00:03:14Z", 2, None, fallback.clone()),
        &dark,
    ));
    assert_eq!(early.desired_replicas, 2);
    // 3m later: the fallback's 6 replicas, through the scale-up limit (max(2 × 2, 4) = 4)
    let fell = run(&after(
        snapshot("2026-01-01T00:03:15Z", 2, None, fallback.clone()),
        &early,
    ));
    assert_eq!(fell.desired_replicas, 4);
    assert_eq!(
        condition(&fell, "ScalingLimited").map(|c| c.1),
        Some("ScaleUpLimit")
    );
    assert!(fell.rescale);
    let (status, reason, message) = condition(&fell, "ExternalMetricFallbackActive").unwrap();
    assert_eq!((status, reason), ("True", "FallbackActive"));
    assert!(message.contains("has failed since 2026-01-01T00:00:15Z (180s, at least 180s): its fallback proposes 6 replicas"), "{message}");
    assert!(
        fell.events
            .iter()
            .any(|e| e.reason == "ExternalMetricFallback")
    );
    assert_eq!(
        fell.events
            .iter()
            .find(|e| e.reason == "SuccessfulRescale")
            .unwrap()
            .message,
        "New size: 4; reason: external metric queue_messages fallback above target"
    );
    // back: 10 messages = 1 replica, memory cleared, condition False
    let back = run(&after(
        snapshot("2026-01-01T00:03:30Z", 4, Some(10), fallback),
        &fell,
    ));
    assert!(back.history.external_fallback.is_empty());
    assert_eq!(
        condition(&back, "ExternalMetricFallbackActive").map(|c| c.0),
        Some("False")
    );
}

#[test]
fn without_a_fallback_the_dark_metric_freezes_the_autoscaler_as_upstream() {
    let mut v = snapshot("2026-01-01T00:10:00Z", 2, None, json!({}));
    v["history"] =
        json!({"recommendations": [{"timestamp": "2026-01-01T00:00:00Z", "replicas": 2}]});
    let d = run(&v);
    assert_eq!(d.desired_replicas, 2);
    assert!(d.history.external_fallback.is_empty());
    assert_eq!(condition(&d, "ExternalMetricFallbackActive"), None);
    assert_eq!(
        condition(&d, "ScalingActive").map(|c| c.1),
        Some("FailedGetExternalMetric")
    );
}

#[test]
fn fallback_modes_and_bad_fallbacks() {
    let since = json!({"externalFallback": [{"index": 0, "metric": "queue_messages",
        "firstFailureTime": "2026-01-01T00:00:00Z"}]});
    let with = |entry: &str| {
        let mut v = snapshot(
            "2026-01-01T00:05:00Z",
            4,
            None,
            json!({"alpaca.dev/external-fallback": entry}),
        );
        v["history"] = since.clone();
        run(&v)
    };
    let higher = with(
        r#"[{"metric": "queue_messages", "replicas": 2, "alpacaMode": "currentReplicasIfHigher"}]"#,
    );
    assert_eq!(higher.desired_replicas, 4);
    let lower = with(
        r#"[{"metric": "queue_messages", "replicas": 7, "alpacaMode": "currentReplicasIfLower"}]"#,
    );
    assert_eq!(lower.desired_replicas, 4);
    let stat = with(r#"[{"metric": "queue_messages", "replicas": 20}]"#);
    assert_eq!(stat.desired_replicas, 8, "maxReplicas still applies");

    let short =
        with(r#"[{"metric": "queue_messages", "failureDurationSeconds": 60, "replicas": 6}]"#);
    assert_eq!(short.desired_replicas, 4, "an invalid fallback is ignored");
    let (_, reason, message) = condition(&short, "SettingsValid").unwrap();
    assert_eq!(reason, "InvalidExternalFallback");
    assert!(
        message.contains("[0].failureDurationSeconds: 60 is below the minimum of 180"),
        "{message}"
    );
    let other = with(r#"[{"metric": "cpu", "replicas": 6}]"#);
    assert!(
        condition(&other, "SettingsValid")
            .unwrap()
            .2
            .contains("\"cpu\" is not the name of one of the autoscaler's External metrics")
    );
    let garbled = with("{not json");
    assert!(
        condition(&garbled, "SettingsValid")
            .unwrap()
            .2
            .starts_with("annotation alpaca.dev/external-fallback: ")
    );
}

#[test]
fn the_crd_field_form_wins_over_the_annotation_and_is_named_in_messages() {
    let since = json!({"externalFallback": [{"index": 0, "metric": "queue_messages",
        "firstFailureTime": "2026-01-01T00:00:00Z"}]});
    let with = |annotations: Value| {
        let mut v = snapshot("2026-01-01T00:05:00Z", 4, None, annotations);
        v["history"] = since.clone();
        run(&v)
    };
    let both = with(json!({
        "alpaca.dev/external-fallback": r#"[{"metric": "queue_messages", "replicas": 3}]"#,
        "alpaca.dev/metrics.external.fallback": r#"[{"metric": "queue_messages", "replicas": 6}]"#,
    }));
    assert_eq!(both.desired_replicas, 6, "the field's fallback applies");
    let bad = with(json!({
        "alpaca.dev/metrics.external.fallback": r#"[{"metric": "queue_messages", "replicas": 0}]"#,
    }));
    assert_eq!(bad.desired_replicas, 4);
    let message = condition(&bad, "SettingsValid").unwrap().2;
    assert!(
        message.starts_with(
            "spec.metrics[external \"queue_messages\"].external.fallback.replicas: 0 must be greater than 0"
        ),
        "{message}"
    );
}

#[test]
fn fallback_status_fields_follow_the_sync() {
    let hpa_with = |entry: &str| -> k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler {
        let v = snapshot(
            "2026-01-01T00:00:00Z",
            4,
            None,
            json!({"alpaca.dev/external-fallback": entry}),
        );
        serde_json::from_value(v["hpa"].clone()).unwrap()
    };
    let history: alpaca_engine::snapshot::History = serde_json::from_value(json!({
        "externalFallback": [{"index": 0, "metric": "queue_messages",
                              "firstFailureTime": "2026-01-01T00:00:00Z"}]}))
    .unwrap();
    let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    let hpa = hpa_with(r#"[{"metric": "queue_messages", "replicas": 6}]"#);
    let early =
        alpaca_engine::external_fallback_statuses(&hpa, &history, at("2026-01-01T00:02:59Z"), 4);
    assert_eq!(early.len(), 1);
    assert_eq!(early[0].index, 0);
    assert!(!early[0].fallback_active);
    assert_eq!(early[0].first_failure_time, at("2026-01-01T00:00:00Z"));
    assert_eq!(early[0].fallback_replicas, None);
    let late =
        alpaca_engine::external_fallback_statuses(&hpa, &history, at("2026-01-01T00:03:00Z"), 4);
    assert!(late[0].fallback_active);
    assert_eq!(late[0].fallback_replicas, Some(6));
    let higher = hpa_with(
        r#"[{"metric": "queue_messages", "replicas": 2, "alpacaMode": "currentReplicasIfHigher"}]"#,
    );
    let kept =
        alpaca_engine::external_fallback_statuses(&higher, &history, at("2026-01-01T00:03:00Z"), 4);
    assert_eq!(kept[0].fallback_replicas, Some(4));
    let none = hpa_with("[]");
    assert!(
        alpaca_engine::external_fallback_statuses(&none, &history, at("2026-01-01T00:03:00Z"), 4)
            .is_empty()
    );
}
