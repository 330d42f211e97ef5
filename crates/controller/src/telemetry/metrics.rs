//! The controller's Prometheus metrics: syncs and their latency, errors, desired and
//! current replicas per autoscaler, leadership, cache and memory-write counts.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels naming an autoscaler.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AutoscalerLabels {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// Labels of a sync's result.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    /// `success`, `error` or `deleted`.
    pub result: String,
}

/// Labels of an error.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    /// What failed: `read`, `invalid`, `status`, `scale`, `metrics`, `watch`, `memory`.
    pub kind: String,
}

/// Every metric, with the registry that encodes them.
#[derive(Debug)]
pub struct Telemetry {
    registry: Registry,
    /// Syncs by result.
    pub syncs: Family<ResultLabels, Counter>,
    /// Errors by kind.
    pub errors: Family<ErrorLabels, Counter>,
    /// Sync latency.
    pub sync_duration: Histogram,
    /// Desired replicas per autoscaler (the last decision).
    pub desired_replicas: Family<AutoscalerLabels, Gauge>,
    /// Current replicas per autoscaler (the last decision's status).
    pub current_replicas: Family<AutoscalerLabels, Gauge>,
    /// Rescales made.
    pub rescales: Counter,
    /// 1 while this replica leads.
    pub leader: Gauge,
    /// Autoscalers in the cache.
    pub autoscalers: Gauge,
    /// Memory annotations written.
    pub memory_writes: Counter,
    /// Syncs currently running.
    pub in_flight: Gauge,
}

impl Default for Telemetry {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("alpaca_controller");
        let syncs = Family::<ResultLabels, Counter>::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        // 1 ms .. ~16 s
        let sync_duration = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        let desired_replicas = Family::<AutoscalerLabels, Gauge>::default();
        let current_replicas = Family::<AutoscalerLabels, Gauge>::default();
        let rescales = Counter::default();
        let leader = Gauge::default();
        let autoscalers = Gauge::default();
        let memory_writes = Counter::default();
        let in_flight = Gauge::default();
        registry.register("syncs", "Autoscaler syncs, by result", syncs.clone());
        registry.register("errors", "Failures, by what failed", errors.clone());
        registry.register(
            "sync_duration_seconds",
            "Time one autoscaler sync takes (read, decide, write)",
            sync_duration.clone(),
        );
        registry.register(
            "desired_replicas",
            "Replicas the autoscaler wants, as of its last sync",
            desired_replicas.clone(),
        );
        registry.register(
            "current_replicas",
            "Replicas the target had at the autoscaler's last sync",
            current_replicas.clone(),
        );
        registry.register(
            "rescales",
            "Scale subresource writes made",
            rescales.clone(),
        );
        registry.register(
            "leader",
            "1 while this replica holds the leader Lease",
            leader.clone(),
        );
        registry.register(
            "autoscalers",
            "Autoscalers in the cache",
            autoscalers.clone(),
        );
        registry.register(
            "memory_writes",
            "Memory annotations written to autoscalers",
            memory_writes.clone(),
        );
        registry.register("syncs_in_flight", "Syncs running now", in_flight.clone());
        Self {
            registry,
            syncs,
            errors,
            sync_duration,
            desired_replicas,
            current_replicas,
            rescales,
            leader,
            autoscalers,
            memory_writes,
            in_flight,
        }
    }
}

impl Telemetry {
    /// Counts a sync.
    pub fn sync(&self, result: &str, seconds: f64) {
        self.syncs
            .get_or_create(&ResultLabels {
                result: result.into(),
            })
            .inc();
        self.sync_duration.observe(seconds);
    }

    /// Counts an error.
    pub fn error(&self, kind: &str) {
        self.errors
            .get_or_create(&ErrorLabels { kind: kind.into() })
            .inc();
    }

    /// Sets an autoscaler's replica gauges.
    pub fn replicas(&self, namespace: &str, name: &str, current: i64, desired: i64) {
        let labels = AutoscalerLabels {
            namespace: namespace.into(),
            name: name.into(),
        };
        self.current_replicas.get_or_create(&labels).set(current);
        self.desired_replicas.get_or_create(&labels).set(desired);
    }

    /// Drops an autoscaler's gauges (deleted).
    pub fn forget(&self, namespace: &str, name: &str) {
        let labels = AutoscalerLabels {
            namespace: namespace.into(),
            name: name.into(),
        };
        self.current_replicas.remove(&labels);
        self.desired_replicas.remove(&labels);
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_metrics() {
        let t = Telemetry::default();
        t.sync("success", 0.01);
        t.replicas("default", "web", 2, 4);
        t.error("status");
        let text = t.encode();
        assert!(text.contains("alpaca_controller_syncs_total{result=\"success\"} 1"));
        assert!(
            text.contains(
                "alpaca_controller_desired_replicas{namespace=\"default\",name=\"web\"} 4"
            )
        );
        assert!(text.contains("alpaca_controller_sync_duration_seconds_bucket"));
        t.forget("default", "web");
        assert!(!t.encode().contains("name=\"web\""));
    }
}
