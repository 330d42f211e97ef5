//! prometheus-adapter's `resourceRules`: for `cpu` and `memory`, a `containerQuery` (per pod
//! container) and a `nodeQuery` (per node) over `<<.LabelMatchers>>` and `<<.GroupBy>>`, the
//! labels naming namespaces, pods and nodes (`resources.overrides` or `resources.template`),
//! the `containerLabel`, and the `window` the queries average over (reported as the samples'
//! window, as metrics-server reports its own).

use serde::Deserialize;

use super::query_template::QueryTemplate;
use super::rules::{ResourcesSpec, Rule, RuleSpec, RulesError};
use crate::resources::GroupResource;
use alpaca_metrics_api::GoDuration;

/// `resourceRules` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRulesSpec {
    /// The CPU rule (its queries answer cores, e.g. a rate of CPU seconds).
    pub cpu: ResourceRuleSpec,
    /// The memory rule (its queries answer bytes).
    pub memory: ResourceRuleSpec,
    /// The window the queries average over (`window: 5m`); 1m when not given.
    pub window: Option<GoDuration>,
}

/// One resource's rule as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRuleSpec {
    /// The query of per-container usage.
    pub container_query: String,
    /// The query of per-node usage.
    pub node_query: String,
    /// Which labels name namespaces, pods and nodes.
    #[serde(default)]
    pub resources: ResourcesSpec,
    /// The label naming the container.
    pub container_label: String,
}

/// One resource's rule, compiled.
#[derive(Debug, Clone)]
pub struct ResourceRule {
    /// `containerQuery`.
    pub container_query: QueryTemplate,
    /// `nodeQuery`.
    pub node_query: QueryTemplate,
    /// The label naming namespaces.
    pub namespace_label: String,
    /// The label naming pods.
    pub pod_label: String,
    /// The label naming nodes.
    pub node_label: String,
    /// The label naming containers.
    pub container_label: String,
}

/// `resourceRules`, compiled.
#[derive(Debug, Clone)]
pub struct ResourceRules {
    /// For `cpu`.
    pub cpu: ResourceRule,
    /// For `memory`.
    pub memory: ResourceRule,
    /// The window.
    pub window: GoDuration,
}

impl ResourceRules {
    /// Compiles `resourceRules`.
    pub fn compile(spec: &ResourceRulesSpec) -> Result<Self, RulesError> {
        Ok(Self {
            cpu: ResourceRule::compile("resourceRules.cpu", &spec.cpu)?,
            memory: ResourceRule::compile("resourceRules.memory", &spec.memory)?,
            window: spec.window.unwrap_or(GoDuration::from_secs(60)),
        })
    }
}

impl ResourceRule {
    fn compile(id: &str, spec: &ResourceRuleSpec) -> Result<Self, RulesError> {
        let query = |field: &'static str, text: &str| -> Result<Rule, RulesError> {
            if text.trim().is_empty() {
                return Err(RulesError::Missing {
                    rule: id.to_string(),
                    field,
                });
            }
            // The same label mapping and template checks as a custom metric rule.
            Rule::compile(
                format!("{id}.{field}"),
                &RuleSpec {
                    series_query: "{}".into(),
                    resources: spec.resources.clone(),
                    metrics_query: text.to_string(),
                    ..RuleSpec::default()
                },
            )
        };
        let container = query("containerQuery", &spec.container_query)?;
        let node = query("nodeQuery", &spec.node_query)?;
        let label = |resource: &str| {
            container
                .label_for_resource(&GroupResource::parse(resource))
                .ok_or_else(|| RulesError::Template {
                    rule: id.to_string(),
                    message: format!("no label in resources names {resource}"),
                })
        };
        if spec.container_label.trim().is_empty() {
            return Err(RulesError::Missing {
                rule: id.to_string(),
                field: "containerLabel",
            });
        }
        Ok(Self {
            namespace_label: label("namespaces")?,
            pod_label: label("pods")?,
            node_label: label("nodes")?,
            container_label: spec.container_label.clone(),
            container_query: container.metrics_query,
            node_query: node.metrics_query,
        })
    }
}
