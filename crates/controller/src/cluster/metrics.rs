//! Clients of the three metrics APIs, making the queries upstream's metrics clients make:
//!
//! - `metrics.k8s.io`: `GET namespaces/NS/pods?labelSelector=S` (PodMetrics); `v1` (GA in
//!   1.37, KEP-5207) when discovery lists it, else `v1beta1` (also when discovery fails, so a
//!   cluster without `v1` behaves as before), re-discovered every five minutes and after a
//!   404;
//! - `custom.metrics.k8s.io`: `namespaces/NS/pods/*/METRIC?labelSelector=S` (Pods
//!   metrics) and `namespaces/NS/RESOURCE.GROUP/NAME/METRIC` (Object metrics), each with
//!   `metricLabelSelector`; the version is chosen by discovery, `v1beta2` first, then
//!   `v1beta1` (whose answers are converted), re-discovered every five minutes;
//! - `external.metrics.k8s.io/v1beta1`: `namespaces/NS/METRIC?labelSelector=S`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use alpaca_engine::selector::selector_from_object;
use alpaca_metrics_api::custom::{v1beta1, v1beta2};
use alpaca_metrics_api::external::{ExternalMetricValue, ExternalMetricValueList};
use alpaca_metrics_api::resource::{PodMetrics, PodMetricsList};
use k8s_openapi::api::autoscaling::v2::{CrossVersionObjectReference, MetricIdentifier};
use serde::de::DeserializeOwned;

use super::discovery::{RestMapper, split_api_version};
use super::errors;

const CUSTOM: &str = "custom.metrics.k8s.io";
const RESOURCE: &str = "metrics.k8s.io";
const VERSION_TTL: Duration = Duration::from_secs(300);

/// The metrics API clients.
pub(crate) struct MetricsClient {
    client: kube::Client,
    custom_version: VersionCache,
    resource_version: VersionCache,
}

type VersionCache = Mutex<Option<(&'static str, Instant)>>;

fn cached(cache: &VersionCache) -> std::sync::MutexGuard<'_, Option<(&'static str, Instant)>> {
    cache.lock().unwrap_or_else(|e| e.into_inner())
}

/// Percent-encodes a query value or path segment (RFC 3986 unreserved characters pass).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `?a=x&b=y` of the non-empty parameters.
fn query(params: &[(&str, &str)]) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The `metricLabelSelector` of a metric: its selector as a string (`""` when absent).
fn metric_selector(metric: &MetricIdentifier) -> Result<String, String> {
    Ok(selector_from_object(metric.selector.as_ref())?.to_string())
}

impl MetricsClient {
    /// Clients over this kube client.
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            custom_version: Mutex::new(None),
            resource_version: Mutex::new(None),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, kube::Error> {
        let req = http::Request::get(path)
            .body(Vec::new())
            .map_err(kube::Error::HttpError)?;
        self.client.request::<T>(req).await
    }

    /// The versions `group` serves, from discovery.
    async fn served(&self, group: &str) -> Result<Vec<String>, String> {
        let doc: k8s_openapi::apimachinery::pkg::apis::meta::v1::APIGroup = self
            .get(&format!("/apis/{group}"))
            .await
            .map_err(|e| errors::message(&e, &format!("get {group}")))?;
        Ok(doc.versions.into_iter().map(|v| v.version).collect())
    }

    /// The resource metrics API version to use: `v1` when served, else `v1beta1`.
    async fn resource_version(&self) -> &'static str {
        if let Some((v, at)) = *cached(&self.resource_version)
            && at.elapsed() < VERSION_TTL
        {
            return v;
        }
        match self.served(RESOURCE).await {
            Ok(served) => {
                let version = if served.iter().any(|v| v == "v1") {
                    "v1"
                } else {
                    "v1beta1"
                };
                *cached(&self.resource_version) = Some((version, Instant::now()));
                version
            }
            // no discovery: ask v1beta1 as before v1 existed (the read reports what fails)
            Err(_) => "v1beta1",
        }
    }

    /// PodMetrics of the pods the selector selects.
    pub async fn pod_metrics(
        &self,
        namespace: &str,
        selector: &str,
    ) -> Result<Vec<PodMetrics>, String> {
        let version = self.resource_version().await;
        let path = format!(
            "/apis/{RESOURCE}/{version}/namespaces/{}/pods{}",
            encode(namespace),
            query(&[("labelSelector", selector)])
        );
        let result = self.get::<PodMetricsList>(&path).await;
        if result.as_ref().is_err_and(errors::is_not_found) {
            // metrics-server may have changed versions: discover again next time
            *cached(&self.resource_version) = None;
        }
        result
            .map(|l| l.items)
            .map_err(|e| errors::message(&e, "get pods.metrics.k8s.io"))
    }

    /// The custom metrics API version to use: `v1beta2` when served, else `v1beta1`.
    async fn custom_version(&self) -> Result<&'static str, String> {
        if let Some((v, at)) = *self.lock()
            && at.elapsed() < VERSION_TTL
        {
            return Ok(v);
        }
        let served = self.served(CUSTOM).await?;
        let served: Vec<&str> = served.iter().map(String::as_str).collect();
        let version = if served.contains(&"v1beta2") {
            "v1beta2"
        } else if served.contains(&"v1beta1") {
            "v1beta1"
        } else {
            return Err(format!(
                "no known available metric versions found (the server serves {served:?})"
            ));
        };
        *self.lock() = Some((version, Instant::now()));
        Ok(version)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(&'static str, Instant)>> {
        cached(&self.custom_version)
    }

    async fn custom_list(
        &self,
        rest: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<v1beta2::MetricValue>, kube::Error> {
        let version = match self.custom_version().await {
            Ok(v) => v,
            Err(message) => {
                return Err(kube::Error::Api(Box::new(
                    kube::core::Status::failure(&message, "ServiceUnavailable").with_code(503),
                )));
            }
        };
        let path = format!("/apis/{CUSTOM}/{version}/{rest}{}", query(params));
        let result = if version == "v1beta2" {
            self.get::<v1beta2::MetricValueList>(&path)
                .await
                .map(|l| l.items)
        } else {
            self.get::<v1beta1::MetricValueList>(&path)
                .await
                .map(|l| l.items.into_iter().map(Into::into).collect())
        };
        if result.as_ref().is_err_and(errors::is_not_found) {
            // the adapter may have changed versions: discover again next time
            *self.lock() = None;
        }
        result
    }

    /// Values of a metric for the pods the selector selects.
    pub async fn pods_metric(
        &self,
        namespace: &str,
        selector: &str,
        metric: &MetricIdentifier,
    ) -> Result<Vec<v1beta2::MetricValue>, String> {
        let metric_selector = metric_selector(metric)?;
        let rest = format!(
            "namespaces/{}/pods/*/{}",
            encode(namespace),
            encode(&metric.name)
        );
        self.custom_list(
            &rest,
            &[
                ("labelSelector", selector),
                ("metricLabelSelector", &metric_selector),
            ],
        )
        .await
        .map_err(|e| errors::message(&e, &format!("get pods.{CUSTOM} *")))
    }

    /// The value of a metric describing one object; empty when the API answers NotFound.
    pub async fn object_metric(
        &self,
        mapper: &RestMapper,
        namespace: &str,
        object: &CrossVersionObjectReference,
        metric: &MetricIdentifier,
    ) -> Result<Vec<v1beta2::MetricValue>, String> {
        let metric_selector = metric_selector(metric)?;
        let api_version = object.api_version.as_deref().unwrap_or("v1");
        let (group, _) = split_api_version(api_version);
        let rest = if object.kind == "Namespace" && group.is_empty() {
            // as upstream: the autoscaler's own namespace, whatever the reference names
            // (an object reference may not lead out of the autoscaler's namespace)
            format!(
                "namespaces/{}/metrics/{}",
                encode(namespace),
                encode(&metric.name)
            )
        } else {
            let m = mapper.resolve(api_version, &object.kind).await?;
            let resource = if m.resource.group.is_empty() {
                m.resource.plural.clone()
            } else {
                format!("{}.{}", m.resource.plural, m.resource.group)
            };
            if m.namespaced {
                format!(
                    "namespaces/{}/{resource}/{}/{}",
                    encode(namespace),
                    encode(&object.name),
                    encode(&metric.name)
                )
            } else {
                format!(
                    "{resource}/{}/{}",
                    encode(&object.name),
                    encode(&metric.name)
                )
            }
        };
        match self
            .custom_list(&rest, &[("metricLabelSelector", &metric_selector)])
            .await
        {
            Ok(items) => Ok(items),
            Err(e) if errors::is_not_found(&e) => Ok(Vec::new()),
            Err(e) => Err(errors::message(
                &e,
                &format!(
                    "get {}.{CUSTOM} {}",
                    object.kind.to_lowercase(),
                    object.name
                ),
            )),
        }
    }

    /// Values of an external metric matching its selector.
    pub async fn external_metric(
        &self,
        namespace: &str,
        metric: &MetricIdentifier,
    ) -> Result<Vec<ExternalMetricValue>, String> {
        let selector = metric_selector(metric)?;
        let path = format!(
            "/apis/external.metrics.k8s.io/v1beta1/namespaces/{}/{}{}",
            encode(namespace),
            encode(&metric.name),
            query(&[("labelSelector", &selector)])
        );
        self.get::<ExternalMetricValueList>(&path)
            .await
            .map(|l| l.items)
            .map_err(|e| {
                errors::message(
                    &e,
                    &format!("get {}.external.metrics.k8s.io", metric.name.to_lowercase()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded() {
        assert_eq!(
            query(&[("labelSelector", "app=web,tier in (a,b)"), ("x", "")]),
            "?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29"
        );
        assert_eq!(query(&[("a", "")]), "");
        assert_eq!(encode("*"), "%2A");
    }
}

#[cfg(test)]
mod version_tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use serde_json::json;

    /// An API server whose custom metrics adapter serves only `v1beta1`.
    fn v1beta1_only() -> kube::Client {
        let router = Router::new()
            .route(
                "/apis/custom.metrics.k8s.io",
                get(|| async {
                    axum::Json(json!({
                        "kind": "APIGroup", "apiVersion": "v1", "name": "custom.metrics.k8s.io",
                        "versions": [{"groupVersion": "custom.metrics.k8s.io/v1beta1", "version": "v1beta1"}],
                        "preferredVersion": {"groupVersion": "custom.metrics.k8s.io/v1beta1", "version": "v1beta1"}
                    }))
                }),
            )
            .route(
                "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/{name}/rps",
                get(|| async {
                    axum::Json(json!({
                        "kind": "MetricValueList", "apiVersion": "custom.metrics.k8s.io/v1beta1",
                        "metadata": {},
                        "items": [{"describedObject": {"kind": "Pod", "namespace": "default", "name": "web-0", "apiVersion": "/v1"},
                                   "metricName": "rps", "timestamp": "2026-01-01T00:00:00Z", "window": 60, "value": "5"}]
                    }))
                }),
            );
        kube::Client::new(router, "default")
    }

    #[tokio::test]
    async fn falls_back_to_v1beta1_and_converts() {
        let metrics = MetricsClient::new(v1beta1_only());
        let metric = MetricIdentifier {
            name: "rps".into(),
            selector: None,
        };
        let values = metrics
            .pods_metric("default", "app=web", &metric)
            .await
            .unwrap();
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].metric.name, "rps");
        assert_eq!(values[0].window_seconds, Some(60));
        assert_eq!(values[0].described_object.name.as_deref(), Some("web-0"));
        assert_eq!(metrics.custom_version().await.unwrap(), "v1beta1");
    }

    /// An API server whose metrics-server serves `versions`, each answering a different CPU.
    fn resource_metrics(versions: &'static [&'static str]) -> kube::Client {
        let mut router = Router::new().route(
            "/apis/metrics.k8s.io",
            get(move || async move {
                let vs: Vec<_> = versions
                    .iter()
                    .map(|v| json!({"groupVersion": format!("metrics.k8s.io/{v}"), "version": v}))
                    .collect();
                axum::Json(
                    json!({"kind": "APIGroup", "apiVersion": "v1", "name": "metrics.k8s.io",
                    "versions": vs, "preferredVersion": vs[0]}),
                )
            }),
        );
        for (v, cpu) in [("v1", "100m"), ("v1beta1", "200m")] {
            if versions.contains(&v) {
                router = router.route(
                    &format!("/apis/metrics.k8s.io/{v}/namespaces/default/pods"),
                    get(move || async move {
                        axum::Json(json!({"kind": "PodMetricsList", "apiVersion": format!("metrics.k8s.io/{v}"),
                            "metadata": {}, "items": [{"metadata": {"name": "web-0", "namespace": "default"},
                            "timestamp": "2026-01-01T00:00:00Z", "window": "30s",
                            "containers": [{"name": "c", "usage": {"cpu": cpu}}]}]}))
                    }),
                );
            }
        }
        kube::Client::new(router, "default")
    }

    async fn cpu_read(versions: &'static [&'static str]) -> String {
        let metrics = MetricsClient::new(resource_metrics(versions));
        let pods = metrics.pod_metrics("default", "app=web").await.unwrap();
        pods[0].containers[0].usage["cpu"].0.clone()
    }

    #[tokio::test]
    async fn resource_metrics_v1_when_served_else_v1beta1() {
        assert_eq!(cpu_read(&["v1", "v1beta1"]).await, "100m");
        assert_eq!(cpu_read(&["v1beta1"]).await, "200m");
    }
}
