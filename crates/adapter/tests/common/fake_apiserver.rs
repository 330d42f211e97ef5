//! A stand-in kube-apiserver on loopback, answering only what the adapter asks a cluster:
//! the `extension-apiserver-authentication` ConfigMap (which a test may change), TokenReviews,
//! SubjectAccessReviews (only user `hpa`, only in namespace `default` or on `/metrics`),
//! metadata lists of pods by label, API discovery (core pods and namespaces, a custom
//! resource `widgets.example.com`, and an aggregated group that never answers), and
//! APIService objects (which a test may add).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// A running stand-in.
pub struct FakeApiServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Every review body received.
    pub reviews: Arc<Mutex<Vec<Value>>>,
    /// The data of `extension-apiserver-authentication`, served as it is at each request.
    pub configmap: Arc<Mutex<BTreeMap<String, String>>>,
    /// APIService objects by name.
    pub apiservices: Arc<Mutex<BTreeMap<String, Value>>>,
    /// A kubeconfig pointing at it.
    pub kubeconfig: std::path::PathBuf,
    /// Tells the watchers of the ConfigMap that it changed.
    pub configmap_changed: tokio::sync::broadcast::Sender<()>,
    _dir: tempfile::TempDir,
}

impl FakeApiServer {
    /// Replaces the ConfigMap's data and tells its watchers.
    pub fn set_configmap(&self, data: BTreeMap<String, String>) {
        *self.configmap.lock().unwrap() = data;
        let _ = self.configmap_changed.send(());
    }
}

fn configmap_json(data: &BTreeMap<String, String>, version: u64) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "extension-apiserver-authentication", "namespace": "kube-system", "resourceVersion": version.to_string()},
        "data": data})
}

/// Pods the stand-in lists: (namespace, name, labels).
const PODS: &[(&str, &str, &str)] = &[
    ("default", "web-1", "app=web"),
    ("default", "web-2", "app=api"),
    ("default", "db-1", "app=db"),
];

/// Starts the stand-in; `configmap` is the data of `extension-apiserver-authentication`.
pub async fn start(configmap: BTreeMap<String, String>) -> FakeApiServer {
    let reviews = Arc::new(Mutex::new(Vec::new()));
    let (sar_log, tr_log) = (reviews.clone(), reviews.clone());
    let configmap = Arc::new(Mutex::new(configmap));
    let served = configmap.clone();
    let (listed, watched) = (configmap.clone(), configmap.clone());
    let (configmap_changed, _) = tokio::sync::broadcast::channel::<()>(16);
    let changes = configmap_changed.clone();
    let version = Arc::new(std::sync::atomic::AtomicU64::new(1));
    let apiservices: Arc<Mutex<BTreeMap<String, Value>>> = Arc::default();
    let registered = apiservices.clone();
    let app = Router::new()
        .route(
            "/apis/apiregistration.k8s.io/v1/apiservices/{name}",
            get(move |Path(name): Path<String>| {
                let found = registered.lock().unwrap().get(&name).cloned();
                async move {
                    match found {
                        Some(o) => (axum::http::StatusCode::OK, Json(o)),
                        None => (
                            axum::http::StatusCode::NOT_FOUND,
                            Json(json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                "reason": "NotFound", "code": 404, "message": format!("apiservices {name:?} not found")})),
                        ),
                    }
                }
            }),
        )
        .route(
            "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication",
            get(move || {
                let data = served.lock().unwrap().clone();
                async move {
                    Json(json!({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "extension-apiserver-authentication", "namespace": "kube-system"},
                        "data": data}))
                }
            }),
        )
        // List and watch of the ConfigMap (a watch sends MODIFIED at each set_configmap).
        .route(
            "/api/v1/namespaces/kube-system/configmaps",
            get(move |Query(q): Query<BTreeMap<String, String>>| {
                let (listed, watched, changes, version) =
                    (listed.clone(), watched.clone(), changes.clone(), version.clone());
                async move {
                    use axum::response::IntoResponse;
                    use std::sync::atomic::Ordering;
                    if q.get("watch").map(String::as_str) != Some("true") {
                        let data = listed.lock().unwrap().clone();
                        let v = version.load(Ordering::SeqCst);
                        return Json(json!({"apiVersion": "v1", "kind": "ConfigMapList",
                            "metadata": {"resourceVersion": v.to_string()},
                            "items": [configmap_json(&data, v)]}))
                        .into_response();
                    }
                    let rx = changes.subscribe();
                    let stream = futures::stream::unfold(rx, move |mut rx| {
                        let (watched, version) = (watched.clone(), version.clone());
                        async move {
                            rx.recv().await.ok()?;
                            let v = version.fetch_add(1, Ordering::SeqCst) + 1;
                            let data = watched.lock().unwrap().clone();
                            let line = format!("{}\n", json!({"type": "MODIFIED", "object": configmap_json(&data, v)}));
                            Some((Ok::<_, std::convert::Infallible>(bytes::Bytes::from(line)), rx))
                        }
                    });
                    axum::body::Body::from_stream(stream).into_response()
                }
            }),
        )
        .route(
            "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            post(move |Json(mut review): Json<Value>| {
                let log = sar_log.clone();
                async move {
                    log.lock().unwrap().push(review.clone());
                    let spec = &review["spec"];
                    let allowed = spec["user"] == "hpa"
                        && (spec["resourceAttributes"]["namespace"] == "default"
                            || spec["nonResourceAttributes"]["path"] == "/metrics");
                    review["status"] = json!({"allowed": allowed});
                    (axum::http::StatusCode::CREATED, Json(review))
                }
            }),
        )
        .route(
            "/apis/authentication.k8s.io/v1/tokenreviews",
            post(move |Json(mut review): Json<Value>| {
                let log = tr_log.clone();
                async move {
                    log.lock().unwrap().push(review.clone());
                    review["status"] = if review["spec"]["token"] == "good-token" {
                        json!({"authenticated": true, "user": {"username": "jane", "groups": ["devs", "system:authenticated"]}})
                    } else {
                        json!({"authenticated": false})
                    };
                    (axum::http::StatusCode::CREATED, Json(review))
                }
            }),
        )
        // Discovery: the core group and a custom resource (widgets.example.com, preferred
        // version v1beta1), as a cluster with a CRD serves it.
        .route("/api", get(|| async { Json(json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})) }))
        .route("/api/v1", get(|| async { Json(json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
            {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": ["get", "list"]},
            {"name": "pods/status", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]},
            {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace", "verbs": ["get", "list"]}]})) }))
        .route("/apis", get(|| async { Json(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": "hanging.example.com", "versions": [{"groupVersion": "hanging.example.com/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "hanging.example.com/v1", "version": "v1"}},
            {"name": "example.com", "versions": [{"groupVersion": "example.com/v1beta1", "version": "v1beta1"}],
             "preferredVersion": {"groupVersion": "example.com/v1beta1", "version": "v1beta1"}}]})) }))
        // An aggregated API whose backend is gone: the API server's proxy never answers.
        .route("/apis/hanging.example.com/v1", get(std::future::pending::<Json<Value>>))
        .route("/apis/example.com/v1beta1", get(|| async { Json(json!({"kind": "APIResourceList", "groupVersion": "example.com/v1beta1", "resources": [
            {"name": "widgets", "singularName": "", "namespaced": true, "kind": "Widget", "verbs": ["get", "list"]}]})) }))
        .route(
            "/api/v1/namespaces/{ns}/pods",
            get(|Path(ns): Path<String>, Query(q): Query<BTreeMap<String, String>>| async move {
                let sel = alpaca_adapter::selector::parse(q.get("labelSelector").map_or("", String::as_str)).unwrap();
                let items: Vec<Value> = PODS
                    .iter()
                    .filter(|(pns, _, _)| *pns == ns)
                    .filter(|(_, _, labels)| {
                        let l = labels.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()));
                        sel.matches(&l.into_iter().collect())
                    })
                    .map(|(pns, name, _)| json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata", "metadata": {"name": name, "namespace": pns}}))
                    .collect();
                Json(json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadataList", "metadata": {}, "items": items}))
            }),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(dir.path(), &url);
    FakeApiServer {
        url,
        reviews,
        configmap,
        apiservices,
        kubeconfig,
        configmap_changed,
        _dir: dir,
    }
}

/// Writes a kubeconfig for a server at `url` into `dir`.
pub fn write_kubeconfig(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {url}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: adapter-token\n"
        ),
    )
    .unwrap();
    kubeconfig
}
