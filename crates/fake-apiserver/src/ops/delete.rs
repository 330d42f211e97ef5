//! DELETE of one object (with uid / resourceVersion preconditions) and of a collection.

use std::sync::Arc;

use serde_json::Value;

use super::commit::{CRD_STORAGE, forget_crd};
use super::meta::meta_str;
use super::ns_key;
use crate::error::ApiError;
use crate::registry::Endpoint;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::state::ApiState;

/// Deletes one object; `options` is the DeleteOptions body, if any.
pub(crate) fn delete(
    st: &mut ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    name: &str,
    options: Option<&Value>,
) -> Result<Arc<Value>, ApiError> {
    let key = ns_key(ep, ns);
    let id = ep.kind.storage_id();
    let old = st
        .store
        .get(&id, key, name)
        .ok_or_else(|| ApiError::not_found(&ep.kind.plural, &ep.view.group, name))?;
    if let Some(pre) = options.and_then(|o| o.get("preconditions")) {
        if let Some(uid) = pre["uid"].as_str().filter(|u| !u.is_empty()) {
            let have = meta_str(old, "uid");
            if uid != have {
                let mut e = ApiError::conflict(&ep.kind.plural, &ep.view.group, name);
                e.message = format!(
                    "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {have}",
                    crate::error::qualified(&ep.kind.plural, &ep.view.group)
                );
                return Err(e);
            }
        }
        if let Some(rv) = pre["resourceVersion"].as_str().filter(|r| !r.is_empty())
            && rv != meta_str(old, "resourceVersion")
        {
            return Err(ApiError::conflict(&ep.kind.plural, &ep.view.group, name));
        }
    }
    let deleted = st
        .store
        .delete(&id, key, name)
        .ok_or_else(|| ApiError::not_found(&ep.kind.plural, &ep.view.group, name))?;
    if id == CRD_STORAGE {
        forget_crd(st, &deleted);
    }
    Ok(deleted)
}

/// Deletes every selected object of a namespace (or of all namespaces).
pub(crate) fn delete_collection(
    st: &mut ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    labels: &LabelSelector,
    fields: &FieldSelector,
) -> Vec<Arc<Value>> {
    let id = ep.kind.storage_id();
    let ns = if ep.kind.namespaced { ns } else { None };
    let names: Vec<(String, String)> = st
        .store
        .resource(&id)
        .map(|r| {
            r.objects
                .iter(ns)
                .filter(|(_, _, o)| labels.matches_object(o) && fields.matches(o))
                .map(|(n, name, _)| (n.to_string(), name.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut deleted = Vec::new();
    for (n, name) in names {
        if let Some(obj) = st.store.delete(&id, &n, &name) {
            if id == CRD_STORAGE {
                forget_crd(st, &obj);
            }
            deleted.push(obj);
        }
    }
    deleted
}
