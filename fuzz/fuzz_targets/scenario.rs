//! The scenario parser (`alpaca simulate`'s input); what it accepts, when small enough to
//! run quickly, is simulated and reported (watch lines, describe, summary, timeline, plot).
#![no_main]

use alpaca_sim::report::{describe, plot, summary, timeline};
use alpaca_sim::{Lines, Options, Scenario, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let Ok(sc) = Scenario::parse(s, None, "fuzz") else {
        return;
    };
    let ticks = sc.duration / sc.step.max(1);
    let max_pods: i64 = sc
        .deployments
        .iter()
        .map(|d| i64::from(d.replicas.max(0)))
        .chain(
            sc.hpas
                .iter()
                .map(|h| i64::from(h.admitted.spec.max_replicas.max(0))),
        )
        .sum();
    if ticks > 2_000 || max_pods > 200 {
        return;
    }
    let opts = Options {
        record: true,
        explain_at: Some(sc.duration / 2),
    };
    let mut lines = Lines::default();
    let Ok(outcome) = run(&sc, &opts, &mut lines) else {
        return;
    };
    for h in &outcome.hpas {
        let _ = describe::describe(&h.object, &h.events, outcome.duration);
    }
    let _ = summary::summary(&outcome);
    let _ = timeline::csv(&outcome);
    let _ = timeline::json(&outcome);
    let _ = plot::svg(&outcome, &[]);
});
