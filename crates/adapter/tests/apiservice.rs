//! `check-apiservice` against a stand-in API server: free and already-ours APIServices pass,
//! one served by another adapter (KEDA here) is refused with its service named, unless taking
//! over is allowed.

mod common;

use alpaca_adapter::apiservice::{API_SERVICES, Owner, check};
use serde_json::json;

fn api_service(name: &str, ns: &str, svc: &str) -> serde_json::Value {
    let (version, group) = name.split_once('.').unwrap();
    json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
        "metadata": {"name": name},
        "spec": {"group": group, "version": version, "groupPriorityMinimum": 100, "versionPriority": 100,
                 "service": {"namespace": ns, "name": svc, "port": 443}}})
}

#[tokio::test]
async fn another_adapters_apiservice_is_not_taken_over_silently() {
    let api = common::fake_apiserver::start(Default::default()).await;
    let client = alpaca_adapter::config::kube_client(Some(&api.kubeconfig))
        .await
        .unwrap();
    let names: Vec<String> = API_SERVICES.map(String::from).to_vec();
    let ours = "custom-metrics/alpaca-adapter".parse().unwrap();

    // Nothing registered yet.
    let found = check(client.clone(), &names, &ours, false).await.unwrap();
    assert!(found.iter().all(|(_, o)| *o == Owner::Absent));

    // Ours already: fine (re-installing, upgrading).
    api.apiservices.lock().unwrap().insert(
        "v1beta2.custom.metrics.k8s.io".into(),
        api_service(
            "v1beta2.custom.metrics.k8s.io",
            "custom-metrics",
            "alpaca-adapter",
        ),
    );
    assert!(check(client.clone(), &names, &ours, false).await.is_ok());

    // KEDA serves external metrics: refused, named.
    api.apiservices.lock().unwrap().insert(
        "v1beta1.external.metrics.k8s.io".into(),
        api_service(
            "v1beta1.external.metrics.k8s.io",
            "keda",
            "keda-operator-metrics-apiserver",
        ),
    );
    let err = check(client.clone(), &names, &ours, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("v1beta1.external.metrics.k8s.io")
            && err.contains("keda/keda-operator-metrics-apiserver")
            && err.contains("--allow-takeover"),
        "{err}"
    );
    // Unless allowed, or unless only the custom metrics APIs are installed.
    assert!(check(client.clone(), &names, &ours, true).await.is_ok());
    let custom_only: Vec<String> = names
        .iter()
        .filter(|n| n.contains("custom"))
        .cloned()
        .collect();
    assert!(
        check(client.clone(), &custom_only, &ours, false)
            .await
            .is_ok()
    );

    // metrics-server serves metrics.k8s.io: refused too, named.
    api.apiservices.lock().unwrap().insert(
        "v1beta1.metrics.k8s.io".into(),
        api_service("v1beta1.metrics.k8s.io", "kube-system", "metrics-server"),
    );
    let err = check(
        client.clone(),
        &custom_only_and_resource(&names),
        &ours,
        false,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("v1beta1.metrics.k8s.io") && err.contains("kube-system/metrics-server"),
        "{err}"
    );
}

fn custom_only_and_resource(names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter(|n| n.contains("custom") || n.as_str() == "v1beta1.metrics.k8s.io")
        .cloned()
        .collect()
}
