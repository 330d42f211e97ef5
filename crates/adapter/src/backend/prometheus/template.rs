//! The `<<.Group>>`/`<<.Resource>>` placeholders of a rule's `resources.template` (a Go
//! template with `<<`/`>>` delimiters there), restricted to plain field substitution, which
//! can also be turned into the regular expression that reads a label back. Query templates
//! are full Go templates: [`super::query_template`].

/// A parsed template: literal text and named placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(String),
}

impl Template {
    /// Parses `text`, accepting only the placeholders in `allowed`.
    pub fn parse(text: &str, allowed: &[&str]) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("<<") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after
                .find(">>")
                .ok_or_else(|| format!("unclosed '<<' in {text:?}"))?;
            let inner = after[..end].trim();
            let name = inner
                .strip_prefix('.')
                .filter(|n| allowed.contains(n))
                .ok_or_else(|| {
                    format!(
                        "unsupported placeholder <<{inner}>> (supported: {})",
                        allowed
                            .iter()
                            .map(|a| format!("<<.{a}>>"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
            parts.push(Part::Field(name.to_string()));
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Self { parts })
    }

    /// Renders with field values from `field` and literal text passed through `text`.
    pub fn render_with(
        &self,
        field: impl Fn(&str) -> String,
        text: impl Fn(&str) -> String,
    ) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => text(t),
                Part::Field(f) => field(f),
            })
            .collect()
    }

    /// Renders with `(name, value)` pairs; unknown names render empty.
    pub fn render(&self, values: &[(&str, &str)]) -> String {
        self.render_with(
            |f| {
                values
                    .iter()
                    .find(|(n, _)| *n == f)
                    .map_or_else(String::new, |(_, v)| v.to_string())
            },
            str::to_string,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_fields() {
        let t = Template::parse(
            "sum(<<.Series>>{<< .LabelMatchers >>}) by (<<.GroupBy>>)",
            &["Series", "LabelMatchers", "GroupBy"],
        )
        .unwrap();
        assert_eq!(
            t.render(&[
                ("Series", "x"),
                ("LabelMatchers", "a=\"b\""),
                ("GroupBy", "pod")
            ]),
            "sum(x{a=\"b\"}) by (pod)"
        );
        assert!(Template::parse("<<.Series", &["Series"]).is_err());
        assert!(Template::parse("<<index .X>>", &["Series"]).is_err());
    }
}
