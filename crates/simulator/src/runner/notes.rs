//! The narrative between the watch lines: what the scenario did (load started, metric
//! written), the HPA's events, and why the replica count is not what the metrics want
//! (stabilization, rate limits, bounds), said once when it starts.

use alpaca_engine::snapshot::Decision;
use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus,
};

use crate::clock::{self, Millis};

/// A narrative line: `# 1m15s   text`.
pub fn line(t: Millis, text: &str) -> String {
    format!("# {:<8}{text}", clock::short(t))
}

fn plural(n: i32) -> &'static str {
    if n == 1 { "replica" } else { "replicas" }
}

/// Remembers, per HPA, what limited it last, so each limit is told once.
#[derive(Debug, Default)]
pub struct Narrator {
    last: Vec<Option<String>>,
}

impl Narrator {
    /// A narrator for `n` HPAs.
    pub fn new(n: usize) -> Self {
        Self {
            last: vec![None; n],
        }
    }

    /// Whether HPA `i` is held by stabilization since its last sync.
    pub fn holding(&self, i: usize) -> bool {
        matches!(
            self.last[i].as_deref(),
            Some("ScaleDownStabilized" | "ScaleUpStabilized")
        )
    }

    /// What to say after a sync of HPA `i`, if anything: a line when what limits it
    /// changed (the line is only written then).
    pub fn after_sync(
        &mut self,
        i: usize,
        t: Millis,
        hpa: &HorizontalPodAutoscaler,
        d: &Decision,
        status: &HorizontalPodAutoscalerStatus,
        flag_window: Millis,
    ) -> Option<String> {
        let now = clock::timestamp(t);
        let wanted = d
            .history
            .recommendations
            .iter()
            .find(|r| r.timestamp.0 == now)
            .map(|r| r.replicas);
        let limit = limit(hpa, d, status, wanted);
        let same = match (&limit, self.last[i].as_deref()) {
            (None, None) => true,
            (Some(l), Some(last)) => l.is(last),
            _ => false,
        };
        if same {
            return None;
        }
        self.last[i] = limit.as_ref().map(Limit::key);
        let text = match limit? {
            Limit::Inactive(c) => format!(
                "{}: cannot compute a replica count ({}): {}",
                name(hpa),
                reason(c),
                c.message.as_deref().unwrap_or_default()
            ),
            Limit::Stabilized(_, down) => stabilized(hpa, d, wanted, down, flag_window),
            Limit::Limited(c) => limited(hpa, d, wanted, c),
        };
        Some(line(t, &text))
    }
}

/// What holds an HPA away from what its metrics want, as its conditions say.
enum Limit<'d> {
    /// ScalingActive is False.
    Inactive(&'d HorizontalPodAutoscalerCondition),
    /// AbleToScale says a stabilization window holds it (scaling down when `true`).
    Stabilized(&'d HorizontalPodAutoscalerCondition, bool),
    /// ScalingLimited is True: a rate limit or a bound.
    Limited(&'d HorizontalPodAutoscalerCondition),
}

impl Limit<'_> {
    /// What the narrator remembers, to tell each limit once.
    fn key(&self) -> String {
        match self {
            Limit::Inactive(c) => format!("inactive:{}", reason(c)),
            Limit::Stabilized(c, _) | Limit::Limited(c) => reason(c).to_string(),
        }
    }

    /// Whether this is the limit remembered as `key` (see [`Limit::key`]).
    fn is(&self, key: &str) -> bool {
        match self {
            Limit::Inactive(c) => key.strip_prefix("inactive:") == Some(reason(c)),
            Limit::Stabilized(c, _) | Limit::Limited(c) => key == reason(c),
        }
    }
}

fn reason(c: &HorizontalPodAutoscalerCondition) -> &str {
    c.reason.as_deref().unwrap_or_default()
}

fn name(hpa: &HorizontalPodAutoscaler) -> &str {
    hpa.metadata.name.as_deref().unwrap_or_default()
}

fn condition<'d>(
    status: &'d HorizontalPodAutoscalerStatus,
    ty: &str,
) -> Option<&'d HorizontalPodAutoscalerCondition> {
    status.conditions.iter().flatten().find(|c| c.type_ == ty)
}

/// What the metrics want, within the HPA's bounds.
fn bounded(hpa: &HorizontalPodAutoscaler, d: &Decision, wanted: Option<i32>) -> i32 {
    let min = hpa.spec.min_replicas.unwrap_or(1);
    wanted
        .unwrap_or(d.desired_replicas)
        .max(min)
        .min(hpa.spec.max_replicas)
}

fn limit<'d>(
    hpa: &HorizontalPodAutoscaler,
    d: &Decision,
    status: &'d HorizontalPodAutoscalerStatus,
    wanted: Option<i32>,
) -> Option<Limit<'d>> {
    if let Some(c) = condition(status, "ScalingActive").filter(|c| c.status == "False") {
        return Some(Limit::Inactive(c));
    }
    if let Some(c) = condition(status, "AbleToScale") {
        let w = bounded(hpa, d, wanted);
        match c.reason.as_deref() {
            Some("ScaleDownStabilized") if w < d.desired_replicas => {
                return Some(Limit::Stabilized(c, true));
            }
            Some("ScaleUpStabilized") if w > d.desired_replicas => {
                return Some(Limit::Stabilized(c, false));
            }
            _ => {}
        }
    }
    condition(status, "ScalingLimited")
        .filter(|c| {
            c.status == "True"
                && matches!(
                    c.reason.as_deref(),
                    Some("ScaleUpLimit" | "ScaleDownLimit" | "TooManyReplicas")
                )
        })
        .map(Limit::Limited)
}

/// Why a stabilization window holds the HPA, and until when.
fn stabilized(
    hpa: &HorizontalPodAutoscaler,
    d: &Decision,
    wanted: Option<i32>,
    down: bool,
    flag_window: Millis,
) -> String {
    let legacy = hpa.spec.behavior.is_none();
    let window = if legacy {
        flag_window
    } else {
        let rules = hpa.spec.behavior.as_ref().and_then(|b| {
            if down {
                b.scale_down.as_ref()
            } else {
                b.scale_up.as_ref()
            }
        });
        i64::from(
            rules
                .and_then(|r| r.stabilization_window_seconds)
                .unwrap_or(0),
        ) * 1000
    };
    let min = hpa.spec.min_replicas.unwrap_or(1);
    let w = bounded(hpa, d, wanted);
    let until = d
        .history
        .recommendations
        .iter()
        .filter(|r| {
            if down {
                r.replicas.max(min) > w
            } else {
                r.replicas < w
            }
        })
        .map(|r| clock::millis_of(r.timestamp.0))
        .max()
        .map(|last| last + window);
    let source = if legacy {
        "--horizontal-pod-autoscaler-downscale-stabilization"
    } else if down {
        "behavior.scaleDown.stabilizationWindowSeconds"
    } else {
        "behavior.scaleUp.stabilizationWindowSeconds"
    };
    let direction = if down { "highest" } else { "lowest" };
    let when = until.map_or(String::new(), |u| {
        format!(
            "; if the metrics stay where they are, it {} at the first sync after {}",
            if down { "scales down" } else { "scales up" },
            clock::short(u)
        )
    });
    format!(
        "{}: metrics want {w} {}, holding {}: stabilization keeps the {direction} recommendation of the last {} ({source}){when}",
        name(hpa),
        plural(w),
        d.desired_replicas,
        clock::go(window),
    )
}

/// Which rate limit or bound stopped the HPA.
fn limited(
    hpa: &HorizontalPodAutoscaler,
    d: &Decision,
    wanted: Option<i32>,
    c: &HorizontalPodAutoscalerCondition,
) -> String {
    let reason = reason(c);
    let w = wanted.map_or(String::from("more"), |w| w.to_string());
    let why = match (reason, hpa.spec.behavior.is_none()) {
        ("ScaleUpLimit", true) => {
            let current = hpa
                .status
                .as_ref()
                .map_or(0, |s| s.current_replicas.unwrap_or(0));
            format!("without `behavior`, one sync may scale to at most max(2 × {current}, 4)")
        }
        ("ScaleUpLimit", false) => {
            "the behavior.scaleUp policies allow no more for now".to_string()
        }
        ("ScaleDownLimit", _) => {
            "the behavior.scaleDown policies allow no fewer for now".to_string()
        }
        _ => format!("maxReplicas is {}", hpa.spec.max_replicas),
    };
    format!(
        "{}: metrics want {w} replicas, scaled to {} ({reason}: {why})",
        name(hpa),
        d.desired_replicas
    )
}
