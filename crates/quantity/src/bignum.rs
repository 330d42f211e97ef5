//! A minimal arbitrary-precision unsigned integer for the rare exact paths.
//!
//! Almost every quantity fits the `i128` mantissa and is handled without this
//! module (and without allocating). Two paths need more room for a moment:
//! parsing a binary-suffixed number with a long fraction (its value times
//! `2^60` must be rounded exactly to nano units), and adding two quantities
//! whose exact sum needs more than 38 significant digits before it is rounded.
//! Only the handful of operations those paths need are provided. None of them
//! panics: a misuse (subtracting a larger number, dividing by zero) saturates
//! or is a no-op instead.

use std::cmp::Ordering;

/// `10^19`, the largest power of ten that fits a `u64`.
const TEN_POW_19: u64 = 10_000_000_000_000_000_000;

/// An unsigned integer of any size, as little-endian 64-bit limbs without
/// high zero limbs (zero is the empty vector).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BigUint {
    limbs: Vec<u64>,
}

impl BigUint {
    /// The number `v`.
    pub(crate) fn from_u128(v: u128) -> Self {
        let mut limbs = vec![v as u64, (v >> 64) as u64];
        trim(&mut limbs);
        Self { limbs }
    }

    /// Builds the number whose decimal digits (values `0..=9`) are `digits`,
    /// most significant first.
    pub(crate) fn from_decimal_digits(digits: impl IntoIterator<Item = u8>) -> Self {
        let mut out = Self::from_u128(0);
        let mut chunk: u64 = 0;
        let mut chunk_len = 0u32;
        for d in digits {
            chunk = chunk * 10 + u64::from(d % 10);
            chunk_len += 1;
            if chunk_len == 19 {
                out.mul_small(TEN_POW_19);
                out.add_small(chunk);
                chunk = 0;
                chunk_len = 0;
            }
        }
        if chunk_len > 0 {
            out.mul_small(10u64.pow(chunk_len));
            out.add_small(chunk);
        }
        out
    }

    /// Whether the number is zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// The number as a `u128`, if it fits.
    pub(crate) fn to_u128(&self) -> Option<u128> {
        match self.limbs.as_slice() {
            [] => Some(0),
            [lo] => Some(u128::from(*lo)),
            [lo, hi] => Some(u128::from(*lo) | (u128::from(*hi) << 64)),
            _ => None,
        }
    }

    /// `self *= m`.
    pub(crate) fn mul_small(&mut self, m: u64) {
        let mut carry: u128 = 0;
        for limb in &mut self.limbs {
            let product = u128::from(*limb) * u128::from(m) + carry;
            *limb = product as u64;
            carry = product >> 64;
        }
        if carry > 0 {
            self.limbs.push(carry as u64);
        }
        trim(&mut self.limbs);
    }

    /// `self += a`.
    pub(crate) fn add_small(&mut self, a: u64) {
        self.add(&Self::from_u128(u128::from(a)));
    }

    /// `self += other`.
    pub(crate) fn add(&mut self, other: &Self) {
        if self.limbs.len() < other.limbs.len() {
            self.limbs.resize(other.limbs.len(), 0);
        }
        let mut carry = false;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let rhs = other.limbs.get(i).copied().unwrap_or(0);
            if rhs == 0 && !carry && i >= other.limbs.len() {
                break;
            }
            let (sum, c1) = limb.overflowing_add(rhs);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = c1 || c2;
        }
        if carry {
            self.limbs.push(1);
        }
    }

    /// `self -= other`, saturating at zero when `other > self` (callers
    /// never do that).
    pub(crate) fn sub(&mut self, other: &Self) {
        if self.cmp_to(other) != Ordering::Greater {
            self.limbs.clear();
            return;
        }
        let mut borrow = false;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let rhs = other.limbs.get(i).copied().unwrap_or(0);
            let (diff, b1) = limb.overflowing_sub(rhs);
            let (diff, b2) = diff.overflowing_sub(u64::from(borrow));
            *limb = diff;
            borrow = b1 || b2;
        }
        trim(&mut self.limbs);
    }

    /// `self /= d`, returning the remainder. Dividing by zero leaves the
    /// number unchanged and returns zero.
    pub(crate) fn divrem_small(&mut self, d: u64) -> u64 {
        if d == 0 {
            return 0;
        }
        let mut rem: u128 = 0;
        for limb in self.limbs.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / u128::from(d)) as u64;
            rem = cur % u128::from(d);
        }
        trim(&mut self.limbs);
        rem as u64
    }

    /// `self *= 10^k`.
    pub(crate) fn mul_pow10(&mut self, mut k: u32) {
        if self.is_zero() {
            return;
        }
        while k >= 19 {
            self.mul_small(TEN_POW_19);
            k -= 19;
        }
        if k > 0 {
            self.mul_small(10u64.pow(k));
        }
    }

    /// `self /= 10^k` (truncating), returning whether the remainder was
    /// non-zero.
    pub(crate) fn div_pow10(&mut self, mut k: u32) -> bool {
        let mut inexact = false;
        while k >= 19 && !self.is_zero() {
            inexact |= self.divrem_small(TEN_POW_19) != 0;
            k -= 19;
        }
        if k > 0 && k < 19 && !self.is_zero() {
            inexact |= self.divrem_small(10u64.pow(k)) != 0;
        }
        inexact
    }

    /// Compares two numbers.
    pub(crate) fn cmp_to(&self, other: &Self) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

/// Drops high zero limbs so that every number has one representation.
fn trim(limbs: &mut Vec<u64>) {
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn digits_of(v: u128) -> Vec<u8> {
        v.to_string().bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn builds_from_long_digit_strings() {
        let s = "123456789012345678901234567890123456789012345678901234567890";
        let mut big = BigUint::from_decimal_digits(s.bytes().map(|b| b - b'0'));
        // Peel 10^19 chunks off and rebuild the string.
        let mut parts = Vec::new();
        while !big.is_zero() {
            parts.push(big.divrem_small(TEN_POW_19));
        }
        let mut rebuilt = String::new();
        for (i, p) in parts.iter().rev().enumerate() {
            if i == 0 {
                rebuilt.push_str(&p.to_string());
            } else {
                rebuilt.push_str(&format!("{p:019}"));
            }
        }
        assert_eq!(rebuilt, s);
    }

    #[test]
    fn misuse_does_not_panic() {
        let mut a = BigUint::from_u128(5);
        a.sub(&BigUint::from_u128(7));
        assert!(a.is_zero());
        let mut b = BigUint::from_u128(5);
        assert_eq!(b.divrem_small(0), 0);
        assert_eq!(b.to_u128(), Some(5));
    }

    proptest! {
        #[test]
        fn agrees_with_u128(a in any::<u64>(), b in any::<u64>(), m in 1u64.., k in 0u32..19) {
            let mut x = BigUint::from_decimal_digits(digits_of(u128::from(a)));
            prop_assert_eq!(x.to_u128(), Some(u128::from(a)));
            x.mul_small(m);
            prop_assert_eq!(x.to_u128(), Some(u128::from(a) * u128::from(m)));
            x.add(&BigUint::from_u128(u128::from(b)));
            let expect = u128::from(a) * u128::from(m) + u128::from(b);
            prop_assert_eq!(x.to_u128(), Some(expect));
            let mut y = x.clone();
            let rem = y.divrem_small(m);
            prop_assert_eq!(y.to_u128(), Some(expect / u128::from(m)));
            prop_assert_eq!(u128::from(rem), expect % u128::from(m));
            let mut z = x.clone();
            let inexact = z.div_pow10(k);
            let p = 10u128.pow(k);
            prop_assert_eq!(z.to_u128(), Some(expect / p));
            prop_assert_eq!(inexact, expect % p != 0);
            let mut w = BigUint::from_u128(u128::from(a));
            w.mul_pow10(k);
            prop_assert_eq!(w.to_u128(), Some(u128::from(a) * p));
            let mut s = x.clone();
            s.sub(&BigUint::from_u128(u128::from(b)));
            prop_assert_eq!(s.to_u128(), Some(u128::from(a) * u128::from(m)));
            prop_assert_eq!(x.cmp_to(&BigUint::from_u128(u128::from(b))), expect.cmp(&u128::from(b)));
        }
    }
}
