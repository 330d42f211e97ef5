//! The object paths of `custom.metrics.k8s.io` (shared by the reads and the `write-metrics`
//! URLs): `namespaces/NS/RESOURCE/NAME/METRIC`, `namespaces/NAME/metrics/METRIC` and
//! `RESOURCE/NAME/METRIC`, parsed into the metric, the resource and the object.

use crate::backend::CustomMetricInfo;
use crate::resources::GroupResource;

use super::status::ApiError;

/// An object path: which metric of which object(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPath {
    /// The metric and resource.
    pub info: CustomMetricInfo,
    /// The namespace of a namespaced object.
    pub namespace: Option<String>,
    /// The object's name, or `*` for all objects.
    pub name: String,
}

/// Parses the path segments after the group-version (or after `write-metrics`).
pub fn parse_object_path(rest: &str) -> Result<ObjectPath, ApiError> {
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err(not_found(rest));
    }
    let (resource, namespace, name, metric) = match segs.as_slice() {
        ["namespaces", ns, "metrics", metric] => ("namespaces", None, *ns, *metric),
        ["namespaces", ns, resource, name, metric] => (*resource, Some(*ns), *name, *metric),
        [resource, name, metric] => (*resource, None, *name, *metric),
        _ => return Err(not_found(rest)),
    };
    if namespace == Some("*") {
        return Err(ApiError::BadRequest(
            "metrics across all namespaces are not served: name a namespace".into(),
        ));
    }
    Ok(ObjectPath {
        info: CustomMetricInfo {
            resource: GroupResource::parse(resource),
            namespaced: namespace.is_some(),
            metric: metric.to_string(),
        },
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
    })
}

fn not_found(rest: &str) -> ApiError {
    ApiError::NotFound(format!(
        "the server could not find the requested resource: {rest:?} is not a metric path \
         (namespaces/NS/RESOURCE/NAME/METRIC, namespaces/NAME/metrics/METRIC or RESOURCE/NAME/METRIC)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_shapes() {
        let p = parse_object_path("namespaces/default/services/kubernetes/test-metric").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("default"));
        assert_eq!(p.info.resource.resource, "services");
        assert!(p.info.namespaced);
        let p = parse_object_path("namespaces/default/metrics/m").unwrap();
        assert_eq!(
            (p.info.resource.resource.as_str(), p.name.as_str()),
            ("namespaces", "default")
        );
        assert!(!p.info.namespaced);
        let p = parse_object_path("nodes/n1/m").unwrap();
        assert_eq!(p.namespace, None);
        assert!(parse_object_path("a/b").is_err());
        assert!(parse_object_path("a//b/c").is_err());
        assert!(parse_object_path("namespaces/*/pods/x/m").is_err());
    }
}
