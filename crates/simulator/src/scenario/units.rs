//! Durations and quantities as a scenario writes them: `15s`, `5m`, `1h30m` or a number of
//! seconds; `400m`, `1k`, `0.5` or a plain number.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::clock::Millis;

/// A non-negative duration, millisecond precision: a Go duration string (`1m30s`,
/// `15.65ms`) or a number of seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub Millis);

impl Dur {
    /// Milliseconds.
    pub fn ms(self) -> Millis {
        self.0
    }
}

/// A duration with sub-millisecond precision (CPU time per request), in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Seconds(pub f64);

fn parse_go(s: &str) -> Result<i64, String> {
    let d = alpaca_metrics_api::GoDuration::parse(s.trim()).map_err(|e| e.to_string())?;
    if d.nanos < 0 {
        return Err(format!("{s:?} is negative"));
    }
    Ok(d.nanos)
}

fn from_secs_f64(v: f64) -> Result<i64, String> {
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{v} is not a non-negative number of seconds"));
    }
    if v > 1e12 {
        return Err(format!("{v} seconds is too long"));
    }
    Ok((v * 1e9).round() as i64)
}

struct NanosVisitor;

impl Visitor<'_> for NanosVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration such as \"15s\", \"5m\" or \"1h30m\", or a number of seconds")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        parse_go(v).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        from_secs_f64(v as f64).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        from_secs_f64(v as f64).map_err(E::custom)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        from_secs_f64(v).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let nanos = d.deserialize_any(NanosVisitor)?;
        Ok(Dur(nanos / 1_000_000))
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&crate::clock::go(self.0))
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let nanos = d.deserialize_any(NanosVisitor)?;
        Ok(Seconds(nanos as f64 / 1e9))
    }
}

/// A Kubernetes quantity (`400m`, `1k`, `64Mi`) or a plain number, kept as a float.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Qty(pub f64);

struct QtyVisitor;

impl Visitor<'_> for QtyVisitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity such as \"400m\", \"1k\", \"64Mi\", or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        let q = alpaca_quantity::Quantity::parse(v.trim()).map_err(E::custom)?;
        Ok(q.as_approximate_f64())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(E::custom("not a finite number"))
        }
    }
}

impl<'de> Deserialize<'de> for Qty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(QtyVisitor).map(Qty)
    }
}

/// A non-negative rate or count as a plain number or a quantity (`1.5k`).
pub fn non_negative(q: Qty) -> Result<f64, String> {
    if q.0 < 0.0 {
        Err(format!("{} is negative", q.0))
    } else {
        Ok(q.0)
    }
}

/// A simulated time as a user writes it on the command line: `4m`, `1m30s`, or seconds.
pub fn parse_time(s: &str) -> Result<Millis, String> {
    match s.trim().parse::<f64>() {
        Ok(v) => from_secs_f64(v).map(|n| n / 1_000_000),
        Err(_) => parse_go(s).map(|n| n / 1_000_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_quantities() {
        let d: Dur = serde_json::from_str("\"1m30s\"").unwrap();
        assert_eq!(d.ms(), 90_000);
        let d: Dur = serde_json::from_str("15").unwrap();
        assert_eq!(d.ms(), 15_000);
        let s: Seconds = serde_json::from_str("\"15.65ms\"").unwrap();
        assert!((s.0 - 0.01565).abs() < 1e-12);
        assert!(serde_json::from_str::<Dur>("\"-1s\"").is_err());
        assert!(serde_json::from_str::<Dur>("\"5\"").is_err());
        let q: Qty = serde_json::from_str("\"400m\"").unwrap();
        assert!((q.0 - 0.4).abs() < 1e-12);
        let q: Qty = serde_json::from_str("30").unwrap();
        assert_eq!(q.0, 30.0);
        assert!(serde_json::from_str::<Qty>("\"4x\"").is_err());
    }
}
