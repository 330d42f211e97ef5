//! What the API server does to an HPA before the controller sees it: conversion from
//! `autoscaling/v1`, defaulting, and validation.
//!
//! ```text
//!   snapshot.hpa (v1 or v2 JSON) --convert--> v2 HPA --default--> --validate--> controller
//! ```

mod convert_v1;
mod defaults;
mod validation;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

use crate::error::{FieldError, InvalidSnapshot};

/// Reads the Snapshot's `hpa` as the controller would see it: converted to
/// `autoscaling/v2`, defaulted, and validated.
pub fn admit(hpa: &serde_json::Value) -> Result<HorizontalPodAutoscaler, InvalidSnapshot> {
    let api_version = hpa
        .get("apiVersion")
        .and_then(|v| v.as_str())
        .unwrap_or("autoscaling/v2");
    let mut hpa = match api_version {
        "autoscaling/v2" => from_json::<HorizontalPodAutoscaler>(hpa)?,
        "autoscaling/v1" => convert_v1::convert(hpa)?,
        other => {
            return Err(InvalidSnapshot::from(FieldError::new(
                "hpa.apiVersion",
                format!("unsupported value {other:?}: must be autoscaling/v2 or autoscaling/v1"),
            )));
        }
    };
    defaults::apply(&mut hpa);
    let errors = validation::validate(&hpa);
    if errors.is_empty() {
        Ok(hpa)
    } else {
        Err(InvalidSnapshot { errors })
    }
}

/// Deserializes part of the Snapshot, naming the failing field under `hpa`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
) -> Result<T, InvalidSnapshot> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "hpa".to_string()
        } else {
            format!("hpa.{path}")
        };
        InvalidSnapshot::from(FieldError::new(&field, e.into_inner().to_string()))
    })
}
