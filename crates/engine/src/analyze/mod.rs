//! Analyze: one replica-count proposal per metric (the replica calculator), and the choice
//! among them (`computeReplicasForMetrics`).

pub(crate) mod ambiguous;
pub mod fallback;
mod fallback_sync;
pub(crate) mod metrics;
pub(crate) mod replica_calculator;
pub(crate) mod tolerance;
