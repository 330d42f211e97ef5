//! `alpaca simulate SCENARIO --compare`: the scenario as upstream Kubernetes 1.37 would
//! run it (Alpaca's opt-in settings removed, `HPAScaleToZero` on as 1.37 has it) beside
//! the scenario as written, on one chart and in one table.

use std::fmt::Write;

use crate::clock;
use crate::runner::Outcome;
use crate::scenario::{Action, Scenario};

/// The annotations that opt an autoscaler into something upstream does not do (yet).
pub const OPT_IN_ANNOTATIONS: [&str; 3] = [
    alpaca_engine::sync_period::ANNOTATION,
    alpaca_engine::sync_period::FIELD_ANNOTATION,
    alpaca_engine::EXTERNAL_FALLBACK_ANNOTATION,
];

/// The scenario as upstream 1.37 would run it, and what was removed (for a person).
pub fn upstream_1_37(sc: &Scenario) -> (Scenario, Vec<String>) {
    let mut up = sc.clone();
    let mut removed = Vec::new();
    up.controller.hpa_scale_to_zero = true;
    if !sc.controller.hpa_scale_to_zero {
        removed.push("spec.controller.hpaScaleToZero: false (1.37 has the gate on)".into());
    }
    for h in &mut up.hpas {
        for key in OPT_IN_ANNOTATIONS {
            if strip(&mut h.admitted.metadata.annotations, &mut h.written, key) {
                removed.push(format!(
                    "HorizontalPodAutoscaler {}: annotation {key}",
                    h.name
                ));
            }
        }
    }
    for a in &mut up.actions {
        if let Action::PatchHpa(_, patched) = &mut a.what {
            let (written, admitted) = patched.as_mut();
            for key in OPT_IN_ANNOTATIONS {
                strip(&mut admitted.metadata.annotations, written, key);
            }
        }
    }
    up.title = format!("{} (as upstream Kubernetes 1.37)", sc.title);
    (up, removed)
}

fn strip(
    annotations: &mut Option<std::collections::BTreeMap<String, String>>,
    written: &mut serde_json::Value,
    key: &str,
) -> bool {
    let had = annotations.as_mut().and_then(|a| a.remove(key)).is_some();
    if let Some(a) = written
        .pointer_mut("/metadata/annotations")
        .and_then(|a| a.as_object_mut())
    {
        a.remove(key);
    }
    had
}

/// The plot of both runs: one chart per HPA, shared axes (see
/// [`crate::report::compare_plot`]).
pub fn plot(sc: &Scenario, upstream: &Outcome, alpaca: &Outcome) -> String {
    crate::report::compare_plot::svg(
        &format!("{}: upstream 1.37 vs with Alpaca's opt-ins", sc.title),
        upstream,
        alpaca,
        &crate::marks(sc),
    )
}

/// The summaries side by side.
pub fn table(upstream: &Outcome, alpaca: &Outcome) -> String {
    let mut s = String::new();
    for (u, a) in upstream.hpas.iter().zip(&alpaca.hpas) {
        let _ = writeln!(s, "COMPARE {}", a.record.name);
        let _ = writeln!(
            s,
            "  {:<22}{:>20}{:>24}",
            "", "upstream 1.37", "with Alpaca's opt-ins"
        );
        let row = |s: &mut String, label: &str, x: String, y: String| {
            let _ = writeln!(s, "  {label:<22}{x:>20}{y:>24}");
        };
        row(
            &mut s,
            "syncs",
            u.record.syncs.to_string(),
            a.record.syncs.to_string(),
        );
        row(
            &mut s,
            "scale events",
            u.record.scale_events.len().to_string(),
            a.record.scale_events.len().to_string(),
        );
        row(
            &mut s,
            "peak replicas",
            u.record.peak.0.to_string(),
            a.record.peak.0.to_string(),
        );
        row(
            &mut s,
            "short of capacity",
            clock::go(u.record.short_ms),
            clock::go(a.record.short_ms),
        );
        row(
            &mut s,
            "cost (replica-hours)",
            format!("{:.2}", u.record.pod_ms / 3_600_000.0),
            format!("{:.2}", a.record.pod_ms / 3_600_000.0),
        );
        row(
            &mut s,
            "overloaded",
            clock::go(u.record.overloaded_ms),
            clock::go(a.record.overloaded_ms),
        );
        s.push('\n');
    }
    s
}
