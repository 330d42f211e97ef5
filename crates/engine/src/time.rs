//! Go's time and number semantics that the upstream controller's results depend on:
//! `Before`/`After` on timestamps, durations in nanoseconds, and float-to-int conversions
//! as Go performs them on amd64.

use jiff::{SignedDuration, Timestamp};

/// `t.Add(d)` for a duration in nanoseconds (saturating at jiff's range).
pub(crate) fn add_nanos(t: Timestamp, nanos: i64) -> Timestamp {
    t.checked_add(SignedDuration::from_nanos(nanos))
        .unwrap_or(if nanos < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

/// `now.Add(-seconds * time.Second)`.
pub(crate) fn minus_secs(t: Timestamp, secs: i64) -> Timestamp {
    add_nanos(t, secs.saturating_mul(1_000_000_000).saturating_neg())
}

/// Go's `int64(f)` on amd64: truncation, with NaN and out-of-range values giving MinInt64.
pub(crate) fn go_f64_to_i64(f: f64) -> i64 {
    // 2^63 is exactly representable; anything outside [-2^63, 2^63) does not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// Go's `int32(f)` on amd64: converted through int64, then truncated to 32 bits.
pub(crate) fn go_f64_to_i32(f: f64) -> i32 {
    go_f64_to_i64(f) as i32
}

/// `int32(math.Ceil(f))`.
pub(crate) fn ceil_i32(f: f64) -> i32 {
    go_f64_to_i32(f.ceil())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_match_go_amd64() {
        assert_eq!(ceil_i32(6.1), 7);
        assert_eq!(ceil_i32(-0.5), 0);
        assert_eq!(go_f64_to_i32(f64::NAN), 0);
        assert_eq!(go_f64_to_i32(f64::INFINITY), 0);
        assert_eq!(go_f64_to_i32(3e9), 3_000_000_000i64 as i32);
        assert_eq!(go_f64_to_i64(1e19), i64::MIN);
    }
}
