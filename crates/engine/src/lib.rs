//! The Alpaca decision engine (work in progress).
pub mod snapshot;
