//! A minimal client of the Prometheus HTTP API: `/api/v1/series` for discovery and
//! `/api/v1/query` for instant vector queries.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::connection::{ConnectionOptions, Verb};
use crate::backend::BackendError;

/// One sample of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series' labels (without `__name__` for aggregated results).
    pub labels: BTreeMap<String, String>,
    /// Unix time of the sample, in seconds.
    pub timestamp: f64,
    /// The value.
    pub value: f64,
}

/// Talks to one Prometheus server.
#[derive(Debug, Clone)]
pub struct PrometheusClient {
    base: String,
    http: reqwest::Client,
    verb: Verb,
}

#[derive(Deserialize)]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    #[serde(default, rename = "errorType")]
    error_type: String,
    #[serde(default)]
    error: String,
}

#[derive(Deserialize)]
struct QueryData {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct VectorItem {
    metric: BTreeMap<String, String>,
    value: (f64, String),
}

impl PrometheusClient {
    /// A client for the server at `base` (`http://host:9090`), with a per-request timeout.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, BackendError> {
        Self::with_options(
            base,
            &ConnectionOptions {
                timeout,
                ..ConnectionOptions::default()
            },
        )
    }

    /// A client for the server at `base` with TLS, credentials, headers and verb as given.
    pub fn with_options(base: &str, opts: &ConnectionOptions) -> Result<Self, BackendError> {
        let http =
            super::connection::build(opts).map_err(|e| BackendError::Unavailable(e.to_string()))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            http,
            verb: opts.verb,
        })
    }

    async fn get<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<T, BackendError> {
        let url = format!("{}{}", self.base, path);
        let req = match self.verb {
            Verb::Get => self.http.get(&url).query(params),
            Verb::Post => self
                .http
                .post(&url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form(params)),
        };
        let resp = req
            .send()
            .await
            .map_err(|e| BackendError::Unavailable(format!("querying Prometheus at {url}: {e}")))?;
        let code = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| BackendError::Unavailable(format!("reading Prometheus' answer: {e}")))?;
        let env: Envelope<T> = serde_json::from_str(&text).map_err(|e| {
            BackendError::Unavailable(format!(
                "Prometheus answered {code} with an unexpected body: {e}"
            ))
        })?;
        match (env.status.as_str(), env.data) {
            ("success", Some(d)) => Ok(d),
            // prometheus-adapter answers every failed query with 500 InternalError; a
            // query Prometheus refuses is a rule's fault, not the caller's.
            _ if matches!(env.error_type.as_str(), "bad_data" | "execution") => Err(
                BackendError::Internal(format!("Prometheus rejected the query: {}", env.error)),
            ),
            _ => Err(BackendError::Unavailable(format!(
                "Prometheus failed ({}): {}",
                env.error_type, env.error
            ))),
        }
    }

    /// The label sets of the series matching `selector` seen since `start` (Unix seconds).
    pub async fn series(
        &self,
        selector: &str,
        start: f64,
    ) -> Result<Vec<BTreeMap<String, String>>, BackendError> {
        self.get(
            "/api/v1/series",
            &[
                ("match[]", selector.to_string()),
                ("start", format!("{start:.3}")),
            ],
        )
        .await
    }

    /// Evaluates an instant query; only vector (and scalar) results are accepted.
    pub async fn query(&self, query: &str) -> Result<Vec<Sample>, BackendError> {
        let data: QueryData = self
            .get("/api/v1/query", &[("query", query.to_string())])
            .await?;
        let parse_value = |s: &str| {
            s.parse::<f64>().map_err(|_| {
                BackendError::Unavailable(format!("Prometheus returned a non-numeric value {s:?}"))
            })
        };
        match data.result_type.as_str() {
            "vector" => {
                let items: Vec<VectorItem> = serde_json::from_value(data.result)
                    .map_err(|e| BackendError::Unavailable(format!("unexpected vector: {e}")))?;
                items
                    .into_iter()
                    .map(|i| {
                        Ok(Sample {
                            labels: i.metric,
                            timestamp: i.value.0,
                            value: parse_value(&i.value.1)?,
                        })
                    })
                    .collect()
            }
            "scalar" => {
                let (t, v): (f64, String) = serde_json::from_value(data.result)
                    .map_err(|e| BackendError::Unavailable(format!("unexpected scalar: {e}")))?;
                Ok(vec![Sample {
                    labels: BTreeMap::new(),
                    timestamp: t,
                    value: parse_value(&v)?,
                }])
            }
            other => Err(BackendError::Internal(format!(
                "the metrics query returned a {other}, not an instant vector"
            ))),
        }
    }
}

/// `application/x-www-form-urlencoded` encoding of the parameters.
fn form(params: &[(&str, String)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
