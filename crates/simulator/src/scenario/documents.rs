//! Splitting a scenario file into documents and reading each one into its type, so that
//! every error names the document (its position, kind and name) and the field.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::ScenarioError;

/// One YAML document of the file, as JSON.
#[derive(Debug, Clone)]
pub struct Document {
    /// Position in the file, from 1.
    pub index: usize,
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (may be empty).
    pub name: String,
    /// The document.
    pub value: serde_json::Value,
}

impl Document {
    /// `Kind/name` for messages.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.kind.clone()
        } else {
            format!("{}/{}", self.kind, self.name)
        }
    }

    /// An error about a field of this document.
    pub fn error(&self, field: impl Into<String>, problem: impl Into<String>) -> ScenarioError {
        ScenarioError::new(self.index, Some(self.label()), field, problem)
    }

    /// Reads the document into `T`, naming the failing field.
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, ScenarioError> {
        serde_path_to_error::deserialize(&self.value).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { String::new() } else { path };
            self.error(field, e.into_inner().to_string())
        })
    }
}

/// Splits the file into documents (empty ones are skipped, their positions kept).
pub fn split(text: &str) -> Result<Vec<Document>, ScenarioError> {
    let mut docs = Vec::new();
    for (i, de) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let index = i + 1;
        let yaml = serde_yaml_ng::Value::deserialize(de)
            .map_err(|e| ScenarioError::new(index, None, "", format!("not valid YAML: {e}")))?;
        if yaml.is_null() {
            continue;
        }
        let mut value = serde_json::to_value(&yaml).map_err(|e| {
            ScenarioError::new(index, None, "", format!("cannot be read as JSON: {e}"))
        })?;
        if !value.is_object() {
            return Err(ScenarioError::new(
                index,
                None,
                "",
                "a document must be a mapping with apiVersion, kind and metadata",
            ));
        }
        let kind = value
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .to_string();
        let name = value
            .pointer("/metadata/name")
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .to_string();
        if kind.is_empty() {
            return Err(ScenarioError::new(
                index,
                None,
                "kind",
                "missing: every document needs a kind",
            ));
        }
        normalize_quantities(&mut value, None);
        docs.push(Document {
            index,
            kind,
            name,
            value,
        });
    }
    if docs.is_empty() {
        return Err(ScenarioError::file("the scenario has no documents"));
    }
    Ok(docs)
}

/// Writes numbers where Kubernetes expects a quantity as strings (`cpu: 1` →
/// `cpu: "1"`, `averageValue: 30` → `"30"`), as kubectl accepts them.
fn normalize_quantities(value: &mut serde_json::Value, key: Option<&str>) {
    match value {
        serde_json::Value::Object(map) => {
            let resource_map = matches!(key, Some("requests" | "limits"));
            for (k, v) in map.iter_mut() {
                let quantity_key = resource_map
                    || matches!(
                        k.as_str(),
                        "averageValue" | "value" | "targetAverageValue" | "targetValue"
                    );
                if quantity_key && v.is_number() {
                    *v = serde_json::Value::String(v.to_string());
                } else {
                    normalize_quantities(v, Some(k));
                }
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                normalize_quantities(v, key);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_names_documents() {
        let docs = split("kind: A\nmetadata: {name: x}\n---\n---\nkind: B\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].label(), "A/x");
        assert_eq!(docs[1].index, 3);
        let err = split("kind: A\n---\n[1, 2]\n").unwrap_err();
        assert_eq!(err.at.document, 2);
        let err = split("metadata: {name: x}\n").unwrap_err();
        assert!(err.to_string().contains("kind"), "{err}");
        let err = split("a: [\n").unwrap_err();
        assert!(err.to_string().contains("not valid YAML"), "{err}");
    }

    #[test]
    fn numbers_become_quantities() {
        let docs = split("kind: X\nspec:\n  resources: {requests: {cpu: 1}}\n  target: {averageValue: 30}\n  replicas: 3\n").unwrap();
        let v = &docs[0].value;
        assert_eq!(v.pointer("/spec/resources/requests/cpu").unwrap(), "1");
        assert_eq!(v.pointer("/spec/target/averageValue").unwrap(), "30");
        assert_eq!(v.pointer("/spec/replicas").unwrap(), 3);
    }
}
