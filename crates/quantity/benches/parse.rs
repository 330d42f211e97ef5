//! Parse, print and convert timings for the quantities an HPA decision sees
//! (`cargo bench -p alpaca-quantity`).

use alpaca_quantity::{Format, Quantity};
use divan::black_box;

fn main() {
    divan::main();
}

const COMMON: &[&str] = &["250m", "64Mi", "1", "1500m", "2Gi", "100m", "512Mi", "4"];

#[divan::bench(args = COMMON)]
fn parse(s: &str) -> Quantity {
    Quantity::parse(black_box(s)).unwrap_or_default()
}

#[divan::bench(args = ["1.5Gi", "0.000000000001Ki", "9223372036854775807.123456789", "1.00000000000000000000000001Ei"])]
fn parse_unusual(s: &str) -> Quantity {
    Quantity::parse(black_box(s)).unwrap_or_default()
}

#[divan::bench]
fn milli_value() -> i64 {
    black_box(Quantity::from_milli(382_440_448_000, Format::BinarySI)).milli_value()
}

#[divan::bench]
fn print_binary(bencher: divan::Bencher) {
    let q = Quantity::from_milli(382_440_448_000, Format::BinarySI);
    bencher.bench(|| black_box(q).to_string());
}

#[divan::bench]
fn sum_1000_pods(bencher: divan::Bencher) {
    let pods: Vec<Quantity> = (0..1000)
        .map(|i| Quantity::from_milli(200 + i, Format::DecimalSI))
        .collect();
    bencher.bench(|| black_box(&pods).iter().sum::<Quantity>());
}
