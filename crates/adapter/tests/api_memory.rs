//! The API over plain HTTP with the memory backend: every path shape in both custom metrics
//! versions, external metrics, discovery, selectors, and the failures as `Status` objects.

mod common;

use common::{client, get, start_insecure, write};
use serde_json::json;

const CM2: &str = "/apis/custom.metrics.k8s.io/v1beta2";
const CM1: &str = "/apis/custom.metrics.k8s.io/v1beta1";
const EM: &str = "/apis/external.metrics.k8s.io/v1beta1";

#[tokio::test]
async fn tutorial_flow_namespaced_object_both_versions() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    assert_eq!(
        write(
            &c,
            &base,
            "/write-metrics/namespaces/default/services/kubernetes/test-metric",
            "\"300m\""
        )
        .await,
        200
    );

    let (code, v) = get(
        &c,
        &base,
        &format!("{CM2}/namespaces/default/services/kubernetes/test-metric"),
    )
    .await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["kind"], "MetricValueList");
    assert_eq!(v["apiVersion"], "custom.metrics.k8s.io/v1beta2");
    let item = &v["items"][0];
    assert_eq!(item["metric"]["name"], "test-metric");
    assert_eq!(item["value"], "300m");
    assert_eq!(
        item["describedObject"],
        json!({"kind": "Service", "namespace": "default", "name": "kubernetes", "apiVersion": "/v1"})
    );
    assert!(item["timestamp"].as_str().unwrap().ends_with('Z'));

    let (code, v) = get(
        &c,
        &base,
        &format!("{CM1}/namespaces/default/services/kubernetes/test-metric"),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(v["apiVersion"], "custom.metrics.k8s.io/v1beta1");
    assert_eq!(v["items"][0]["metricName"], "test-metric");
    assert!(v["items"][0].get("metric").is_none());

    // A new value replaces the old one (and the cached answer).
    assert_eq!(
        write(
            &c,
            &base,
            "/write-metrics/namespaces/default/services/kubernetes/test-metric",
            "\"400m\""
        )
        .await,
        200
    );
    let (_, v) = get(
        &c,
        &base,
        &format!("{CM2}/namespaces/default/services/kubernetes/test-metric"),
    )
    .await;
    assert_eq!(v["items"][0]["value"], "400m");
}

#[tokio::test]
async fn all_objects_with_label_selectors() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    for (pod, app, verb, v) in [
        ("web-1", "web", "GET", "1"),
        ("web-2", "web", "POST", "2"),
        ("db-1", "db", "GET", "3"),
    ] {
        let path = format!(
            "/write-metrics/namespaces/prod/pods/{pod}/rps?labels=verb={verb}&objectLabels=app={app}"
        );
        assert_eq!(write(&c, &base, &path, &format!("\"{v}\"")).await, 200);
    }
    let names = |v: &serde_json::Value| {
        let mut n: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["describedObject"]["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    let (code, v) = get(&c, &base, &format!("{CM2}/namespaces/prod/pods/*/rps")).await;
    assert_eq!(code, 200);
    assert_eq!(names(&v), ["db-1", "web-1", "web-2"]);
    let (_, v) = get(
        &c,
        &base,
        &format!("{CM2}/namespaces/prod/pods/*/rps?labelSelector=app%3Dweb"),
    )
    .await;
    assert_eq!(names(&v), ["web-1", "web-2"]);
    let (_, v) = get(
        &c,
        &base,
        &format!("{CM2}/namespaces/prod/pods/*/rps?labelSelector=app+in+(web,db),app!%3Ddb"),
    )
    .await;
    assert_eq!(names(&v), ["web-1", "web-2"]);
    let (_, v) = get(&c, &base, &format!("{CM2}/namespaces/prod/pods/*/rps?labelSelector=app%3Dweb&metricLabelSelector=verb%3DGET")).await;
    assert_eq!(names(&v), ["web-1"]);
    assert_eq!(
        v["items"][0]["metric"]["selector"],
        json!({"matchLabels": {"verb": "GET"}})
    );
    let (_, v) = get(
        &c,
        &base,
        &format!("{CM1}/namespaces/prod/pods/*/rps?metricLabelSelector=verb%3DGET"),
    )
    .await;
    assert_eq!(names(&v), ["db-1", "web-1"]);
    assert_eq!(
        v["items"][0]["selector"],
        json!({"matchLabels": {"verb": "GET"}})
    );
    // Another namespace has none.
    let (code, v) = get(&c, &base, &format!("{CM2}/namespaces/other/pods/*/rps")).await;
    assert_eq!((code, v["items"].as_array().unwrap().len()), (200, 0));
    // A named object whose metric labels do not match.
    let (code, v) = get(
        &c,
        &base,
        &format!("{CM2}/namespaces/prod/pods/web-1/rps?metricLabelSelector=verb%3DPOST"),
    )
    .await;
    assert_eq!((code, v["reason"].as_str()), (404, Some("NotFound")));
}

#[tokio::test]
async fn root_scoped_objects_and_namespaces() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    assert_eq!(
        write(
            &c,
            &base,
            "/write-metrics/nodes/node-1/temperature",
            "\"42\""
        )
        .await,
        200
    );
    assert_eq!(
        write(
            &c,
            &base,
            "/write-metrics/namespaces/team-a/metrics/quota-used",
            "\"1500m\""
        )
        .await,
        200
    );
    for ver in [CM1, CM2] {
        let (code, v) = get(&c, &base, &format!("{ver}/nodes/node-1/temperature")).await;
        assert_eq!(code, 200, "{v}");
        assert_eq!(
            v["items"][0]["describedObject"],
            json!({"kind": "Node", "name": "node-1", "apiVersion": "/v1"})
        );
        let (code, v) = get(&c, &base, &format!("{ver}/nodes/*/temperature")).await;
        assert_eq!((code, v["items"].as_array().unwrap().len()), (200, 1));
        let (code, v) = get(
            &c,
            &base,
            &format!("{ver}/namespaces/team-a/metrics/quota-used"),
        )
        .await;
        assert_eq!(code, 200, "{v}");
        assert_eq!(v["items"][0]["value"], "1500m");
        assert_eq!(v["items"][0]["describedObject"]["kind"], "Namespace");
        assert_eq!(v["items"][0]["describedObject"]["name"], "team-a");
    }
}

#[tokio::test]
async fn external_metrics_with_labels() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    for (q, v) in [("orders", "30"), ("emails", "4")] {
        let path =
            format!("/write-external-metrics/namespaces/default/queue_messages?labels=queue={q}");
        assert_eq!(write(&c, &base, &path, &format!("\"{v}\"")).await, 200);
    }
    let (code, v) = get(
        &c,
        &base,
        &format!("{EM}/namespaces/default/queue_messages?labelSelector=queue%3Dorders"),
    )
    .await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["kind"], "ExternalMetricValueList");
    assert_eq!(v["apiVersion"], "external.metrics.k8s.io/v1beta1");
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["metricName"], "queue_messages");
    assert_eq!(v["items"][0]["metricLabels"], json!({"queue": "orders"}));
    assert_eq!(v["items"][0]["value"], "30");
    let (_, v) = get(
        &c,
        &base,
        &format!("{EM}/namespaces/default/queue_messages"),
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    // Values are per namespace.
    let (code, v) = get(&c, &base, &format!("{EM}/namespaces/other/queue_messages")).await;
    assert_eq!((code, v["items"].as_array().unwrap().len()), (200, 0));
    let (code, v) = get(&c, &base, &format!("{EM}/namespaces/default/nope")).await;
    assert_eq!((code, v["kind"].as_str()), (404, Some("Status")));
}

#[tokio::test]
async fn discovery_lists_the_metrics() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    write(
        &c,
        &base,
        "/write-metrics/namespaces/default/services/kubernetes/test-metric",
        "\"1\"",
    )
    .await;
    write(&c, &base, "/write-metrics/nodes/n/temp", "\"1\"").await;
    write(
        &c,
        &base,
        "/write-external-metrics/namespaces/default/queue",
        "\"1\"",
    )
    .await;

    let (code, v) = get(&c, &base, "/apis").await;
    assert_eq!(code, 200);
    assert_eq!(v["kind"], "APIGroupList");
    let groups: Vec<&str> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        [
            "custom.metrics.k8s.io",
            "external.metrics.k8s.io",
            "metrics.k8s.io"
        ]
    );
    assert_eq!(
        v["groups"][0]["preferredVersion"]["groupVersion"],
        "custom.metrics.k8s.io/v1beta2"
    );

    let (code, v) = get(&c, &base, "/apis/custom.metrics.k8s.io").await;
    assert_eq!((code, v["kind"].as_str()), (200, Some("APIGroup")));
    assert_eq!(v["versions"].as_array().unwrap().len(), 2);

    for ver in [CM1, CM2] {
        let (code, v) = get(&c, &base, ver).await;
        assert_eq!(code, 200);
        assert_eq!(v["kind"], "APIResourceList");
        let res = v["resources"].as_array().unwrap();
        let svc = res
            .iter()
            .find(|r| r["name"] == "services/test-metric")
            .expect("services/test-metric listed");
        assert_eq!(svc["namespaced"], true);
        assert_eq!(svc["kind"], "MetricValueList");
        assert_eq!(svc["verbs"], json!(["get"]));
        let node = res
            .iter()
            .find(|r| r["name"] == "nodes/temp")
            .expect("nodes/temp listed");
        assert_eq!(node["namespaced"], false);
    }
    let (_, v) = get(&c, &base, EM).await;
    assert_eq!(v["resources"][0]["name"], "queue");
    assert_eq!(v["resources"][0]["kind"], "ExternalMetricValueList");

    for bad in [
        "/apis/metrics.k8s.io/v2",
        "/apis/custom.metrics.k8s.io/v1",
        "/apis/external.metrics.k8s.io/v1beta2/namespaces/a/b",
    ] {
        let (code, v) = get(&c, &base, bad).await;
        assert_eq!(
            (code, v["reason"].as_str()),
            (404, Some("NotFound")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn failures_are_status_objects() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    write(
        &c,
        &base,
        "/write-metrics/namespaces/default/pods/p/m",
        "\"1\"",
    )
    .await;

    // Unknown metric and unknown object.
    let (code, v) = get(
        &c,
        &base,
        &format!("{CM2}/namespaces/default/pods/p/unknown"),
    )
    .await;
    assert_eq!(code, 404);
    assert_eq!(v["kind"], "Status");
    assert_eq!(v["apiVersion"], "v1");
    assert_eq!(v["status"], "Failure");
    assert_eq!(v["code"], 404);
    assert!(v["message"].as_str().unwrap().contains("unknown"), "{v}");
    let (code, _) = get(&c, &base, &format!("{CM2}/namespaces/default/pods/q/m")).await;
    assert_eq!(code, 404);

    // Malformed selectors.
    for q in [
        "labelSelector=app%20in%20(a",
        "metricLabelSelector=%3Dx",
        "labelSelector=a%3Db%2C",
    ] {
        let (code, v) = get(&c, &base, &format!("{CM2}/namespaces/default/pods/*/m?{q}")).await;
        assert_eq!(
            (code, v["reason"].as_str()),
            (400, Some("BadRequest")),
            "{q}: {v}"
        );
    }
    let (code, v) = get(
        &c,
        &base,
        &format!("{EM}/namespaces/default/x?labelSelector=!"),
    )
    .await;
    assert_eq!(
        (code, v["reason"].as_str()),
        (400, Some("BadRequest")),
        "{v}"
    );

    // Malformed paths.
    let (code, _) = get(&c, &base, &format!("{CM2}/namespaces/default/pods")).await;
    assert_eq!(code, 404);
    let (code, v) = get(&c, &base, "/nothing/here").await;
    assert_eq!((code, v["kind"].as_str()), (404, Some("Status")));

    // Wrong method.
    let r = c.delete(format!("{base}/apis")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
}

#[tokio::test]
async fn bad_writes_are_rejected() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    let path = "/write-metrics/namespaces/default/pods/p/m";
    for body in ["\"abc\"", "\"\"", "", "\"12xyz\"", "{}"] {
        let r = c
            .post(format!("{base}{path}"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{body:?}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["reason"], "BadRequest");
    }
    // Oversized bodies, with and without a declared length.
    let big = format!("\"{}\"", "1".repeat(70 * 1024));
    let r = c
        .post(format!("{base}{path}"))
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["reason"], "RequestEntityTooLarge");
    assert_eq!(chunked_post(s.addr(), path, big.as_bytes()).await, 413);
    // Bad labels, '*' names, wrong shapes.
    assert_eq!(
        write(&c, &base, &format!("{path}?labels=a!%3Db"), "\"1\"").await,
        400
    );
    assert_eq!(
        write(
            &c,
            &base,
            "/write-metrics/namespaces/default/pods/*/m",
            "\"1\""
        )
        .await,
        400
    );
    assert_eq!(
        write(&c, &base, "/write-metrics/pods/m", "\"1\"").await,
        404
    );
    assert_eq!(
        write(&c, &base, "/write-external-metrics/q", "\"1\"").await,
        404
    );
    // Bare quantities and numbers are accepted, as Quantity.UnmarshalJSON accepts them.
    assert_eq!(write(&c, &base, path, "0.5").await, 200);
    let (_, v) = get(&c, &base, &format!("{CM2}/namespaces/default/pods/p/m")).await;
    assert_eq!(v["items"][0]["value"], "500m");
}

#[tokio::test]
async fn writes_are_off_unless_enabled() {
    let config = alpaca_adapter::ServerConfig {
        enable_write: false,
        ..alpaca_adapter::ServerConfig::insecure_local()
    };
    let s = alpaca_adapter::Server::bind(config).await.unwrap();
    let c = client();
    let r = c
        .post(format!("{}/write-metrics/namespaces/d/pods/p/m", s.url()))
        .body("\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("--enable-write"));
}

#[tokio::test]
async fn write_port_serves_writes_only() {
    let config = alpaca_adapter::ServerConfig {
        write_bind: Some("127.0.0.1:0".parse().unwrap()),
        ..alpaca_adapter::ServerConfig::insecure_local()
    };
    let s = alpaca_adapter::Server::bind(config).await.unwrap();
    let c = client();
    let wbase = format!("http://{}", s.write_addr().unwrap());
    assert_eq!(
        write(&c, &wbase, "/write-metrics/namespaces/d/pods/p/m", "\"7\"").await,
        200
    );
    let (code, _) = get(&c, &wbase, &format!("{CM2}/namespaces/d/pods/p/m")).await;
    assert_eq!(code, 404);
    let (_, v) = get(&c, &s.url(), &format!("{CM2}/namespaces/d/pods/p/m")).await;
    assert_eq!(v["items"][0]["value"], "7");
}

#[tokio::test]
async fn health_and_metrics() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    for p in [
        "/healthz",
        "/livez",
        "/readyz",
        "/openapi/v2",
        "/openapi/v3",
    ] {
        let r = c.get(format!("{base}{p}")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{p}");
    }
    get(&c, &base, &format!("{CM2}/namespaces/default/pods/p/m")).await;
    let text = c
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"alpaca_adapter_requests_total{path="/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/{resource}/{name}/{metric}",method="GET",code="404"} 1"#),
        "{text}"
    );
    assert!(text.contains("alpaca_adapter_request_duration_seconds_bucket"));
    s.shutdown().await.unwrap();
}

/// POSTs a chunked body (no Content-Length) over a raw connection; returns the status code.
async fn chunked_post(addr: std::net::SocketAddr, path: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(8192) {
        req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend_from_slice(chunk);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    // The server may answer before reading everything; ignore write errors.
    let _ = conn.write_all(&req).await;
    let mut head = vec![0u8; 12];
    conn.read_exact(&mut head).await.unwrap();
    String::from_utf8_lossy(&head[9..12]).parse().unwrap()
}

/// Given a cluster (`--kubeconfig`), `*` with a labelSelector lists the objects from it, as
/// the upstream testing adapter does, instead of matching written object labels.
#[tokio::test]
async fn label_selectors_use_the_cluster_when_given() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: alpaca_adapter::AdapterArgs,
    }
    let api = common::fake_apiserver::start(Default::default()).await;
    let cli = Cli::try_parse_from([
        "adapter",
        "--insecure-serve-http",
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        "--enable-write",
        &format!("--kubeconfig={}", api.kubeconfig.display()),
    ])
    .unwrap();
    let s = alpaca_adapter::Server::bind(
        alpaca_adapter::ServerConfig::from_args(&cli.args)
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    let (c, base) = (client(), s.url());
    for pod in ["web-1", "web-2", "db-1"] {
        assert_eq!(
            write(
                &c,
                &base,
                &format!("/write-metrics/namespaces/default/pods/{pod}/rps"),
                "\"1\""
            )
            .await,
            200
        );
    }
    let (code, v) = get(
        &c,
        &base,
        &format!("{CM2}/namespaces/default/pods/*/rps?labelSelector=app%3Dweb"),
    )
    .await;
    assert_eq!(code, 200, "{v}");
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["describedObject"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web-1"]);
    let (_, v) = get(
        &c,
        &base,
        &format!("{CM2}/namespaces/default/pods/*/rps?labelSelector=app+in+(web,db)"),
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
}
