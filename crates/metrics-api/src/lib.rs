//! Wire types of the three Kubernetes metrics APIs that the HPA controller reads, which
//! `k8s-openapi` does not have:
//!
//! - [`resource`]: `metrics.k8s.io/v1beta1` (`PodMetrics`, what metrics-server serves);
//! - [`custom`]: `custom.metrics.k8s.io` `v1beta1` and `v1beta2` (`MetricValue`);
//! - [`external`]: `external.metrics.k8s.io/v1beta1` (`ExternalMetricValue`);
//!
//! plus [`GoDuration`], the Go `time.Duration` string format (`30s`, `1m30s`) that these
//! APIs and the kube-controller-manager flags use.
//!
//! Every type (de)serializes to exactly the JSON shape the API servers use, so a
//! `kubectl get --raw` answer can be pasted into a Snapshot and back.

pub mod custom;
pub mod duration;
pub mod external;
pub mod resource;

pub use duration::{DurationError, GoDuration};
