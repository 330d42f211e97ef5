//! deploy/adapter.yaml, deploy/adapter-apiservices.yaml and deploy/adapter-trial.yaml: every
//! document parses into its typed Kubernetes object, the adapter arguments are accepted by
//! `AdapterArgs`, the production set-up has two replicas, a PodDisruptionBudget, seccomp and no
//! write port, the APIServices are apart (installing does not take them over), the trial has
//! the write port, and `kubectl apply --dry-run=client` takes all three.
//! kubectl needs discovery even for a client-side dry run, so the test serves a stand-in
//! discovery (core, apps, rbac, apiregistration) on loopback; `--validate=false` because the
//! stand-in publishes no OpenAPI schema.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use k8s_openapi::api::apps::v1::Deployment;
use serde_json::{Value, json};

const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/adapter.yaml");
const API_SERVICES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../deploy/adapter-apiservices.yaml"
);
const TRIAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../deploy/adapter-trial.yaml"
);
const ALL: [&str; 3] = [MANIFEST, API_SERVICES, TRIAL];

fn documents() -> Vec<serde_yaml_ng::Value> {
    documents_of(MANIFEST)
}

fn documents_of(path: &str) -> Vec<serde_yaml_ng::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .filter(|v: &serde_yaml_ng::Value| !v.is_null())
        .collect()
}

#[test]
fn documents_are_typed_objects() {
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service, ServiceAccount};
    use k8s_openapi::api::policy::v1::PodDisruptionBudget;
    use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
    use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
    let kinds_of = |path: &str| -> Vec<String> {
        let mut kinds = Vec::new();
        for doc in documents_of(path) {
            let kind = doc["kind"].as_str().unwrap().to_string();
            let v = doc.clone();
            let ok = match kind.as_str() {
                "Namespace" => serde_yaml_ng::from_value::<Namespace>(v).is_ok(),
                "ServiceAccount" => serde_yaml_ng::from_value::<ServiceAccount>(v).is_ok(),
                "ClusterRole" => serde_yaml_ng::from_value::<ClusterRole>(v).is_ok(),
                "ClusterRoleBinding" => serde_yaml_ng::from_value::<ClusterRoleBinding>(v).is_ok(),
                "RoleBinding" => serde_yaml_ng::from_value::<RoleBinding>(v).is_ok(),
                "ConfigMap" => serde_yaml_ng::from_value::<ConfigMap>(v).is_ok(),
                "Deployment" => serde_yaml_ng::from_value::<Deployment>(v).is_ok(),
                "Service" => serde_yaml_ng::from_value::<Service>(v).is_ok(),
                "APIService" => serde_yaml_ng::from_value::<APIService>(v).is_ok(),
                "PodDisruptionBudget" => {
                    serde_yaml_ng::from_value::<PodDisruptionBudget>(v).is_ok()
                }
                other => panic!("unexpected kind {other}"),
            };
            assert!(ok, "{kind} does not parse");
            kinds.push(kind);
        }
        kinds
    };
    let count = |kinds: &[String], k: &str| kinds.iter().filter(|x| *x == k).count();
    let main = kinds_of(MANIFEST);
    assert_eq!(
        count(&main, "APIService"),
        0,
        "installing takes nothing over"
    );
    assert_eq!(count(&main, "PodDisruptionBudget"), 1);
    assert_eq!(count(&kinds_of(API_SERVICES), "APIService"), 5);
    let trial = kinds_of(TRIAL);
    assert_eq!(trial, ["Deployment", "Service"]);

    // The rules example compiles.
    let cm = documents()
        .into_iter()
        .find(|d| d["kind"] == "ConfigMap")
        .unwrap();
    alpaca_adapter::backend::prometheus::rules::Rules::parse(
        cm["data"]["rules.yaml"].as_str().unwrap(),
    )
    .unwrap();
}

#[test]
fn deployment_args_are_accepted() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: alpaca_adapter::AdapterArgs,
    }
    let deployment = |path: &str| -> (Deployment, alpaca_adapter::AdapterArgs) {
        let doc = documents_of(path)
            .into_iter()
            .find(|d| d["kind"] == "Deployment")
            .unwrap();
        let d: Deployment = serde_yaml_ng::from_value(doc).unwrap();
        let pod = d.spec.clone().template.spec.unwrap();
        let runtime_default = |p: Option<&k8s_openapi::api::core::v1::SeccompProfile>| {
            p.is_some_and(|p| p.type_ == "RuntimeDefault")
        };
        assert!(runtime_default(
            pod.security_context
                .as_ref()
                .and_then(|s| s.seccomp_profile.as_ref())
        ));
        let c = &pod.containers[0];
        assert!(runtime_default(
            c.security_context
                .as_ref()
                .and_then(|s| s.seccomp_profile.as_ref())
        ));
        let args = c.args.clone().unwrap();
        assert_eq!(args[0], "adapter");
        let cli = Cli::try_parse_from(args.iter().map(String::as_str)).unwrap();
        (d, cli.args)
    };
    let service_ports = |path: &str| -> Vec<String> {
        let doc = documents_of(path)
            .into_iter()
            .find(|d| d["kind"] == "Service")
            .unwrap();
        doc["spec"]["ports"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };

    // Production: Prometheus, two replicas, delegated authorization, no write port.
    let (d, args) = deployment(MANIFEST);
    assert_eq!(d.spec.replicas, Some(2));
    assert_eq!(args.backend, alpaca_adapter::BackendKind::Prometheus);
    assert!(args.delegated_authorization && !args.enable_write);
    assert_eq!(args.write_port, None);
    assert_eq!(service_ports(MANIFEST), ["https"]);

    // The trial: memory backend, one replica, the write port.
    let (d, args) = deployment(TRIAL);
    assert_eq!(d.spec.replicas, Some(1));
    assert_eq!(args.backend, alpaca_adapter::BackendKind::Memory);
    assert!(args.enable_write && args.delegated_authorization);
    assert_eq!(args.write_port, Some(8080));
    assert_eq!(service_ports(TRIAL), ["https", "http"]);
}

fn resource(name: &str, kind: &str, namespaced: bool) -> Value {
    json!({"name": name, "singularName": kind.to_lowercase(), "namespaced": namespaced, "kind": kind,
           "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]})
}

async fn discovery_stub() -> String {
    let list = |gv: &'static str, resources: Vec<Value>| {
        let body = json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources});
        get(move || {
            let body = body.clone();
            async move { axum::Json(body) }
        })
    };
    let group = |name: &str| {
        json!({"name": name, "versions": [{"groupVersion": format!("{name}/v1"), "version": "v1"}],
                                    "preferredVersion": {"groupVersion": format!("{name}/v1"), "version": "v1"}})
    };
    let groups = json!({"kind": "APIGroupList", "apiVersion": "v1",
        "groups": [group("apps"), group("rbac.authorization.k8s.io"), group("apiregistration.k8s.io"), group("policy")]});
    let app = Router::new()
        .route("/api", get(|| async { axum::Json(json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})) }))
        .route(
            "/api/v1",
            list(
                "v1",
                vec![
                    resource("namespaces", "Namespace", false),
                    resource("serviceaccounts", "ServiceAccount", true),
                    resource("configmaps", "ConfigMap", true),
                    resource("services", "Service", true),
                ],
            ),
        )
        .route("/apis", get(move || { let g = groups.clone(); async move { axum::Json(g) } }))
        .route("/apis/apps/v1", list("apps/v1", vec![resource("deployments", "Deployment", true)]))
        .route(
            "/apis/rbac.authorization.k8s.io/v1",
            list(
                "rbac.authorization.k8s.io/v1",
                vec![
                    resource("clusterroles", "ClusterRole", false),
                    resource("clusterrolebindings", "ClusterRoleBinding", false),
                    resource("roles", "Role", true),
                    resource("rolebindings", "RoleBinding", true),
                ],
            ),
        )
        .route("/apis/policy/v1", list("policy/v1", vec![resource("poddisruptionbudgets", "PodDisruptionBudget", true)]))
        .route("/apis/apiregistration.k8s.io/v1", list("apiregistration.k8s.io/v1", vec![resource("apiservices", "APIService", false)]))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"})),
            )
        });
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    url
}

#[tokio::test]
async fn kubectl_dry_run_accepts_the_manifest() {
    let server = discovery_stub().await;
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n"),
    )
    .unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc)
            .args(["apply", "--dry-run=client", "--validate=false"])
            .args(ALL.iter().flat_map(|f| ["-f", f]))
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("kubectl timed out")
    .expect("kubectl runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let applied = stdout.lines().filter(|l| l.ends_with("(dry run)")).count();
    let documents: usize = ALL.iter().map(|f| documents_of(f).len()).sum();
    assert_eq!(applied, documents, "{stdout}");
    assert!(
        stdout.contains(
            "apiservice.apiregistration.k8s.io/v1beta2.custom.metrics.k8s.io created (dry run)"
        ),
        "{stdout}"
    );
}
