//! The `/scale` subresource: an `autoscaling/v1` Scale view of a workload or of a custom
//! resource with a scale subresource.

use serde_json::{Map, Value, json};

use super::commit::commit;
use super::meta::meta_str;
use super::ns_key;
use super::patch::{PatchKind, apply_patch};
use crate::error::ApiError;
use crate::registry::{Endpoint, ScalePaths};
use crate::selectors::LabelSelector;
use crate::state::ApiState;

fn path_parts(path: &str) -> Vec<&str> {
    path.trim_start_matches('.')
        .split('.')
        .filter(|p| !p.is_empty())
        .collect()
}

fn lookup<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    path_parts(path).into_iter().try_fold(obj, |v, p| v.get(p))
}

fn set_path(obj: &mut Value, path: &str, value: Value) {
    let parts = path_parts(path);
    let mut cur = obj;
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let map = cur.as_object_mut().expect("made an object above");
        if i + 1 == parts.len() {
            map.insert(part.to_string(), value);
            return;
        }
        cur = map
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

fn paths(ep: &Endpoint) -> Result<&ScalePaths, ApiError> {
    ep.kind.scale.as_ref().ok_or_else(ApiError::no_route)
}

fn selector_string(obj: &Value, paths: &ScalePaths) -> Option<String> {
    if paths.selector_from_spec {
        let selector = obj.pointer("/spec/selector")?;
        // a ReplicationController's selector is a plain label map (`{app: web}`), which
        // the API server turns into `app=web`; the apps/v1 kinds have a LabelSelector
        let selector = match selector.as_object() {
            Some(m)
                if !m.is_empty()
                    && !m.contains_key("matchLabels")
                    && !m.contains_key("matchExpressions") =>
            {
                json!({ "matchLabels": selector })
            }
            _ => selector.clone(),
        };
        let parsed = serde_json::from_value(selector).ok()?;
        return LabelSelector::from_k8s(&parsed).ok().map(|s| s.to_string());
    }
    lookup(obj, paths.label_selector.as_deref()?)?
        .as_str()
        .map(str::to_string)
}

/// The Scale of a stored object.
pub(crate) fn scale_of(obj: &Value, paths: &ScalePaths) -> Value {
    let replicas = |path: &str| lookup(obj, path).and_then(Value::as_i64).unwrap_or(0);
    let mut metadata = Map::new();
    for field in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = obj["metadata"].get(field) {
            metadata.insert(field.into(), v.clone());
        }
    }
    let mut status = json!({ "replicas": replicas(&paths.status_replicas) });
    if let Some(selector) = selector_string(obj, paths).filter(|s| !s.is_empty()) {
        status["selector"] = json!(selector);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": metadata,
        "spec": { "replicas": replicas(&paths.spec_replicas) },
        "status": status,
    })
}

/// GET `/scale`.
pub(crate) fn get_scale(
    st: &ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    name: &str,
) -> Result<Value, ApiError> {
    let paths = paths(ep)?;
    let obj = st
        .store
        .get(&ep.kind.storage_id(), ns_key(ep, ns), name)
        .ok_or_else(|| ApiError::not_found(&ep.kind.plural, &ep.view.group, name))?;
    Ok(scale_of(obj, paths))
}

/// PUT `/scale`: sets the desired replicas; a resourceVersion in the Scale is a
/// precondition on the scaled object.
pub(crate) fn update_scale(
    st: &mut ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    name: &str,
    scale: Value,
) -> Result<Value, ApiError> {
    let paths = paths(ep)?.clone();
    let key = ns_key(ep, ns);
    let old = st
        .store
        .get(&ep.kind.storage_id(), key, name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&ep.kind.plural, &ep.view.group, name))?;
    let scale_name = meta_str(&scale, "name");
    if !scale_name.is_empty() && scale_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({scale_name}) does not match the name on the URL ({name})"
        )));
    }
    let rv = meta_str(&scale, "resourceVersion");
    if !rv.is_empty() && rv != meta_str(&old, "resourceVersion") {
        return Err(ApiError::conflict(&ep.kind.plural, &ep.view.group, name));
    }
    let replicas = match scale.pointer("/spec/replicas") {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_i64().ok_or_else(|| {
            ApiError::bad_request(format!(
                "Scale in version \"v1\" cannot be handled: spec.replicas: {v} is not an integer"
            ))
        })?,
    };
    if replicas < 0 {
        return Err(ApiError::invalid(
            "Scale",
            "autoscaling",
            name,
            &format!(
                "spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
            ),
        ));
    }
    let mut new = (*old).clone();
    set_path(&mut new, &paths.spec_replicas, json!(replicas));
    let kind = ep.kind.clone();
    let stored = commit(st, &kind, key, name, new, Some(old))?;
    Ok(scale_of(&stored, &paths))
}

/// PATCH `/scale`: the patch applies to the Scale, then as PUT.
pub(crate) fn patch_scale(
    st: &mut ApiState,
    ep: &Endpoint,
    ns: Option<&str>,
    name: &str,
    kind: PatchKind,
    patch: &[u8],
) -> Result<Value, ApiError> {
    let current = get_scale(st, ep, ns, name)?;
    let patched = apply_patch(current, kind, patch)?;
    update_scale(st, ep, ns, name, patched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_and_write() {
        let mut obj = json!({"spec": {"size": 2}});
        set_path(&mut obj, ".spec.size", json!(5));
        set_path(&mut obj, ".status.deep.count", json!(1));
        assert_eq!(lookup(&obj, ".spec.size"), Some(&json!(5)));
        assert_eq!(obj["status"]["deep"]["count"], 1);
    }

    #[test]
    fn builtin_selector_is_rendered() {
        let paths = ScalePaths {
            spec_replicas: ".spec.replicas".into(),
            status_replicas: ".status.replicas".into(),
            label_selector: None,
            selector_from_spec: true,
        };
        let d = json!({"metadata": {"name": "web", "resourceVersion": "7"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"},
              "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]}},
            "status": {"replicas": 2}});
        let s = scale_of(&d, &paths);
        assert_eq!(s["spec"]["replicas"], 3);
        assert_eq!(s["status"]["replicas"], 2);
        assert_eq!(s["status"]["selector"], "app=web,tier in (a,b)");
        assert_eq!(s["metadata"]["resourceVersion"], "7");
        let rc = json!({"metadata": {"name": "rc"},
            "spec": {"replicas": 1, "selector": {"app": "legacy", "tier": "a"}}});
        assert_eq!(
            scale_of(&rc, &paths)["status"]["selector"],
            "app=legacy,tier=a"
        );
    }
}
