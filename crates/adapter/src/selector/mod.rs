//! Label selectors as the HPA sends them in the `labelSelector` and `metricLabelSelector`
//! query parameters: apimachinery's parsing, validation and matching (the `alpaca-labels`
//! crate the engine uses), without `>` and `<`, which no metrics backend here answers; and
//! the conversion to a `metav1.LabelSelector`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

pub use alpaca_labels::{Operator, Requirement, Selector};

/// A selector the metrics APIs do not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

/// Parses the Kubernetes selector string syntax; the empty string selects everything.
pub fn parse(s: &str) -> Result<Selector, SelectorError> {
    let sel = alpaca_labels::parse(s).map_err(SelectorError)?;
    if let Some(r) = sel
        .requirements()
        .iter()
        .find(|r| matches!(r.operator, Operator::GreaterThan | Operator::LessThan))
    {
        return Err(SelectorError(format!(
            "unable to parse requirement: {r}: the metrics APIs take =, ==, !=, in, notin, exists and !exists"
        )));
    }
    Ok(sel)
}

/// A requirement's values, sorted and without repeats.
pub fn values(r: &Requirement) -> Vec<&str> {
    let mut vs: Vec<&str> = r.values.iter().map(String::as_str).collect();
    vs.sort_unstable();
    vs.dedup();
    vs
}

/// Whether a requirement asks for one value (`key=value` or `key==value`).
pub fn is_equality(r: &Requirement) -> bool {
    matches!(r.operator, Operator::Equals | Operator::DoubleEquals)
}

/// The selector as a `metav1.LabelSelector` (what `metav1.ParseToLabelSelector` gives),
/// or `None` for the empty selector.
pub fn to_label_selector(sel: &Selector) -> Option<LabelSelector> {
    if sel.is_everything() {
        return None;
    }
    let mut match_labels = BTreeMap::new();
    let mut exprs = Vec::new();
    let expr = |r: &Requirement, op: &str, with_values: bool| LabelSelectorRequirement {
        key: r.key.clone(),
        operator: op.to_string(),
        values: with_values.then(|| values(r).into_iter().map(str::to_string).collect()),
    };
    for r in sel.requirements() {
        match r.operator {
            Operator::Equals | Operator::DoubleEquals => {
                match_labels.insert(r.key.clone(), r.values.first().cloned().unwrap_or_default());
            }
            Operator::NotEquals | Operator::NotIn => exprs.push(expr(r, "NotIn", true)),
            Operator::In => exprs.push(expr(r, "In", true)),
            Operator::Exists => exprs.push(expr(r, "Exists", false)),
            Operator::DoesNotExist => exprs.push(expr(r, "DoesNotExist", false)),
            // Refused by `parse`.
            Operator::GreaterThan | Operator::LessThan => {}
        }
    }
    Some(LabelSelector {
        match_labels: (!match_labels.is_empty()).then_some(match_labels),
        match_expressions: (!exprs.is_empty()).then_some(exprs),
    })
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
        let s = parse("a=b,c!=d,e in (x, y),f notin (z),g,!h,i==j").unwrap();
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
        let s = parse("  ").unwrap();
        assert!(s.is_everything());
        assert!(s.matches(&labels(&[("x", "y")])));
        assert_eq!(to_label_selector(&s), None);
    }

    #[test]
    fn display_round_trips() {
        let s = parse("e in (y,x),a=b,!h").unwrap();
        assert_eq!(s.to_string(), "a=b,e in (x,y),!h");
        assert_eq!(parse(&s.to_string()).unwrap(), s);
    }

    #[test]
    fn converts_to_label_selector() {
        let s = to_label_selector(&parse("a=b,c!=d,g").unwrap()).unwrap();
        assert_eq!(s.match_labels.unwrap()["a"], "b");
        let exprs = s.match_expressions.unwrap();
        assert_eq!(exprs[0].operator, "NotIn");
        assert_eq!(exprs[1].operator, "Exists");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "a=", "=b", "a in (x", "a in x", ",", "a=b,", "a b", "-a=b", "a=b c", "a>1", "!",
            "a=b=c", "a=-b",
        ] {
            if bad == "a=" {
                // an empty value is valid in Kubernetes
                assert!(parse(bad).is_ok(), "{bad}");
                continue;
            }
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
        // As in apimachinery, `()` is the set of the empty value.
        let s = parse("a notin ()").unwrap();
        assert!(!s.matches(&labels(&[("a", "")])));
        assert!(s.matches(&labels(&[("a", "x")])));
    }

    #[test]
    fn accepts_qualified_keys() {
        let s = parse("app.kubernetes.io/name=web,k8s-app in (a.b-c_d)").unwrap();
        assert!(s.matches(&labels(&[
            ("app.kubernetes.io/name", "web"),
            ("k8s-app", "a.b-c_d")
        ])));
        assert!(parse("a/b/c=d").is_err());
        assert!(parse(&format!("{}=x", "k".repeat(64))).is_err());
        assert!(parse(&format!("x={}", "v".repeat(64))).is_err());
    }
}
