//! Turning a `CustomResourceDefinition` into a served [`ResourceKind`], with its status and
//! scale subresources.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

use super::{Codec, Defaults, ResourceKind, ScalePaths, View};
use crate::error::ApiError;

/// The kind a CRD defines. Served versions become views; the storage version comes first.
/// Subresources are taken from the storage version.
pub(crate) fn kind_from_crd(crd: &CustomResourceDefinition) -> Result<ResourceKind, ApiError> {
    let spec = &crd.spec;
    let name = crd.metadata.name.clone().unwrap_or_default();
    let invalid = |why: &str| {
        ApiError::invalid(
            "CustomResourceDefinition",
            "apiextensions.k8s.io",
            &name,
            why,
        )
    };
    if spec.names.plural.is_empty() || spec.names.kind.is_empty() || spec.group.is_empty() {
        return Err(invalid(
            "spec.names.plural, spec.names.kind and spec.group are required",
        ));
    }
    if name != format!("{}.{}", spec.names.plural, spec.group) {
        return Err(invalid(
            "metadata.name: must be spec.names.plural+\".\"+spec.group",
        ));
    }
    let mut versions: Vec<_> = spec.versions.iter().filter(|v| v.served).collect();
    versions.sort_by_key(|v| !v.storage);
    let storage = versions
        .first()
        .ok_or_else(|| invalid("spec.versions: must have a served version"))?;
    let subresources = storage.subresources.as_ref();
    let scale = subresources
        .and_then(|s| s.scale.as_ref())
        .map(|s| ScalePaths {
            spec_replicas: s.spec_replicas_path.clone(),
            status_replicas: s.status_replicas_path.clone(),
            label_selector: s.label_selector_path.clone(),
            selector_from_spec: false,
        });
    Ok(ResourceKind {
        group: spec.group.clone(),
        plural: spec.names.plural.clone(),
        singular: spec
            .names
            .singular
            .clone()
            .unwrap_or_else(|| spec.names.kind.to_lowercase()),
        kind: spec.names.kind.clone(),
        namespaced: spec.scope == "Namespaced",
        views: versions
            .iter()
            .map(|v| View {
                group: spec.group.clone(),
                version: v.name.clone(),
                codec: Codec::Identity,
            })
            .collect(),
        status: subresources.is_some_and(|s| s.status.is_some()),
        scale,
        short_names: spec.names.short_names.clone().unwrap_or_default(),
        defaults: Defaults::None,
    })
}
