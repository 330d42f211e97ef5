//! `alpaca-sim`: a simulated Kubernetes cluster in which HorizontalPodAutoscalers run
//! through the same controller loop ([`alpaca_loop`]) and engine ([`alpaca_engine`]) as
//! the real controller, in simulated time.
//!
//! ```text
//!  scenario.yaml ──Scenario::from_file──▶ Scenario ──run──▶ Outcome ──report──▶ text, CSV, JSON, SVG
//!   (Deployment, Service, HPA v1/v2,        │
//!    kind: Simulation)                      ▼ every step
//!        actions ─▶ pods (Pending→Running→Ready→Terminating) ─▶ metrics-server / adapter
//!          ─▶ ControlLoop::sync (engine) through Shell ─▶ scale ─▶ Service spreads load ─▶ CPU
//! ```
//!
//! ```
//! let yaml = r#"
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: web}
//! spec:
//!   selector: {matchLabels: {app: web}}
//!   template:
//!     metadata: {labels: {app: web}}
//!     spec: {containers: [{name: web, image: web, resources: {requests: {cpu: 200m}}}]}
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata: {name: web}
//! spec: {selector: {app: web}, ports: [{port: 80}]}
//! ---
//! apiVersion: autoscaling/v1
//! kind: HorizontalPodAutoscaler
//! metadata: {name: web}
//! spec:
//!   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
//!   minReplicas: 1
//!   maxReplicas: 10
//!   targetCPUUtilizationPercentage: 50
//! ---
//! kind: Simulation
//! spec:
//!   duration: 3m
//!   workloads: [{deployment: web, cpuPerRequest: 10ms}]
//!   load: [{name: users, service: web, rate: {constant: 50}}]
//! "#;
//! let scenario = alpaca_sim::Scenario::parse(yaml, None, "web").unwrap();
//! let outcome = alpaca_sim::run(&scenario, &Default::default(), &mut alpaca_sim::Quiet).unwrap();
//! // 50 req/s × 10ms = 500m of CPU: 250% of one pod's request; 5 pods bring it to 50%.
//! assert_eq!(outcome.hpas[0].final_replicas, 5);
//! ```
//!
//! Deterministic: simulated time only, seeded noise, ordered maps. The same scenario and
//! seed give byte-identical output.

pub mod clock;
pub mod cluster;
pub mod compare;
pub mod error;
pub mod fleet;
pub mod load;
pub mod metrics;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod shell;
pub mod workload;

pub use error::{ScenarioError, SimError};
pub use runner::{HpaOutcome, Lines, Observer, Options, Outcome, Quiet, run};
pub use scenario::Scenario;

/// Labels of the scenario's actions and load changes over time (for the plot).
pub fn marks(scenario: &Scenario) -> Vec<(clock::Millis, String)> {
    runner::actions::marks(scenario)
}
