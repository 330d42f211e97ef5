//! The object form of selectors (`metav1.LabelSelector`: matchLabels, matchExpressions):
//! conversion to a [`Selector`] as `metav1.LabelSelectorAsSelector` does, and the text Go's
//! `%+v` prints for one (the generated `String()`), which upstream puts into metric names
//! and error messages.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::requirement::{Operator, Selector};
use super::validate::new_requirement;

/// `metav1.LabelSelectorAsSelector`: `None` selects nothing (which the metrics APIs read as
/// "no constraint"), an empty selector selects everything.
pub fn selector_from_object(ls: Option<&LabelSelector>) -> Result<Selector, String> {
    let Some(ls) = ls else {
        return Ok(Selector::nothing());
    };
    let labels = ls.match_labels.as_ref();
    let exprs = ls.match_expressions.as_deref().unwrap_or_default();
    if labels.map_or(0, |l| l.len()) + exprs.len() == 0 {
        return Ok(Selector::everything());
    }
    let mut reqs = Vec::new();
    for (k, v) in labels.into_iter().flatten() {
        reqs.push(new_requirement(k, Operator::Equals, vec![v.clone()])?);
    }
    for e in exprs {
        let op = match e.operator.as_str() {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            other => return Err(format!("{other:?} is not a valid label selector operator")),
        };
        reqs.push(new_requirement(
            &e.key,
            op,
            e.values.clone().unwrap_or_default(),
        )?);
    }
    Ok(Selector::new(reqs))
}

/// What Go's `fmt.Sprintf("%+v", selector)` prints for a `*metav1.LabelSelector`:
/// `nil`, or `&LabelSelector{MatchLabels:map[string]string{a: b,},MatchExpressions:[]LabelSelectorRequirement{},}`.
pub fn gogo_string(ls: Option<&LabelSelector>) -> String {
    let Some(ls) = ls else {
        return "nil".to_string();
    };
    let mut s = String::from("&LabelSelector{MatchLabels:map[string]string{");
    for (k, v) in ls.match_labels.iter().flatten() {
        s.push_str(k);
        s.push_str(": ");
        s.push_str(v);
        s.push(',');
    }
    s.push_str("},MatchExpressions:[]LabelSelectorRequirement{");
    for e in ls.match_expressions.iter().flatten() {
        let values = e.values.as_deref().unwrap_or_default().join(" ");
        s.push_str(&format!(
            "LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},",
            e.key, e.operator, values
        ));
    }
    s.push_str("},}");
    s
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    use super::*;

    #[test]
    fn prints_like_gogo() {
        assert_eq!(gogo_string(None), "nil");
        let ls = LabelSelector {
            match_labels: Some(BTreeMap::from([("queue".into(), "worker_tasks".into())])),
            match_expressions: None,
        };
        assert_eq!(
            gogo_string(Some(&ls)),
            "&LabelSelector{MatchLabels:map[string]string{queue: worker_tasks,},MatchExpressions:[]LabelSelectorRequirement{},}"
        );
    }

    #[test]
    fn converts_like_upstream() {
        assert_eq!(selector_from_object(None).unwrap(), Selector::nothing());
        assert!(
            selector_from_object(Some(&LabelSelector::default()))
                .unwrap()
                .is_everything()
        );
        let ls = LabelSelector {
            match_labels: Some(BTreeMap::from([("verb".into(), "GET".into())])),
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "code".into(),
                operator: "In".into(),
                values: Some(vec!["500".into(), "200".into()]),
            }]),
        };
        assert_eq!(
            selector_from_object(Some(&ls)).unwrap().to_string(),
            "code in (200,500),verb=GET"
        );
        let bad = LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "Near".into(),
                values: None,
            }]),
        };
        assert!(selector_from_object(Some(&bad)).is_err());
    }
}
