//! The metrics pipeline: metrics-server for resource metrics ([`server`]) and the custom
//! and external metrics adapter ([`adapter`]).

pub mod adapter;
pub mod server;
