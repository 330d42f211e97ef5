//! `metrics.k8s.io` (`v1beta1` and `v1`) over plain HTTP with the memory backend: discovery of
//! both versions, pods per namespace and across namespaces with `labelSelector` and
//! `fieldSelector`, one pod, nodes, the same answers at `v1` labelled `metrics.k8s.io/v1`, a
//! 404 `Status` for an unknown pod or version, and bad writes refused.

mod common;

use common::{client, get, start_insecure, write};
use serde_json::json;

const RM: &str = "/apis/metrics.k8s.io/v1beta1";

#[tokio::test]
async fn discovery_lists_pods_and_nodes() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    let (code, v) = get(&c, &base, "/apis/metrics.k8s.io").await;
    assert_eq!(code, 200, "{v}");
    // Both versions, GA preferred (the controller reads v1 when discovery lists it).
    assert_eq!(v["preferredVersion"]["groupVersion"], "metrics.k8s.io/v1");
    assert_eq!(
        v["versions"],
        json!([
            {"groupVersion": "metrics.k8s.io/v1", "version": "v1"},
            {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"},
        ])
    );
    let (_, groups) = get(&c, &base, "/apis").await;
    let listed = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "metrics.k8s.io")
        .cloned();
    assert_eq!(listed, Some(v), "{groups}");
    for gv in ["metrics.k8s.io/v1beta1", "metrics.k8s.io/v1"] {
        let (code, v) = get(&c, &base, &format!("/apis/{gv}")).await;
        assert_eq!(code, 200, "{v}");
        assert_eq!(v["groupVersion"], gv);
        assert_eq!(
            v["resources"],
            json!([
                {"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics", "verbs": ["get", "list"]},
                {"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]},
            ])
        );
    }
}

/// `v1` serves what `v1beta1` serves, labelled with its own version.
#[tokio::test]
async fn v1_serves_the_same_usage_as_v1beta1() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    let body = json!({"containers": [{"name": "app", "usage": {"cpu": "250m", "memory": "64Mi"}}],
        "window": "15s"});
    let path = "/write-resource-metrics/namespaces/a/pods/web-1?labels=app=web";
    assert_eq!(write(&c, &base, path, &body.to_string()).await, 200);
    let node = json!({"usage": {"cpu": "1500m", "memory": "2Gi"}}).to_string();
    assert_eq!(
        write(&c, &base, "/write-resource-metrics/nodes/n1", &node).await,
        200
    );
    for (suffix, kind, item_kind) in [
        (
            "namespaces/a/pods?labelSelector=app%3Dweb",
            "PodMetricsList",
            "PodMetrics",
        ),
        ("pods", "PodMetricsList", "PodMetrics"),
        ("nodes", "NodeMetricsList", "NodeMetrics"),
    ] {
        let (code, beta) = get(&c, &base, &format!("{RM}/{suffix}")).await;
        assert_eq!(code, 200, "{beta}");
        let (code, ga) = get(&c, &base, &format!("/apis/metrics.k8s.io/v1/{suffix}")).await;
        assert_eq!(code, 200, "{ga}");
        assert_eq!(
            (ga["kind"].as_str(), ga["apiVersion"].as_str()),
            (Some(kind), Some("metrics.k8s.io/v1"))
        );
        assert_eq!(beta["apiVersion"], "metrics.k8s.io/v1beta1");
        let (ga_items, beta_items) = (
            ga["items"].as_array().unwrap(),
            beta["items"].as_array().unwrap(),
        );
        assert_eq!(ga_items.len(), 1, "{ga}");
        assert_eq!(ga_items[0]["apiVersion"], "metrics.k8s.io/v1");
        assert_eq!(ga_items[0]["kind"], item_kind);
        assert_eq!(beta_items[0]["apiVersion"], "metrics.k8s.io/v1beta1");
        // Apart from the version (and the creation time stamped when served), the same.
        let strip = |v: &serde_json::Value| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().remove("apiVersion");
            v["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("creationTimestamp");
            v
        };
        assert_eq!(strip(&ga_items[0]), strip(&beta_items[0]));
    }
    let (code, v) = get(&c, &base, "/apis/metrics.k8s.io/v1/namespaces/a/pods/web-1").await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(
        (v["kind"].as_str(), v["apiVersion"].as_str()),
        (Some("PodMetrics"), Some("metrics.k8s.io/v1"))
    );
    assert_eq!(v["containers"][0]["usage"]["cpu"], "250m");
    let (code, v) = get(&c, &base, "/apis/metrics.k8s.io/v1/nodes/n1").await;
    assert_eq!(
        (code, v["apiVersion"].as_str()),
        (200, Some("metrics.k8s.io/v1")),
        "{v}"
    );
    let (code, v) = get(&c, &base, "/apis/metrics.k8s.io/v1/namespaces/a/pods/nope").await;
    assert_eq!((code, v["reason"].as_str()), (404, Some("NotFound")), "{v}");
}

#[tokio::test]
async fn pods_and_nodes_from_writes() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    for (ns, name, app, cpu) in [
        ("a", "web-1", "web", "250m"),
        ("a", "db-1", "db", "100m"),
        ("b", "web-2", "web", "1"),
    ] {
        let body = json!({"containers": [
            {"name": "app", "usage": {"cpu": cpu, "memory": "64Mi"}},
            {"name": "sidecar", "usage": {"cpu": "10m", "memory": "8Mi"}},
        ], "window": "15s"});
        let path = format!("/write-resource-metrics/namespaces/{ns}/pods/{name}?labels=app={app}");
        assert_eq!(write(&c, &base, &path, &body.to_string()).await, 200);
    }
    let node = json!({"usage": {"cpu": "1500m", "memory": "2Gi"}}).to_string();
    assert_eq!(
        write(&c, &base, "/write-resource-metrics/nodes/n1", &node).await,
        200
    );

    // One namespace.
    let (code, v) = get(&c, &base, &format!("{RM}/namespaces/a/pods")).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["kind"], "PodMetricsList");
    assert_eq!(v["apiVersion"], "metrics.k8s.io/v1beta1");
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["db-1", "web-1"]);
    let web = &v["items"][1];
    assert_eq!(web["kind"], "PodMetrics");
    assert_eq!(web["metadata"]["namespace"], "a");
    assert_eq!(web["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(web["window"], "15s");
    assert!(web["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        web["containers"],
        json!([
            {"name": "app", "usage": {"cpu": "250m", "memory": "64Mi"}},
            {"name": "sidecar", "usage": {"cpu": "10m", "memory": "8Mi"}},
        ])
    );

    // Across namespaces, with a labelSelector, then a fieldSelector.
    let (_, v) = get(&c, &base, &format!("{RM}/pods?labelSelector=app%3Dweb")).await;
    let got: Vec<(&str, &str)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["metadata"]["namespace"].as_str().unwrap(),
                i["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("a", "web-1"), ("b", "web-2")]);
    let (_, v) = get(
        &c,
        &base,
        &format!("{RM}/pods?fieldSelector=metadata.name%3Dweb-2"),
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["containers"][0]["usage"]["cpu"], "1");
    let (_, v) = get(
        &c,
        &base,
        &format!("{RM}/namespaces/a/pods?labelSelector=app%20in%20(db)"),
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["metadata"]["name"], "db-1");

    // One pod; a pod of another namespace is not found.
    let (code, v) = get(&c, &base, &format!("{RM}/namespaces/a/pods/web-1")).await;
    assert_eq!((code, v["kind"].as_str()), (200, Some("PodMetrics")), "{v}");
    assert_eq!(v["metadata"]["name"], "web-1");
    let (code, v) = get(&c, &base, &format!("{RM}/namespaces/a/pods/web-2")).await;
    assert_eq!(
        (code, v["kind"].as_str(), v["reason"].as_str()),
        (404, Some("Status"), Some("NotFound")),
        "{v}"
    );
    let (code, _) = get(&c, &base, &format!("{RM}/namespaces/a/pods/nope")).await;
    assert_eq!(code, 404);

    // Nodes.
    let (code, v) = get(&c, &base, &format!("{RM}/nodes")).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["kind"], "NodeMetricsList");
    assert_eq!(v["items"][0]["metadata"]["name"], "n1");
    assert_eq!(
        v["items"][0]["usage"],
        json!({"cpu": "1500m", "memory": "2Gi"})
    );
    assert_eq!(v["items"][0]["window"], "30s");
    let (code, v) = get(&c, &base, &format!("{RM}/nodes/n1")).await;
    assert_eq!((code, v["kind"].as_str()), (200, Some("NodeMetrics")));
    let (code, _) = get(&c, &base, &format!("{RM}/nodes/n2")).await;
    assert_eq!(code, 404);

    // A new write replaces the pod's usage.
    let body = json!({"containers": [{"name": "app", "usage": {"cpu": "400m"}}]}).to_string();
    write(
        &c,
        &base,
        "/write-resource-metrics/namespaces/a/pods/web-1",
        &body,
    )
    .await;
    let (_, v) = get(&c, &base, &format!("{RM}/namespaces/a/pods/web-1")).await;
    assert_eq!(
        v["containers"],
        json!([{"name": "app", "usage": {"cpu": "400m"}}])
    );
    assert_eq!(v["window"], "30s");
}

#[tokio::test]
async fn bad_requests_are_refused() {
    let s = start_insecure().await;
    let (c, base) = (client(), s.url());
    let pod = "/write-resource-metrics/namespaces/a/pods/p";
    for (path, body, code) in [
        (pod, "{", 400),
        (pod, r#"{"containers":[]}"#, 400),
        (
            pod,
            r#"{"containers":[{"name":"a","usage":{"cpu":"lots"}}]}"#,
            400,
        ),
        (pod, r#"{"containers":[{"name":"a"},{"name":"a"}]}"#, 400),
        (pod, r#"{"containers":[{"name":"a"}],"window":"soon"}"#, 400),
        (
            "/write-resource-metrics/nodes/n",
            r#"{"containers":[{"name":"a"}]}"#,
            400,
        ),
        (
            "/write-resource-metrics/namespaces/a/pods/*",
            r#"{"containers":[{"name":"a"}]}"#,
            404,
        ),
        (
            "/write-resource-metrics/pods/p",
            r#"{"containers":[{"name":"a"}]}"#,
            404,
        ),
    ] {
        assert_eq!(write(&c, &base, path, body).await, code, "{path} {body}");
    }
    for (path, code) in [
        (format!("{RM}/namespaces/a/pods?labelSelector=a%3C3"), 400),
        (format!("{RM}/pods?fieldSelector=spec.nodeName%3Dn"), 400),
        (format!("{RM}/services"), 404),
        ("/apis/metrics.k8s.io/v2/pods".to_string(), 404),
        ("/apis/metrics.k8s.io/v1alpha1/pods".to_string(), 404),
    ] {
        let (got, v) = get(&c, &base, &path).await;
        assert_eq!(got, code, "{path}: {v}");
    }
    let (code, v) = get(&c, &base, &format!("{RM}/pods")).await;
    assert_eq!((code, v["items"].as_array().map(Vec::len)), (200, Some(0)));
}
