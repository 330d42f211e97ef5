//! Plan: from the winning proposal to the replica count to write: stabilization over the
//! recent recommendations, the rate limits (legacy or `behavior` policies), and min/max.

pub(crate) mod behavior;
pub(crate) mod legacy;
pub(crate) mod scale_events;
