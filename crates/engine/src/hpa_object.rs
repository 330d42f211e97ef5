//! The HPA inside a Snapshot as it was written: `autoscaling/v2`, `autoscaling/v1` as
//! `kubectl autoscale` creates it, or the removed `autoscaling/v2beta2` and
//! `autoscaling/v2beta1` of older manifests. Which one is decided by `apiVersion` (v2 when
//! absent).

use std::sync::Arc;

use k8s_openapi::api::autoscaling::{v1, v2};

use crate::api::{v2beta1, v2beta2};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An HPA object as stored by the API server, in either version.
#[derive(Debug, Clone, PartialEq)]
pub enum HpaObject {
    /// `autoscaling/v2` (shared: a controller loop hands over the object it read
    /// without copying it).
    V2(Arc<v2::HorizontalPodAutoscaler>),
    /// `autoscaling/v1`: converted to v2 when the controller reads it.
    V1(Box<v1::HorizontalPodAutoscaler>),
    /// `autoscaling/v2beta2` (removed in Kubernetes 1.26): converted to v2.
    V2beta2(Box<v2beta2::HorizontalPodAutoscaler>),
    /// `autoscaling/v2beta1` (removed in Kubernetes 1.25): converted to v2.
    V2beta1(Box<v2beta1::HorizontalPodAutoscaler>),
}

impl From<v2::HorizontalPodAutoscaler> for HpaObject {
    fn from(hpa: v2::HorizontalPodAutoscaler) -> Self {
        Self::V2(Arc::new(hpa))
    }
}

impl From<Arc<v2::HorizontalPodAutoscaler>> for HpaObject {
    fn from(hpa: Arc<v2::HorizontalPodAutoscaler>) -> Self {
        Self::V2(hpa)
    }
}

impl From<v1::HorizontalPodAutoscaler> for HpaObject {
    fn from(hpa: v1::HorizontalPodAutoscaler) -> Self {
        Self::V1(Box::new(hpa))
    }
}

impl HpaObject {
    /// The HPA's namespace (`default` when unset).
    pub fn namespace(&self) -> &str {
        let ns = match self {
            Self::V2(h) => h.metadata.namespace.as_deref(),
            Self::V1(h) => h.metadata.namespace.as_deref(),
            Self::V2beta2(h) => h.metadata.namespace.as_deref(),
            Self::V2beta1(h) => h.metadata.namespace.as_deref(),
        };
        ns.filter(|ns| !ns.is_empty()).unwrap_or("default")
    }

    /// The HPA's name.
    pub fn name(&self) -> &str {
        match self {
            Self::V2(h) => h.metadata.name.as_deref(),
            Self::V1(h) => h.metadata.name.as_deref(),
            Self::V2beta2(h) => h.metadata.name.as_deref(),
            Self::V2beta1(h) => h.metadata.name.as_deref(),
        }
        .unwrap_or_default()
    }

    /// The HPA's annotations.
    pub fn annotations(&self) -> Option<&std::collections::BTreeMap<String, String>> {
        match self {
            Self::V2(h) => h.metadata.annotations.as_ref(),
            Self::V1(h) => h.metadata.annotations.as_ref(),
            Self::V2beta2(h) => h.metadata.annotations.as_ref(),
            Self::V2beta1(h) => h.metadata.annotations.as_ref(),
        }
    }

    /// For an HPA written in a version current clusters no longer serve, one line saying
    /// so and how it was read.
    pub fn version_note(&self) -> Option<&'static str> {
        match self {
            Self::V2(_) | Self::V1(_) => None,
            Self::V2beta2(_) => Some(
                "autoscaling/v2beta2 is no longer served (removed in Kubernetes 1.26): read as autoscaling/v2, converted as the API server converted it",
            ),
            Self::V2beta1(_) => Some(
                "autoscaling/v2beta1 is no longer served (removed in Kubernetes 1.25): read as autoscaling/v2, converted as the API server converted it",
            ),
        }
    }
}

impl Serialize for HpaObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::V2(h) => h.serialize(serializer),
            Self::V1(h) => h.serialize(serializer),
            Self::V2beta2(h) => h.serialize(serializer),
            Self::V2beta1(h) => h.serialize(serializer),
        }
    }
}

/// Marks a deserialization error whose message starts with a path inside the HPA, so that
/// the reader can report `hpa.spec.maxReplicas: ...` rather than `hpa: ...`.
pub(crate) const NESTED_PATH_MARK: char = '\u{1}';

impl<'de> Deserialize<'de> for HpaObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let api_version = value
            .get("apiVersion")
            .and_then(|v| v.as_str())
            .unwrap_or("autoscaling/v2");
        let nested = |e: serde_path_to_error::Error<serde_json::Error>| {
            let path = e.path().to_string();
            serde::de::Error::custom(format!(
                "{NESTED_PATH_MARK}{path}{NESTED_PATH_MARK}{}",
                e.into_inner()
            ))
        };
        match api_version {
            "autoscaling/v2" => serde_path_to_error::deserialize(&value)
                .map(|h| Self::V2(Arc::new(h)))
                .map_err(nested),
            "autoscaling/v1" => serde_path_to_error::deserialize(&value)
                .map(|h| Self::V1(Box::new(h)))
                .map_err(nested),
            v2beta2::API_VERSION => serde_path_to_error::deserialize(&value)
                .map(|h| Self::V2beta2(Box::new(h)))
                .map_err(nested),
            v2beta1::API_VERSION => serde_path_to_error::deserialize(&value)
                .map(|h| Self::V2beta1(Box::new(h)))
                .map_err(nested),
            other => Err(serde::de::Error::custom(format!(
                "{NESTED_PATH_MARK}apiVersion{NESTED_PATH_MARK}unsupported value {other:?}: must be autoscaling/v2 or autoscaling/v1 (or the removed autoscaling/v2beta2 or autoscaling/v2beta1)"
            ))),
        }
    }
}
