//! Go `time.Duration` strings (`300ms`, `1.5s`, `1h30m`, `-2m`): parsing, printing as Go's
//! `Duration.String()` prints, and serde as a string.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Go `time.Duration`: a signed count of nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoDuration {
    /// Nanoseconds, as Go stores them.
    pub nanos: i64,
}

/// Why a string is not a Go duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The string does not follow the `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` grammar.
    #[error("invalid duration {0:?}")]
    Invalid(String),
    /// A number is followed by no unit (only `0` may stand alone).
    #[error("missing unit in duration {0:?}")]
    MissingUnit(String),
    /// A unit Go does not know.
    #[error("unknown unit {unit:?} in duration {input:?}")]
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// The whole string.
        input: String,
    },
    /// The value does not fit in an int64 of nanoseconds.
    #[error("invalid duration {0:?}: out of range")]
    Overflow(String),
}

const NANOSECOND: i64 = 1;
const MICROSECOND: i64 = 1_000;
const MILLISECOND: i64 = 1_000_000;
const SECOND: i64 = 1_000_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;

impl GoDuration {
    /// A duration of whole seconds.
    pub const fn from_secs(secs: i64) -> Self {
        Self {
            nanos: secs * SECOND,
        }
    }

    /// A duration of nanoseconds.
    pub const fn from_nanos(nanos: i64) -> Self {
        Self { nanos }
    }

    /// Whole seconds, truncated toward zero (Go's `int64(d.Seconds())`).
    pub const fn whole_secs(self) -> i64 {
        self.nanos / SECOND
    }

    /// Parses a Go duration string exactly as `time.ParseDuration` does.
    pub fn parse(input: &str) -> Result<Self, DurationError> {
        let invalid = || DurationError::Invalid(input.to_string());
        let mut s = input.as_bytes();
        let mut neg = false;
        if let Some((&c, rest)) = s.split_first()
            && (c == b'-' || c == b'+')
        {
            neg = c == b'-';
            s = rest;
        }
        if s == b"0" {
            return Ok(Self::default());
        }
        if s.is_empty() {
            return Err(invalid());
        }
        // Accumulate in u128 nanoseconds to detect overflow simply.
        let mut total: u128 = 0;
        while !s.is_empty() {
            // integer part
            let int_len = s.iter().take_while(|c| c.is_ascii_digit()).count();
            let (int_digits, rest) = s.split_at(int_len);
            s = rest;
            let mut frac_digits: &[u8] = &[];
            if let Some((&b'.', rest)) = s.split_first() {
                let frac_len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                let (f, rest2) = rest.split_at(frac_len);
                frac_digits = f;
                s = rest2;
            }
            if int_digits.is_empty() && frac_digits.is_empty() {
                return Err(invalid());
            }
            let unit_len = s
                .iter()
                .take_while(|c| **c != b'.' && !c.is_ascii_digit())
                .count();
            if unit_len == 0 {
                return Err(DurationError::MissingUnit(input.to_string()));
            }
            let (unit, rest) = s.split_at(unit_len);
            s = rest;
            let unit_str = std::str::from_utf8(unit).map_err(|_| invalid())?;
            let scale: i64 = match unit_str {
                "ns" => NANOSECOND,
                "us" | "µs" | "μs" => MICROSECOND,
                "ms" => MILLISECOND,
                "s" => SECOND,
                "m" => MINUTE,
                "h" => HOUR,
                _ => {
                    return Err(DurationError::UnknownUnit {
                        unit: unit_str.to_string(),
                        input: input.to_string(),
                    });
                }
            };
            let mut int_value: u128 = 0;
            for d in int_digits {
                int_value = int_value * 10 + u128::from(d - b'0');
                if int_value > i64::MAX as u128 {
                    return Err(DurationError::Overflow(input.to_string()));
                }
            }
            let mut value = int_value * scale as u128;
            // fraction: Go accumulates digits and scales, truncating.
            let mut frac: u128 = 0;
            let mut frac_scale: u128 = 1;
            for d in frac_digits {
                if frac_scale > 1_000_000_000_000_000_000 {
                    break; // more digits than can matter
                }
                frac = frac * 10 + u128::from(d - b'0');
                frac_scale *= 10;
            }
            value += frac * scale as u128 / frac_scale;
            total += value;
            if total > i64::MAX as u128 + u128::from(neg) {
                return Err(DurationError::Overflow(input.to_string()));
            }
        }
        let nanos = if neg {
            (total as i128).wrapping_neg() as i64
        } else {
            total as i64
        };
        Ok(Self { nanos })
    }
}

impl std::str::FromStr for GoDuration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for GoDuration {
    /// Prints as Go's `Duration.String()`: `1h2m3.5s`, `1.5s`, `300ms`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.nanos < 0;
        let u = self.nanos.unsigned_abs();
        let sign = if neg { "-" } else { "" };
        if u < SECOND as u64 {
            if u == 0 {
                return f.write_str("0s");
            }
            let (unit, div) = if u < MICROSECOND as u64 {
                ("ns", 1u64)
            } else if u < MILLISECOND as u64 {
                ("µs", MICROSECOND as u64)
            } else {
                ("ms", MILLISECOND as u64)
            };
            return write!(f, "{sign}{}{unit}", frac_string(u, div));
        }
        let hours = u / HOUR as u64;
        let rem = u % HOUR as u64;
        let minutes = rem / MINUTE as u64;
        let secs_nanos = rem % MINUTE as u64;
        let secs = frac_string(secs_nanos, SECOND as u64);
        if hours > 0 {
            write!(f, "{sign}{hours}h{minutes}m{secs}s")
        } else if minutes > 0 {
            write!(f, "{sign}{minutes}m{secs}s")
        } else {
            write!(f, "{sign}{secs}s")
        }
    }
}

/// `value / div` printed with the fraction's trailing zeros removed.
fn frac_string(value: u64, div: u64) -> String {
    let whole = value / div;
    let frac = value % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

impl Serialize for GoDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        let cases = [
            ("0", 0),
            ("5s", 5 * SECOND),
            ("30s", 30 * SECOND),
            ("5m", 5 * MINUTE),
            ("1h30m", 90 * MINUTE),
            ("1.5s", 1_500 * MILLISECOND),
            ("-2m", -2 * MINUTE),
            ("+3ms", 3 * MILLISECOND),
            ("1µs", MICROSECOND),
            ("1us", MICROSECOND),
            (".5s", 500 * MILLISECOND),
            ("2h45m10.25s", 2 * HOUR + 45 * MINUTE + 10_250 * MILLISECOND),
        ];
        for (s, n) in cases {
            assert_eq!(GoDuration::parse(s).unwrap().nanos, n, "{s}");
        }
    }

    #[test]
    fn rejects_what_go_rejects() {
        for s in [
            "",
            "5",
            "s",
            "1x",
            "--1s",
            "1.s.",
            ".s",
            "9999999999999999999h",
        ] {
            assert!(GoDuration::parse(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn prints_like_go() {
        let cases = [
            (0, "0s"),
            (15 * SECOND, "15s"),
            (5 * MINUTE, "5m0s"),
            (90 * MINUTE, "1h30m0s"),
            (1_500 * MILLISECOND, "1.5s"),
            (300 * MILLISECOND, "300ms"),
            (-2 * MINUTE, "-2m0s"),
            (1, "1ns"),
        ];
        for (n, s) in cases {
            assert_eq!(GoDuration::from_nanos(n).to_string(), s);
        }
    }

    proptest::proptest! {
        #[test]
        fn print_parse_round_trip(n in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            let d = GoDuration::from_nanos(n);
            proptest::prop_assert_eq!(GoDuration::parse(&d.to_string()).unwrap(), d);
        }
    }
}
