//! `cargo bench -p alpaca-engine`: `decide` on the shared benchmark Snapshots (10, 100 and
//! 1,000 ready pods, three metrics, behavior policies both ways, 20 stored recommendations
//! and scale events), the same files upstream's Go code was timed on (bench/snapshots/README.md).

use std::path::Path;

use alpaca_engine::{Snapshot, decide, read_snapshot};

// The allocator the `alpaca` binary uses: glibc's malloc scatters the 1,000-pod Snapshot
// over a fragmented heap, and the figures then depend on what ran before.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn load(pods: usize) -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../bench/snapshots/snap-{pods}.json"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_snapshot(&bytes).expect("benchmark snapshot reads")
}

/// The decision alone: everything `decide` does, with the Snapshot already parsed.
#[divan::bench(args = [10, 100, 1000])]
fn decision(bencher: divan::Bencher, pods: usize) {
    let snapshot = load(pods);
    let expected = decide(&snapshot).expect("decides").desired_replicas;
    assert_eq!(
        expected,
        [14, 149, 1499][[10, 100, 1000].iter().position(|p| *p == pods).unwrap()]
    );
    bencher.bench(|| decide(divan::black_box(&snapshot)).expect("decides"));
}

/// The decision without the explanation, as the controller loop runs it.
#[divan::bench(args = [10, 100, 1000])]
fn decision_without_explanation(bencher: divan::Bencher, pods: usize) {
    let snapshot = load(pods);
    let options = alpaca_engine::Options { explain: false };
    bencher.bench(|| {
        alpaca_engine::decide_with(divan::black_box(&snapshot), options).expect("decides")
    });
}

/// Reading the Snapshot file's bytes into a Snapshot (not part of upstream's figure).
#[divan::bench(args = [10, 100, 1000])]
fn read(bencher: divan::Bencher, pods: usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../bench/snapshots/snap-{pods}.json"));
    let bytes = std::fs::read(path).unwrap();
    bencher.bench(|| read_snapshot(divan::black_box(&bytes)).expect("reads"));
}
