//! The error returned for a string that is not a quantity.

/// Why a string is not a quantity. Every message quotes the offending string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The string does not have the shape of a quantity (upstream's
    /// `ErrFormatWrong`): empty, no digits, stray characters, whitespace.
    #[error(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {0:?}"
    )]
    Format(String),
    /// The string has a quantity's shape but its suffix is not one of the SI,
    /// binary or exponent suffixes (upstream's `ErrSuffix`), e.g. `"1Mx"` is a
    /// format error but `"1ki"` and `"1e"` are suffix errors.
    #[error("unable to parse quantity's suffix: {0:?}")]
    Suffix(String),
    /// The value is well formed but beyond what this crate represents exactly:
    /// more than 38 significant digits after rounding to nano units, or a
    /// decimal exponent outside `i32` (which apimachinery silently wraps).
    #[error(
        "quantity {0:?} is out of range: at most 38 significant digits and an exponent within int32 are supported"
    )]
    OutOfRange(String),
}
