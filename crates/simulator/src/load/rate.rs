//! Rates over time: constant, steps, ramp, sine, or a trace, evaluated at a simulated
//! time. Never negative.

use crate::clock::Millis;

/// A rate as a function of time.
#[derive(Debug, Clone, PartialEq)]
pub enum Rate {
    /// Always the same.
    Constant(f64),
    /// `(from, rate)` in time order; 0 before the first.
    Steps(Vec<(Millis, f64)>),
    /// Linear from `from` to `to` over `[start, start + over]`.
    Ramp {
        /// Before.
        from: f64,
        /// After.
        to: f64,
        /// Begins.
        start: Millis,
        /// Lasts.
        over: Millis,
    },
    /// A sine wave.
    Sine {
        /// Mean.
        base: f64,
        /// Swing.
        amplitude: f64,
        /// Cycle.
        period: Millis,
        /// Shift.
        phase: Millis,
    },
    /// `(time, rate)` points, linear between them, flat outside.
    Trace(Vec<(Millis, f64)>),
}

impl Rate {
    /// The rate at `t`.
    pub fn at(&self, t: Millis) -> f64 {
        let v = match self {
            Rate::Constant(r) => *r,
            Rate::Steps(steps) => {
                let i = steps.partition_point(|(at, _)| *at <= t);
                if i == 0 { 0.0 } else { steps[i - 1].1 }
            }
            Rate::Ramp {
                from,
                to,
                start,
                over,
            } => {
                if t <= *start {
                    *from
                } else if *over <= 0 || t >= start + over {
                    *to
                } else {
                    from + (to - from) * (t - start) as f64 / *over as f64
                }
            }
            Rate::Sine {
                base,
                amplitude,
                period,
                phase,
            } => {
                let x = (t - phase) as f64 / (*period).max(1) as f64;
                base + amplitude * (std::f64::consts::TAU * x).sin()
            }
            Rate::Trace(points) => {
                let i = points.partition_point(|(at, _)| *at <= t);
                match (i, points.get(i)) {
                    (0, Some(first)) => first.1,
                    (0, None) => 0.0,
                    (_, None) => points[i - 1].1,
                    (_, Some(next)) => {
                        let prev = points[i - 1];
                        let span = (next.0 - prev.0).max(1) as f64;
                        prev.1 + (next.1 - prev.1) * (t - prev.0) as f64 / span
                    }
                }
            }
        };
        if v.is_finite() { v.max(0.0) } else { 0.0 }
    }

    /// The largest rate over `[0, until]` (sampled each second for waves and traces).
    pub fn peak(&self, until: Millis) -> f64 {
        match self {
            Rate::Constant(r) => r.max(0.0),
            Rate::Steps(s) => s.iter().map(|p| p.1).fold(0.0, f64::max),
            Rate::Ramp { from, to, .. } => from.max(*to).max(0.0),
            Rate::Sine {
                base, amplitude, ..
            } => (base + amplitude.abs()).max(0.0),
            Rate::Trace(points) => points
                .iter()
                .take_while(|p| p.0 <= until)
                .map(|p| p.1)
                .fold(points.first().map_or(0.0, |p| p.1), f64::max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_each_shape() {
        let steps = Rate::Steps(vec![(0, 1.0), (10_000, 5.0)]);
        assert_eq!(steps.at(9_999), 1.0);
        assert_eq!(steps.at(10_000), 5.0);
        let ramp = Rate::Ramp {
            from: 0.0,
            to: 10.0,
            start: 1_000,
            over: 10_000,
        };
        assert_eq!(ramp.at(0), 0.0);
        assert_eq!(ramp.at(6_000), 5.0);
        assert_eq!(ramp.at(60_000), 10.0);
        let sine = Rate::Sine {
            base: 10.0,
            amplitude: 20.0,
            period: 4_000,
            phase: 0,
        };
        assert!((sine.at(1_000) - 30.0).abs() < 1e-9);
        assert_eq!(sine.at(3_000), 0.0, "clamped at zero");
        let trace = Rate::Trace(vec![(0, 0.0), (10_000, 100.0)]);
        assert_eq!(trace.at(5_000), 50.0);
        assert_eq!(trace.at(20_000), 100.0);
    }
}
