//! The three metrics APIs and the scale lookup, answered from the Snapshot the way the API
//! servers answer the HPA's metrics client (`metricsclient.restMetricsClient`), with the same
//! error messages.

use rustc_hash::FxHashSet as HashSet;
use std::cell::{OnceCell, RefCell};

use jiff::Timestamp;
use k8s_openapi::api::autoscaling::v2::CrossVersionObjectReference;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as KQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::pods::PodView;
use super::{PodMetric, PodMetricsInfo};
use crate::error::FieldError;
use crate::pod_record::{PodRecord, PodUsage};
use crate::selector::{Selector, selector_from_object};
use crate::snapshot::Snapshot;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The metric selector a query asks for: as the HPA spec wrote it, and canonically.
struct Wanted<'s> {
    object: Option<&'s LabelSelector>,
    text: String,
}

/// The metrics-server default window, used when a custom metric has none.
const DEFAULT_WINDOW_NANOS: i64 = 60 * 1_000_000_000;

/// The cluster as one sync sees it: the Snapshot plus the first malformed input met.
pub(crate) struct Cluster<'a> {
    /// The Snapshot.
    pub snap: &'a Snapshot,
    /// The HPA's namespace.
    pub namespace: &'a str,
    /// The pods the target's selector selects (set once the selector is parsed).
    pub pods: Vec<PodView<'a>>,
    /// Their names, for membership checks (collected when first needed).
    pod_names: OnceCell<HashSet<&'a str>>,
    /// The first malformed value met in the Snapshot; `decide` reports it.
    pub bad_input: RefCell<Option<FieldError>>,
}

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``).
pub(crate) fn group_of(api_version: &str) -> &str {
    match api_version.split_once('/') {
        Some((group, _)) => group,
        None => "",
    }
}

/// How the API names a kind's resource (`UnsafeGuessKindToResource`) with its group:
/// `Deployment`/`apps` → `deployments.apps`, `Service`/`` → `services`.
pub(crate) fn group_resource(kind: &str, group: &str) -> String {
    let singular = kind.to_lowercase();
    let plural = if singular.ends_with("endpoints") {
        singular
    } else if let Some(stem) = singular.strip_suffix('y') {
        format!("{stem}ies")
    } else if singular.ends_with('s') {
        format!("{singular}es")
    } else {
        format!("{singular}s")
    };
    if group.is_empty() {
        plural
    } else {
        format!("{plural}.{group}")
    }
}

/// `str::trim`, skipped for the usual value that starts and ends with a visible ASCII
/// character (and so has no whitespace, ASCII or Unicode, to trim).
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_graphic) && b.last().is_some_and(u8::is_ascii_graphic) {
        s
    } else {
        s.trim()
    }
}

impl<'a> Cluster<'a> {
    /// A view of the Snapshot for an HPA in `namespace`.
    pub fn new(snap: &'a Snapshot, namespace: &'a str) -> Self {
        Self {
            snap,
            namespace,
            pods: Vec::new(),
            pod_names: OnceCell::new(),
            bad_input: RefCell::new(None),
        }
    }

    fn in_namespace(&self, ns: Option<&String>) -> bool {
        ns.is_none_or(|ns| ns.is_empty() || ns == self.namespace)
    }

    /// Lists the pods the selector selects, as the pod lister does.
    pub fn select_pods(&mut self, selector: &Selector) {
        let mut pods = Vec::new();
        match &self.snap.pod_records {
            Some(records) => {
                pods.reserve(records.len());
                let mut matches = LabelMatch::default();
                for p in records {
                    if self.in_namespace_str(&p.namespace) && matches.get(selector, &p.labels) {
                        pods.push(PodView::of_record(p));
                    }
                }
            }
            None => {
                pods.reserve(self.snap.pods.len());
                pods.extend(
                    self.snap
                        .pods
                        .iter()
                        .filter(|p| {
                            self.in_namespace(p.metadata.namespace.as_ref())
                                && selector.matches_opt(p.metadata.labels.as_ref())
                        })
                        .map(|p| PodView::of_pod(p)),
                );
            }
        }
        self.pods = pods;
        self.pod_names = OnceCell::new();
    }

    fn in_namespace_str(&self, ns: &str) -> bool {
        ns.is_empty() || ns == self.namespace
    }

    /// The names of the selected pods.
    fn pod_names(&self) -> &HashSet<&'a str> {
        self.pod_names
            .get_or_init(|| self.pods.iter().map(|p| p.name).collect())
    }

    /// Parses a quantity's milli-value; a malformed one is recorded and counts as 0.
    pub fn milli(&self, q: &KQuantity, field: impl FnOnce() -> String) -> i64 {
        match alpaca_quantity::Quantity::parse_milli_value(trim(&q.0)) {
            Ok(v) => v,
            Err(e) => {
                let mut bad = self.bad_input.borrow_mut();
                if bad.is_none() {
                    *bad = Some(FieldError::new(&field(), e.to_string()));
                }
                0
            }
        }
    }

    /// `GetResourceMetric`: per-pod usage of a resource from the resource metrics API,
    /// summed over containers (or of one container), and the first item's timestamp.
    pub fn resource_metric(
        &self,
        resource: &str,
        selector: &Selector,
        container: &str,
    ) -> Result<(PodMetricsInfo<'a>, Option<Timestamp>), String> {
        if let Some(e) = &self.snap.errors.pod_metrics {
            return Err(format!(
                "unable to fetch metrics from resource metrics API: {e}"
            ));
        }
        if let Some(records) = &self.snap.pod_records {
            return resource_metric_of_records(records, self, resource, selector, container);
        }
        let mut res = PodMetricsInfo::with_capacity_and_hasher(
            self.snap.pod_metrics.len(),
            Default::default(),
        );
        let mut first = None;
        for (i, m) in self.snap.pod_metrics.iter().enumerate() {
            if !self.in_namespace(m.metadata.namespace.as_ref())
                || !selector.matches_opt(m.metadata.labels.as_ref())
            {
                continue;
            }
            first.get_or_insert(m.timestamp.0);
            let name = m.metadata.name.as_deref().unwrap_or_default();
            let mut value = None;
            if container.is_empty() {
                let mut sum = 0i64;
                let mut missing = m.containers.is_empty();
                for (j, c) in m.containers.iter().enumerate() {
                    match c.usage.get(resource) {
                        Some(q) => {
                            sum = sum.wrapping_add(self.milli(q, || {
                                format!("podMetrics[{i}].containers[{j}].usage.{resource}")
                            }))
                        }
                        None => {
                            missing = true;
                            break;
                        }
                    }
                }
                if !missing {
                    value = Some(sum);
                }
            } else if let Some((j, c)) = m
                .containers
                .iter()
                .enumerate()
                .find(|(_, c)| c.name == container)
                && let Some(q) = c.usage.get(resource)
            {
                value = Some(self.milli(q, || {
                    format!("podMetrics[{i}].containers[{j}].usage.{resource}")
                }));
            }
            if let Some(value) = value {
                res.insert(
                    name,
                    PodMetric {
                        timestamp: m.timestamp.0,
                        window_nanos: m.window.nanos,
                        value,
                    },
                );
            }
        }
        if first.is_none() {
            return Err("no metrics returned from resource metrics API".into());
        }
        Ok((res, first))
    }

    /// Whether an item's metric selector is the one asked for, compared as canonical
    /// selector strings; structurally equal selectors match without being printed.
    fn same_selector(item: Option<&LabelSelector>, wanted: &Wanted<'_>) -> bool {
        item == wanted.object
            || selector_from_object(item).is_ok_and(|s| s.to_string() == wanted.text)
    }

    /// `GetRawMetric`: a Pods metric for the selected pods from the custom metrics API.
    pub fn raw_metric(
        &self,
        metric_name: &str,
        metric_selector: &Selector,
        spec_selector: Option<&LabelSelector>,
    ) -> Result<(PodMetricsInfo<'a>, Option<Timestamp>), String> {
        if let Some(e) = &self.snap.errors.custom_metrics {
            return Err(format!(
                "unable to fetch metrics from custom metrics API: {e}"
            ));
        }
        let wanted = Wanted {
            object: spec_selector,
            text: metric_selector.to_string(),
        };
        // One value per selected pod at most.
        let mut res = PodMetricsInfo::with_capacity_and_hasher(
            self.pods.len().min(self.snap.custom_metrics.len()),
            Default::default(),
        );
        let mut first = None;
        for (i, m) in self.snap.custom_metrics.iter().enumerate() {
            let o = &m.described_object;
            if o.kind.as_deref() != Some("Pod")
                || !group_of(o.api_version.as_deref().unwrap_or_default()).is_empty()
                || !self.in_namespace(o.namespace.as_ref())
                || m.metric.name != metric_name
            {
                continue;
            }
            let Some(name) = o.name.as_deref() else {
                continue;
            };
            let Some(&name) = self.pod_names().get(name) else {
                continue;
            };
            if !Self::same_selector(m.metric.selector.as_ref(), &wanted) {
                continue;
            }
            first.get_or_insert(m.timestamp.0);
            let value = self.milli(&m.value, || format!("customMetrics[{i}].value"));
            res.insert(
                name,
                PodMetric {
                    timestamp: m.timestamp.0,
                    window_nanos: m
                        .window_seconds
                        .map_or(DEFAULT_WINDOW_NANOS, |s| s.saturating_mul(1_000_000_000)),
                    value,
                },
            );
        }
        if res.is_empty() {
            return Err("no metrics returned from custom metrics API".into());
        }
        Ok((res, first))
    }

    /// `GetObjectMetric`: the value of a metric describing one object.
    pub fn object_metric(
        &self,
        metric_name: &str,
        object: &CrossVersionObjectReference,
        metric_selector: &Selector,
        spec_selector: Option<&LabelSelector>,
    ) -> Result<(i64, Option<Timestamp>), String> {
        let group = group_of(object.api_version.as_deref().unwrap_or_default());
        let root_namespace = object.kind == "Namespace" && group.is_empty();
        let name = if root_namespace {
            self.namespace
        } else {
            object.name.as_str()
        };
        if let Some(e) = &self.snap.errors.custom_metrics {
            return Err(format!(
                "unable to fetch metrics from custom metrics API: {e}"
            ));
        }
        let wanted = Wanted {
            object: spec_selector,
            text: metric_selector.to_string(),
        };
        let mut found = Vec::new();
        for (i, m) in self.snap.custom_metrics.iter().enumerate() {
            let o = &m.described_object;
            if o.kind.as_deref() == Some(object.kind.as_str())
                && o.name.as_deref() == Some(name)
                && group_of(o.api_version.as_deref().unwrap_or_default()) == group
                && (root_namespace || self.in_namespace(o.namespace.as_ref()))
                && m.metric.name == metric_name
                && Self::same_selector(m.metric.selector.as_ref(), &wanted)
            {
                found.push((i, m));
            }
        }
        match found.as_slice() {
            [(i, m)] => Ok((
                self.milli(&m.value, || format!("customMetrics[{i}].value")),
                Some(m.timestamp.0),
            )),
            [] => Err(format!(
                "unable to fetch metrics from custom metrics API: the server could not find the metric {metric_name} for {} {name}",
                group_resource(&object.kind, group)
            )),
            _ => Err(format!(
                "unable to fetch metrics from custom metrics API: the custom metrics API server returned {} results when we asked for exactly one",
                found.len()
            )),
        }
    }

    /// `GetExternalMetric`: every value of an external metric whose labels match.
    pub fn external_metric(
        &self,
        metric_name: &str,
        selector: &Selector,
    ) -> Result<(Vec<i64>, Option<Timestamp>), String> {
        if let Some(e) = &self.snap.errors.external_metrics {
            return Err(format!(
                "unable to fetch metrics from external metrics API: {e}"
            ));
        }
        // A nil selector (`labels.Nothing()`) is sent as "" and selects every series.
        let everything = Selector::everything();
        let selector = if selector == &Selector::nothing() {
            &everything
        } else {
            selector
        };
        let mut values = Vec::new();
        let mut first = None;
        for (i, m) in self.snap.external_metrics.iter().enumerate() {
            if m.metric_name == metric_name && selector.matches(&m.metric_labels) {
                first.get_or_insert(m.timestamp.0);
                values.push(self.milli(&m.value, || format!("externalMetrics[{i}].value")));
            }
        }
        if values.is_empty() {
            return Err("no metrics returned from external metrics API".into());
        }
        Ok((values, first))
    }
}

/// Whether a selector selects a set of labels, remembering the answer for the last set
/// (the pods of one template share theirs).
#[derive(Default)]
struct LabelMatch {
    last: Option<(*const BTreeMap<String, String>, bool)>,
}

impl LabelMatch {
    fn get(&mut self, selector: &Selector, labels: &Arc<BTreeMap<String, String>>) -> bool {
        let ptr = Arc::as_ptr(labels);
        match self.last {
            Some((p, m)) if p == ptr => m,
            _ => {
                let m = selector.matches(labels);
                self.last = Some((ptr, m));
                m
            }
        }
    }
}

/// [`Cluster::resource_metric`] from compact records: the same answer as from the
/// PodMetrics objects they stand for.
fn resource_metric_of_records<'a>(
    records: &'a [Arc<PodRecord>],
    cluster: &Cluster<'a>,
    resource: &str,
    selector: &Selector,
    container: &str,
) -> Result<(PodMetricsInfo<'a>, Option<Timestamp>), String> {
    let mut res = PodMetricsInfo::with_capacity_and_hasher(records.len(), Default::default());
    let mut first = None;
    let mut matches = LabelMatch::default();
    for p in records {
        let Some(m) = &p.usage else { continue };
        if !cluster.in_namespace_str(&p.namespace) || !matches.get(selector, &p.labels) {
            continue;
        }
        first.get_or_insert(m.timestamp);
        let value = if container.is_empty() {
            let mut sum = 0i64;
            let mut missing = m.containers.is_empty();
            for c in &m.containers {
                match PodUsage::of(c, resource) {
                    Some(v) => sum = sum.wrapping_add(v),
                    None => {
                        missing = true;
                        break;
                    }
                }
            }
            (!missing).then_some(sum)
        } else {
            m.containers
                .iter()
                .find(|c| &*c.name == container)
                .and_then(|c| PodUsage::of(c, resource))
        };
        if let Some(value) = value {
            res.insert(
                &p.name,
                PodMetric {
                    timestamp: m.timestamp,
                    window_nanos: m.window_nanos,
                    value,
                },
            );
        }
    }
    if first.is_none() {
        return Err("no metrics returned from resource metrics API".into());
    }
    Ok((res, first))
}
