//! CSV traces of `time,rate`: one row per point, time in seconds (`90`, `1.5`) or as a
//! duration (`1m30s`); a header row and `#` comments are skipped.

use crate::clock::Millis;

/// Parses a trace. Errors name the line.
pub fn parse_trace(text: &str) -> Result<Vec<(Millis, f64)>, String> {
    let mut points: Vec<(Millis, f64)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cells = line.split(',').map(str::trim);
        let (Some(t), Some(r)) = (cells.next(), cells.next()) else {
            return Err(format!(
                "line {}: expected `time,rate`, found {line:?}",
                i + 1
            ));
        };
        let time = match t.parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs >= 0.0 => (secs * 1000.0).round() as Millis,
            Ok(_) => return Err(format!("line {}: time {t:?} must be non-negative", i + 1)),
            Err(_) => match alpaca_metrics_api::GoDuration::parse(t) {
                Ok(d) if d.nanos >= 0 => d.nanos / 1_000_000,
                _ if points.is_empty() && r.parse::<f64>().is_err() => continue, // header
                _ => return Err(format!("line {}: {t:?} is not a time", i + 1)),
            },
        };
        let rate = match r.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => v,
            _ => {
                return Err(format!(
                    "line {}: rate {r:?} is not a non-negative number",
                    i + 1
                ));
            }
        };
        if let Some(last) = points.last()
            && time < last.0
        {
            return Err(format!("line {}: times must not go backwards", i + 1));
        }
        points.push((time, rate));
    }
    if points.is_empty() {
        return Err("the trace has no `time,rate` rows".into());
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_traces() {
        let t = parse_trace("time,rate\n# comment\n0,10\n1m,20\n90.5, 5\n").unwrap();
        assert_eq!(t, vec![(0, 10.0), (60_000, 20.0), (90_500, 5.0)]);
        assert!(parse_trace("0,1\n10,x").unwrap_err().contains("line 2"));
        assert!(parse_trace("10,1\n5,1").unwrap_err().contains("backwards"));
        assert!(parse_trace("").is_err());
    }
}
