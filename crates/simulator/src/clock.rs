//! Simulated time: milliseconds since the start of the run, the wall-clock instant that
//! start stands for, and the ways kubectl and Go print durations.

use jiff::Timestamp;

/// Simulated time or a duration, in milliseconds. The run starts at 0.
pub type Millis = i64;

/// One second.
pub const SECOND: Millis = 1_000;
/// One minute.
pub const MINUTE: Millis = 60 * SECOND;

/// The instant the simulation starts at: 2026-01-01T00:00:00Z, fixed so that runs are
/// reproducible (every timestamp the controller sees is this plus simulated time).
pub const START_UNIX_MS: i64 = 1_767_225_600_000;

/// The wall-clock instant of a simulated time.
pub fn timestamp(t: Millis) -> Timestamp {
    Timestamp::from_millisecond(START_UNIX_MS.saturating_add(t)).unwrap_or(Timestamp::MAX)
}

/// Simulated time of a wall-clock instant.
pub fn millis_of(ts: Timestamp) -> Millis {
    ts.as_millisecond() - START_UNIX_MS
}

/// A duration the way Go's `Duration.String()` prints it (`1m15s`, `15m0s`, `250ms`).
pub fn go(d: Millis) -> String {
    alpaca_metrics_api::GoDuration::from_nanos(d.saturating_mul(1_000_000)).to_string()
}

/// A clock reading for the narrative: `1m15s`, `0s`, `1h2m`, without a trailing `0s`.
pub fn short(t: Millis) -> String {
    let secs = t.div_euclid(SECOND);
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, 0) => format!("{h}h{m}m"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

/// kubectl's `duration.HumanDuration`, as the AGE column and event ages print it.
pub fn human(d: Millis) -> String {
    let seconds = d / SECOND;
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_ages_like_kubectl() {
        assert_eq!(human(18 * SECOND), "18s");
        assert_eq!(human(119 * SECOND), "119s");
        assert_eq!(human(3 * MINUTE), "3m");
        assert_eq!(human(3 * MINUTE + 2 * SECOND), "3m2s");
        assert_eq!(human(11 * MINUTE + 40 * SECOND), "11m");
        assert_eq!(human(5 * 60 * MINUTE + 7 * MINUTE), "5h7m");
        assert_eq!(human(30 * 60 * MINUTE), "30h");
        assert_eq!(human(50 * 60 * MINUTE), "2d2h");
    }

    #[test]
    fn start_is_new_year_2026() {
        assert_eq!(timestamp(0).to_string(), "2026-01-01T00:00:00Z");
        assert_eq!(millis_of(timestamp(75 * SECOND)), 75 * SECOND);
        assert_eq!(short(75 * SECOND), "1m15s");
        assert_eq!(go(15 * MINUTE), "15m0s");
    }
}
