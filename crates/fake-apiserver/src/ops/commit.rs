//! The last step of every write: defaulting, generation, no-op detection, storing, and
//! registering the kind of a CustomResourceDefinition.

use std::sync::Arc;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{Value, json};

use super::defaults;
use super::meta::{meta_str, metadata_mut, now_rfc3339, spec_changed};
use crate::error::ApiError;
use crate::registry::{ResourceKind, kind_from_crd};
use crate::state::ApiState;

/// Storage id of CustomResourceDefinitions.
pub(crate) const CRD_STORAGE: &str = "apiextensions.k8s.io/customresourcedefinitions";

/// Stores `new` (replacing `old`, if any) and returns what is stored. An update that
/// changes nothing keeps the old resourceVersion and sends no event, as upstream.
pub(super) fn commit(
    st: &mut ApiState,
    kind: &ResourceKind,
    ns: &str,
    name: &str,
    mut new: Value,
    old: Option<Arc<Value>>,
) -> Result<Arc<Value>, ApiError> {
    defaults::apply(kind.defaults, &mut new);
    let id = kind.storage_id();
    let crd = if id == CRD_STORAGE {
        Some(prepare_crd(&mut new)?)
    } else {
        None
    };
    if let Some(old) = &old {
        let generation = old["metadata"]["generation"].as_i64().unwrap_or(1);
        let generation = if spec_changed(old, &new) {
            generation + 1
        } else {
            generation
        };
        let meta = metadata_mut(&mut new);
        meta.insert("generation".into(), json!(generation));
        meta.insert(
            "resourceVersion".into(),
            json!(meta_str(old, "resourceVersion")),
        );
        if new == **old {
            return Ok(old.clone());
        }
    }
    let stored = st.store.put(&id, ns, name, new);
    if let Some(kind) = crd {
        st.registry.register(kind);
    }
    Ok(stored)
}

/// Validates a CRD and fills its status as the apiextensions controllers would.
fn prepare_crd(obj: &mut Value) -> Result<ResourceKind, ApiError> {
    let name = meta_str(obj, "name").to_string();
    let crd: CustomResourceDefinition = serde_json::from_value(obj.clone()).map_err(|e| {
        ApiError::invalid(
            "CustomResourceDefinition",
            "apiextensions.k8s.io",
            &name,
            &e.to_string(),
        )
    })?;
    let kind = kind_from_crd(&crd)?;
    let now = now_rfc3339();
    obj["status"] = json!({
        "acceptedNames": obj["spec"]["names"].clone(),
        "storedVersions": [kind.storage_view().version],
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": now},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": now},
        ],
    });
    Ok(kind)
}

/// Unregisters the kind of a deleted CRD.
pub(super) fn forget_crd(st: &mut ApiState, crd: &Value) {
    let group = crd["spec"]["group"].as_str().unwrap_or("");
    let plural = crd["spec"]["names"]["plural"].as_str().unwrap_or("");
    st.registry.unregister(&format!("{group}/{plural}"));
}
