//! Canonical printing, exactly as apimachinery's `CanonicalizeBytes`.
//!
//! * Zero prints `0`, whatever the format.
//! * Decimal SI and decimal exponent: the exponent is lowered to a multiple
//!   of three (padding the digits with at most two zeros) so that no
//!   fractional digit is printed and the suffix is as large as possible:
//!   `1.5` → `1500m`, `1000` → `1k`, `12e18` → `12E`, `1e3` → `1e3`,
//!   `0.08` as an exponent → `80e-3`. Decimal SI stops at `E` (10^18) and
//!   falls back to an exponent beyond it (`1000E` → `1e21`).
//! * Binary SI: a value strictly between -1024 and 1024, or not an integer,
//!   prints as decimal SI (`NewMilliQuantity(344142402615, BinarySI)` →
//!   `344142402615m`); otherwise the largest power of 1024 dividing it
//!   becomes the suffix (`1048576` → `1Mi`, `1536Mi` stays `1536Mi`).

use std::fmt;

use crate::format::{binary_si_suffix, decimal_si_suffix};
use crate::num::pow10_checked;
use crate::{Format, Quantity};

/// A fixed-size text buffer, so that printing never allocates.
pub(crate) struct StackBuf {
    bytes: [u8; 80],
    len: usize,
}

impl StackBuf {
    /// An empty buffer.
    pub(crate) fn new() -> Self {
        Self {
            bytes: [0; 80],
            len: 0,
        }
    }

    /// The text written so far.
    pub(crate) fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Quantity {
    /// Writes the canonical form (see the module documentation).
    fn write_canonical(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let (m, e) = self.to_parts();
        if m == 0 {
            return out.write_str("0");
        }
        let sign = if m < 0 { "-" } else { "" };
        let mag = m.unsigned_abs();
        if self.format() == Format::BinarySI
            && let Ok(e) = u64::try_from(e)
            && let Some(v) = pow10_checked(e).and_then(|p| mag.checked_mul(p))
            && v >= 1024
        {
            let power = (v.trailing_zeros() / 10).min(6);
            let rest = v >> (10 * power);
            let suffix = binary_si_suffix(power).unwrap_or_default();
            return write!(out, "{sign}{rest}{suffix}");
        }
        let e = i64::from(e);
        let e3 = e.div_euclid(3) * 3;
        write!(out, "{sign}{mag}")?;
        for _ in e3..e {
            out.write_char('0')?;
        }
        let si = match self.format() {
            Format::DecimalExponent => None,
            Format::DecimalSI | Format::BinarySI => decimal_si_suffix(e3),
        };
        match si {
            Some(suffix) => out.write_str(suffix),
            None if e3 == 0 => Ok(()),
            None => write!(out, "e{e3}"),
        }
    }
}

impl fmt::Display for Quantity {
    /// The canonical form, as `q.String()` prints it (width and alignment
    /// flags apply to the whole text).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = StackBuf::new();
        self.write_canonical(&mut buf)?;
        f.pad(buf.as_str())
    }
}
