//! The simulator's cost: a fleet of HPAs (cpu 50%, 1 to 20 pods each, sine-wave load with
//! noise) over simulated time, synced every 15s through the shared controller loop.
//!
//! `cargo bench -p alpaca-sim` — figures are in docs/simulator.md.

use alpaca_sim::{Options, Quiet, Scenario, fleet, run};

// The allocator the `alpaca` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn scenario(hpas: usize, duration: &str) -> Scenario {
    Scenario::parse(&fleet::scenario(hpas, duration), None, "fleet")
        .expect("the fleet scenario is valid")
}

/// 24 simulated hours; 1,000 HPAs is a single run.
#[divan::bench(args = [10, 100, 1000], sample_count = 1, sample_size = 1)]
fn day(bencher: divan::Bencher, hpas: usize) {
    let sc = scenario(hpas, "24h");
    bencher.bench_local(|| run(&sc, &Options::default(), &mut Quiet).expect("runs"));
}

/// 100 HPAs over 1, 6 and 24 simulated hours: cost linear in duration.
#[divan::bench(args = ["1h", "6h", "24h"], sample_count = 1, sample_size = 1)]
fn hundred_hpas(bencher: divan::Bencher, duration: &str) {
    let sc = scenario(100, duration);
    bencher.bench_local(|| run(&sc, &Options::default(), &mut Quiet).expect("runs"));
}
