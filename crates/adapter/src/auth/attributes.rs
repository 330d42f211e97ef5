//! Request attributes for authorization, derived from the URL the way apiserver's
//! `RequestInfoFactory` does it (namespace, resource, name, subresource, verb), so that a
//! SubjectAccessReview asks the same question RBAC rules are written for.

use axum::http::Method;

/// What a request does, as a SubjectAccessReview describes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Attributes {
    /// A request on an API resource.
    Resource {
        /// `get`, `list`, `create`, ...
        verb: String,
        /// The API group.
        group: String,
        /// The API version.
        version: String,
        /// The namespace, if any.
        namespace: Option<String>,
        /// The resource (`services`, or the metric name for external metrics).
        resource: String,
        /// The object name (may be `*`).
        name: Option<String>,
        /// The subresource (the metric name for custom metrics).
        subresource: Option<String>,
    },
    /// A request on a path that is not a resource (discovery, writes).
    NonResource {
        /// `get`, `post`, ...
        verb: String,
        /// The URL path.
        path: String,
    },
}

impl Attributes {
    /// Derives the attributes of a request.
    pub fn from_request(method: &Method, path: &str) -> Self {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let http_verb = method.as_str().to_ascii_lowercase();
        let api_verb = match *method {
            Method::GET | Method::HEAD => "get",
            Method::POST => "create",
            Method::PUT => "update",
            Method::PATCH => "patch",
            Method::DELETE => "delete",
            _ => "",
        };
        if segs.len() < 4 || segs[0] != "apis" || api_verb.is_empty() {
            return Attributes::NonResource {
                verb: http_verb,
                path: path.to_string(),
            };
        }
        let (group, version) = (segs[1], segs[2]);
        let mut parts = &segs[3..];
        let mut namespace = None;
        if parts[0] == "namespaces" && parts.len() > 1 {
            namespace = Some(parts[1].to_string());
            if parts.len() > 2 && !matches!(parts[2], "status" | "finalize") {
                parts = &parts[2..];
            }
        }
        let resource = parts[0].to_string();
        let name = parts.get(1).map(|s| s.to_string());
        let subresource = parts.get(2).map(|s| s.to_string());
        let verb = if name.is_none() && api_verb == "get" {
            "list"
        } else {
            api_verb
        };
        Attributes::Resource {
            verb: verb.to_string(),
            group: group.to_string(),
            version: version.to_string(),
            namespace,
            resource,
            name,
            subresource,
        }
    }

    /// A human phrase for denial messages, like the apiserver's.
    pub fn describe(&self) -> String {
        match self {
            Attributes::Resource {
                verb,
                group,
                namespace,
                resource,
                subresource,
                ..
            } => {
                let res = match subresource {
                    Some(s) => format!("{resource}/{s}"),
                    None => resource.clone(),
                };
                let ns = match namespace {
                    Some(n) => format!(" in the namespace {n:?}"),
                    None => " at the cluster scope".into(),
                };
                format!("{verb} resource {res:?} in API group {group:?}{ns}")
            }
            Attributes::NonResource { verb, path } => format!("{verb} path {path:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> Attributes {
        Attributes::from_request(&Method::GET, path)
    }

    #[test]
    fn mirrors_request_info() {
        let Attributes::Resource {
            verb,
            namespace,
            resource,
            name,
            subresource,
            ..
        } = res(
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kubernetes/test-metric",
        )
        else {
            panic!("resource expected")
        };
        assert_eq!(
            (
                verb.as_str(),
                namespace.as_deref(),
                resource.as_str(),
                name.as_deref(),
                subresource.as_deref()
            ),
            (
                "get",
                Some("default"),
                "services",
                Some("kubernetes"),
                Some("test-metric")
            )
        );
        let Attributes::Resource {
            verb,
            resource,
            namespace,
            ..
        } = res("/apis/external.metrics.k8s.io/v1beta1/namespaces/prod/queue_depth")
        else {
            panic!("resource expected")
        };
        assert_eq!(
            (verb.as_str(), resource.as_str(), namespace.as_deref()),
            ("list", "queue_depth", Some("prod"))
        );
        assert!(matches!(
            res("/apis/custom.metrics.k8s.io/v1beta2"),
            Attributes::NonResource { .. }
        ));
        let a = Attributes::from_request(&Method::POST, "/write-metrics/namespaces/a/pods/b/c");
        assert!(matches!(a, Attributes::NonResource { ref verb, .. } if verb == "post"));
    }
}
