//! metrics-server: every `--metric-resolution` it reads each started pod's cumulative CPU
//! counter and working set, and serves PodMetrics whose CPU is the rate between this
//! reading and the previous one (the first reading after a container starts is measured
//! from the start). A pod has no PodMetrics until its first scrape after it started.

use crate::clock::Millis;
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
        // Updated in place: the previous sync's Snapshot is gone by now, so no copy.
        p.set_usage(t, window, &dep.container_names, |i| (cpu_nanos(i), mem_kib));
    }
}
