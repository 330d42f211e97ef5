//! HTTPS and authentication: the generated certificate, front-proxy (request header)
//! authentication with allowed names, client-CA authentication, and delegated authorization
//! through SubjectAccessReview against a stand-in API server.

mod common;

use alpaca_adapter::auth::certs::CertAuthenticators;
use alpaca_adapter::auth::requestheader::RequestHeaderConfig;
use alpaca_adapter::auth::x509::CaPool;
use alpaca_adapter::auth::{Auth, Authorizer, delegated::DelegatedAuthorizer};
use alpaca_adapter::pki::CertificateAuthority;
use alpaca_adapter::{Server, ServerConfig, tls};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

const PATH: &str =
    "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kubernetes/test-metric";

fn der(pem: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap()
}

fn auth_with(
    requestheader: Option<RequestHeaderConfig>,
    client_ca: Option<&CertificateAuthority>,
    authorizer: Authorizer,
) -> Auth {
    Auth::with_certs(
        CertAuthenticators {
            requestheader,
            client_ca: client_ca.map(|ca| CaPool::new(&der(ca.cert_pem())).unwrap()),
        },
        authorizer,
    )
}

fn client_for(
    server: &Server,
    identity: Option<&alpaca_adapter::pki::IssuedCert>,
) -> reqwest::Client {
    tls::install_crypto_provider();
    let ca = reqwest::Certificate::from_pem(server.generated_ca_pem().unwrap().as_bytes()).unwrap();
    let mut b = reqwest::Client::builder().tls_certs_only([ca]);
    if let Some(id) = identity {
        let pem = format!("{}{}", id.cert_pem, id.key_pem);
        b = b.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    b.build().unwrap()
}

async fn seed(server: &Server) {
    let alpaca_adapter::backend::Backend::Memory(m) = server.backend() else {
        panic!("memory backend")
    };
    let target = alpaca_adapter::backend::memory::ObjectTarget {
        info: alpaca_adapter::backend::CustomMetricInfo {
            resource: alpaca_adapter::resources::GroupResource::parse("services"),
            namespaced: true,
            metric: "test-metric".into(),
        },
        namespace: Some("default".into()),
        name: "kubernetes".into(),
    };
    m.write_custom(
        &target,
        k8s_openapi::apimachinery::pkg::api::resource::Quantity("300m".into()),
        Default::default(),
        Default::default(),
    );
}

fn front_proxy(ca: &CertificateAuthority, allowed: &[&str]) -> RequestHeaderConfig {
    RequestHeaderConfig {
        ca: CaPool::new(&der(ca.cert_pem())).unwrap(),
        allowed_names: allowed.iter().map(|s| s.to_string()).collect(),
        username_headers: vec!["X-Remote-User".into()],
        group_headers: vec!["X-Remote-Group".into()],
        extra_headers_prefixes: vec!["X-Remote-Extra-".into()],
    }
}

#[tokio::test]
async fn front_proxy_certificates_and_headers() {
    let proxy_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let other_ca = CertificateAuthority::generate("other-ca").unwrap();
    let auth = auth_with(
        Some(front_proxy(&proxy_ca, &["front-proxy-client"])),
        None,
        Authorizer::AlwaysAllow,
    );
    let server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    seed(&server).await;
    let url = format!("{}{PATH}", server.url());
    assert!(url.starts_with("https://"));

    // The aggregator: allowed name, user in headers.
    let good = proxy_ca.issue_client("front-proxy-client", &[]).unwrap();
    let c = client_for(&server, Some(&good));
    let r = c
        .get(&url)
        .header(
            "X-Remote-User",
            "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.version(),
        reqwest::Version::HTTP_2,
        "HTTP/2 negotiated through ALPN"
    );
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["items"][0]["value"], "300m");
    // No user header: not authenticated.
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 401);
    // Health needs nothing.
    assert_eq!(
        c.get(format!("{}/healthz", server.url()))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    // A certificate of the right CA with a name that is not allowed.
    let wrong_name = proxy_ca.issue_client("someone-else", &[]).unwrap();
    let r = client_for(&server, Some(&wrong_name))
        .get(&url)
        .header("X-Remote-User", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["reason"], "Unauthorized");

    // Headers without a certificate are ignored.
    let r = client_for(&server, None)
        .get(&url)
        .header("X-Remote-User", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // A certificate from an unknown CA authenticates nobody (the TLS layer only asks for a
    // certificate, as upstream's does; authentication verifies it).
    let stranger = other_ca.issue_client("front-proxy-client", &[]).unwrap();
    let r = client_for(&server, Some(&stranger))
        .get(&url)
        .header("X-Remote-User", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn client_ca_certificates_name_the_user() {
    let client_ca = CertificateAuthority::generate("client-ca").unwrap();
    let auth = auth_with(None, Some(&client_ca), Authorizer::AlwaysAllow);
    let server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    seed(&server).await;
    let alice = client_ca.issue_client("alice", &["devs"]).unwrap();
    let r = client_for(&server, Some(&alice))
        .get(format!("{}{PATH}", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = client_for(&server, None)
        .get(format!("{}{PATH}", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn delegated_authorization_asks_the_cluster_per_namespace() {
    let api = common::fake_apiserver::start(Default::default()).await;
    let seen = api.reviews.clone();
    let kube = alpaca_adapter::config::kube_client(Some(&api.kubeconfig))
        .await
        .unwrap();
    let proxy_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let auth = auth_with(
        Some(front_proxy(&proxy_ca, &[])),
        None,
        Authorizer::Delegated(DelegatedAuthorizer::new(kube)),
    );
    let server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    seed(&server).await;
    let c = client_for(
        &server,
        Some(&proxy_ca.issue_client("aggregator", &[]).unwrap()),
    );
    let get = |user: &'static str, path: String| {
        let c = c.clone();
        async move {
            c.get(path)
                .header("X-Remote-User", user)
                .header("X-Remote-Group", "system:authenticated")
                .send()
                .await
                .unwrap()
        }
    };
    let url = format!("{}{PATH}", server.url());
    assert_eq!(get("hpa", url.clone()).await.status().as_u16(), 200);
    let r = get("mallory", url.clone()).await;
    assert_eq!(r.status().as_u16(), 403);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("mallory"), "{v}");
    // External metrics are authorized per namespace.
    let ext = |ns: &str| {
        format!(
            "{}/apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/queue",
            server.url()
        )
    };
    assert_eq!(get("hpa", ext("kube-system")).await.status().as_u16(), 403);
    assert_eq!(get("hpa", ext("default")).await.status().as_u16(), 404); // allowed; no such metric

    // The review carried the request's attributes; repeated questions were cached.
    get("hpa", url.clone()).await;
    let seen = seen.lock().unwrap();
    let first = &seen[0]["spec"];
    assert_eq!(first["user"], "hpa");
    assert_eq!(first["groups"], serde_json::json!(["system:authenticated"]));
    assert_eq!(
        first["resourceAttributes"],
        serde_json::json!({"verb": "get", "group": "custom.metrics.k8s.io", "version": "v1beta2", "namespace": "default", "resource": "services", "name": "kubernetes", "subresource": "test-metric"})
    );
    let ext_review = seen
        .iter()
        .find(|r| r["spec"]["resourceAttributes"]["namespace"] == "kube-system")
        .unwrap();
    assert_eq!(
        ext_review["spec"]["resourceAttributes"]["resource"],
        "queue"
    );
    assert_eq!(ext_review["spec"]["resourceAttributes"]["verb"], "list");
    assert_eq!(
        seen.len(),
        4,
        "the repeated request was answered from the cache"
    );
}

/// From the flags, as `alpaca adapter` starts: the request-header CA and names come from the
/// cluster's ConfigMap, and bearer tokens are reviewed by the cluster.
#[tokio::test]
async fn from_args_reads_the_cluster_authentication_settings() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: alpaca_adapter::AdapterArgs,
    }
    let proxy_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let data = [
        ("requestheader-client-ca-file", proxy_ca.cert_pem()),
        ("requestheader-allowed-names", r#"["front-proxy-client"]"#),
        ("requestheader-username-headers", r#"["X-Remote-User"]"#),
        ("requestheader-group-headers", r#"["X-Remote-Group"]"#),
        (
            "requestheader-extra-headers-prefix",
            r#"["X-Remote-Extra-"]"#,
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let api = common::fake_apiserver::start(data).await;
    let kc = api.kubeconfig.display().to_string();
    let cli = Cli::try_parse_from([
        "adapter",
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        "--enable-write",
        &format!("--authentication-kubeconfig={kc}"),
        &format!("--authorization-kubeconfig={kc}"),
    ])
    .unwrap();
    let server = Server::bind(ServerConfig::from_args(&cli.args).await.unwrap())
        .await
        .unwrap();
    seed(&server).await;
    let url = format!("{}{PATH}", server.url());

    // The aggregator's certificate, as named in the ConfigMap.
    let proxy = client_for(
        &server,
        Some(&proxy_ca.issue_client("front-proxy-client", &[]).unwrap()),
    );
    let r = proxy
        .get(&url)
        .header("X-Remote-User", "hpa")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = client_for(
        &server,
        Some(&proxy_ca.issue_client("not-the-proxy", &[]).unwrap()),
    )
    .get(&url)
    .header("X-Remote-User", "hpa")
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Bearer tokens: reviewed, then authorized (jane is not allowed by the stand-in).
    let c = client_for(&server, None);
    assert_eq!(
        c.get(&url)
            .bearer_auth("good-token")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        c.get(&url)
            .bearer_auth("bad-token")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    let reviews = api.reviews.lock().unwrap();
    assert!(
        reviews
            .iter()
            .any(|r| r["kind"] == "TokenReview" && r["spec"]["token"] == "good-token")
    );
    assert!(
        reviews
            .iter()
            .any(|r| r["kind"] == "SubjectAccessReview" && r["spec"]["user"] == "jane")
    );
}

fn cli(args: &[&str]) -> alpaca_adapter::AdapterArgs {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: alpaca_adapter::AdapterArgs,
    }
    Cli::try_parse_from(std::iter::once("adapter").chain(args.iter().copied()))
        .unwrap()
        .args
}

async fn delegated(api: &common::fake_apiserver::FakeApiServer) -> Authorizer {
    let kube = alpaca_adapter::config::kube_client(Some(&api.kubeconfig))
        .await
        .unwrap();
    Authorizer::Delegated(DelegatedAuthorizer::new(kube))
}

/// Upstream adds `system:authenticated` to every authenticated user; the aggregator's own
/// discovery requests (no group header) are authorized through that group.
#[tokio::test]
async fn front_proxy_users_are_in_the_authenticated_group() {
    let api = common::fake_apiserver::start(Default::default()).await;
    let proxy_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let auth = auth_with(
        Some(front_proxy(&proxy_ca, &[])),
        None,
        delegated(&api).await,
    );
    let server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    let c = client_for(
        &server,
        Some(&proxy_ca.issue_client("front-proxy-client", &[]).unwrap()),
    );
    c.get(format!("{}/apis", server.url()))
        .header("X-Remote-User", "system:kube-aggregator")
        .send()
        .await
        .unwrap();
    c.get(format!("{}{PATH}", server.url()))
        .header("X-Remote-User", "hpa")
        .header("X-Remote-Group", "devs")
        .send()
        .await
        .unwrap();
    let seen = api.reviews.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0]["spec"]["user"], "system:kube-aggregator");
    assert_eq!(
        seen[0]["spec"]["groups"],
        serde_json::json!(["system:authenticated"])
    );
    assert_eq!(
        seen[0]["spec"]["nonResourceAttributes"],
        serde_json::json!({"path": "/apis", "verb": "get"})
    );
    assert_eq!(
        seen[1]["spec"]["groups"],
        serde_json::json!(["devs", "system:authenticated"])
    );
}

/// A client-CA certificate whose issuer has the front-proxy CA's very subject is not a front
/// proxy: the chain is verified against the request-header CA alone.
#[tokio::test]
async fn an_impostor_ca_with_the_front_proxy_subject_is_not_a_front_proxy() {
    let api = common::fake_apiserver::start(Default::default()).await;
    let proxy_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let impostor_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let auth = auth_with(
        Some(front_proxy(&proxy_ca, &[])),
        Some(&impostor_ca),
        delegated(&api).await,
    );
    let server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    seed(&server).await;
    let impostor = impostor_ca.issue_client("front-proxy-client", &[]).unwrap();
    let r = client_for(&server, Some(&impostor))
        .get(format!("{}{PATH}", server.url()))
        .header("X-Remote-User", "hpa")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        403,
        "authenticated as itself, not as hpa"
    );
    let seen = api.reviews.lock().unwrap();
    assert_eq!(seen[0]["spec"]["user"], "front-proxy-client");
}

/// Front-proxy certificates issued by an intermediate of the request-header CA are accepted
/// (the chain is presented by the proxy); the allowed names apply to the leaf.
#[tokio::test]
async fn front_proxy_certificates_from_an_intermediate_are_accepted() {
    let proxy_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let intermediate = proxy_ca.issue_intermediate("front-proxy-sub-ca").unwrap();
    let auth = auth_with(
        Some(front_proxy(&proxy_ca, &["front-proxy-client"])),
        None,
        Authorizer::AlwaysAllow,
    );
    let server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    seed(&server).await;
    let with_chain = |cn: &str| {
        let leaf = intermediate.issue_client(cn, &[]).unwrap();
        alpaca_adapter::pki::IssuedCert {
            cert_pem: format!("{}{}", leaf.cert_pem, intermediate.cert_pem()),
            key_pem: leaf.key_pem,
        }
    };
    let r = client_for(&server, Some(&with_chain("front-proxy-client")))
        .get(format!("{}{PATH}", server.url()))
        .header("X-Remote-User", "hpa")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = client_for(&server, Some(&with_chain("someone-else")))
        .get(format!("{}{PATH}", server.url()))
        .header("X-Remote-User", "hpa")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        401,
        "not in --requestheader-allowed-names"
    );
}

/// `/metrics` on the secure port needs authentication and a SubjectAccessReview on the
/// non-resource path `/metrics`, verb get.
#[tokio::test]
async fn metrics_need_authentication_and_authorization() {
    let api = common::fake_apiserver::start(Default::default()).await;
    let proxy_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let auth = auth_with(
        Some(front_proxy(&proxy_ca, &[])),
        None,
        delegated(&api).await,
    );
    let server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    let url = format!("{}/metrics", server.url());
    let r = client_for(&server, None).get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let proxy = client_for(
        &server,
        Some(&proxy_ca.issue_client("front-proxy-client", &[]).unwrap()),
    );
    let r = proxy
        .get(&url)
        .header("X-Remote-User", "mallory")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = proxy
        .get(&url)
        .header("X-Remote-User", "hpa")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("alpaca_adapter_requests_total")
    );
    let seen = api.reviews.lock().unwrap();
    assert_eq!(
        seen.last().unwrap()["spec"]["nonResourceAttributes"],
        serde_json::json!({"path": "/metrics", "verb": "get"})
    );
}

/// A TokenReview that cannot be made is 401 (upstream's authentication filter), not 500.
#[tokio::test]
async fn a_failed_token_review_is_unauthorized() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let kc = common::fake_apiserver::write_kubeconfig(dir.path(), "http://127.0.0.1:1");
    let kube = alpaca_adapter::config::kube_client(Some(&kc))
        .await
        .unwrap();
    let auth = Auth {
        token: Some(alpaca_adapter::auth::token::TokenReviewer::new(kube)),
        ..auth_with(None, None, Authorizer::AlwaysAllow)
    };
    let server = Server::bind(ServerConfig::secure_local(auth).unwrap())
        .await
        .unwrap();
    let r = client_for(&server, None)
        .get(format!("{}{PATH}", server.url()))
        .bearer_auth("some-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["reason"], "Unauthorized");
}

/// The cluster's ConfigMap cannot be read at start: an error, not a server that answers 401.
#[tokio::test]
async fn unreadable_authentication_settings_fail_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let kc = common::fake_apiserver::write_kubeconfig(dir.path(), "http://127.0.0.1:1");
    let kc = format!("--authentication-kubeconfig={}", kc.display());
    let args = cli(&[
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        &kc,
        "--delegated-authorization=false",
    ]);
    let err = ServerConfig::from_args(&args).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("extension-apiserver-authentication"),
        "{err}"
    );
    // Tolerated on request: the flags are used until a re-read succeeds.
    let args = cli(&[
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        &kc,
        "--delegated-authorization=false",
        "--authentication-tolerate-lookup-failure",
    ]);
    assert!(ServerConfig::from_args(&args).await.is_ok());
    // Nothing at all to authenticate with: an error too.
    let args = cli(&[
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        "--delegated-authorization=false",
    ]);
    let err = ServerConfig::from_args(&args).await.unwrap_err();
    assert!(err.to_string().contains("no way to authenticate"), "{err}");
}

/// A new request-header CA in the ConfigMap takes effect without a restart, at once: the
/// ConfigMap is watched (the periodic re-read is an hour away).
#[tokio::test]
async fn the_authentication_configmap_is_reloaded() {
    let old_ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
    let new_ca = CertificateAuthority::generate("front-proxy-ca-2").unwrap();
    let data = |ca: &CertificateAuthority| {
        [
            ("requestheader-client-ca-file", ca.cert_pem()),
            ("requestheader-allowed-names", r#"["front-proxy-client"]"#),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let api = common::fake_apiserver::start(data(&old_ca)).await;
    let kc = format!("--authentication-kubeconfig={}", api.kubeconfig.display());
    let args = cli(&[
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        &kc,
        "--delegated-authorization=false",
        "--reload-interval=1h",
    ]);
    let server = Server::bind(ServerConfig::from_args(&args).await.unwrap())
        .await
        .unwrap();
    let status = |ca: &CertificateAuthority| {
        let c = client_for(
            &server,
            Some(&ca.issue_client("front-proxy-client", &[]).unwrap()),
        );
        let url = format!("{}/apis", server.url());
        async move {
            c.get(url)
                .header("X-Remote-User", "hpa")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status(&old_ca).await, 200);
    assert_eq!(status(&new_ca).await, 401);
    api.set_configmap(data(&new_ca));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while status(&new_ca).await != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the configmap change was not applied within 5s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(status(&old_ca).await, 401);
}

/// New serving certificate files are served without a restart.
#[tokio::test]
async fn the_serving_certificate_is_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    let write = |ca: &CertificateAuthority| {
        let issued = ca.issue_server(&["127.0.0.1".into()]).unwrap();
        std::fs::write(&cert, issued.cert_pem).unwrap();
        std::fs::write(&key, issued.key_pem).unwrap();
    };
    let (ca1, ca2) = (
        CertificateAuthority::generate("serving-1").unwrap(),
        CertificateAuthority::generate("serving-2").unwrap(),
    );
    write(&ca1);
    let args = cli(&[
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        "--anonymous-auth",
        "--delegated-authorization=false",
        "--reload-interval=1s",
        &format!("--tls-cert-file={}", cert.display()),
        &format!("--tls-private-key-file={}", key.display()),
    ]);
    let server = Server::bind(ServerConfig::from_args(&args).await.unwrap())
        .await
        .unwrap();
    let trusting = |ca: &CertificateAuthority| {
        tls::install_crypto_provider();
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap()])
            .build()
            .unwrap()
    };
    let url = format!("{}/healthz", server.url());
    assert!(trusting(&ca1).get(&url).send().await.is_ok());
    assert!(trusting(&ca2).get(&url).send().await.is_err());
    write(&ca2);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while trusting(&ca2).get(&url).send().await.is_err() {
        assert!(std::time::Instant::now() < deadline, "not reloaded");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(trusting(&ca1).get(&url).send().await.is_err());
}
