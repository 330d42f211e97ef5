//! The adapter's own metrics at `/metrics` (Prometheus text format): request counts and
//! latencies by route, method and code, recorded around every route by the guard
//! ([`crate::api::guard::guard`]).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::api::SharedState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    path: String,
    method: String,
    code: String,
}

fn latency_histogram() -> Histogram {
    // 100µs .. ~3.3s
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

/// Request counters and latency histograms, with their registry.
#[derive(Debug)]
pub struct Telemetry {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
}

impl Default for Telemetry {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("alpaca_adapter");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "requests",
            "HTTP requests served, by route template, method and status code",
            requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "HTTP request latency, by route template, method and status code",
            latency.clone(),
        );
        Self {
            registry,
            requests,
            latency,
        }
    }
}

impl Telemetry {
    /// Records one served request.
    pub fn observe(&self, path: &str, method: &str, code: u16, seconds: f64) {
        let labels = RequestLabels {
            path: path.to_string(),
            method: method.to_string(),
            code: code.to_string(),
        };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }

    /// The metrics in the Prometheus text format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// The method label: the standard HTTP methods as they are, anything else `other` (as
/// apiserver's request metrics clean unknown verbs), so that made-up methods cannot create
/// label values.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// `GET /metrics`.
pub async fn handler(State(st): State<SharedState>) -> Response {
    match st.telemetry.encode() {
        Ok(text) => {
            let mut resp = text.into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            resp
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The route a path belongs to, with names replaced by placeholders, so that the label has
/// a bounded number of values.
pub fn route_template(path: &str) -> String {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let name = |s: &str, placeholder: &str| {
        if s == "*" {
            "*".to_string()
        } else {
            placeholder.to_string()
        }
    };
    match segs.as_slice() {
        ["healthz"] | ["livez"] | ["readyz"] | ["metrics"] | ["apis"] => format!("/{}", segs[0]),
        ["apis", g] => format!("/apis/{}", known_group(g)),
        ["apis", g, v] => format!("/apis/{}/{}", known_group(g), known_version(v)),
        ["apis", g, v, rest @ ..] => {
            format!(
                "/apis/{}/{}/{}",
                known_group(g),
                known_version(v),
                object_template(rest, &name)
            )
        }
        ["write-metrics", rest @ ..] => format!("/write-metrics/{}", object_template(rest, &name)),
        ["write-external-metrics", "namespaces", _, _] => {
            "/write-external-metrics/namespaces/{namespace}/{metric}".into()
        }
        _ => "other".into(),
    }
}

fn object_template(rest: &[&str], name: &dyn Fn(&str, &str) -> String) -> String {
    match rest {
        ["namespaces", _, "metrics", _] => "namespaces/{name}/metrics/{metric}".into(),
        ["namespaces", _, _, n, _] => format!(
            "namespaces/{{namespace}}/{{resource}}/{}/{{metric}}",
            name(n, "{name}")
        ),
        ["namespaces", _, _] => "namespaces/{namespace}/{metric}".into(),
        [_, n, _] => format!("{{resource}}/{}/{{metric}}", name(n, "{name}")),
        _ => "other".into(),
    }
}

fn known_group(g: &str) -> &str {
    match g {
        crate::api::CUSTOM_GROUP | crate::api::EXTERNAL_GROUP => g,
        _ => "{group}",
    }
}

fn known_version(v: &str) -> &str {
    match v {
        "v1beta1" | "v1beta2" => v,
        _ => "{version}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_bound_the_labels() {
        assert_eq!(
            route_template("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/rps"),
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/{resource}/*/{metric}"
        );
        assert_eq!(
            route_template("/apis/external.metrics.k8s.io/v1beta1/namespaces/default/q"),
            "/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metric}"
        );
        assert_eq!(route_template("/x/y"), "other");
        assert_eq!(route_template("/apis/foo"), "/apis/{group}");
        assert_eq!(
            route_template("/write-metrics/namespaces/a/b/c/d/e/f"),
            "/write-metrics/other"
        );
    }

    #[test]
    fn made_up_methods_share_one_label_value() {
        let m = |s: &str| axum::http::Method::from_bytes(s.as_bytes()).unwrap();
        assert_eq!(method_label(&m("GET")), "GET");
        assert_eq!(method_label(&m("FOO1")), "other");
        assert_eq!(method_label(&m("FOO2")), "other");
    }

    #[test]
    fn encodes_observations() {
        let t = Telemetry::default();
        t.observe("/apis", "GET", 200, 0.001);
        let text = t.encode().unwrap();
        assert!(
            text.contains(
                "alpaca_adapter_requests_total{path=\"/apis\",method=\"GET\",code=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("alpaca_adapter_request_duration_seconds_bucket"));
    }
}
