//! prometheus-adapter's query templates (`metricsQuery`, and `containerQuery`/`nodeQuery` of
//! `resourceRules`): Go templates with `<<`/`>>` delimiters over the fields `.Series`,
//! `.LabelMatchers`, `.LabelValuesByName` (a map), `.GroupBy` and `.GroupBySlice` (a list),
//! executed by `gtmpl` (Go's `text/template` language: `index`, `range`, `if`, `printf`, ...).
//! gtmpl only knows `{{`/`}}`, so the template is rewritten: actions get `{{`/`}}`, and every
//! brace of the literal text (PromQL is full of them) becomes the action `{{"{"}}`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use gtmpl::Value;

/// What a query template is executed with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryArgs {
    /// The series name.
    pub series: String,
    /// The label matchers, comma-separated (`namespace="ns",pod=~"a|b"`).
    pub label_matchers: String,
    /// The matched labels and their values, several joined by `|`.
    pub label_values_by_name: BTreeMap<String, String>,
    /// The labels to group by.
    pub group_by_slice: Vec<String>,
}

/// A compiled query template.
#[derive(Clone)]
pub struct QueryTemplate {
    source: String,
    template: Arc<gtmpl::Template>,
}

impl std::fmt::Debug for QueryTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("QueryTemplate").field(&self.source).finish()
    }
}

impl PartialEq for QueryTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl QueryTemplate {
    /// Parses `text` and executes it once with sample arguments, so that a malformed
    /// template or an unknown field (`<<.Nope>>`) is refused at load, not at the first query.
    pub fn parse(text: &str) -> Result<Self, String> {
        let translated = translate(text)?;
        let mut template = gtmpl::Template::default();
        template
            .parse(translated)
            .map_err(|e| format!("invalid template {text:?}: {e}"))?;
        let out = Self {
            source: text.to_string(),
            template: Arc::new(template),
        };
        let sample = QueryArgs {
            series: "series".into(),
            label_matchers: "a=\"b\"".into(),
            label_values_by_name: [("a".to_string(), "b".to_string())].into(),
            group_by_slice: vec!["a".into()],
        };
        out.render(&sample)
            .map_err(|e| format!("template {text:?} fails: {e}"))?;
        Ok(out)
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Executes the template.
    pub fn render(&self, args: &QueryArgs) -> Result<String, String> {
        let mut fields = HashMap::new();
        fields.insert("Series".to_string(), Value::String(args.series.clone()));
        fields.insert(
            "LabelMatchers".to_string(),
            Value::String(args.label_matchers.clone()),
        );
        fields.insert(
            "LabelValuesByName".to_string(),
            Value::Map(
                args.label_values_by_name
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            ),
        );
        fields.insert(
            "GroupBy".to_string(),
            Value::String(args.group_by_slice.join(",")),
        );
        fields.insert(
            "GroupBySlice".to_string(),
            Value::Array(
                args.group_by_slice
                    .iter()
                    .map(|s| Value::String(s.clone()))
                    .collect(),
            ),
        );
        let out = self
            .template
            .render(&gtmpl::Context::from(Value::Object(fields)))
            .map_err(|e| e.to_string())?;
        if out.is_empty() {
            return Err("empty query produced by the template".into());
        }
        Ok(out)
    }
}

/// Rewrites `<<`/`>>` delimiters as `{{`/`}}` and escapes the braces of the literal text.
fn translate(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text;
    while let Some(start) = rest.find("<<") {
        escape_text(&rest[..start], &mut out);
        let action = &rest[start + 2..];
        let end = action_end(action).ok_or_else(|| format!("unclosed '<<' in {text:?}"))?;
        out.push_str("{{");
        out.push_str(&action[..end]);
        out.push_str("}}");
        rest = &action[end + 2..];
    }
    escape_text(rest, &mut out);
    Ok(out)
}

/// The position of the `>>` closing an action, skipping quoted strings.
fn action_end(action: &str) -> Option<usize> {
    let bytes = action.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == b'\\' && q != b'`' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'`' || b == b'\'' => quote = Some(b),
            None if b == b'>' && bytes.get(i + 1) == Some(&b'>') => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '{' => out.push_str("{{\"{\"}}"),
            '}' => out.push_str("{{\"}\"}}"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> QueryArgs {
        QueryArgs {
            series: "http_requests_total".into(),
            label_matchers: "namespace=\"ns\",pod=~\"a|b\"".into(),
            label_values_by_name: [
                ("namespace".to_string(), "ns".to_string()),
                ("pod".to_string(), "a|b".to_string()),
            ]
            .into(),
            group_by_slice: vec!["pod".into(), "container".into()],
        }
    }

    #[test]
    fn renders_every_field() {
        let t = QueryTemplate::parse(
            "sum(rate(<<.Series>>{<< .LabelMatchers >>}[2m])) by (<<.GroupBy>>)",
        )
        .unwrap();
        assert_eq!(
            t.render(&args()).unwrap(),
            "sum(rate(http_requests_total{namespace=\"ns\",pod=~\"a|b\"}[2m])) by (pod,container)"
        );
        let t = QueryTemplate::parse(
            "x{ns=\"<<.LabelValuesByName.namespace>>\",p=~\"<<index .LabelValuesByName \"pod\">>\"} by (<<index .GroupBySlice 0>>)",
        )
        .unwrap();
        assert_eq!(
            t.render(&args()).unwrap(),
            "x{ns=\"ns\",p=~\"a|b\"} by (pod)"
        );
        let t = QueryTemplate::parse(
            "sum(x) by (<<range $i, $l := .GroupBySlice>><<if $i>>,<<end>><<$l>><<end>>)",
        )
        .unwrap();
        assert_eq!(t.render(&args()).unwrap(), "sum(x) by (pod,container)");
        let t =
            QueryTemplate::parse("x{a=\"}}\"} <<- printf \" %d\" (len .GroupBySlice)>>").unwrap();
        assert_eq!(t.render(&args()).unwrap(), "x{a=\"}}\"} 2");
    }

    #[test]
    fn refuses_bad_templates_at_load() {
        for bad in [
            "<<.Series",
            "<<.Nope>>",
            "<<if>>",
            "<<index .GroupBySlice>>",
            "",
        ] {
            assert!(QueryTemplate::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
