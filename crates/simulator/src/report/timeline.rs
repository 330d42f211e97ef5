//! `--timeline FILE.csv|FILE.json`: one row per tick — time, load, ready and total pods,
//! desired replicas, pods needed, and each metric's value and target as the HPA saw it.

use std::fmt::Write;

use serde::Serialize;

use crate::runner::Outcome;
use crate::runner::record::Sample;

fn num(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// The timeline as CSV (columns prefixed with the HPA's name when there are several).
pub fn csv(o: &Outcome) -> String {
    let prefix = |name: &str| {
        if o.hpas.len() > 1 {
            format!("{name}.")
        } else {
            String::new()
        }
    };
    let mut out = String::from("time_s");
    for h in &o.hpas {
        let p = prefix(&h.record.name);
        let _ = write!(out, ",{p}load_rps,{p}ready,{p}total,{p}desired,{p}needed");
        for m in &h.metric_names {
            let _ = write!(out, ",{p}{m}.value,{p}{m}.target");
        }
    }
    out.push('\n');
    let rows = o
        .hpas
        .iter()
        .map(|h| h.record.samples.len())
        .min()
        .unwrap_or(0);
    for i in 0..rows {
        let t = o.hpas[0].record.samples[i].t;
        out.push_str(&num(t as f64 / 1000.0));
        for h in &o.hpas {
            let s = &h.record.samples[i];
            let _ = write!(
                out,
                ",{},{},{},{},{}",
                num(s.load),
                s.ready,
                s.total,
                s.desired,
                s.needed
            );
            for m in &s.metrics {
                let _ = write!(
                    out,
                    ",{},{}",
                    m.value.map(num).unwrap_or_default(),
                    num(m.target)
                );
            }
        }
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonHpa<'a> {
    name: &'a str,
    metrics: &'a [String],
    samples: &'a [Sample],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonTimeline<'a> {
    scenario: &'a str,
    step_ms: i64,
    hpas: Vec<JsonHpa<'a>>,
}

/// The timeline as JSON: per HPA, its metric names and one sample per tick (`t` in ms).
pub fn json(o: &Outcome) -> String {
    let doc = JsonTimeline {
        scenario: &o.name,
        step_ms: o.step,
        hpas: o
            .hpas
            .iter()
            .map(|h| JsonHpa {
                name: &h.record.name,
                metrics: &h.metric_names,
                samples: &h.record.samples,
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
