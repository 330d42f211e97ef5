//! The controller's Prometheus metrics: syncs and their latency, errors, desired and
//! current replicas per autoscaler, leadership, cache and memory-write counts, the queue's
//! depth and lag; and upstream's HPA controller series under upstream's names
//! (`horizontal_pod_autoscaler_controller_*`, from `pkg/controller/podautoscaler/monitor`).

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

/// Labels of upstream's reconciliation series.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReconcileLabels {
    /// `scale_up`, `scale_down` or `none`.
    pub action: String,
    /// `spec`, `internal` or `none`.
    pub error: String,
}

/// Labels of upstream's metric computation series.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MetricComputationLabels {
    /// `scale_up`, `scale_down` or `none`.
    pub action: String,
    /// `spec`, `internal` or `none`.
    pub error: String,
    /// The spec's metric type.
    pub metric_type: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Upstream's buckets for its HPA controller histograms: 1 ms .. ~16 s.
fn upstream_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Every metric, with the registry that encodes them.
#[derive(Debug)]
pub struct Telemetry {
    registry: Registry,
    upstream: Registry,
    /// Upstream's `reconciliations_total`.
    pub reconciliations: Family<ReconcileLabels, Counter>,
    /// Upstream's `reconciliation_duration_seconds`.
    pub reconciliation_duration: HistogramFamily<ReconcileLabels>,
    /// Upstream's `metric_computation_total`.
    pub metric_computations: Family<MetricComputationLabels, Counter>,
    /// Upstream's `metric_computation_duration_seconds`.
    pub metric_computation_duration: HistogramFamily<MetricComputationLabels>,
    /// Autoscalers due now and not yet started.
    pub queue_depth: Gauge,
    /// How late syncs start after they were due.
    pub sync_lag: Histogram,
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
    /// Pods in the cache (those of namespaces with autoscalers).
    pub cached_pods: Gauge,
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
        let cached_pods = Gauge::default();
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
            "cached_pods",
            "Pods in the cache: those of the namespaces with autoscalers",
            cached_pods.clone(),
        );
        registry.register(
            "memory_writes",
            "Memory annotations written to autoscalers",
            memory_writes.clone(),
        );
        registry.register("syncs_in_flight", "Syncs running now", in_flight.clone());
        let queue_depth = Gauge::default();
        registry.register(
            "queue_depth",
            "Autoscalers due to sync now that no worker has started yet",
            queue_depth.clone(),
        );
        // 1 ms .. ~16 s
        let sync_lag = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register(
            "sync_lag_seconds",
            "How long after its due time each sync started",
            sync_lag.clone(),
        );

        let mut upstream = Registry::with_prefix("horizontal_pod_autoscaler_controller");
        let reconciliations = Family::<ReconcileLabels, Counter>::default();
        let reconciliation_duration: HistogramFamily<ReconcileLabels> =
            Family::new_with_constructor(upstream_histogram);
        let metric_computations = Family::<MetricComputationLabels, Counter>::default();
        let metric_computation_duration: HistogramFamily<MetricComputationLabels> =
            Family::new_with_constructor(upstream_histogram);
        upstream.register(
            "reconciliations",
            "Number of reconciliations of HPA controller, by action (scale_up, scale_down, none) and error (spec, internal, none)",
            reconciliations.clone(),
        );
        upstream.register(
            "reconciliation_duration_seconds",
            "The time(seconds) that the HPA controller takes to reconcile once, by action and error",
            reconciliation_duration.clone(),
        );
        upstream.register(
            "metric_computation",
            "Number of metric computations, by action, error and metric_type (HPA.spec.metrics[*].type)",
            metric_computations.clone(),
        );
        upstream.register(
            "metric_computation_duration_seconds",
            "The time(seconds) that the HPA controller takes to calculate one metric (Alpaca: the metrics API read it used), by action, error and metric_type",
            metric_computation_duration.clone(),
        );
        Self {
            registry,
            upstream,
            reconciliations,
            reconciliation_duration,
            metric_computations,
            metric_computation_duration,
            queue_depth,
            sync_lag,
            syncs,
            errors,
            sync_duration,
            desired_replicas,
            current_replicas,
            rescales,
            leader,
            autoscalers,
            cached_pods,
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

    /// Counts one reconciliation as upstream's monitor does.
    pub fn reconciliation(&self, action: &str, error: &str, seconds: f64) {
        let labels = ReconcileLabels {
            action: action.into(),
            error: error.into(),
        };
        self.reconciliations.get_or_create(&labels).inc();
        self.reconciliation_duration
            .get_or_create(&labels)
            .observe(seconds);
    }

    /// Counts one metric computation as upstream's monitor does.
    pub fn metric_computation(&self, action: &str, error: &str, metric_type: &str, seconds: f64) {
        let labels = MetricComputationLabels {
            action: action.into(),
            error: error.into(),
            metric_type: metric_type.into(),
        };
        self.metric_computations.get_or_create(&labels).inc();
        self.metric_computation_duration
            .get_or_create(&labels)
            .observe(seconds);
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        use prometheus_client::encoding::text;
        let mut out = String::new();
        let _ = text::encode_registry(&mut out, &self.registry);
        let _ = text::encode_registry(&mut out, &self.upstream);
        let _ = text::encode_eof(&mut out);
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

    #[test]
    fn exposes_upstream_series_under_upstream_names() {
        let t = Telemetry::default();
        t.reconciliation("scale_up", "none", 0.02);
        t.metric_computation("none", "internal", "External", 0.003);
        let text = t.encode();
        assert!(text.contains(
            "horizontal_pod_autoscaler_controller_reconciliations_total{action=\"scale_up\",error=\"none\"} 1"
        ));
        assert!(text.contains(
            "horizontal_pod_autoscaler_controller_metric_computation_total{action=\"none\",error=\"internal\",metric_type=\"External\"} 1"
        ));
        assert!(text.contains(
            "horizontal_pod_autoscaler_controller_reconciliation_duration_seconds_count{action=\"scale_up\",error=\"none\"} 1"
        ), "{text}");
        assert_eq!(text.matches("# EOF").count(), 1);
        assert!(text.trim_end().ends_with("# EOF"));
    }
}
