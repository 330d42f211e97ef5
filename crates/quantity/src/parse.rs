//! Parsing quantity strings the way `resource.ParseQuantity` does.
//!
//! The grammar is `[+-]? digits [. digits] suffix` where the suffix is a
//! decimal SI suffix (`n u m k M G T P E` or none), a binary SI suffix
//! (`Ki`…`Ei`) or a decimal exponent (`e3`, `E-6`, `e+2`). The value is then:
//!
//! * rounded away from zero to a whole number of nano units (`0.1n` → `1n`,
//!   `-1e-100` → `-1n`), zero staying zero;
//! * for binary suffixes, capped in magnitude at `2^63 - 1` (`8Ei` parses as
//!   `9223372036854775807`), and printed as decimal SI when it ended up
//!   between zero and one (`0.000001Ki` → `1024u`).
//!
//! Everything is exact integer arithmetic on the digits; the common short
//! forms (`250m`, `64Mi`, `1`) never allocate. Binary values with very long
//! fractions take a rare exact path through [`crate::bignum`].

use crate::bignum::BigUint;
use crate::format::Suffix;
use crate::num::{Dec, MAX_DIGITS, pow10_checked};
use crate::{Format, Quantity, QuantityError};

/// The cap on a binary value, `2^63 - 1` (upstream's `maxAllowed`), in nano
/// units.
const MAX_BINARY_NANO: u128 = (i64::MAX as u128) * 1_000_000_000;

/// Characters that may start a suffix (upstream's scanner set).
const SUFFIX_LETTERS: &[u8] = b"eEinumkKMGTP";

/// Parses `s` (see the module documentation).
pub(crate) fn parse(s: &str) -> Result<Quantity, QuantityError> {
    let b = s.as_bytes();
    let format_error = || QuantityError::Format(s.to_owned());

    let mut pos = 0;
    let negative = match b.first() {
        None => return Err(format_error()),
        Some(b'-') => {
            pos = 1;
            true
        }
        Some(b'+') => {
            pos = 1;
            false
        }
        Some(_) => false,
    };
    let int_start = pos;
    while let Some(c) = b.get(pos)
        && c.is_ascii_digit()
    {
        pos += 1;
    }
    let int = b.get(int_start..pos).unwrap_or_default();
    let mut frac: &[u8] = &[];
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let frac_start = pos;
        while let Some(c) = b.get(pos)
            && c.is_ascii_digit()
        {
            pos += 1;
        }
        frac = b.get(frac_start..pos).unwrap_or_default();
    }
    let suffix = b.get(pos..).unwrap_or_default();
    if !suffix_has_shape(suffix) {
        return Err(format_error());
    }
    let suffix = Suffix::interpret(suffix).ok_or_else(|| QuantityError::Suffix(s.to_owned()))?;
    if int.is_empty() && frac.is_empty() {
        // Upstream's scanner takes a missing number for zero ("Ki", "-",
        // "."); the grammar (and this crate) requires a digit.
        return Err(format_error());
    }

    let digits = Digits { int, frac };
    let (Some(first), Some(last)) = (digits.first_nonzero(), digits.last_nonzero()) else {
        return Ok(Quantity::from_dec(Dec::ZERO, suffix.format()));
    };
    // The significant digits are digits[first..=last]; the value is that
    // integer times 10^e (times 2^bits for a binary suffix).
    let significant = (last - first + 1) as u64;
    let trailing_zeros = (digits.len() - 1 - last) as i128;
    let (exp10, bits) = match suffix {
        Suffix::DecimalSI(e) | Suffix::Exponent(e) => (e, 0),
        Suffix::BinarySI(bits) => (0, bits),
    };
    let e = i128::from(exp10) - frac.len() as i128 + trailing_zeros;

    if bits == 0 {
        let dec = decimal(&digits, first, last, significant, e)
            .ok_or_else(|| QuantityError::OutOfRange(s.to_owned()))?;
        let dec = if negative { dec.negated() } else { dec };
        return Ok(Quantity::from_dec(dec, suffix.format()));
    }

    let integer_digits = i128::from(significant) + e;
    let (mag, exp) = if integer_digits > 19 {
        // At least 10^19 > 2^63 - 1.
        (MAX_BINARY_NANO, -9)
    } else if e >= -9 {
        // No digit below the nano point: exactly digits × 2^bits × 10^e.
        match digits.accumulate(first, last).checked_mul(1u128 << bits) {
            Some(x) if !exceeds_binary_cap(x, e as i64) => (x, e as i64),
            _ => (MAX_BINARY_NANO, -9),
        }
    } else {
        let nano = binary_nano(&digits, first, last, significant, e, bits);
        (nano.min(MAX_BINARY_NANO), -9)
    };
    let below_one = exp < 0 && pow10_checked(exp.unsigned_abs()).is_some_and(|p| mag < p);
    // A binary value between zero and one prints as decimal SI.
    let format = if below_one {
        Format::DecimalSI
    } else {
        Format::BinarySI
    };
    // At most 28 digits and an exponent in -9..=18: this always fits.
    let dec = Dec::exact(negative, mag, exp).unwrap_or(Dec::ZERO);
    Ok(Quantity::from_dec(dec, format))
}

/// Whether `x × 10^e` (`e` in `-9..=18`) is above the binary cap `2^63 - 1`.
fn exceeds_binary_cap(x: u128, e: i64) -> bool {
    let max = i64::MAX as u128;
    if e >= 0 {
        pow10_checked(e.unsigned_abs())
            .and_then(|p| x.checked_mul(p))
            .is_none_or(|v| v > max)
    } else {
        pow10_checked(e.unsigned_abs())
            .and_then(|p| max.checked_mul(p))
            .is_some_and(|limit| x > limit)
    }
}

/// Upstream's scanner accepts a suffix of the form `[eEinumkKMGTP]*[+-]?[0-9]*`
/// and reports anything else as a format error.
fn suffix_has_shape(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(c) = s.get(i)
        && SUFFIX_LETTERS.contains(c)
    {
        i += 1;
    }
    if let Some(b'+' | b'-') = s.get(i) {
        i += 1;
    }
    while let Some(c) = s.get(i)
        && c.is_ascii_digit()
    {
        i += 1;
    }
    i == s.len()
}

/// The positive value `digits[first..=last] × 10^e`, rounded up to whole nano
/// units; `None` when it needs more than 38 significant digits or its
/// exponent is beyond `i32`.
fn decimal(
    digits: &Digits<'_>,
    first: usize,
    last: usize,
    significant: u64,
    e: i128,
) -> Option<Dec> {
    if e >= -9 {
        if significant > u64::from(MAX_DIGITS) {
            return None;
        }
        return Dec::exact(
            false,
            digits.accumulate(first, last),
            i64::try_from(e).ok()?,
        );
    }
    // Digits below the nano point are dropped and the rest rounded up; the
    // dropped part is never zero because digits[last] is not.
    let below = -9 - e;
    if below >= i128::from(significant) {
        return Dec::exact(false, 1, -9);
    }
    let kept = significant - below as u64;
    let kept_last = last - below as usize;
    if kept > u64::from(MAX_DIGITS) {
        // Rounding up only fits if it carries all the way: 99…9 + 1.
        return if (first..=kept_last).all(|i| digits.at(i) == 9) {
            Dec::exact(false, 1, -9 + i64::try_from(kept).ok()?)
        } else {
            None
        };
    }
    Dec::exact(false, digits.accumulate(first, kept_last) + 1, -9)
}

/// `ceil(digits[first..=last] × 10^e × 2^bits × 10^9)`: the positive binary
/// value in nano units, rounded up. Saturates at `u128::MAX` (callers cap at
/// `2^63 - 1` anyway). The caller guarantees at most 19 integer digits.
fn binary_nano(
    digits: &Digits<'_>,
    first: usize,
    last: usize,
    significant: u64,
    e: i128,
    bits: u32,
) -> u128 {
    let multiplier = 1u128 << bits;
    let t = e + 9;
    if t >= 0 {
        // At most 19 integer digits and no digit below the nano point: fewer
        // than 29 digits in all.
        let scaled = pow10_checked(t as u64)
            .and_then(|p| digits.accumulate(first, last).checked_mul(p))
            .unwrap_or(u128::MAX);
        return scaled.saturating_mul(multiplier);
    }
    // `below` digits lie below the nano point. Only the top `bits + 1` of
    // them can change the rounded result: the rest are folded into a sticky
    // "something non-zero was dropped" flag. (With at least `bits` kept
    // digits, the dropped part is smaller than the gap between the kept
    // value's fractional part and the next integer.)
    let below = (-t) as u64;
    let keep = below.min(u64::from(bits) + 1);
    let dropped = below - keep;
    let sticky = dropped > 0;
    if dropped >= significant {
        return 1;
    }
    let hi_last = last - dropped as usize;
    let count = significant - dropped;
    if count <= u64::from(MAX_DIGITS)
        && let Some(x) = digits.accumulate(first, hi_last).checked_mul(multiplier)
    {
        return match pow10_checked(keep) {
            Some(p) => x / p + u128::from(sticky || !x.is_multiple_of(p)),
            // x < 2^128 < 10^keep: the quotient is zero.
            None => u128::from(sticky || x != 0),
        };
    }
    let mut big = BigUint::from_decimal_digits((first..=hi_last).map(|i| digits.at(i)));
    big.mul_small(1u64 << bits);
    let inexact = big.div_pow10(keep as u32);
    big.to_u128()
        .unwrap_or(u128::MAX)
        .saturating_add(u128::from(sticky || inexact))
}

/// The digits of the integer and fraction parts, seen as one sequence.
struct Digits<'a> {
    int: &'a [u8],
    frac: &'a [u8],
}

impl Digits<'_> {
    fn len(&self) -> usize {
        self.int.len() + self.frac.len()
    }

    /// The value (`0..=9`) of digit `i`.
    fn at(&self, i: usize) -> u8 {
        let c = match i.checked_sub(self.int.len()) {
            None => self.int.get(i),
            Some(j) => self.frac.get(j),
        };
        c.map_or(0, |c| c.wrapping_sub(b'0'))
    }

    fn first_nonzero(&self) -> Option<usize> {
        (0..self.len()).find(|&i| self.at(i) != 0)
    }

    fn last_nonzero(&self) -> Option<usize> {
        (0..self.len()).rev().find(|&i| self.at(i) != 0)
    }

    /// The integer spelled by digits `from..=to` (at most 38 of them).
    fn accumulate(&self, from: usize, to: usize) -> u128 {
        (from..=to).fold(0u128, |acc, i| {
            acc.wrapping_mul(10).wrapping_add(u128::from(self.at(i)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The binary rounding computed the slow, obviously exact way: every
    /// digit kept in a big integer.
    fn binary_nano_reference(digits: &str, frac_len: u32, bits: u32) -> u128 {
        let mut big = BigUint::from_decimal_digits(digits.bytes().map(|b| b - b'0'));
        big.mul_small(1u64 << bits);
        big.mul_pow10(9);
        let inexact = big.div_pow10(frac_len);
        big.to_u128().unwrap_or(u128::MAX) + u128::from(inexact)
    }

    proptest! {
        /// The truncated/sticky computation of binary values agrees with the
        /// exact one on long fractions.
        #[test]
        fn binary_rounding_matches_exact(int in "[1-9][0-9]{0,5}", frac in "[0-9]{0,80}[1-9]", pow in 1u32..=6) {
            let bits = pow * 10;
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][pow as usize];
            let q = parse(&format!("{int}.{frac}{suffix}")).unwrap();
            let reference = binary_nano_reference(&format!("{int}{frac}"), frac.len() as u32, bits).min(MAX_BINARY_NANO);
            let (m, e) = q.to_parts();
            let nano = (m as u128) * crate::num::pow10((e + 9) as u32);
            prop_assert_eq!(nano, reference);
        }

        /// Parsing arbitrary text never panics.
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }

        /// Nor does text built from the quantity alphabet.
        #[test]
        fn never_panics_on_quantity_alphabet(s in "[-+.0-9eEinumkKMGTP]{0,60}") {
            if let Ok(q) = parse(&s) {
                let printed = q.to_string();
                let again = parse(&printed).unwrap();
                prop_assert_eq!(again.to_string(), printed);
            }
        }
    }
}
