//! `--plot FILE.svg`: for each HPA, load and pods over time (ready pods, the replicas the
//! HPA asked for, the pods the load needed, scale events, the scenario's actions), and
//! below it each metric against its target. Hand-written SVG: no fonts or scripts to
//! load, readable in a browser, a README or an editor.

use std::fmt::Write;

use crate::clock::{self, MINUTE, Millis};
use crate::runner::{HpaOutcome, Outcome};

pub(super) const W: f64 = 960.0;
pub(super) const LEFT: f64 = 64.0;
pub(super) const RIGHT: f64 = 84.0;
const PODS_H: f64 = 250.0;
const METRIC_H: f64 = 150.0;
const BLOCK_H: f64 = 68.0 + PODS_H + 56.0 + METRIC_H + 52.0;

const C_READY: &str = "#1b7f3b";
const C_DESIRED: &str = "#e8710a";
pub(super) const C_NEEDED: &str = "#8e8e8e";
pub(super) const C_LOAD_FILL: &str = "#dbe9f6";
pub(super) const C_LOAD: &str = "#5b9bd5";
const C_TARGET: &str = "#c62828";
const C_METRICS: [&str; 4] = ["#6a1b9a", "#00838f", "#ad1457", "#5d4037"];

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A "nice" tick step for a range (1, 2, 2.5 or 5 × 10^k).
pub(super) fn nice_step(range: f64, ticks: f64) -> f64 {
    let raw = (range / ticks).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A metric value as Kubernetes writes quantities: `300m`, `1.5`, `10k`.
fn fmt_quantity(v: f64) -> String {
    if v != 0.0 && v.abs() < 1.0 {
        format!("{}m", (v * 1000.0).round() as i64)
    } else {
        fmt_tick(v)
    }
}

pub(super) fn fmt_tick(v: f64) -> String {
    if v >= 1000.0 && (v / 1000.0).fract() == 0.0 {
        format!("{}k", v / 1000.0)
    } else if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

pub(super) struct Axis {
    pub(super) x0: f64,
    pub(super) x1: f64,
    pub(super) duration: f64,
}

impl Axis {
    pub(super) fn x(&self, t: Millis) -> f64 {
        self.x0 + (self.x1 - self.x0) * (t as f64 / self.duration.max(1.0))
    }
}

/// A step path through (t, value) points; `None` breaks it.
pub(super) fn step_path(
    ax: &Axis,
    points: &[(Millis, Option<f64>)],
    y: &dyn Fn(f64) -> f64,
) -> String {
    let mut d = String::new();
    let mut last: Option<f64> = None;
    for (i, (t, v)) in points.iter().enumerate() {
        let x = ax.x(*t);
        match (*v, last) {
            (Some(v), None) => {
                let _ = write!(d, "M{x:.1},{:.1}", y(v));
                last = Some(v);
            }
            (Some(v), Some(l)) if v != l => {
                let _ = write!(d, "H{x:.1}V{:.1}", y(v));
                last = Some(v);
            }
            (None, Some(_)) => {
                let _ = write!(d, "H{x:.1}");
                last = None;
            }
            _ => {}
        }
        if i + 1 == points.len() && last.is_some() {
            let _ = write!(d, "H{x:.1}");
        }
    }
    d
}

/// A pods panel: `height` pixels from `top`, pods from 0 to `pods_max` on the left and, when
/// given, load from 0 to `load_max` on the right.
pub(super) struct Panel {
    pub(super) top: f64,
    pub(super) height: f64,
    pub(super) pods_max: f64,
    pub(super) load_max: Option<f64>,
}

/// Draws a panel's frame, its pods grid and ticks, its load ticks and the "pods" label.
pub(super) fn pods_panel(out: &mut String, ax: &Axis, panel: &Panel) {
    let (p_top, p_bot) = (panel.top, panel.top + panel.height);
    let _ = write!(
        out,
        r#"<rect x="{LEFT}" y="{p_top:.1}" width="{:.1}" height="{}" class="frame"/>"#,
        ax.x1 - ax.x0,
        panel.height
    );
    let pods_max = panel.pods_max;
    let pstep = nice_step(pods_max, 6.0).max(1.0).round();
    let mut v = 0.0;
    while v <= pods_max + 1e-9 {
        let y = p_bot - (p_bot - p_top) * v / pods_max;
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            ax.x1,
            LEFT - 6.0,
            y + 4.0,
            fmt_tick(v)
        );
        v += pstep;
    }
    if let Some(load_max) = panel.load_max {
        let lstep = nice_step(load_max, 6.0);
        let mut v = 0.0;
        while v <= load_max + 1e-9 {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" class="tick load">{}</text>"#,
                ax.x1 + 6.0,
                p_bot - (p_bot - p_top) * v / load_max + 4.0,
                fmt_tick(v)
            );
            v += lstep;
        }
    }
    let _ = write!(
        out,
        r#"<text transform="translate(18,{:.1}) rotate(-90)" class="axis" text-anchor="middle">pods</text>"#,
        (p_top + p_bot) / 2.0
    );
}

pub(super) fn legend(out: &mut String, x: f64, y: f64, items: &[(&str, &str, &str)]) {
    let mut cx = x;
    for (color, dash, label) in items {
        let _ = write!(
            out,
            r#"<line x1="{cx:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{color}" stroke-width="3" stroke-dasharray="{dash}"/><text x="{:.1}" y="{:.1}" class="legend">{}</text>"#,
            cx + 22.0,
            cx + 27.0,
            y + 4.0,
            esc(label)
        );
        cx += 36.0 + label.len() as f64 * 6.4;
    }
}

pub(super) fn time_ticks(duration: Millis) -> (Millis, bool) {
    let hours = duration > 4 * 60 * MINUTE;
    let unit = if hours { 60 * MINUTE } else { MINUTE };
    let step = nice_step(duration as f64 / unit as f64, 10.0).max(if hours { 1.0 } else { 0.5 });
    ((step * unit as f64) as Millis, hours)
}

fn block(out: &mut String, o: &Outcome, h: &HpaOutcome, top: f64, marks: &[(Millis, String)]) {
    let ax = Axis {
        x0: LEFT,
        x1: W - RIGHT,
        duration: o.duration as f64,
    };
    let s = &h.record.samples;
    let spec = &h.object.spec;
    let name = h.object.metadata.name.as_deref().unwrap_or_default();
    let targets: Vec<String> = h
        .metric_names
        .iter()
        .zip(s.first().map(|x| x.metrics.clone()).unwrap_or_default())
        .map(|(n, m)| {
            if is_utilization(h, n) {
                format!("{n} {}%", fmt_tick(m.target))
            } else {
                format!("{n} {}", fmt_quantity(m.target))
            }
        })
        .collect();
    let _ = write!(
        out,
        r#"<text x="{LEFT}" y="{:.1}" class="h2">HPA {} → {}/{}</text><text x="{LEFT}" y="{:.1}" class="sub">targets: {} · minReplicas {} · maxReplicas {}{}</text>"#,
        top + 18.0,
        esc(name),
        esc(&spec.scale_target_ref.kind),
        esc(&spec.scale_target_ref.name),
        top + 36.0,
        esc(&targets.join(", ")),
        spec.min_replicas.unwrap_or(1),
        spec.max_replicas,
        if spec.behavior.is_some() {
            " · with behavior"
        } else {
            ""
        }
    );
    let p_top = top + 68.0;
    let p_bot = p_top + PODS_H;
    let has_load = s.iter().any(|x| x.load > 0.0);
    let mut items = vec![
        (C_READY, "0", "ready pods"),
        (C_DESIRED, "7 4", "replicas the HPA set"),
    ];
    if has_load {
        items.push((C_NEEDED, "2 3", "pods the load needs at target"));
        items.push((C_LOAD, "0", "load (requests or messages/s, right axis)"));
    }
    legend(out, LEFT, top + 56.0, &items);
    // Pods axis.
    let peak_pods = s
        .iter()
        .map(|x| {
            x.desired
                .max(x.ready as i32)
                .max(x.needed.min(i64::from(spec.max_replicas) * 2) as i32)
        })
        .max()
        .unwrap_or(1);
    let pods_max = (f64::from(peak_pods.max(spec.max_replicas.min(peak_pods + 2))) + 1.0).max(2.0);
    let py = |v: f64| p_bot - (p_bot - p_top) * v / pods_max;
    let load_max = s.iter().map(|x| x.load).fold(0.0, f64::max) * 1.1;
    let load_max = if load_max <= 0.0 { 1.0 } else { load_max };
    let ly = |v: f64| p_bot - (p_bot - p_top) * v / load_max;
    pods_panel(
        out,
        &ax,
        &Panel {
            top: p_top,
            height: PODS_H,
            pods_max,
            load_max: has_load.then_some(load_max),
        },
    );
    if has_load {
        let _ = write!(
            out,
            r#"<text transform="translate({:.1},{:.1}) rotate(90)" class="axis load" text-anchor="middle">load (per second)</text>"#,
            W - 30.0,
            (p_top + p_bot) / 2.0
        );
    }
    // Load area (at most ~1500 points).
    let every = (s.len() / 1500).max(1);
    let mut area = format!("M{:.1},{p_bot:.1}", ax.x0);
    let mut line = String::new();
    for (i, x) in s
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i + 1 == s.len())
    {
        let px = ax.x(x.t);
        let _ = write!(area, "L{px:.1},{:.1}", ly(x.load));
        let _ = write!(
            line,
            "{}{px:.1},{:.1}",
            if i == 0 { "M" } else { "L" },
            ly(x.load)
        );
    }
    let _ = write!(
        area,
        "L{:.1},{p_bot:.1}Z",
        ax.x(s.last().map_or(0, |x| x.t))
    );
    for (a, b) in &h.record.holds {
        let (x0, x1) = (ax.x(*a), ax.x((*b).min(o.duration)));
        let _ = write!(
            out,
            r##"<rect x="{x0:.1}" y="{p_top:.1}" width="{:.1}" height="{PODS_H}" fill="#fff3c4" opacity="0.7"/>"##,
            (x1 - x0).max(0.5)
        );
        if x1 - x0 > 90.0 {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" class="marklabel" text-anchor="middle">stabilization holds the replicas</text>"#,
                (x0 + x1) / 2.0,
                p_bot - 8.0
            );
        }
    }
    let _ = write!(
        out,
        r#"<path d="{area}" fill="{C_LOAD_FILL}" opacity="0.8"/><path d="{line}" fill="none" stroke="{C_LOAD}" stroke-width="1.2"/>"#
    );
    let series =
        |f: &dyn Fn(&crate::runner::record::Sample) -> Option<f64>| -> Vec<(Millis, Option<f64>)> {
            s.iter().map(|x| (x.t, f(x))).collect()
        };
    let needed = series(&|x| Some(x.needed.min(i64::from(spec.max_replicas) * 2) as f64));
    let desired = series(&|x| Some(f64::from(x.desired)));
    let ready = series(&|x| Some(x.ready as f64));
    let _ = write!(
        out,
        r#"<path d="{}" fill="none" stroke="{C_NEEDED}" stroke-width="1.5" stroke-dasharray="2 3"/>"#,
        step_path(&ax, &needed, &py)
    );
    let _ = write!(
        out,
        r#"<path d="{}" fill="none" stroke="{C_DESIRED}" stroke-width="2" stroke-dasharray="7 4"/>"#,
        step_path(&ax, &desired, &py)
    );
    let _ = write!(
        out,
        r#"<path d="{}" fill="none" stroke="{C_READY}" stroke-width="2.6"/>"#,
        step_path(&ax, &ready, &py)
    );
    let labelled = h.record.scale_events.len() <= 24;
    for e in h.record.scale_events.iter().take(2000) {
        let (x, y) = (ax.x(e.at), py(f64::from(e.to)));
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{C_DESIRED}"/>"#
        );
        if labelled {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" class="event">{}→{}</text>"#,
                x + 5.0,
                y - 7.0,
                e.from,
                e.to
            );
        }
    }
    // Metric chart.
    let m_top = p_bot + 56.0;
    let m_bot = m_top + METRIC_H;
    let n_metrics = h.metric_names.len();
    let single = n_metrics == 1;
    let values: Vec<Vec<(Millis, Option<f64>)>> = (0..n_metrics)
        .map(|k| {
            series(&|x| {
                let m = x.metrics.get(k)?;
                let v = m.value?;
                Some(if single {
                    v
                } else if m.target > 0.0 {
                    100.0 * v / m.target
                } else {
                    0.0
                })
            })
        })
        .collect();
    let target = if single {
        s.first()
            .and_then(|x| x.metrics.first())
            .map_or(0.0, |m| m.target)
    } else {
        100.0
    };
    let vmax = values
        .iter()
        .flatten()
        .filter_map(|p| p.1)
        .fold(target, f64::max)
        * 1.15;
    let vmax = if vmax <= 0.0 { 1.0 } else { vmax };
    let my = |v: f64| m_bot - (m_bot - m_top) * v / vmax;
    let mstep = nice_step(vmax, 4.0);
    let unit = if single && is_utilization(h, &h.metric_names[0]) {
        "%"
    } else {
        ""
    };
    let m_label = if single {
        if unit == "%" {
            format!("{} utilization (% of request)", h.metric_names[0])
        } else {
            h.metric_names[0].clone()
        }
    } else {
        "each metric as the HPA saw it, in % of its target".to_string()
    };
    let fmt_metric = |v: f64| {
        if unit == "%" {
            fmt_tick(v)
        } else if single {
            fmt_quantity(v)
        } else {
            fmt_tick(v)
        }
    };
    let mut items: Vec<(String, &str, &str)> = h
        .metric_names
        .iter()
        .enumerate()
        .map(|(k, n)| {
            (
                format!("{n} (as the HPA saw it)"),
                C_METRICS[k % C_METRICS.len()],
                "0",
            )
        })
        .collect();
    items.push((
        if single {
            format!("target {}{unit}", fmt_metric(target))
        } else {
            "target (100%)".to_string()
        },
        C_TARGET,
        "6 4",
    ));
    let items_ref: Vec<(&str, &str, &str)> =
        items.iter().map(|(l, c, d)| (*c, *d, l.as_str())).collect();
    legend(out, LEFT, m_top - 14.0, &items_ref);
    let _ = write!(
        out,
        r#"<rect x="{LEFT}" y="{m_top:.1}" width="{:.1}" height="{METRIC_H}" class="frame"/>"#,
        ax.x1 - ax.x0
    );
    let mut v = 0.0;
    while v <= vmax + 1e-9 {
        let y = my(v);
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}{unit}</text>"#,
            ax.x1,
            LEFT - 6.0,
            y + 4.0,
            fmt_metric(v)
        );
        v += mstep;
    }
    let _ = write!(
        out,
        r#"<text transform="translate(18,{:.1}) rotate(-90)" class="axis" text-anchor="middle">{}</text>"#,
        (m_top + m_bot) / 2.0,
        esc(if single {
            &h.metric_names[0]
        } else {
            "% of target"
        })
    );
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" class="sub" text-anchor="end">{}</text>"#,
        ax.x1,
        m_top - 10.0,
        esc(&m_label)
    );
    let ty = my(target);
    let _ = write!(
        out,
        r#"<line x1="{LEFT}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="{C_TARGET}" stroke-width="1.6" stroke-dasharray="6 4"/>"#,
        ax.x1
    );
    for (k, pts) in values.iter().enumerate() {
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            step_path(&ax, pts, &my),
            C_METRICS[k % C_METRICS.len()]
        );
    }
    time_axis(out, &ax, o.duration, m_bot, Some(p_bot), 38.0);
    action_marks(out, &ax, marks, p_top, m_bot);
}

/// The time axis under a panel ending at `bottom`: a tick and its label (minutes, or hours
/// for long runs) at each step, a tick under the panel ending at `also` too when given, and
/// the axis title `title_below` pixels under `bottom`.
pub(super) fn time_axis(
    out: &mut String,
    ax: &Axis,
    duration: Millis,
    bottom: f64,
    also: Option<f64>,
    title_below: f64,
) {
    let (tick, hours) = time_ticks(duration);
    let mut t = 0;
    while t <= duration {
        let x = ax.x(t);
        let label = fmt_tick(t as f64 / if hours { 3_600_000.0 } else { 60_000.0 });
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{bottom:.1}" x2="{x:.1}" y2="{:.1}" class="axisline"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{label}</text>"#,
            bottom + 5.0,
            bottom + 18.0,
        );
        if let Some(y) = also {
            let _ = write!(
                out,
                r#"<line x1="{x:.1}" y1="{y:.1}" x2="{x:.1}" y2="{:.1}" class="axisline"/>"#,
                y + 5.0,
            );
        }
        t += tick.max(1);
    }
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" class="axis" text-anchor="middle">time ({})</text>"#,
        (ax.x0 + ax.x1) / 2.0,
        bottom + title_below,
        if hours { "hours" } else { "minutes" }
    );
}

/// The scenario's actions: a dashed line from `top` to `bottom` at each, labelled on three
/// staggered rows.
pub(super) fn action_marks(
    out: &mut String,
    ax: &Axis,
    marks: &[(Millis, String)],
    top: f64,
    bottom: f64,
) {
    for (k, (t, label)) in marks.iter().enumerate() {
        let x = ax.x(*t);
        let y = top + 14.0 + 14.0 * (k % 3) as f64;
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" class="mark"/><text x="{:.1}" y="{y:.1}" class="marklabel">{}</text>"#,
            x + 4.0,
            esc(label)
        );
    }
}

/// The stylesheet of every plot.
pub(super) const STYLE: &str = "<style>.h1{font-size:19px;font-weight:bold;fill:#222}.h2{font-size:15px;font-weight:bold;fill:#222}.sub{font-size:12px;fill:#555}.legend{font-size:12px;fill:#333}.tick{font-size:11px;fill:#555}.load{fill:#3d7ab8}.axis{font-size:12px;fill:#444}.event{font-size:11px;font-weight:bold;fill:#b35300}.grid{stroke:#e6e6e6;stroke-width:1}.frame{fill:none;stroke:#bbb}.axisline{stroke:#999}.mark{stroke:#777;stroke-width:1;stroke-dasharray:3 3}.marklabel{font-size:11px;fill:#444}</style>";

fn is_utilization(h: &HpaOutcome, name: &str) -> bool {
    h.object.spec.metrics.iter().flatten().any(|m| {
        m.resource
            .as_ref()
            .is_some_and(|r| r.name == name && r.target.type_ == "Utilization")
    })
}

/// The plot of a run recorded with samples.
pub fn svg(o: &Outcome, marks: &[(Millis, String)]) -> String {
    let height = 64.0 + BLOCK_H * o.hpas.len() as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height:.0}" viewBox="0 0 {W} {height:.0}" font-family="Helvetica, Arial, sans-serif">"#
    );
    out.push_str(STYLE);
    let _ = write!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = write!(
        out,
        r#"<text x="{LEFT}" y="28" class="h1">{}</text><text x="{LEFT}" y="47" class="sub">alpaca simulate · {} of simulated time · HPA controller: the engine through the shared controller loop</text>"#,
        esc(&o.title),
        clock::go(o.duration)
    );
    for (i, h) in o.hpas.iter().enumerate() {
        block(&mut out, o, h, 64.0 + BLOCK_H * i as f64, marks);
    }
    out.push_str("</svg>\n");
    out
}
