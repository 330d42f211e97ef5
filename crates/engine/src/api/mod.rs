//! What the API server does to an HPA before the controller sees it: conversion from
//! `autoscaling/v1`, defaulting, and validation.
//!
//! ```text
//!   snapshot.hpa (v1 or v2) --convert--> v2 HPA --default--> --validate--> controller
//! ```

mod convert_v1;
mod defaults;
mod validation;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

use crate::error::InvalidSnapshot;
use crate::hpa_object::HpaObject;

/// Reads the Snapshot's `hpa` as the controller would see it: converted to
/// `autoscaling/v2`, defaulted, and validated.
pub fn admit(hpa: &HpaObject) -> Result<HorizontalPodAutoscaler, InvalidSnapshot> {
    let mut hpa = match hpa {
        HpaObject::V2(h) => (**h).clone(),
        HpaObject::V1(h) => convert_v1::convert(h)?,
    };
    defaults::apply(&mut hpa);
    let errors = validation::validate(&hpa);
    if errors.is_empty() {
        Ok(hpa)
    } else {
        Err(InvalidSnapshot { errors })
    }
}
