//! Field selectors (`metadata.name=web,status.phase!=Running`), evaluated against any
//! dotted path of the JSON object.

use serde_json::Value;

use super::SelectorError;

/// A parsed field selector; the empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    requirements: Vec<(String, bool, String)>,
}

impl FieldSelector {
    /// Parses `path=value`, `path==value` and `path!=value` clauses joined by commas.
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        for clause in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let (path, equal, value) = if let Some((p, v)) = clause.split_once("!=") {
                (p, false, v)
            } else if let Some((p, v)) = clause.split_once("==") {
                (p, true, v)
            } else if let Some((p, v)) = clause.split_once('=') {
                (p, true, v)
            } else {
                return Err(SelectorError(format!("invalid field selector: {clause}")));
            };
            if path.trim().is_empty() {
                return Err(SelectorError(format!("invalid field selector: {clause}")));
            }
            requirements.push((path.trim().to_string(), equal, value.trim().to_string()));
        }
        Ok(Self { requirements })
    }

    /// True if there is no clause.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The value `metadata.name=` asks for, if any (lets lookups skip a scan).
    pub fn exact_name(&self) -> Option<&str> {
        self.requirements
            .iter()
            .find(|(p, eq, _)| *eq && p == "metadata.name")
            .map(|(_, _, v)| v.as_str())
    }

    /// Whether the object is selected; a missing field compares as the empty string.
    pub fn matches(&self, object: &Value) -> bool {
        self.requirements.iter().all(|(path, equal, want)| {
            let mut cur = Some(object);
            for part in path.split('.') {
                cur = cur.and_then(|v| v.get(part));
            }
            let have = match cur {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (have == *want) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_paths() {
        let pod =
            json!({"metadata": {"name": "a", "namespace": "ns"}, "status": {"phase": "Running"}});
        assert!(
            FieldSelector::parse("metadata.name=a,metadata.namespace==ns")
                .unwrap()
                .matches(&pod)
        );
        assert!(
            FieldSelector::parse("status.phase!=Pending")
                .unwrap()
                .matches(&pod)
        );
        assert!(
            !FieldSelector::parse("spec.nodeName=n1")
                .unwrap()
                .matches(&pod)
        );
        assert!(
            FieldSelector::parse("spec.nodeName=")
                .unwrap()
                .matches(&pod)
        );
        assert!(FieldSelector::parse("nonsense").is_err());
        assert_eq!(
            FieldSelector::parse("metadata.name=a")
                .unwrap()
                .exact_name(),
            Some("a")
        );
    }
}
