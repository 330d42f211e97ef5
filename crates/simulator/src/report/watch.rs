//! `kubectl get hpa -w`: the NAME, REFERENCE, TARGETS, MINPODS, MAXPODS, REPLICAS, AGE
//! columns, TARGETS as kubectl's `formatHPAMetrics` prints them (`cpu: 305%/50%`,
//! `<unknown>/50%`, `400m/300m`, `12/30 (avg)`, at most two then `+ N more...`).

use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricSpec, MetricStatus};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::clock::{self, Millis};

/// A quantity as `Quantity.String()` prints it (canonical).
pub fn canonical(q: &Quantity) -> String {
    alpaca_quantity::Quantity::parse(q.0.trim()).map_or_else(|_| q.0.clone(), |v| v.to_string())
}

fn opt(q: Option<&Quantity>) -> String {
    q.map_or_else(|| "<nil>".into(), canonical)
}

fn one(spec: &MetricSpec, status: Option<&MetricStatus>) -> String {
    let unknown = || "<unknown>".to_string();
    match spec.type_.as_str() {
        "External" => {
            let Some(e) = &spec.external else {
                return "<unknown type>".into();
            };
            let cur = status.and_then(|s| s.external.as_ref()).map(|s| &s.current);
            if let Some(avg) = &e.target.average_value {
                let c = cur
                    .and_then(|c| c.average_value.as_ref())
                    .map_or_else(unknown, canonical);
                format!("{c}/{} (avg)", canonical(avg))
            } else {
                let c = cur.map_or_else(unknown, |c| opt(c.value.as_ref()));
                format!("{c}/{}", opt(e.target.value.as_ref()))
            }
        }
        "Pods" => {
            let Some(p) = &spec.pods else {
                return "<unknown type>".into();
            };
            let c = status
                .and_then(|s| s.pods.as_ref())
                .map_or_else(unknown, |s| opt(s.current.average_value.as_ref()));
            format!("{c}/{}", opt(p.target.average_value.as_ref()))
        }
        "Object" => {
            let Some(o) = &spec.object else {
                return "<unknown type>".into();
            };
            let cur = status.and_then(|s| s.object.as_ref()).map(|s| &s.current);
            if let Some(avg) = &o.target.average_value {
                let c = cur
                    .and_then(|c| c.average_value.as_ref())
                    .map_or_else(unknown, canonical);
                format!("{c}/{} (avg)", canonical(avg))
            } else {
                let c = cur.map_or_else(unknown, |c| opt(c.value.as_ref()));
                format!("{c}/{}", opt(o.target.value.as_ref()))
            }
        }
        "Resource" | "ContainerResource" => {
            let (name, target, cur) = if spec.type_ == "Resource" {
                let Some(r) = &spec.resource else {
                    return "<unknown type>".into();
                };
                (
                    &r.name,
                    &r.target,
                    status.and_then(|s| s.resource.as_ref()).map(|s| &s.current),
                )
            } else {
                let Some(r) = &spec.container_resource else {
                    return "<unknown type>".into();
                };
                (
                    &r.name,
                    &r.target,
                    status
                        .and_then(|s| s.container_resource.as_ref())
                        .map(|s| &s.current),
                )
            };
            if let Some(avg) = &target.average_value {
                let c = cur.map_or_else(unknown, |c| opt(c.average_value.as_ref()));
                format!("{name}: {c}/{}", canonical(avg))
            } else {
                let c = cur
                    .and_then(|c| c.average_utilization)
                    .map_or_else(unknown, |u| format!("{u}%"));
                let t = target
                    .average_utilization
                    .map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
                format!("{name}: {c}/{t}")
            }
        }
        _ => "<unknown type>".into(),
    }
}

/// kubectl's TARGETS column.
pub fn targets(hpa: &HorizontalPodAutoscaler) -> String {
    let specs = hpa.spec.metrics.as_deref().unwrap_or_default();
    if specs.is_empty() {
        return "<none>".into();
    }
    let statuses = hpa
        .status
        .as_ref()
        .and_then(|s| s.current_metrics.as_deref())
        .unwrap_or_default();
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| one(s, statuses.get(i)))
        .collect();
    if list.len() > 2 {
        format!("{} + {} more...", list[..2].join(", "), list.len() - 2)
    } else {
        list.join(", ")
    }
}

/// Prints watch rows with columns sized for the scenario's HPAs.
#[derive(Debug, Clone)]
pub struct WatchTable {
    widths: [usize; 6],
    last: Vec<Option<Vec<String>>>,
}

fn reference(hpa: &HorizontalPodAutoscaler) -> String {
    let r = &hpa.spec.scale_target_ref;
    format!("{}/{}", r.kind, r.name)
}

fn cells(hpa: &HorizontalPodAutoscaler) -> Vec<String> {
    vec![
        hpa.metadata.name.clone().unwrap_or_default(),
        reference(hpa),
        targets(hpa),
        hpa.spec
            .min_replicas
            .map_or_else(|| "<unset>".into(), |m| m.to_string()),
        hpa.spec.max_replicas.to_string(),
        hpa.status
            .as_ref()
            .and_then(|s| s.current_replicas)
            .unwrap_or(0)
            .to_string(),
    ]
}

impl WatchTable {
    /// A table for these HPAs (as first served).
    pub fn new(hpas: &[&HorizontalPodAutoscaler]) -> Self {
        let mut widths = [4, 9, 7, 7, 7, 8];
        for h in hpas {
            let c = cells(h);
            for (w, cell) in widths.iter_mut().zip(&c) {
                *w = (*w).max(cell.len());
            }
            let percent_width = targets(h).replace("<unknown>", "100%").len();
            widths[2] = widths[2].max(percent_width + 2);
        }
        Self {
            widths: widths.map(|w| w + 3),
            last: vec![None; hpas.len()],
        }
    }

    fn render(&self, c: &[String], age: &str) -> String {
        let mut s = String::new();
        for (cell, w) in c.iter().zip(self.widths) {
            s.push_str(&format!("{cell:<w$}"));
        }
        s.push_str(age);
        s
    }

    /// The header line.
    pub fn header(&self) -> String {
        let h: Vec<String> = [
            "NAME",
            "REFERENCE",
            "TARGETS",
            "MINPODS",
            "MAXPODS",
            "REPLICAS",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        self.render(&h, "AGE")
    }

    /// The row for HPA `i` at `t` when it differs from the last one printed (AGE aside).
    pub fn row(&mut self, i: usize, hpa: &HorizontalPodAutoscaler, t: Millis) -> Option<String> {
        let c = cells(hpa);
        if self.last[i].as_ref() == Some(&c) {
            return None;
        }
        let line = self.render(&c, &clock::human(t));
        self.last[i] = Some(c);
        Some(line)
    }
}
