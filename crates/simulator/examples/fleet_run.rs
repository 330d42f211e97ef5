//! Runs the benchmark's synthetic fleet quietly, once, with the `alpaca` binary's
//! allocator — for profiling (`valgrind --tool=callgrind`) and peak memory:
//! `cargo run --release -p alpaca-sim --example fleet_run -- 100 1h`.

use alpaca_sim::{Options, Quiet, Scenario, fleet, run};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let hpas = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100);
    let duration = args.get(2).map_or("1h", String::as_str);
    let sc = Scenario::parse(&fleet::scenario(hpas, duration), None, "fleet")
        .expect("the fleet scenario is valid");
    let outcome = run(&sc, &Options::default(), &mut Quiet).expect("runs");
    let replicas: i64 = outcome
        .hpas
        .iter()
        .map(|h| i64::from(h.final_replicas))
        .sum();
    println!(
        "{} HPAs, {duration}: {replicas} replicas at the end",
        outcome.hpas.len()
    );
}
