//! Prints the benchmark's synthetic fleet scenario:
//! `cargo run --release -p alpaca-sim --example fleet -- 100 24h > fleet.yaml`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let hpas = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100);
    let duration = args.get(2).map_or("24h", String::as_str);
    print!("{}", alpaca_sim::fleet::scenario(hpas, duration));
}
