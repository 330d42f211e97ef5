//! deploy/controller.yaml's RBAC at work: its Namespace, ServiceAccount, ClusterRole,
//! Role and bindings applied for real, and a controller whose kubeconfig impersonates the
//! ServiceAccount (through a fault proxy that passes the impersonation headers on). It
//! scales, writes status, events, its memory and its Lease in alpaca-system, and not one
//! of its requests is refused; the impersonation is real (a read the rules do not grant is
//! refused with the same kubeconfig).

use std::path::PathBuf;

use alpaca_controller::ControllerArgs;
use alpaca_controller::memory::ANNOTATION;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use serde::Deserialize;
use serde_json::Value;

use crate::manifests::{apply, deploy};
use crate::support::*;

const SERVICE_ACCOUNT: &str = "system:serviceaccount:alpaca-system:alpaca-controller";

/// Writes deploy/controller.yaml's Namespace and RBAC objects (not the Deployment nor the
/// PodDisruptionBudget) to a file of their own and applies it.
async fn apply_rbac(ns: &Ns) -> Option<()> {
    let text = std::fs::read_to_string(deploy("controller.yaml")).unwrap();
    let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).unwrap())
        .filter(|d| {
            matches!(
                d["kind"].as_str(),
                Some(
                    "Namespace"
                        | "ServiceAccount"
                        | "ClusterRole"
                        | "ClusterRoleBinding"
                        | "Role"
                        | "RoleBinding"
                )
            )
        })
        .collect();
    assert_eq!(docs.len(), 6, "the RBAC objects of deploy/controller.yaml");
    let file = ns.env.plane().dir().join(format!("rbac-{}.yaml", ns.name));
    let yaml: Vec<String> = docs
        .iter()
        .map(|d| serde_yaml_ng::to_string(d).unwrap())
        .collect();
    std::fs::write(&file, yaml.join("---\n")).unwrap();
    apply(ns, &[file.to_str().unwrap()]).await.map(|_| ())
}

/// A copy of `kubeconfig` whose user impersonates the controller's ServiceAccount.
fn impersonating(kubeconfig: &std::path::Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(kubeconfig).unwrap();
    let mut config: Value = serde_yaml_ng::from_str(&text).unwrap();
    let user = &mut config["users"][0]["user"];
    user["as"] = SERVICE_ACCOUNT.into();
    user["as-groups"] = serde_json::json!([
        "system:serviceaccounts",
        "system:serviceaccounts:alpaca-system",
        "system:authenticated"
    ]);
    let path = kubeconfig.with_file_name(format!("kubeconfig-{name}-as-sa"));
    std::fs::write(&path, serde_yaml_ng::to_string(&config).unwrap()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_controller_runs_on_its_service_accounts_rules_alone() {
    let Some(ns) = Ns::new("rbac_service_account").await else {
        return;
    };
    if apply_rbac(&ns).await.is_none() {
        return;
    }
    ns.workload("web", 2, 200).await;
    ns.hpa("web", serde_json::json!({})).await;
    let proxy = ns.env.proxy(&format!("rbac-{}", ns.name)).await;
    let kubeconfig = impersonating(proxy.kubeconfig(), &ns.name);

    // the impersonation is in force: a read the rules do not grant is refused
    let as_sa = alpaca_controller::client(Some(&kubeconfig)).await.unwrap();
    let secrets: Api<Secret> = Api::namespaced(as_sa, &ns.name);
    match secrets.list(&Default::default()).await {
        Err(kube::Error::Api(e)) => assert_eq!(e.code, 403, "{e:?}"),
        other => panic!("listing secrets as the ServiceAccount: {other:?}"),
    }
    proxy.clear_requests();

    let lease_name = format!("alpaca-{}", ns.name);
    let running = start(
        &kubeconfig,
        ControllerArgs {
            leader_elect: true,
            leader_elect_resource_name: lease_name.clone(),
            leader_elect_resource_namespace: Some("alpaca-system".into()),
            leader_elect_identity: Some("rbac-test".into()),
            ..ns.args()
        },
    )
    .await;
    eventually("the scale is written", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    eventually("SuccessfulRescale is recorded", 30, || async {
        ns.has_event("web", "SuccessfulRescale").await
    })
    .await;
    eventually("the memory is persisted", 30, || async {
        ns.hpa_object("web")
            .await
            .and_then(|h| h.metadata.annotations)
            .is_some_and(|a| a.contains_key(ANNOTATION))
    })
    .await;
    eventually("the status says 4 desired", 30, || async {
        ns.hpa_object("web")
            .await
            .and_then(|h| h.status)
            .is_some_and(|s| s.desired_replicas == 4)
    })
    .await;
    let leases: Api<Lease> = Api::namespaced(ns.client.clone(), "alpaca-system");
    let lease = leases.get(&lease_name).await.expect("the Lease");
    assert_eq!(
        lease.spec.and_then(|s| s.holder_identity).as_deref(),
        Some("rbac-test")
    );
    running.stop().await.expect("a clean stop");

    let log = proxy.requests();
    let refused: Vec<String> = log
        .iter()
        .filter(|r| r.status == 401 || r.status == 403)
        .map(|r| r.line())
        .collect();
    assert!(refused.is_empty(), "refused: {refused:#?}");
    let ok = |method: &str, resource: &str, sub: Option<&str>| {
        log.iter().any(|r| {
            r.method == method
                && r.info.resource.as_deref() == Some(resource)
                && r.info.subresource.as_deref() == sub
                && (200..300).contains(&r.status)
        })
    };
    for (method, resource, sub) in [
        ("PUT", "deployments", Some("scale")),
        ("PUT", "horizontalpodautoscalers", Some("status")),
        ("PATCH", "horizontalpodautoscalers", None),
        ("POST", "events", None),
        ("PATCH", "leases", None),
        ("POST", "leases", None),
    ] {
        assert!(
            ok(method, resource, sub),
            "{method} {resource}/{sub:?} went through: {:#?}",
            log.iter().map(|r| r.line()).collect::<Vec<_>>()
        );
    }
}
