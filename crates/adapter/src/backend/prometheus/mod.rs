//! The Prometheus backend: periodic discovery of the series the rules select (which custom
//! and external metrics exist), and instant queries built from a rule's `metricsQuery` with
//! the series name, label matchers for the objects and selectors, and the group-by label.

pub mod client;
pub mod connection;
pub mod query_template;
mod resource;
pub mod resource_rules;
pub mod rules;
pub mod template;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use alpaca_metrics_api::custom::MetricIdentifier;
use alpaca_metrics_api::external::ExternalMetricValue;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use tokio::sync::watch;

use super::{
    BackendError, CustomMetricInfo, CustomQuery, CustomValue, ExternalQuery, ObjectSelection,
};
use crate::backend::lister::ObjectLister;
use crate::selector::{Operator, Requirement, Selector};
use client::{PrometheusClient, Sample};
use query_template::QueryArgs;
use rules::{Rule, Rules};

/// Which rule and series answer a metric.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    rule: usize,
    series: String,
}

#[derive(Debug, Default)]
struct Discovered {
    custom: BTreeMap<CustomMetricInfo, Source>,
    external: BTreeMap<String, Source>,
}

/// Serves metrics from Prometheus.
#[derive(Debug)]
pub struct PrometheusBackend {
    client: PrometheusClient,
    rules: Rules,
    lister: Option<ObjectLister>,
    relist: Duration,
    /// How far back discovery looks for series (`--metrics-max-age`).
    max_age: Duration,
    discovered: RwLock<Arc<Discovered>>,
    ready: AtomicBool,
}

impl PrometheusBackend {
    /// A backend for the server at `url`; `lister` resolves `labelSelector` on objects.
    pub fn new(
        url: &str,
        timeout: Duration,
        rules: Rules,
        lister: Option<ObjectLister>,
        relist: Duration,
    ) -> Result<Self, BackendError> {
        Self::with_client(PrometheusClient::new(url, timeout)?, rules, lister, relist)
    }

    /// A backend using `client` (see [`PrometheusClient::with_options`]).
    pub fn with_client(
        client: PrometheusClient,
        rules: Rules,
        lister: Option<ObjectLister>,
        relist: Duration,
    ) -> Result<Self, BackendError> {
        Ok(Self {
            client,
            rules,
            lister,
            relist,
            max_age: relist,
            discovered: RwLock::new(Arc::new(Discovered::default())),
            ready: AtomicBool::new(false),
        })
    }

    /// Looks `max_age` back for series when discovering (prometheus-adapter's
    /// `--metrics-max-age`; by default the relist interval, as there).
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    fn snapshot(&self) -> Arc<Discovered> {
        self.discovered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether a discovery has succeeded.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Runs one discovery: asks Prometheus for the series of every rule seen in the last
    /// `max_age` and records which metrics exist. On failure the previous result is kept.
    pub async fn discover(&self) -> Result<(), BackendError> {
        let now = jiff::Timestamp::now().as_nanosecond() as f64 / 1e9;
        let start = now - self.max_age.as_secs_f64();
        let mut found = Discovered::default();
        for (i, rule) in self.rules.custom.iter().enumerate() {
            for labels in self.client.series(&rule.series_query, start).await? {
                let Some(series) = labels.get("__name__") else {
                    continue;
                };
                let Some(metric) = rule.metric_name(series) else {
                    continue;
                };
                let namespaced = rule
                    .namespace_label()
                    .is_some_and(|l| labels.contains_key(&l));
                for label in labels.keys() {
                    let Some(resource) = rule.resource_for_label(label) else {
                        continue;
                    };
                    let info = CustomMetricInfo {
                        namespaced: namespaced && resource.resource != "namespaces",
                        resource,
                        metric: metric.clone(),
                    };
                    found.custom.entry(info).or_insert_with(|| Source {
                        rule: i,
                        series: series.clone(),
                    });
                }
            }
        }
        for (i, rule) in self.rules.external.iter().enumerate() {
            for labels in self.client.series(&rule.series_query, start).await? {
                let Some(series) = labels.get("__name__") else {
                    continue;
                };
                let Some(metric) = rule.metric_name(series) else {
                    continue;
                };
                found.external.entry(metric).or_insert_with(|| Source {
                    rule: i,
                    series: series.clone(),
                });
            }
        }
        *self.discovered.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(found);
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Rediscovers every relist interval until `shutdown` turns true.
    pub async fn run_discovery(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.discover().await {
                tracing::warn!(error = %e, "metric discovery failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.relist) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    /// The custom metrics last discovered.
    pub fn list_custom(&self) -> Vec<CustomMetricInfo> {
        self.snapshot().custom.keys().cloned().collect()
    }

    /// The external metrics last discovered.
    pub fn list_external(&self) -> Vec<String> {
        self.snapshot().external.keys().cloned().collect()
    }

    /// Answers a custom metric query.
    pub async fn custom(&self, q: &CustomQuery) -> Result<Vec<CustomValue>, BackendError> {
        let snap = self.snapshot();
        let src = snap.custom.get(&q.info).ok_or_else(|| {
            BackendError::NotFound(format!(
                "the server could not find the metric {} for {}",
                q.info.metric, q.info.resource
            ))
        })?;
        let rule = &self.rules.custom[src.rule];
        let res_label = rule.label_for_resource(&q.info.resource).ok_or_else(|| {
            BackendError::NotFound(format!(
                "no label of rule {} names {}",
                rule.id, q.info.resource
            ))
        })?;
        // As prometheus-adapter builds it: the metric selector, the namespace, the objects.
        let mut listed: Option<Vec<String>> = None;
        let mut matchers = selector_matchers(&q.metric_selector);
        let mut values = selector_values(&q.metric_selector);
        if q.info.namespaced
            && let (Some(ns_label), Some(ns)) = (rule.namespace_label(), &q.namespace)
        {
            matchers.push(format!("{ns_label}={}", promql_string(ns)));
            values.insert(ns_label, ns.clone());
        }
        match &q.objects {
            ObjectSelection::Named(n) => {
                matchers.push(format!("{res_label}={}", promql_string(n)));
                values.insert(res_label.clone(), n.clone());
            }
            // Without a cluster to list them from, every object the series has.
            ObjectSelection::Selected(sel) if self.lister.is_none() && sel.is_everything() => {
                matchers.push(format!("{res_label}!=\"\""));
                values.insert(res_label.clone(), ".+".into());
            }
            // As prometheus-adapter's GetMetricBySelector: the objects (all of them when there
            // is no labelSelector) are listed from the cluster and queried by name.
            ObjectSelection::Selected(sel) => {
                let lister = self.lister.as_ref().ok_or_else(|| {
                    BackendError::BadRequest(
                        "a labelSelector on objects needs cluster access to list them: start the adapter in a cluster or with --kubeconfig".into(),
                    )
                })?;
                let names = lister
                    .names(&q.info.resource, q.namespace.as_deref(), sel)
                    .await?;
                if names.is_empty() {
                    return Ok(Vec::new());
                }
                let (matcher, value) = names_matcher(&res_label, &names);
                matchers.push(matcher);
                values.insert(res_label.clone(), value);
                listed = Some(names);
            }
        }
        let query = rule
            .metrics_query
            .render(&QueryArgs {
                series: src.series.clone(),
                label_matchers: matchers.join(","),
                label_values_by_name: values,
                group_by_slice: vec![res_label.clone()],
            })
            .map_err(|e| BackendError::Internal(format!("rule {}: {e}", rule.id)))?;
        let samples = self.client.query(&query).await?;
        let metric = MetricIdentifier {
            name: q.info.metric.clone(),
            selector: crate::selector::to_label_selector(&q.metric_selector),
        };
        let mut out = Vec::new();
        for s in samples {
            let Some(name) = s.labels.get(&res_label) else {
                continue;
            };
            if let ObjectSelection::Named(n) = &q.objects
                && n != name
            {
                continue;
            }
            // Only the objects listed (a name regex can match others, as there).
            if let Some(names) = &listed
                && !names.contains(name)
            {
                continue;
            }
            let Some(value) = crate::quantity::from_f64(s.value) else {
                continue;
            };
            let namespace = if q.info.namespaced {
                q.namespace.as_deref()
            } else {
                None
            };
            out.push(CustomValue {
                described_object: q.info.resource.reference(namespace, name),
                metric: metric.clone(),
                timestamp: time_of(&s),
                window_seconds: None,
                value,
            });
        }
        if let ObjectSelection::Named(n) = &q.objects
            && out.is_empty()
        {
            return Err(BackendError::NotFound(format!(
                "the server could not find the described metric {} for {} {n}",
                q.info.metric, q.info.resource
            )));
        }
        Ok(out)
    }

    /// Answers an external metric query.
    pub async fn external(
        &self,
        q: &ExternalQuery,
    ) -> Result<Vec<ExternalMetricValue>, BackendError> {
        let snap = self.snapshot();
        let src = snap.external.get(&q.metric).ok_or_else(|| {
            BackendError::NotFound(format!(
                "the server could not find the external metric {} in namespace {}",
                q.metric, q.namespace
            ))
        })?;
        let rule: &Rule = &self.rules.external[src.rule];
        let query = external_query(rule, &src.series, q)?;
        // As prometheus-adapter: one value per series the query returns, with its labels.
        let samples = self.client.query(&query).await?;
        Ok(samples
            .into_iter()
            .filter_map(|s| {
                let value = crate::quantity::from_f64(s.value)?;
                Some(ExternalMetricValue {
                    metric_name: q.metric.clone(),
                    timestamp: time_of(&s),
                    metric_labels: s.labels,
                    window_seconds: None,
                    value,
                })
            })
            .collect())
    }
}

/// The query of an external metric, as prometheus-adapter's `BuildExternal` makes it: the
/// selector's matchers, then the namespace's (through the label `overrides` or `template` maps
/// to namespaces) unless the rule says `namespaced: false`; `.GroupBy` is empty;
/// `labelValueReplacements` apply to `.LabelValuesByName`.
pub fn external_query(
    rule: &Rule,
    series: &str,
    q: &ExternalQuery,
) -> Result<String, BackendError> {
    let mut matchers = selector_matchers(&q.selector);
    let mut values = selector_values(&q.selector);
    if rule.external_namespaced() {
        let ns_label = rule.namespace_label().ok_or_else(|| {
            BackendError::Internal(format!(
                "rule {}: no label maps to namespaces (resources.overrides or resources.template), \
                 so the query cannot be restricted to namespace {}; \
                 set resources.namespaced: false to query across namespaces",
                rule.id, q.namespace
            ))
        })?;
        matchers.push(format!("{ns_label}={}", promql_string(&q.namespace)));
        values.insert(ns_label, q.namespace.clone());
    }
    for (find, replace) in &rule.label_value_replacements {
        for v in values.values_mut() {
            *v = v.replace(find.as_str(), replace);
        }
    }
    rule.metrics_query
        .render(&QueryArgs {
            series: series.to_string(),
            label_matchers: matchers.join(","),
            label_values_by_name: values,
            group_by_slice: Vec::new(),
        })
        .map_err(|e| BackendError::Internal(format!("rule {}: {e}", rule.id)))
}

/// The values a selector's requirements name, per label, sorted and joined by `|`
/// (prometheus-adapter's `.LabelValuesByName`).
pub fn selector_values(sel: &Selector) -> BTreeMap<String, String> {
    sel.requirements()
        .iter()
        .map(|r| (r.key.clone(), crate::selector::values(r).join("|")))
        .collect()
}

fn time_of(s: &Sample) -> Time {
    Time(
        jiff::Timestamp::from_second(s.timestamp as i64).unwrap_or_else(|_| jiff::Timestamp::now()),
    )
}

/// A PromQL double-quoted string literal.
pub fn promql_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The matcher of the objects' label and its `.LabelValuesByName` value, as
/// prometheus-adapter's `Build` makes them: `label="name"` for one name, `label=~"a|b"` for
/// several, the names passed as they are (not regex-escaped, as there).
pub fn names_matcher(label: &str, names: &[String]) -> (String, String) {
    let value = names.join("|");
    let op = if names.len() > 1 { "=~" } else { "=" };
    (format!("{label}{op}{}", promql_string(&value)), value)
}

/// PromQL label matchers equivalent to a selector, as prometheus-adapter's query builder makes
/// them: the values (sorted) are passed through as they are, not regex-escaped, joined by `|`
/// for `in`/`notin` — so a value can be a regex (`service in (web-.*)`), as there.
pub fn selector_matchers(sel: &Selector) -> Vec<String> {
    let alt = |r: &Requirement| promql_string(&crate::selector::values(r).join("|"));
    let first = |r: &Requirement| promql_string(r.values.first().map_or("", String::as_str));
    sel.requirements()
        .iter()
        .filter_map(|r| {
            let k = &r.key;
            Some(match r.operator {
                Operator::Equals | Operator::DoubleEquals => format!("{k}={}", first(r)),
                Operator::NotEquals => format!("{k}!={}", first(r)),
                Operator::In => format!("{k}=~{}", alt(r)),
                Operator::NotIn => format!("{k}!~{}", alt(r)),
                Operator::Exists => format!("{k}!=\"\""),
                Operator::DoesNotExist => format!("{k}=\"\""),
                // Refused when the selector is parsed.
                Operator::GreaterThan | Operator::LessThan => return None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_become_matchers() {
        let s = crate::selector::parse("a=b,c!=d,e in (x.y,z),f notin (q),g,!h").unwrap();
        assert_eq!(
            selector_matchers(&s),
            vec![
                "a=\"b\"",
                "c!=\"d\"",
                "e=~\"x.y|z\"",
                "f!~\"q\"",
                "g!=\"\"",
                "h=\"\"",
            ]
        );
        assert_eq!(promql_string("a\"b\\"), "\"a\\\"b\\\\\"");
    }

    #[test]
    fn objects_are_matched_by_name_as_prometheus_adapter_does() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            names_matcher("pod", &names(&["web-1"])),
            ("pod=\"web-1\"".to_string(), "web-1".to_string())
        );
        assert_eq!(
            names_matcher("pod", &names(&["web-1", "a.b"])),
            ("pod=~\"web-1|a.b\"".to_string(), "web-1|a.b".to_string())
        );
    }

    fn ext(rule_yaml: &str, namespace: &str, selector: &str) -> Result<String, BackendError> {
        let rules = Rules::parse(&format!("externalRules: [{rule_yaml}]")).unwrap();
        let q = ExternalQuery {
            namespace: namespace.into(),
            metric: "m".into(),
            selector: crate::selector::parse(selector).unwrap(),
        };
        external_query(&rules.external[0], "queue_messages", &q)
    }

    #[test]
    fn external_queries_as_prometheus_adapter_builds_them() {
        let q = "metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'";
        // The namespace label from the template as well as from overrides; no group-by.
        assert_eq!(
            ext(
                &format!("{{seriesQuery: x, {q}, resources: {{template: 'k_<<.Resource>>'}}}}"),
                "ns",
                "queue=a"
            )
            .unwrap(),
            "sum(queue_messages{queue=\"a\",k_namespace=\"ns\"}) by ()"
        );
        assert_eq!(
            ext(&format!("{{seriesQuery: x, {q}, resources: {{overrides: {{ns: {{resource: namespace}}}}}}}}"), "ns", "").unwrap(),
            "sum(queue_messages{ns=\"ns\"}) by ()"
        );
        // Without a namespace label the query cannot be restricted: 500, unless namespaced: false.
        assert!(matches!(
            ext(&format!("{{seriesQuery: x, {q}}}"), "ns", ""),
            Err(BackendError::Internal(m)) if m.contains("namespaced: false")
        ));
        assert_eq!(
            ext(
                &format!("{{seriesQuery: x, {q}, resources: {{namespaced: false}}}}"),
                "ns",
                "q in (a,b)"
            )
            .unwrap(),
            "sum(queue_messages{q=~\"a|b\"}) by ()"
        );
        // .LabelValuesByName, with labelValueReplacements applied to it.
        assert_eq!(
            ext(
                "{seriesQuery: x, metricsQuery: 'q{t=\"<<.LabelValuesByName.topic>>\"}', resources: {namespaced: false}, labelValueReplacements: [{find: '_', replace: '#'}]}",
                "ns",
                "topic=a_b"
            )
            .unwrap(),
            "q{t=\"a#b\"}"
        );
    }
}
