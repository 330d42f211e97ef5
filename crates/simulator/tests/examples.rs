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

#[test]
fn scale_to_zero_overnight_and_wake_on_the_first_messages() {
    let (o, lines) = simulate("scale-to-zero.yaml");
    let ev = events(&o, 0);
    // the day's traffic stops at 20m: to zero within the stabilization window after
    let to_zero = ev.iter().find(|e| e.2 == 0).expect("scaled to zero");
    assert!(
        to_zero.0 > 20 * MINUTE && to_zero.0 <= 26 * MINUTE,
        "{ev:?}"
    );
    // zero all night, then awake within one sync of the first messages (70m)
    let wake = ev.iter().find(|e| e.1 == 0).expect("woke up");
    assert!(
        wake.0 >= 70 * MINUTE && wake.0 <= 70 * MINUTE + 15 * SECOND,
        "{ev:?}"
    );
    assert!(
        !ev.iter().any(|e| e.0 > to_zero.0 && e.0 < wake.0),
        "nothing happens overnight: {ev:?}"
    );
    let conditions = o.hpas[0].object.status.as_ref().unwrap().conditions.clone();
    assert!(
        conditions
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "ScaledToZero" && c.reason.as_deref() == Some("NotScaledToZero")),
        "awake again at the end: ScaledToZero False"
    );
    assert!(lines.iter().any(|l| l.contains("New size: 0")));
    // the same scenario on a cluster before 1.37 is refused, naming the setting
    let text = std::fs::read_to_string(example("scale-to-zero.yaml")).unwrap();
    let text = text.replace(
        "  seed: 3\n",
        "  seed: 3\n  controller: {hpaScaleToZero: false}\n",
    );
    let e = Scenario::parse(&text, None, "scale-to-zero")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("spec.controller.hpaScaleToZero") && e.contains("minReplicas 0"),
        "{e}"
    );
}

#[test]
fn an_external_metric_dark_for_ten_minutes_with_and_without_fallback() {
    let (with, lines) = simulate("metric-outage.yaml");
    // dark from 8m, traffic up at 9m: the fallback's 8 replicas after 180 s of failures
    let first_up = events(&with, 0).into_iter().find(|e| e.2 > e.1).unwrap();
    assert_eq!(first_up.0, 11 * MINUTE, "{:?}", events(&with, 0));
    assert!(
        events(&with, 0)
            .iter()
            .any(|e| e.2 == 8 && e.0 < 18 * MINUTE),
        "{:?}",
        events(&with, 0)
    );
    assert!(
        with.hpas[0]
            .events
            .iter()
            .any(|e| e.event.reason == "ExternalMetricFallback" && e.first == 11 * MINUTE),
        "{:?}",
        with.hpas[0].events
    );
    let _ = lines;

    // without the annotation: frozen at 1 replica until the metric is back at 18m
    let text = std::fs::read_to_string(example("metric-outage.yaml")).unwrap();
    let text = text
        .lines()
        .filter(|l| !l.contains("alpaca.dev/external-fallback") && l.trim() != "annotations:")
        .collect::<Vec<_>>()
        .join("\n");
    let scenario = Scenario::parse(&text, None, "metric-outage").unwrap();
    let mut out = Lines::default();
    let without = run(&scenario, &Options::default(), &mut out).unwrap();
    let first_up = events(&without, 0).into_iter().find(|e| e.2 > e.1).unwrap();
    assert_eq!(first_up.0, 18 * MINUTE, "{:?}", events(&without, 0));
    assert!(
        with.hpas[0].record.short_ms + 5 * MINUTE < without.hpas[0].record.short_ms,
        "short of capacity {} ms with the fallback, {} ms without",
        with.hpas[0].record.short_ms,
        without.hpas[0].record.short_ms
    );
}

#[test]
fn a_3s_autoscaler_beside_a_60s_one() {
    let (o, lines) = simulate("sync-periods.yaml");
    let (fast, slow) = (&o.hpas[0].record, &o.hpas[1].record);
    assert_eq!(fast.name, "frontend");
    // 10 minutes: every 3 s from 0s, every 60 s from 0s
    assert_eq!(fast.syncs, 201);
    assert_eq!(slow.syncs, 11);
    // the same step of traffic at 2m: answered within one period each
    let up = |h: usize| o.hpas[h].record.scale_events[0].at;
    assert!(
        up(0) > 2 * MINUTE && up(0) <= 2 * MINUTE + 3 * SECOND,
        "{}",
        up(0)
    );
    assert!(up(1) > 2 * MINUTE && up(1) <= 3 * MINUTE, "{}", up(1));
    assert!(
        fast.short_ms * 4 < slow.short_ms,
        "{} vs {}",
        fast.short_ms,
        slow.short_ms
    );
    // a bad value is reported on the HPA and ignored (the controller's 15 s)
    let text = std::fs::read_to_string(example("sync-periods.yaml")).unwrap();
    let text = text.replacen(
        "alpaca.dev/sync-period-seconds: \"3\"",
        "alpaca.dev/sync-period-seconds: \"0\"",
        1,
    );
    let scenario = Scenario::parse(&text, None, "sync-periods").unwrap();
    let mut out = Lines::default();
    let o = run(&scenario, &Options::default(), &mut out).unwrap();
    assert_eq!(o.hpas[0].record.syncs, 41);
    assert!(
        o.hpas[0]
            .events
            .iter()
            .any(|e| e.event.reason == "InvalidSyncPeriod"),
        "{:?}",
        o.hpas[0].events
    );
    let _ = lines;
}

#[test]
fn compare_runs_the_scenario_as_upstream_1_37_and_with_the_opt_ins() {
    let scenario = Scenario::from_file(&example("metric-outage.yaml")).unwrap();
    let (upstream, removed) = alpaca_sim::compare::upstream_1_37(&scenario);
    assert_eq!(
        removed,
        vec!["HorizontalPodAutoscaler outage-worker: annotation alpaca.dev/external-fallback"]
    );
    let opts = Options {
        record: true,
        ..Options::default()
    };
    let up = run(&upstream, &opts, &mut alpaca_sim::Quiet).unwrap();
    let ours = run(&scenario, &opts, &mut alpaca_sim::Quiet).unwrap();
    // upstream has no fallback: frozen until the metric is back at 18m
    assert_eq!(
        events(&up, 0).into_iter().find(|e| e.2 > e.1).unwrap().0,
        18 * MINUTE
    );
    assert_eq!(
        events(&ours, 0).into_iter().find(|e| e.2 > e.1).unwrap().0,
        11 * MINUTE
    );
    let table = alpaca_sim::compare::table(&up, &ours);
    assert!(
        table.contains("short of capacity                   10m50s                   4m30s"),
        "{table}"
    );
    let svg = alpaca_sim::compare::plot(&scenario, &up, &ours);
    // one chart: one frame, both ready-pod curves in it (upstream dashed), one legend
    assert_eq!(svg.matches(r#"class="frame""#).count(), 1, "{svg}");
    assert_eq!(svg.matches(r#"stroke-dasharray="7 4"/>"#).count(), 2);
    assert!(svg.contains("upstream 1.37: ready pods"));
    assert!(
        svg.contains("with Alpaca&apos;s opt-ins: ready pods")
            || svg.contains("with Alpaca's opt-ins: ready pods")
    );
    // the summaries side by side: cost and time short of capacity
    assert!(
        svg.contains(">time short of capacity<")
            && svg.contains(">10m50s<")
            && svg.contains(">4m30s<"),
        "{svg}"
    );
    assert!(svg.contains(">cost (replica-hours)<"));
}
