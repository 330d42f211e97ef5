//! kubectl as the client: `kubectl --kubeconfig F get --raw ...` against the adapter over
//! HTTPS (trusting its generated CA, authenticating with a client certificate) and over the
//! insecure plain-HTTP mode, for every path shape, both versions, and a failure.

mod common;

use std::path::Path;
use std::time::Duration;

use alpaca_adapter::auth::certs::CertAuthenticators;
use alpaca_adapter::auth::x509::CaPool;
use alpaca_adapter::auth::{Auth, Authorizer};
use alpaca_adapter::pki::CertificateAuthority;
use alpaca_adapter::{Server, ServerConfig};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::Value;

const KUBECTL: &str = "kubectl";

/// Runs kubectl with a kubeconfig; returns (success, stdout, stderr).
async fn kubectl(kubeconfig: &Path, args: &[&str]) -> (bool, String, String) {
    let mut cmd = tokio::process::Command::new(KUBECTL);
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("kubectl timed out")
        .unwrap_or_else(|e| {
            panic!("kubectl could not run ({e}); it is expected at /usr/bin/kubectl")
        });
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn raw(kubeconfig: &Path, path: &str) -> Value {
    let (ok, out, err) = kubectl(kubeconfig, &["get", "--raw", path]).await;
    assert!(ok, "kubectl get --raw {path} failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn kubeconfig(dir: &Path, server: &str, cluster_extra: &str, user: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: adapter\n  cluster:\n    server: {server}\n{cluster_extra}contexts:\n- name: adapter\n  context:\n    cluster: adapter\n    user: me\ncurrent-context: adapter\nusers:\n- name: me\n  user:\n{user}"
        ),
    )
    .unwrap();
    path
}

async fn seed(base: &str) {
    let c = common::client();
    for (path, body) in [
        (
            "/write-metrics/namespaces/default/services/kubernetes/test-metric",
            "\"300m\"",
        ),
        (
            "/write-metrics/namespaces/default/pods/web-1/rps?objectLabels=app=web",
            "\"10\"",
        ),
        (
            "/write-metrics/namespaces/default/pods/web-2/rps?objectLabels=app=web",
            "\"20\"",
        ),
        ("/write-metrics/nodes/node-1/temperature", "\"42\""),
        (
            "/write-metrics/namespaces/default/metrics/pods-running",
            "\"3\"",
        ),
        (
            "/write-external-metrics/namespaces/default/queue_messages?labels=queue=orders",
            "\"30\"",
        ),
    ] {
        assert_eq!(common::write(&c, base, path, body).await, 200, "{path}");
    }
}

async fn every_path(kc: &Path) {
    let v = raw(
        kc,
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kubernetes/test-metric",
    )
    .await;
    assert_eq!(v["items"][0]["value"], "300m");
    assert_eq!(v["items"][0]["metric"]["name"], "test-metric");
    let v = raw(
        kc,
        "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/services/kubernetes/test-metric",
    )
    .await;
    assert_eq!(v["items"][0]["metricName"], "test-metric");
    let v = raw(
        kc,
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/rps?labelSelector=app%3Dweb",
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let v = raw(
        kc,
        "/apis/custom.metrics.k8s.io/v1beta1/nodes/node-1/temperature",
    )
    .await;
    assert_eq!(v["items"][0]["value"], "42");
    let v = raw(
        kc,
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/metrics/pods-running",
    )
    .await;
    assert_eq!(v["items"][0]["describedObject"]["kind"], "Namespace");
    let v = raw(kc, "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages?labelSelector=queue%3Dorders").await;
    assert_eq!(v["items"][0]["value"], "30");
    let v = raw(kc, "/apis").await;
    assert_eq!(v["kind"], "APIGroupList");
    let v = raw(kc, "/apis/custom.metrics.k8s.io/v1beta2").await;
    assert!(
        v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "services/test-metric")
    );

    // Failures reach kubectl as Status objects, with their reason and message.
    let (ok, _, err) = kubectl(
        kc,
        &[
            "get",
            "--raw",
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kubernetes/nope",
        ],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("NotFound") && err.contains("nope"), "{err}");
    let (ok, _, err) = kubectl(kc, &["get", "--raw", "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/rps?labelSelector=app%20in%20(web"]).await;
    assert!(!ok);
    assert!(err.contains("BadRequest"), "{err}");
}

#[tokio::test]
async fn kubectl_over_https_with_a_client_certificate() {
    let client_ca = CertificateAuthority::generate("client-ca").unwrap();
    let roots: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(client_ca.cert_pem().as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
    let auth = Auth::with_certs(
        CertAuthenticators {
            requestheader: None,
            client_ca: Some(CaPool::new(&roots).unwrap()),
        },
        Authorizer::AlwaysAllow,
    );
    let config = ServerConfig {
        write_bind: Some("127.0.0.1:0".parse().unwrap()),
        ..ServerConfig::secure_local(auth).unwrap()
    };
    let server = Server::bind(config).await.unwrap();
    seed(&format!("http://{}", server.write_addr().unwrap())).await;

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.crt");
    std::fs::write(&ca, server.generated_ca_pem().unwrap()).unwrap();
    let me = client_ca.issue_client("kubectl-user", &["devs"]).unwrap();
    std::fs::write(dir.path().join("me.crt"), &me.cert_pem).unwrap();
    std::fs::write(dir.path().join("me.key"), &me.key_pem).unwrap();
    let kc = kubeconfig(
        dir.path(),
        &server.url(),
        &format!("    certificate-authority: {}\n", ca.display()),
        &format!(
            "    client-certificate: {}\n    client-key: {}\n",
            dir.path().join("me.crt").display(),
            dir.path().join("me.key").display()
        ),
    );
    every_path(&kc).await;

    // Without the client certificate: 401 Unauthorized.
    let anon = tempfile::tempdir().unwrap();
    // (a token, which the adapter does not accept, keeps kubectl from prompting for a password)
    let kc = kubeconfig(
        anon.path(),
        &server.url(),
        &format!("    certificate-authority: {}\n", ca.display()),
        "    token: none\n",
    );
    let (ok, _, err) = kubectl(&kc, &["get", "--raw", "/apis"]).await;
    assert!(!ok);
    assert!(err.contains("Unauthorized"), "{err}");
}

#[tokio::test]
async fn kubectl_over_insecure_http_and_skip_verify() {
    let server = common::start_insecure().await;
    seed(&server.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let kc = kubeconfig(dir.path(), &server.url(), "", "    {}\n");
    every_path(&kc).await;

    // HTTPS with insecure-skip-tls-verify and anonymous access.
    let auth = Auth {
        anonymous: true,
        ..Auth::insecure()
    };
    let auth = Auth {
        insecure: false,
        ..auth
    };
    let tls_server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = kubeconfig(
        dir.path(),
        &tls_server.url(),
        "    insecure-skip-tls-verify: true\n",
        "    token: none\n",
    );
    let v = raw(&kc, "/apis/external.metrics.k8s.io/v1beta1").await;
    assert_eq!(v["kind"], "APIResourceList");
}
