//! The summary after a run: scale events, direction changes (oscillation), time short of
//! the capacity the load needed, cost in replica-seconds, and a latency estimate.

use std::fmt::Write;

use crate::clock::{self, Millis};
use crate::runner::{HpaOutcome, Outcome};

fn ms(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2}s")
    } else {
        format!("{:.1}ms", seconds * 1000.0)
    }
}

fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The summary of one HPA.
pub fn hpa_summary(h: &HpaOutcome, duration: Millis) -> String {
    let r = &h.record;
    let mut s = String::new();
    let name = h.object.metadata.name.as_deref().unwrap_or_default();
    let _ = writeln!(
        s,
        "SUMMARY {name} ({} simulated, {} syncs)",
        clock::go(duration),
        r.syncs
    );
    let ups = r.scale_events.iter().filter(|e| e.to > e.from).count();
    let list: Vec<String> = r
        .scale_events
        .iter()
        .take(8)
        .map(|e| format!("{}→{} at {}", e.from, e.to, clock::short(e.at)))
        .collect();
    let more = if r.scale_events.len() > 8 {
        format!(", … {} more", r.scale_events.len() - 8)
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "  Scale events        {} ({ups} up, {} down){}{}{more}",
        r.scale_events.len(),
        r.scale_events.len() - ups,
        if list.is_empty() { "" } else { ": " },
        list.join(", ")
    );
    let changes = r.direction_changes();
    let minutes = duration as f64 / 60_000.0;
    let verdict = match changes {
        0 => "no oscillation".to_string(),
        1 => "one turn, as the load came and went".to_string(),
        n if n as f64 >= minutes / 5.0 => {
            "oscillating: more than one turn every 5 minutes".to_string()
        }
        _ => "a few turns, following the load".to_string(),
    };
    let _ = writeln!(s, "  Direction changes   {changes} ({verdict})");
    let _ = writeln!(
        s,
        "  Replicas            peak {} at {}, final {}",
        r.peak.0,
        clock::short(r.peak.1),
        h.final_replicas
    );
    let _ = writeln!(
        s,
        "  Short of capacity   {} with fewer ready pods than the load needed",
        clock::go(r.short_ms)
    );
    let avg = r.pod_ms / duration.max(1) as f64;
    let _ = writeln!(
        s,
        "  Cost                {} replica-seconds ({:.2} replica-hours, {avg:.1} pods on average)",
        thousands(r.pod_ms / 1000.0),
        r.pod_ms / 3_600_000.0
    );
    match (r.mean_latency(), r.latency_quantile(0.95), r.worst_latency) {
        (Some(mean), Some(p95), Some((worst, at))) => {
            let _ = writeln!(
                s,
                "  Latency (estimate)  mean {}, p95 {}, worst {} at {}; overloaded {}",
                ms(mean),
                ms(p95),
                ms(worst),
                clock::short(at),
                clock::go(r.overloaded_ms)
            );
        }
        _ => {
            let _ = writeln!(s, "  Latency (estimate)  no requests served");
        }
    }
    s
}

/// The summary of every HPA.
pub fn summary(o: &Outcome) -> String {
    o.hpas
        .iter()
        .map(|h| hpa_summary(h, o.duration))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::thousands(4530.4), "4,530");
        assert_eq!(super::thousands(999.0), "999");
        assert_eq!(super::thousands(1_234_567.0), "1,234,567");
    }
}
