//! deploy/adapter.yaml: every document parses into its typed Kubernetes object, the adapter
//! arguments in it are accepted by `AdapterArgs`, and `kubectl apply --dry-run=client` takes it.
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

fn documents() -> Vec<serde_yaml_ng::Value> {
    let text = std::fs::read_to_string(MANIFEST).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .filter(|v: &serde_yaml_ng::Value| !v.is_null())
        .collect()
}

#[test]
fn documents_are_typed_objects() {
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service, ServiceAccount};
    use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
    use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
    let mut kinds = Vec::new();
    for doc in documents() {
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
            other => panic!("unexpected kind {other}"),
        };
        assert!(ok, "{kind} does not parse");
        kinds.push(kind);
    }
    let api_services = kinds.iter().filter(|k| *k == "APIService").count();
    assert_eq!(api_services, 3);

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
    let doc = documents()
        .into_iter()
        .find(|d| d["kind"] == "Deployment")
        .unwrap();
    let d: Deployment = serde_yaml_ng::from_value(doc).unwrap();
    let c = &d.spec.template.spec.unwrap().containers[0];
    let args = c.args.clone().unwrap();
    assert_eq!(args[0], "adapter");
    let cli = Cli::try_parse_from(args.iter().map(String::as_str)).unwrap();
    assert!(cli.args.enable_write && cli.args.delegated_authorization);
    assert_eq!(cli.args.write_port, Some(8080));
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
        "groups": [group("apps"), group("rbac.authorization.k8s.io"), group("apiregistration.k8s.io")]});
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
            .args([
                "apply",
                "--dry-run=client",
                "--validate=false",
                "-f",
                MANIFEST,
            ])
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
    let created = stdout
        .lines()
        .filter(|l| l.ends_with("created (dry run)"))
        .count();
    assert_eq!(created, documents().len(), "{stdout}");
    assert!(
        stdout.contains(
            "apiservice.apiregistration.k8s.io/v1beta2.custom.metrics.k8s.io created (dry run)"
        ),
        "{stdout}"
    );
}
