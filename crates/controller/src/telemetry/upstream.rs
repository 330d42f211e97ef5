//! Upstream's HPA controller series (`pkg/controller/podautoscaler/monitor`), from what a
//! sync decided: one reconciliation per sync that reached the engine, one metric
//! computation per metric of the spec the engine computed.
//!
//! The labels follow upstream's `reconcileAutoscaler` and `computeReplicasForMetric`:
//! a reconciliation is `scale_up` or `scale_down` only when it rescaled without error,
//! and any error (a failed metric, even if the others still scaled; a failed scale read
//! or write; a failed status write) makes it `none` with `error="internal"`, except the
//! spec errors upstream marks (`errSpec`: an unknown metric source type, an unparsable
//! target apiVersion; Alpaca adds an HPA the engine refuses as invalid). A metric
//! computation's action compares its proposal with the status's `currentReplicas`.
//!
//! Durations differ from upstream's where the engine is pure: a reconciliation is the
//! whole sync (reads, decision, writes; events are queued, not written), like upstream's;
//! a metric computation is the metrics API read that metric used (Resource and
//! ContainerResource metrics share one `metrics.k8s.io` read and each reports its time),
//! without the engine's arithmetic, which takes microseconds.

use std::time::Duration;

use alpaca_engine::snapshot::{Decision, Fault};

use super::Telemetry;

/// Records one synced decision.
pub fn observe(
    telemetry: &Telemetry,
    decision: &Decision,
    status_failed: bool,
    seconds: f64,
    metric_reads: &[Duration],
) {
    let fault = decision.fault.or(status_failed.then_some(Fault::Internal));
    let current = decision.status.current_replicas.unwrap_or_default();
    let action = match fault {
        None if decision.rescale && decision.desired_replicas > current => "scale_up",
        None if decision.rescale => "scale_down",
        _ => "none",
    };
    let error = fault.map_or("none", Fault::label);
    telemetry.reconciliation(action, error, seconds);
    for (i, m) in decision.metrics.iter().enumerate() {
        let read = metric_reads.get(i).copied().unwrap_or_default();
        telemetry.metric_computation(
            m.action(),
            m.fault.map_or("none", Fault::label),
            &m.type_,
            read.as_secs_f64(),
        );
    }
}
