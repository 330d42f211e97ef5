//! Every autoscaler's latest selector, as upstream's HPA controller keeps them
//! (`hpaSelectors`): each sync stores the selector of its target's scale, and a Snapshot
//! carries the other autoscalers of the namespace whose selectors select any of its pods,
//! so that the engine can refuse an ambiguous one (`AmbiguousSelector`).
//!
//! Which autoscalers select a set of labels is remembered per namespace until one of its
//! selectors changes, so a sync looks its pods' label sets up instead of matching every
//! autoscaler's selector against every pod (a cost that grew with the fleet).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use alpaca_engine::pod_record::PodRecord;
use alpaca_engine::snapshot::{AutoscalerSelector, ParsedSelector};
use rustc_hash::{FxHashMap as HashMap, FxHashSet};

use crate::cluster::HpaKey;

type Labels = BTreeMap<String, String>;

/// Past this many distinct label sets among one sync's pods, they are not remembered.
const DISTINCT_LABEL_SETS: usize = 16;

/// A namespace's autoscalers.
#[derive(Debug, Default)]
struct Namespace {
    /// Name → selector (its text and parse).
    by_name: BTreeMap<String, Arc<ParsedSelector>>,
    /// Label set → the names (sorted) of the autoscalers whose selectors select it;
    /// emptied whenever a selector of the namespace changes.
    selecting: HashMap<Labels, Vec<String>>,
    /// The same for label sets shared by pod records, by address (the `Arc` kept here,
    /// so that the address is not reused for other labels while the entry lives).
    selecting_shared: HashMap<usize, (Arc<Labels>, Vec<String>)>,
}

impl Namespace {
    /// The names of the autoscalers selecting `labels` (worked out once per label set).
    fn selecting(&mut self, labels: &Labels) -> &[String] {
        if !self.selecting.contains_key(labels) {
            // Label sets no longer in use are forgotten along with the rest.
            if self.selecting.len() > 2 * self.by_name.len() + 64 {
                self.selecting.clear();
            }
            let names = self
                .by_name
                .iter()
                .filter(|(_, s)| s.selector.matches(labels))
                .map(|(name, _)| name.clone())
                .collect();
            self.selecting.insert(labels.clone(), names);
        }
        self.selecting.get(labels).map_or(&[], Vec::as_slice)
    }

    /// [`Namespace::selecting`] for a shared label set.
    fn selecting_shared(&mut self, labels: &Arc<Labels>) -> &[String] {
        let address = Arc::as_ptr(labels) as usize;
        if !self.selecting_shared.contains_key(&address) {
            if self.selecting_shared.len() > 2 * self.by_name.len() + 64 {
                self.selecting_shared.clear();
            }
            let names = self.selecting(labels).to_vec();
            self.selecting_shared
                .insert(address, (labels.clone(), names));
        }
        self.selecting_shared
            .get(&address)
            .map_or(&[], |(_, names)| names.as_slice())
    }

    fn changed(&mut self) {
        self.selecting.clear();
        self.selecting_shared.clear();
    }

    /// The other autoscalers (than `me`) selecting any of these label sets.
    fn others(&self, me: &str, names: Vec<String>) -> Vec<AutoscalerSelector> {
        names
            .into_iter()
            .filter(|name| name != me)
            .filter_map(|name| {
                let parsed = self.by_name.get(&name)?;
                Some(AutoscalerSelector {
                    selector: parsed.text.clone(),
                    name,
                })
            })
            .collect()
    }
}

/// Selectors by namespace and autoscaler name.
#[derive(Debug, Default)]
pub(crate) struct Selectors {
    by_namespace: Mutex<HashMap<String, Namespace>>,
}

impl Selectors {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Namespace>> {
        self.by_namespace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores `key`'s selector (upstream stores only one that parses); gives it parsed,
    /// or `None` when it does not parse.
    pub fn put(&self, key: &HpaKey, text: &str) -> Option<Arc<ParsedSelector>> {
        if text.is_empty() {
            return None;
        }
        let mut map = self.lock();
        if let Some(parsed) = map
            .get(&key.namespace)
            .and_then(|ns| ns.by_name.get(&key.name))
            .filter(|p| p.text == text)
        {
            return Some(parsed.clone());
        }
        let selector = alpaca_engine::selector::parse(text).ok()?;
        let parsed = Arc::new(ParsedSelector {
            text: text.to_string(),
            selector,
        });
        let ns = map.entry(key.namespace.clone()).or_default();
        ns.by_name.insert(key.name.clone(), parsed.clone());
        ns.changed();
        Some(parsed)
    }

    /// Forgets a deleted autoscaler.
    pub fn forget(&self, key: &HpaKey) {
        let mut map = self.lock();
        if let Some(ns) = map.get_mut(&key.namespace) {
            if ns.by_name.remove(&key.name).is_some() {
                ns.changed();
            }
            if ns.by_name.is_empty() {
                map.remove(&key.namespace);
            }
        }
    }

    /// The other autoscalers of `key`'s namespace whose selectors select any of the pods
    /// whose labels are given.
    pub fn overlapping<'a>(
        &self,
        key: &HpaKey,
        pod_labels: impl Iterator<Item = Option<&'a Labels>>,
    ) -> Vec<AutoscalerSelector> {
        static EMPTY: Labels = BTreeMap::new();
        // The pods' distinct label sets (pods of one template share theirs; pods with a
        // label of their own, such as a StatefulSet's, each have one).
        let mut first: Option<&Labels> = None;
        let mut more: FxHashSet<&Labels> = FxHashSet::default();
        for labels in pod_labels {
            let labels = labels.unwrap_or(&EMPTY);
            match first {
                None => first = Some(labels),
                Some(f) if std::ptr::eq(f, labels) || *f == *labels => {}
                Some(_) => {
                    more.insert(labels);
                }
            }
        }
        let Some(first) = first else {
            return Vec::new();
        };
        let mut map = self.lock();
        let Some(ns) = map.get_mut(&key.namespace) else {
            return Vec::new();
        };
        if more.len() >= DISTINCT_LABEL_SETS {
            // Too many to remember: match each selector against them, as upstream does.
            more.insert(first);
            let names = ns
                .by_name
                .iter()
                .filter(|(name, _)| **name != key.name)
                .filter(|(_, s)| more.iter().any(|l| s.selector.matches(l)))
                .map(|(name, _)| name.clone())
                .collect();
            return ns.others(&key.name, names);
        }
        let mut names = others_than(ns.selecting(first), &key.name);
        if !more.is_empty() {
            for labels in more {
                names.extend(others_than(ns.selecting(labels), &key.name));
            }
            names.sort();
            names.dedup();
        }
        ns.others(&key.name, names)
    }

    /// [`Selectors::overlapping`] for pod records, whose label sets are shared.
    pub fn overlapping_records(
        &self,
        key: &HpaKey,
        records: &[Arc<PodRecord>],
    ) -> Vec<AutoscalerSelector> {
        let Some(first) = records.first() else {
            return Vec::new();
        };
        let mut map = self.lock();
        let Some(ns) = map.get_mut(&key.namespace) else {
            return Vec::new();
        };
        let mut last = &first.labels;
        let mut names = others_than(ns.selecting_shared(last), &key.name);
        let mut several = false;
        for r in &records[1..] {
            if Arc::ptr_eq(&r.labels, last) {
                continue;
            }
            last = &r.labels;
            several = true;
            names.extend(others_than(ns.selecting_shared(last), &key.name));
        }
        if several {
            names.sort();
            names.dedup();
        }
        ns.others(&key.name, names)
    }
}

/// The names other than `me`.
fn others_than(names: &[String], me: &str) -> Vec<String> {
    names.iter().filter(|n| *n != me).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    fn labels(pods: &[Arc<Pod>]) -> impl Iterator<Item = Option<&BTreeMap<String, String>>> {
        pods.iter().map(|p| p.metadata.labels.as_ref())
    }

    fn pod(app: &str) -> Arc<Pod> {
        Arc::new(
            serde_json::from_value(
                serde_json::json!({"metadata": {"name": app, "labels": {"app": app}}}),
            )
            .unwrap(),
        )
    }

    #[test]
    fn only_others_selecting_the_same_pods_are_carried() {
        let s = Selectors::default();
        let me = HpaKey::new("ns", "me");
        s.put(&me, "app=web");
        s.put(&HpaKey::new("ns", "twin"), "app in (web)");
        s.put(&HpaKey::new("ns", "db"), "app=db");
        s.put(&HpaKey::new("other", "web"), "app=web");
        s.put(&HpaKey::new("ns", "bad"), "app in (");
        let pods = [pod("web")];
        let got = s.overlapping(&me, labels(&pods));
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].name.as_str(), got[0].selector.as_str()),
            ("twin", "app in (web)")
        );
        s.forget(&HpaKey::new("ns", "twin"));
        assert!(s.overlapping(&me, labels(&pods)).is_empty());
        assert!(s.overlapping(&me, labels(&[])).is_empty());
    }

    #[test]
    fn a_selector_stored_or_changed_after_a_lookup_is_seen_by_the_next() {
        let s = Selectors::default();
        let me = HpaKey::new("ns", "me");
        s.put(&me, "app=web");
        let pods = [pod("web"), pod("db"), pod("web")];
        assert!(s.overlapping(&me, labels(&pods)).is_empty());
        s.put(&HpaKey::new("ns", "any"), "app");
        s.put(&HpaKey::new("ns", "db"), "app=db");
        let names = |got: Vec<AutoscalerSelector>| -> Vec<String> {
            got.into_iter()
                .map(|a| format!("{}:{}", a.name, a.selector))
                .collect()
        };
        assert_eq!(
            names(s.overlapping(&me, labels(&pods))),
            ["any:app", "db:app=db"]
        );
        assert_eq!(names(s.overlapping(&me, labels(&pods[..1]))), ["any:app"]);
        s.put(&HpaKey::new("ns", "db"), "app=cache");
        assert_eq!(names(s.overlapping(&me, labels(&pods))), ["any:app"]);
        s.forget(&HpaKey::new("ns", "any"));
        assert!(s.overlapping(&me, labels(&pods)).is_empty());
        // pods without labels are selected by a selector that selects everything
        s.put(&HpaKey::new("ns", "all"), "tier!=x");
        let bare: Arc<Pod> = Arc::new(Pod::default());
        assert_eq!(names(s.overlapping(&me, labels(&[bare]))), ["all:tier!=x"]);
    }

    fn record(labels: &Arc<BTreeMap<String, String>>) -> Arc<PodRecord> {
        Arc::new(PodRecord {
            name: "p".into(),
            namespace: "ns".into(),
            labels: labels.clone(),
            deleting: false,
            phase: alpaca_engine::pod_record::PodPhase::Running,
            ready: None,
            start_time: None,
            spec: Arc::default(),
            usage: None,
        })
    }

    #[test]
    fn records_find_what_their_labels_would() {
        let s = Selectors::default();
        let me = HpaKey::new("ns", "me");
        let parsed = s.put(&me, "app=web").unwrap();
        assert_eq!(parsed.text, "app=web");
        assert!(Arc::ptr_eq(&parsed, &s.put(&me, "app=web").unwrap()));
        assert!(s.put(&me, "app in (").is_none());
        let web = Arc::new(BTreeMap::from([("app".to_string(), "web".to_string())]));
        let db = Arc::new(BTreeMap::from([("app".to_string(), "db".to_string())]));
        let pods = [record(&web), record(&web), record(&db)];
        assert!(s.overlapping_records(&me, &pods).is_empty());
        s.put(&HpaKey::new("ns", "db"), "app=db");
        s.put(&HpaKey::new("ns", "any"), "app");
        let got: Vec<_> = s
            .overlapping_records(&me, &pods)
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(got, ["any", "db"]);
        let got: Vec<_> = s
            .overlapping_records(&me, &pods[..2])
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(got, ["any"]);
        s.forget(&HpaKey::new("ns", "any"));
        assert!(s.overlapping_records(&me, &pods[..2]).is_empty());
        assert!(s.overlapping_records(&me, &[]).is_empty());
    }

    #[test]
    fn pods_with_labels_of_their_own_are_matched_without_being_remembered() {
        let s = Selectors::default();
        let me = HpaKey::new("ns", "me");
        s.put(&me, "app=db");
        s.put(&HpaKey::new("ns", "one"), "pod=db-7");
        s.put(&HpaKey::new("ns", "none"), "pod=db-99");
        let pods: Vec<Arc<Pod>> = (0..40)
            .map(|i| {
                Arc::new(
                    serde_json::from_value(serde_json::json!({"metadata": {
                        "name": format!("db-{i}"),
                        "labels": {"app": "db", "pod": format!("db-{i}")}}}))
                    .unwrap(),
                )
            })
            .collect();
        let got: Vec<_> = s
            .overlapping(&me, labels(&pods))
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(got, ["one"]);
        assert!(s.lock()["ns"].selecting.is_empty());
        let got: Vec<_> = s
            .overlapping(&me, labels(&pods[5..9]))
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(got, ["one"]);
        assert_eq!(s.lock()["ns"].selecting.len(), 4);
    }
}
