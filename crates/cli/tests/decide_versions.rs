//! `alpaca decide` reads a Snapshot whose HPA is written in the removed
//! `autoscaling/v2beta2` or `v2beta1` and gives the Decision of its `autoscaling/v2` twin;
//! only the explanation adds a first step saying how the HPA was read.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn snapshot() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/snapshots/php-apache-scale-up.yaml");
    std::fs::read_to_string(path).unwrap()
}

/// Runs `alpaca decide -o json -` on the text: the Decision and standard error.
fn decide(text: &str) -> (serde_json::Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alpaca"))
        .args(["decide", "-o", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

/// The Decision without its explanation, and the explanation.
fn split(mut decision: serde_json::Value) -> (serde_json::Value, Vec<String>) {
    let explanation = decision
        .as_object_mut()
        .and_then(|d| d.remove("explanation"))
        .map(|e| serde_json::from_value(e).unwrap())
        .unwrap_or_default();
    (decision, explanation)
}

fn assert_same_decision(twin: &str, version: &str, removed_in: &str) {
    let (v2, v2_stderr) = decide(&snapshot());
    let (other, stderr) = decide(twin);
    let (v2, v2_explanation) = split(v2);
    let (other, explanation) = split(other);
    assert_eq!(other, v2);
    assert_eq!(other["desiredReplicas"], 4);
    let note = format!(
        "{version} is no longer served (removed in Kubernetes {removed_in}): read as autoscaling/v2, converted as the API server converted it"
    );
    assert_eq!(explanation[0], format!("admit: {note}"));
    assert_eq!(explanation[1..], v2_explanation[..]);
    assert!(v2_stderr.is_empty(), "{v2_stderr}");
    assert_eq!(stderr, format!("warning: -: {note}\n"));
}

#[test]
fn a_v2beta2_snapshot_gives_the_v2_decision() {
    let v2beta2 = snapshot().replacen(
        "apiVersion: autoscaling/v2\n",
        "apiVersion: autoscaling/v2beta2\n",
        1,
    );
    assert_ne!(v2beta2, snapshot());
    assert_same_decision(&v2beta2, "autoscaling/v2beta2", "1.26");
}

#[test]
fn a_v2beta1_snapshot_with_a_status_gives_the_v2_decision() {
    let v2 = snapshot();
    let v2beta1 = v2
        .replacen(
            "apiVersion: autoscaling/v2\n",
            "apiVersion: autoscaling/v2beta1\n",
            1,
        )
        .replacen(
            "        target:\n          type: Utilization\n          averageUtilization: 50\n",
            "        targetAverageUtilization: 50\n",
            1,
        )
        .replacen(
            "        current:\n          averageUtilization: 0\n          averageValue: 1m\n",
            "        currentAverageUtilization: 0\n        currentAverageValue: 1m\n",
            1,
        );
    assert_eq!(v2beta1.matches("targetAverageUtilization").count(), 1);
    assert_eq!(v2beta1.matches("currentAverageValue").count(), 1);
    assert_same_decision(&v2beta1, "autoscaling/v2beta1", "1.25");
}

#[test]
fn the_explanation_starts_with_how_the_hpa_was_read() {
    let v2beta2 = snapshot().replacen(
        "apiVersion: autoscaling/v2\n",
        "apiVersion: autoscaling/v2beta2\n",
        1,
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_alpaca"))
        .args(["decide", "--explain", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(v2beta2.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "Scale from 1 to 4 replicas.\n\nADMIT\n  - autoscaling/v2beta2 is no longer served (removed in Kubernetes 1.26)"
        ),
        "{text}"
    );
    assert!(out.stderr.is_empty(), "said once, in the explanation");
}
