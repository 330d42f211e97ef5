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
    // At most 18 digits, so the value fits an i64 before the suffix is applied.
    let mut n: i64 = 0;
    let mut digits = 0;
    // Eight digits at a time while they last (nanocore usages have nine or ten).
    while let Some(chunk) = b.get(digits..digits + 8)
        && digits + 8 <= 16
        && let Some(v) = eight_digits(chunk)
    {
        n = n * 100_000_000 + v;
        digits += 8;
    }
    for &c in &b[digits..] {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        if digits == 18 {
            return None;
        }
        n = n * 10 + i64::from(d);
        digits += 1;
    }
    if digits == 0 {
        return None;
    }
    // The milli-value multiplier of each suffix; sub-milli suffixes divide instead and
    // round away from zero, as `MilliValue` does.
    let factor: i64 = match b[digits..] {
        [b'm'] => return Some(n),
        [b'n'] => return Some(n / 1_000_000 + i64::from(n % 1_000_000 != 0)),
        [b'u'] => return Some(n / 1_000 + i64::from(n % 1_000 != 0)),
        [] => 1_000,
        [b'k'] => 1_000_000,
        [b'M'] => 1_000_000_000,
        [b'G'] => 1_000_000_000_000,
        [b'T'] => 1_000_000_000_000_000,
        [b'K', b'i'] => 1_024_000,
        [b'M', b'i'] => 1_048_576_000,
        [b'G', b'i'] => 1_073_741_824_000,
        [b'T', b'i'] => 1_099_511_627_776_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// The value of eight ASCII digits, read as one little-endian word (the first digit in
/// the lowest byte), or `None` if any byte is not a digit. The checks and the folding of
/// digit pairs, quadruples and then all eight are Lemire's ("Fast integer parsing").
fn eight_digits(chunk: &[u8]) -> Option<i64> {
    let word = u64::from_le_bytes(chunk.try_into().ok()?);
    // Every byte is 0x30..=0x39: its high nibble is 3, and still 3 after adding 6.
    let high = word & 0xF0F0_F0F0_F0F0_F0F0;
    let high_plus_6 = (word.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4;
    if high | high_plus_6 != 0x3333_3333_3333_3333 {
        return None;
    }
    let v = word & 0x0F0F_0F0F_0F0F_0F0F;
    let v = (v.wrapping_mul(10 * 256 + 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let v = (v.wrapping_mul(100 * 65_536 + 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    let v = v.wrapping_mul(10_000 * (1 << 32) + 1) >> 32;
    Some(v as i64)
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
            "12345678",
            "123456789n",
            "1234567890123456",
            "12345678901234567",
            "123456789012345678",
            "1234567890123456789",
            "12345678/",
            "1234567:9",
            "1234567 9",
            "87654321Mi",
        ] {
            let full = Quantity::parse(s).map(|q| q.milli_value());
            assert_eq!(parse_milli(s), full, "{s:?}");
        }
    }

    #[test]
    fn eight_digits_rejects_every_other_byte() {
        for position in 0..8 {
            for byte in 0..=255u8 {
                let mut chunk = *b"12345678";
                chunk[position] = byte;
                let want = std::str::from_utf8(&chunk)
                    .ok()
                    .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
                    .map(|s| s.parse::<i64>().unwrap());
                assert_eq!(eight_digits(&chunk), want, "{chunk:?}");
            }
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
