//! Label selectors over the JSON objects the fake API server stores: apimachinery's
//! parsing, validation and matching (the `alpaca-labels` crate the engine uses), with the
//! labels read from `metadata.labels`.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector as K8sLabelSelector;
use serde_json::Value;

use super::SelectorError;

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector(alpaca_labels::Selector);

impl LabelSelector {
    /// The selector that matches every object.
    pub fn everything() -> Self {
        Self::default()
    }

    /// Parses the query-string syntax (`labels.Parse`).
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        alpaca_labels::parse(s).map(Self).map_err(SelectorError)
    }

    /// Converts a `metav1.LabelSelector` like `LabelSelectorAsSelector`.
    pub fn from_k8s(selector: &K8sLabelSelector) -> Result<Self, SelectorError> {
        alpaca_labels::selector_from_object(Some(selector))
            .map(Self)
            .map_err(SelectorError)
    }

    /// True if the selector has no requirement (matches everything).
    pub fn is_empty(&self) -> bool {
        self.0.is_everything()
    }

    /// Whether an object with these labels (a JSON object, or null) is selected.
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        if self.0.is_everything() {
            return true;
        }
        let labels: BTreeMap<String, String> = labels
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        self.0.matches(&labels)
    }

    /// Whether a JSON object (with `metadata.labels`) is selected.
    pub fn matches_object(&self, object: &Value) -> bool {
        self.matches(object.pointer("/metadata/labels"))
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
    use serde_json::json;

    fn sel(s: &str) -> LabelSelector {
        LabelSelector::parse(s).unwrap()
    }

    #[test]
    fn equality_and_sets() {
        let labels = json!({"app": "web", "tier": "front", "v": "3"});
        assert!(sel("app=web").matches(Some(&labels)));
        assert!(sel("app==web,tier!=back").matches(Some(&labels)));
        assert!(sel("app in (web, api)").matches(Some(&labels)));
        assert!(!sel("app notin (web)").matches(Some(&labels)));
        assert!(sel("tier,!missing").matches(Some(&labels)));
        assert!(!sel("!tier").matches(Some(&labels)));
        assert!(sel("v>2,v<4").matches(Some(&labels)));
        assert!(sel("missing!=x").matches(Some(&labels)));
        assert!(sel("").matches(None));
        assert!(!sel("app").matches(None));
    }

    #[test]
    fn rejects_garbage() {
        assert!(LabelSelector::parse("app in web").is_err());
        assert!(LabelSelector::parse("a=b c").is_err());
        assert!(LabelSelector::parse("v>x").is_err());
        assert!(LabelSelector::parse("=x").is_err());
    }

    #[test]
    fn renders_like_the_api_server() {
        let s = K8sLabelSelector {
            match_labels: Some(
                [
                    ("tier".to_string(), "front".to_string()),
                    ("app".to_string(), "web".to_string()),
                ]
                .into(),
            ),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "env".into(),
                    operator: "In".into(),
                    values: Some(vec!["prod".into(), "canary".into()]),
                },
                LabelSelectorRequirement {
                    key: "legacy".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                },
            ]),
        };
        assert_eq!(
            LabelSelector::from_k8s(&s).unwrap().to_string(),
            "app=web,env in (canary,prod),!legacy,tier=front"
        );
        assert_eq!(sel("a notin (y,x),b").to_string(), "a notin (x,y),b");
    }
}
