//! Integration tests: a real `kube::Client` (and kubectl) against the fake API server.

mod crud;
mod discovery;
mod events_leases;
mod faults;
mod hpa;
mod kubectl;
mod load;
mod metrics;
mod scale;
mod status;
mod support;
mod watch;
