//! The adapter behind the real aggregation layer (kube-apiserver 1.24), registered the way
//! `deploy/adapter-apiservices.yaml` registers it, with authentication and authorization
//! delegated to the real API server: discovery of every group-version through the
//! aggregator, the custom-metrics tutorial's `write-metrics` trial end to end with
//! **kube-controller-manager's own HPA controller** scaling a Deployment up and down on
//! `test-metric` (an Object metric, 300m target) and on an External metric, and a
//! front-proxy user without RBAC for the metrics refused by the adapter's
//! SubjectAccessReview.

mod common;

use std::process::Command;
use std::time::Duration;

use alpaca_testenv::{EnvOptions, TestEnv, eventually};
use clap::Parser;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: alpaca_adapter::AdapterArgs,
}

fn env(test: &str) -> Option<&'static TestEnv> {
    TestEnv::shared(test, || {
        EnvOptions::cluster(
            true,
            &[
                "--horizontal-pod-autoscaler-sync-period=2s",
                "--horizontal-pod-autoscaler-downscale-stabilization=5s",
            ],
            &[],
        )
    })
}

async fn raw(client: &kube::Client, path: &str) -> Result<Value, kube::Error> {
    client
        .request::<Value>(http::Request::get(path).body(Vec::new()).unwrap())
        .await
}

/// The adapter as `deploy/adapter.yaml` runs it (memory backend, writes on, delegated
/// authentication and authorization through the kubeconfig's API server), serving on the
/// network namespace's host address with a certificate for its Service.
async fn start_adapter(env: &TestEnv, dir: &std::path::Path) -> alpaca_adapter::Server {
    let plane = env.plane();
    let host = plane.netns().expect("a network namespace").host;
    let cert = plane
        .serving_ca()
        .server(&["alpaca-adapter.custom-metrics.svc"], &[])
        .unwrap();
    std::fs::write(dir.join("tls.crt"), &cert.cert).unwrap();
    std::fs::write(dir.join("tls.key"), &cert.key).unwrap();
    let cli = Cli::try_parse_from([
        "adapter".to_string(),
        "--secure-port=0".into(),
        format!("--bind-address={host}"),
        format!("--tls-cert-file={}", dir.join("tls.crt").display()),
        format!("--tls-private-key-file={}", dir.join("tls.key").display()),
        format!("--kubeconfig={}", plane.kubeconfig_path().display()),
        format!(
            "--authentication-kubeconfig={}",
            plane.kubeconfig_path().display()
        ),
        format!(
            "--authorization-kubeconfig={}",
            plane.kubeconfig_path().display()
        ),
        "--enable-write".into(),
        "--write-port=0".into(),
    ])
    .unwrap();
    alpaca_adapter::tls::install_crypto_provider();
    alpaca_adapter::Server::bind(
        alpaca_adapter::ServerConfig::from_args(&cli.args)
            .await
            .expect("the adapter's configuration (the authentication ConfigMap is read)"),
    )
    .await
    .expect("the adapter serves")
}

/// `deploy/adapter-apiservices.yaml` applied for real, with the Service and Endpoints the
/// adapter's Deployment would have (its pod is this process).
async fn register(env: &TestEnv, client: &kube::Client, adapter: &alpaca_adapter::Server) {
    // metrics.k8s.io is left to `resource_metrics_behind_the_real_aggregator`'s own adapter.
    register_as(
        env,
        client,
        adapter,
        "alpaca-adapter",
        "alpaca.dev/api!=resource-metrics",
    )
    .await;
}

/// Registers the manifest's APIServices selected by `selector` (a label selector over the
/// documents), pointing at a Service `service` in front of `adapter`.
async fn register_as(
    env: &TestEnv,
    client: &kube::Client,
    adapter: &alpaca_adapter::Server,
    service: &str,
    selector: &str,
) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace =
        serde_json::from_value(json!({"metadata": {"name": "custom-metrics"}})).unwrap();
    let _ = namespaces.create(&PostParams::default(), &ns).await;
    let addr = adapter.addr();
    let pp = PatchParams::apply("test").force();
    let svc = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": service, "namespace": "custom-metrics"},
        "spec": {"ports": [{"name": "https", "port": 443, "targetPort": addr.port()}]}});
    Api::<k8s_openapi::api::core::v1::Service>::namespaced(client.clone(), "custom-metrics")
        .patch(service, &pp, &Patch::Apply(svc))
        .await
        .unwrap();
    let eps = json!({"apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": service, "namespace": "custom-metrics"},
        "subsets": [{"addresses": [{"ip": addr.ip().to_string()}],
                     "ports": [{"name": "https", "port": addr.port()}]}]});
    Api::<k8s_openapi::api::core::v1::Endpoints>::namespaced(client.clone(), "custom-metrics")
        .patch(service, &pp, &Patch::Apply(eps))
        .await
        .unwrap();
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy/adapter-apiservices.yaml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("name: alpaca-adapter\n", &format!("name: {service}\n"));
    let mut child = Command::new("kubectl")
        .arg(format!(
            "--kubeconfig={}",
            env.plane().kubeconfig_path().display()
        ))
        .args(["apply", "-f", "-", "-l", selector])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().expect("kubectl");
    assert!(
        out.status.success(),
        "kubectl apply: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn write(adapter: &alpaca_adapter::Server, path: &str, value: &str) {
    let base = format!("http://{}", adapter.write_addr().expect("a write port"));
    assert_eq!(
        common::write(&common::client(), &base, path, value).await,
        200,
        "POST {path}"
    );
}

async fn replicas(client: &kube::Client, ns: &str, name: &str) -> i32 {
    Api::<Deployment>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .ok()
        .and_then(|d| d.spec.replicas)
        .unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_the_real_aggregator_with_kube_controller_managers_hpa() {
    let Some(env) = env("behind_the_real_aggregator_with_kube_controller_managers_hpa") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = env.client().await;
    let adapter = start_adapter(env, dir.path()).await;
    register(env, &client, &adapter).await;

    // discovery of every group-version, through the aggregator
    eventually("the three APIServices are served", 60, || async {
        raw(&client, "/apis/custom.metrics.k8s.io/v1beta2")
            .await
            .is_ok()
            && raw(&client, "/apis/custom.metrics.k8s.io/v1beta1")
                .await
                .is_ok()
            && raw(&client, "/apis/external.metrics.k8s.io/v1beta1")
                .await
                .is_ok()
    })
    .await;
    let groups = raw(&client, "/apis").await.unwrap();
    for group in ["custom.metrics.k8s.io", "external.metrics.k8s.io"] {
        assert!(
            groups["groups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["name"] == group),
            "{group} in /apis"
        );
    }

    // the tutorial: a Deployment, and an HPA on test-metric of Service "kubernetes"
    let ns = env.namespace("adapter").await;
    let pp = PatchParams::apply("test").force();
    for name in ["sample-app", "queue-worker"] {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}});
        Api::<Deployment>::namespaced(client.clone(), &ns)
            .patch(name, &pp, &Patch::Apply(d))
            .await
            .unwrap();
    }
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubernetes"},
        "spec": {"ports": [{"port": 443}]}});
    Api::<k8s_openapi::api::core::v1::Service>::namespaced(client.clone(), &ns)
        .patch("kubernetes", &pp, &Patch::Apply(svc))
        .await
        .unwrap();
    let hpas = json!([
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "sample-app"},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "sample-app"},
                  "minReplicas": 1, "maxReplicas": 10,
                  "metrics": [{"type": "Object", "object": {
                      "describedObject": {"apiVersion": "v1", "kind": "Service", "name": "kubernetes"},
                      "metric": {"name": "test-metric"},
                      "target": {"type": "Value", "value": "300m"}}}]}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "queue-worker"},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "queue-worker"},
                  "minReplicas": 1, "maxReplicas": 10,
                  "metrics": [{"type": "External", "external": {
                      "metric": {"name": "queue_depth", "selector": {"matchLabels": {"queue": "jobs"}}},
                      "target": {"type": "AverageValue", "averageValue": "30"}}}]}}
    ]);
    for h in hpas.as_array().unwrap() {
        let name = h["metadata"]["name"].as_str().unwrap();
        Api::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>::namespaced(
            client.clone(),
            &ns,
        )
        .patch(name, &pp, &Patch::Apply(h))
        .await
        .unwrap();
    }

    // 400m written → read back through the aggregator → kube-controller-manager scales up
    write(
        &adapter,
        &format!("/write-metrics/namespaces/{ns}/services/kubernetes/test-metric"),
        "\"400m\"",
    )
    .await;
    let value = raw(
        &client,
        &format!(
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/{ns}/services/kubernetes/test-metric"
        ),
    )
    .await
    .unwrap();
    assert_eq!(value["items"][0]["value"], "400m", "{value}");
    let unknown = raw(
        &client,
        &format!(
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/{ns}/services/kubernetes/no-such-metric"
        ),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&unknown, kube::Error::Api(s) if s.code == 404),
        "{unknown:?}"
    );
    write(
        &adapter,
        &format!("/write-external-metrics/namespaces/{ns}/queue_depth?labels=queue=jobs"),
        "\"90\"",
    )
    .await;
    eventually(
        "kube-controller-manager scales sample-app up (400m > 300m)",
        60,
        || async { replicas(&client, &ns, "sample-app").await >= 2 },
    )
    .await;
    eventually("…and queue-worker to 3 (90 / 30)", 60, || async {
        replicas(&client, &ns, "queue-worker").await == 3
    })
    .await;
    // 100m → scales down (stabilization shortened to 5 s)
    write(
        &adapter,
        &format!("/write-metrics/namespaces/{ns}/services/kubernetes/test-metric"),
        "\"100m\"",
    )
    .await;
    eventually(
        "kube-controller-manager scales sample-app down (100m < 300m)",
        60,
        || async { replicas(&client, &ns, "sample-app").await == 1 },
    )
    .await;

    // delegated authorization: the aggregator's front-proxy identity with a user the API
    // server's RBAC does not allow is refused by the adapter (SubjectAccessReview)
    let plane = env.plane();
    let proxy_cert = std::fs::read_to_string(plane.dir().join("front-proxy-client.crt")).unwrap();
    let proxy_key = std::fs::read_to_string(plane.dir().join("front-proxy-client.key")).unwrap();
    let ca = reqwest::Certificate::from_pem(plane.serving_ca().cert_pem().as_bytes()).unwrap();
    let https = reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve("alpaca-adapter.custom-metrics.svc", adapter.addr())
        .identity(
            reqwest::Identity::from_pem(format!("{proxy_cert}{proxy_key}").as_bytes()).unwrap(),
        )
        .build()
        .unwrap();
    let url = format!(
        "https://alpaca-adapter.custom-metrics.svc:{}/apis/custom.metrics.k8s.io/v1beta2/namespaces/{ns}/services/kubernetes/test-metric",
        adapter.addr().port()
    );
    let as_user = |user: &'static str, group: &'static str| {
        https
            .get(&url)
            .header("X-Remote-User", user)
            .header("X-Remote-Group", group)
            .send()
    };
    let denied = as_user("mallory", "nobody-group").await.unwrap();
    assert_eq!(
        denied.status().as_u16(),
        403,
        "a user without RBAC is refused"
    );
    let body: Value = denied.json().await.unwrap();
    assert_eq!(body["kind"], "Status", "{body}");
    let allowed = as_user("admin", "system:masters").await.unwrap();
    assert_eq!(
        allowed.status().as_u16(),
        200,
        "a system:masters user is allowed"
    );
    adapter.shutdown().await.unwrap();
}

/// `kubectl top pods` through the aggregator.
fn kubectl_top(env: &TestEnv, ns: &str) -> (bool, String) {
    let out = Command::new("kubectl")
        .arg(format!(
            "--kubeconfig={}",
            env.plane().kubeconfig_path().display()
        ))
        .args(["top", "pods", "-n", ns])
        .output()
        .expect("kubectl");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Writes 400m of CPU and 64Mi of memory for every pod of `app` (timestamped now, 1s window).
async fn write_usage(
    client: &kube::Client,
    adapter: &alpaca_adapter::Server,
    ns: &str,
    app: &str,
) -> Vec<String> {
    let pods = Api::<k8s_openapi::api::core::v1::Pod>::namespaced(client.clone(), ns)
        .list(&kube::api::ListParams::default().labels(&format!("app={app}")))
        .await
        .unwrap();
    let body = json!({"containers": [{"name": "app", "usage": {"cpu": "400m", "memory": "64Mi"}}],
                      "window": "1s"})
    .to_string();
    let mut names = Vec::new();
    for p in pods.items {
        let name = p.metadata.name.unwrap_or_default();
        write(
            adapter,
            &format!("/write-resource-metrics/namespaces/{ns}/pods/{name}"),
            &body,
        )
        .await;
        names.push(name);
    }
    names
}

/// metrics.k8s.io served by the adapter instead of metrics-server: the manifest's
/// `v1.metrics.k8s.io` and `v1beta1.metrics.k8s.io` applied (pointing at this test's own
/// adapter), pod usage written for a Deployment's pods and read through both versions,
/// `kubectl top pods` showing it, and kube-controller-manager's HPA
/// scaling on a Resource cpu Utilization target from it (400m against a 200m request, 50%).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_metrics_behind_the_real_aggregator() {
    let Some(env) = env("resource_metrics_behind_the_real_aggregator") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = env.client().await;
    let adapter = start_adapter(env, dir.path()).await;
    register_as(
        env,
        &client,
        &adapter,
        "alpaca-adapter-resource",
        "alpaca.dev/api=resource-metrics",
    )
    .await;
    eventually("metrics.k8s.io/v1beta1 is served", 60, || async {
        raw(&client, "/apis/metrics.k8s.io/v1beta1").await.is_ok()
    })
    .await;
    let rl = raw(&client, "/apis/metrics.k8s.io/v1beta1").await.unwrap();
    assert_eq!(rl["resources"].as_array().map(Vec::len), Some(2), "{rl}");

    let ns = env.namespace("resource").await;
    let pp = PatchParams::apply("test").force();
    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "app", "image": "nginx",
                                  "resources": {"requests": {"cpu": "200m", "memory": "64Mi"}}}]}}}});
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .patch("web", &pp, &Patch::Apply(d))
        .await
        .unwrap();
    let pods = Api::<k8s_openapi::api::core::v1::Pod>::namespaced(client.clone(), &ns);
    eventually("the Deployment's pod is Ready", 60, || async {
        pods.list(&Default::default()).await.is_ok_and(|l| {
            l.items.iter().any(|p| {
                p.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            })
        })
    })
    .await;
    // After the pod's readiness plus a window, so the HPA does not count it as initializing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let names = write_usage(&client, &adapter, &ns, "web").await;
    assert_eq!(names.len(), 1, "{names:?}");

    // Through the aggregator, with the pod's labels from the cluster.
    let list = raw(
        &client,
        &format!("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods?labelSelector=app%3Dweb"),
    )
    .await
    .unwrap();
    assert_eq!(
        list["items"][0]["metadata"]["name"],
        names[0].as_str(),
        "{list}"
    );
    assert_eq!(
        list["items"][0]["metadata"]["labels"]["app"], "web",
        "{list}"
    );
    assert_eq!(
        list["items"][0]["containers"][0]["usage"]["cpu"], "400m",
        "{list}"
    );
    // The same through metrics.k8s.io/v1 (the manifest registers both versions).
    eventually("metrics.k8s.io/v1 is served", 60, || async {
        raw(&client, "/apis/metrics.k8s.io/v1").await.is_ok()
    })
    .await;
    let v1 = raw(
        &client,
        &format!("/apis/metrics.k8s.io/v1/namespaces/{ns}/pods?labelSelector=app%3Dweb"),
    )
    .await
    .unwrap();
    assert_eq!(v1["apiVersion"], "metrics.k8s.io/v1", "{v1}");
    assert_eq!(
        v1["items"][0]["metadata"]["name"],
        names[0].as_str(),
        "{v1}"
    );
    assert_eq!(
        v1["items"][0]["containers"][0]["usage"]["cpu"], "400m",
        "{v1}"
    );
    let group = raw(&client, "/apis/metrics.k8s.io").await.unwrap();
    assert_eq!(
        group["preferredVersion"]["version"], "v1",
        "the aggregator prefers v1 (versionPriority): {group}"
    );
    let missing = raw(
        &client,
        &format!("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods/no-such-pod"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&missing, kube::Error::Api(s) if s.code == 404),
        "{missing:?}"
    );

    // kubectl top pods
    let (ok, out) = kubectl_top(env, &ns);
    assert!(ok, "kubectl top pods: {out}");
    let line = out
        .lines()
        .find(|l| l.starts_with(names[0].as_str()))
        .unwrap_or_else(|| panic!("{} in kubectl top: {out}", names[0]));
    assert!(line.contains("400m") && line.contains("64Mi"), "{out}");

    // kube-controller-manager's HPA on Resource cpu: 400m / 200m = 200% against 50% → up
    let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "minReplicas": 1, "maxReplicas": 4,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                     "target": {"type": "Utilization", "averageUtilization": 50}}}]}});
    Api::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>::namespaced(
        client.clone(),
        &ns,
    )
    .patch("web", &pp, &Patch::Apply(hpa))
    .await
    .unwrap();
    eventually(
        "kube-controller-manager scales web up on Resource cpu (200% > 50%)",
        90,
        || async {
            write_usage(&client, &adapter, &ns, "web").await;
            replicas(&client, &ns, "web").await >= 2
        },
    )
    .await;
    adapter.shutdown().await.unwrap();
}

/// The cluster's own `kube-system/extension-apiserver-authentication` ConfigMap, watched on
/// the real API server: a second front proxy (its CA and its name) added to it by hand is
/// trusted without a restart, well before the periodic re-read (1 minute). kube-apiserver
/// keeps such additions: it merges its own values into what the ConfigMap holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clusters_authentication_configmap_is_watched() {
    let Some(env) = env("the_clusters_authentication_configmap_is_watched") else {
        return;
    };
    let client = env.client().await;
    let dir = tempfile::tempdir().unwrap();
    let adapter = start_adapter(env, dir.path()).await;
    let second =
        alpaca_adapter::pki::CertificateAuthority::generate("second-front-proxy-ca").unwrap();
    let proxy = second.issue_client("second-proxy", &[]).unwrap();
    let host = "alpaca-adapter.custom-metrics.svc";
    let https = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(
            env.plane().serving_ca().cert_pem().as_bytes(),
        )
        .unwrap()])
        .identity(
            reqwest::Identity::from_pem(format!("{}{}", proxy.cert_pem, proxy.key_pem).as_bytes())
                .unwrap(),
        )
        .resolve(host, adapter.addr())
        .build()
        .unwrap();
    let url = format!("https://{host}:{}/apis", adapter.addr().port());
    let status = || {
        let (https, url) = (https.clone(), url.clone());
        async move {
            https
                .get(url)
                .header("X-Remote-User", "alice")
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    assert_eq!(status().await, 401, "an unknown front proxy");

    let configmaps: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(client.clone(), "kube-system");
    let mut cm = configmaps
        .get("extension-apiserver-authentication")
        .await
        .unwrap();
    let data = cm.data.get_or_insert_with(Default::default);
    let bundle = data
        .entry("requestheader-client-ca-file".into())
        .or_default();
    // (a bundle without a final newline would glue the two PEM blocks into one bad one,
    // and the aggregator's own front-proxy certificate would stop being trusted)
    if !bundle.is_empty() && !bundle.ends_with('\n') {
        bundle.push('\n');
    }
    bundle.push_str(second.cert_pem());
    let names = data
        .entry("requestheader-allowed-names".into())
        .or_insert_with(|| "[]".into());
    let mut list: Vec<String> = serde_json::from_str(names).unwrap();
    list.push("second-proxy".into());
    *names = serde_json::to_string(&list).unwrap();
    configmaps
        .replace(
            "extension-apiserver-authentication",
            &PostParams::default(),
            &cm,
        )
        .await
        .unwrap();
    eventually(
        "the second front proxy is trusted (alice, authenticated, may GET /apis)",
        20,
        || async { status().await == 200 },
    )
    .await;
    // kube-apiserver's own controller has seen the change too, and kept the addition
    let kept = configmaps
        .get("extension-apiserver-authentication")
        .await
        .unwrap();
    let names = &kept.data.unwrap_or_default()["requestheader-allowed-names"];
    assert!(names.contains("second-proxy"), "{names}");
}
