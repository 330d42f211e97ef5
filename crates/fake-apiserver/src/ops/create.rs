//! POST: create an object (or, in seed mode, create-or-replace).

use std::sync::Arc;

use serde_json::{Value, json};

use super::commit::commit;
use super::meta::{generated_name, meta_str, metadata_mut, new_uid, now_rfc3339};
use super::{WriteMode, update};
use crate::convert;
use crate::error::ApiError;
use crate::registry::Endpoint;
use crate::state::ApiState;

/// Creates an object from a client's body (in the endpoint's view). `ns` is the namespace
/// of the request path (None for cluster-scoped or all-namespaces paths).
pub(crate) fn create(
    st: &mut ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    body: Value,
    mode: WriteMode,
) -> Result<Arc<Value>, ApiError> {
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request was not a JSON object",
        ));
    }
    let kind = ep.kind.clone();
    let mut obj = convert::decode(body, &kind, &ep.view, None);
    let body_ns = meta_str(&obj, "namespace").to_string();
    let ns = if kind.namespaced {
        match ns {
            Some(path_ns) if !body_ns.is_empty() && body_ns != path_ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            Some(path_ns) => path_ns.to_string(),
            None if !body_ns.is_empty() => body_ns,
            None => {
                return Err(ApiError::bad_request(
                    "the namespace of the object is required",
                ));
            }
        }
    } else {
        String::new()
    };
    let mut name = meta_str(&obj, "name").to_string();
    if name.is_empty() {
        let prefix = meta_str(&obj, "generateName").to_string();
        if prefix.is_empty() {
            return Err(ApiError::invalid(
                &kind.kind,
                &ep.view.group,
                "",
                "metadata.name: Required value: name or generateName is required",
            ));
        }
        name = generated_name(&prefix);
        while st.store.get(&kind.storage_id(), &ns, &name).is_some() {
            name = generated_name(&prefix);
        }
    }
    if st.store.get(&kind.storage_id(), &ns, &name).is_some() {
        if mode == WriteMode::Seed {
            let view = kind.storage_view().clone();
            let seeded = Endpoint {
                kind: kind.clone(),
                view,
            };
            let ns = Some(ns.as_str()).filter(|n| !n.is_empty());
            return update(st, &seeded, ns, &name, obj, mode);
        }
        return Err(ApiError::already_exists(
            &kind.plural,
            &ep.view.group,
            &name,
        ));
    }
    let meta = metadata_mut(&mut obj);
    meta.insert("name".into(), json!(name));
    if kind.namespaced {
        meta.insert("namespace".into(), json!(ns));
    } else {
        meta.remove("namespace");
    }
    meta.insert("uid".into(), json!(new_uid()));
    meta.insert("creationTimestamp".into(), json!(now_rfc3339()));
    meta.insert("generation".into(), json!(1));
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.remove("managedFields");
    if mode == WriteMode::Api
        && kind.status
        && let Some(map) = obj.as_object_mut()
    {
        map.remove("status");
    }
    commit(st, &kind, &ns, &name, obj, None)
}
