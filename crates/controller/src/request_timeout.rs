//! A deadline on every API request but watches: a tower layer on the controller's client.
//!
//! client-go's clients fail fast: a 503 comes back as an error at once, and a request that
//! hangs is cut by its context. kube-client by default retries 429/503/504 with exponential
//! backoff for minutes and puts no deadline on a request, which left every sync stuck for
//! 296 s when the metrics API was down. The controller turns that retry layer off and wraps
//! the client in this layer, so that one sync's reads fail within the timeout and become
//! conditions and events in that same sync. Watches are long-lived by design and are left
//! alone (their server-side `timeoutSeconds` and the read timeout bound them).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tower::{BoxError, Layer, Service};

/// The error of a request that took longer than its deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request timed out after {0:?} (--request-timeout)")]
pub struct RequestTimedOut(pub Duration);

/// Adds [`RequestTimeoutService`].
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeoutLayer(pub Duration);

impl<S> Layer<S> for RequestTimeoutLayer {
    type Service = RequestTimeoutService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestTimeoutService {
            inner,
            timeout: self.0,
        }
    }
}

/// Fails a request (not a watch) whose response has not begun within the timeout.
#[derive(Debug, Clone)]
pub struct RequestTimeoutService<S> {
    inner: S,
    timeout: Duration,
}

/// Whether a request is a watch (`watch=true` or `watch=1` in its query).
pub fn is_watch(uri: &http::Uri) -> bool {
    uri.query().is_some_and(|q| {
        q.split('&')
            .any(|kv| matches!(kv, "watch=true" | "watch=1" | "watch=True"))
    })
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<http::Request<B>> for RequestTimeoutService<S>
where
    S: Service<http::Request<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = BoxFuture<Result<S::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let watch = is_watch(req.uri());
        let timeout = self.timeout;
        let fut = self.inner.call(req);
        Box::pin(async move {
            if watch || timeout.is_zero() {
                return fut.await.map_err(Into::into);
            }
            match tokio::time::timeout(timeout, fut).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(RequestTimedOut(timeout)) as BoxError),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watches_are_told_apart() {
        let uri = |s: &str| s.parse::<http::Uri>().unwrap();
        assert!(is_watch(&uri("/api/v1/pods?watch=true&resourceVersion=1")));
        assert!(is_watch(&uri("/api/v1/pods?resourceVersion=1&watch=1")));
        assert!(!is_watch(&uri("/api/v1/pods?resourceVersion=1")));
        assert!(!is_watch(&uri("/api/v1/pods?watchful=true")));
    }

    #[tokio::test]
    async fn slow_requests_fail_and_watches_wait() {
        let slow = tower::service_fn(|_req: http::Request<()>| async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok::<_, std::convert::Infallible>("done")
        });
        let mut svc = RequestTimeoutLayer(Duration::from_millis(50)).layer(slow);
        let get = http::Request::get("/api/v1/pods").body(()).unwrap();
        let err = svc.call(get).await.unwrap_err();
        assert!(err.to_string().contains("timed out after 50ms"), "{err}");
        let watch = http::Request::get("/api/v1/pods?watch=true")
            .body(())
            .unwrap();
        assert_eq!(svc.call(watch).await.unwrap(), "done");
    }
}
