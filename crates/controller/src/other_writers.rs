//! Who else writes an autoscaler's status. In `--mode hpa` on a cluster whose built-in HPA
//! controller is still on, kube-controller-manager and Alpaca would both write the scale
//! and the status of every `autoscaling/v2` HPA, each undoing the other. The object's
//! `managedFields` say who wrote its `status` subresource last: when another manager than
//! Alpaca's ([`FIELD_MANAGER`], or `alpaca` for writes without an explicit field manager)
//! wrote it recently and after Alpaca did, Alpaca makes no write for that autoscaler
//! (`--allow-other-hpa-writers` turns the check off).
//!
//! The informer keeps only these `status` entries of `managedFields` (without their field
//! sets), which is all this check reads.

use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::DynamicObject;

/// The field manager of Alpaca's writes (status, scale, memory annotation), as
/// `managedFields` and audit logs show it.
pub const FIELD_MANAGER: &str = "alpaca-controller";

/// Managers that are Alpaca: [`FIELD_MANAGER`], and `alpaca`, the name kube-apiserver
/// derives from Alpaca's user agent for writes without an explicit field manager.
const OWN_MANAGERS: [&str; 2] = [FIELD_MANAGER, "alpaca"];

/// How recent another manager's status write must be to count as a controller still
/// active: kube-controller-manager writes the status only when it changes, so an idle
/// but running built-in controller may not write for minutes; a write older than this,
/// with no Alpaca write after it, is taken as left from before a migration.
pub const RECENT: Duration = Duration::from_secs(600);

/// Another writer of an autoscaler's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherWriter {
    /// Its field manager.
    pub manager: String,
    /// When it last wrote.
    pub time: Timestamp,
}

impl OtherWriter {
    /// The message of the `AnotherControllerActive` event.
    pub fn message(&self) -> String {
        let hint = if self.manager == "kube-controller-manager" {
            "the built-in HPA controller is on: turn it off (kube-controller-manager \
             --controllers=*,-horizontalpodautoscaling), or run Alpaca with --mode crd"
        } else {
            "another controller writes this autoscaler: stop it, or run Alpaca with --mode crd"
        };
        format!(
            "status written by field manager {:?} after Alpaca's last write: Alpaca makes no \
             scale or status write for this autoscaler while it is active ({hint}; \
             --allow-other-hpa-writers overrides this check)",
            self.manager
        )
    }
}

/// Keeps only the `status` subresource entries of `managedFields`, without their field
/// sets (what [`other_status_writer`] reads; the rest is not kept in the cache).
pub fn keep_status_entries(meta: &mut ObjectMeta) {
    if let Some(entries) = meta.managed_fields.take() {
        let kept: Vec<_> = entries
            .into_iter()
            .filter(|e| e.subresource.as_deref() == Some("status"))
            .map(|mut e| {
                e.fields_v1 = None;
                e
            })
            .collect();
        if !kept.is_empty() {
            meta.managed_fields = Some(kept);
        }
    }
}

/// The latest writer of `obj`'s status that is not Alpaca, when it wrote within
/// [`RECENT`] of `now` and not before Alpaca's own last status write.
pub fn other_status_writer(obj: &DynamicObject, now: Timestamp) -> Option<OtherWriter> {
    let entries = obj.metadata.managed_fields.as_ref()?;
    let status = entries
        .iter()
        .filter(|e| e.subresource.as_deref() == Some("status"));
    let own = status
        .clone()
        .filter(|e| e.manager.as_deref().is_some_and(is_own))
        .filter_map(|e| e.time.as_ref().map(|t| t.0))
        .max();
    let other = status
        .filter(|e| !e.manager.as_deref().is_some_and(is_own))
        .filter_map(|e| Some((e.time.as_ref()?.0, e.manager.clone().unwrap_or_default())))
        .max()?;
    let recent = now.duration_since(other.0).unsigned_abs() <= RECENT || other.0 > now;
    let after_own = own.is_none_or(|own| other.0 >= own);
    (recent && after_own).then_some(OtherWriter {
        manager: other.1,
        time: other.0,
    })
}

fn is_own(manager: &str) -> bool {
    OWN_MANAGERS.contains(&manager)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, Time};

    fn entry(manager: &str, sub: Option<&str>, at: &str) -> ManagedFieldsEntry {
        ManagedFieldsEntry {
            manager: Some(manager.into()),
            operation: Some("Update".into()),
            subresource: sub.map(Into::into),
            time: Some(Time(at.parse().unwrap())),
            ..ManagedFieldsEntry::default()
        }
    }

    fn obj(entries: Vec<ManagedFieldsEntry>) -> DynamicObject {
        let mut o: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "ns"}
        }))
        .unwrap();
        o.metadata.managed_fields = Some(entries);
        keep_status_entries(&mut o.metadata);
        o
    }

    const NOW: &str = "2026-01-01T00:10:00Z";

    #[test]
    fn kube_controller_manager_writing_status_is_another_writer() {
        let now: Timestamp = NOW.parse().unwrap();
        let o = obj(vec![
            entry("kubectl", None, "2026-01-01T00:09:00Z"),
            entry(
                "kube-controller-manager",
                Some("status"),
                "2026-01-01T00:09:30Z",
            ),
        ]);
        let w = other_status_writer(&o, now).unwrap();
        assert_eq!(w.manager, "kube-controller-manager");
        assert!(
            w.message()
                .contains("--controllers=*,-horizontalpodautoscaling")
        );
        // the spec writer is dropped from the cache, the status writer kept without fields
        assert_eq!(o.metadata.managed_fields.as_ref().unwrap().len(), 1);
    }

    #[test]
    fn alpaca_writing_last_or_an_old_write_is_not() {
        let now: Timestamp = NOW.parse().unwrap();
        let after = obj(vec![
            entry(
                "kube-controller-manager",
                Some("status"),
                "2026-01-01T00:09:00Z",
            ),
            entry(FIELD_MANAGER, Some("status"), "2026-01-01T00:09:30Z"),
        ]);
        assert_eq!(other_status_writer(&after, now), None);
        let old = obj(vec![entry(
            "kube-controller-manager",
            Some("status"),
            "2025-12-31T23:59:00Z",
        )]);
        assert_eq!(other_status_writer(&old, now), None);
        let only_alpaca = obj(vec![entry(
            "alpaca",
            Some("status"),
            "2026-01-01T00:09:30Z",
        )]);
        assert_eq!(other_status_writer(&only_alpaca, now), None);
        let again = obj(vec![
            entry("alpaca", Some("status"), "2026-01-01T00:09:00Z"),
            entry(
                "kube-controller-manager",
                Some("status"),
                "2026-01-01T00:09:30Z",
            ),
        ]);
        assert!(other_status_writer(&again, now).is_some());
    }
}
