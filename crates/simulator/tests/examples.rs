//! Every scenario in `examples/` runs and does what its comment says.

use std::path::{Path, PathBuf};

use alpaca_sim::clock::{MINUTE, SECOND};
use alpaca_sim::{Lines, Options, Outcome, Scenario, run};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn simulate(name: &str) -> (Outcome, Vec<String>) {
    let scenario = Scenario::from_file(&example(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut lines = Lines::default();
    let outcome = run(&scenario, &Options::default(), &mut lines).unwrap();
    (outcome, lines.0)
}

fn events(o: &Outcome, hpa: usize) -> Vec<(i64, i32, i32)> {
    o.hpas[hpa]
        .record
        .scale_events
        .iter()
        .map(|e| (e.at, e.from, e.to))
        .collect()
}

#[test]
fn php_apache_walkthrough() {
    let (o, lines) = simulate("php-apache.yaml");
    // 305% of the request, 1 → 4 (legacy scale-up limit) → 7 over two syncs, back to 1
    // five minutes after the load stops at 7m.
    assert!(
        lines.iter().any(|l| l.contains("cpu: 305%/50%")),
        "{lines:#?}"
    );
    assert_eq!(
        events(&o, 0),
        vec![
            (75 * SECOND, 1, 4),
            (90 * SECOND, 4, 7),
            (12 * MINUTE + 15 * SECOND, 7, 1)
        ]
    );
    assert!(lines.iter().any(|l| l.contains("ScaleUpLimit")));
    assert_eq!(o.hpas[0].record.peak.0, 7);
    assert_eq!(o.hpas[0].final_replicas, 1);
}

#[test]
fn php_apache_with_the_manifests_500m_limit_is_throttled_and_takes_one_more_step() {
    let text = std::fs::read_to_string(example("php-apache.yaml")).unwrap();
    let text = text.replace("    cpuLimit: \"1\"\n", "");
    let scenario = Scenario::parse(&text, None, "php-apache").unwrap();
    let mut lines = Lines::default();
    let o = run(&scenario, &Options::default(), &mut lines).unwrap();
    assert!(
        lines.0.iter().any(|l| l.contains("cpu: 250%/50%")),
        "{:#?}",
        lines.0
    );
    let to: Vec<i32> = events(&o, 0).iter().map(|e| e.2).collect();
    assert_eq!(to, vec![4, 5, 7, 1]);
}

#[test]
fn custom_metric_scales_up_then_waits_out_the_window() {
    let (o, lines) = simulate("custom-metric.yaml");
    let ev = events(&o, 0);
    assert_eq!(o.hpas[0].record.peak.0, 10);
    let first_up = ev.iter().find(|e| e.2 > e.1).unwrap();
    assert!(
        first_up.0 >= MINUTE && first_up.0 <= MINUTE + 15 * SECOND,
        "{ev:?}"
    );
    let first_down = ev.iter().find(|e| e.2 < e.1).unwrap();
    assert!(
        first_down.0 >= 11 * MINUTE,
        "no scale-down within 5m of the write at 6m: {ev:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains(
            "holding 10: stabilization keeps the highest recommendation of the last 5m0s"
        )),
        "{lines:#?}"
    );
    assert_eq!(o.hpas[0].final_replicas, 1);
}

#[test]
fn multi_metric_takes_the_largest_proposal() {
    let (o, _) = simulate("multi-metric.yaml");
    let h = &o.hpas[0];
    let reasons: Vec<&str> = h.events.iter().map(|e| e.event.message.as_str()).collect();
    assert!(
        reasons
            .iter()
            .any(|m| m.contains("packets-per-second above target")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|m| m.contains("requests-per-second above target")),
        "{reasons:?}"
    );
    // The Ingress spike (8m–10m) takes it to maxReplicas; after it, packets rule: 6 pods.
    assert!(
        events(&o, 0)
            .iter()
            .any(|e| e.0 >= 8 * MINUTE && e.0 < 10 * MINUTE && e.2 == 10)
    );
    assert_eq!(h.final_replicas, 6);
}

#[test]
fn queue_worker_follows_the_backlog() {
    let (o, _) = simulate("queue-worker.yaml");
    let ev = events(&o, 0);
    assert!(
        ev.first().is_some_and(|e| e.0 > 3 * MINUTE),
        "no scaling before the first burst: {ev:?}"
    );
    assert!(o.hpas[0].record.peak.0 >= 10, "{ev:?}");
    assert_eq!(o.hpas[0].final_replicas, 1);
}

#[test]
fn flapping_without_stabilization_and_not_with_it() {
    let (o, _) = simulate("flapping.yaml");
    let twitchy = o.hpas[0].record.direction_changes();
    let steady = o.hpas[1].record.direction_changes();
    assert!(twitchy >= 15, "{twitchy}");
    assert!(steady <= 4, "{steady}");
}
