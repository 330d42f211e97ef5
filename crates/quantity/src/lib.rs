//! Kubernetes `resource.Quantity` (CONTRACT STUB: the helper replaces the bodies).

use std::fmt;

/// How a quantity prints its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `m`, `k`, `M`, ... and none.
    DecimalSI,
    /// `Ki`, `Mi`, ...
    BinarySI,
    /// `e3`, `E6`, ...
    DecimalExponent,
}

/// A malformed quantity string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The string is not a quantity.
    #[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {0:?}")]
    Format(String),
}

/// An exact decimal quantity.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    mantissa: i128,
    scale: i32,
    format: Format,
}

impl Quantity {
    /// Parses like `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Result<Self, QuantityError> {
        let _ = s;
        todo!()
    }
    /// `resource.NewMilliQuantity(milli, format)`.
    pub fn from_milli(milli: i64, format: Format) -> Self {
        Self { mantissa: milli as i128, scale: -3, format }
    }
    /// `resource.NewQuantity(value, format)`.
    pub fn from_int(value: i64, format: Format) -> Self {
        Self { mantissa: value as i128, scale: 0, format }
    }
    /// `q.MilliValue()`.
    pub fn milli_value(&self) -> i64 {
        todo!()
    }
    /// `q.Value()`.
    pub fn value(&self) -> i64 {
        todo!()
    }
    /// `q.Sign()`.
    pub fn sign(&self) -> i32 {
        self.mantissa.signum() as i32
    }
    /// `q.AsApproximateFloat64()`.
    pub fn as_approximate_f64(&self) -> f64 {
        todo!()
    }
    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = f;
        todo!()
    }
}
