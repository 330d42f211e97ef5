//! Server-side printing for `kubectl get`: `meta.k8s.io/v1` Tables with kubectl's columns
//! for Deployments, HorizontalPodAutoscalers and Pods, and Name/Age for every other kind.

use std::sync::Arc;

use http::{HeaderMap, header};
use serde_json::{Value, json};

use crate::registry::Endpoint;

/// Whether the client asked for a Table.
pub(super) fn wanted(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("as=Table"))
}

fn column(name: &str, kind: &str) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": kind, "format": format, "description": "", "priority": 0})
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// kubectl's `HumanDuration`.
pub(super) fn human_age(secs: i64) -> String {
    let secs = secs.max(0);
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86_400);
    match secs {
        s if s < 120 => format!("{s}s"),
        _ if m < 10 && secs % 60 == 0 => format!("{m}m"),
        _ if m < 10 => format!("{m}m{}s", secs % 60),
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 && m % 60 == 0 => format!("{h}h"),
        _ if h < 8 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if d < 8 && h % 24 == 0 => format!("{d}d"),
        _ if d < 8 => format!("{d}d{}h", h % 24),
        _ if d < 730 => format!("{d}d"),
        _ => format!("{}y", d / 365),
    }
}

fn age(obj: &Value) -> String {
    let created = obj["metadata"]["creationTimestamp"]
        .as_str()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok());
    match created {
        Some(t) => human_age(jiff::Timestamp::now().as_second() - t.as_second()),
        None => "<unknown>".into(),
    }
}

fn hpa_targets(obj: &Value) -> String {
    let specs = obj["spec"]["metrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if specs.is_empty() {
        return "<none>".into();
    }
    let current = obj["status"]["currentMetrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut parts = Vec::new();
    for (i, m) in specs.iter().enumerate().take(3) {
        let kind = m["type"].as_str().unwrap_or("");
        let key = match kind {
            "Resource" => "resource",
            "ContainerResource" => "containerResource",
            "Pods" => "pods",
            "Object" => "object",
            _ => "external",
        };
        let source = &m[key];
        let name = source["name"]
            .as_str()
            .or(source["metric"]["name"].as_str())
            .unwrap_or("?");
        let target = &source["target"];
        let cur = &current
            .get(i)
            .map(|c| c[key]["current"].clone())
            .unwrap_or(Value::Null);
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .or(v.as_i64().map(|n| n.to_string()))
        };
        let part = if let Some(util) = target["averageUtilization"].as_i64() {
            let c = cur["averageUtilization"]
                .as_i64()
                .map(|c| format!("{c}%"))
                .unwrap_or("<unknown>".into());
            format!("{name}: {c}/{util}%")
        } else {
            let field = if target["averageValue"].is_null() {
                "value"
            } else {
                "averageValue"
            };
            let t = text(&target[field]).unwrap_or("?".into());
            let c = text(&cur[field]).unwrap_or("<unknown>".into());
            format!("{name}: {c}/{t}")
        };
        parts.push(part);
    }
    if specs.len() > 3 {
        parts.push(format!("+ {} more...", specs.len() - 3));
    }
    parts.join(", ")
}

fn columns_and_cells(ep: &Endpoint, obj: &Value) -> (Vec<Value>, Vec<Value>) {
    let name = json!(obj["metadata"]["name"]);
    let age_col = column("Age", "string");
    match (ep.kind.group.as_str(), ep.kind.plural.as_str()) {
        ("apps", "deployments") => {
            let s = &obj["status"];
            (
                vec![
                    column("Name", "string"),
                    column("Ready", "string"),
                    column("Up-to-date", "integer"),
                    column("Available", "integer"),
                    age_col,
                ],
                vec![
                    name,
                    json!(format!(
                        "{}/{}",
                        int(&s["readyReplicas"]),
                        int(&obj["spec"]["replicas"])
                    )),
                    json!(int(&s["updatedReplicas"])),
                    json!(int(&s["availableReplicas"])),
                    json!(age(obj)),
                ],
            )
        }
        ("autoscaling", "horizontalpodautoscalers") => {
            let target = &obj["spec"]["scaleTargetRef"];
            (
                vec![
                    column("Name", "string"),
                    column("Reference", "string"),
                    column("Targets", "string"),
                    column("MinPods", "string"),
                    column("MaxPods", "integer"),
                    column("Replicas", "integer"),
                    age_col,
                ],
                vec![
                    name,
                    json!(format!(
                        "{}/{}",
                        target["kind"].as_str().unwrap_or(""),
                        target["name"].as_str().unwrap_or("")
                    )),
                    json!(hpa_targets(obj)),
                    json!(
                        obj["spec"]["minReplicas"]
                            .as_i64()
                            .map(|m| m.to_string())
                            .unwrap_or("<unset>".into())
                    ),
                    json!(int(&obj["spec"]["maxReplicas"])),
                    json!(int(&obj["status"]["currentReplicas"])),
                    json!(age(obj)),
                ],
            )
        }
        ("", "pods") => {
            let containers = obj["spec"]["containers"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0);
            let statuses = obj["status"]["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let ready = statuses.iter().filter(|c| c["ready"] == true).count();
            let restarts: i64 = statuses.iter().map(|c| int(&c["restartCount"])).sum();
            (
                vec![
                    column("Name", "string"),
                    column("Ready", "string"),
                    column("Status", "string"),
                    column("Restarts", "string"),
                    age_col,
                ],
                vec![
                    name,
                    json!(format!("{ready}/{containers}")),
                    json!(obj["status"]["phase"].as_str().unwrap_or("Pending")),
                    json!(restarts.to_string()),
                    json!(age(obj)),
                ],
            )
        }
        _ => (
            vec![column("Name", "string"), age_col],
            vec![name, json!(age(obj))],
        ),
    }
}

/// A Table of stored objects (rows carry PartialObjectMetadata, as by default).
pub(super) fn table(ep: &Endpoint, items: &[Arc<Value>], resource_version: u64) -> Value {
    let columns = columns_and_cells(ep, &Value::Null).0;
    let rows: Vec<Value> = items
        .iter()
        .map(|obj| {
            json!({
                "cells": columns_and_cells(ep, obj).1,
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]},
            })
        })
        .collect();
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version.to_string()},
        "columnDefinitions": columns, "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_like_kubectl() {
        assert_eq!(human_age(5), "5s");
        assert_eq!(human_age(150), "2m30s");
        assert_eq!(human_age(1800), "30m");
        assert_eq!(human_age(4 * 3600 + 120), "4h2m");
        assert_eq!(human_age(30 * 3600), "30h");
        assert_eq!(human_age(3 * 86_400 + 3600), "3d1h");
        assert_eq!(human_age(100 * 86_400), "100d");
    }

    #[test]
    fn hpa_targets_column() {
        let hpa = json!({
            "spec": {"metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
                {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}}]},
            "status": {"currentMetrics": [
                {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 55}}}]}
        });
        assert_eq!(hpa_targets(&hpa), "cpu: 55%/80%, qps: <unknown>/10");
    }
}
