//! The [`Quantity`] type: construction, accessors, the integer conversions
//! with apimachinery's rounding, and comparison by value.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::num::{Dec, pow10_checked};
use crate::print::StackBuf;
use crate::{Format, QuantityError};

/// An exact decimal quantity, Kubernetes' `resource.Quantity`.
///
/// The value is `mantissa × 10^exponent` with an integer mantissa: no floating
/// point is involved anywhere except [`Quantity::as_approximate_f64`]. The
/// [`Format`] only decides how the value prints; equality, ordering and
/// hashing look at the value alone, so `1000m == 1 == 1e3`.
///
/// # Range
///
/// Any value with at most 38 significant decimal digits and a power of ten
/// within `i32` is represented exactly. That covers every int64 quantity at
/// nano precision (`9223372036854775807.999999999` needs 28 digits) and far
/// beyond: `1e100` and `18446744073709551616` are fine. Parsing a value that
/// needs more digits (after rounding to nano units) fails with
/// [`QuantityError::OutOfRange`] where apimachinery's `inf.Dec` would carry
/// on; arithmetic that would need more rounds (see [`std::ops::Add`]).
///
/// # Example
///
/// ```
/// use alpaca_quantity::{Format, Quantity};
///
/// let q: Quantity = "1.5Gi".parse().unwrap();
/// assert_eq!(q.to_string(), "1536Mi");
/// assert_eq!(q.format(), Format::BinarySI);
/// assert_eq!(Quantity::parse("250m").unwrap().milli_value(), 250);
/// assert_eq!(Quantity::from_milli(1500, Format::DecimalSI).to_string(), "1500m");
/// assert_eq!(Quantity::parse("1k").unwrap(), Quantity::parse("1e3").unwrap());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    /// The value, in normal form (see [`Dec`]): a mantissa not divisible by
    /// ten and below `10^38` in magnitude. Every quantity is a whole number of
    /// nano units, so the exponent is at least `-9`.
    mantissa: i128,
    /// The power of ten.
    exponent: i32,
    /// How the value prints.
    format: Format,
}

impl Quantity {
    /// Zero, printed as `0` (the zero value of upstream's `Quantity`).
    pub const ZERO: Quantity = Quantity {
        mantissa: 0,
        exponent: 0,
        format: Format::DecimalSI,
    };

    /// Parses a quantity like `resource.ParseQuantity`: `250m`, `64Mi`,
    /// `1.5`, `.5`, `5.`, `-1e-3`, `+12E`.
    ///
    /// The value is rounded away from zero to whole nano units (`0.1n` is
    /// `1n`), binary-suffixed values are capped at `2^63 - 1` in magnitude,
    /// and the format follows the suffix (`Ki`… binary, `e3` exponent, else
    /// decimal SI). Leading or trailing whitespace is an error, as upstream.
    ///
    /// # Errors
    ///
    /// A [`QuantityError`] quoting `s` when it is not a quantity, or when it
    /// needs more than 38 significant digits.
    pub fn parse(s: &str) -> Result<Self, QuantityError> {
        crate::parse::parse(s)
    }

    /// `Quantity::parse(s)?.milli_value()`, with a fast path for the common forms
    /// (`250m`, `1`, `64Mi`): what the HPA needs from most quantities it reads.
    pub fn parse_milli_value(s: &str) -> Result<i64, QuantityError> {
        crate::fast::parse_milli(s)
    }

    /// `resource.NewMilliQuantity(milli, format)`: `milli / 1000`.
    pub fn from_milli(milli: i64, format: Format) -> Self {
        Self::from_scaled_i64(milli, -3, format)
    }

    /// `resource.NewQuantity(value, format)`.
    pub fn from_int(value: i64, format: Format) -> Self {
        Self::from_scaled_i64(value, 0, format)
    }

    /// `mantissa × 10^exponent` in the given format, or `None` when that value
    /// is not a whole number of nano units or needs more than 38 significant
    /// digits. The inverse of [`Quantity::to_parts`].
    pub fn from_parts(mantissa: i128, exponent: i32, format: Format) -> Option<Self> {
        let dec = Dec::exact(mantissa < 0, mantissa.unsigned_abs(), i64::from(exponent))?;
        (dec.mantissa == 0 || dec.exponent >= -9).then_some(Self::from_dec(dec, format))
    }

    /// The exact value as `(mantissa, exponent)`, meaning
    /// `mantissa × 10^exponent`, in normal form: the mantissa is not divisible
    /// by ten and is below `10^38` in magnitude, zero is `(0, 0)`.
    pub fn to_parts(&self) -> (i128, i32) {
        (self.mantissa, self.exponent)
    }

    /// `q.MilliValue()`: `ceil(q × 1000)`, rounding away from zero
    /// (`-1.0001m` gives `-2`). Saturates at the `i64` bounds, as current
    /// apimachinery does; see [`Quantity::checked_milli_value`].
    pub fn milli_value(&self) -> i64 {
        self.scaled_value(-3)
    }

    /// `q.Value()`: the value rounded away from zero to an integer
    /// (`1.1` gives `2`, `-1.1` gives `-2`), saturating at the `i64` bounds.
    pub fn value(&self) -> i64 {
        self.scaled_value(0)
    }

    /// `q.ScaledValue(scale)`: `q / 10^scale` rounded away from zero
    /// (`scale = -3` is [`Quantity::milli_value`]). Saturates at the `i64`
    /// bounds; see [`Quantity::checked_scaled_value`].
    pub fn scaled_value(&self, scale: i32) -> i64 {
        self.checked_scaled_value(scale)
            .unwrap_or(if self.mantissa < 0 {
                i64::MIN
            } else {
                i64::MAX
            })
    }

    /// `q.AsScaledInt64(scale)`: like [`Quantity::scaled_value`], but `None`
    /// instead of a saturated result when it does not fit an `i64`.
    pub fn checked_scaled_value(&self, scale: i32) -> Option<i64> {
        let m = self.mantissa;
        if m == 0 {
            return Some(0);
        }
        let shift = i64::from(self.exponent) - i64::from(scale);
        // Fast path: the mantissa fits an i64 and the shift is small.
        if let Ok(small) = i64::try_from(m)
            && (-18..=18).contains(&shift)
        {
            let p = 10i64.pow(shift.unsigned_abs() as u32);
            return if shift >= 0 {
                small.checked_mul(p)
            } else {
                let q = small / p;
                Some(if small % p != 0 {
                    q + small.signum()
                } else {
                    q
                })
            };
        }
        let wide = if shift >= 0 {
            // 10^39 and up exceed any i64 times a non-zero mantissa.
            m.checked_mul(pow10_checked(shift as u64)? as i128)?
        } else {
            match pow10_checked(shift.unsigned_abs()) {
                // |m| < 10^38 <= 10^-shift: the quotient rounds to ±1.
                None => m.signum(),
                Some(p) => {
                    let p = p as i128;
                    let q = m / p;
                    if m % p != 0 { q + m.signum() } else { q }
                }
            }
        };
        i64::try_from(wide).ok()
    }

    /// `q.AsMilliInt64()`: [`Quantity::milli_value`] or `None` on overflow.
    pub fn checked_milli_value(&self) -> Option<i64> {
        self.checked_scaled_value(-3)
    }

    /// [`Quantity::value`] or `None` on overflow.
    pub fn checked_value(&self) -> Option<i64> {
        self.checked_scaled_value(0)
    }

    /// `q.Sign()`: `-1`, `0` or `1`.
    pub fn sign(&self) -> i32 {
        self.mantissa.signum() as i32
    }

    /// `q.IsZero()`.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// `q.AsApproximateFloat64()`: the value as the nearest `f64`
    /// (`±inf` beyond its range).
    ///
    /// This is the correctly rounded value, which is what upstream's
    /// `AsFloat64Slow` computes; upstream's `AsApproximateFloat64` multiplies
    /// by `math.Pow10` and can be one unit in the last place away from it.
    pub fn as_approximate_f64(&self) -> f64 {
        if self.mantissa == 0 {
            return 0.0;
        }
        let mut buf = StackBuf::new();
        if write!(buf, "{}e{}", self.mantissa, self.exponent).is_ok()
            && let Ok(v) = buf.as_str().parse::<f64>()
        {
            return v;
        }
        // Unreachable in practice: the buffer always fits the digits.
        self.mantissa as f64 * 10f64.powi(self.exponent)
    }

    /// How the quantity prints.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The same value with another format (upstream assigns `q.Format`).
    #[must_use]
    pub fn with_format(self, format: Format) -> Self {
        Self { format, ..self }
    }

    /// Changes how the quantity prints.
    pub fn set_format(&mut self, format: Format) {
        self.format = format;
    }

    /// Builds a quantity from a normal-form value.
    pub(crate) fn from_dec(dec: Dec, format: Format) -> Self {
        Self {
            mantissa: dec.mantissa,
            exponent: dec.exponent,
            format,
        }
    }

    /// The value in normal form.
    pub(crate) fn dec(&self) -> Dec {
        Dec {
            mantissa: self.mantissa,
            exponent: self.exponent,
        }
    }

    fn from_scaled_i64(value: i64, exponent: i64, format: Format) -> Self {
        let dec =
            Dec::exact(value < 0, u128::from(value.unsigned_abs()), exponent).unwrap_or(Dec::ZERO);
        Self::from_dec(dec, format)
    }
}

impl Default for Quantity {
    /// [`Quantity::ZERO`].
    fn default() -> Self {
        Self::ZERO
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    /// [`Quantity::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Quantity {
    type Error = QuantityError;

    /// [`Quantity::parse`].
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl PartialEq for Quantity {
    /// Equal values, whatever the formats (`q.Cmp(y) == 0`).
    fn eq(&self, other: &Self) -> bool {
        // The normal form makes the representation unique.
        self.mantissa == other.mantissa && self.exponent == other.exponent
    }
}

impl Eq for Quantity {}

impl Hash for Quantity {
    /// Hashes the value only, consistently with [`PartialEq`].
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.mantissa.hash(state);
        self.exponent.hash(state);
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    /// Orders by value (`q.Cmp(y)`).
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.dec(), other.dec());
        let (sa, sb) = (a.mantissa.signum(), b.mantissa.signum());
        if sa != sb || sa == 0 {
            return sa.cmp(&sb);
        }
        let by_magnitude = a.magnitude().cmp(&b.magnitude()).then_with(|| {
            // Same number of integer digits: the exponents differ by less than
            // 38, and aligning keeps both below 10^38.
            let (am, bm) = (a.mantissa.unsigned_abs(), b.mantissa.unsigned_abs());
            let shift = i64::from(a.exponent) - i64::from(b.exponent);
            let scale =
                |m: u128, k: i64| pow10_checked(k.unsigned_abs()).and_then(|p| m.checked_mul(p));
            match shift.cmp(&0) {
                Ordering::Equal => am.cmp(&bm),
                Ordering::Greater => scale(am, shift).map_or(Ordering::Greater, |x| x.cmp(&bm)),
                Ordering::Less => scale(bm, shift).map_or(Ordering::Less, |y| am.cmp(&y)),
            }
        });
        if a.is_negative() {
            by_magnitude.reverse()
        } else {
            by_magnitude
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_parts_rejects_what_it_cannot_hold() {
        assert!(Quantity::from_parts(5, -12, Format::DecimalSI).is_none());
        assert!(Quantity::from_parts(5000, -12, Format::DecimalSI).is_some());
        assert!(Quantity::from_parts(i128::MAX, 0, Format::DecimalSI).is_none());
        assert!(Quantity::from_parts(10, i32::MAX, Format::DecimalSI).is_none());
        assert_eq!(
            Quantity::from_parts(0, -100, Format::BinarySI).map(|q| q.to_parts()),
            Some((0, 0))
        );
        assert_eq!(
            Quantity::from_parts(1500, -3, Format::DecimalSI).map(|q| q.to_parts()),
            Some((15, -1))
        );
    }

    #[test]
    fn checked_scaled_value_slow_paths() {
        let big = Quantity::from_parts(12_345_678_901_234_567_890_123, -9, Format::DecimalSI)
            .unwrap_or(Quantity::ZERO);
        assert_eq!(big.checked_value(), Some(12_345_678_901_235));
        assert_eq!(big.checked_scaled_value(-20), None);
        let tiny = Quantity::from_parts(-7, -9, Format::DecimalSI).unwrap_or(Quantity::ZERO);
        assert_eq!(tiny.checked_scaled_value(i32::MAX), Some(-1));
        assert_eq!(tiny.checked_scaled_value(i32::MIN), None);
        assert_eq!(tiny.scaled_value(i32::MIN), i64::MIN);
        assert_eq!(tiny.scaled_value(30), -1);
    }
}
