//! Bounded waits for tests: poll a condition until it holds or a deadline passes.

use std::future::Future;
use std::time::Duration;

/// Polls `check` every 100 ms until it is true; panics naming `what` after `secs` seconds.
pub async fn eventually<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
