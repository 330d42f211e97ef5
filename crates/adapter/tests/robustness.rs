//! Robustness against clients, over plain HTTP with raw sockets where a well-behaved client
//! library would not misbehave: bounded metric labels, failures always answered as `Status`,
//! the header read, idle and request timeouts, the bound on requests in flight, and a graceful
//! shutdown that a slow client cannot hold.

mod common;

use std::time::{Duration, Instant};

use alpaca_adapter::limits::Limits;
use alpaca_adapter::{Server, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(limits: Limits) -> Server {
    Server::bind(ServerConfig {
        limits,
        ..ServerConfig::insecure_local()
    })
    .await
    .unwrap()
}

/// Reads until the peer closes (or `within` passes: then `None`).
async fn read_to_close(s: &mut TcpStream, within: Duration) -> Option<String> {
    let mut out = Vec::new();
    match tokio::time::timeout(within, s.read_to_end(&mut out)).await {
        Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
        Err(_) => None,
    }
}

/// Reads one response head and body start (whatever arrives within `within`).
async fn read_some(s: &mut TcpStream, within: Duration) -> String {
    let mut buf = vec![0u8; 16 * 1024];
    match tokio::time::timeout(within, s.read(&mut buf)).await {
        Ok(Ok(n)) => String::from_utf8_lossy(&buf[..n]).into_owned(),
        _ => String::new(),
    }
}

#[tokio::test]
async fn made_up_methods_do_not_grow_the_metrics() {
    let server = common::start_insecure().await;
    let c = common::client();
    for i in 0..20 {
        let m = reqwest::Method::from_bytes(format!("MADEUP{i}").as_bytes()).unwrap();
        let r = c
            .request(m, format!("{}/apis/x{i}/y/z", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 405);
    }
    let (_, text) = common::get(&c, &server.url(), "/metrics").await;
    let text = text.as_str().unwrap().to_string();
    assert!(!text.contains("MADEUP"), "{text}");
    assert!(text.contains("method=\"other\""), "{text}");
    let series = text
        .lines()
        .filter(|l| l.starts_with("alpaca_adapter_requests_total{"))
        .count();
    assert!(series <= 3, "{text}");
}

#[tokio::test]
async fn every_failure_is_a_status() {
    let server = common::start_insecure().await;
    let c = common::client();
    let base = server.url();
    let long = format!(
        "/apis/custom.metrics.k8s.io/v1beta2/{}",
        "a".repeat(40 * 1024)
    );
    for (path, code) in [
        (long.as_str(), 414),
        (
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/%FF/pods/x/m",
            400,
        ),
        ("/apis/custom.metrics.k8s.io/v1beta2/", 404),
        ("/apis/", 404),
        ("/healthz/", 404),
        (
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/x/m/",
            404,
        ),
    ] {
        let (got, v) = common::get(&c, &base, path).await;
        assert_eq!(got, code, "{path}: {v}");
        assert_eq!(v["kind"], "Status", "{path}: {v}");
        assert_eq!(v["code"], code, "{path}: {v}");
    }
    // A write body that is not what the extractor wants.
    let r = c
        .post(format!("{base}/write-metrics/namespaces/default/pods/x/m"))
        .header("content-type", "application/json")
        .body(vec![0xff, 0xfe])
        .send()
        .await
        .unwrap();
    let code = r.status().as_u16();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["kind"], "Status", "{v}");
    assert_eq!(v["code"], code);
}

/// What hyper refuses before the router sees a request (a URI over its 64 KiB limit, headers
/// over its buffer, a request line it cannot parse) is a `Status` too, over plain HTTP and
/// HTTPS alike.
#[tokio::test]
async fn failures_hyper_answers_itself_are_statuses() {
    let huge_uri = format!(
        "GET /apis/{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70 * 1024)
    );
    let huge_header = format!(
        "GET /apis HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(1024 * 1024)
    );
    let cases = [
        (huge_uri.as_str(), 414),
        (huge_header.as_str(), 431),
        ("NOT A REQUEST\r\n\r\n", 400),
        ("GET /apis HTTP/1.1\r\nBad Header Line\r\n\r\n", 400),
    ];
    let check = |response: &str, code: u16| {
        let (head, body) = response
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("no response head: {response:?}"));
        assert!(head.starts_with(&format!("HTTP/1.1 {code} ")), "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        let v: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
        assert_eq!(
            (v["kind"].as_str(), v["code"].as_u64()),
            (Some("Status"), Some(u64::from(code))),
            "{v}"
        );
    };
    let server = common::start_insecure().await;
    let addr = server.url().trim_start_matches("http://").to_string();
    for (request, code) in &cases {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        // hyper may answer before it has read everything: ignore a reset on the rest.
        let _ = s.write_all(request.as_bytes()).await;
        let response = read_to_close(&mut s, Duration::from_secs(10))
            .await
            .expect("the connection is closed after the error");
        check(&response, *code);
    }
    server.shutdown().await.unwrap();

    // Over HTTPS: the wrapper sits above TLS.
    let server =
        Server::bind(ServerConfig::secure_local(alpaca_adapter::auth::Auth::insecure()).unwrap())
            .await
            .unwrap();
    let addr = server.url().trim_start_matches("https://").to_string();
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(
        rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(AnyCert))
            .with_no_client_auth(),
    ));
    let tcp = TcpStream::connect(&addr).await.unwrap();
    let mut s = tls
        .connect("localhost".try_into().unwrap(), tcp)
        .await
        .unwrap();
    s.write_all(b"NOT A REQUEST\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    check(&String::from_utf8_lossy(&out), 400);
    server.shutdown().await.unwrap();
}

/// Accepts any server certificate (the test only looks at what is said over TLS).
#[derive(Debug)]
struct AnyCert;

impl rustls::client::danger::ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[tokio::test]
async fn a_client_slow_to_send_headers_is_cut_off() {
    let server = start(Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(b"GET /apis HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let start = Instant::now();
    assert!(
        read_to_close(&mut s, Duration::from_secs(5))
            .await
            .is_some(),
        "connection still open"
    );
    assert!(start.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let server = start(Limits {
        idle_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(
        read_some(&mut s, Duration::from_secs(2))
            .await
            .starts_with("HTTP/1.1 200")
    );
    // Kept alive, then idle.
    assert!(
        read_to_close(&mut s, Duration::from_secs(5))
            .await
            .is_some(),
        "idle connection still open"
    );
}

#[tokio::test]
async fn slow_requests_time_out_with_a_status() {
    let server = start(Limits {
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    // The body never fully arrives.
    s.write_all(b"POST /write-metrics/namespaces/default/pods/x/m HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n\"1")
        .await
        .unwrap();
    let resp = read_some(&mut s, Duration::from_secs(3)).await;
    assert!(resp.starts_with("HTTP/1.1 504"), "{resp}");
    assert!(resp.contains("\"reason\":\"Timeout\""), "{resp}");
}

#[tokio::test]
async fn too_many_requests_in_flight_get_429() {
    let server = start(Limits {
        max_in_flight: 1,
        request_timeout: Duration::from_secs(10),
        ..Limits::default()
    })
    .await;
    // One slot, held by a request whose body is still coming.
    let mut slow = TcpStream::connect(server.addr()).await.unwrap();
    slow.write_all(b"POST /write-metrics/namespaces/default/pods/x/m HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n\"1")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let c = common::client();
    let r = c
        .get(format!("{}/apis", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["reason"], "TooManyRequests");
    // The probes still answer.
    let (code, _) = common::get(&c, &server.url(), "/healthz").await;
    assert_eq!(code, 200);
    drop(slow);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (code, _) = common::get(&c, &server.url(), "/apis").await;
    assert_eq!(code, 200);
}

#[tokio::test]
async fn a_slow_client_cannot_hold_the_shutdown() {
    let server = start(Limits {
        shutdown_timeout: Duration::from_millis(500),
        ..Limits::default()
    })
    .await;
    let mut slow = TcpStream::connect(server.addr()).await.unwrap();
    slow.write_all(b"POST /write-metrics/namespaces/default/pods/x/m HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n\"1")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let start = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .expect("shutdown held by the slow client")
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(
        read_to_close(&mut slow, Duration::from_secs(2))
            .await
            .is_some()
    );
}
