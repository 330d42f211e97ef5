//! `/metrics`, `/healthz` and `/readyz` over HTTP.

use std::net::SocketAddr;

use alpaca_controller::ControllerArgs;
use alpaca_fake_apiserver::FakeApiServer;
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
    let fake = FakeApiServer::new();
    workload(&fake, "default", "web", 2, "200m");
    let args = ControllerArgs {
        metrics_bind_address: "127.0.0.1:0".into(),
        ..fast_args()
    };
    let running = start(&fake, args).await;
    let addr = running.addr.expect("serving");
    eventually("web scales", 10, || {
        replicas(&fake, "default", "web") == Some(4)
    })
    .await;
    assert_eq!(get(addr, "/healthz").await, (200, "ok".into()));
    assert_eq!(get(addr, "/readyz").await.0, 200);
    // The scale write lands before the sync that made it finishes (status
    // write, counters), so wait for the finished sync to show in the text.
    let needles = [
        "alpaca_controller_syncs_total{result=\"success\"}",
        "alpaca_controller_sync_duration_seconds_bucket",
        "alpaca_controller_desired_replicas{namespace=\"default\",name=\"web\"} 4",
        "alpaca_controller_current_replicas{namespace=\"default\",name=\"web\"}",
        "alpaca_controller_rescales_total 1",
        "alpaca_controller_leader 1",
        "alpaca_controller_autoscalers 1",
    ];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (code, text) = get(addr, "/metrics").await;
        assert_eq!(code, 200);
        if needles.iter().all(|n| text.contains(n)) {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            let missing: Vec<_> = needles.iter().filter(|n| !text.contains(*n)).collect();
            panic!("{missing:?} missing from:\n{text}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    running.stop().await.unwrap();
}
