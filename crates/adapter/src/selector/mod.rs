//! Kubernetes label selectors in their string form (`a=b,c!=d,e in (x,y),!f,g`), as the HPA
//! sends them in the `labelSelector` and `metricLabelSelector` query parameters: parsing,
//! matching against a label set, and conversion to a `metav1.LabelSelector`.

mod parse;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

pub use parse::SelectorError;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `key=value` or `key==value`: the label is present with that value.
    Equals(String, String),
    /// `key!=value`: the label is absent or has another value.
    NotEquals(String, String),
    /// `key in (a,b)`: the label is present with one of the values.
    In(String, BTreeSet<String>),
    /// `key notin (a,b)`: the label is absent or has none of the values.
    NotIn(String, BTreeSet<String>),
    /// `key`: the label is present.
    Exists(String),
    /// `!key`: the label is absent.
    DoesNotExist(String),
}

impl Requirement {
    /// The label key the requirement is about.
    pub fn key(&self) -> &str {
        match self {
            Requirement::Equals(k, _)
            | Requirement::NotEquals(k, _)
            | Requirement::In(k, _)
            | Requirement::NotIn(k, _)
            | Requirement::Exists(k)
            | Requirement::DoesNotExist(k) => k,
        }
    }

    /// Whether a label set satisfies this requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => !labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |vs: &BTreeSet<String>| vs.iter().cloned().collect::<Vec<_>>().join(",");
        match self {
            Requirement::Equals(k, v) => write!(f, "{k}={v}"),
            Requirement::NotEquals(k, v) => write!(f, "{k}!={v}"),
            Requirement::In(k, vs) => write!(f, "{k} in ({})", join(vs)),
            Requirement::NotIn(k, vs) => write!(f, "{k} notin ({})", join(vs)),
            Requirement::Exists(k) => write!(f, "{k}"),
            Requirement::DoesNotExist(k) => write!(f, "!{k}"),
        }
    }
}

/// A parsed label selector: all requirements must hold. The empty selector selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

impl Selector {
    /// The selector that selects everything.
    pub fn everything() -> Self {
        Self::default()
    }

    /// Parses the Kubernetes selector string syntax; the empty string selects everything.
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        let mut requirements = parse::parse(s)?;
        requirements.sort_by(|a, b| a.key().cmp(b.key()));
        Ok(Self { requirements })
    }

    /// Builds a selector from requirements.
    pub fn from_requirements(mut requirements: Vec<Requirement>) -> Self {
        requirements.sort_by(|a, b| a.key().cmp(b.key()));
        Self { requirements }
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether this selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether a label set satisfies every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// The selector as a `metav1.LabelSelector` (what `metav1.ParseToLabelSelector` gives),
    /// or `None` for the empty selector.
    pub fn to_label_selector(&self) -> Option<LabelSelector> {
        if self.is_empty() {
            return None;
        }
        let mut match_labels = BTreeMap::new();
        let mut exprs = Vec::new();
        let expr = |key: &str, op: &str, values: Option<Vec<String>>| LabelSelectorRequirement {
            key: key.to_string(),
            operator: op.to_string(),
            values,
        };
        for r in &self.requirements {
            match r {
                Requirement::Equals(k, v) => {
                    match_labels.insert(k.clone(), v.clone());
                }
                Requirement::NotEquals(k, v) => exprs.push(expr(k, "NotIn", Some(vec![v.clone()]))),
                Requirement::In(k, vs) => {
                    exprs.push(expr(k, "In", Some(vs.iter().cloned().collect())))
                }
                Requirement::NotIn(k, vs) => {
                    exprs.push(expr(k, "NotIn", Some(vs.iter().cloned().collect())))
                }
                Requirement::Exists(k) => exprs.push(expr(k, "Exists", None)),
                Requirement::DoesNotExist(k) => exprs.push(expr(k, "DoesNotExist", None)),
            }
        }
        Some(LabelSelector {
            match_labels: (!match_labels.is_empty()).then_some(match_labels),
            match_expressions: (!exprs.is_empty()).then_some(exprs),
        })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_and_matches_every_operator() {
        let s = Selector::parse("a=b,c!=d,e in (x, y),f notin (z),g,!h,i==j").unwrap();
        assert_eq!(s.requirements().len(), 7);
        let ok = labels(&[("a", "b"), ("e", "y"), ("g", ""), ("i", "j")]);
        assert!(s.matches(&ok));
        let mut bad = ok.clone();
        bad.insert("h".into(), "1".into());
        assert!(!s.matches(&bad));
        let mut bad = ok.clone();
        bad.insert("c".into(), "d".into());
        assert!(!s.matches(&bad));
        let mut bad = ok;
        bad.insert("f".into(), "z".into());
        assert!(!s.matches(&bad));
    }

    #[test]
    fn empty_selects_everything() {
        let s = Selector::parse("  ").unwrap();
        assert!(s.is_empty());
        assert!(s.matches(&labels(&[("x", "y")])));
        assert_eq!(s.to_label_selector(), None);
    }

    #[test]
    fn display_round_trips() {
        let s = Selector::parse("e in (y,x),a=b,!h").unwrap();
        assert_eq!(s.to_string(), "a=b,e in (x,y),!h");
        assert_eq!(Selector::parse(&s.to_string()).unwrap(), s);
    }

    #[test]
    fn converts_to_label_selector() {
        let s = Selector::parse("a=b,c!=d,g")
            .unwrap()
            .to_label_selector()
            .unwrap();
        assert_eq!(s.match_labels.unwrap()["a"], "b");
        let exprs = s.match_expressions.unwrap();
        assert_eq!(exprs[0].operator, "NotIn");
        assert_eq!(exprs[1].operator, "Exists");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "a=",
            "=b",
            "a in (x",
            "a in x",
            "a notin ()",
            ",",
            "a=b,",
            "a b",
            "-a=b",
            "a=b c",
            "a>1",
            "!",
            "a=b=c",
            "a=-b",
        ] {
            if bad == "a=" {
                // an empty value is valid in Kubernetes
                assert!(Selector::parse(bad).is_ok(), "{bad}");
                continue;
            }
            assert!(Selector::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn accepts_qualified_keys() {
        let s = Selector::parse("app.kubernetes.io/name=web,k8s-app in (a.b-c_d)").unwrap();
        assert!(s.matches(&labels(&[
            ("app.kubernetes.io/name", "web"),
            ("k8s-app", "a.b-c_d")
        ])));
        assert!(Selector::parse("a/b/c=d").is_err());
        assert!(Selector::parse(&format!("{}=x", "k".repeat(64))).is_err());
        assert!(Selector::parse(&format!("x={}", "v".repeat(64))).is_err());
    }
}
