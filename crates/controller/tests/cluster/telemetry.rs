//! `/metrics`, `/healthz` and `/readyz` over HTTP, from a controller of a real cluster.

use std::net::SocketAddr;

use alpaca_controller::ControllerArgs;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let code = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_metrics_health_and_readiness() {
    let Some(ns) = Ns::new("telemetry").await else {
        return;
    };
    ns.workload("web", 2, 200).await;
    ns.hpa("web", serde_json::json!({})).await;
    let args = ControllerArgs {
        metrics_bind_address: "127.0.0.1:0".into(),
        ..ns.args()
    };
    let running = ns.start(args).await;
    let addr = running.addr.expect("serving");
    eventually("web scales", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    assert_eq!(get(addr, "/healthz").await, (200, "ok".into()));
    assert_eq!(get(addr, "/readyz").await.0, 200);
    // The scale write lands before the sync that made it finishes (status
    // write, counters), so wait for the finished sync to show in the text.
    let n = &ns.name;
    let needles: [&str; 7] = [
        "alpaca_controller_syncs_total{result=\"success\"}",
        "alpaca_controller_sync_duration_seconds_bucket",
        &format!("alpaca_controller_desired_replicas{{namespace=\"{n}\",name=\"web\"}} 4"),
        &format!("alpaca_controller_current_replicas{{namespace=\"{n}\",name=\"web\"}}"),
        "alpaca_controller_rescales_total 1",
        "alpaca_controller_leader 1",
        "alpaca_controller_autoscalers 1",
    ];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (code, text) = get(addr, "/metrics").await;
        assert_eq!(code, 200);
        if needles.iter().all(|x| text.contains(x)) {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            let missing: Vec<_> = needles.iter().filter(|x| !text.contains(*x)).collect();
            panic!("{missing:?} missing from:\n{text}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_fails_while_a_sync_is_wedged() {
    let Some(ns) = Ns::new("liveness").await else {
        return;
    };
    ns.workload("web", 1, 100).await;
    ns.hpa("web", serde_json::json!({})).await;
    // no request deadline, so a metrics API that never answers wedges the sync
    let args = ControllerArgs {
        metrics_bind_address: "127.0.0.1:0".into(),
        request_timeout: alpaca_metrics_api::GoDuration::from_secs(0),
        liveness_timeout: alpaca_metrics_api::GoDuration::from_secs(2),
        ..ns.args()
    };
    let running = ns.start(args).await;
    let addr = running.addr.expect("serving");
    eventually("a first sync", 30, || async {
        ns.condition("web", "ScalingActive").await.is_some()
    })
    .await;
    assert_eq!(get(addr, "/healthz").await, (200, "ok".into()));
    ns.env
        .metrics()
        .backend()
        .inject(alpaca_testenv::never_answers(
            alpaca_fake_apiserver::Fault::any("pods")
                .group("metrics.k8s.io")
                .namespace(&ns.name),
        ));
    eventually("/healthz fails", 30, || async {
        let (code, body) = get(addr, "/healthz").await;
        code == 500 && body.contains(&format!("the sync of {}/web has run for", ns.name))
    })
    .await;
    // only this test's faults: the metrics server is shared with tests running alongside
    ns.env.metrics().backend().clear_faults_in(&ns.name);
    running.kill();
}
