//! The same scenario and seed give byte-identical output; another seed gives another run.

use std::path::Path;

use alpaca_sim::report::{plot, summary, timeline};
use alpaca_sim::{Lines, Options, Scenario, run};

fn everything(seed: Option<u64>) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/flapping.yaml");
    let mut scenario = Scenario::from_file(&path).unwrap();
    if let Some(s) = seed {
        scenario.seed = s;
    }
    let opts = Options {
        record: true,
        explain_at: Some(240_000),
        ..Options::default()
    };
    let mut lines = Lines::default();
    let o = run(&scenario, &opts, &mut lines).unwrap();
    let mut out = lines.0.join("\n");
    out.push_str(&summary::summary(&o));
    out.push_str(&timeline::csv(&o));
    out.push_str(&timeline::json(&o));
    out.push_str(&plot::svg(&o, &alpaca_sim::marks(&scenario)));
    for h in &o.hpas {
        out.push_str(
            &h.explained
                .as_ref()
                .unwrap()
                .decision
                .explanation
                .join("\n"),
        );
    }
    out
}

#[test]
fn same_scenario_same_bytes() {
    let a = everything(None);
    let b = everything(None);
    assert_eq!(a, b);
    assert_ne!(a, everything(Some(99)), "the seed changes the noise");
}
