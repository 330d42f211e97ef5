//! Injected faults, latency and the request log.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v1::ScaleSpec;
use kube::api::{Api, PostParams};

use crate::support::{api_error, deployment};
use alpaca_fake_apiserver::{FakeApiServer, Fault, Verb};

#[tokio::test]
async fn unavailable_then_recovers() {
    let fake = FakeApiServer::new();
    fake.apply(&deployment("web", "web", Some(1))).unwrap();
    fake.inject(
        Fault::on(Verb::Get, "deployments/scale")
            .unavailable()
            .times(1),
    );
    let api: Api<Deployment> = Api::default_namespaced(fake.client());
    let e = api_error(api.get_scale("web").await.unwrap_err());
    assert_eq!((e.code, e.reason.as_str()), (503, "ServiceUnavailable"));
    assert_eq!(
        e.message,
        "the server is currently unable to handle the request"
    );
    assert!(
        api.get("web").await.is_ok(),
        "the main resource is not affected"
    );
    assert_eq!(
        api.get_scale("web").await.unwrap().spec.unwrap().replicas,
        Some(1)
    );
    assert_eq!(fake.pending_faults(), 0);
    let log: Vec<String> = fake.requests().iter().map(|r| r.line()).collect();
    assert_eq!(
        log,
        [
            "GET /apis/apps/v1/namespaces/default/deployments/web/scale 503",
            "GET /apis/apps/v1/namespaces/default/deployments/web 200",
            "GET /apis/apps/v1/namespaces/default/deployments/web/scale 200",
        ]
    );
}

#[tokio::test]
async fn conflict_twice_then_success() {
    let fake = FakeApiServer::new();
    fake.apply(&deployment("web", "web", Some(1))).unwrap();
    fake.inject(
        Fault::on(Verb::Update, "deployments/scale")
            .name("web")
            .conflict()
            .times(2),
    );
    let api: Api<Deployment> = Api::default_namespaced(fake.client());
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut scale = api.get_scale("web").await.unwrap();
        scale.spec = Some(ScaleSpec { replicas: Some(4) });
        match api
            .replace_scale("web", &PostParams::default(), &scale)
            .await
        {
            Ok(s) => {
                assert_eq!(s.spec.unwrap().replicas, Some(4));
                break;
            }
            Err(e) => {
                let s = api_error(e);
                assert_eq!(s.code, 409);
                assert!(s.message.contains("the object has been modified"));
            }
        }
    }
    assert_eq!(attempts, 3);
    let updates: Vec<u16> = fake
        .requests()
        .iter()
        .filter(|r| r.is(Verb::Update, "deployments/scale"))
        .map(|r| r.status)
        .collect();
    assert_eq!(updates, [409, 409, 200]);
}

#[tokio::test]
async fn forbidden_latency_and_clear() {
    let fake = FakeApiServer::new();
    fake.apply(&deployment("web", "web", Some(1))).unwrap();
    let api: Api<Deployment> = Api::default_namespaced(fake.client());
    fake.inject(Fault::any("deployments").forbidden());
    let e = api_error(api.get("web").await.unwrap_err());
    assert_eq!((e.code, e.reason.as_str()), (403, "Forbidden"));
    assert!(
        e.message
            .contains("cannot get resource \"deployments\" in API group \"apps\""),
        "{}",
        e.message
    );
    fake.clear_faults();

    fake.inject(Fault::on(Verb::Get, "deployments").latency(Duration::from_millis(150)));
    let t = Instant::now();
    api.get("web").await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(150));
    fake.clear_faults();

    fake.inject(
        Fault::any("*")
            .status(500, "etcdserver: request timed out")
            .after(1)
            .times(1),
    );
    assert!(api.get("web").await.is_ok());
    let e = api_error(api.get("web").await.unwrap_err());
    assert_eq!(
        (e.code, e.reason.as_str(), e.message.as_str()),
        (500, "InternalError", "etcdserver: request timed out")
    );
    assert!(api.get("web").await.is_ok());
    fake.clear_requests();
    assert!(fake.requests().is_empty());
}
