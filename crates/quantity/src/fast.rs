//! A fast path for the strings Kubernetes objects hold most: a plain integer with an
//! optional common suffix (`250m`, `1`, `64Mi`, `2G`), read straight into a milli-value
//! without building a [`Quantity`]. Anything else goes through the full parser, so the
//! result is always exactly [`Quantity::milli_value`] of [`Quantity::parse`].

use crate::{Quantity, QuantityError};

/// `Quantity::parse(s)?.milli_value()`, computed without the general parser when `s` is
/// digits followed by `m`, nothing, a decimal SI suffix or a binary suffix.
pub(crate) fn parse_milli(s: &str) -> Result<i64, QuantityError> {
    fast(s.as_bytes()).map_or_else(|| Quantity::parse(s).map(|q| q.milli_value()), Ok)
}

fn fast(b: &[u8]) -> Option<i64> {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for c in &b[..digits] {
        n = n * 10 + i64::from(c - b'0');
    }
    // Sub-milli suffixes round away from zero, as `MilliValue` does.
    let divisor = match &b[digits..] {
        b"n" => Some(1_000_000),
        b"u" => Some(1_000),
        _ => None,
    };
    if let Some(d) = divisor {
        return Some(n / d + i64::from(n % d != 0));
    }
    // The milli-value multiplier of each suffix.
    let factor: i64 = match &b[digits..] {
        b"m" => return Some(n),
        b"" => 1_000,
        b"k" => 1_000_000,
        b"M" => 1_000_000_000,
        b"G" => 1_000_000_000_000,
        b"T" => 1_000_000_000_000_000,
        b"Ki" => 1_024_000,
        b"Mi" => 1_048_576_000,
        b"Gi" => 1_073_741_824_000,
        b"Ti" => 1_099_511_627_776_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_full_parser() {
        for s in [
            "250m",
            "0",
            "1",
            "15",
            "64Mi",
            "2Gi",
            "3k",
            "4M",
            "5G",
            "6T",
            "1Ti",
            "999999999999999999",
            "999999999999999999T",
            "1.5",
            "0.5m",
            "1e3",
            "+1",
            "-2",
            "12Mx",
            "",
            "m",
            "1Ei",
            "10P",
            "250000000n",
            "1n",
            "999999n",
            "1000000n",
            "0n",
            "5u",
            "1500u",
        ] {
            let full = Quantity::parse(s).map(|q| q.milli_value());
            assert_eq!(parse_milli(s), full, "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_digits_and_suffix(n in 0u64..1_000_000_000_000_000_000, suffix in proptest::sample::select(vec!["", "n", "u", "m", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"])) {
            let s = format!("{n}{suffix}");
            proptest::prop_assert_eq!(parse_milli(&s), Quantity::parse(&s).map(|q| q.milli_value()));
        }
    }
}
