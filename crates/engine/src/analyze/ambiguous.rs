//! `validateAndParseSelector`'s last check: the pods this HPA's selector selects must be
//! controlled by this HPA alone. Upstream keeps every HPA's latest selector
//! (`hpaSelectors`) and asks which of them select any of those pods; the Snapshot carries
//! the other autoscalers' selectors in `autoscalerSelectors`.

use crate::monitor::pods::PodView;
use crate::snapshot::AutoscalerSelector;

/// The autoscalers (`namespace/name`, sorted) that control some of `pods`, this one
/// included, when there is more than one; `None` otherwise. Selectors that do not parse
/// select nothing (upstream never stores them).
pub(crate) fn controlling(
    namespace: &str,
    name: &str,
    pods: &[PodView<'_>],
    others: &[AutoscalerSelector],
) -> Option<Vec<String>> {
    if pods.is_empty() {
        return None;
    }
    let mut hpas: Vec<String> = others
        .iter()
        .filter(|o| o.name != name && !o.selector.is_empty())
        .filter(|o| {
            crate::selector::parse(&o.selector)
                .is_ok_and(|s| pods.iter().any(|p| s.matches_opt(p.labels)))
        })
        .map(|o| format!("{namespace}/{}", o.name))
        .collect();
    if hpas.is_empty() {
        return None;
    }
    hpas.push(format!("{namespace}/{name}"));
    hpas.sort();
    hpas.dedup();
    Some(hpas)
}

/// Upstream's message: `pods by selector app=web are controlled by multiple HPAs: [ns/a ns/b]`.
pub(crate) fn message(selector: &str, hpas: &[String]) -> String {
    format!(
        "pods by selector {selector} are controlled by multiple HPAs: [{}]",
        hpas.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    fn pod(app: &str) -> Pod {
        serde_json::from_value(
            serde_json::json!({"metadata": {"name": "p", "labels": {"app": app, "tier": "web"}}}),
        )
        .unwrap()
    }

    fn other(name: &str, selector: &str) -> AutoscalerSelector {
        AutoscalerSelector {
            name: name.into(),
            selector: selector.into(),
        }
    }

    #[test]
    fn another_selector_over_the_same_pods_is_ambiguous() {
        let pods = [pod("web")];
        let pods: Vec<PodView<'_>> = pods.iter().map(PodView::of_pod).collect();
        let others = [
            other("b", "tier=web"),
            other("c", "app=db"),
            other("a", "app=web"),
        ];
        assert_eq!(
            controlling("ns", "me", &pods, &others),
            Some(vec!["ns/a".into(), "ns/b".into(), "ns/me".into()])
        );
        assert_eq!(
            message("app=web", &["ns/a".into(), "ns/me".into()]),
            "pods by selector app=web are controlled by multiple HPAs: [ns/a ns/me]"
        );
    }

    #[test]
    fn no_pods_no_overlap_or_itself_is_not() {
        let pods = [pod("web")];
        let pods: Vec<PodView<'_>> = pods.iter().map(PodView::of_pod).collect();
        assert_eq!(controlling("ns", "me", &[], &[other("a", "app=web")]), None);
        assert_eq!(
            controlling("ns", "me", &pods, &[other("a", "app=db")]),
            None
        );
        assert_eq!(
            controlling("ns", "me", &pods, &[other("me", "app=web")]),
            None
        );
        assert_eq!(
            controlling("ns", "me", &pods, &[other("a", "app in (")]),
            None
        );
    }
}
