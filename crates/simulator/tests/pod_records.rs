//! The controller loop reads the simulated pods as compact records; handed the `Pod` and
//! `PodMetrics` objects those records stand for instead, every example and the fleet
//! decide exactly alike (watch lines, narrative, summary, timeline, plot, explanation).

use std::path::Path;

use alpaca_sim::report::{plot, summary, timeline};
use alpaca_sim::{Lines, Options, Scenario, fleet, run};

fn everything(scenario: &Scenario, pod_objects: bool, explain_at: i64) -> String {
    let opts = Options {
        record: true,
        explain_at: Some(explain_at),
        pod_objects,
    };
    let mut lines = Lines::default();
    let o = run(scenario, &opts, &mut lines).unwrap();
    let mut out = lines.0.join("\n");
    out.push_str(&summary::summary(&o));
    out.push_str(&timeline::csv(&o));
    out.push_str(&timeline::json(&o));
    out.push_str(&plot::svg(&o, &alpaca_sim::marks(scenario)));
    for h in &o.hpas {
        if let Some(e) = &h.explained {
            out.push_str(&e.decision.explanation.join("\n"));
            out.push_str(&format!("{:?}", e.decision.status));
        }
    }
    out
}

#[test]
fn every_example_decides_alike_from_records_and_from_objects() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let scenario = Scenario::from_file(&path).unwrap();
        let at = scenario.duration / 2;
        let records = everything(&scenario, false, at);
        let objects = everything(&scenario, true, at);
        assert_eq!(records, objects, "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} examples");
}

#[test]
fn the_fleet_decides_alike_from_records_and_from_objects() {
    let scenario = Scenario::parse(&fleet::scenario(5, "2h"), None, "fleet").unwrap();
    let records = everything(&scenario, false, 3_600_000);
    assert_eq!(records, everything(&scenario, true, 3_600_000));
    assert!(records.contains("SuccessfulRescale"), "the fleet scales");
}
