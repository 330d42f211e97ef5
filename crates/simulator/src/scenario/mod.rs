//! Scenarios: a YAML file of several documents — Kubernetes manifests (Deployment,
//! Service, HorizontalPodAutoscaler `autoscaling/v2`, `v1`, or the removed `v2beta2` and
//! `v2beta1`) and one `kind: Simulation` document — read, checked and resolved into a
//! [`Scenario`].
//!
//! ```text
//!   text ─split─▶ documents ─read (serde_path_to_error)─▶ manifests + Simulation
//!        ─resolve─▶ Scenario (names → indices, defaults, ranges)
//! ```
//!
//! Every error is a [`ScenarioError`] naming the document (position, kind/name), the field
//! and the problem.

mod documents;
mod kube;
mod model;
mod simulation;
pub mod spec;
pub mod units;

use std::path::Path;

pub use model::*;

use crate::error::ScenarioError;

/// Kinds the simulator reads but does not simulate (for completeness of a manifest set).
const INERT_KINDS: &[&str] = &[
    "Ingress",
    "Namespace",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
];

impl Scenario {
    /// Reads a scenario file; CSV traces are found relative to it.
    pub fn from_file(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScenarioError::file(format!("cannot read {}: {e}", path.display())))?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "simulation".into());
        Self::parse(&text, path.parent(), &stem)
    }

    /// Reads a scenario from text. `base_dir` is where relative CSV paths start;
    /// `default_name` names the simulation when its document has no name.
    pub fn parse(
        text: &str,
        base_dir: Option<&Path>,
        default_name: &str,
    ) -> Result<Self, ScenarioError> {
        let docs = documents::split(text)?;
        let mut deployments = Vec::new();
        let mut simulation = None;
        for doc in &docs {
            match doc.kind.as_str() {
                "Deployment" => deployments.push(kube::deployment(doc)?),
                "Service" | "HorizontalPodAutoscaler" => {}
                "Simulation" => {
                    if let Some(first) = simulation.replace(doc) {
                        return Err(doc.error(
                            "kind",
                            format!("a scenario has one Simulation document; document {} is one already", first.index),
                        ));
                    }
                }
                k if INERT_KINDS.contains(&k) => {}
                other => {
                    return Err(doc.error(
                        "kind",
                        format!(
                            "{other:?} is not simulated: use Deployment, Service, HorizontalPodAutoscaler and Simulation (ignored: {})",
                            INERT_KINDS.join(", ")
                        ),
                    ));
                }
            }
        }
        for (i, d) in deployments.iter().enumerate() {
            if deployments[..i]
                .iter()
                .any(|o| o.name == d.name && o.namespace == d.namespace)
            {
                let doc = docs
                    .iter()
                    .filter(|x| x.kind == "Deployment")
                    .nth(i)
                    .unwrap_or(&docs[0]);
                return Err(doc.error("metadata.name", "another Deployment has this name"));
            }
        }
        let mut services = Vec::new();
        let mut hpas: Vec<HpaDef> = Vec::new();
        for doc in &docs {
            match doc.kind.as_str() {
                "Service" => services.push(kube::service(doc, &deployments)?),
                "HorizontalPodAutoscaler" => {
                    let h = kube::hpa(doc, doc.value.clone(), &deployments)?;
                    if hpas
                        .iter()
                        .any(|o| o.name == h.name && o.namespace == h.namespace)
                    {
                        return Err(doc.error(
                            "metadata.name",
                            "another HorizontalPodAutoscaler has this name",
                        ));
                    }
                    hpas.push(h);
                }
                _ => {}
            }
        }
        let Some(sim) = simulation else {
            return Err(ScenarioError::file(
                "no `kind: Simulation` document: add one saying how long to run and what load to send (see docs/simulator.md)",
            ));
        };
        if hpas.is_empty() {
            return Err(ScenarioError::file(
                "no HorizontalPodAutoscaler: there is nothing to autoscale",
            ));
        }
        simulation::resolve(
            sim,
            simulation::Manifests {
                deployments,
                services,
                hpas,
            },
            base_dir,
            default_name,
        )
    }
}
