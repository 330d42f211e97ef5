//! Work queues: messages arrive (a rate over time, with noise), the workers' ready pods
//! take them as fast as their CPU allows, and the backlog is what an External metric like
//! `queue_messages_ready` reports.

use super::Noise;
use crate::clock::Millis;
use crate::rng;
use crate::scenario::QueueDef;

/// A queue's state during a run.
#[derive(Debug, Clone)]
pub struct QueueRuntime {
    /// Messages waiting.
    pub length: f64,
    /// Messages/s arriving this tick.
    pub arrival: f64,
    /// Messages/s taken by workers this tick.
    pub processing: f64,
    noise: Noise,
}

impl QueueRuntime {
    /// The queue at the start.
    pub fn new(def: &QueueDef) -> Self {
        Self {
            length: def.initial,
            arrival: 0.0,
            processing: 0.0,
            noise: Noise::new(rng::name_hash(&def.name) ^ 0x5155_4555),
        }
    }

    /// Messages/s arriving at `t`, noise included.
    pub fn arrival_at(&mut self, t: Millis, def: &QueueDef, seed: u64) -> f64 {
        def.arrival.at(t) * self.noise.factor(seed, def.noise, def.noise_period, t)
    }

    /// Applies one tick of arrivals and processing.
    pub fn advance(&mut self, dt: Millis) {
        let dt = dt as f64 / 1000.0;
        self.length = (self.length + (self.arrival - self.processing) * dt).max(0.0);
    }
}
