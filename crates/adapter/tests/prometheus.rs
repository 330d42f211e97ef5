//! The Prometheus backend against a real Prometheus server (Debian's `prometheus`, installed
//! by scripts/install-test-deps.sh): the test serves a small scrape target, starts Prometheus
//! on a free loopback port with a temporary config and storage, waits (bounded) for the series,
//! then reads custom and external metrics through the adapter. The test fails, rather than
//! skips, when the binary is missing.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alpaca_adapter::backend::Backend;
use alpaca_adapter::backend::lister::ObjectLister;
use alpaca_adapter::backend::prometheus::PrometheusBackend;
use alpaca_adapter::backend::prometheus::rules::Rules;
use alpaca_adapter::{Server, ServerConfig};
use serde_json::Value;

const RULES: &str = r#"
rules:
- seriesQuery: '{__name__="app_requests_per_second",namespace!="",pod!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
      pod: {resource: pod}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
- seriesQuery: '{__name__=~"^http_requests_total$",namespace!="",pod!=""}'
  resources:
    template: "<<.Resource>>"
  name:
    matches: "^(.*)_total$"
    as: "${1}_per_second"
  metricsQuery: 'sum(irate(<<.Series>>{<<.LabelMatchers>>}[10s])) by (<<.GroupBy>>)'
- seriesQuery: '{__name__="node_temperature_celsius",node!=""}'
  resources:
    overrides:
      node: {resource: node}
  metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
resourceRules:
  cpu:
    containerQuery: 'sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!=""}[10s])) by (<<.GroupBy>>)'
    nodeQuery: 'sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,id="/"}[10s])) by (<<.GroupBy>>)'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pod}
        node: {resource: node}
    containerLabel: container
  memory:
    containerQuery: 'sum(container_memory_working_set_bytes{<<.LabelMatchers>>,container!=""}) by (<<.GroupBy>>)'
    nodeQuery: 'sum(container_memory_working_set_bytes{<<.LabelMatchers>>,id="/"}) by (<<.GroupBy>>)'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pod}
        node: {resource: node}
    containerLabel: container
  window: 10s
externalRules:
- seriesQuery: '{__name__="queue_messages",queue!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
"#;

/// Kills Prometheus when the test ends, however it ends.
struct PrometheusProcess {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for PrometheusProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_prometheus(target: SocketAddr) -> PrometheusProcess {
    let bin = which("prometheus").unwrap_or_else(|| {
        panic!(
            "the `prometheus` binary is not on PATH: the Prometheus backend tests need a real server. \
             Install it with scripts/install-test-deps.sh (Debian's package)"
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n- job_name: target\n  honor_labels: true\n  static_configs:\n  - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let port = free_port();
    let child = Command::new(bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--storage.tsdb.retention.time=1h")
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(dir.path().join("prometheus.log")).unwrap(),
        ))
        .spawn()
        .expect("starting prometheus");
    PrometheusProcess {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    }
}

fn which(bin: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join(bin))
        .find(|p| p.is_file())
}

/// The scrape target: gauges with fixed values and a counter growing 5 per second.
async fn serve_target() -> SocketAddr {
    use axum::{Router, routing::get};
    let start = Instant::now();
    let app = Router::new().route(
        "/metrics",
        get(move || async move {
            let c = 5.0 * start.elapsed().as_secs_f64();
            let (a, s, n) = (0.25 * c / 5.0, 0.01 * c / 5.0, 1.5 * c / 5.0);
            format!(
                "# TYPE container_cpu_usage_seconds_total counter\n\
                 container_cpu_usage_seconds_total{{namespace=\"default\",pod=\"web-1\",container=\"app\"}} {a}\n\
                 container_cpu_usage_seconds_total{{namespace=\"default\",pod=\"web-1\",container=\"sidecar\"}} {s}\n\
                 container_cpu_usage_seconds_total{{namespace=\"default\",pod=\"cpu-only\",container=\"app\"}} {a}\n\
                 container_cpu_usage_seconds_total{{id=\"/\",node=\"node-1\"}} {n}\n\
                 # TYPE container_memory_working_set_bytes gauge\n\
                 container_memory_working_set_bytes{{namespace=\"default\",pod=\"web-1\",container=\"app\"}} 67108864\n\
                 container_memory_working_set_bytes{{namespace=\"default\",pod=\"web-1\",container=\"sidecar\"}} 8388608\n\
                 container_memory_working_set_bytes{{id=\"/\",node=\"node-1\"}} 2147483648\n\
                 # TYPE app_requests_per_second gauge\n\
                 app_requests_per_second{{namespace=\"default\",pod=\"web-1\",service=\"web\"}} 10\n\
                 app_requests_per_second{{namespace=\"default\",pod=\"web-2\",service=\"api\"}} 20\n\
                 app_requests_per_second{{namespace=\"other\",pod=\"x-1\",service=\"web\"}} 99\n\
                 # TYPE http_requests_total counter\n\
                 http_requests_total{{namespace=\"default\",pod=\"web-1\"}} {c}\n\
                 # TYPE node_temperature_celsius gauge\n\
                 node_temperature_celsius{{node=\"node-1\"}} 42.5\n\
                 # TYPE queue_messages gauge\n\
                 queue_messages{{namespace=\"default\",queue=\"orders\"}} 30\n\
                 queue_messages{{namespace=\"default\",queue=\"emails\"}} 4\n\
                 queue_messages{{namespace=\"other\",queue=\"orders\"}} 1000\n"
            )
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await });
    addr
}

/// Polls until `f` returns `Some`, at most `limit`.
async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn milli(q: &Value) -> f64 {
    let s = q.as_str().expect("a quantity string");
    let q = alpaca_quantity::Quantity::parse(s).expect("a valid quantity");
    q.milli_value() as f64
}

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["describedObject"]["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_custom_and_external_metrics_from_prometheus() {
    let target = serve_target().await;
    let prom = start_prometheus(target);
    let c = common::client();

    // Prometheus up and the target scraped twice (the rate needs two samples).
    wait_for(
        "Prometheus to scrape the target",
        Duration::from_secs(60),
        || {
            let c = c.clone();
            let url = format!(
                "{}/api/v1/query?query=count_over_time(http_requests_total[1m])",
                prom.url
            );
            async move {
                let v: Value = c.get(url).send().await.ok()?.json().await.ok()?;
                let n: f64 = v["data"]["result"][0]["value"][1].as_str()?.parse().ok()?;
                (n >= 3.0).then_some(())
            }
        },
    )
    .await;

    // Pods are listed by label from a stand-in API server, as in a cluster.
    let api = common::fake_apiserver::start(Default::default()).await;
    let kube = alpaca_adapter::config::kube_client(Some(&api.kubeconfig))
        .await
        .unwrap();
    let backend = PrometheusBackend::new(
        &prom.url,
        Duration::from_secs(5),
        Rules::parse(RULES).unwrap(),
        Some(ObjectLister::new(kube)),
        Duration::from_secs(1),
    )
    .unwrap();
    let config = ServerConfig {
        backend: Backend::Prometheus(Arc::new(backend)),
        enable_write: false,
        ..ServerConfig::insecure_local()
    };
    let server = Server::bind(config).await.unwrap();
    let base = server.url();
    let get = |path: String| {
        let c = c.clone();
        let base = base.clone();
        async move { common::get(&c, &base, &path).await }
    };

    // Ready after the first discovery; discovery lists what the rules found.
    wait_for("the adapter to be ready", Duration::from_secs(30), || {
        let c = c.clone();
        let url = format!("{base}/readyz");
        async move {
            c.get(url)
                .send()
                .await
                .ok()?
                .status()
                .is_success()
                .then_some(())
        }
    })
    .await;
    let (code, v) = get("/apis/custom.metrics.k8s.io/v1beta2".into()).await;
    assert_eq!(code, 200);
    let listed: Vec<(String, bool)> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["namespaced"].as_bool().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("pods/app_requests_per_second", true),
        ("namespaces/app_requests_per_second", false),
        ("pods/http_requests_per_second", true),
        ("nodes/node_temperature_celsius", false),
    ] {
        assert!(
            listed.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} not in {listed:?}"
        );
    }
    let (_, v) = get("/apis/external.metrics.k8s.io/v1beta1".into()).await;
    assert_eq!(v["resources"][0]["name"], "queue_messages");

    // One pod, both versions.
    let (code, v) = get(
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/app_requests_per_second"
            .into(),
    )
    .await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["items"][0]["value"], "10");
    assert_eq!(v["items"][0]["describedObject"]["kind"], "Pod");
    assert_eq!(v["items"][0]["describedObject"]["namespace"], "default");
    let (_, v) = get(
        "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/web-2/app_requests_per_second"
            .into(),
    )
    .await;
    assert_eq!(v["items"][0]["metricName"], "app_requests_per_second");
    assert_eq!(v["items"][0]["value"], "20");

    // All pods of a namespace, and narrowed by the metric's labels.
    let (_, v) = get(
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/app_requests_per_second"
            .into(),
    )
    .await;
    assert_eq!(names(&v), ["web-1", "web-2"]);
    let (_, v) = get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/app_requests_per_second?metricLabelSelector=service%3Dweb".into()).await;
    assert_eq!(names(&v), ["web-1"]);
    let (_, v) = get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/app_requests_per_second?metricLabelSelector=service+in+(web,api),service!%3Dapi".into()).await;
    assert_eq!(names(&v), ["web-1"]);
    // An object labelSelector: the pods are listed from the cluster, then queried by name.
    let (code, v) = get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/app_requests_per_second?labelSelector=app%3Dweb".into()).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(names(&v), ["web-1"]);
    let (_, v) = get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/app_requests_per_second?labelSelector=app+in+(web,api)".into()).await;
    assert_eq!(names(&v), ["web-1", "web-2"]);
    let (code, v) = get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/app_requests_per_second?labelSelector=app%3Dnone".into()).await;
    assert_eq!((code, v["items"].as_array().unwrap().len()), (200, 0));
    // Without cluster access the same query is refused with a clear message.
    let no_cluster = PrometheusBackend::new(
        &prom.url,
        Duration::from_secs(5),
        Rules::parse(RULES).unwrap(),
        None,
        Duration::from_secs(1),
    )
    .unwrap();
    no_cluster.discover().await.unwrap();
    let q = alpaca_adapter::api::custom::build_query(
        "namespaces/default/pods/*/app_requests_per_second",
        &"/x?labelSelector=app%3Dweb".parse().unwrap(),
    )
    .unwrap();
    match no_cluster.custom(&q).await {
        Err(alpaca_adapter::backend::BackendError::BadRequest(m)) => {
            assert!(m.contains("cluster access"), "{m}")
        }
        other => panic!("expected BadRequest, got {other:?}"),
    }

    // The namespace itself (sum by namespace), a root-scoped node, a renamed rate.
    let (code, v) = get(
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/metrics/app_requests_per_second"
            .into(),
    )
    .await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["items"][0]["value"], "30");
    let (_, v) =
        get("/apis/custom.metrics.k8s.io/v1beta2/nodes/node-1/node_temperature_celsius".into())
            .await;
    assert_eq!(v["items"][0]["value"], "42500m");
    let (code, v) = get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests_per_second".into()).await;
    assert_eq!(code, 200, "{v}");
    let rate = milli(&v["items"][0]["value"]) / 1000.0;
    assert!((3.5..6.5).contains(&rate), "rate {rate}");

    // External metrics: per namespace, narrowed by labels.
    let ext = "/apis/external.metrics.k8s.io/v1beta1/namespaces";
    let (code, v) = get(format!(
        "{ext}/default/queue_messages?labelSelector=queue%3Dorders"
    ))
    .await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["value"], "30");
    assert_eq!(v["items"][0]["metricLabels"]["queue"], "orders");
    let (_, v) = get(format!("{ext}/default/queue_messages")).await;
    assert_eq!(v["items"][0]["value"], "34");
    let (_, v) = get(format!(
        "{ext}/other/queue_messages?labelSelector=queue%3Dorders"
    ))
    .await;
    assert_eq!(v["items"][0]["value"], "1k"); // canonical, as apimachinery prints it
    let (_, v) = get(format!("{ext}/empty/queue_messages")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 0);

    // Unknown metrics and objects.
    let (code, _) =
        get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/nope".into()).await;
    assert_eq!(code, 404);
    let (code, _) = get(
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/ghost/app_requests_per_second"
            .into(),
    )
    .await;
    assert_eq!(code, 404);
    let (code, _) = get(format!("{ext}/default/nope")).await;
    assert_eq!(code, 404);

    // Prometheus gone: 503 ServiceUnavailable, so the HPA's condition says why.
    drop(prom);
    let (code, v) = get(
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/app_requests_per_second"
            .into(),
    )
    .await;
    assert_eq!(
        (code, v["reason"].as_str()),
        (503, Some("ServiceUnavailable")),
        "{v}"
    );
    server.shutdown().await.unwrap();
}

/// `resourceRules`: cpu as a rate and memory per container for pods (a pod without memory
/// samples left out), and per node, served as `metrics.k8s.io` with the rules' window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_resource_metrics_from_resource_rules() {
    let target = serve_target().await;
    let prom = start_prometheus(target);
    let c = common::client();
    let backend = PrometheusBackend::new(
        &prom.url,
        Duration::from_secs(5),
        Rules::parse(RULES).unwrap(),
        None,
        Duration::from_secs(1),
    )
    .unwrap();
    let config = ServerConfig {
        backend: Backend::Prometheus(Arc::new(backend)),
        enable_write: false,
        ..ServerConfig::insecure_local()
    };
    let server = Server::bind(config).await.unwrap();
    let base = server.url();
    let pods = format!("{base}/apis/metrics.k8s.io/v1beta1/namespaces/default/pods");
    // Until the rate's range is covered by samples.
    let v: Value = wait_for("pod usage", Duration::from_secs(60), || {
        let (c, pods) = (c.clone(), pods.clone());
        async move {
            let v: Value = c.get(pods).send().await.ok()?.json().await.ok()?;
            let containers = v["items"][0]["containers"].as_array()?;
            // rate() over 10s is exact once the range is full of samples.
            let cpu = &containers.first()?["usage"]["cpu"];
            (containers.len() == 2 && cpu.is_string() && milli(cpu) >= 240.0).then_some(v)
        }
    })
    .await;
    assert_eq!(v["kind"], "PodMetricsList");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "cpu-only has no memory sample: {v}");
    let web = &items[0];
    assert_eq!(web["metadata"]["name"], "web-1");
    assert_eq!(web["window"], "10s");
    let app = &web["containers"][0];
    assert_eq!(app["name"], "app");
    assert!((milli(&app["usage"]["cpu"]) - 250.0).abs() <= 10.0, "{v}");
    assert_eq!(app["usage"]["memory"], "64Mi");
    let sidecar = &web["containers"][1];
    assert!((milli(&sidecar["usage"]["cpu"]) - 10.0).abs() <= 2.0, "{v}");
    assert_eq!(sidecar["usage"]["memory"], "8Mi");
    let (code, _) = common::get(
        &c,
        &base,
        "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/cpu-only",
    )
    .await;
    assert_eq!(code, 404);
    let (code, one) = common::get(
        &c,
        &base,
        "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1",
    )
    .await;
    assert_eq!(
        (code, one["kind"].as_str()),
        (200, Some("PodMetrics")),
        "{one}"
    );
    let (code, nodes) = common::get(&c, &base, "/apis/metrics.k8s.io/v1beta1/nodes").await;
    assert_eq!(code, 200, "{nodes}");
    assert_eq!(nodes["items"][0]["metadata"]["name"], "node-1");
    assert!(
        (milli(&nodes["items"][0]["usage"]["cpu"]) - 1500.0).abs() <= 50.0,
        "{nodes}"
    );
    assert_eq!(nodes["items"][0]["usage"]["memory"], "2Gi");
    // No cluster to list pods by label: refused.
    let (code, _) = common::get(
        &c,
        &base,
        "/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dweb",
    )
    .await;
    assert_eq!(code, 400);
    server.shutdown().await.unwrap();
}
