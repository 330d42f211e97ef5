//! Kubernetes `resource.Quantity`, exactly.
//!
//! [`Quantity`] reproduces apimachinery's `k8s.io/apimachinery/pkg/api/resource`
//! quantity: the same syntax ([`Quantity::parse`]), the same rounding (to nano
//! units when parsing, away from zero in [`Quantity::milli_value`] and
//! friends), the same binary cap, and the same canonical text
//! ([`std::fmt::Display`]): `10.5` prints `10500m`, `1048576` as binary SI
//! prints `1Mi`, `0.5Gi` prints `512Mi`.
//!
//! Values are an integer mantissa times a power of ten; the only floating
//! point is [`Quantity::as_approximate_f64`]. Nothing here panics, whatever
//! the input: malformed text is a [`QuantityError`], integer conversions
//! saturate (with `checked_*` variants), arithmetic is exact for every
//! quantity of at most 38 significant digits and rounds beyond (with
//! `checked_*` variants).
//!
//! ```
//! use alpaca_quantity::{Format, Quantity};
//!
//! let avg = Quantity::from_milli(382_440_448_000, Format::BinarySI);
//! assert_eq!(avg.to_string(), "373477Ki");
//! let cpu: Quantity = "250m".parse().unwrap();
//! assert_eq!((cpu + cpu).to_string(), "500m");
//! assert_eq!(Quantity::parse("0.1n").unwrap().to_string(), "1n");
//! ```
//!
//! # Where this differs from apimachinery
//!
//! Deliberately, and only at the edges:
//!
//! * **Printing is always canonical.** Upstream's `String()` on a freshly
//!   parsed quantity returns the input verbatim when its fast path judges it
//!   canonical, which misjudges a few spellings: `1.441` (→ `1441m` here),
//!   `+1`, `01`, `1E3` (→ `1e3`). Upstream tracks this as kubernetes#138165
//!   with the canonical form as the agreed fix.
//! * **A number needs a digit.** Upstream's scanner accepts `Ki`, `m`, `.`,
//!   `-` and other digitless strings as zero (kubernetes/apimachinery#165);
//!   here they are [`QuantityError::Format`] errors, as the documented grammar
//!   says.
//! * **Range.** Values needing more than 38 significant digits (after
//!   rounding to nano units) are [`QuantityError::OutOfRange`] when parsed,
//!   where `inf.Dec` is unbounded; so are decimal exponents beyond `i32`,
//!   which upstream silently truncates to 32 bits (`1e4294967297` is 10
//!   there). Sums beyond 38 digits round (see [`Quantity::checked_add`]).
//! * **Floats.** [`Quantity::as_approximate_f64`] is correctly rounded (what
//!   upstream's `AsFloat64Slow` returns); upstream's `AsApproximateFloat64`
//!   can differ in the last bit.
//! * **Huge binary values** (only reachable through arithmetic, since parsing
//!   caps binary values at `2^63 - 1`): upstream prints a value with more
//!   than six factors of 1024 without any suffix (`1024Ei` as `1`); here the
//!   suffix stops at `Ei`. A binary value of `2^128` or more prints as
//!   decimal SI.
//! * **JSON numbers** are read through serde, so a number written with an
//!   exponent (`1e3`) arrives as a float and takes the decimal SI format.
//!
//! Integer accessors saturate at the `i64` bounds, as current apimachinery
//! does (older releases wrapped).

mod arith;
mod bignum;
mod error;
mod fast;
mod format;
mod k8s;
mod num;
mod parse;
mod print;
mod quantity;
mod serde_impl;

pub use error::QuantityError;
pub use format::Format;
pub use quantity::Quantity;
