//! Each autoscaler's memory (the engine's `History`) kept in the cluster, so that a
//! restart or a leader change does not forget the stabilization window: the format and
//! place ([`annotation`]) and the write-behind that keeps it current ([`writer`]).

pub mod annotation;
pub mod writer;

pub use annotation::ANNOTATION;
pub use writer::{Flushed, Horizon, MemoryWriter};
