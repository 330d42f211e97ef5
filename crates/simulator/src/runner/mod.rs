//! The run: simulated time in fixed steps, and in each step, in this order —
//!
//! ```text
//!  1. CPU counters and queues advance over the last step, at the rates set after step 6
//!  2. timed actions (load on/off, metric writes, HPA patches, manual scaling)
//!  3. pods whose time has come move on (Running, Ready, gone)
//!  4. metrics-server scrapes (every --metric-resolution); the adapter refreshes
//!  5. HPAs that are due sync through the shared controller loop (alpaca-loop), which
//!     reads and writes the simulated cluster through `Shell`
//!  6. the Services spread the load over their ready pods: CPU rates for the next step
//!  7. statistics and (when asked) one timeline sample per HPA
//! ```
//!
//! Nothing sleeps and nothing reads the wall clock: the same scenario gives the same
//! output, byte for byte.

pub mod actions;
pub mod notes;
pub mod record;
pub mod state;

use std::cell::RefCell;
use std::sync::Arc;

use alpaca_engine::Decision;
use alpaca_loop::{ControlLoop, Schedule, SyncReport};
use jiff::SignedDuration;

use crate::clock::{self, Millis};
use crate::error::SimError;
use crate::report::watch::WatchTable;
use crate::scenario::Scenario;
use crate::shell::Shell;
use crate::workload;
use record::{HpaRecord, Sample, metric_samples};
use state::State;

/// What to keep besides the summary.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep one sample per tick per HPA (for `--timeline` and `--plot`).
    pub record: bool,
    /// Keep the Decision of the sync nearest this time (for `--explain-at`).
    pub explain_at: Option<Millis>,
    /// Hand the controller loop full `Pod` and `PodMetrics` objects instead of compact
    /// records (slower; the outcome is the same, which the tests check).
    pub pod_objects: bool,
}

/// Receives the run's output as it happens.
pub trait Observer {
    /// Whether it shows lines at all (when not, the run skips formatting the watch rows).
    fn wants_lines(&self) -> bool {
        true
    }
    /// A line for the user (watch rows and narrative).
    fn line(&mut self, _line: &str) {}
    /// Progress: simulated `now` of `total`.
    fn progress(&mut self, _now: Millis, _total: Millis) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {
    fn wants_lines(&self) -> bool {
        false
    }
}

/// An observer that keeps the lines.
#[derive(Debug, Default)]
pub struct Lines(pub Vec<String>);

impl Observer for Lines {
    fn line(&mut self, line: &str) {
        self.0.push(line.to_string());
    }
}

/// The Decision of one sync, kept for `--explain-at`.
#[derive(Debug, Clone)]
pub struct Explained {
    /// When the sync ran.
    pub at: Millis,
    /// What it decided and why.
    pub decision: Decision,
}

/// The end of a run, per HPA.
#[derive(Debug, Clone)]
pub struct HpaOutcome {
    /// Its record.
    pub record: HpaRecord,
    /// The HPA as served at the end (status included).
    pub object: k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler,
    /// Its events.
    pub events: Vec<state::RecordedEvent>,
    /// The target's replicas at the end.
    pub final_replicas: i32,
    /// The sync nearest `explain_at`.
    pub explained: Option<Explained>,
    /// Short names of its metrics.
    pub metric_names: Vec<String>,
}

/// The end of a run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The scenario's name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Simulated time run.
    pub duration: Millis,
    /// The time step.
    pub step: Millis,
    /// Per HPA, in scenario order.
    pub hpas: Vec<HpaOutcome>,
}

/// Runs a scenario.
pub fn run(sc: &Scenario, opts: &Options, obs: &mut dyn Observer) -> Result<Outcome, SimError> {
    let state = RefCell::new(State::new(sc));
    let shell = Shell {
        sc,
        state: &state,
        records: !opts.pod_objects,
        current: std::cell::Cell::new(None),
    };
    let control = ControlLoop::new(sc.controller);
    // The schedule names HPAs by the rank of their keys (ties sync in key order).
    let keys: Vec<alpaca_loop::HpaKey> =
        state.borrow().hpas.iter().map(|h| h.key.clone()).collect();
    let mut by_rank: Vec<usize> = (0..keys.len()).collect();
    by_rank.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut rank = vec![0; keys.len()];
    for (r, &i) in by_rank.iter().enumerate() {
        rank[i] = r;
    }
    let mut schedule: Schedule<usize> = Schedule::default();
    let mut records: Vec<HpaRecord> = sc
        .hpas
        .iter()
        .map(|h| HpaRecord::new(&h.name, sc.deployments[h.target].replicas))
        .collect();
    let mut explained: Vec<Option<Explained>> = vec![None; sc.hpas.len()];
    let mut narrator = notes::Narrator::new(sc.hpas.len());
    let lines = obs.wants_lines();
    let mut table = {
        let st = state.borrow();
        let objs: Vec<_> = st.hpas.iter().map(|h| &*h.object).collect();
        WatchTable::new(&objs)
    };
    obs.line(&table.header());
    {
        let st = state.borrow();
        for (i, h) in st.hpas.iter().enumerate() {
            schedule.set(rank[i], clock::timestamp(0));
            if let Some(row) = table.row(i, &h.object, 0) {
                obs.line(&row);
            }
        }
    }
    let step = sc.step;
    let ticks = sc.duration / step;
    let period = SignedDuration::from_millis(sc.sync_period);
    let flag_window = sc.controller.downscale_stabilization_window.nanos / 1_000_000;
    let mut next_action = 0;
    // Per HPA, the CPU one pod should take (changes only when an action patches the HPA).
    let mut shares: Vec<f64> = state
        .borrow()
        .hpas
        .iter()
        .map(|h| pod_share(sc, h))
        .collect();
    let progress_every = (ticks / 200).max(1);
    for tick in 0..=ticks {
        let t = tick * step;
        {
            let mut st = state.borrow_mut();
            let st = &mut *st;
            if tick > 0 {
                for d in &mut st.deps {
                    d.accumulate(step);
                }
                for q in &mut st.queues {
                    q.advance(step);
                }
            }
            st.now = t;
            let mut acted = false;
            while next_action < sc.actions.len() && sc.actions[next_action].at <= t {
                if let Some(text) =
                    actions::apply(sc, st, &sc.actions[next_action], &mut table, obs)
                {
                    obs.line(&notes::line(t, &text));
                }
                next_action += 1;
                acted = true;
            }
            if acted {
                shares = st.hpas.iter().map(|h| pod_share(sc, h)).collect();
            }
            for (d, def) in st.deps.iter_mut().zip(&sc.deployments) {
                if d.advance(t, def) {
                    st.endpoints_changed = true;
                }
            }
            if (t - sc.metrics_offset).rem_euclid(sc.metrics_resolution) == 0 {
                for (d, def) in st.deps.iter_mut().zip(&sc.deployments) {
                    crate::metrics::server::scrape(t, d, def);
                }
            }
            if t % sc.adapter_interval == 0 && !sc.metrics.is_empty() {
                st.adapter.refresh(t, sc, &st.deps, &st.queues);
            }
        }
        let now = clock::timestamp(t);
        for r in schedule.take_due(now) {
            let i = by_rank[r];
            let key = &keys[i];
            let before = {
                let st = state.borrow();
                st.deps[st.hpas[i].target].replicas
            };
            shell.current.set(Some(i));
            let report = pollster::block_on(control.sync(&shell, key, now))?;
            // KEP-6003: an autoscaler's own period (annotation or CRD field) when it has one
            let own = match &report {
                SyncReport::Synced { snapshot, .. } => {
                    alpaca_engine::sync_period::of(&snapshot.hpa)
                }
                SyncReport::Deleted(_) => alpaca_engine::sync_period::SyncPeriod::Controller,
            };
            let own_period = match own {
                alpaca_engine::sync_period::SyncPeriod::Own { seconds, .. } => {
                    SignedDuration::from_secs(i64::from(seconds))
                }
                _ => period,
            };
            schedule.after(r, now, own_period);
            let SyncReport::Synced {
                mut decision,
                snapshot,
                ..
            } = report
            else {
                continue;
            };
            // Kept only to explain the sync; dropped first, so that the status written
            // goes into the HPA object in place.
            let snapshot = opts.explain_at.is_some().then_some(snapshot);
            // The status written goes into the object; moved out of the Decision unless
            // the Decision may be kept to explain the sync.
            let keep = opts.explain_at.is_some();
            let written = state.borrow_mut().hpas[i].settle(|| {
                if keep {
                    decision.status.clone()
                } else {
                    std::mem::take(&mut decision.status)
                }
            });
            let st = state.borrow();
            let h = &st.hpas[i];
            let status = match (&h.object.status, written) {
                (Some(s), true) => s,
                _ => &decision.status,
            };
            records[i].syncs += 1;
            if let Some(want) = opts.explain_at {
                let closer = explained[i]
                    .as_ref()
                    .is_none_or(|e| (t - want).abs() < (e.at - want).abs());
                if closer {
                    // The loop decides without explanations; decide this sync again,
                    // explained (decide is pure, so the Decision is the same).
                    let decision = snapshot
                        .as_ref()
                        .and_then(|s| alpaca_engine::decide(s).ok())
                        .unwrap_or_else(|| *decision.clone());
                    explained[i] = Some(Explained { at: t, decision });
                }
            }
            if lines {
                if let Some(row) = table.row(i, &h.object, t) {
                    obs.line(&row);
                }
                for e in &h.fresh_events {
                    obs.line(&notes::line(
                        t,
                        &format!("{}: {} {}: {}", h.key.name, e.type_, e.reason, e.message),
                    ));
                }
            }
            if decision.rescale {
                let from = before;
                let message = h
                    .fresh_events
                    .iter()
                    .find(|e| e.reason == "SuccessfulRescale")
                    .map(|e| e.message.clone())
                    .unwrap_or_default();
                records[i].scale_events.push(record::ScaleEvent {
                    at: t,
                    from,
                    to: decision.desired_replicas,
                    message,
                });
                if decision.desired_replicas > records[i].peak.0 {
                    records[i].peak = (decision.desired_replicas, t);
                }
            }
            if let Some(note) = narrator.after_sync(i, t, &h.object, &decision, status, flag_window)
            {
                obs.line(&note);
            }
            let holds = &mut records[i].holds;
            let open = holds.last().is_some_and(|h| h.1 == Millis::MAX);
            match (narrator.holding(i), open) {
                (true, false) => holds.push((t, Millis::MAX)),
                (false, true) => {
                    if let Some(last) = holds.last_mut() {
                        last.1 = t;
                    }
                }
                _ => {}
            }
            drop(st);
            state.borrow_mut().hpas[i].fresh_events.clear();
        }
        let mut st = state.borrow_mut();
        let st = &mut *st;
        let traffic =
            workload::distribute(t, step, sc, &mut st.deps, &mut st.loads, &mut st.queues);
        st.endpoints_changed = false;
        for (i, h) in st.hpas.iter().enumerate() {
            let d = &st.deps[h.target];
            let dt = &traffic.deployments[h.target];
            let needed = needed_pods(shares[i], dt.offered_cpu);
            if tick < ticks {
                records[i].tick(
                    t,
                    step,
                    d.existing,
                    d.ready,
                    needed,
                    dt.served,
                    dt.latency_weighted,
                    dt.overloaded,
                );
            }
            if d.replicas > records[i].peak.0 {
                records[i].peak = (d.replicas, t);
            }
            if opts.record {
                records[i].samples.push(Sample {
                    t,
                    load: dt.offered,
                    ready: d.ready,
                    total: d.active,
                    desired: d.replicas,
                    needed,
                    metrics: metric_samples(&h.object),
                });
            }
        }
        if tick % progress_every == 0 || tick == ticks {
            obs.progress(t, sc.duration);
        }
    }
    let st = state.into_inner();
    let hpas = st
        .hpas
        .into_iter()
        .zip(records)
        .zip(explained)
        .map(|((h, record), explained)| HpaOutcome {
            metric_names: record::metric_names(&h.object),
            final_replicas: st.deps[h.target].replicas,
            record,
            object: Arc::unwrap_or_clone(h.object),
            events: h.events,
            explained,
        })
        .collect();
    Ok(Outcome {
        name: sc.name.clone(),
        title: sc.title.clone(),
        duration: sc.duration,
        step,
        hpas,
    })
}

/// Pods the offered load needs, given the CPU one pod should take ([`pod_share`]).
fn needed_pods(per_pod: f64, offered_cpu: f64) -> i64 {
    if offered_cpu <= 0.0 {
        return 0;
    }
    (offered_cpu / per_pod.max(1e-9) - 1e-9).ceil().max(0.0) as i64
}

/// The CPU one pod should take: the HPA's CPU utilization target when it has one,
/// otherwise the pods' full CPU budget.
fn pod_share(sc: &Scenario, h: &state::HpaState) -> f64 {
    let def = &sc.deployments[h.target];
    h.object
        .spec
        .metrics
        .iter()
        .flatten()
        .find_map(|m| {
            let r = m
                .resource
                .as_ref()
                .filter(|r| m.type_ == "Resource" && r.name == "cpu")?;
            let u = r.target.average_utilization?;
            (def.cpu_request > 0.0).then(|| def.cpu_request * f64::from(u) / 100.0)
        })
        .unwrap_or_else(|| {
            let w = def.workload;
            w.cpu_cap.map_or(1.0, |c| c - w.idle_cpu)
        })
}
