//! What the API server does to an HPA before the controller sees it: conversion from
//! `autoscaling/v1`, `v2beta2` or `v2beta1`, defaulting, and validation.
//!
//! ```text
//!   snapshot.hpa (v1, v2beta1, v2beta2 or v2) --convert--> v2 HPA --default--> --validate--> controller
//! ```

mod convert_v1;
mod convert_v2beta1;
mod convert_v2beta2;
mod defaults;
mod round_trip;
pub mod v2beta1;
mod v2beta1_fields;
pub mod v2beta2;
mod validation;

use std::borrow::Cow;

use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerStatus,
    MetricStatus,
};

use crate::error::InvalidSnapshot;
use crate::hpa_object::HpaObject;

/// Reads the Snapshot's `hpa` as the controller would see it: converted to
/// `autoscaling/v2`, defaulted, and validated.
pub fn admit(
    object: &HpaObject,
    scale_to_zero: bool,
) -> Result<HorizontalPodAutoscaler, InvalidSnapshot> {
    let admitted = admit_spec_and_status(object, scale_to_zero)?;
    let mut status = admitted.status;
    if let Some(status) = status.as_mut() {
        status.current_metrics = admitted.current_metrics.map(Cow::into_owned);
    }
    Ok(HorizontalPodAutoscaler {
        metadata: match object {
            HpaObject::V2(h) => h.metadata.clone(),
            _ => convert(object).map(|c| c.metadata).unwrap_or_default(),
        },
        spec: admitted.spec.into_owned(),
        status,
    })
}

/// An admitted HPA as the sync reads it: no metadata, and the parts that need no change
/// borrowed from the Snapshot rather than copied.
pub(crate) struct Admitted<'a> {
    /// The defaulted spec (borrowed when defaulting changes nothing).
    pub spec: Cow<'a, HorizontalPodAutoscalerSpec>,
    /// The status, without its `currentMetrics` (see `current_metrics`).
    pub status: Option<HorizontalPodAutoscalerStatus>,
    /// The status's `currentMetrics`, which the sync only writes back when it fails before
    /// computing new ones.
    pub current_metrics: Option<Cow<'a, [MetricStatus]>>,
}

/// [`admit`] without the object's metadata, which the sync does not read.
pub(crate) fn admit_spec_and_status(
    object: &HpaObject,
    scale_to_zero: bool,
) -> Result<Admitted<'_>, InvalidSnapshot> {
    let admitted = match object {
        HpaObject::V2(h) => Admitted {
            spec: if defaults::needed(&h.spec) {
                let mut spec = h.spec.clone();
                defaults::apply(&mut spec);
                Cow::Owned(spec)
            } else {
                Cow::Borrowed(&h.spec)
            },
            status: h.status.as_ref().map(|s| HorizontalPodAutoscalerStatus {
                conditions: s.conditions.clone(),
                current_metrics: None,
                current_replicas: s.current_replicas,
                desired_replicas: s.desired_replicas,
                last_scale_time: s.last_scale_time.clone(),
                observed_generation: s.observed_generation,
            }),
            current_metrics: h
                .status
                .as_ref()
                .and_then(|s| s.current_metrics.as_deref())
                .map(Cow::Borrowed),
        },
        _ => {
            let mut hpa = convert(object)?;
            defaults::apply(&mut hpa.spec);
            let current_metrics = hpa
                .status
                .as_mut()
                .and_then(|s| s.current_metrics.take())
                .map(Cow::Owned);
            Admitted {
                spec: Cow::Owned(hpa.spec),
                status: hpa.status,
                current_metrics,
            }
        }
    };
    let mut errors = validation::validate(object.name(), &admitted.spec, scale_to_zero);
    if let HpaObject::V2beta1(_) = object {
        v2beta1_fields::rename(&mut errors);
    }
    if errors.is_empty() {
        Ok(admitted)
    } else {
        Err(InvalidSnapshot { errors })
    }
}

/// An HPA of another version as the API server converts it to v2 (a v2 one as it is).
fn convert(object: &HpaObject) -> Result<HorizontalPodAutoscaler, InvalidSnapshot> {
    match object {
        HpaObject::V2(h) => Ok(HorizontalPodAutoscaler::clone(h)),
        HpaObject::V1(h) => convert_v1::convert(h),
        HpaObject::V2beta2(h) => convert_v2beta2::convert(h),
        HpaObject::V2beta1(h) => Ok(convert_v2beta1::convert(h)),
    }
}
