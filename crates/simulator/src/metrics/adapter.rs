//! The custom and external metrics adapter (what prometheus-adapter or the test adapter
//! of the custom-metrics tutorial serves): every interval it refreshes each metric from
//! its source — a constant or scheduled value (which `setMetric` overrides, like the test
//! adapter's `write-metrics`), a function of the requests served, or a queue's length.
//! Pods metrics exist only for started pods, from the first refresh after they start.

use std::collections::BTreeMap;

use crate::clock::Millis;
use crate::cluster::{DeploymentState, Phase};
use crate::load::queue::QueueRuntime;
use crate::scenario::{MetricTarget, MetricValueSource, Scenario};

/// What the adapter serves.
#[derive(Debug, Clone, Default)]
pub struct Adapter {
    /// Values written by `setMetric`, per metric.
    pub overrides: Vec<Option<f64>>,
    /// Object and External metrics: (refreshed at, value), per metric.
    pub values: Vec<Option<(Millis, f64)>>,
    /// Pods metrics: pod name → (refreshed at, value), per metric.
    pub pod_values: Vec<BTreeMap<String, (Millis, f64)>>,
    /// Metrics whose external metrics API reads fail (`metricOutage`), per metric.
    pub dark: Vec<bool>,
}

impl Adapter {
    /// An adapter for a scenario's metrics, with nothing sampled yet.
    pub fn new(sc: &Scenario) -> Self {
        Self {
            overrides: vec![None; sc.metrics.len()],
            dark: vec![false; sc.metrics.len()],
            values: vec![None; sc.metrics.len()],
            pod_values: vec![BTreeMap::new(); sc.metrics.len()],
        }
    }

    /// The current value of a metric that is not per pod.
    pub fn current(
        &self,
        i: usize,
        t: Millis,
        sc: &Scenario,
        deps: &[DeploymentState],
        queues: &[QueueRuntime],
    ) -> f64 {
        if let Some(v) = self.overrides[i] {
            return v;
        }
        match &sc.metrics[i].value {
            MetricValueSource::Values(vals) => {
                let k = vals.partition_point(|(at, _)| *at <= t);
                vals[k.saturating_sub(1)].1
            }
            MetricValueSource::RequestRate { service, factor } => {
                let total: f64 = match service {
                    Some(s) => sc.services[*s]
                        .deployments
                        .iter()
                        .map(|&d| deps[d].served_by(*s) * deps[d].ready as f64)
                        .sum(),
                    None => 0.0,
                };
                total * factor
            }
            MetricValueSource::QueueLength(q) => queues[*q].length,
        }
    }

    /// Refreshes every metric at `t`.
    pub fn refresh(
        &mut self,
        t: Millis,
        sc: &Scenario,
        deps: &[DeploymentState],
        queues: &[QueueRuntime],
    ) {
        for (i, m) in sc.metrics.iter().enumerate() {
            match &m.target {
                MetricTarget::Pods(d) => {
                    let dep = &deps[*d];
                    let per_ready = match (&m.value, self.overrides[i]) {
                        (_, Some(v)) => Some(v),
                        (MetricValueSource::RequestRate { service, factor }, None) => Some(
                            match service {
                                Some(s) => dep.served_by(*s),
                                None => dep.served_per_pod,
                            } * factor,
                        ),
                        _ => None,
                    };
                    let constant = self.current(i, t, sc, deps, queues);
                    let map = &mut self.pod_values[i];
                    map.clear();
                    for p in dep.pods.iter().filter(|p| p.started()) {
                        let v = match per_ready {
                            Some(v) if p.phase == Phase::Ready || self.overrides[i].is_some() => v,
                            Some(_) => 0.0,
                            None => constant,
                        };
                        map.insert(p.name.clone(), (t, v));
                    }
                }
                _ => {
                    let v = self.current(i, t, sc, deps, queues);
                    self.values[i] = Some((t, v));
                }
            }
        }
    }
}
