//! Reading a Snapshot from JSON or YAML bytes, with errors that name the field.

use crate::error::{FieldError, ReadError};
use crate::snapshot::Snapshot;

/// Reads a Snapshot (JSON, or YAML — a superset).
pub fn read_snapshot(bytes: &[u8]) -> Result<Snapshot, ReadError> {
    let trimmed = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let result = if trimmed.is_some_and(|i| bytes[i] == b'{') {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de)
            .map_err(|e| field_error(e.path().to_string(), e.into_inner().to_string()))
    } else {
        let de = serde_yaml_ng::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de)
            .map_err(|e| field_error(e.path().to_string(), e.into_inner().to_string()))
    };
    result.map_err(ReadError::Syntax)
}

fn field_error(path: String, problem: String) -> FieldError {
    let field = if path == "." || path == "?" {
        "snapshot".to_string()
    } else {
        path
    };
    // An error inside the HPA carries its own path behind a mark (see `HpaObject`).
    let mark = crate::hpa_object::NESTED_PATH_MARK;
    if let Some(rest) = problem.strip_prefix(mark)
        && let Some((inner, message)) = rest.split_once(mark)
    {
        let inner = if inner == "." {
            String::new()
        } else {
            format!(".{inner}")
        };
        return FieldError::new(&format!("{field}{inner}"), message.to_string());
    }
    // serde_yaml_ng and serde_json append a location after the message; keep it.
    FieldError::new(&field, problem)
}
