//! What a request was about ([`RequestInfo`]) and the log of served requests
//! ([`RequestRecord`]) that tests assert on.

use std::fmt;

/// A Kubernetes API verb, as RBAC and audit logs name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// GET of one object (also discovery and metrics reads).
    Get,
    /// GET of a collection.
    List,
    /// GET of a collection with `watch=true`.
    Watch,
    /// POST.
    Create,
    /// PUT.
    Update,
    /// PATCH.
    Patch,
    /// DELETE of one object.
    Delete,
    /// DELETE of a collection.
    DeleteCollection,
}

impl Verb {
    /// The lowercase verb name (`get`, `deletecollection`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::List => "list",
            Self::Watch => "watch",
            Self::Create => "create",
            Self::Update => "update",
            Self::Patch => "patch",
            Self::Delete => "delete",
            Self::DeleteCollection => "deletecollection",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The resource a request addresses, as the API server's RequestInfo describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestInfo {
    /// The verb, if the request is a resource request.
    pub verb: Option<Verb>,
    /// API group (empty for core).
    pub group: String,
    /// Resource (plural), if any. For custom metrics: the described resource; for
    /// external metrics: the metric name.
    pub resource: Option<String>,
    /// Subresource (`status`, `scale`; for custom metrics: the metric name).
    pub subresource: Option<String>,
    /// Namespace of the request path.
    pub namespace: Option<String>,
    /// Object name, if one object is addressed.
    pub name: Option<String>,
}

/// One served request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// HTTP method (`GET`, `PUT`, ...).
    pub method: String,
    /// URL path.
    pub path: String,
    /// Raw query string (may be empty).
    pub query: String,
    /// What the request addressed.
    pub info: RequestInfo,
    /// The first 300 characters of the body.
    pub body: String,
    /// HTTP status of the answer (200 for a watch that started).
    pub status: u16,
}

impl RequestRecord {
    /// `"PUT /apis/apps/v1/namespaces/default/deployments/web/scale 200"`.
    pub fn line(&self) -> String {
        format!("{} {} {}", self.method, self.path, self.status)
    }

    /// Whether this was `verb` on `resource` (with `"deployments/scale"` for a subresource).
    pub fn is(&self, verb: Verb, resource: &str) -> bool {
        let (res, sub) = match resource.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (resource, None),
        };
        self.info.verb == Some(verb)
            && self.info.resource.as_deref() == Some(res)
            && self.info.subresource.as_deref() == sub
    }
}

/// The start of a body, for the log.
pub(crate) fn summarize(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.into_owned(),
    }
}
