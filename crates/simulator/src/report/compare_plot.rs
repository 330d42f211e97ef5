//! `--compare --plot FILE.svg`: for each HPA, both runs on one chart with shared axes —
//! the replicas the HPA set and the ready pods as upstream 1.37 would (dashed) and with
//! Alpaca's opt-ins (solid), over the load and the pods it needs — and below it the two
//! summaries side by side (cost, time short of capacity, peak, scale events).

use std::fmt::Write;

use super::plot::{
    Axis, C_LOAD, C_LOAD_FILL, C_NEEDED, LEFT, Panel, RIGHT, STYLE, W, action_marks, esc, legend,
    pods_panel, step_path, time_axis,
};
use crate::clock::{self, Millis};
use crate::runner::{HpaOutcome, Outcome};

const CHART_H: f64 = 280.0;
const BLOCK_H: f64 = 70.0 + CHART_H + 50.0 + 110.0;
const C_UP: &str = "#5e35b1";
const C_OURS: &str = "#1b7f3b";
/// Upstream's curves are dashed, the opt-ins' solid.
const DASH_UP: &str = "7 4";

fn chart(
    out: &mut String,
    o: &Outcome,
    u: &HpaOutcome,
    a: &HpaOutcome,
    top: f64,
    marks: &[(Millis, String)],
) {
    let ax = Axis {
        x0: LEFT,
        x1: W - RIGHT,
        duration: o.duration as f64,
    };
    let name = a.object.metadata.name.as_deref().unwrap_or_default();
    let spec = &a.object.spec;
    let _ = write!(
        out,
        r#"<text x="{LEFT}" y="{:.1}" class="h2">HPA {} → {}/{}: upstream 1.37 vs with Alpaca's opt-ins</text>"#,
        top + 18.0,
        esc(name),
        esc(&spec.scale_target_ref.kind),
        esc(&spec.scale_target_ref.name),
    );
    legend(
        out,
        LEFT,
        top + 44.0,
        &[
            (C_UP, DASH_UP, "upstream 1.37: ready pods"),
            (C_OURS, "0", "with Alpaca's opt-ins: ready pods"),
            (C_NEEDED, "2 3", "pods the load needs"),
            (C_LOAD, "0", "load (right axis)"),
        ],
    );
    let (p_top, p_bot) = (top + 62.0, top + 62.0 + CHART_H);
    let (us, os) = (&u.record.samples, &a.record.samples);
    let cap = i64::from(spec.max_replicas) * 2;
    let peak = us
        .iter()
        .chain(os)
        .map(|x| x.desired.max(x.ready as i32).max(x.needed.min(cap) as i32))
        .max()
        .unwrap_or(1);
    let pods_max = (f64::from(peak) + 1.0).max(2.0);
    let py = |v: f64| p_bot - (p_bot - p_top) * v / pods_max;
    let load_max = os.iter().map(|x| x.load).fold(0.0, f64::max) * 1.1;
    let load_max = if load_max <= 0.0 { 1.0 } else { load_max };
    let ly = |v: f64| p_bot - (p_bot - p_top) * v / load_max;
    pods_panel(
        out,
        &ax,
        &Panel {
            top: p_top,
            height: CHART_H,
            pods_max,
            load_max: Some(load_max),
        },
    );
    // the load is the same in both runs: drawn once
    let every = (os.len() / 1500).max(1);
    let mut area = format!("M{:.1},{p_bot:.1}", ax.x0);
    for x in os.iter().step_by(every) {
        let _ = write!(area, "L{:.1},{:.1}", ax.x(x.t), ly(x.load));
    }
    let _ = write!(
        area,
        "L{:.1},{p_bot:.1}Z",
        ax.x(os.last().map_or(0, |x| x.t))
    );
    let _ = write!(
        out,
        r#"<path d="{area}" fill="{C_LOAD_FILL}" opacity="0.8"/>"#
    );
    let needed: Vec<_> = os
        .iter()
        .map(|x| (x.t, Some(x.needed.min(cap) as f64)))
        .collect();
    let _ = write!(
        out,
        r#"<path d="{}" fill="none" stroke="{C_NEEDED}" stroke-width="1.5" stroke-dasharray="2 3"/>"#,
        step_path(&ax, &needed, &py)
    );
    for (h, color, dash, width) in [(a, C_OURS, "0", 2.6), (u, C_UP, DASH_UP, 2.2)] {
        let ready: Vec<_> = h
            .record
            .samples
            .iter()
            .map(|x| (x.t, Some(x.ready as f64)))
            .collect();
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{color}" stroke-width="{width}" stroke-dasharray="{dash}"/>"#,
            step_path(&ax, &ready, &py)
        );
    }
    time_axis(out, &ax, o.duration, p_bot, None, 36.0);
    action_marks(out, &ax, marks, p_top, p_bot);
    summaries(out, u, a, p_bot + 62.0);
}

/// The two summaries side by side, one row per figure.
fn summaries(out: &mut String, u: &HpaOutcome, a: &HpaOutcome, top: f64) {
    let (r_u, r_a) = (&u.record, &a.record);
    let rows = [
        (
            "",
            "upstream 1.37".to_string(),
            "with Alpaca's opt-ins".to_string(),
        ),
        (
            "cost (replica-hours)",
            format!("{:.2}", r_u.pod_ms / 3_600_000.0),
            format!("{:.2}", r_a.pod_ms / 3_600_000.0),
        ),
        (
            "time short of capacity",
            clock::go(r_u.short_ms),
            clock::go(r_a.short_ms),
        ),
        (
            "peak replicas",
            r_u.peak.0.to_string(),
            r_a.peak.0.to_string(),
        ),
        (
            "scale events",
            r_u.scale_events.len().to_string(),
            r_a.scale_events.len().to_string(),
        ),
    ];
    for (i, (label, x, y)) in rows.iter().enumerate() {
        let ty = top + 18.0 * i as f64;
        let class = if i == 0 { "h2" } else { "legend" };
        let _ = write!(
            out,
            r#"<text x="{LEFT}" y="{ty:.1}" class="legend">{}</text><text x="{:.1}" y="{ty:.1}" class="{class}" fill="{C_UP}" text-anchor="end">{}</text><text x="{:.1}" y="{ty:.1}" class="{class}" text-anchor="end">{}</text>"#,
            esc(label),
            LEFT + 400.0,
            esc(x),
            LEFT + 640.0,
            esc(y)
        );
    }
}

/// Both runs of `--compare` on one chart per HPA (HPAs paired by position).
pub fn svg(
    title: &str,
    upstream: &Outcome,
    alpaca: &Outcome,
    marks: &[(Millis, String)],
) -> String {
    let n = alpaca.hpas.len().min(upstream.hpas.len());
    let height = 64.0 + BLOCK_H * n as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height:.0}" viewBox="0 0 {W} {height:.0}" font-family="Helvetica, Arial, sans-serif">{STYLE}<rect width="100%" height="100%" fill="white"/>"#
    );
    let _ = write!(
        out,
        r#"<text x="{LEFT}" y="28" class="h1">{}</text><text x="{LEFT}" y="47" class="sub">alpaca simulate --compare · {} of simulated time · the same load, upstream 1.37 dashed, Alpaca's opt-ins solid</text>"#,
        esc(title),
        clock::go(alpaca.duration)
    );
    for (i, (u, a)) in upstream.hpas.iter().zip(&alpaca.hpas).enumerate() {
        chart(&mut out, alpaca, u, a, 64.0 + BLOCK_H * i as f64, marks);
    }
    out.push_str("</svg>\n");
    out
}
