//! Minimal `/openapi/v2` and `/openapi/v3` documents. The kube-apiserver's aggregator fetches
//! them from every aggregated API server; the metrics APIs have no schema worth publishing
//! (kubectl only uses `get --raw`), so empty documents keep the aggregator quiet.

use axum::Json;
use serde_json::{Value, json};

/// `GET /openapi/v2`: an empty Swagger 2.0 document.
pub async fn v2() -> Json<Value> {
    Json(json!({
        "swagger": "2.0",
        "info": {"title": "Alpaca metrics adapter", "version": env!("CARGO_PKG_VERSION")},
        "paths": {}
    }))
}

/// `GET /openapi/v3`: no group-versions listed.
pub async fn v3() -> Json<Value> {
    Json(json!({"paths": {}}))
}
