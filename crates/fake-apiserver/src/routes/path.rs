//! Parsing a request path into what it addresses: discovery documents, a resource
//! (collection, object, subresource), or one of the metrics APIs.

/// Group of the resource metrics API.
pub(crate) const RESOURCE_METRICS: &str = "metrics.k8s.io";
/// Group of the custom metrics API.
pub(crate) const CUSTOM_METRICS: &str = "custom.metrics.k8s.io";
/// Group of the external metrics API.
pub(crate) const EXTERNAL_METRICS: &str = "external.metrics.k8s.io";

/// A resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourcePath {
    /// Group (`""` for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Plural resource.
    pub plural: String,
    /// Namespace segment, if any.
    pub namespace: Option<String>,
    /// Object name, if any.
    pub name: Option<String>,
    /// Subresource, if any.
    pub subresource: Option<String>,
}

/// What a path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/version`.
    Version,
    /// `/api`.
    CoreVersions,
    /// `/api/v1`.
    CoreResources(String),
    /// `/apis`.
    Groups,
    /// `/apis/GROUP`.
    Group(String),
    /// `/apis/GROUP/VERSION`.
    GroupResources(String, String),
    /// A built-in or custom resource.
    Resource(ResourcePath),
    /// `metrics.k8s.io/{v1,v1beta1}` pods or nodes.
    ResourceMetrics {
        /// API version (`v1` or `v1beta1`).
        version: String,
        /// `pods` or `nodes`.
        plural: String,
        /// Namespace, for namespaced pod queries.
        namespace: Option<String>,
        /// One pod or node.
        name: Option<String>,
    },
    /// `custom.metrics.k8s.io/VERSION/...`.
    CustomMetrics {
        /// API version (`v1beta1` or `v1beta2`).
        version: String,
        /// Resource as written (`pods`, `deployments.apps`, `namespaces`).
        resource: String,
        /// Namespace (`""` for root-scoped objects and namespace metrics).
        namespace: String,
        /// Object name or `*`.
        name: String,
        /// Metric name.
        metric: String,
    },
    /// `external.metrics.k8s.io/v1beta1/namespaces/NS/METRIC`.
    ExternalMetrics {
        /// Namespace.
        namespace: String,
        /// Metric name.
        metric: String,
    },
    /// `/openapi/v3`: the index of per-group-version documents.
    OpenApiIndex,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/GROUP/VERSION`.
    OpenApiGroupVersion(String, String),
    /// Nothing served here.
    Unknown,
}

fn owned(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

/// Parses a path (without query).
pub(crate) fn parse(path: &str) -> Route {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["version"] => Route::Version,
        ["openapi", "v3"] => Route::OpenApiIndex,
        ["openapi", "v3", "api", v] => Route::OpenApiGroupVersion(String::new(), v.to_string()),
        ["openapi", "v3", "apis", g, v] => Route::OpenApiGroupVersion(g.to_string(), v.to_string()),
        ["api"] => Route::CoreVersions,
        ["api", v] => Route::CoreResources(v.to_string()),
        ["api", v, rest @ ..] => resource("", v, rest),
        ["apis"] => Route::Groups,
        ["apis", g] => Route::Group(g.to_string()),
        ["apis", g, v] => Route::GroupResources(g.to_string(), v.to_string()),
        ["apis", RESOURCE_METRICS, v @ ("v1" | "v1beta1"), rest @ ..] => resource_metrics(v, rest),
        ["apis", CUSTOM_METRICS, v, rest @ ..] => custom_metrics(v, rest),
        [
            "apis",
            EXTERNAL_METRICS,
            "v1beta1",
            "namespaces",
            ns,
            metric,
        ] => Route::ExternalMetrics {
            namespace: ns.to_string(),
            metric: metric.to_string(),
        },
        ["apis", EXTERNAL_METRICS, ..] => Route::Unknown,
        ["apis", g, v, rest @ ..] => resource(g, v, rest),
        _ => Route::Unknown,
    }
}

/// The subresources of a Namespace object (`/api/v1/namespaces/NAME/status`), which are not
/// collections in that namespace (upstream's RequestInfoFactory has the same list).
const NAMESPACE_SUBRESOURCES: [&str; 2] = ["status", "finalize"];

fn resource(group: &str, version: &str, rest: &[&str]) -> Route {
    let namespaced_collection = rest.len() >= 3
        && rest[0] == "namespaces"
        && (rest.len() >= 4 || !NAMESPACE_SUBRESOURCES.contains(&rest[2]));
    let (namespace, tail) = if namespaced_collection {
        (Some(rest[1]), &rest[2..])
    } else {
        (None, rest)
    };
    let parts = owned(tail);
    let (plural, name, subresource) = match parts.as_slice() {
        [p] => (p.clone(), None, None),
        [p, n] => (p.clone(), Some(n.clone()), None),
        [p, n, s] => (p.clone(), Some(n.clone()), Some(s.clone())),
        _ => return Route::Unknown,
    };
    Route::Resource(ResourcePath {
        group: group.to_string(),
        version: version.to_string(),
        plural,
        namespace: namespace.map(str::to_string),
        name,
        subresource,
    })
}

fn resource_metrics(version: &str, rest: &[&str]) -> Route {
    let (namespace, tail) = match rest {
        ["namespaces", ns, tail @ ..] => (Some(ns.to_string()), tail),
        tail => (None, tail),
    };
    match tail {
        [plural @ ("pods" | "nodes")] => Route::ResourceMetrics {
            version: version.to_string(),
            plural: plural.to_string(),
            namespace,
            name: None,
        },
        [plural @ ("pods" | "nodes"), name] => Route::ResourceMetrics {
            version: version.to_string(),
            plural: plural.to_string(),
            namespace,
            name: Some(name.to_string()),
        },
        _ => Route::Unknown,
    }
}

fn custom_metrics(version: &str, rest: &[&str]) -> Route {
    // the aggregator escapes the wildcard name (`pods/%2A/metric`)
    let rest: Vec<&str> = rest
        .iter()
        .map(|s| {
            if s.eq_ignore_ascii_case("%2A") {
                "*"
            } else {
                s
            }
        })
        .collect();
    let (resource, namespace, name, metric) = match rest.as_slice() {
        ["namespaces", ns, "metrics", metric] => ("namespaces", "", *ns, *metric),
        ["namespaces", ns, resource, name, metric] => (*resource, *ns, *name, *metric),
        [resource, name, metric] => (*resource, "", *name, *metric),
        _ => return Route::Unknown,
    };
    Route::CustomMetrics {
        version: version.to_string(),
        resource: resource.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
        metric: metric.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath {
        match parse(path) {
            Route::Resource(r) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn resource_paths() {
        let r = res("/apis/apps/v1/namespaces/default/deployments/web/scale");
        assert_eq!(
            (r.group.as_str(), r.plural.as_str()),
            ("apps", "deployments")
        );
        assert_eq!(r.namespace.as_deref(), Some("default"));
        assert_eq!(r.name.as_deref(), Some("web"));
        assert_eq!(r.subresource.as_deref(), Some("scale"));
        let r = res("/api/v1/pods");
        assert_eq!((r.plural.as_str(), r.namespace.clone()), ("pods", None));
        let r = res("/api/v1/namespaces/kube-system");
        assert_eq!(
            (r.plural.as_str(), r.name.as_deref()),
            ("namespaces", Some("kube-system"))
        );
        let r = res("/api/v1/namespaces/kube-system/status");
        assert_eq!(
            (r.plural.as_str(), r.subresource.as_deref()),
            ("namespaces", Some("status"))
        );
        let r = res("/api/v1/namespaces/default/pods");
        assert_eq!(
            (r.plural.as_str(), r.namespace.as_deref()),
            ("pods", Some("default"))
        );
    }

    #[test]
    fn metrics_paths() {
        assert_eq!(
            parse("/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/metrics/queue"),
            Route::CustomMetrics {
                version: "v1beta2".into(),
                resource: "namespaces".into(),
                namespace: "".into(),
                name: "ns".into(),
                metric: "queue".into()
            }
        );
        assert!(matches!(
            parse("/apis/custom.metrics.k8s.io/v1beta1/namespaces/ns/pods/*/qps"),
            Route::CustomMetrics { ref name, .. } if name == "*"
        ));
        assert!(matches!(
            parse("/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/pods/%2A/qps"),
            Route::CustomMetrics { ref name, .. } if name == "*"
        ));
        assert!(matches!(
            parse("/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods"),
            Route::ResourceMetrics { ref version, .. } if version == "v1beta1"
        ));
        assert!(matches!(
            parse("/apis/metrics.k8s.io/v1/namespaces/ns/pods"),
            Route::ResourceMetrics { ref version, .. } if version == "v1"
        ));
        assert!(matches!(
            parse("/apis/metrics.k8s.io/v2/namespaces/ns/pods"),
            Route::Unknown | Route::Resource(_)
        ));
        assert!(matches!(
            parse("/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/q"),
            Route::ExternalMetrics { .. }
        ));
        assert_eq!(parse("/apis/apps/v1/a/b/c/d"), Route::Unknown);
        assert_eq!(parse("/healthz/x"), Route::Unknown);
    }
}
