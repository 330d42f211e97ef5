//! metrics-server: every `--metric-resolution` it reads each started pod's cumulative CPU
//! counter and working set, and serves PodMetrics whose CPU is the rate between this
//! reading and the previous one (the first reading after a container starts is measured
//! from the start). A pod has no PodMetrics until its first scrape after it started.

use std::sync::Arc;

use std::collections::BTreeMap;

use alpaca_metrics_api::GoDuration;
use alpaca_metrics_api::resource::{ContainerMetrics, PodMetrics};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use crate::clock::{Millis, timestamp};
use crate::cluster::{DeploymentState, Phase};
use crate::scenario::DeploymentDef;

/// Gives the initial pods the previous reading metrics-server would have from before the
/// start, so that they have PodMetrics from the first scrape on.
pub fn prime(dep: &mut DeploymentState, def: &DeploymentDef, resolution: Millis) {
    let idle = def.workload.idle_cpu;
    for p in &mut dep.pods {
        let before = p.cpu_base - idle * resolution as f64 / 1000.0;
        p.last_sample = Some((-resolution, before.max(0.0)));
    }
}

/// Scrapes every started pod of a Deployment at `t`.
pub fn scrape(t: Millis, dep: &mut DeploymentState, def: &DeploymentDef) {
    let w = def.workload;
    let memory = |phase: Phase, served: f64| {
        w.memory
            + if phase == Phase::Ready {
                w.memory_per_rps * served
            } else {
                0.0
            }
    };
    let requests = &def.container_cpu_requests;
    let total_request: f64 = requests.iter().sum();
    let n_containers = def.containers.len().max(1) as f64;
    let (cum_ready, served) = (dep.cum_ready, dep.served_per_pod);
    for p in &mut dep.pods {
        if !p.started() {
            continue;
        }
        let cum = p.cpu_at(t, cum_ready, w.idle_cpu, w.startup_cpu);
        let (t0, c0) = p.last_sample.unwrap_or((p.running_at, 0.0));
        let window = t - t0;
        if window <= 0 {
            continue;
        }
        let cpu = ((cum - c0) * 1000.0 / window as f64).max(0.0);
        p.last_sample = Some((t, cum));
        let mem = memory(p.phase, served);
        let share = |i: usize| {
            if total_request > 0.0 {
                requests[i] / total_request
            } else {
                1.0 / n_containers
            }
        };
        let cpu_nanos = |i: usize| (cpu * share(i) * 1e9).round() as i64;
        let mem_kib = (mem / n_containers / 1024.0).round() as i64;
        let window = GoDuration::from_nanos(window * 1_000_000);
        match &mut p.metrics {
            // Updated in place: the previous sync's Snapshot is gone by now, so no copy.
            Some(existing) => {
                let m = Arc::make_mut(existing);
                m.timestamp = Time(timestamp(t));
                m.window = window;
                for (i, c) in m.containers.iter_mut().enumerate() {
                    set_quantity(&mut c.usage, "cpu", cpu_nanos(i), "n");
                    set_quantity(&mut c.usage, "memory", mem_kib, "Ki");
                }
            }
            None => {
                let containers = def
                    .containers
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut usage = BTreeMap::new();
                        set_quantity(&mut usage, "cpu", cpu_nanos(i), "n");
                        set_quantity(&mut usage, "memory", mem_kib, "Ki");
                        ContainerMetrics {
                            name: c.name.clone(),
                            usage,
                        }
                    })
                    .collect();
                p.metrics = Some(Arc::new(PodMetrics {
                    api_version: alpaca_metrics_api::resource::API_VERSION.into(),
                    kind: "PodMetrics".into(),
                    metadata: ObjectMeta {
                        name: Some(p.name.clone()),
                        namespace: Some(def.namespace.clone()),
                        labels: p.object.metadata.labels.clone(),
                        ..ObjectMeta::default()
                    },
                    timestamp: Time(timestamp(t)),
                    window,
                    containers,
                }));
            }
        }
    }
}

/// Rewrites one usage quantity as `{value}{suffix}`, reusing its string.
fn set_quantity(usage: &mut BTreeMap<String, Quantity>, resource: &str, value: i64, suffix: &str) {
    let write = |q: &mut Quantity| {
        q.0.clear();
        q.0.push_str(itoa::Buffer::new().format(value));
        q.0.push_str(suffix);
    };
    match usage.get_mut(resource) {
        Some(q) => write(q),
        None => {
            let mut q = Quantity::default();
            write(&mut q);
            usage.insert(resource.to_string(), q);
        }
    }
}
