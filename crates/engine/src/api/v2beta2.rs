//! The `autoscaling/v2beta2` HorizontalPodAutoscaler as it was written (served until
//! Kubernetes 1.25, removed in 1.26). Its spec and status have v2's shape (v2 was v2beta2
//! made stable), so v2's types are reused; only the object around them is v2beta2's,
//! since k8s-openapi's v2 object accepts no other `apiVersion`. The one v2 field v2beta2
//! never had, `behavior.scaleUp/scaleDown.tolerance`, is refused on conversion.

use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// The `apiVersion` of this type.
pub const API_VERSION: &str = "autoscaling/v2beta2";

/// An `autoscaling/v2beta2` HorizontalPodAutoscaler.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscaler {
    /// Always `autoscaling/v2beta2`.
    pub api_version: String,
    /// `HorizontalPodAutoscaler`.
    #[serde(default)]
    pub kind: String,
    /// The object's metadata (annotations may carry the tolerances).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The spec, in v2's shape.
    #[serde(default)]
    pub spec: HorizontalPodAutoscalerSpec,
    /// The status, in v2's shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<HorizontalPodAutoscalerStatus>,
}
