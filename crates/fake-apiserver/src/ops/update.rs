//! PUT and PATCH of an object and of its `/status` subresource, with optimistic
//! concurrency on `metadata.resourceVersion`.

use std::sync::Arc;

use serde_json::{Value, json};

use super::commit::commit;
use super::meta::{meta_str, metadata_mut};
use super::patch::{PatchKind, apply_patch, parse_body};
use super::{WriteMode, create, ns_key};
use crate::convert;
use crate::error::ApiError;
use crate::registry::Endpoint;
use crate::state::ApiState;

fn current(st: &ApiState, ep: &Endpoint, ns: &str, name: &str) -> Result<Arc<Value>, ApiError> {
    st.store
        .get(&ep.kind.storage_id(), ns, name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&ep.kind.plural, &ep.view.group, name))
}

fn check_identity(new: &Value, ns: &str, name: &str, namespaced: bool) -> Result<(), ApiError> {
    let body_name = meta_str(new, "name");
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let body_ns = meta_str(new, "namespace");
    if namespaced && !body_ns.is_empty() && body_ns != ns {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    Ok(())
}

fn check_resource_version(
    new: &Value,
    old: &Value,
    ep: &Endpoint,
    name: &str,
) -> Result<(), ApiError> {
    let rv = meta_str(new, "resourceVersion");
    if !rv.is_empty() && rv != meta_str(old, "resourceVersion") {
        return Err(ApiError::conflict(&ep.kind.plural, &ep.view.group, name));
    }
    Ok(())
}

fn keep_server_metadata(new: &mut Value, old: &Value, ns: &str, name: &str, namespaced: bool) {
    let meta = metadata_mut(new);
    meta.insert("name".into(), json!(name));
    if namespaced {
        meta.insert("namespace".into(), json!(ns));
    } else {
        meta.remove("namespace");
    }
    meta.remove("managedFields");
    for field in [
        "uid",
        "creationTimestamp",
        "generation",
        "deletionTimestamp",
    ] {
        match old["metadata"].get(field) {
            Some(v) => meta.insert(field.into(), v.clone()),
            None => meta.remove(field),
        };
    }
}

fn set_status(obj: &mut Value, status: Option<&Value>) {
    if let Some(map) = obj.as_object_mut() {
        match status.filter(|s| !s.is_null()) {
            Some(s) => map.insert("status".into(), s.clone()),
            None => map.remove("status"),
        };
    }
}

/// PUT of the main resource: status changes are ignored when the kind has a status
/// subresource (API mode).
pub(crate) fn update(
    st: &mut ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    name: &str,
    body: Value,
    mode: WriteMode,
) -> Result<Arc<Value>, ApiError> {
    let ns = ns_key(ep, ns);
    let old = current(st, ep, ns, name)?;
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request was not a JSON object",
        ));
    }
    let kind = ep.kind.clone();
    let mut new = convert::decode(body, &kind, &ep.view, Some(&old));
    check_identity(&new, ns, name, kind.namespaced)?;
    if mode == WriteMode::Api {
        check_resource_version(&new, &old, ep, name)?;
    }
    keep_server_metadata(&mut new, &old, ns, name, kind.namespaced);
    if mode == WriteMode::Api && kind.status {
        set_status(&mut new, old.get("status"));
    }
    commit(st, &kind, ns, name, new, Some(old))
}

/// PUT of `/status`: only the status is taken from the body.
pub(crate) fn update_status(
    st: &mut ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    name: &str,
    body: Value,
) -> Result<Arc<Value>, ApiError> {
    let ns = ns_key(ep, ns);
    let old = current(st, ep, ns, name)?;
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request was not a JSON object",
        ));
    }
    let kind = ep.kind.clone();
    let body = convert::decode(body, &kind, &ep.view, Some(&old));
    check_identity(&body, ns, name, kind.namespaced)?;
    check_resource_version(&body, &old, ep, name)?;
    let mut new = (*old).clone();
    set_status(&mut new, body.get("status"));
    commit(st, &kind, ns, name, new, Some(old))
}

/// PATCH of the object or of its `/status`. A server-side apply of a missing object
/// creates it. A `metadata.resourceVersion` in the patch is a precondition.
pub(crate) fn patch_object(
    st: &mut ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    name: &str,
    kind: PatchKind,
    patch: &[u8],
    status: bool,
) -> Result<Arc<Value>, ApiError> {
    let key = ns_key(ep, ns);
    let old = match st.store.get(&ep.kind.storage_id(), key, name).cloned() {
        Some(old) => old,
        None if kind == PatchKind::Apply && !status => {
            let mut body = parse_body(patch)?;
            check_identity(&body, key, name, ep.kind.namespaced)?;
            metadata_mut(&mut body).insert("name".into(), json!(name));
            return create(st, ep, ns, body, WriteMode::Api);
        }
        None => return Err(ApiError::not_found(&ep.kind.plural, &ep.view.group, name)),
    };
    let view = convert::encode(&old, &ep.kind, &ep.view).into_owned();
    let patched = apply_patch(view, kind, patch)?;
    if status {
        update_status(st, ep, ns, name, patched)
    } else {
        update(st, ep, ns, name, patched, WriteMode::Api)
    }
}
