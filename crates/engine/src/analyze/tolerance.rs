//! The tolerance band around a usage ratio of 1.0 inside which the HPA does not act:
//! the controller's flag, or per direction from `behavior.scaleUp/scaleDown.tolerance`.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec;

/// Scale-down and scale-up tolerances (`Tolerances` upstream).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tolerances {
    /// How far below 1.0 the ratio may fall without scaling down.
    pub down: f64,
    /// How far above 1.0 the ratio may rise without scaling up.
    pub up: f64,
}

impl Tolerances {
    /// `tolerancesForHpa`: the flag's value unless the HPA's behavior sets its own.
    pub fn for_hpa(spec: &HorizontalPodAutoscalerSpec, flag: f64) -> Self {
        let mut t = Self {
            down: flag,
            up: flag,
        };
        let behavior = spec.behavior.as_ref();
        let parse = |q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity| {
            alpaca_quantity::Quantity::parse(&q.0)
                .map(|q| q.as_approximate_f64())
                .ok()
        };
        if let Some(b) = behavior {
            if let Some(v) = b
                .scale_down
                .as_ref()
                .and_then(|r| r.tolerance.as_ref())
                .and_then(parse)
            {
                t.down = v;
            }
            if let Some(v) = b
                .scale_up
                .as_ref()
                .and_then(|r| r.tolerance.as_ref())
                .and_then(parse)
            {
                t.up = v;
            }
        }
        t
    }

    /// Whether a usage ratio is close enough to 1.0 to leave the replica count alone.
    pub fn contains(&self, ratio: f64) -> bool {
        (1.0 - self.down) <= ratio && ratio <= (1.0 + self.up)
    }

    /// The band as a person reads it: `[0.90, 1.10]`.
    pub fn band(&self) -> String {
        format!("[{:.2}, {:.2}]", 1.0 - self.down, 1.0 + self.up)
    }
}
