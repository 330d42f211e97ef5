//! The controller loop that both the simulator and the Kubernetes controller run: the
//! shell-independent half of kube-controller-manager's HPA controller.
//!
//! ```text
//!            ┌──────────────── ControlLoop (memory per HPA, schedule) ───────────────┐
//!  due(now)─▶│ monitor: ClusterRead ─▶ Snapshot ─▶ analyze+plan: engine::decide ─▶   │
//!            │ execute: ScaleWrite (scale, status, events) ─▶ remember Decision.history│
//!            └────────────────────────────────────────────────────────────────────────┘
//! ```
//!
//! The two traits are small on purpose: [`ClusterRead`] answers the questions the HPA
//! controller asks the API server (the HPA, its target's scale, pods, the three metrics
//! APIs) and [`ScaleWrite`] performs its three writes. The simulator implements them over
//! its in-memory cluster; the controller implements them over kube-rs.

mod cluster;
mod control;
mod schedule;
mod selectors;

pub use cluster::{ApiResult, ClusterRead, HpaKey, ScaleWrite};
pub use control::{ControlLoop, SyncError, SyncReport};
pub use schedule::Schedule;
