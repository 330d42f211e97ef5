//! Turning client errors into the messages upstream's clients print, which become the
//! Snapshot's `errors` and so the HPA's conditions and events.

/// Whether the error is the API's 404.
pub(crate) fn is_not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

/// Whether the error is the API's 409 (optimistic concurrency).
pub(crate) fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 409)
}

/// The text of a Kubernetes reason, as client-go words a response without a message.
fn reason_text(code: u16) -> &'static str {
    match code {
        400 => "the server rejected our request for an unknown reason",
        401 => "the server has asked for the client to provide credentials",
        403 => "forbidden",
        404 => "the server could not find the requested resource",
        405 => "the server does not allow this method on the requested resource",
        409 => "the server reported a conflict",
        410 => "the requested resource is no longer available",
        422 => "the server rejected our request due to an error in our request",
        429 => "the server has received too many requests and has asked us to try again later",
        500 => "an error on the server has prevented the request from succeeding",
        503 => "the server is currently unable to handle the request",
        504 => {
            "the server was unable to return a response in the time allotted, but may still be processing the request"
        }
        _ => "an error on the server has prevented the request from succeeding",
    }
}

/// The message of an API call's failure. `what` is `verb resource[ name]` for responses
/// without a Status message, e.g. `get pods.metrics.k8s.io`.
pub(crate) fn message(e: &kube::Error, what: &str) -> String {
    match e {
        kube::Error::Api(s) if !s.message.is_empty() => s.message.clone(),
        kube::Error::Api(s) => format!("{} ({what})", reason_text(s.code)),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        let status = kube::core::Status::failure("", "ServiceUnavailable").with_code(503);
        let e = kube::Error::Api(Box::new(status));
        assert_eq!(
            message(&e, "get pods.metrics.k8s.io"),
            "the server is currently unable to handle the request (get pods.metrics.k8s.io)"
        );
        assert!(!is_not_found(&e));
        let nf = kube::Error::Api(Box::new(
            kube::core::Status::failure("deployments.apps \"x\" not found", "NotFound")
                .with_code(404),
        ));
        assert!(is_not_found(&nf));
        assert_eq!(message(&nf, "get"), "deployments.apps \"x\" not found");
    }
}
