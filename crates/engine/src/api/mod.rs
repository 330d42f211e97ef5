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
pub fn admit(object: &HpaObject) -> Result<HorizontalPodAutoscaler, InvalidSnapshot> {
    let mut hpa = admit_spec_and_status(object)?;
    hpa.metadata = match object {
        HpaObject::V2(h) => h.metadata.clone(),
        HpaObject::V1(_) => convert_v1_metadata(object),
    };
    Ok(hpa)
}

/// [`admit`] without the object's metadata, which the sync does not read.
pub(crate) fn admit_spec_and_status(
    object: &HpaObject,
) -> Result<HorizontalPodAutoscaler, InvalidSnapshot> {
    let mut hpa = match object {
        HpaObject::V2(h) => HorizontalPodAutoscaler {
            metadata: Default::default(),
            spec: h.spec.clone(),
            status: h.status.clone(),
        },
        HpaObject::V1(h) => convert_v1::convert(h)?,
    };
    defaults::apply(&mut hpa);
    let errors = validation::validate(object.name(), &hpa);
    if errors.is_empty() {
        Ok(hpa)
    } else {
        Err(InvalidSnapshot { errors })
    }
}

/// The metadata of a converted v1 HPA (its annotations carry v2 fields and are dropped).
fn convert_v1_metadata(
    object: &HpaObject,
) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
    match object {
        HpaObject::V1(h) => convert_v1::convert(h)
            .map(|c| c.metadata)
            .unwrap_or_default(),
        HpaObject::V2(h) => h.metadata.clone(),
    }
}
