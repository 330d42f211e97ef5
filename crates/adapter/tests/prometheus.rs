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
- seriesQuery: '{__name__="widget_queue_depth",namespace!="",widget!=""}'
  resources:
    template: "<<.Resource>>"
  metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<index .GroupBySlice 0>>)'
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
- seriesQuery: '{__name__="queue_backlog",queue!=""}'
  resources:
    template: "<<.Resource>>"
  metricsQuery: 'sum(queue_messages{<<.LabelMatchers>>}) by (queue)'
  name: {as: "queue_backlog_by_queue"}
- seriesQuery: '{__name__="queue_messages",queue!=""}'
  name: {as: "queue_messages_broken"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by ('
"#;

/// The final configuration of prometheus-adapter's configuration walkthrough
/// (docs/config-walkthrough.md), unchanged.
const WALKTHROUGH: &str = r#"
rules:
- seriesQuery: 'http_requests_total{kubernetes_namespace!="",kubernetes_pod_name!=""}'
  resources:
    overrides:
      kubernetes_namespace: {resource: "namespace"}
      kubernetes_pod_name: {resource: "pod"}
  name:
    matches: "^(.*)_total"
    as: "${1}_per_second"
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
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
    start_prometheus_with(target, None)
}

/// Starts Prometheus, with `web` as its `--web.config.file` (TLS, basic auth) if given.
fn start_prometheus_with(target: SocketAddr, web: Option<&str>) -> PrometheusProcess {
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
    let mut cmd = Command::new(bin);
    if let Some(web) = web {
        let path = dir.path().join("web.yml");
        std::fs::write(&path, web).unwrap();
        cmd.arg(format!("--web.config.file={}", path.display()));
    }
    let child = cmd
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
        url: format!(
            "{}://127.0.0.1:{port}",
            if web.is_some() { "https" } else { "http" }
        ),
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
            let c2 = c / 5.0;
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
                 queue_messages{{namespace=\"other\",queue=\"orders\"}} 1000\n\
                 # TYPE queue_backlog gauge\n\
                 queue_backlog{{queue=\"orders\"}} 1\n\
                 # TYPE widget_queue_depth gauge\n\
                 widget_queue_depth{{namespace=\"default\",widget=\"w-1\"}} 7\n\
                 http_requests_total{{kubernetes_namespace=\"production\",kubernetes_pod_name=\"frontend-server-abcd-0123\",method=\"GET\"}} {c}\n\
                 http_requests_total{{kubernetes_namespace=\"production\",kubernetes_pod_name=\"frontend-server-abcd-4567\",method=\"GET\"}} {c2}\n\
                 http_requests_total{{kubernetes_namespace=\"production\",kubernetes_pod_name=\"frontend-server-abcd-4567\",method=\"POST\"}} {c2}\n"
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
    // The cluster's resources, a custom resource included, learnt through discovery.
    alpaca_adapter::discovery::start(kube.clone(), Duration::from_secs(600))
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
        ("widgets.example.com/widget_queue_depth", true),
    ] {
        assert!(
            listed.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} not in {listed:?}"
        );
    }
    let (_, v) = get("/apis/external.metrics.k8s.io/v1beta1".into()).await;
    let ext_names: Vec<&str> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(ext_names.contains(&"queue_messages"), "{v}");

    // A custom resource, resolved through discovery (kind, preferred version, singular),
    // although the stand-in also lists an aggregated group that never answers (skipped
    // after discovery's per-group timeout, not waited on forever),
    // its label given by the template and the query using .GroupBySlice.
    for path in ["widgets.example.com", "widget"] {
        let (code, v) = get(format!(
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/{path}/w-1/widget_queue_depth"
        ))
        .await;
        assert_eq!(code, 200, "{v}");
        assert_eq!(v["items"][0]["value"], "7");
        assert_eq!(v["items"][0]["describedObject"]["kind"], "Widget");
        assert_eq!(
            v["items"][0]["describedObject"]["apiVersion"],
            "example.com/v1beta1"
        );
    }

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
    // `by (<<.GroupBy>>)` is `by ()` for external metrics, as in prometheus-adapter.
    assert_eq!(v["items"][0]["metricLabels"], serde_json::json!({}));
    // One value per series the query returns, with its labels; the namespace label from
    // the rule's template.
    let (code, v) = get(format!("{ext}/default/queue_backlog_by_queue")).await;
    assert_eq!(code, 200, "{v}");
    let mut per_queue: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["metricLabels"]["queue"].as_str().unwrap().to_string(),
                i["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    per_queue.sort();
    assert_eq!(
        per_queue,
        [
            ("emails".into(), "4".into()),
            ("orders".into(), "30".into())
        ]
    );
    // A query Prometheus refuses (bad_data): 500 InternalError, as prometheus-adapter.
    let (code, v) = get(format!("{ext}/default/queue_messages_broken")).await;
    assert_eq!(
        (code, v["reason"].as_str()),
        (500, Some("InternalError")),
        "{v}"
    );
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

/// Waits until Prometheus has scraped `series` at least three times.
async fn wait_scraped(c: &reqwest::Client, prom: &PrometheusProcess, series: &str) {
    wait_for(
        "Prometheus to scrape the target",
        Duration::from_secs(60),
        || {
            let c = c.clone();
            let url = format!(
                "{}/api/v1/query?query=count_over_time({series}[1m])",
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
}

/// prometheus-adapter's configuration walkthrough, its rules file unchanged: discovery lists
/// the metric for pods and namespaces, and the per-pod rate is served for every pod.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_prometheus_adapter_walkthrough_configuration_unchanged() {
    let target = serve_target().await;
    let prom = start_prometheus(target);
    let c = common::client();
    wait_scraped(&c, &prom, "http_requests_total").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, WALKTHROUGH).unwrap();
    let backend = PrometheusBackend::new(
        &prom.url,
        Duration::from_secs(5),
        Rules::load(&path).unwrap(),
        None,
        Duration::from_secs(1),
    )
    .unwrap();
    backend.discover().await.unwrap();
    let config = ServerConfig {
        backend: Backend::Prometheus(Arc::new(backend)),
        enable_write: false,
        ..ServerConfig::insecure_local()
    };
    let server = Server::bind(config).await.unwrap();
    let base = server.url();
    let (_, v) = common::get(&c, &base, "/apis/custom.metrics.k8s.io/v1beta1").await;
    let mut listed: Vec<(String, bool)> = v["resources"]
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
    listed.sort();
    assert_eq!(
        listed,
        [
            ("namespaces/http_requests_per_second".to_string(), false),
            ("pods/http_requests_per_second".to_string(), true)
        ]
    );
    let v: Value = wait_for("both pods' rates", Duration::from_secs(30), || {
        let (c, base) = (c.clone(), base.clone());
        async move {
            let (code, v) = common::get(
                &c,
                &base,
                "/apis/custom.metrics.k8s.io/v1beta1/namespaces/production/pods/*/http_requests_per_second",
            )
            .await;
            (code == 200 && v["items"].as_array()?.len() == 2).then_some(v)
        }
    })
    .await;
    assert_eq!(
        names(&v),
        ["frontend-server-abcd-0123", "frontend-server-abcd-4567"]
    );
    // 5/s for the first pod; 1/s for each of the second's two methods, summed by pod. The
    // 2m rate is still filling up (Prometheus started seconds ago), so compare the two.
    let rate = |pod: &str| {
        let item = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["describedObject"]["name"] == pod)
            .unwrap();
        assert_eq!(item["metricName"], "http_requests_per_second");
        milli(&item["value"])
    };
    let rates = [
        rate("frontend-server-abcd-0123"),
        rate("frontend-server-abcd-4567"),
    ];
    assert!(rates[1] > 0.0, "{v}");
    let ratio = rates[0] / rates[1];
    assert!((2.2..2.8).contains(&ratio), "ratio {ratio}: {v}");
    server.shutdown().await.unwrap();
}

/// bcrypt of "test" (Prometheus' basic-auth guide), for the web config's `basic_auth_users`.
const ADMIN_TEST_BCRYPT: &str = "$2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay";

/// prometheus-adapter's connection options against a real Prometheus serving HTTPS, requiring
/// a client certificate and basic auth: the CA and client certificate files, a kubeconfig
/// carrying CA, client certificate and basic auth; and, against a recording stand-in, the
/// bearer token file, extra headers and POST.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_with_prometheus_adapter_connection_options() {
    use alpaca_adapter::backend::BackendError;
    use alpaca_adapter::backend::prometheus::client::PrometheusClient;
    use alpaca_adapter::backend::prometheus::connection::{ConnectionOptions, Verb};
    use alpaca_adapter::pki::CertificateAuthority;

    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let ca = CertificateAuthority::generate("prometheus-ca").unwrap();
    let serving = ca.issue_server(&["127.0.0.1".into()]).unwrap();
    let client_cert = ca.issue_client("adapter", &[]).unwrap();
    let ca_file = file("ca.pem", ca.cert_pem());
    let web = format!(
        "tls_server_config:\n  cert_file: {}\n  key_file: {}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {}\nbasic_auth_users:\n  admin: {ADMIN_TEST_BCRYPT}\n",
        file("serving.pem", &serving.cert_pem).display(),
        file("serving-key.pem", &serving.key_pem).display(),
        ca_file.display(),
    );
    let target = serve_target().await;
    let prom = start_prometheus_with(target, Some(&web));
    let cert_file = file("client.pem", &client_cert.cert_pem);
    let key_file = file("client-key.pem", &client_cert.key_pem);
    let kubeconfig = file(
        "auth.kubeconfig",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: p\n  cluster:\n    server: https://ignored\n    certificate-authority: ca.pem\ncontexts:\n- name: p\n  context: {cluster: p, user: u}\ncurrent-context: p\nusers:\n- name: u\n  user:\n    username: admin\n    password: test\n    client-certificate: client.pem\n    client-key: client-key.pem\n",
    );
    let timeout = Duration::from_secs(5);
    let via_kubeconfig = PrometheusClient::with_options(
        &prom.url,
        &ConnectionOptions {
            timeout,
            auth_config: Some(kubeconfig),
            ..Default::default()
        },
    )
    .unwrap();
    let v = wait_for("Prometheus over HTTPS", Duration::from_secs(60), || {
        let c = via_kubeconfig.clone();
        async move { c.query("vector(1)").await.ok() }
    })
    .await;
    assert_eq!(v[0].value, 1.0);
    // The CA and client certificate files work; without basic auth Prometheus says 401.
    let files = ConnectionOptions {
        timeout,
        ca_file: Some(ca_file.clone()),
        client_cert_file: Some(cert_file.clone()),
        client_key_file: Some(key_file.clone()),
        ..Default::default()
    };
    match PrometheusClient::with_options(&prom.url, &files)
        .unwrap()
        .query("vector(1)")
        .await
    {
        Err(BackendError::Unavailable(m)) => assert!(m.contains("401"), "{m}"),
        other => panic!("expected a 401, got {other:?}"),
    }
    // Basic auth as a header, with the certificate files: served, GET and POST alike.
    for verb in [Verb::Get, Verb::Post] {
        let c = PrometheusClient::with_options(
            &prom.url,
            &ConnectionOptions {
                headers: vec!["Authorization=Basic YWRtaW46dGVzdA==".into()],
                verb,
                ..files.clone()
            },
        )
        .unwrap();
        assert_eq!(c.query("vector(2)").await.unwrap()[0].value, 2.0);
    }
    // Without the client certificate the TLS handshake fails.
    let no_cert = PrometheusClient::with_options(
        &prom.url,
        &ConnectionOptions {
            timeout,
            ca_file: Some(ca_file),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(matches!(
        no_cert.query("vector(1)").await,
        Err(BackendError::Unavailable(_))
    ));

    // The bearer token file and extra headers, as a stand-in records them.
    use axum::{Router, routing::any};
    let seen: Arc<std::sync::Mutex<Vec<(String, axum::http::HeaderMap, String)>>> = Arc::default();
    let log = seen.clone();
    let app = Router::new().route(
        "/api/v1/query",
        any(
            move |method: axum::http::Method, headers: axum::http::HeaderMap, body: String| {
                let log = log.clone();
                async move {
                    log.lock()
                        .unwrap()
                        .push((method.to_string(), headers, body));
                    axum::Json(serde_json::json!({"status": "success", "data": {"resultType": "vector", "result": []}}))
                }
            },
        ),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stand_in = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    let c = PrometheusClient::with_options(
        &stand_in,
        &ConnectionOptions {
            timeout,
            token_file: Some(file("token", "s3cret\n")),
            headers: vec!["X-Scope-OrgID=tenant-1".into(), "X-Extra=a=b".into()],
            verb: Verb::Post,
            ..Default::default()
        },
    )
    .unwrap();
    c.query("up == 1").await.unwrap();
    let (method, headers, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(method, "POST");
    assert_eq!(headers["authorization"], "Bearer s3cret");
    assert_eq!(headers["x-scope-orgid"], "tenant-1");
    assert_eq!(headers["x-extra"], "a=b");
    assert_eq!(body, "query=up%20%3D%3D%201");
}

/// What prometheus-adapter does with object and metric selectors, against a stand-in
/// Prometheus that records the requests: `*` without a labelSelector lists the objects from
/// the cluster and queries them by name (one name `=`, several `=~`, only the listed objects
/// answered); selector values are put into the query as they are, not regex-escaped, as
/// there; discovery looks `--metrics-max-age` back; without a cluster `*` is `label!=""`.
#[tokio::test]
async fn queries_are_built_as_prometheus_adapter_builds_them() {
    use axum::extract::Query;
    use axum::{Router, routing::get};
    use std::collections::HashMap;

    type Log = Arc<std::sync::Mutex<Vec<HashMap<String, String>>>>;
    let (series_log, query_log): (Log, Log) = Default::default();
    let (sl, ql) = (series_log.clone(), query_log.clone());
    let app = Router::new()
        .route(
            "/api/v1/series",
            get(move |Query(p): Query<HashMap<String, String>>| {
                sl.lock().unwrap().push(p);
                async {
                    axum::Json(serde_json::json!({"status": "success", "data": [
                        {"__name__": "app_sessions", "namespace": "default", "pod": "web-1"}]}))
                }
            }),
        )
        .route(
            "/api/v1/query",
            get(move |Query(p): Query<HashMap<String, String>>| {
                ql.lock().unwrap().push(p);
                // web-1 is in the cluster; gone-1 is not (a regex on names may still match it).
                async {
                    axum::Json(serde_json::json!({"status": "success", "data": {"resultType": "vector", "result": [
                        {"metric": {"pod": "web-1"}, "value": [1700000000.0, "3"]},
                        {"metric": {"pod": "gone-1"}, "value": [1700000000.0, "4"]}]}}))
                }
            }),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });

    const SESSION_RULES: &str = r#"
rules:
- seriesQuery: '{__name__="app_sessions",namespace!="",pod!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
      pod: {resource: pod}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
"#;
    let api = common::fake_apiserver::start(Default::default()).await;
    let kube = alpaca_adapter::config::kube_client(Some(&api.kubeconfig))
        .await
        .unwrap();
    let backend = PrometheusBackend::new(
        &url,
        Duration::from_secs(5),
        Rules::parse(SESSION_RULES).unwrap(),
        Some(ObjectLister::new(kube)),
        Duration::from_secs(60),
    )
    .unwrap()
    .with_max_age(Duration::from_secs(1200));

    // Discovery looks --metrics-max-age back.
    backend.discover().await.unwrap();
    let start: f64 = series_log.lock().unwrap()[0]["start"].parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        (now - start - 1200.0).abs() < 30.0,
        "start {start}, now {now}"
    );

    let last_query = || query_log.lock().unwrap().last().unwrap()["query"].clone();
    // `*` without labelSelector: the namespace's pods are listed and queried by name; only
    // listed pods are answered.
    assert_eq!(session_names(&backend, "/x").await, ["web-1"]);
    assert_eq!(
        last_query(),
        r#"sum(app_sessions{namespace="default",pod=~"web-1|web-2|db-1"}) by (pod)"#
    );
    // One pod selected: an equality matcher.
    assert_eq!(
        session_names(&backend, "/x?labelSelector=app%3Dweb").await,
        ["web-1"]
    );
    assert_eq!(
        last_query(),
        r#"sum(app_sessions{namespace="default",pod="web-1"}) by (pod)"#
    );
    // Selector values go into the query as they are, not regex-escaped (label values allow
    // `.`, which PromQL then reads as any character, as with prometheus-adapter).
    session_names(
        &backend,
        "/x?labelSelector=app%3Dweb&metricLabelSelector=service+in+(w.b,api),zone%3Da.b",
    )
    .await;
    assert_eq!(
        last_query(),
        r#"sum(app_sessions{service=~"api|w.b",zone="a.b",namespace="default",pod="web-1"}) by (pod)"#
    );

    // Without a cluster, `*` without labelSelector is every object the series has.
    let no_cluster = PrometheusBackend::new(
        &url,
        Duration::from_secs(5),
        Rules::parse(SESSION_RULES).unwrap(),
        None,
        Duration::from_secs(60),
    )
    .unwrap();
    no_cluster.discover().await.unwrap();
    assert_eq!(session_names(&no_cluster, "/x").await, ["gone-1", "web-1"]);
    assert_eq!(
        last_query(),
        r#"sum(app_sessions{namespace="default",pod!=""}) by (pod)"#
    );
    // Its discovery window is the relist interval (upstream's default for the max age).
    let start: f64 = series_log.lock().unwrap().last().unwrap()["start"]
        .parse()
        .unwrap();
    assert!(
        (now - start - 60.0).abs() < 30.0,
        "start {start}, now {now}"
    );
}

/// The described objects' names (sorted) a custom query for `app_sessions` on every pod of
/// `default` answers, with the query string of `uri`.
async fn session_names(backend: &PrometheusBackend, uri: &str) -> Vec<String> {
    let q = alpaca_adapter::api::custom::build_query(
        "namespaces/default/pods/*/app_sessions",
        &uri.parse().unwrap(),
    )
    .unwrap();
    let mut names: Vec<String> = backend
        .custom(&q)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|v| v.described_object.name)
        .collect();
    names.sort();
    names
}
