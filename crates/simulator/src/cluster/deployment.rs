//! A Deployment with its one ReplicaSet: `spec.replicas`, the scale subresource, and the
//! pods the ReplicaSet controller creates and deletes (at once, as soon as the scale
//! changes) and the kubelet moves through their lives.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::PodSpec;

use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec, ScaleStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::pod::{Phase, SimPod, Template, create};
use super::replicaset::victims;
use crate::clock::{MINUTE, Millis};
use crate::rng;
use crate::scenario::DeploymentDef;

/// Kubernetes' alphabet for generated names (no vowels, no look-alikes).
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// How long the Deployment's initial pods have been running when the simulation starts.
pub const INITIAL_POD_AGE: Millis = 10 * MINUTE;

fn safe_string(seed: u64, stream: u64, len: usize) -> String {
    (0..len)
        .map(|i| {
            let x = rng::mix(rng::mix(seed ^ stream).wrapping_add(i as u64));
            ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// A Deployment's state.
#[derive(Debug, Clone)]
pub struct DeploymentState {
    /// `spec.replicas`.
    pub replicas: i32,
    /// Its pods, terminating ones included, oldest first.
    pub pods: Vec<SimPod>,
    /// The ReplicaSet's name.
    pub rs_name: String,
    /// Pod labels (template labels and `pod-template-hash`), shared by its pods' records.
    pub labels: Arc<BTreeMap<String, String>>,
    /// Its namespace, shared likewise.
    pub namespace: Arc<str>,
    /// The pod spec of its template, shared likewise.
    pub spec: Arc<PodSpec>,
    /// Its containers' names, for PodMetrics.
    pub container_names: Vec<Arc<str>>,
    /// ∫ CPU of one ready pod dt, CPU-seconds.
    pub cum_ready: f64,
    /// CPU of one ready pod now, cores.
    pub ready_rate: f64,
    /// Requests/s one ready pod serves now.
    pub served_per_pod: f64,
    /// Requests/s per ready pod by Service index (for request-rate metrics), sorted by
    /// index; queue work is under `usize::MAX`.
    pub served_by_service: Vec<(usize, f64)>,
    /// Ready pods (Service endpoints).
    pub ready: usize,
    /// Pods not terminating (the Scale's `status.replicas`).
    pub active: usize,
    /// Pods that exist (what you pay for).
    pub existing: usize,
    /// The next time a pod changes by itself.
    pub next_change: Millis,
    next_seq: u64,
    seed: u64,
    stream: u64,
}

impl DeploymentState {
    /// The Deployment at the start: its initial pods ready for [`INITIAL_POD_AGE`].
    pub fn new(def: &DeploymentDef, index: usize, seed: u64) -> Self {
        let stream = rng::name_hash(&def.name) ^ (index as u64).wrapping_mul(0x9E37);
        let hash = safe_string(seed, stream, 10);
        let mut labels = def.labels.clone();
        labels.insert("pod-template-hash".into(), hash.clone());
        let mut d = Self {
            replicas: def.replicas,
            pods: Vec::new(),
            rs_name: format!("{}-{hash}", def.name),
            labels: Arc::new(labels),
            namespace: def.namespace.as_str().into(),
            spec: Arc::new(PodSpec {
                containers: def.containers.clone(),
                ..PodSpec::default()
            }),
            container_names: def
                .containers
                .iter()
                .map(|c| c.name.as_str().into())
                .collect(),
            cum_ready: 0.0,
            ready_rate: def.workload.idle_cpu,
            served_per_pod: 0.0,
            served_by_service: Vec::new(),
            ready: 0,
            active: 0,
            existing: 0,
            next_change: Millis::MAX,
            next_seq: 0,
            seed,
            stream,
        };
        let t0 = -INITIAL_POD_AGE;
        for _ in 0..def.replicas {
            let mut pod = d.new_pod(t0, def);
            let w = def.workload;
            // Settled as if it had been running: CPU counter from its idle use.
            pod.phase = Phase::Ready;
            pod.cpu_base = w.idle_cpu * (-pod.running_at.min(0)) as f64 / 1000.0;
            pod.mark_t = 0;
            pod.mark_cum = 0.0;
            pod.refresh_object();
            d.pods.push(pod);
        }
        d.recount();
        d
    }

    fn new_pod(&mut self, t: Millis, def: &DeploymentDef) -> SimPod {
        let seq = self.next_seq;
        self.next_seq += 1;
        let suffix = safe_string(
            self.seed,
            self.stream
                .wrapping_add(seq.wrapping_mul(0x1000_0001))
                .wrapping_add(1),
            5,
        );
        let tpl = Template {
            namespace: &self.namespace,
            labels: &self.labels,
            spec: &self.spec,
            startup_time: def.workload.startup_time,
            readiness_delay: def.workload.readiness_delay,
        };
        create(format!("{}-{suffix}", self.rs_name), seq, t, &tpl)
    }

    /// Counts pods by phase and finds the next self-change.
    pub fn recount(&mut self) {
        self.ready = 0;
        self.active = 0;
        self.existing = self.pods.len();
        self.next_change = Millis::MAX;
        for p in &self.pods {
            if p.phase == Phase::Ready {
                self.ready += 1;
            }
            if p.phase != Phase::Terminating {
                self.active += 1;
            }
            if let Some(t) = p.next_change() {
                self.next_change = self.next_change.min(t);
            }
        }
    }

    /// The ReplicaSet controller: creates or deletes pods until `replicas` are active.
    /// Returns whether any pod was created or deleted.
    pub fn reconcile(&mut self, t: Millis, def: &DeploymentDef) -> bool {
        let want = self.replicas.max(0) as usize;
        let w = def.workload;
        let changed = want != self.active;
        if want > self.active {
            for _ in self.active..want {
                let pod = self.new_pod(t, def);
                self.pods.push(pod);
            }
        } else if want < self.active {
            for i in victims(&self.pods, self.active - want) {
                let p = &mut self.pods[i];
                p.deleted_at = Some(t);
                p.gone_at = t + w.shutdown_time;
                p.enter(
                    Phase::Terminating,
                    t,
                    self.cum_ready,
                    w.idle_cpu,
                    w.startup_cpu,
                );
            }
        }
        if changed {
            self.recount();
        }
        changed
    }

    /// Moves pods whose time has come; returns whether any changed.
    pub fn advance(&mut self, t: Millis, def: &DeploymentDef) -> bool {
        if self.next_change > t {
            return false;
        }
        let w = def.workload;
        let cum = self.cum_ready;
        for p in &mut self.pods {
            loop {
                match p.phase {
                    Phase::Pending if p.running_at <= t => p.enter(
                        Phase::Starting,
                        p.running_at,
                        cum,
                        w.idle_cpu,
                        w.startup_cpu,
                    ),
                    Phase::Starting if p.ready_at <= t => {
                        p.enter(Phase::Ready, t, cum, w.idle_cpu, w.startup_cpu)
                    }
                    _ => break,
                }
            }
        }
        self.pods
            .retain(|p| !(p.phase == Phase::Terminating && p.gone_at <= t));
        self.recount();
        true
    }

    /// Adds `dt` of CPU at the current rate of a ready pod.
    pub fn accumulate(&mut self, dt: Millis) {
        self.cum_ready += self.ready_rate * dt as f64 / 1000.0;
    }

    /// Requests/s one ready pod serves for Service `s`.
    pub fn served_by(&self, s: usize) -> f64 {
        self.served_by_service
            .iter()
            .find(|(i, _)| *i == s)
            .map_or(0.0, |(_, v)| *v)
    }

    /// Adds requests/s per ready pod for Service `s`.
    pub fn add_served(&mut self, s: usize, per_pod: f64) {
        match self.served_by_service.binary_search_by_key(&s, |(i, _)| *i) {
            Ok(i) => self.served_by_service[i].1 += per_pod,
            Err(i) => self.served_by_service.insert(i, (s, per_pod)),
        }
    }

    /// The scale subresource.
    pub fn scale(&self, def: &DeploymentDef) -> Scale {
        Scale {
            metadata: ObjectMeta {
                name: Some(def.name.clone()),
                namespace: Some(def.namespace.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(ScaleSpec {
                replicas: Some(self.replicas),
            }),
            status: Some(ScaleStatus {
                replicas: self.active as i32,
                selector: Some(def.selector.clone()),
            }),
        }
    }
}
