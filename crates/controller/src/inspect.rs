//! `alpaca snapshot` and `alpaca explain`: one live autoscaler captured into a Snapshot
//! (with the memory the controller persisted on it), and the Decision the engine makes
//! from it now.

use alpaca_engine::{Decision, Snapshot};
use alpaca_loop::{ControlLoop, HpaKey};
use jiff::Timestamp;

use crate::args::{EngineFlags, Mode};
use crate::cluster::KubeCluster;
use crate::error::ControllerError;
use crate::kind::AutoscalerKind;
use crate::memory::annotation;

/// Which autoscaler, and the controller flags to record.
#[derive(Debug, Clone)]
pub struct Target {
    /// Namespace (`None`: the client's default namespace).
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// `autoscaling/v2` or `alpaca.dev/v1` autoscalers.
    pub mode: Mode,
    /// The flags the controller runs with.
    pub engine: EngineFlags,
}

/// Reads the autoscaler, its target's scale, pods and metrics, and its persisted memory
/// into a Snapshot as the controller's monitor phase would.
pub async fn snapshot(client: kube::Client, target: &Target) -> Result<Snapshot, ControllerError> {
    let namespace = target
        .namespace
        .clone()
        .unwrap_or_else(|| client.default_namespace().to_string());
    let kind = AutoscalerKind::new(target.mode);
    let cluster = KubeCluster::direct(client, kind.clone());
    let key = HpaKey::new(namespace.clone(), target.name.clone());
    let obj = cluster
        .object(&key)
        .await
        .map_err(ControllerError::Read)?
        .ok_or_else(|| ControllerError::NotFound {
            kind: kind.qualified(),
            namespace,
            name: target.name.clone(),
        })?;
    let mut hpa = kind.to_hpa(&obj).map_err(ControllerError::Read)?;
    hpa.metadata.managed_fields = None;
    let control = ControlLoop::new(target.engine.config());
    if let Some(history) = annotation::read(&obj) {
        control.restore(key.clone(), history);
    }
    Ok(control
        .observe(&cluster, &key, &hpa, Timestamp::now())
        .await?)
}

/// The snapshot and what the engine decides from it.
pub async fn explain(
    client: kube::Client,
    target: &Target,
) -> Result<(Snapshot, Decision), ControllerError> {
    let snapshot = snapshot(client, target).await?;
    let key = HpaKey::new(snapshot.hpa.namespace(), snapshot.hpa.name());
    let decision = alpaca_engine::decide(&snapshot)
        .map_err(|source| alpaca_loop::SyncError::Invalid { key, source })?;
    Ok((snapshot, decision))
}
