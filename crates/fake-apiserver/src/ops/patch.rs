//! Patch bodies: JSON merge patch, JSON patch, strategic merge patch (applied as a merge
//! patch) and server-side apply (applied as a merge patch; JSON or YAML body).

use serde_json::Value;

use crate::error::ApiError;

/// The patch flavour, from the request's Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatchKind {
    /// `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json` (lists are replaced, not merged).
    Strategic,
    /// `application/json-patch+json`.
    Json,
    /// `application/apply-patch+yaml`.
    Apply,
}

impl PatchKind {
    /// The patch kind of a Content-Type, or a 415 error.
    pub fn from_content_type(ct: &str) -> Result<Self, ApiError> {
        let base = ct.split(';').next().unwrap_or("").trim();
        match base {
            "application/merge-patch+json" => Ok(Self::Merge),
            "application/strategic-merge-patch+json" => Ok(Self::Strategic),
            "application/json-patch+json" => Ok(Self::Json),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Ok(Self::Apply),
            other => Err(ApiError::new(
                415,
                format!(
                    "the body of the request was in an unknown format - accepted media types include: \
                     application/json-patch+json, application/merge-patch+json, \
                     application/apply-patch+yaml (got {other:?})"
                ),
            )),
        }
    }
}

/// A JSON body, or YAML for apply patches.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .or_else(|_| serde_yaml_ng::from_slice::<Value>(body))
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
}

/// Applies a patch to a document.
pub(crate) fn apply_patch(mut doc: Value, kind: PatchKind, body: &[u8]) -> Result<Value, ApiError> {
    match kind {
        PatchKind::Json => {
            let patch: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            json_patch::patch(&mut doc, &patch).map_err(|e| ApiError::new(422, e.to_string()))?;
        }
        PatchKind::Merge | PatchKind::Strategic | PatchKind::Apply => {
            let mut patch = parse_body(body)?;
            if kind == PatchKind::Strategic {
                strip_directives(&mut patch);
            }
            if !patch.is_object() {
                return Err(ApiError::bad_request("the patch is not a JSON object"));
            }
            json_patch::merge(&mut doc, &patch);
        }
    }
    Ok(doc)
}

/// Turns a strategic merge patch into a merge patch: `$patch: delete` maps become
/// deletions, list elements marked for deletion are dropped, other `$` directives
/// (`$setElementOrder/...`, `$retainKeys`, ...) are removed. Lists are then replaced whole.
fn strip_directives(patch: &mut Value) {
    match patch {
        Value::Object(map) => {
            if map.get("$patch").and_then(Value::as_str) == Some("delete") {
                *patch = Value::Null;
                return;
            }
            map.retain(|k, _| !k.starts_with('$'));
            map.values_mut().for_each(strip_directives);
        }
        Value::Array(items) => {
            items.retain(|i| i.get("$patch").and_then(Value::as_str) != Some("delete"));
            items.iter_mut().for_each(strip_directives);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches() {
        let doc = json!({"spec": {"replicas": 1, "paused": true}});
        let merged = apply_patch(
            doc.clone(),
            PatchKind::Merge,
            br#"{"spec":{"replicas":3,"paused":null}}"#,
        )
        .unwrap();
        assert_eq!(merged, json!({"spec": {"replicas": 3}}));
        let jp = apply_patch(
            doc.clone(),
            PatchKind::Json,
            br#"[{"op":"replace","path":"/spec/replicas","value":5}]"#,
        )
        .unwrap();
        assert_eq!(jp["spec"]["replicas"], 5);
        let yaml = apply_patch(doc, PatchKind::Apply, b"spec:\n  replicas: 7\n").unwrap();
        assert_eq!(yaml["spec"]["replicas"], 7);
        assert_eq!(
            PatchKind::from_content_type("text/plain").unwrap_err().code,
            415
        );
        let smp = br#"{"$setElementOrder/containers":[{"name":"a"}],"spec":{"paused":{"$patch":"delete"},"replicas":2}}"#;
        let doc = json!({"spec": {"replicas": 1, "paused": true}});
        let stripped = apply_patch(doc, PatchKind::Strategic, smp).unwrap();
        assert_eq!(stripped, json!({"spec": {"replicas": 2}}));
        assert!(
            apply_patch(
                json!({}),
                PatchKind::Json,
                br#"[{"op":"remove","path":"/x"}]"#
            )
            .is_err()
        );
    }
}
