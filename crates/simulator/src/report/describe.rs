//! `kubectl describe hpa`, as kubectl's `describeHorizontalPodAutoscalerV2` prints it:
//! metrics with current / target, bounds, behavior, pods, conditions and events (with
//! ages relative to the end of the run, `From:` `alpaca_engine::EVENT_COMPONENT`, which the
//! controller reports too).

use std::fmt::Write;

use k8s_openapi::api::autoscaling::v2::{HPAScalingRules, HorizontalPodAutoscaler};

use super::tabwriter::align;
use super::watch::canonical;
use crate::clock::{self, Millis};
use crate::runner::state::RecordedEvent;

fn map_lines(
    out: &mut String,
    title: &str,
    map: Option<&std::collections::BTreeMap<String, String>>,
) {
    match map.filter(|m| !m.is_empty()) {
        None => {
            let _ = writeln!(out, "{title}:\t<none>");
        }
        Some(m) => {
            for (i, (k, v)) in m.iter().enumerate() {
                let head = if i == 0 {
                    format!("{title}:")
                } else {
                    String::new()
                };
                let _ = writeln!(out, "{head}\t{k}={v}");
            }
        }
    }
}

fn direction(out: &mut String, name: &str, rules: Option<&HPAScalingRules>) {
    let Some(r) = rules else { return };
    let _ = writeln!(out, "  {name}:");
    if let Some(w) = r.stabilization_window_seconds {
        let _ = writeln!(out, "    Stabilization Window: {w} seconds");
    }
    if let Some(policies) = r.policies.as_ref().filter(|p| !p.is_empty()) {
        let _ = writeln!(
            out,
            "    Select Policy: {}",
            r.select_policy.as_deref().unwrap_or("Max")
        );
        let _ = writeln!(out, "    Policies:");
        for p in policies {
            let _ = writeln!(
                out,
                "      - Type: {}\tValue: {}\tPeriod: {} seconds",
                p.type_, p.value, p.period_seconds
            );
        }
    }
}

/// The describe view of an HPA at simulated time `now`.
pub fn describe(hpa: &HorizontalPodAutoscaler, events: &[RecordedEvent], now: Millis) -> String {
    let mut w = String::new();
    let m = &hpa.metadata;
    let _ = writeln!(w, "Name:\t{}", m.name.as_deref().unwrap_or_default());
    let _ = writeln!(
        w,
        "Namespace:\t{}",
        m.namespace.as_deref().unwrap_or("default")
    );
    map_lines(&mut w, "Labels", m.labels.as_ref());
    map_lines(&mut w, "Annotations", m.annotations.as_ref());
    let created = m.creation_timestamp.as_ref().map_or_else(String::new, |t| {
        t.0.strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
    });
    let _ = writeln!(w, "CreationTimestamp:\t{created}");
    let r = &hpa.spec.scale_target_ref;
    let _ = writeln!(w, "Reference:\t{}/{}", r.kind, r.name);
    let _ = writeln!(w, "Metrics:\t( current / target )");
    let status = hpa.status.clone().unwrap_or_default();
    let cur = status.current_metrics.clone().unwrap_or_default();
    let unknown = || "<unknown>".to_string();
    for (i, spec) in hpa.spec.metrics.iter().flatten().enumerate() {
        let st = cur.get(i);
        match spec.type_.as_str() {
            "External" => {
                let Some(e) = &spec.external else { continue };
                let c = st.and_then(|s| s.external.as_ref()).map(|s| &s.current);
                if let Some(avg) = &e.target.average_value {
                    let v = c
                        .and_then(|c| c.average_value.as_ref())
                        .map_or_else(unknown, canonical);
                    let _ = writeln!(
                        w,
                        "  {:?} (target average value):\t{v} / {}",
                        e.metric.name,
                        canonical(avg)
                    );
                } else {
                    let v = c
                        .and_then(|c| c.value.as_ref())
                        .map_or_else(unknown, canonical);
                    let t = e.target.value.as_ref().map_or_else(String::new, canonical);
                    let _ = writeln!(w, "  {:?} (target value):\t{v} / {t}", e.metric.name);
                }
            }
            "Pods" => {
                let Some(p) = &spec.pods else { continue };
                let v = st
                    .and_then(|s| s.pods.as_ref())
                    .and_then(|s| s.current.average_value.as_ref())
                    .map_or_else(unknown, canonical);
                let t = p
                    .target
                    .average_value
                    .as_ref()
                    .map_or_else(String::new, canonical);
                let _ = writeln!(w, "  {:?} on pods:\t{v} / {t}", p.metric.name);
            }
            "Object" => {
                let Some(o) = &spec.object else { continue };
                let head = format!(
                    "  \"{}\" on {}/{} ",
                    o.metric.name, o.described_object.kind, o.described_object.name
                );
                let c = st.and_then(|s| s.object.as_ref()).map(|s| &s.current);
                if let Some(avg) = &o.target.average_value {
                    let v = c
                        .and_then(|c| c.average_value.as_ref())
                        .map_or_else(unknown, canonical);
                    let _ = writeln!(w, "{head}(target average value):\t{v} / {}", canonical(avg));
                } else {
                    let v = c
                        .and_then(|c| c.value.as_ref())
                        .map_or_else(unknown, canonical);
                    let t = o.target.value.as_ref().map_or_else(String::new, canonical);
                    let _ = writeln!(w, "{head}(target value):\t{v} / {t}");
                }
            }
            "Resource" | "ContainerResource" => {
                let (head, target, c) = if spec.type_ == "Resource" {
                    let Some(r) = &spec.resource else { continue };
                    (
                        format!("  resource {} on pods", r.name),
                        &r.target,
                        st.and_then(|s| s.resource.as_ref()).map(|s| &s.current),
                    )
                } else {
                    let Some(r) = &spec.container_resource else {
                        continue;
                    };
                    (
                        format!(
                            "  resource {} of container \"{}\" on pods",
                            r.name, r.container
                        ),
                        &r.target,
                        st.and_then(|s| s.container_resource.as_ref())
                            .map(|s| &s.current),
                    )
                };
                if let Some(avg) = &target.average_value {
                    let v = c
                        .and_then(|c| c.average_value.as_ref())
                        .map_or_else(unknown, canonical);
                    let _ = writeln!(w, "{head}:\t{v} / {}", canonical(avg));
                } else {
                    let v = c
                        .and_then(|c| {
                            c.average_utilization.map(|u| {
                                format!(
                                    "{u}% ({})",
                                    c.average_value.as_ref().map_or_else(String::new, canonical)
                                )
                            })
                        })
                        .unwrap_or_else(unknown);
                    let t = target
                        .average_utilization
                        .map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
                    let _ = writeln!(w, "{head}  (as a percentage of request):\t{v} / {t}");
                }
            }
            other => {
                let _ = writeln!(w, "  <unknown metric type {other:?}>");
            }
        }
    }
    let min = hpa
        .spec
        .min_replicas
        .map_or_else(|| "<unset>".to_string(), |m| m.to_string());
    let _ = writeln!(w, "Min replicas:\t{min}");
    let _ = writeln!(w, "Max replicas:\t{}", hpa.spec.max_replicas);
    if let Some(b) = &hpa.spec.behavior {
        let _ = writeln!(w, "Behavior:");
        direction(&mut w, "Scale Up", b.scale_up.as_ref());
        direction(&mut w, "Scale Down", b.scale_down.as_ref());
    }
    let _ = writeln!(
        w,
        "{} pods:\t{} current / {} desired",
        r.kind,
        status.current_replicas.unwrap_or(0),
        status.desired_replicas
    );
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        let _ = writeln!(w, "Conditions:");
        let _ = writeln!(w, "  Type\tStatus\tReason\tMessage");
        let _ = writeln!(w, "  ----\t------\t------\t-------");
        for c in conds {
            let _ = writeln!(
                w,
                "  {}\t{}\t{}\t{}",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or_default(),
                c.message.as_deref().unwrap_or_default()
            );
        }
    }
    let mut out = align(&w);
    if events.is_empty() {
        out.push_str(&align("Events:\t<none>\n"));
        return out;
    }
    let mut sorted: Vec<&RecordedEvent> = events.iter().collect();
    sorted.sort_by_key(|e| e.last);
    let mut ev = String::from(
        "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n",
    );
    for e in sorted {
        let first = clock::human(now - e.first);
        let age = if e.count > 1 {
            format!("{} (x{} over {first})", clock::human(now - e.last), e.count)
        } else {
            first
        };
        let _ = writeln!(
            ev,
            "  {}\t{}\t{age}\t{}\t{}",
            e.event.type_,
            e.event.reason,
            alpaca_engine::EVENT_COMPONENT,
            e.event.message.trim()
        );
    }
    out.push_str(&align(&ev));
    out
}
