//! kubectl against the server on a loopback port.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::deployment;
use alpaca_fake_apiserver::FakeApiServer;

const KUBECTL: &str = "/usr/bin/kubectl";

fn kubectl(server: &str, home: &Path, args: &[&str]) -> std::process::Output {
    kubectl_stdin(server, home, args, "")
}

fn kubectl_stdin(server: &str, home: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(KUBECTL)
        .args(["--server", server])
        .args(args)
        .env("HOME", home)
        .env("KUBECONFIG", home.join("none"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    input
        .write_all(stdin.as_bytes())
        .expect("stdin takes the manifest");
    drop(input);
    child.wait_with_output().expect("kubectl finishes")
}

const HPA: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: default
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 8
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_gets_deployments() {
    if !Path::new(KUBECTL).exists() {
        eprintln!("skipped: {KUBECTL} is not installed");
        return;
    }
    let fake = FakeApiServer::new();
    fake.apply(&deployment("web", "web", Some(3))).unwrap();
    let mut other = deployment("api", "api", Some(1));
    other.metadata.namespace = Some("prod".into());
    fake.apply(&other).unwrap();
    let (addr, server) = fake.serve_on_localhost().await.unwrap();
    let url = format!("http://{addr}");
    assert_eq!(server.url(), url);
    let home = std::env::temp_dir().join(format!("fake-apiserver-kubectl-{}", addr.port()));
    std::fs::create_dir_all(&home).unwrap();

    let (url2, home2) = (url.clone(), home.clone());
    let out = tokio::task::spawn_blocking(move || {
        kubectl(&url2, &home2, &["get", "deployments", "-A", "-o", "json"])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "kubectl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["web", "api"]);
    assert_eq!(list["items"][0]["spec"]["replicas"], 3);

    let (url2, home2) = (url.clone(), home.clone());
    let out = tokio::task::spawn_blocking(move || {
        kubectl(
            &url2,
            &home2,
            &["scale", "deployment", "web", "--replicas=5"],
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "kubectl scale failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = fake
        .get::<k8s_openapi::api::apps::v1::Deployment>("default", "web")
        .unwrap();
    assert_eq!(d.spec.replicas, Some(5));

    // client-side apply (needs the OpenAPI v3 surface for field validation)
    let (url2, home2) = (url.clone(), home.clone());
    let out = tokio::task::spawn_blocking(move || {
        kubectl_stdin(&url2, &home2, &["apply", "-f", "-"], HPA)
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "kubectl apply failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hpa = fake
        .get::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>("default", "web")
        .unwrap();
    assert_eq!((hpa.spec.max_replicas, hpa.spec.min_replicas), (8, Some(1)));

    // human-readable output comes from server-side Tables
    let (url2, home2) = (url.clone(), home.clone());
    let out =
        tokio::task::spawn_blocking(move || kubectl(&url2, &home2, &["get", "hpa,deployments"]))
            .await
            .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("REFERENCE") && text.contains("Deployment/web"),
        "{text}"
    );
    assert!(text.contains("cpu: <unknown>/80%"), "{text}");
    assert!(text.contains("UP-TO-DATE"), "{text}");
    let _ = std::fs::remove_dir_all(&home);
    server.shutdown();
}
