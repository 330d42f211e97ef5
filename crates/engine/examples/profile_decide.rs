//! Runs `decide` on a benchmark Snapshot many times, for profilers (callgrind, perf):
//! `cargo run --release -p alpaca-engine --example profile_decide -- bench/snapshots/snap-1000.json 200 [quiet]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "bench/snapshots/snap-1000.json".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let explain = args.next().as_deref() != Some("quiet");
    let bytes = std::fs::read(&path).expect("snapshot file");
    let snapshot = alpaca_engine::read_snapshot(&bytes).expect("valid snapshot");
    let mut total = 0i64;
    for _ in 0..n {
        total += i64::from(
            alpaca_engine::decide_with(&snapshot, alpaca_engine::Options { explain })
                .expect("decides")
                .desired_replicas,
        );
    }
    println!("{total}");
}
