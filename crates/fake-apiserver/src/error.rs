//! Errors: [`ApiError`], answered to HTTP clients as a Kubernetes `Status`, and
//! [`FakeError`], returned by the test-facing [`FakeApiServer`](crate::FakeApiServer) helpers.

use serde_json::{Value, json};

/// A failed API request, rendered as a `meta/v1` `Status` object with the same `code`,
/// `reason` and `message` the kube-apiserver would use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct ApiError {
    /// HTTP status code (`404`, `409`, ...).
    pub code: u16,
    /// Machine-readable reason (`NotFound`, `Conflict`, `AlreadyExists`, ...).
    pub reason: String,
    /// Human-readable message, worded as upstream does.
    pub message: String,
    /// The `details` of the Status (`name`, `group`, `kind`), when the error is about one object.
    pub details: Option<Box<Details>>,
}

/// The `details` block of a Kubernetes `Status`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Details {
    /// Name of the object the error is about.
    pub name: String,
    /// API group of the resource (empty for the core group).
    pub group: String,
    /// The resource (plural), as upstream fills `details.kind` for these errors.
    pub kind: String,
}

/// The canonical `reason` for an HTTP status code, as `k8s.io/apimachinery` maps them.
pub fn reason_for_code(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Expired",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    }
}

/// `deployments.apps` for a group resource, `pods` for the core group.
pub fn qualified(plural: &str, group: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}

impl ApiError {
    /// An error with the canonical reason for `code`.
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason_for_code(code).to_string(),
            message: message.into(),
            details: None,
        }
    }

    /// Sets the `details` block.
    pub fn with_details(mut self, name: &str, group: &str, plural: &str) -> Self {
        self.details = Some(Box::new(Details {
            name: name.to_string(),
            group: group.to_string(),
            kind: plural.to_string(),
        }));
        self
    }

    /// `404 NotFound`: `deployments.apps "web" not found`.
    pub fn not_found(plural: &str, group: &str, name: &str) -> Self {
        Self::new(
            404,
            format!("{} \"{name}\" not found", qualified(plural, group)),
        )
        .with_details(name, group, plural)
    }

    /// `404 NotFound` for a path that names no resource.
    pub fn no_route() -> Self {
        Self::new(404, "the server could not find the requested resource")
    }

    /// `409 AlreadyExists`: `deployments.apps "web" already exists`.
    pub fn already_exists(plural: &str, group: &str, name: &str) -> Self {
        let mut e = Self::new(
            409,
            format!("{} \"{name}\" already exists", qualified(plural, group)),
        )
        .with_details(name, group, plural);
        e.reason = "AlreadyExists".into();
        e
    }

    /// `409 Conflict` with upstream's optimistic-concurrency message.
    pub fn conflict(plural: &str, group: &str, name: &str) -> Self {
        Self::new(
            409,
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
                 please apply your changes to the latest version and try again",
                qualified(plural, group)
            ),
        )
        .with_details(name, group, plural)
    }

    /// `400 BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// `422 Invalid`: `Deployment.apps "web" is invalid: <why>`.
    pub fn invalid(kind: &str, group: &str, name: &str, why: &str) -> Self {
        Self::new(
            422,
            format!("{} \"{name}\" is invalid: {why}", qualified(kind, group)),
        )
    }

    /// `405 MethodNotAllowed`.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "the server does not allow this method on the requested resource",
        )
    }

    /// `410 Expired`: the watch cache no longer holds events from `requested`.
    pub fn too_old(requested: u64, oldest: u64) -> Self {
        Self::new(
            410,
            format!("too old resource version: {requested} ({oldest})"),
        )
    }

    /// `500 InternalError`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }

    /// The `Status` object for this error.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            let mut details = json!({ "name": d.name, "kind": d.kind });
            if !d.group.is_empty() {
                details["group"] = json!(d.group);
            }
            status["details"] = details;
        } else if self.code == 404 || self.code == 409 {
            status["details"] = json!({});
        }
        status
    }
}

/// Errors of the test-facing helpers of [`FakeApiServer`](crate::FakeApiServer).
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    /// The server answered the operation with an API error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The value could not be turned into or out of JSON.
    #[error("serialization: {0}")]
    Json(#[from] serde_json::Error),
    /// The type's group/version/plural is not served.
    #[error("resource {0} is not served by the fake API server")]
    UnknownResource(String),
}
