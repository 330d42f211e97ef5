//! The narrative between the watch lines: what the scenario did (load started, metric
//! written), the HPA's events, and why the replica count is not what the metrics want
//! (stabilization, rate limits, bounds), said once when it starts.

use alpaca_engine::snapshot::Decision;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

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

    /// What to say after a sync of HPA `i`, if anything.
    pub fn after_sync(
        &mut self,
        i: usize,
        t: Millis,
        hpa: &HorizontalPodAutoscaler,
        d: &Decision,
        flag_window: Millis,
    ) -> Option<String> {
        let now = clock::timestamp(t);
        let wanted = d
            .history
            .recommendations
            .iter()
            .find(|r| r.timestamp.0 == now)
            .map(|r| r.replicas);
        let cond = |ty: &str| d.status.conditions.iter().flatten().find(|c| c.type_ == ty);
        let name = hpa.metadata.name.as_deref().unwrap_or_default();
        let legacy = hpa.spec.behavior.is_none();
        let desired = d.desired_replicas;
        let (key, text) = if let Some(c) = cond("ScalingActive").filter(|c| c.status == "False") {
            let reason = c.reason.clone().unwrap_or_default();
            (
                Some(format!("inactive:{reason}")),
                format!(
                    "{name}: cannot compute a replica count ({reason}): {}",
                    c.message.as_deref().unwrap_or_default()
                ),
            )
        } else if let Some(c) = cond("AbleToScale").filter(|c| {
            let min = hpa.spec.min_replicas.unwrap_or(1);
            let w = wanted
                .unwrap_or(desired)
                .max(min)
                .min(hpa.spec.max_replicas);
            match c.reason.as_deref() {
                Some("ScaleDownStabilized") => w < desired,
                Some("ScaleUpStabilized") => w > desired,
                _ => false,
            }
        }) {
            let down = c.reason.as_deref() == Some("ScaleDownStabilized");
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
            let w = wanted
                .unwrap_or(desired)
                .max(min)
                .min(hpa.spec.max_replicas);
            let holders: Vec<Millis> = d
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
                .collect();
            let until = holders.iter().max().map(|last| last + window);
            let source = if legacy {
                "--horizontal-pod-autoscaler-downscale-stabilization".to_string()
            } else if down {
                "behavior.scaleDown.stabilizationWindowSeconds".to_string()
            } else {
                "behavior.scaleUp.stabilizationWindowSeconds".to_string()
            };
            let direction = if down { "highest" } else { "lowest" };
            let when = until.map_or(String::new(), |u| {
                format!(
                    "; if the metrics stay where they are, it {} at the first sync after {}",
                    if down { "scales down" } else { "scales up" },
                    clock::short(u)
                )
            });
            (
                Some(c.reason.clone().unwrap_or_default()),
                format!(
                    "{name}: metrics want {w} {}, holding {desired}: stabilization keeps the {direction} recommendation of the last {} ({source}){when}",
                    plural(w),
                    clock::go(window),
                ),
            )
        } else if let Some(c) = cond("ScalingLimited").filter(|c| {
            c.status == "True"
                && matches!(
                    c.reason.as_deref(),
                    Some("ScaleUpLimit" | "ScaleDownLimit" | "TooManyReplicas")
                )
        }) {
            let reason = c.reason.clone().unwrap_or_default();
            let w = wanted.map_or(String::from("more"), |w| w.to_string());
            let why = match (reason.as_str(), legacy) {
                ("ScaleUpLimit", true) => {
                    let current = hpa
                        .status
                        .as_ref()
                        .map_or(0, |s| s.current_replicas.unwrap_or(0));
                    format!(
                        "without `behavior`, one sync may scale to at most max(2 × {current}, 4)"
                    )
                }
                ("ScaleUpLimit", false) => {
                    "the behavior.scaleUp policies allow no more for now".to_string()
                }
                ("ScaleDownLimit", _) => {
                    "the behavior.scaleDown policies allow no fewer for now".to_string()
                }
                _ => format!("maxReplicas is {}", hpa.spec.max_replicas),
            };
            (
                Some(reason.clone()),
                format!("{name}: metrics want {w} replicas, scaled to {desired} ({reason}: {why})"),
            )
        } else {
            (None, String::new())
        };
        let changed = self.last[i] != key;
        self.last[i] = key.clone();
        (changed && key.is_some()).then(|| line(t, &text))
    }
}
