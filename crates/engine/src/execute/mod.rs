//! Execute: the HPA status, its conditions, and the events one sync writes.

pub(crate) mod conditions;
pub(crate) mod settings;
