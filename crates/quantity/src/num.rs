//! Fixed-width decimal helpers shared by parsing, printing and arithmetic:
//! powers of ten, digit counts, normalisation and rounding to 38 digits.

use crate::bignum::BigUint;

/// The most significant decimal digits a mantissa may have.
pub(crate) const MAX_DIGITS: u32 = 38;

/// `10^38`: every mantissa is strictly smaller than this in magnitude.
pub(crate) const MANTISSA_LIMIT: u128 = pow10(MAX_DIGITS);

/// `10^k` for `k <= 38` (larger `k` would overflow; callers check).
pub(crate) const fn pow10(k: u32) -> u128 {
    let mut v: u128 = 1;
    let mut i = 0;
    while i < k {
        v *= 10;
        i += 1;
    }
    v
}

/// `10^k` as a lookup, `None` when `k > 38`.
pub(crate) fn pow10_checked(k: u64) -> Option<u128> {
    POW10.get(usize::try_from(k).ok()?).copied()
}

static POW10: [u128; 39] = {
    let mut t = [0u128; 39];
    let mut i = 0;
    while i < 39 {
        t[i] = pow10(i as u32);
        i += 1;
    }
    t
};

/// The number of decimal digits of `v` (zero has none).
pub(crate) fn digit_count(v: u128) -> u32 {
    v.checked_ilog10().map_or(0, |l| l + 1)
}

/// Moves the factors of ten of `v` into the exponent `e`: the result's
/// magnitude is not divisible by ten (or is zero, with exponent zero).
pub(crate) fn strip_zeros(mut v: u128, mut e: i64) -> (u128, i64) {
    if v == 0 {
        return (0, 0);
    }
    while v > u128::from(u64::MAX) && v.is_multiple_of(10) {
        v /= 10;
        e += 1;
    }
    if let Ok(mut small) = u64::try_from(v) {
        while small.is_multiple_of(10) {
            small /= 10;
            e += 1;
        }
        v = u128::from(small);
    }
    (v, e)
}

/// A decimal value `mantissa × 10^exponent` in normal form: the mantissa is
/// not divisible by ten (zero has exponent zero), smaller than `10^38` in
/// magnitude, and the exponent fits an `i32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dec {
    /// Signed mantissa.
    pub(crate) mantissa: i128,
    /// Power of ten.
    pub(crate) exponent: i32,
}

impl Dec {
    /// Zero.
    pub(crate) const ZERO: Dec = Dec {
        mantissa: 0,
        exponent: 0,
    };

    /// The exact normal form of `±mag × 10^e`, or `None` when it does not fit
    /// (more than 38 significant digits, or an exponent outside `i32`).
    pub(crate) fn exact(negative: bool, mag: u128, e: i64) -> Option<Dec> {
        let (mag, e) = strip_zeros(mag, e);
        if mag >= MANTISSA_LIMIT {
            return None;
        }
        let exponent = i32::try_from(e).ok()?;
        // mag < 10^38 < i128::MAX, so the cast is lossless.
        let m = mag as i128;
        Some(Dec {
            mantissa: if negative { -m } else { m },
            exponent,
        })
    }

    /// `±(mag + sticky) × 10^e` rounded away from zero to 38 significant
    /// digits, where `sticky` means "plus a non-zero fraction of one unit".
    /// Returns the value and whether it is exact. An exponent beyond `i32`
    /// saturates to the largest representable magnitude.
    pub(crate) fn round(
        negative: bool,
        mut mag: u128,
        mut e: i64,
        mut sticky: bool,
    ) -> (Dec, bool) {
        while mag >= MANTISSA_LIMIT {
            sticky |= !mag.is_multiple_of(10);
            mag /= 10;
            e += 1;
        }
        Self::finish(negative, mag, e, sticky)
    }

    /// Like [`Dec::round`] for a magnitude of any size.
    pub(crate) fn round_big(
        negative: bool,
        mut mag: BigUint,
        mut e: i64,
        mut sticky: bool,
    ) -> (Dec, bool) {
        let small = loop {
            match mag.to_u128() {
                Some(v) if v < MANTISSA_LIMIT => break v,
                _ => {
                    sticky |= mag.divrem_small(10) != 0;
                    e += 1;
                }
            }
        };
        Self::finish(negative, small, e, sticky)
    }

    /// Applies the away-from-zero rounding of a `mag < 10^38` and normalises.
    fn finish(negative: bool, mut mag: u128, mut e: i64, sticky: bool) -> (Dec, bool) {
        if sticky {
            mag += 1;
            if mag == MANTISSA_LIMIT {
                mag = MANTISSA_LIMIT / 10;
                e += 1;
            }
        }
        match Self::exact(negative, mag, e) {
            Some(d) => (d, !sticky),
            None => {
                // Only the exponent can be out of range here: saturate.
                let m = (MANTISSA_LIMIT - 1) as i128;
                (
                    Dec {
                        mantissa: if negative { -m } else { m },
                        exponent: i32::MAX,
                    },
                    false,
                )
            }
        }
    }

    /// The value with its sign flipped (always exact).
    pub(crate) fn negated(self) -> Dec {
        Dec {
            mantissa: -self.mantissa,
            exponent: self.exponent,
        }
    }

    /// Whether the value is negative.
    pub(crate) fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    /// The position just above the most significant digit: a non-zero value
    /// lies in `[10^(magnitude-1), 10^magnitude)`.
    pub(crate) fn magnitude(self) -> i64 {
        i64::from(digit_count(self.mantissa.unsigned_abs())) + i64::from(self.exponent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_and_digits() {
        assert_eq!(pow10(0), 1);
        assert_eq!(
            pow10(38),
            100_000_000_000_000_000_000_000_000_000_000_000_000
        );
        assert_eq!(pow10_checked(39), None);
        assert_eq!(digit_count(0), 0);
        assert_eq!(digit_count(9), 1);
        assert_eq!(digit_count(10), 2);
        assert_eq!(digit_count(u128::MAX), 39);
    }

    #[test]
    fn strips_zeros() {
        assert_eq!(strip_zeros(0, 7), (0, 0));
        assert_eq!(strip_zeros(1500, -3), (15, -1));
        assert_eq!(strip_zeros(pow10(38), 0), (1, 38));
        assert_eq!(strip_zeros(123, 0), (123, 0));
    }

    #[test]
    fn rounds_away_from_zero() {
        let (d, exact) = Dec::round(false, MANTISSA_LIMIT + 1, 0, false);
        assert_eq!(
            (d.mantissa, d.exponent, exact),
            (pow10(37) as i128 + 1, 1, false)
        );
        let (d, exact) = Dec::round(true, MANTISSA_LIMIT * 3 - 1, 0, false);
        assert_eq!((d.mantissa, d.exponent, exact), (-3, 38, false));
        let (d, exact) = Dec::round(false, 120, 0, false);
        assert_eq!((d.mantissa, d.exponent, exact), (12, 1, true));
        let (d, exact) = Dec::round(false, 5, i64::from(i32::MAX) + 5, false);
        assert_eq!((d.exponent, exact), (i32::MAX, false));
    }
}
