//! The controller against a real control plane (`alpaca-testenv`): kube-apiserver and
//! kube-controller-manager 1.24 with its HPA controller off, the kubelet stand-in, and the
//! metrics APIs behind the real aggregator. One control plane serves every test here, each
//! in a namespace of its own with a controller limited to it (`--namespace`).

mod ambiguous;
mod crd;
mod faults;
mod inspect;
mod leader;
mod manifests;
mod metrics_apis;
mod observability;
mod pod_scope;
mod rbac;
mod resource_metrics_v1;
mod scale_to_zero;
mod support;
mod sync;
mod targets;
mod telemetry;
mod watch;
mod write_economy;
