//! Resource metrics from Prometheus, as prometheus-adapter's resource provider answers them:
//! the `containerQuery` of `cpu` and `memory` grouped by namespace, pod and container for
//! pods, the `nodeQuery` grouped by node for nodes. The objects are listed from the cluster
//! when the adapter has one (their labels are then served and matched); without one, the
//! objects are those Prometheus has samples for. An object missing the cpu or the memory
//! sample is left out, as prometheus-adapter does; the timestamp is the earliest sample's.

use std::collections::{BTreeMap, BTreeSet};

use alpaca_quantity::{Format, Quantity as Exact};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::client::Sample;
use super::query_template::QueryArgs;
use super::resource_rules::ResourceRule;
use super::{PrometheusBackend, promql_string};
use crate::backend::lister::ListedObject;
use crate::backend::resource::{ResourceQuery, Usage};
use crate::backend::{BackendError, Labels};
use crate::resources::GroupResource;

/// (namespace, name) → container → (resource → value), with the earliest sample time.
type Collected = BTreeMap<(String, String), (f64, BTreeMap<String, BTreeMap<String, Quantity>>)>;

impl PrometheusBackend {
    /// The usage of the pods (`node` false) or nodes the query selects.
    pub async fn resource(
        &self,
        node: bool,
        q: &ResourceQuery,
    ) -> Result<Vec<Usage>, BackendError> {
        let rules = self.rules.resource.as_ref().ok_or_else(|| {
            BackendError::NotFound(
                "resource metrics are not configured: add resourceRules to the rules file".into(),
            )
        })?;
        let listed = match &self.lister {
            Some(l) => {
                let gr = GroupResource::parse(if node { "nodes" } else { "pods" });
                let ns = if node { None } else { q.namespace.as_deref() };
                let objects: Vec<ListedObject> = l
                    .objects(&gr, ns, &q.selector)
                    .await?
                    .into_iter()
                    .filter(|o| q.selects(&o.namespace, &o.name, &o.labels))
                    .collect();
                if objects.is_empty() {
                    return Ok(Vec::new());
                }
                Some(objects)
            }
            None if !q.selector.is_everything() => {
                return Err(BackendError::BadRequest(
                    "a labelSelector on pods or nodes needs cluster access to list them: start the adapter in a cluster or with --kubeconfig".into(),
                ));
            }
            None => None,
        };
        let mut collected = Collected::new();
        for (resource, rule, format) in [
            ("cpu", &rules.cpu, Format::DecimalSI),
            ("memory", &rules.memory, Format::BinarySI),
        ] {
            let query = query(rule, node, q, listed.as_deref())
                .map_err(|e| BackendError::Internal(format!("resourceRules.{resource}: {e}")))?;
            let samples = self.client.query(&query).await?;
            for s in samples {
                let Some((key, container)) = key_of(rule, node, &s) else {
                    continue;
                };
                let Some(value) = quantity(s.value, format) else {
                    continue;
                };
                let entry = collected
                    .entry(key)
                    .or_insert((s.timestamp, BTreeMap::new()));
                entry.0 = entry.0.min(s.timestamp);
                entry
                    .1
                    .entry(container)
                    .or_default()
                    .insert(resource.to_string(), value);
            }
        }
        let labels: BTreeMap<(String, String), Labels> = listed
            .unwrap_or_default()
            .into_iter()
            .map(|o| ((o.namespace, o.name), o.labels))
            .collect();
        Ok(collected
            .into_iter()
            .filter(|(_, (_, containers))| {
                ["cpu", "memory"]
                    .iter()
                    .all(|r| containers.values().any(|c| c.contains_key(*r)))
            })
            .filter(|((ns, name), _)| {
                labels.is_empty() || labels.contains_key(&(ns.clone(), name.clone()))
            })
            .filter(|((ns, name), _)| q.selects(ns, name, &Labels::new()) || !labels.is_empty())
            .map(|((namespace, name), (ts, containers))| Usage {
                labels: labels
                    .get(&(namespace.clone(), name.clone()))
                    .cloned()
                    .unwrap_or_default(),
                namespace,
                name,
                timestamp: Time(
                    jiff::Timestamp::from_second(ts as i64)
                        .unwrap_or_else(|_| jiff::Timestamp::now()),
                ),
                window: rules.window,
                containers: containers.into_iter().collect(),
            })
            .collect())
    }
}

/// The rendered query: matchers on the namespace and the listed (or named) objects.
fn query(
    rule: &ResourceRule,
    node: bool,
    q: &ResourceQuery,
    listed: Option<&[ListedObject]>,
) -> Result<String, String> {
    let one_of = |values: BTreeSet<&str>| {
        let alt: Vec<String> = values.into_iter().map(regex::escape).collect();
        promql_string(&format!("^(?:{})$", alt.join("|")))
    };
    let (name_label, template) = if node {
        (&rule.node_label, &rule.node_query)
    } else {
        (&rule.pod_label, &rule.container_query)
    };
    let joined = |values: BTreeSet<&str>| values.into_iter().collect::<Vec<_>>().join("|");
    let mut matchers = Vec::new();
    let mut values = BTreeMap::new();
    if !node {
        let ns_label = &rule.namespace_label;
        match (listed, &q.namespace) {
            (Some(objs), _) => {
                let nss: BTreeSet<&str> = objs.iter().map(|o| o.namespace.as_str()).collect();
                matchers.push(format!("{ns_label}=~{}", one_of(nss.clone())));
                values.insert(ns_label.clone(), joined(nss));
            }
            (None, Some(ns)) => {
                matchers.push(format!("{ns_label}={}", promql_string(ns)));
                values.insert(ns_label.clone(), ns.clone());
            }
            (None, None) => {
                matchers.push(format!("{ns_label}!=\"\""));
                values.insert(ns_label.clone(), ".+".into());
            }
        }
    }
    match (listed, &q.name) {
        (Some(objs), _) => {
            let names: BTreeSet<&str> = objs.iter().map(|o| o.name.as_str()).collect();
            matchers.push(format!("{name_label}=~{}", one_of(names.clone())));
            values.insert(name_label.clone(), joined(names));
        }
        (None, Some(n)) => {
            matchers.push(format!("{name_label}={}", promql_string(n)));
            values.insert(name_label.clone(), n.clone());
        }
        (None, None) => {
            matchers.push(format!("{name_label}!=\"\""));
            values.insert(name_label.clone(), ".+".into());
        }
    }
    let group_by_slice = if node {
        vec![rule.node_label.clone()]
    } else {
        vec![
            rule.namespace_label.clone(),
            rule.pod_label.clone(),
            rule.container_label.clone(),
        ]
    };
    template.render(&QueryArgs {
        series: String::new(),
        label_matchers: matchers.join(","),
        label_values_by_name: values,
        group_by_slice,
    })
}

/// Which object and container a sample is about.
fn key_of(rule: &ResourceRule, node: bool, s: &Sample) -> Option<((String, String), String)> {
    if node {
        let name = s.labels.get(&rule.node_label)?;
        return Some(((String::new(), name.clone()), String::new()));
    }
    let ns = s.labels.get(&rule.namespace_label)?;
    let pod = s.labels.get(&rule.pod_label)?;
    let container = s.labels.get(&rule.container_label)?;
    Some(((ns.clone(), pod.clone()), container.clone()))
}

/// Cores as milli-precision DecimalSI (prometheus-adapter's `NewMilliQuantity`); bytes as
/// whole BinarySI.
fn quantity(v: f64, format: Format) -> Option<Quantity> {
    if !v.is_finite() {
        return None;
    }
    let q = match format {
        Format::BinarySI => {
            Exact::from_int(v.clamp(i64::MIN as f64, i64::MAX as f64) as i64, format)
        }
        _ => Exact::from_milli(
            (v * 1000.0).clamp(i64::MIN as f64, i64::MAX as f64) as i64,
            format,
        ),
    };
    Some(Quantity(q.to_string()))
}
