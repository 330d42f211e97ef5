//! What a run remembers about each HPA: its scale events, its cost, how long it was short
//! of the capacity the load needed, a latency estimate, and (when asked) one sample per
//! tick for the timeline and the plot.

use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricSpec, MetricStatus};

use crate::clock::Millis;

/// One rescale.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScaleEvent {
    /// When (simulated ms).
    pub at: Millis,
    /// Replicas before.
    pub from: i32,
    /// Replicas after.
    pub to: i32,
    /// The event's message.
    pub message: String,
}

/// One metric at one tick, as the HPA last saw it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MetricSample {
    /// The current value (`None`: `<unknown>`); percent for utilization targets.
    pub value: Option<f64>,
    /// The target, same unit.
    pub target: f64,
}

/// One tick of one HPA.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Sample {
    /// Simulated time, ms.
    pub t: Millis,
    /// Requests/s (or messages/s) offered to the target's pods.
    pub load: f64,
    /// Ready pods.
    pub ready: usize,
    /// Pods not terminating.
    pub total: usize,
    /// The target's `spec.replicas` (what the HPA decided).
    pub desired: i32,
    /// Pods the load needed at the HPA's target.
    pub needed: i64,
    /// Each metric of the HPA's spec.
    pub metrics: Vec<MetricSample>,
}

/// Log-scale buckets of latency (2% wide, from 0.1 ms); each keeps its requests and the
/// sum of their latencies, so a quantile is the mean latency of the bucket it falls in.
const BUCKETS: usize = 1000;
const BUCKET_BASE: f64 = 1e-4;
const BUCKET_GROWTH: f64 = 1.02;

/// The running statistics of one HPA.
#[derive(Debug, Clone)]
pub struct HpaRecord {
    /// The HPA's name.
    pub name: String,
    /// Its rescales.
    pub scale_events: Vec<ScaleEvent>,
    /// ∫ existing pods dt, pod-ms.
    pub pod_ms: f64,
    /// Time with fewer ready pods than the load needed.
    pub short_ms: Millis,
    /// Time with requests queueing without bound.
    pub overloaded_ms: Millis,
    /// Σ requests × latency.
    pub latency_weighted: f64,
    /// Σ requests (with a finite latency).
    pub requests: f64,
    /// Highest tick latency, seconds, and when.
    pub worst_latency: Option<(f64, Millis)>,
    /// Per latency bucket: (requests, Σ requests × latency).
    histogram: Vec<(f64, f64)>,
    /// Highest `spec.replicas` and when it was first reached.
    pub peak: (i32, Millis),
    /// Syncs run.
    pub syncs: u64,
    /// Intervals during which stabilization held the replicas away from what the
    /// metrics wanted (the last one may be open: `Millis::MAX`).
    pub holds: Vec<(Millis, Millis)>,
    /// Samples, when recording.
    pub samples: Vec<Sample>,
}

impl HpaRecord {
    /// An empty record.
    pub fn new(name: &str, replicas: i32) -> Self {
        Self {
            name: name.to_string(),
            scale_events: Vec::new(),
            pod_ms: 0.0,
            short_ms: 0,
            overloaded_ms: 0,
            latency_weighted: 0.0,
            requests: 0.0,
            worst_latency: None,
            histogram: vec![(0.0, 0.0); BUCKETS],
            peak: (replicas, 0),
            syncs: 0,
            holds: Vec::new(),
            samples: Vec::new(),
        }
    }

    /// Adds one tick of traffic statistics.
    #[allow(clippy::too_many_arguments)]
    pub fn tick(
        &mut self,
        t: Millis,
        dt: Millis,
        existing: usize,
        ready: usize,
        needed: i64,
        served: f64,
        latency_weighted: f64,
        overloaded: bool,
    ) {
        self.pod_ms += existing as f64 * dt as f64;
        if (ready as i64) < needed {
            self.short_ms += dt;
        }
        if overloaded {
            self.overloaded_ms += dt;
        }
        let secs = dt as f64 / 1000.0;
        if served > 0.0 && latency_weighted > 0.0 {
            let mean = latency_weighted / served;
            self.latency_weighted += latency_weighted * secs;
            self.requests += served * secs;
            if self.worst_latency.is_none_or(|(w, _)| mean > w) {
                self.worst_latency = Some((mean, t));
            }
            let b = ((mean / BUCKET_BASE).max(1.0).ln() / BUCKET_GROWTH.ln()) as usize;
            let bucket = &mut self.histogram[b.min(BUCKETS - 1)];
            bucket.0 += served * secs;
            bucket.1 += latency_weighted * secs;
        }
    }

    /// The request-weighted mean latency, seconds.
    pub fn mean_latency(&self) -> Option<f64> {
        (self.requests > 0.0).then(|| self.latency_weighted / self.requests)
    }

    /// The latency below which `q` of the requests were (tick means, within 2%): the mean
    /// latency of the requests in the bucket where the quantile falls.
    pub fn latency_quantile(&self, q: f64) -> Option<f64> {
        if self.requests <= 0.0 {
            return None;
        }
        let mut acc = 0.0;
        for &(requests, weighted) in &self.histogram {
            acc += requests;
            if requests > 0.0 && acc >= q * self.requests {
                return Some(weighted / requests);
            }
        }
        None
    }

    /// Direction changes between consecutive rescales (up then down, or down then up).
    pub fn direction_changes(&self) -> usize {
        self.scale_events
            .windows(2)
            .filter(|w| (w[0].to > w[0].from) != (w[1].to > w[1].from))
            .count()
    }
}

/// The value and target of each metric of an HPA, from its spec and status.
pub fn metric_samples(hpa: &HorizontalPodAutoscaler) -> Vec<MetricSample> {
    let statuses = hpa.status.as_ref().and_then(|s| s.current_metrics.as_ref());
    hpa.spec
        .metrics
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, spec)| {
            let (target, utilization) = target_of(spec);
            let value = statuses
                .and_then(|s| s.get(i))
                .and_then(|s| current_of(s, utilization));
            MetricSample { value, target }
        })
        .collect()
}

fn q(v: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>) -> Option<f64> {
    v.and_then(|q| alpaca_quantity::Quantity::parse(q.0.trim()).ok())
        .map(|q| q.as_approximate_f64())
}

/// A metric's target and whether it is a utilization (percent).
pub fn target_of(spec: &MetricSpec) -> (f64, bool) {
    let t = match spec.type_.as_str() {
        "Resource" => spec.resource.as_ref().map(|r| &r.target),
        "ContainerResource" => spec.container_resource.as_ref().map(|r| &r.target),
        "Pods" => spec.pods.as_ref().map(|r| &r.target),
        "Object" => spec.object.as_ref().map(|r| &r.target),
        "External" => spec.external.as_ref().map(|r| &r.target),
        _ => None,
    };
    match t {
        Some(t) if t.type_ == "Utilization" => {
            (f64::from(t.average_utilization.unwrap_or(0)), true)
        }
        Some(t) => (
            q(t.average_value.as_ref().or(t.value.as_ref())).unwrap_or(0.0),
            false,
        ),
        None => (0.0, false),
    }
}

fn current_of(status: &MetricStatus, utilization: bool) -> Option<f64> {
    let c = match status.type_.as_str() {
        "Resource" => status.resource.as_ref().map(|r| &r.current),
        "ContainerResource" => status.container_resource.as_ref().map(|r| &r.current),
        "Pods" => status.pods.as_ref().map(|r| &r.current),
        "Object" => status.object.as_ref().map(|r| &r.current),
        "External" => status.external.as_ref().map(|r| &r.current),
        _ => None,
    }?;
    if utilization {
        c.average_utilization.map(f64::from)
    } else {
        q(c.average_value.as_ref().or(c.value.as_ref()))
    }
}

/// A short name for each metric of an HPA (`cpu`, `packets-per-second`, ...).
pub fn metric_names(hpa: &HorizontalPodAutoscaler) -> Vec<String> {
    hpa.spec
        .metrics
        .iter()
        .flatten()
        .map(|m| {
            match m.type_.as_str() {
                "Resource" => m.resource.as_ref().map(|r| r.name.clone()),
                "ContainerResource" => m
                    .container_resource
                    .as_ref()
                    .map(|r| format!("{}/{}", r.container, r.name)),
                "Pods" => m.pods.as_ref().map(|r| r.metric.name.clone()),
                "Object" => m.object.as_ref().map(|r| r.metric.name.clone()),
                "External" => m.external.as_ref().map(|r| r.metric.name.clone()),
                _ => None,
            }
            .unwrap_or_else(|| m.type_.to_lowercase())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_the_latencies_requests_saw() {
        let mut r = HpaRecord::new("web", 1);
        // 9 seconds of 10 requests/s at 10 ms, then 1 second of 10 requests/s at 100 ms.
        for s in 0..10 {
            let latency = if s < 9 { 0.010 } else { 0.100 };
            r.tick(s * 1000, 1000, 1, 1, 1, 10.0, 10.0 * latency, false);
        }
        let close = |q: f64, want: f64| {
            let got = r.latency_quantile(q).unwrap();
            assert!((got - want).abs() < 1e-12, "q{q}: {got} != {want}");
        };
        close(0.5, 0.010);
        close(0.9, 0.010);
        close(0.95, 0.100);
        let mean = r.mean_latency().unwrap();
        assert!((mean - 0.019).abs() < 1e-12, "{mean}");
        assert_eq!(r.worst_latency, Some((0.100, 9000)));
    }

    #[test]
    fn a_steady_latency_is_its_own_p95() {
        // One value, at the low end of its bucket: the quantile is not the bucket's middle.
        let mut r = HpaRecord::new("web", 1);
        for s in 0..60 {
            r.tick(s * 1000, 1000, 1, 1, 1, 40.0, 40.0 * 0.01555, false);
        }
        let p95 = r.latency_quantile(0.95).unwrap();
        assert!((p95 - 0.01555).abs() < 1e-12, "{p95}");
        assert!(p95 >= r.mean_latency().unwrap() - 1e-12);
    }
}
