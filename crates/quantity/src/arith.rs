//! Exact arithmetic: `+`, `-`, unary `-`, `+=`, `-=`, `Sum`, and the checked
//! forms that report when a result could not be exact.
//!
//! As in apimachinery, a zero left operand takes the right operand's format
//! (`0 + 1Gi` prints `1Gi`), otherwise the left operand's format is kept.
//!
//! Sums are exact whenever the result has at most 38 significant digits and
//! an exponent within `i32` — every sum of real resource quantities does.
//! Past that, where apimachinery would grow an `inf.Dec`, the operators round
//! the exact result away from zero to 38 significant digits (saturating at
//! the largest representable magnitude if even the exponent overflows) and
//! the `checked_*` forms return `None`. Negation is always exact.

use std::cmp::Ordering;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use crate::Quantity;
use crate::bignum::BigUint;
use crate::num::{Dec, pow10_checked};

impl Quantity {
    /// `self + rhs` if it is exactly representable (see the module docs),
    /// else `None`.
    pub fn checked_add(self, rhs: Quantity) -> Option<Quantity> {
        let (sum, exact) = add_rounding(self, rhs);
        exact.then_some(sum)
    }

    /// `self - rhs` if it is exactly representable, else `None`.
    pub fn checked_sub(self, rhs: Quantity) -> Option<Quantity> {
        self.checked_add(-rhs)
    }
}

/// `a + b` with upstream's format rule, and whether it is exact.
fn add_rounding(a: Quantity, b: Quantity) -> (Quantity, bool) {
    let format = if a.is_zero() { b.format() } else { a.format() };
    let (dec, exact) = add_dec(a.dec(), b.dec());
    (Quantity::from_dec(dec, format), exact)
}

/// The sum of two values, rounded away from zero to 38 digits if need be,
/// and whether it is exact.
pub(crate) fn add_dec(a: Dec, b: Dec) -> (Dec, bool) {
    if a.mantissa == 0 {
        return (b, true);
    }
    if b.mantissa == 0 {
        return (a, true);
    }
    let (hi, lo) = if a.exponent >= b.exponent {
        (a, b)
    } else {
        (b, a)
    };
    let shift = (i64::from(hi.exponent) - i64::from(lo.exponent)).unsigned_abs();
    if let Some(p) = pow10_checked(shift)
        && let Some(aligned) = hi.mantissa.checked_mul(p as i128)
        && let Some(sum) = aligned.checked_add(lo.mantissa)
    {
        return Dec::round(sum < 0, sum.unsigned_abs(), i64::from(lo.exponent), false);
    }
    wide_add(hi, lo)
}

/// The sum when aligning the operands overflows `i128`; `hi` has the larger
/// exponent.
fn wide_add(hi: Dec, lo: Dec) -> (Dec, bool) {
    // Digits of `lo` more than WINDOW places below `hi`'s exponent can only
    // affect the rounding (the result keeps 38 digits and, since |lo| is then
    // far below |hi|, cannot cancel down to them): fold them into a sticky
    // flag instead of building an enormous integer.
    const WINDOW: i64 = 80;
    let (he, le) = (i64::from(hi.exponent), i64::from(lo.exponent));
    let base = le.max(he - WINDOW);
    let cut = (base - le).unsigned_abs();
    let lo_mag = lo.mantissa.unsigned_abs();
    let (lo_kept, lo_sticky) = if cut == 0 {
        (lo_mag, false)
    } else {
        match pow10_checked(cut) {
            Some(p) => (lo_mag / p, !lo_mag.is_multiple_of(p)),
            None => (0, true),
        }
    };
    let mut h = BigUint::from_u128(hi.mantissa.unsigned_abs());
    h.mul_pow10((he - base).unsigned_abs() as u32);
    let mut l = BigUint::from_u128(lo_kept);
    let (h_neg, l_neg) = (hi.is_negative(), lo.is_negative());
    if h_neg == l_neg {
        h.add(&l);
        return Dec::round_big(h_neg, h, base, lo_sticky);
    }
    if lo_sticky {
        // |hi| - |lo| = (H - L - 1) + (1 - dropped fraction), H far above L.
        l.add_small(1);
        h.sub(&l);
        return Dec::round_big(h_neg, h, base, true);
    }
    match h.cmp_to(&l) {
        Ordering::Equal => (Dec::ZERO, true),
        Ordering::Greater => {
            h.sub(&l);
            Dec::round_big(h_neg, h, base, false)
        }
        Ordering::Less => {
            l.sub(&h);
            Dec::round_big(l_neg, l, base, false)
        }
    }
}

impl Add for Quantity {
    type Output = Quantity;

    /// `q.Add(y)`: exact for any realistic quantity; see the module docs for
    /// the rounding beyond 38 significant digits and [`Quantity::checked_add`].
    fn add(self, rhs: Quantity) -> Quantity {
        add_rounding(self, rhs).0
    }
}

impl Sub for Quantity {
    type Output = Quantity;

    /// `q.Sub(y)`: like [`Add`], a zero left side takes `rhs`'s format.
    fn sub(self, rhs: Quantity) -> Quantity {
        self + -rhs
    }
}

impl Neg for Quantity {
    type Output = Quantity;

    /// `q.Neg()`: exact, keeps the format.
    fn neg(self) -> Quantity {
        Quantity::from_dec(self.dec().negated(), self.format())
    }
}

impl AddAssign for Quantity {
    fn add_assign(&mut self, rhs: Quantity) {
        *self = *self + rhs;
    }
}

impl SubAssign for Quantity {
    fn sub_assign(&mut self, rhs: Quantity) {
        *self = *self - rhs;
    }
}

impl Sum for Quantity {
    /// Adds up from [`Quantity::ZERO`], so the first non-zero term's format
    /// wins, as when looping with `q.Add`.
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Quantity {
        iter.fold(Quantity::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Quantity> for Quantity {
    /// As for owned quantities.
    fn sum<I: Iterator<Item = &'a Quantity>>(iter: I) -> Quantity {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;

    fn q(m: i128, e: i32) -> Quantity {
        Quantity::from_parts(m, e, Format::DecimalSI).unwrap_or(Quantity::ZERO)
    }

    #[test]
    fn wide_sums_round_away_from_zero() {
        // 1e100 + 1: needs 101 digits, rounds up to 1000…001e63.
        let big = q(1, 100);
        let sum = big + q(1, 0);
        assert_eq!(sum.to_parts(), (crate::num::pow10(37) as i128 + 1, 63));
        assert_eq!(big.checked_add(q(1, 0)), None);
        // 1e100 - 1 = 99…9 (100 nines) rounds away from zero, back to 1e100.
        let diff = big - q(1, 0);
        assert_eq!(diff.to_parts(), (1, 100));
        assert_eq!(big.checked_sub(q(1, 0)), None);
        // Cancellation stays exact.
        assert_eq!(big.checked_sub(big), Some(Quantity::ZERO));
        let a = q(crate::num::pow10(38) as i128 - 1, 0);
        assert_eq!(a.checked_add(a), None);
        assert_eq!(a.checked_sub(a - q(1, 0)), Some(q(1, 0)));
        // Saturation at the largest exponent.
        let top = q(crate::num::pow10(38) as i128 - 1, i32::MAX);
        assert_eq!((top + top).to_parts(), top.to_parts());
        assert_eq!((-top - top).to_parts(), (-top).to_parts());
    }

    #[test]
    fn wide_path_with_huge_exponent_gap() {
        let a = q(5, 1_000_000);
        let b = q(-3, 0);
        let (sum, exact) = add_dec(a.dec(), b.dec());
        // 5e1000000 - 3 = 4.99…97e1000000, rounded away from zero to 38
        // digits: 5e1000000 again.
        assert!(!exact);
        assert_eq!((sum.mantissa, sum.exponent), (5, 1_000_000));
        let (sum, exact) = add_dec(b.dec(), a.dec());
        assert!(!exact);
        assert_eq!((sum.mantissa, sum.exponent), (5, 1_000_000));
        // A gap just inside the window keeps every digit it can.
        let (sum, exact) = add_dec(q(1, 60).dec(), q(-1, 0).dec());
        assert!(!exact);
        assert_eq!((sum.mantissa, sum.exponent), (1, 60));
        let (sum, exact) = add_dec(q(1, 30).dec(), q(-1, 0).dec());
        assert!(exact);
        assert_eq!(
            (sum.mantissa, sum.exponent),
            (crate::num::pow10(30) as i128 - 1, 0)
        );
        let (sum, _) = add_dec(a.dec(), q(3, 0).dec());
        assert_eq!(
            (sum.mantissa, sum.exponent),
            (crate::num::pow10(37) as i128 * 5 + 1, 1_000_000 - 37)
        );
    }
}
