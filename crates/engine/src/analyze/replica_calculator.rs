//! The replica calculator (`ReplicaCalculator` upstream): from one metric's samples, the
//! number of replicas that brings the metric to its target, with upstream's treatment of
//! unready, missing and ignored pods and of the tolerance band.

use rustc_hash::FxHashMap as HashMap;

use k8s_openapi::api::autoscaling::v2::{CrossVersionObjectReference, ObjectMetricSource};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::tolerance::Tolerances;
use crate::monitor::PodMetricsInfo;
use crate::monitor::metrics_client::Cluster;
use crate::monitor::pods::{self, PodView, Readiness};
use crate::selector::{Selector, gogo_string, selector_from_object};
use crate::time::{ceil_i32, go_f64_to_i64};

/// What one proposal rests on, for the explanation; collected only when wanted.
pub(crate) struct Notes {
    enabled: bool,
    lines: Vec<String>,
}

impl Notes {
    /// Notes that are kept when `enabled`.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            lines: Vec::new(),
        }
    }

    /// Whether notes are kept (so formatting them is worth it).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Keeps a note.
    pub fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    /// The notes kept.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// The calculator for one sync.
pub(crate) struct Calculator<'c, 'a> {
    /// The cluster as read.
    pub cluster: &'c Cluster<'a>,
    /// The tolerance band.
    pub tolerances: Tolerances,
    /// The timing flags for cpu samples.
    pub readiness: Readiness,
}

const NO_PODS: &str = "no pods returned by selector while calculating replica count";
const NO_METRICS: &str = "did not receive metrics for targeted pods (pods might be unready)";

/// A resource-utilization proposal.
pub(crate) struct Utilization {
    pub replicas: i32,
    pub utilization: i32,
    pub raw_average: i64,
}

/// How a second pass fills in the samples of missing pods on a scale-down.
enum Fallback {
    /// Resource utilization: this percentage of the pod's request (`max(100, target)`).
    PercentOfRequest(i64),
    /// Plain metrics: exactly the target.
    Target(i64),
}

impl<'c, 'a> Calculator<'c, 'a> {
    fn pods(&self) -> Result<&'c [PodView<'a>], String> {
        if self.cluster.pods.is_empty() {
            Err(NO_PODS.into())
        } else {
            Ok(&self.cluster.pods)
        }
    }

    /// `GetResourceReplicas`: a Utilization target for a resource (or one container's).
    pub fn resource_replicas(
        &self,
        current: i32,
        target_utilization: i32,
        resource: &str,
        selector: &Selector,
        container: &str,
        notes: &mut Notes,
    ) -> Result<Utilization, String> {
        let (mut metrics, _) = self
            .cluster
            .resource_metric(resource, selector, container)
            .map_err(|e| format!("unable to get metrics for resource {resource}: {e}"))?;
        let pods = self.pods()?;
        let groups = pods::group(pods, &metrics, resource == "cpu", self.readiness);
        for name in groups.ignored.iter().chain(groups.unready.iter()) {
            metrics.remove(name);
        }
        if metrics.is_empty() {
            return Err(NO_METRICS.into());
        }
        let requests = self.requests(pods, container, resource)?;
        let (ratio, utilization, raw_average) =
            utilization_ratio(&metrics, &requests, target_utilization)?;
        detail!(notes, "{}", group_note(&groups, metrics.len()));
        detail!(
            notes,
            "{resource} usage averages {raw_average}m per pod = {utilization}% of request, against a target of {target_utilization}%: usage ratio {ratio:.3}"
        );
        let scale_up_with_unready = !groups.unready.is_empty() && ratio > 1.0;
        let mk = |replicas| Utilization {
            replicas,
            utilization,
            raw_average,
        };
        if !scale_up_with_unready && groups.missing.is_empty() {
            if self.tolerances.contains(ratio) {
                detail!(notes, "{}", self.within(ratio, current));
                return Ok(mk(current));
            }
            let replicas = ceil_i32(ratio * groups.ready as f64);
            detail!(
                notes,
                "outside the tolerance band {}: ceil({ratio:.3} × {} ready pods) = {replicas}",
                self.tolerances.band(),
                groups.ready
            );
            return Ok(mk(replicas));
        }
        let target = i64::from(target_utilization);
        self.fill_in(
            &mut metrics,
            &groups,
            ratio,
            Fallback::PercentOfRequest(target.max(100)),
            &requests,
            notes,
        );
        let (new_ratio, _, _) = utilization_ratio(&metrics, &requests, target_utilization)?;
        Ok(mk(self.second_pass(
            current,
            ratio,
            new_ratio,
            metrics.len(),
            notes,
        )))
    }

    /// `GetRawResourceReplicas`: an AverageValue target for a resource.
    pub fn raw_resource_replicas(
        &self,
        current: i32,
        target_usage: i64,
        resource: &str,
        selector: &Selector,
        container: &str,
        notes: &mut Notes,
    ) -> Result<(i32, i64), String> {
        let (metrics, _) = self
            .cluster
            .resource_metric(resource, selector, container)
            .map_err(|e| format!("unable to get metrics for resource {resource}: {e}"))?;
        self.plain_replicas(metrics, current, target_usage, resource, notes)
    }

    /// `GetMetricReplicas`: a Pods metric's AverageValue target.
    pub fn metric_replicas(
        &self,
        current: i32,
        target_usage: i64,
        metric_name: &str,
        metric_selector: &Selector,
        spec_selector: Option<&LabelSelector>,
        notes: &mut Notes,
    ) -> Result<(i32, i64), String> {
        let (metrics, _) = self
            .cluster
            .raw_metric(metric_name, metric_selector, spec_selector)
            .map_err(|e| format!("unable to get metric {metric_name}: {e}"))?;
        self.plain_replicas(metrics, current, target_usage, "", notes)
    }

    /// `calcPlainMetricReplicas`: an average per pod against a target per pod.
    fn plain_replicas(
        &self,
        mut metrics: PodMetricsInfo<'a>,
        current: i32,
        target_usage: i64,
        resource: &str,
        notes: &mut Notes,
    ) -> Result<(i32, i64), String> {
        let pods = self.pods()?;
        let groups = pods::group(pods, &metrics, resource == "cpu", self.readiness);
        for name in groups.ignored.iter().chain(groups.unready.iter()) {
            metrics.remove(name);
        }
        if metrics.is_empty() {
            return Err(NO_METRICS.into());
        }
        let (ratio, usage) = usage_ratio(&metrics, target_usage);
        detail!(notes, "{}", group_note(&groups, metrics.len()));
        detail!(
            notes,
            "average {} per pod against a target of {}: usage ratio {ratio:.3}",
            milli_text(usage),
            milli_text(target_usage)
        );
        let scale_up_with_unready = !groups.unready.is_empty() && ratio > 1.0;
        if !scale_up_with_unready && groups.missing.is_empty() {
            if self.tolerances.contains(ratio) {
                detail!(notes, "{}", self.within(ratio, current));
                return Ok((current, usage));
            }
            let replicas = ceil_i32(ratio * groups.ready as f64);
            detail!(
                notes,
                "outside the tolerance band {}: ceil({ratio:.3} × {} ready pods) = {replicas}",
                self.tolerances.band(),
                groups.ready
            );
            return Ok((replicas, usage));
        }
        self.fill_in(
            &mut metrics,
            &groups,
            ratio,
            Fallback::Target(target_usage),
            &HashMap::default(),
            notes,
        );
        let (new_ratio, _) = usage_ratio(&metrics, target_usage);
        Ok((
            self.second_pass(current, ratio, new_ratio, metrics.len(), notes),
            usage,
        ))
    }

    /// Assumes values for missing and unready pods, leaning against the direction of
    /// the change: missing pods use 0 on a scale-up and the fallback on a scale-down;
    /// unready pods use 0 on a scale-up.
    fn fill_in(
        &self,
        metrics: &mut PodMetricsInfo<'a>,
        groups: &pods::Groups<'a>,
        ratio: f64,
        fallback: Fallback,
        requests: &HashMap<&'a str, i64>,
        notes: &mut Notes,
    ) {
        let filler = |value| crate::monitor::PodMetric {
            timestamp: jiff::Timestamp::UNIX_EPOCH,
            window_nanos: 0,
            value,
        };
        if !groups.missing.is_empty() {
            if ratio < 1.0 {
                for &name in &groups.missing {
                    let value = match fallback {
                        Fallback::PercentOfRequest(pct) => {
                            requests.get(name).copied().unwrap_or(0).wrapping_mul(pct) / 100
                        }
                        Fallback::Target(t) => t,
                    };
                    metrics.insert(name, filler(value));
                }
                detail!(
                    notes,
                    "scale-down: {} pods without metrics are assumed to use {}",
                    groups.missing.len(),
                    match fallback {
                        Fallback::PercentOfRequest(p) => format!("{p}% of their request"),
                        Fallback::Target(t) => format!("the target ({})", milli_text(t)),
                    }
                );
            } else if ratio > 1.0 {
                for &name in &groups.missing {
                    metrics.insert(name, filler(0));
                }
                detail!(
                    notes,
                    "scale-up: {} pods without metrics are assumed to use nothing",
                    groups.missing.len()
                );
            }
        }
        if !groups.unready.is_empty() && ratio > 1.0 {
            for &name in &groups.unready {
                metrics.insert(name, filler(0));
            }
            detail!(
                notes,
                "scale-up: {} unready pods are assumed to use nothing",
                groups.unready.len()
            );
        }
    }

    /// The decision after unready and missing pods were filled in.
    fn second_pass(
        &self,
        current: i32,
        ratio: f64,
        new_ratio: f64,
        counted: usize,
        notes: &mut Notes,
    ) -> i32 {
        detail!(
            notes,
            "with those assumptions the usage ratio is {new_ratio:.3}"
        );
        if self.tolerances.contains(new_ratio) {
            detail!(notes, "{}", self.within(new_ratio, current));
            return current;
        }
        if (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
            detail!(
                notes,
                "the assumptions reverse the direction of the change, so keep {current} replicas"
            );
            return current;
        }
        let replicas = ceil_i32(new_ratio * counted as f64);
        if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
            detail!(
                notes,
                "ceil({new_ratio:.3} × {counted} pods) = {replicas} would move against the direction of the change, so keep {current} replicas"
            );
            return current;
        }
        detail!(notes, "ceil({new_ratio:.3} × {counted} pods) = {replicas}");
        replicas
    }

    fn within(&self, ratio: f64, current: i32) -> String {
        format!(
            "{ratio:.3} is inside the tolerance band {}: keep {current} replicas",
            self.tolerances.band()
        )
    }

    /// `calculateRequests`: each selected pod's request for the resource, in milli-units.
    /// Pods that share their spec (one template's, in compact records) are worked out once.
    fn requests(
        &self,
        pods: &[PodView<'a>],
        container: &str,
        resource: &str,
    ) -> Result<HashMap<&'a str, i64>, String> {
        let mut out = HashMap::with_capacity_and_hasher(pods.len(), Default::default());
        let mut last: Option<(*const k8s_openapi::api::core::v1::PodSpec, i64)> = None;
        for pod in pods {
            let name = pod.name;
            let Some(spec) = pod.spec else {
                return Err(format!(
                    "missing request for {resource} in container  of Pod {name}"
                ));
            };
            if let Some((ptr, request)) = last
                && std::ptr::eq(ptr, spec)
            {
                out.insert(name, request);
                continue;
            }
            let pod_level = spec
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .filter(|r| r.contains_key("cpu") || r.contains_key("memory"));
            let request = match pod_level {
                Some(reqs) if container.is_empty() => match reqs.get(resource) {
                    Some(q) => self.cluster.milli(q, || {
                        format!("pods[{name}].spec.resources.requests.{resource}")
                    }),
                    None => self
                        .container_requests(spec, name, container, resource)
                        .map_err(|_| {
                            format!("missing pod-level request for {resource} in Pod {name}")
                        })?,
                },
                _ => self.container_requests(spec, name, container, resource)?,
            };
            last = Some((spec, request));
            out.insert(name, request);
        }
        Ok(out)
    }

    /// `calculatePodRequestsFromContainers`: app containers and restartable init
    /// (sidecar) containers; one container when named.
    fn container_requests(
        &self,
        spec: &k8s_openapi::api::core::v1::PodSpec,
        name: &str,
        container: &str,
        resource: &str,
    ) -> Result<i64, String> {
        let sidecars = spec
            .init_containers
            .iter()
            .flatten()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"));
        let mut total = 0i64;
        for c in spec.containers.iter().chain(sidecars) {
            if container.is_empty() || container == c.name {
                let request = c
                    .resources
                    .as_ref()
                    .and_then(|r| r.requests.as_ref())
                    .and_then(|r| r.get(resource));
                let Some(q) = request else {
                    return Err(format!(
                        "missing request for {resource} in container {} of Pod {name}",
                        c.name
                    ));
                };
                total = total.wrapping_add(self.cluster.milli(q, || {
                    format!(
                        "pods[{name}].spec.containers[{}].resources.requests.{resource}",
                        c.name
                    )
                }));
            }
            if container == c.name {
                return Ok(total);
            }
        }
        if !container.is_empty() {
            return Err(format!("container {container} not found in Pod {name}"));
        }
        Ok(total)
    }

    /// `GetObjectMetric`, with the error the replica calculator wraps it in.
    fn object_usage(
        &self,
        source: &ObjectMetricSource,
        metric_selector: &Selector,
    ) -> Result<i64, String> {
        let (usage, _) = self
            .cluster
            .object_metric(
                &source.metric.name,
                &source.described_object,
                metric_selector,
                source.metric.selector.as_ref(),
            )
            .map_err(|e| self.object_error(&source.metric.name, &source.described_object, e))?;
        Ok(usage)
    }

    /// `GetObjectMetricReplicas`: an Object metric's Value target.
    pub fn object_replicas(
        &self,
        current: i32,
        target_usage: i64,
        source: &ObjectMetricSource,
        metric_selector: &Selector,
        notes: &mut Notes,
    ) -> Result<(i32, i64), String> {
        let usage = self.object_usage(source, metric_selector)?;
        let object = &source.described_object;
        let ratio = usage as f64 / target_usage as f64;
        detail!(
            notes,
            "{} {} reports {} against a target of {}: usage ratio {ratio:.3}",
            object.kind,
            object.name,
            milli_text(usage),
            milli_text(target_usage)
        );
        Ok((self.usage_ratio_replicas(current, ratio, notes)?, usage))
    }

    fn object_error(
        &self,
        metric: &str,
        object: &CrossVersionObjectReference,
        e: String,
    ) -> String {
        format!(
            "unable to get metric {metric} on {} {}/{}: {e}",
            object.kind, self.cluster.namespace, object.name
        )
    }

    /// `getUsageRatioReplicaCount`: ratio × ready pods (or, from zero, the ratio itself).
    fn usage_ratio_replicas(
        &self,
        current: i32,
        ratio: f64,
        notes: &mut Notes,
    ) -> Result<i32, String> {
        if current == 0 {
            let replicas = ceil_i32(ratio);
            detail!(notes, "from zero replicas: ceil({ratio:.3}) = {replicas}");
            return Ok(replicas);
        }
        if self.tolerances.contains(ratio) {
            detail!(notes, "{}", self.within(ratio, current));
            return Ok(current);
        }
        if self.cluster.pods.is_empty() {
            return Err(format!("unable to calculate ready pods: {NO_PODS}"));
        }
        let ready = self
            .cluster
            .pods
            .iter()
            .filter(|p| p.is_running_and_ready())
            .count();
        let product = ratio * ready as f64;
        let replicas = if product > f64::from(i32::MAX) {
            i32::MAX
        } else {
            ceil_i32(product)
        };
        detail!(
            notes,
            "outside the tolerance band {}: ceil({ratio:.3} × {ready} running and ready pods) = {replicas}",
            self.tolerances.band()
        );
        Ok(replicas)
    }

    /// `GetObjectPerPodMetricReplicas`: an Object metric's AverageValue target.
    pub fn object_per_pod_replicas(
        &self,
        status_replicas: i32,
        target_average: i64,
        source: &ObjectMetricSource,
        metric_selector: &Selector,
        notes: &mut Notes,
    ) -> Result<(i32, i64), String> {
        let usage = self.object_usage(source, metric_selector)?;
        let replicas = self.per_pod(usage, target_average, status_replicas, notes);
        Ok((replicas, per_pod_usage(usage, status_replicas)))
    }

    fn per_pod(
        &self,
        usage: i64,
        target_average: i64,
        status_replicas: i32,
        notes: &mut Notes,
    ) -> i32 {
        let ratio = usage as f64 / (target_average as f64 * f64::from(status_replicas));
        detail!(
            notes,
            "total {} over {status_replicas} replicas against a target of {} each: usage ratio {ratio:.3}",
            milli_text(usage),
            milli_text(target_average)
        );
        if self.tolerances.contains(ratio) {
            detail!(notes, "{}", self.within(ratio, status_replicas));
            return status_replicas;
        }
        let wanted = (usage as f64 / target_average as f64).ceil();
        let replicas = if wanted > f64::from(i32::MAX) {
            i32::MAX
        } else {
            ceil_i32(wanted)
        };
        detail!(
            notes,
            "outside the tolerance band {}: ceil({} / {}) = {replicas}",
            self.tolerances.band(),
            milli_text(usage),
            milli_text(target_average)
        );
        replicas
    }

    fn external_values(
        &self,
        metric_name: &str,
        metric_selector: Option<&LabelSelector>,
    ) -> Result<Vec<i64>, String> {
        let selector = selector_from_object(metric_selector)?;
        let (values, _) = self
            .cluster
            .external_metric(metric_name, &selector)
            .map_err(|e| {
                format!(
                    "unable to get external metric {}/{metric_name}/{}: {e}",
                    self.cluster.namespace,
                    gogo_string(metric_selector)
                )
            })?;
        Ok(values)
    }

    /// `GetExternalMetricReplicas`: an External metric's Value target.
    pub fn external_replicas(
        &self,
        current: i32,
        target_usage: i64,
        metric_name: &str,
        metric_selector: Option<&LabelSelector>,
        notes: &mut Notes,
    ) -> Result<(i32, i64), String> {
        let values = self.external_values(metric_name, metric_selector)?;
        let mut usage = 0i64;
        for v in &values {
            if *v > 0 && usage > i64::MAX - v {
                usage = i64::MAX;
                break;
            }
            usage = usage.wrapping_add(*v);
        }
        let ratio = usage as f64 / target_usage as f64;
        detail!(
            notes,
            "{metric_name} totals {} over {} series against a target of {}: usage ratio {ratio:.3}",
            milli_text(usage),
            values.len(),
            milli_text(target_usage)
        );
        Ok((self.usage_ratio_replicas(current, ratio, notes)?, usage))
    }

    /// `GetExternalPerPodMetricReplicas`: an External metric's AverageValue target.
    pub fn external_per_pod_replicas(
        &self,
        status_replicas: i32,
        target_average: i64,
        metric_name: &str,
        metric_selector: Option<&LabelSelector>,
        notes: &mut Notes,
    ) -> Result<(i32, i64), String> {
        let values = self.external_values(metric_name, metric_selector)?;
        let mut usage = 0i64;
        for v in &values {
            usage = usage.wrapping_add(*v);
            if usage < 0 {
                usage = i64::MAX;
                break;
            }
        }
        detail!(
            notes,
            "{metric_name} totals {} over {} series",
            milli_text(usage),
            values.len()
        );
        let replicas = self.per_pod(usage, target_average, status_replicas, notes);
        Ok((replicas, per_pod_usage(usage, status_replicas)))
    }
}

/// `GetResourceUtilizationRatio`: the ratio of utilization (whole percent of request) to
/// target, the utilization, and the raw average, over pods that have both.
fn utilization_ratio(
    metrics: &PodMetricsInfo<'_>,
    requests: &HashMap<&str, i64>,
    target: i32,
) -> Result<(f64, i32, i64), String> {
    let (mut total, mut requested, mut n) = (0i64, 0i64, 0i64);
    for (name, m) in metrics {
        if let Some(r) = requests.get(name) {
            total = total.wrapping_add(m.value);
            requested = requested.wrapping_add(*r);
            n += 1;
        }
    }
    if requested == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let utilization = (total.wrapping_mul(100) / requested) as i32;
    Ok((
        f64::from(utilization) / f64::from(target),
        utilization,
        total / n,
    ))
}

/// `GetMetricUsageRatio`: the average (integer division) against the target.
fn usage_ratio(metrics: &PodMetricsInfo<'_>, target: i64) -> (f64, i64) {
    let total = metrics
        .values()
        .fold(0i64, |acc, m| acc.wrapping_add(m.value));
    let average = total / metrics.len() as i64;
    (average as f64 / target as f64, average)
}

/// `getPerPodUsage`.
fn per_pod_usage(usage: i64, status_replicas: i32) -> i64 {
    if usage as f64 >= i64::MAX as f64 {
        return i64::MAX;
    }
    if status_replicas == 0 {
        return 0;
    }
    go_f64_to_i64((usage as f64 / f64::from(status_replicas)).ceil())
}

fn group_note(g: &pods::Groups<'_>, counted: usize) -> String {
    format!(
        "{} pods counted ({} ready with metrics), {} unready, {} without metrics, {} ignored (deleted or finished)",
        counted,
        g.ready,
        g.unready.len(),
        g.missing.len(),
        g.ignored.len()
    )
}

/// A milli-value as a person reads it: `610m`, `42`.
pub(crate) fn milli_text(v: i64) -> String {
    alpaca_quantity::Quantity::from_milli(v, alpaca_quantity::Format::DecimalSI).to_string()
}
