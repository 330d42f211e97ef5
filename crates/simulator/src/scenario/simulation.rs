//! Resolving the Simulation document against the manifests: names to indices, defaults,
//! and range checks, each error naming its field.

use std::path::Path;

use alpaca_engine::snapshot::ControllerConfig;
use alpaca_metrics_api::GoDuration;

use super::documents::Document;
use super::kube;
use super::model::*;
use super::spec::*;
use super::units::{Qty, non_negative};
use crate::clock::{Millis, SECOND};
use crate::error::ScenarioError;
use crate::load::rate::Rate;

/// The longest run the simulator accepts.
const MAX_DURATION: Millis = 31 * 24 * 3600 * SECOND;

/// The manifests already read.
pub struct Manifests {
    /// Deployments.
    pub deployments: Vec<DeploymentDef>,
    /// Services.
    pub services: Vec<ServiceDef>,
    /// HPAs.
    pub hpas: Vec<HpaDef>,
}

struct Ctx<'a> {
    doc: &'a Document,
    m: &'a Manifests,
    base_dir: Option<&'a Path>,
}

fn ns(n: &Option<String>) -> String {
    n.clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into())
}

impl Ctx<'_> {
    fn err(&self, field: impl Into<String>, problem: impl Into<String>) -> ScenarioError {
        self.doc.error(field, problem)
    }

    fn deployment(&self, field: &str, name: &str, namespace: &str) -> Result<usize, ScenarioError> {
        self.m
            .deployments
            .iter()
            .position(|d| d.name == name && d.namespace == namespace)
            .ok_or_else(|| {
                let known: Vec<&str> = self.m.deployments.iter().map(|d| d.name.as_str()).collect();
                self.err(
                    field,
                    format!(
                        "no Deployment {name:?} in namespace {namespace:?} (Deployments: {})",
                        known.join(", ")
                    ),
                )
            })
    }

    fn service(&self, field: &str, name: &str, namespace: &str) -> Result<usize, ScenarioError> {
        self.m
            .services
            .iter()
            .position(|s| s.name == name && s.namespace == namespace)
            .ok_or_else(|| {
                let known: Vec<&str> = self.m.services.iter().map(|s| s.name.as_str()).collect();
                self.err(
                    field,
                    format!(
                        "no Service {name:?} in namespace {namespace:?} (Services: {})",
                        known.join(", ")
                    ),
                )
            })
    }

    fn positive(
        &self,
        field: &str,
        d: Option<super::units::Dur>,
        default: Millis,
    ) -> Result<Millis, ScenarioError> {
        let v = d.map_or(default, |d| d.ms());
        if v <= 0 {
            return Err(self.err(field, "must be greater than 0"));
        }
        Ok(v)
    }

    fn qty(&self, field: &str, q: Qty) -> Result<f64, ScenarioError> {
        non_negative(q).map_err(|p| self.err(field, p))
    }

    fn rate(&self, field: &str, spec: &RateSpec) -> Result<Rate, ScenarioError> {
        Ok(match spec {
            RateSpec::Constant(q) => Rate::Constant(self.qty(&format!("{field}.constant"), *q)?),
            RateSpec::Steps(steps) => {
                if steps.is_empty() {
                    return Err(self.err(format!("{field}.steps"), "at least one step is required"));
                }
                let mut out: Vec<(Millis, f64)> = Vec::new();
                for (i, s) in steps.iter().enumerate() {
                    let r = self.qty(&format!("{field}.steps[{i}].rate"), s.rate)?;
                    if out.last().is_some_and(|l| l.0 > s.at.ms()) {
                        return Err(self.err(
                            format!("{field}.steps[{i}].at"),
                            "steps must be in time order",
                        ));
                    }
                    out.push((s.at.ms(), r));
                }
                Rate::Steps(out)
            }
            RateSpec::Ramp(r) => Rate::Ramp {
                from: self.qty(&format!("{field}.ramp.from"), r.from)?,
                to: self.qty(&format!("{field}.ramp.to"), r.to)?,
                start: r.start.map_or(0, |d| d.ms()),
                over: r.over.ms(),
            },
            RateSpec::Sine(s) => Rate::Sine {
                base: self.qty(&format!("{field}.sine.base"), s.base)?,
                amplitude: s.amplitude.0,
                period: self.positive(&format!("{field}.sine.period"), Some(s.period), 1)?,
                phase: s.phase.map_or(0, |d| d.ms()),
            },
            RateSpec::Csv(file) => {
                let path = match self.base_dir {
                    Some(dir) => dir.join(file),
                    None => Path::new(file).to_path_buf(),
                };
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    self.err(
                        format!("{field}.csv"),
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                let points = crate::load::csv::parse_trace(&text).map_err(|e| {
                    self.err(format!("{field}.csv"), format!("{}: {e}", path.display()))
                })?;
                Rate::Trace(points)
            }
        })
    }

    fn noise(&self, field: &str, n: Option<f64>) -> Result<f64, ScenarioError> {
        let n = n.unwrap_or(0.0);
        if !(0.0..=10.0).contains(&n) || !n.is_finite() {
            return Err(self.err(field, "must be between 0 and 10"));
        }
        Ok(n)
    }
}

/// Everything the Simulation document says, resolved.
pub fn resolve(
    doc: &Document,
    mut m: Manifests,
    base_dir: Option<&Path>,
    default_name: &str,
) -> Result<Scenario, ScenarioError> {
    let sim: SimulationDoc = doc.read()?;
    let s = &sim.spec;
    let mut workloads_seen = vec![false; m.deployments.len()];
    // Workloads first: they change the Deployments.
    for (i, w) in s.workloads.iter().enumerate() {
        let cx = Ctx {
            doc,
            m: &m,
            base_dir,
        };
        let f = format!("spec.workloads[{i}]");
        let d = cx.deployment(&format!("{f}.deployment"), &w.deployment, &ns(&w.namespace))?;
        if std::mem::replace(&mut workloads_seen[d], true) {
            return Err(cx.err(
                format!("{f}.deployment"),
                format!("Deployment {:?} already has a workload", w.deployment),
            ));
        }
        let mut wl = m.deployments[d].workload;
        if let Some(c) = w.cpu_per_request {
            if c.0 <= 0.0 {
                return Err(cx.err(format!("{f}.cpuPerRequest"), "must be greater than 0"));
            }
            wl.cpu_per_request = c.0;
        }
        if let Some(q) = w.idle_cpu {
            wl.idle_cpu = cx.qty(&format!("{f}.idleCpu"), q)?;
            wl.startup_cpu = wl.idle_cpu;
        }
        if let Some(q) = w.startup_cpu {
            wl.startup_cpu = cx.qty(&format!("{f}.startupCpu"), q)?;
        }
        if let Some(q) = w.memory {
            wl.memory = cx.qty(&format!("{f}.memory"), q)?;
        }
        if let Some(q) = w.memory_per_rps {
            wl.memory_per_rps = cx.qty(&format!("{f}.memoryPerRps"), q)?;
        }
        if let Some(d) = w.startup_time {
            wl.startup_time = d.ms();
        }
        if let Some(d) = w.readiness_delay {
            wl.readiness_delay = d.ms();
        }
        if let Some(d) = w.shutdown_time {
            wl.shutdown_time = d.ms();
        }
        if let Some(q) = w.cpu_limit {
            let cap = cx.qty(&format!("{f}.cpuLimit"), q)?;
            if cap <= 0.0 {
                return Err(cx.err(format!("{f}.cpuLimit"), "must be greater than 0"));
            }
            wl.cpu_cap = Some(cap);
        }
        if wl.cpu_cap.is_some_and(|cap| cap <= wl.idle_cpu) {
            return Err(cx.err(format!("{f}.idleCpu"), "must be below the CPU limit"));
        }
        m.deployments[d].workload = wl;
    }
    let cx = Ctx {
        doc,
        m: &m,
        base_dir,
    };

    let duration = s.duration.ms();
    if duration <= 0 || duration > MAX_DURATION {
        return Err(cx.err(
            "spec.duration",
            "must be greater than 0 and at most 744h (31 days)",
        ));
    }
    let step = cx.positive("spec.step", s.step, SECOND)?;
    if step > 60 * SECOND {
        return Err(cx.err("spec.step", "must be at most 1m"));
    }
    let c = &s.controller;
    let sync_period = cx.positive("spec.controller.syncPeriod", c.sync_period, 15 * SECOND)?;
    if sync_period < step {
        return Err(cx.err(
            "spec.controller.syncPeriod",
            "must not be shorter than spec.step",
        ));
    }
    let tolerance = c.tolerance.unwrap_or(0.1);
    if !(0.0..1.0).contains(&tolerance) {
        return Err(cx.err(
            "spec.controller.tolerance",
            "must be at least 0 and below 1",
        ));
    }
    let nanos = |d: Option<super::units::Dur>, default: Millis| {
        GoDuration::from_nanos(d.map_or(default, |d| d.ms()) * 1_000_000)
    };
    let controller = ControllerConfig {
        tolerance,
        cpu_initialization_period: nanos(c.cpu_initialization_period, 300 * SECOND),
        initial_readiness_delay: nanos(c.initial_readiness_delay, 30 * SECOND),
        downscale_stabilization_window: nanos(c.downscale_stabilization, 300 * SECOND),
        hpa_scale_to_zero: c.hpa_scale_to_zero.unwrap_or(true),
    };
    if !controller.hpa_scale_to_zero
        && let Some(h) = m
            .hpas
            .iter()
            .find(|h| h.admitted.spec.min_replicas == Some(0))
    {
        return Err(cx.err(
            "spec.controller.hpaScaleToZero",
            format!(
                "false refuses minReplicas 0, which HorizontalPodAutoscaler {:?} has (as an API server without HPAScaleToZero would)",
                h.name
            ),
        ));
    }
    let metrics_resolution = cx.positive(
        "spec.metricsServer.resolution",
        s.metrics_server.resolution,
        15 * SECOND,
    )?;
    if metrics_resolution < step {
        return Err(cx.err(
            "spec.metricsServer.resolution",
            "must not be shorter than spec.step",
        ));
    }
    let metrics_offset = s.metrics_server.offset.map_or(0, |d| d.ms());
    if metrics_offset >= metrics_resolution {
        return Err(cx.err(
            "spec.metricsServer.offset",
            "must be shorter than the resolution",
        ));
    }
    let adapter_interval = cx.positive(
        "spec.metricsAdapter.interval",
        s.metrics_adapter.interval,
        15 * SECOND,
    )?;

    let mut loads = Vec::new();
    for (i, l) in s.load.iter().enumerate() {
        let f = format!("spec.load[{i}]");
        if loads.iter().any(|x: &LoadDef| x.name == l.name) {
            return Err(cx.err(
                format!("{f}.name"),
                format!("another load is named {:?}", l.name),
            ));
        }
        let service = cx.service(&format!("{f}.service"), &l.service, &ns(&l.namespace))?;
        let kind = match (&l.rate, &l.clients) {
            (Some(r), None) => LoadKind::Open(cx.rate(&format!("{f}.rate"), r)?),
            (None, Some(c)) => {
                if c.count > 100_000 {
                    return Err(cx.err(format!("{f}.clients.count"), "must be at most 100000"));
                }
                LoadKind::Closed {
                    clients: c.count,
                    think: c.think_time.map_or(0.0, |t| t.0),
                }
            }
            _ => {
                return Err(cx.err(
                    f,
                    "exactly one of `rate` (open loop) and `clients` (closed loop) is required",
                ));
            }
        };
        let stop = l.stop.map(|d| d.ms());
        let start = l.start.map_or(0, |d| d.ms());
        if stop.is_some_and(|s| s < start) {
            return Err(cx.err(format!("{f}.stop"), "must not be before start"));
        }
        loads.push(LoadDef {
            name: l.name.clone(),
            service,
            kind,
            noise: cx.noise(&format!("{f}.noise"), l.noise)?,
            noise_period: cx.positive(&format!("{f}.noisePeriod"), l.noise_period, 30 * SECOND)?,
            noise_stream: l.noise_stream.clone().unwrap_or_else(|| l.name.clone()),
            start,
            stop,
        });
    }

    let mut queues: Vec<QueueDef> = Vec::new();
    for (i, q) in s.queues.iter().enumerate() {
        let f = format!("spec.queues[{i}]");
        if queues.iter().any(|x| x.name == q.name) {
            return Err(cx.err(
                format!("{f}.name"),
                format!("another queue is named {:?}", q.name),
            ));
        }
        queues.push(QueueDef {
            name: q.name.clone(),
            workers: cx.deployment(&format!("{f}.workers"), &q.workers, &ns(&q.namespace))?,
            arrival: cx.rate(&format!("{f}.arrival"), &q.arrival)?,
            noise: cx.noise(&format!("{f}.noise"), q.noise)?,
            noise_period: cx.positive(&format!("{f}.noisePeriod"), q.noise_period, 30 * SECOND)?,
            initial: q
                .initial
                .map_or(Ok(0.0), |v| cx.qty(&format!("{f}.initial"), v))?,
        });
    }

    let mut metrics = Vec::new();
    for (i, cm) in s.custom_metrics.iter().enumerate() {
        let f = format!("spec.customMetrics[{i}]");
        let namespace = ns(&cm.namespace);
        let target = match (&cm.pods, &cm.object, &cm.external) {
            (Some(p), None, None) => MetricTarget::Pods(cx.deployment(
                &format!("{f}.pods.deployment"),
                &p.deployment,
                &namespace,
            )?),
            (None, Some(o), None) => MetricTarget::Object {
                group: o
                    .api_version
                    .as_deref()
                    .and_then(|v| v.split_once('/'))
                    .map(|(g, _)| g.to_string())
                    .unwrap_or_default(),
                kind: o.kind.clone(),
                name: o.name.clone(),
            },
            (None, None, Some(e)) => MetricTarget::External(e.labels.clone()),
            _ => {
                return Err(cx.err(
                    f,
                    "exactly one of `pods`, `object` and `external` is required",
                ));
            }
        };
        let value = match &cm.value {
            ValueSpec::Constant(q) => MetricValueSource::Values(vec![(0, q.0)]),
            ValueSpec::Schedule(vals) => {
                let mut out = vec![(0, 0.0)];
                for (j, v) in vals.iter().enumerate() {
                    if out.last().is_some_and(|l| l.0 > v.at.ms()) {
                        return Err(cx.err(
                            format!("{f}.value.schedule[{j}].at"),
                            "values must be in time order",
                        ));
                    }
                    out.push((v.at.ms(), v.value.0));
                }
                MetricValueSource::Values(out)
            }
            ValueSpec::RequestRate(r) => {
                let service = match &r.service {
                    Some(name) => Some(cx.service(
                        &format!("{f}.value.requestRate.service"),
                        name,
                        &namespace,
                    )?),
                    None if matches!(target, MetricTarget::Pods(_)) => None,
                    None => {
                        return Err(cx.err(
                            format!("{f}.value.requestRate.service"),
                            "required for Object and External metrics",
                        ));
                    }
                };
                MetricValueSource::RequestRate {
                    service,
                    factor: r.factor.unwrap_or(1.0),
                }
            }
            ValueSpec::QueueLength(name) => MetricValueSource::QueueLength(
                queues.iter().position(|q| &q.name == name).ok_or_else(|| {
                    cx.err(
                        format!("{f}.value.queueLength"),
                        format!("no queue named {name:?}"),
                    )
                })?,
            ),
        };
        metrics.push(MetricDef {
            name: cm.name.clone(),
            namespace,
            target,
            value,
        });
    }

    let mut actions = Vec::new();
    for (i, a) in s.actions.iter().enumerate() {
        let f = format!("spec.actions[{i}]");
        let load = |field: &str, name: &str| {
            loads
                .iter()
                .position(|l| l.name == name)
                .ok_or_else(|| cx.err(format!("{f}.{field}"), format!("no load named {name:?}")))
        };
        let mut whats = Vec::new();
        if let Some(n) = &a.start_load {
            whats.push(Action::StartLoad(load("startLoad", n)?));
        }
        if let Some(n) = &a.stop_load {
            whats.push(Action::StopLoad(load("stopLoad", n)?));
        }
        if let Some(r) = &a.set_rate {
            let l = load("setRate.load", &r.load)?;
            whats.push(Action::SetRate(
                l,
                cx.rate(&format!("{f}.setRate.rate"), &r.rate)?,
            ));
        }
        if let Some(sm) = &a.set_metric {
            let found: Vec<usize> = metrics
                .iter()
                .enumerate()
                .filter(|(_, m)| m.name == sm.name)
                .map(|(j, _)| j)
                .collect();
            if found.is_empty() {
                return Err(cx.err(
                    format!("{f}.setMetric.name"),
                    format!("no custom metric named {:?} in spec.customMetrics", sm.name),
                ));
            }
            for j in found {
                whats.push(Action::SetMetric(j, sm.value.0));
            }
        }
        if let Some(p) = &a.patch_hpa {
            let namespace = ns(&p.namespace);
            let h = m
                .hpas
                .iter()
                .position(|h| h.name == p.name && h.namespace == namespace)
                .ok_or_else(|| {
                    cx.err(
                        format!("{f}.patchHpa.name"),
                        format!("no HorizontalPodAutoscaler {:?}", p.name),
                    )
                })?;
            let mut written = m.hpas[h].written.clone();
            merge_patch(&mut written, &p.patch);
            let admitted = kube::admit(&written).map_err(|(field, problem)| {
                cx.err(
                    format!("{f}.patchHpa.patch"),
                    format!("the patched HPA is invalid: {field}: {problem}"),
                )
            })?;
            let target = kube::find_target(&admitted, &namespace, &m.deployments)
                .map_err(|p| cx.err(format!("{f}.patchHpa.patch"), p))?;
            if target != m.hpas[h].target {
                return Err(cx.err(
                    format!("{f}.patchHpa.patch"),
                    "changing the scale target is not supported",
                ));
            }
            whats.push(Action::PatchHpa(h, Box::new((written, admitted))));
        }
        for (key, name, dark) in [
            ("metricOutage", &a.metric_outage, true),
            ("metricRestored", &a.metric_restored, false),
        ] {
            let Some(name) = name else { continue };
            let found: Vec<usize> = metrics
                .iter()
                .enumerate()
                .filter(|(_, m)| &m.name == name && matches!(m.target, MetricTarget::External(_)))
                .map(|(j, _)| j)
                .collect();
            if found.is_empty() {
                return Err(cx.err(
                    format!("{f}.{key}"),
                    format!("no External metric named {name:?} in spec.customMetrics"),
                ));
            }
            // one action per entry: all the series of that name
            whats.push(Action::Outage(found[0], dark));
            for j in found.into_iter().skip(1) {
                actions.push(ActionDef {
                    at: a.at.ms(),
                    what: Action::Outage(j, dark),
                });
            }
        }
        if let Some(sd) = &a.scale_deployment {
            if sd.replicas < 0 {
                return Err(cx.err(
                    format!("{f}.scaleDeployment.replicas"),
                    "must be greater than or equal to 0",
                ));
            }
            let d = cx.deployment(
                &format!("{f}.scaleDeployment.name"),
                &sd.name,
                &ns(&sd.namespace),
            )?;
            whats.push(Action::ScaleDeployment(d, sd.replicas));
        }
        match whats.len() {
            0 => return Err(cx.err(f, "no action: set one of startLoad, stopLoad, setRate, setMetric, patchHpa, scaleDeployment, metricOutage, metricRestored")),
            1 => {}
            _ if a.set_metric.is_some() && a.start_load.is_none() && a.stop_load.is_none() && a.set_rate.is_none() && a.patch_hpa.is_none() && a.scale_deployment.is_none() => {}
            _ => return Err(cx.err(f, "one action per entry: split it into several entries")),
        }
        for what in whats {
            actions.push(ActionDef {
                at: a.at.ms(),
                what,
            });
        }
    }
    actions.sort_by_key(|a| a.at);

    let name = sim
        .metadata
        .name
        .clone()
        .unwrap_or_else(|| default_name.to_string());
    Ok(Scenario {
        title: s.title.clone().unwrap_or_else(|| name.clone()),
        name,
        duration,
        step,
        seed: s.seed.unwrap_or(1),
        sync_period,
        controller,
        metrics_resolution,
        metrics_offset,
        adapter_interval,
        deployments: m.deployments,
        services: m.services,
        hpas: m.hpas,
        loads,
        queues,
        metrics,
        actions,
    })
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match patch {
        serde_json::Value::Object(p) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(Default::default());
            }
            if let Some(t) = target.as_object_mut() {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}
