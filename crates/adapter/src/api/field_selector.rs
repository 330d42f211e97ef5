//! The `fieldSelector` metrics-server accepts on `PodMetrics` and `NodeMetrics`: comma-separated
//! `metadata.name` and `metadata.namespace` requirements with `=`, `==` or `!=`.

use super::status::ApiError;

/// One field requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    field: Field,
    equal: bool,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Namespace,
}

/// A parsed field selector; the empty one selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    requirements: Vec<Requirement>,
}

impl FieldSelector {
    /// Parses `metadata.name=x,metadata.namespace!=y`.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let bad =
            |why: &str| ApiError::BadRequest(format!("invalid fieldSelector {text:?}: {why}"));
        let mut requirements = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, equal, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, true, v)
            } else {
                return Err(bad("expected FIELD=VALUE or FIELD!=VALUE"));
            };
            let field = match key.trim() {
                "metadata.name" => Field::Name,
                "metadata.namespace" => Field::Namespace,
                other => {
                    return Err(bad(&format!(
                        "field {other:?} is not supported (metadata.name, metadata.namespace)"
                    )));
                }
            };
            requirements.push(Requirement {
                field,
                equal,
                value: value.trim().to_string(),
            });
        }
        Ok(Self { requirements })
    }

    /// Whether an object with this namespace and name is selected.
    pub fn matches(&self, namespace: &str, name: &str) -> bool {
        self.requirements.iter().all(|r| {
            let actual = match r.field {
                Field::Name => name,
                Field::Namespace => namespace,
            };
            (actual == r.value) == r.equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let s = FieldSelector::parse("metadata.name=a, metadata.namespace!=kube-system").unwrap();
        assert!(s.matches("default", "a"));
        assert!(!s.matches("kube-system", "a"));
        assert!(!s.matches("default", "b"));
        assert!(FieldSelector::parse("").unwrap().matches("x", "y"));
        assert!(FieldSelector::parse("spec.nodeName=n").is_err());
        assert!(FieldSelector::parse("metadata.name").is_err());
    }
}
