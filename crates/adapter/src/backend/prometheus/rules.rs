//! The rules file, in the spirit of prometheus-adapter's: for custom metrics (`rules`) and
//! external metrics (`externalRules`), a series discovery query with filters, the mapping of
//! series labels to Kubernetes resources (`overrides` and a `<<.Group>>`/`<<.Resource>>`
//! `template`), the renaming of series to metrics (`name.matches`/`name.as`), the
//! `metricsQuery` Go template (see [`super::query_template`]) and `labelValueReplacements`.

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;
use serde::Deserialize;

use super::query_template::QueryTemplate;
use super::template::Template;
use crate::resources::GroupResource;

/// Why a rules file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The YAML does not have the expected shape.
    #[error("parsing the rules: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    /// A regular expression does not compile.
    #[error("rule {rule}: invalid regular expression {pattern:?}: {source}")]
    Regex {
        /// Which rule (`rules[0]`, `externalRules[1]`).
        rule: String,
        /// The expression.
        pattern: String,
        /// The cause.
        source: regex::Error,
    },
    /// A template uses a placeholder that does not exist or is malformed.
    #[error("rule {rule}: {message}")]
    Template {
        /// Which rule.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// A required field is empty.
    #[error("rule {rule}: {field} must not be empty")]
    Missing {
        /// Which rule.
        rule: String,
        /// The field.
        field: &'static str,
    },
}

/// The rules file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesFile {
    /// Custom metric rules.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// External metric rules.
    #[serde(default)]
    pub external_rules: Vec<RuleSpec>,
    /// Resource metric rules (`metrics.k8s.io`).
    pub resource_rules: Option<super::resource_rules::ResourceRulesSpec>,
}

/// One rule as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSpec {
    /// Prometheus series selector used for discovery (`{__name__=~"^http_.*",pod!=""}`).
    pub series_query: String,
    /// Filters on the series name.
    #[serde(default)]
    pub series_filters: Vec<SeriesFilter>,
    /// Label-to-resource mapping.
    #[serde(default)]
    pub resources: ResourcesSpec,
    /// Series-to-metric renaming.
    #[serde(default)]
    pub name: NameSpec,
    /// The query template.
    pub metrics_query: String,
    /// Find/replace applied to the values of `.LabelValuesByName` of external queries.
    #[serde(default)]
    pub label_value_replacements: Vec<LabelValueReplacement>,
}

/// One find/replace of `labelValueReplacements`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LabelValueReplacement {
    /// The text to find.
    #[serde(default)]
    pub find: String,
    /// What replaces it.
    #[serde(default)]
    pub replace: String,
}

/// A filter on series names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesFilter {
    /// Keep series whose name matches.
    pub is: Option<String>,
    /// Drop series whose name matches.
    pub is_not: Option<String>,
}

/// How labels name resources.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesSpec {
    /// Label name template over `<<.Group>>` and `<<.Resource>>` (singular), e.g. `<<.Resource>>`.
    pub template: Option<String>,
    /// Explicit label → resource mappings.
    #[serde(default)]
    pub overrides: BTreeMap<String, ResourceOverride>,
    /// For external rules: whether queries are restricted to the caller's namespace (through
    /// the label mapped to `namespace`); default true when such a label is mapped.
    pub namespaced: Option<bool>,
}

/// A label's resource.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResourceOverride {
    /// API group (empty for core).
    #[serde(default)]
    pub group: String,
    /// Resource name (singular or plural).
    pub resource: String,
}

/// Renaming.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NameSpec {
    /// Regular expression the series name must match (default: any).
    #[serde(default)]
    pub matches: String,
    /// Replacement (`$1`...); default `$1` when `matches` has one capture group, else `$0`.
    #[serde(default, rename = "as")]
    pub as_: String,
}

/// A rule ready to use.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `rules[i]` or `externalRules[i]`.
    pub id: String,
    /// The discovery selector.
    pub series_query: String,
    filters: Vec<(Regex, bool)>,
    overrides: BTreeMap<String, GroupResource>,
    template: Option<(Template, Regex)>,
    name_matches: Regex,
    name_as: String,
    /// The query template.
    pub metrics_query: QueryTemplate,
    namespaced: Option<bool>,
    /// `labelValueReplacements` as (find, replace).
    pub label_value_replacements: Vec<(String, String)>,
}

/// All rules, ready to use.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Custom metric rules.
    pub custom: Vec<Rule>,
    /// External metric rules.
    pub external: Vec<Rule>,
    /// Resource metric rules, if configured.
    pub resource: Option<super::resource_rules::ResourceRules>,
}

impl Rules {
    /// Reads and compiles a rules file.
    pub fn load(path: &Path) -> Result<Self, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Compiles rules from YAML text.
    pub fn parse(yaml: &str) -> Result<Self, RulesError> {
        let file: RulesFile = serde_yaml_ng::from_str(yaml)?;
        let compile = |prefix: &str, specs: &[RuleSpec]| {
            specs
                .iter()
                .enumerate()
                .map(|(i, s)| Rule::compile(format!("{prefix}[{i}]"), s))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            custom: compile("rules", &file.rules)?,
            external: compile("externalRules", &file.external_rules)?,
            resource: file
                .resource_rules
                .as_ref()
                .map(super::resource_rules::ResourceRules::compile)
                .transpose()?,
        })
    }
}

impl Rule {
    pub(crate) fn compile(id: String, spec: &RuleSpec) -> Result<Self, RulesError> {
        let regex = |pattern: &str| {
            Regex::new(pattern).map_err(|source| RulesError::Regex {
                rule: id.clone(),
                pattern: pattern.to_string(),
                source,
            })
        };
        if spec.series_query.trim().is_empty() {
            return Err(RulesError::Missing {
                rule: id,
                field: "seriesQuery",
            });
        }
        if spec.metrics_query.trim().is_empty() {
            return Err(RulesError::Missing {
                rule: id,
                field: "metricsQuery",
            });
        }
        let mut filters = Vec::new();
        for f in &spec.series_filters {
            if f.is.is_some() == f.is_not.is_some() {
                return Err(RulesError::Template {
                    rule: id,
                    message: "each of seriesFilters needs exactly one of is and isNot".into(),
                });
            }
            if let Some(p) = &f.is {
                filters.push((regex(p)?, true));
            }
            if let Some(p) = &f.is_not {
                filters.push((regex(p)?, false));
            }
        }
        let template_err = |message: String| RulesError::Template {
            rule: id.clone(),
            message,
        };
        let metrics_query = QueryTemplate::parse(&spec.metrics_query)
            .map_err(|m| template_err(format!("metricsQuery: {m}")))?;
        let template = match &spec.resources.template {
            None => None,
            Some(t) => {
                let tpl = Template::parse(t, &["Group", "Resource"])
                    .map_err(|m| template_err(format!("resources.template: {m}")))?;
                let pattern = format!(
                    "^{}$",
                    tpl.render_with(
                        |name| match name {
                            "Group" => "(?P<group>.*?)".to_string(),
                            _ => "(?P<resource>.+?)".to_string(),
                        },
                        regex::escape
                    )
                );
                Some((tpl, regex(&pattern)?))
            }
        };
        let name_pattern = if spec.name.matches.is_empty() {
            ".*"
        } else {
            &spec.name.matches
        };
        let name_matches = regex(name_pattern)?;
        let name_as = if !spec.name.as_.is_empty() {
            spec.name.as_.clone()
        } else {
            match name_matches.captures_len() {
                1 => "$0".to_string(),
                2 => "$1".to_string(),
                n => {
                    return Err(RulesError::Template {
                        rule: id,
                        message: format!(
                            "name.matches {name_pattern:?} has {} capture groups: name.as must say which to use",
                            n - 1
                        ),
                    });
                }
            }
        };
        Ok(Self {
            id,
            series_query: spec.series_query.clone(),
            filters,
            overrides: spec
                .resources
                .overrides
                .iter()
                .map(|(label, o)| {
                    let gr = if o.group.is_empty() {
                        GroupResource::parse(&o.resource)
                    } else {
                        GroupResource::parse(&format!("{}.{}", o.resource, o.group))
                    };
                    (label.clone(), gr)
                })
                .collect(),
            template,
            name_matches,
            name_as,
            metrics_query,
            namespaced: spec.resources.namespaced,
            label_value_replacements: spec
                .label_value_replacements
                .iter()
                .map(|r| (r.find.clone(), r.replace.clone()))
                .collect(),
        })
    }

    /// The metric name for a series, or `None` if filters or `name.matches` exclude it.
    pub fn metric_name(&self, series: &str) -> Option<String> {
        if !self
            .filters
            .iter()
            .all(|(re, is)| re.is_match(series) == *is)
        {
            return None;
        }
        let caps = self.name_matches.captures(series)?;
        let mut out = String::new();
        caps.expand(&self.name_as, &mut out);
        (!out.is_empty()).then_some(out)
    }

    /// The resource a label names, if any.
    pub fn resource_for_label(&self, label: &str) -> Option<GroupResource> {
        if let Some(gr) = self.overrides.get(label) {
            return Some(gr.clone());
        }
        let (_, re) = self.template.as_ref()?;
        let caps = re.captures(label)?;
        let resource = caps.name("resource")?.as_str();
        let group = caps.name("group").map_or("", |g| g.as_str());
        let spec = if group.is_empty() {
            resource.to_string()
        } else {
            format!("{resource}.{group}")
        };
        let gr = GroupResource::parse(&spec);
        if gr.is_known() {
            return Some(gr);
        }
        // A group with `_` in it (`networking_k8s_io`) makes the split ambiguous: find the
        // resource whose label is this one.
        crate::resources::all()
            .into_iter()
            .find(|gr| self.label_for_resource(gr).as_deref() == Some(label))
    }

    /// The label that names a resource, if any.
    pub fn label_for_resource(&self, gr: &GroupResource) -> Option<String> {
        if let Some((label, _)) = self.overrides.iter().find(|(_, r)| *r == gr) {
            return Some(label.clone());
        }
        let (tpl, _) = self.template.as_ref()?;
        let singular = gr.info().singular;
        // As prometheus-adapter: the group with `.` and `-` replaced by `_`, the singular name.
        Some(tpl.render_with(
            |name| match name {
                "Group" => gr.group.replace(['.', '-'], "_"),
                _ => singular.clone(),
            },
            str::to_string,
        ))
    }

    /// The label naming namespaces, if any.
    pub fn namespace_label(&self) -> Option<String> {
        self.label_for_resource(&GroupResource::parse("namespaces"))
    }

    /// For external rules: whether queries are restricted to the caller's namespace (through
    /// the label that `overrides` or `template` maps to namespaces); `namespaced: false` turns
    /// it off.
    pub fn external_namespaced(&self) -> bool {
        self.namespaced.unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"
rules:
- seriesQuery: '{__name__=~"^http_requests_.*",namespace!="",pod!=""}'
  seriesFilters:
  - isNot: "^http_requests_errors_total$"
  resources:
    overrides:
      namespace: {resource: "namespace"}
      pod: {resource: "pod"}
  name:
    matches: "^(.*)_total$"
    as: "${1}_per_second"
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
- seriesQuery: '{__name__="queue_len"}'
  resources:
    template: "kube_<<.Resource>>"
  metricsQuery: 'max(<< .Series >>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
externalRules:
- seriesQuery: '{__name__="queue_messages"}'
  resources:
    overrides:
      namespace: {resource: namespace}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
"#;

    #[test]
    fn compiles_and_maps() {
        let r = Rules::parse(YAML).unwrap();
        let rule = &r.custom[0];
        assert_eq!(
            rule.metric_name("http_requests_total").as_deref(),
            Some("http_requests_per_second")
        );
        assert_eq!(rule.metric_name("http_requests_errors_total"), None);
        assert_eq!(rule.metric_name("http_requests"), None);
        assert_eq!(rule.resource_for_label("pod").unwrap().resource, "pods");
        assert_eq!(
            rule.label_for_resource(&GroupResource::parse("pods"))
                .as_deref(),
            Some("pod")
        );
        assert_eq!(rule.namespace_label().as_deref(), Some("namespace"));
        let t = &r.custom[1];
        assert_eq!(
            t.resource_for_label("kube_deployment").unwrap().group,
            "apps"
        );
        assert_eq!(t.resource_for_label("kube_bogus"), None);
        assert_eq!(
            t.label_for_resource(&GroupResource::parse("pods"))
                .as_deref(),
            Some("kube_pod")
        );
        assert_eq!(t.metric_name("queue_len").as_deref(), Some("queue_len"));
        assert!(r.external[0].external_namespaced());
    }

    #[test]
    fn rejects_bad_rules() {
        assert!(Rules::parse("rules: [{seriesQuery: 'x', metricsQuery: '<<.Nope>>'}]").is_err());
        assert!(
            Rules::parse("rules: [{seriesQuery: 'x', metricsQuery: 'y', name: {matches: '('}}]")
                .is_err()
        );
        assert!(Rules::parse("rules: [{seriesQuery: '', metricsQuery: 'y'}]").is_err());
        assert!(Rules::parse("rules: 3").is_err());
        // Several capture groups and no `as`: which one names the metric? Refused, as upstream.
        let e = Rules::parse(
            "rules: [{seriesQuery: 'x', metricsQuery: 'y', name: {matches: '^(a)_(b)$'}}]",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("rules[0]") && e.contains("name.as"), "{e}");
        assert!(
            Rules::parse(
                "rules: [{seriesQuery: 'x', metricsQuery: 'y', name: {matches: '^(a)_(b)$', as: '$2'}}]"
            )
            .is_ok()
        );
        assert!(
            Rules::parse(
                "rules: [{seriesQuery: 'x', metricsQuery: 'y', seriesFilters: [{is: a, isNot: b}]}]"
            )
            .is_err()
        );
    }

    #[test]
    fn template_groups_are_sanitized() {
        let r = Rules::parse(
            "rules: [{seriesQuery: 'x', metricsQuery: 'y', resources: {template: 'kube_<<.Group>>_<<.Resource>>'}}]",
        )
        .unwrap();
        let rule = &r.custom[0];
        assert_eq!(
            rule.label_for_resource(&GroupResource::parse("ingresses.networking.k8s.io"))
                .as_deref(),
            Some("kube_networking_k8s_io_ingress")
        );
        assert_eq!(
            rule.resource_for_label("kube_networking_k8s_io_ingress"),
            Some(GroupResource::parse("ingresses.networking.k8s.io"))
        );
        assert_eq!(rule.namespace_label().as_deref(), Some("kube__namespace"));
    }
}
