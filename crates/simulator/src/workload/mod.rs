//! The workload model: how the load becomes per-pod CPU usage, what throttling does, and
//! how long requests take.
//!
//! Each tick: every Service spreads its requests evenly over its ready endpoints; a pod's
//! CPU demand is requests/s × CPU-seconds per request, plus its idle use; CFS throttling
//! caps usage at the pod's CPU limit (requests beyond it queue). Closed-loop clients slow
//! down when pods are slow (exact MVA), so their throughput is found, not given. Queue
//! workers take messages as fast as their CPU allows.

pub mod queueing;

use crate::clock::Millis;
use crate::cluster::DeploymentState;
use crate::load::LoadRuntime;
use crate::load::queue::QueueRuntime;
use crate::scenario::{LoadKind, Scenario};

/// One deployment's traffic this tick.
#[derive(Debug, Clone, Default)]
pub struct DepTraffic {
    /// Requests/s (or messages/s) offered to it, before any capacity limit.
    pub offered: f64,
    /// CPU the offered load would need, cores.
    pub offered_cpu: f64,
    /// Requests/s served.
    pub served: f64,
    /// Σ served × response time (for the mean).
    pub latency_weighted: f64,
    /// Whether requests queue without bound (CPU limit reached); their latency is then
    /// not in `latency_weighted`.
    pub overloaded: bool,
}

/// Requests/s offered and arriving per Service, and traffic per Deployment.
#[derive(Debug, Clone, Default)]
pub struct Traffic {
    /// Per Service: requests/s offered.
    pub offered: Vec<f64>,
    /// Per Deployment.
    pub deployments: Vec<DepTraffic>,
}

/// The CPU budget of one pod for requests: its cap minus its idle use; one core when
/// there is no limit (a request is single-threaded).
fn budget(cap: Option<f64>, idle: f64) -> f64 {
    cap.map_or(1.0, |c| (c - idle).max(1e-9))
}

/// Computes this tick's traffic and sets each Deployment's per-ready-pod CPU and served
/// rate (valid from `t` until the next tick).
pub fn distribute(
    t: Millis,
    step: Millis,
    sc: &Scenario,
    deps: &mut [DeploymentState],
    loads: &mut [LoadRuntime],
    queues: &mut [QueueRuntime],
) -> Traffic {
    let mut tr = Traffic {
        offered: vec![0.0; sc.services.len()],
        deployments: vec![DepTraffic::default(); deps.len()],
    };
    // Per Service: endpoints, mean request cost, capacity.
    let mut arriving = vec![0.0; sc.services.len()];
    let mut closed_latency = vec![(0.0, 0.0); sc.services.len()]; // (Σ X·R, Σ X)
    for (li, l) in sc.loads.iter().enumerate() {
        let rt = &mut loads[li];
        if !rt.active_at(t, l) {
            continue;
        }
        let s = &sc.services[l.service];
        let n: usize = s.deployments.iter().map(|&d| deps[d].ready).sum();
        let cost = mean_cost(sc, deps, &s.deployments);
        match &l.kind {
            LoadKind::Open(_) => {
                let rate = rt.rate_at(t, l, sc.seed);
                tr.offered[l.service] += rate;
                arriving[l.service] += rate;
            }
            LoadKind::Closed { clients, think } => {
                tr.offered[l.service] += f64::from(*clients) / (think + cost);
                if n == 0 {
                    continue;
                }
                let capacity: f64 = s
                    .deployments
                    .iter()
                    .map(|&d| {
                        let w = sc.deployments[d].workload;
                        deps[d].ready as f64 * budget(w.cpu_cap, w.idle_cpu) / w.cpu_per_request
                    })
                    .sum();
                let x = rt
                    .closed_throughput(n, *clients, *think, cost)
                    .min(capacity);
                arriving[l.service] += x;
                if x > 0.0 {
                    let r = (f64::from(*clients) / x - think).max(cost);
                    closed_latency[l.service].0 += x * r;
                    closed_latency[l.service].1 += x;
                }
            }
        }
    }
    let mut demand = vec![0.0; deps.len()];
    for d in deps.iter_mut() {
        d.served_by_service.clear();
    }
    for (si, s) in sc.services.iter().enumerate() {
        let n: usize = s.deployments.iter().map(|&d| deps[d].ready).sum();
        let count = s.deployments.len().max(1) as f64;
        for &d in &s.deployments {
            let share = if n > 0 {
                deps[d].ready as f64 / n as f64
            } else {
                1.0 / count
            };
            let c = sc.deployments[d].workload.cpu_per_request;
            tr.deployments[d].offered += tr.offered[si] * share;
            tr.deployments[d].offered_cpu += tr.offered[si] * share * c;
            if n > 0 && arriving[si] > 0.0 {
                let per_pod = arriving[si] / n as f64;
                demand[d] += per_pod * c;
                deps[d].add_served(si, per_pod);
            }
        }
    }
    let dt = step as f64 / 1000.0;
    for (qi, q) in sc.queues.iter().enumerate() {
        let rt = &mut queues[qi];
        let w = sc.deployments[q.workers].workload;
        let n = deps[q.workers].ready;
        let arrival = rt.arrival_at(t, q, sc.seed);
        let capacity = n as f64 * budget(w.cpu_cap, w.idle_cpu) / w.cpu_per_request;
        let processing = capacity.min(arrival + rt.length / dt);
        rt.arrival = arrival;
        rt.processing = processing;
        let dtr = &mut tr.deployments[q.workers];
        dtr.offered += arrival;
        dtr.offered_cpu += arrival * w.cpu_per_request;
        if n > 0 {
            demand[q.workers] += processing / n as f64 * w.cpu_per_request;
            deps[q.workers].add_served(usize::MAX, processing / n as f64);
        }
        if arrival > capacity && n > 0 {
            dtr.overloaded = true;
        }
    }
    for (di, d) in deps.iter_mut().enumerate() {
        let w = sc.deployments[di].workload;
        let b = budget(w.cpu_cap, w.idle_cpu);
        let want = demand[di];
        let throttle = if want > b && w.cpu_cap.is_some() {
            b / want
        } else {
            1.0
        };
        d.ready_rate = w.idle_cpu + want * throttle;
        for (_, v) in &mut d.served_by_service {
            *v *= throttle;
        }
        d.served_per_pod = d.served_by_service.iter().map(|(_, v)| v).sum();
        let dtr = &mut tr.deployments[di];
        dtr.served = d.served_per_pod * d.ready as f64;
        let rho = if w.cpu_cap.is_some() { want / b } else { 0.0 };
        match queueing::response_time(w.cpu_per_request, rho) {
            Some(r) => dtr.latency_weighted = dtr.served * r,
            None => {
                dtr.overloaded = dtr.served > 0.0 || dtr.overloaded;
                dtr.latency_weighted = 0.0;
            }
        }
    }
    // Closed-loop latency replaces the open-loop estimate for the requests it covers.
    for (si, s) in sc.services.iter().enumerate() {
        let (xr, x) = closed_latency[si];
        if x <= 0.0 {
            continue;
        }
        // Throttled closed loops are slow, not unbounded: their latency is known.
        let n: usize = s.deployments.iter().map(|&d| deps[d].ready).sum();
        for &d in &s.deployments {
            let share = deps[d].ready as f64 / n.max(1) as f64;
            let dtr = &mut tr.deployments[d];
            let c = sc.deployments[d].workload.cpu_per_request;
            let open_part = (dtr.served - x * share).max(0.0);
            dtr.latency_weighted = open_part * c + xr * share;
            dtr.overloaded = false;
        }
    }
    tr
}

/// CPU-seconds per request of a Service, averaged over its Deployments' ready pods.
fn mean_cost(sc: &Scenario, deps: &[DeploymentState], members: &[usize]) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for &d in members {
        sum += sc.deployments[d].workload.cpu_per_request * deps[d].ready as f64;
        n += deps[d].ready;
    }
    if n > 0 {
        sum / n as f64
    } else {
        members
            .first()
            .map_or(0.01, |&d| sc.deployments[d].workload.cpu_per_request)
    }
}
