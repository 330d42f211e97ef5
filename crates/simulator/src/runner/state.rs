//! Everything that changes during a run: the clock, the Deployments and their pods, the
//! HPA objects with their status and events, the metrics adapter, loads and queues.

use rustc_hash::FxHashMap as HashMap;

use std::sync::Arc;

use alpaca_engine::snapshot::Event;
use alpaca_loop::HpaKey;
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::clock::{Millis, timestamp};
use crate::cluster::DeploymentState;
use crate::load::LoadRuntime;
use crate::load::queue::QueueRuntime;
use crate::metrics::adapter::Adapter;
use crate::scenario::Scenario;

/// An event as the event recorder keeps it: identical events are counted, not repeated.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// The event.
    pub event: Event,
    /// First seen.
    pub first: Millis,
    /// Last seen.
    pub last: Millis,
    /// How many times.
    pub count: u32,
}

/// An HPA object in the simulated API server.
#[derive(Debug, Clone)]
pub struct HpaState {
    /// Its key.
    pub key: HpaKey,
    /// As written (v1 or v2), for patches.
    pub written: serde_json::Value,
    /// As served (`autoscaling/v2`), status included; shared with the Snapshot of a
    /// sync (the controller loop reads it without a copy).
    pub object: Arc<HorizontalPodAutoscaler>,
    /// The Deployment it scales.
    pub target: usize,
    /// Its events, aggregated.
    pub events: Vec<RecordedEvent>,
    /// Events recorded since the runner last looked.
    pub fresh_events: Vec<Event>,
    /// Whether the sync under way wrote a status: the runner puts the Decision's status
    /// into `object` ([`HpaState::settle`]) once the sync's Snapshot no longer shares it
    /// (so it is written in place, without copying the spec or the status).
    pub status_written: bool,
}

impl HpaState {
    /// Puts the status written during the last sync into the object; `false` when the
    /// sync wrote none.
    pub fn settle(&mut self, status: impl FnOnce() -> HorizontalPodAutoscalerStatus) -> bool {
        if !std::mem::take(&mut self.status_written) {
            return false;
        }
        Arc::make_mut(&mut self.object).status = Some(status());
        true
    }
}

/// The mutable state of a run.
#[derive(Debug)]
pub struct State {
    /// Simulated now.
    pub now: Millis,
    /// Deployments.
    pub deps: Vec<DeploymentState>,
    /// HPAs.
    pub hpas: Vec<HpaState>,
    /// The custom/external metrics adapter.
    pub adapter: Adapter,
    /// Load generators.
    pub loads: Vec<LoadRuntime>,
    /// Queues.
    pub queues: Vec<QueueRuntime>,
    /// Whether pods were created or deleted since the traffic was last spread.
    pub endpoints_changed: bool,
    /// Namespace → selector → the Deployments whose pods it selects.
    selector_cache: HashMap<String, HashMap<String, Result<Vec<usize>, String>>>,
    /// HPA key → index in `hpas`.
    hpa_by_key: HashMap<HpaKey, usize>,
    /// Namespace → Deployment name → index in `deps`.
    dep_by_name: HashMap<String, HashMap<String, usize>>,
}

impl State {
    /// The state at time 0.
    pub fn new(sc: &Scenario) -> Self {
        let mut deps: Vec<DeploymentState> = sc
            .deployments
            .iter()
            .enumerate()
            .map(|(i, d)| DeploymentState::new(d, i, sc.seed))
            .collect();
        for (d, def) in deps.iter_mut().zip(&sc.deployments) {
            crate::metrics::server::prime(d, def, sc.metrics_resolution);
        }
        let hpas = sc
            .hpas
            .iter()
            .map(|h| {
                let mut object = h.admitted.clone();
                object.metadata.namespace = Some(h.namespace.clone());
                object.metadata.creation_timestamp = Some(Time(timestamp(0)));
                object.status = Some(HorizontalPodAutoscalerStatus::default());
                HpaState {
                    key: HpaKey::new(h.namespace.clone(), h.name.clone()),
                    written: h.written.clone(),
                    object: Arc::new(object),
                    target: h.target,
                    events: Vec::new(),
                    fresh_events: Vec::new(),
                    status_written: false,
                }
            })
            .collect::<Vec<HpaState>>();
        let hpa_by_key = hpas
            .iter()
            .enumerate()
            .map(|(i, h)| (h.key.clone(), i))
            .collect();
        let mut dep_by_name: HashMap<String, HashMap<String, usize>> = HashMap::default();
        for (i, d) in sc.deployments.iter().enumerate() {
            dep_by_name
                .entry(d.namespace.clone())
                .or_default()
                .insert(d.name.clone(), i);
        }
        Self {
            now: 0,
            deps,
            hpas,
            adapter: Adapter::new(sc),
            loads: sc.loads.iter().map(LoadRuntime::new).collect(),
            queues: sc.queues.iter().map(QueueRuntime::new).collect(),
            endpoints_changed: true,
            selector_cache: HashMap::default(),
            hpa_by_key,
            dep_by_name,
        }
    }

    /// The HPA with this key.
    pub fn hpa_index(&self, key: &HpaKey) -> Option<usize> {
        self.hpa_by_key.get(key).copied()
    }

    /// The Deployment with this name in this namespace.
    pub fn deployment_index(&self, namespace: &str, name: &str) -> Option<usize> {
        self.dep_by_name.get(namespace)?.get(name).copied()
    }

    /// The Deployments whose pods a selector string selects in a namespace.
    pub fn select(
        &mut self,
        sc: &Scenario,
        namespace: &str,
        selector: &str,
    ) -> Result<Vec<usize>, String> {
        if let Some(hit) = self
            .selector_cache
            .get(namespace)
            .and_then(|m| m.get(selector))
        {
            return hit.clone();
        }
        let result: Result<Vec<usize>, String> =
            alpaca_engine::selector::parse(selector).map(|s| {
                sc.deployments
                    .iter()
                    .enumerate()
                    .filter(|(i, d)| d.namespace == namespace && s.matches(&self.deps[*i].labels))
                    .map(|(i, _)| i)
                    .collect()
            });
        self.selector_cache
            .entry(namespace.to_string())
            .or_default()
            .insert(selector.to_string(), result.clone());
        result
    }
}
