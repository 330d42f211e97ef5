//! Deterministic randomness: SplitMix64 used as a counter-based generator, so a noise
//! value depends only on (seed, stream, index) and never on the order in which the
//! simulator asks for it. Same scenario and seed, same numbers, on every platform.

/// SplitMix64's finalizer: a well-mixed 64-bit hash of a 64-bit input.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a name, to turn a stream name into a number.
pub fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A uniform number in `[0, 1)` for (seed, stream, index).
pub fn uniform(seed: u64, stream: u64, index: u64) -> f64 {
    let z = mix(mix(seed ^ mix(stream)).wrapping_add(index));
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A standard normal number for (seed, stream, index) (Box–Muller).
pub fn normal(seed: u64, stream: u64, index: u64) -> f64 {
    let u1 = uniform(seed, stream, index.wrapping_mul(2)).max(f64::MIN_POSITIVE);
    let u2 = uniform(seed, stream, index.wrapping_mul(2).wrapping_add(1));
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_numbers() {
        assert_eq!(uniform(1, 2, 3), uniform(1, 2, 3));
        assert_ne!(uniform(1, 2, 3), uniform(1, 2, 4));
        let mean: f64 = (0..10_000).map(|i| uniform(7, 1, i)).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        let var: f64 = (0..10_000).map(|i| normal(7, 1, i).powi(2)).sum::<f64>() / 10_000.0;
        assert!((var - 1.0).abs() < 0.1, "{var}");
    }
}
