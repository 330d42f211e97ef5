//! Helpers shared by the integration tests: starting an adapter in-process and an HTTP client
//! that trusts anything (the adapter's certificate is generated at start).
#![allow(dead_code)]

pub mod fake_apiserver;

use alpaca_adapter::{Server, ServerConfig};
use serde_json::Value;

/// Starts an insecure (plain HTTP, no auth) adapter with the memory backend and writes on.
pub async fn start_insecure() -> Server {
    Server::bind(ServerConfig::insecure_local())
        .await
        .expect("bind")
}

/// A client that accepts the adapter's self-signed certificate.
pub fn client() -> reqwest::Client {
    alpaca_adapter::tls::install_crypto_provider();
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client")
}

/// POSTs a body to a write URL and returns the status code.
pub async fn write(c: &reqwest::Client, base: &str, path: &str, body: &str) -> u16 {
    c.post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("write")
        .status()
        .as_u16()
}

/// GETs a path and returns the status code and JSON body.
pub async fn get(c: &reqwest::Client, base: &str, path: &str) -> (u16, Value) {
    let r = c.get(format!("{base}{path}")).send().await.expect("get");
    let code = r.status().as_u16();
    let text = r.text().await.expect("body");
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (code, v)
}
