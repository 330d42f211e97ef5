//! Load generators: open-loop request rates (constant, steps, ramp, sine, CSV trace) with
//! optional seeded noise, closed-loop clients with think time, and work queues.

pub mod csv;
pub mod queue;
pub mod rate;

use std::collections::HashMap;

use crate::clock::Millis;
use crate::rng;
use crate::scenario::{LoadDef, LoadKind};
use rate::Rate;

/// A load generator's state during a run.
#[derive(Debug, Clone)]
pub struct LoadRuntime {
    /// Started or stopped by an action (`None`: as its start/stop times say).
    pub forced: Option<bool>,
    /// The open-loop rate, replaced by `setRate`.
    pub rate: Option<Rate>,
    noise: Noise,
    throughput: HashMap<usize, f64>,
}

impl LoadRuntime {
    /// The generator at the start of a run.
    pub fn new(def: &LoadDef) -> Self {
        Self {
            forced: None,
            rate: match &def.kind {
                LoadKind::Open(r) => Some(r.clone()),
                LoadKind::Closed { .. } => None,
            },
            noise: Noise::new(rng::name_hash(&def.noise_stream)),
            throughput: HashMap::new(),
        }
    }

    /// Whether it sends at `t`.
    pub fn active_at(&self, t: Millis, def: &LoadDef) -> bool {
        self.forced
            .unwrap_or_else(|| t >= def.start && def.stop.is_none_or(|s| t < s))
    }

    /// Requests/s at `t`, noise included.
    pub fn rate_at(&mut self, t: Millis, def: &LoadDef, seed: u64) -> f64 {
        let base = self.rate.as_ref().map_or(0.0, |r| r.at(t));
        base * self.noise.factor(seed, def.noise, def.noise_period, t)
    }

    /// Closed-loop throughput against `n` ready pods (cached: it depends only on `n`).
    pub fn closed_throughput(&mut self, n: usize, clients: u32, think: f64, cost: f64) -> f64 {
        *self.throughput.entry(n).or_insert_with(|| {
            crate::workload::queueing::closed_loop_throughput(clients, think, cost, n)
        })
    }
}

/// One generator's noise stream, remembering the current period's draw (the same value
/// [`noise_factor`] gives, without drawing it again every tick).
#[derive(Debug, Clone)]
pub struct Noise {
    stream: u64,
    last: Option<(i64, f64)>,
}

impl Noise {
    /// The stream with this number.
    pub fn new(stream: u64) -> Self {
        Self { stream, last: None }
    }

    /// [`noise_factor`] for this stream.
    pub fn factor(&mut self, seed: u64, noise: f64, period: Millis, t: Millis) -> f64 {
        let index = t.div_euclid(period.max(1));
        match self.last {
            Some((i, f)) if i == index => f,
            _ => {
                let f = noise_factor(seed, self.stream, noise, period, t);
                self.last = Some((index, f));
                f
            }
        }
    }
}

/// `max(0, 1 + noise × N(0,1))`, one draw per `period`.
pub fn noise_factor(seed: u64, stream: u64, noise: f64, period: Millis, t: Millis) -> f64 {
    if noise <= 0.0 {
        return 1.0;
    }
    let index = t.div_euclid(period.max(1)) as u64;
    (1.0 + noise * rng::normal(seed, stream, index)).max(0.0)
}
