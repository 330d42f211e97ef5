//! The simulated cluster's objects: Deployments with their ReplicaSet and pods (lifecycle,
//! scale subresource, which pods a scale-down deletes).

pub mod deployment;
pub mod pod;
pub mod replicaset;

pub use deployment::DeploymentState;
pub use pod::{Phase, SimPod};
