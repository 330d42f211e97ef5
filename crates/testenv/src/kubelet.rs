//! A kubelet stand-in: one Node, and every pod of the cluster played through its life as a
//! kubelet would report it — bound to the node (there is no scheduler), Running after a
//! start delay, Ready after a readiness delay, and removed for good once deleted.
//!
//! Delays are set per pod by annotations on it (and so per Deployment, through its pod
//! template): [`START_AFTER`], [`READY_AFTER`] (Go durations such as `2s`, `500ms`) and
//! [`NEVER_READY`] (`"true"`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher;
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::error::TestEnvError;

/// The Node every pod runs on.
pub const NODE: &str = "testenv-node";
/// Annotation: how long after binding the pod is Running (default 200ms).
pub const START_AFTER: &str = "testenv.alpaca.dev/start-after";
/// Annotation: how long after starting the pod is Ready (default 500ms).
pub const READY_AFTER: &str = "testenv.alpaca.dev/ready-after";
/// Annotation: the pod runs but never becomes Ready.
pub const NEVER_READY: &str = "testenv.alpaca.dev/never-ready";

/// Default delays.
#[derive(Debug, Clone, Copy)]
pub struct KubeletOptions {
    /// From binding to Running.
    pub start_after: Duration,
    /// From Running to Ready.
    pub ready_after: Duration,
}

impl Default for KubeletOptions {
    fn default() -> Self {
        Self {
            start_after: Duration::from_millis(200),
            ready_after: Duration::from_millis(500),
        }
    }
}

/// Parses `500ms`, `2s`, `1m`, `1.5s`.
fn duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (num, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic())?);
    let value: f64 = num.parse().ok()?;
    let secs = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return None,
    };
    (secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

fn delay(pod: &Pod, key: &str, default: Duration) -> Duration {
    pod.annotations()
        .get(key)
        .and_then(|v| duration(v))
        .unwrap_or(default)
}

/// Whether the pod's Ready condition is True.
pub fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn phase(pod: &Pod) -> Option<&str> {
    pod.status.as_ref().and_then(|s| s.phase.as_deref())
}

/// What the stand-in does next for a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Step {
    Remove,
    Bind,
    Start,
    Ready,
}

fn next_step(pod: &Pod) -> Option<Step> {
    if pod.metadata.deletion_timestamp.is_some() {
        return Some(Step::Remove);
    }
    let spec = pod.spec.as_ref()?;
    match (spec.node_name.as_deref(), phase(pod)) {
        (None, _) => Some(Step::Bind),
        (Some(NODE), Some("Running")) if !is_ready(pod) => {
            let never = pod
                .annotations()
                .get(NEVER_READY)
                .is_some_and(|v| v == "true");
            (!never).then_some(Step::Ready)
        }
        (Some(NODE), Some("Running" | "Succeeded" | "Failed")) => None,
        (Some(NODE), _) => Some(Step::Start),
        _ => None,
    }
}

fn status_patch(pod: &Pod, ready: bool) -> serde_json::Value {
    let now = Timestamp::now().to_string();
    let started = pod
        .status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .map(|t| t.0.to_string())
        .unwrap_or_else(|| now.clone());
    let flag = if ready { "True" } else { "False" };
    let containers: Vec<_> = pod
        .spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|c| {
            json!({"name": c.name, "image": c.image, "imageID": "", "ready": ready,
                   "restartCount": 0, "started": true,
                   "state": {"running": {"startedAt": started}}})
        })
        .collect();
    json!({"status": {
        "phase": "Running",
        "hostIP": "10.0.0.2",
        "podIP": "10.0.0.3",
        "startTime": started,
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": started},
            {"type": "Initialized", "status": "True", "lastTransitionTime": started},
            {"type": "ContainersReady", "status": flag, "lastTransitionTime": now},
            {"type": "Ready", "status": flag, "lastTransitionTime": now},
        ],
        "containerStatuses": containers,
    }})
}

/// Creates the Node (Ready, with room for a thousand pods).
async fn ensure_node(client: &kube::Client) -> Result<(), TestEnvError> {
    let nodes: Api<Node> = Api::all(client.clone());
    let node = json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": NODE, "labels": {"kubernetes.io/hostname": NODE}},
        "status": {"capacity": {"cpu": "64", "memory": "256Gi", "pods": "1000"},
                   "allocatable": {"cpu": "64", "memory": "256Gi", "pods": "1000"}}
    });
    let pp = PatchParams::apply("alpaca-testenv-kubelet").force();
    nodes
        .patch(NODE, &pp, &Patch::Apply(&node))
        .await
        .map_err(TestEnvError::kube("creating the Node"))?;
    let status = json!({
        "apiVersion": "v1", "kind": "Node", "metadata": {"name": NODE},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                   "message": "kubelet stand-in",
                                   "lastHeartbeatTime": Timestamp::now().to_string(),
                                   "lastTransitionTime": Timestamp::now().to_string()}]}
    });
    nodes
        .patch_status(NODE, &pp, &Patch::Apply(&status))
        .await
        .map_err(TestEnvError::kube("writing the Node's status"))?;
    Ok(())
}

async fn act(client: kube::Client, pod: Pod, step: Step, options: KubeletOptions) {
    let ns = pod.namespace().unwrap_or_default();
    let name = pod.name_any();
    let pods: Api<Pod> = Api::namespaced(client, &ns);
    let result = match step {
        Step::Remove => pods
            .delete(&name, &DeleteParams::default().grace_period(0))
            .await
            .map(|_| ()),
        Step::Bind => {
            let binding = json!({
                "apiVersion": "v1", "kind": "Binding",
                "metadata": {"name": name, "namespace": ns},
                "target": {"apiVersion": "v1", "kind": "Node", "name": NODE}
            });
            pods.create_subresource::<_, serde_json::Value>(
                "binding",
                &name,
                &PostParams::default(),
                &binding,
            )
            .await
            .map(|_| ())
        }
        Step::Start => {
            tokio::time::sleep(delay(&pod, START_AFTER, options.start_after)).await;
            pods.patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(status_patch(&pod, false)),
            )
            .await
            .map(|_| ())
        }
        Step::Ready => {
            tokio::time::sleep(delay(&pod, READY_AFTER, options.ready_after)).await;
            match pods.get(&name).await {
                Ok(latest) if latest.metadata.deletion_timestamp.is_none() => pods
                    .patch_status(
                        &name,
                        &PatchParams::default(),
                        &Patch::Merge(status_patch(&latest, true)),
                    )
                    .await
                    .map(|_| ()),
                _ => Ok(()),
            }
        }
    };
    if let Err(e) = result {
        tracing::debug!(pod = %format!("{ns}/{name}"), ?step, error = %e, "kubelet stand-in step failed");
    }
}

/// Runs the stand-in until the task is dropped: the Node, then every pod of the cluster.
pub async fn run(client: kube::Client, options: KubeletOptions) -> Result<(), TestEnvError> {
    ensure_node(&client).await?;
    let done: Arc<Mutex<HashSet<(String, Step)>>> = Arc::default();
    let pods: Api<Pod> = Api::all(client.clone());
    let mut events = watcher(pods, watcher::Config::default()).boxed();
    while let Some(event) = events.next().await {
        let list = match event {
            Ok(watcher::Event::Apply(p) | watcher::Event::InitApply(p)) => vec![p],
            Ok(_) => continue,
            Err(e) => {
                tracing::debug!(error = %e, "kubelet stand-in watch error");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        for pod in list {
            let Some(step) = next_step(&pod) else {
                continue;
            };
            let key = (pod.uid().unwrap_or_default(), step);
            if !done.lock().expect("kubelet steps").insert(key.clone()) {
                continue;
            }
            let client = client.clone();
            let done = done.clone();
            tokio::spawn(async move {
                act(client, pod, step, options).await;
                // a failed step may be tried again on the pod's next event
                if step == Step::Bind || step == Step::Remove {
                    done.lock().expect("kubelet steps").remove(&key);
                }
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(duration("2s"), Some(Duration::from_secs(2)));
        assert_eq!(duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(duration("1m"), Some(Duration::from_secs(60)));
        assert_eq!(duration("soon"), None);
        assert_eq!(duration("5"), None);
    }

    #[test]
    fn steps() {
        let mut pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "uid": "u"},
            "spec": {"containers": [{"name": "c"}]}
        }))
        .unwrap();
        assert_eq!(next_step(&pod), Some(Step::Bind));
        pod.spec.as_mut().unwrap().node_name = Some(NODE.into());
        assert_eq!(next_step(&pod), Some(Step::Start));
        let status = status_patch(&pod, false)["status"].clone();
        pod.status = Some(serde_json::from_value(status).unwrap());
        assert_eq!(next_step(&pod), Some(Step::Ready));
        let status = status_patch(&pod, true)["status"].clone();
        pod.status = Some(serde_json::from_value(status).unwrap());
        assert_eq!(next_step(&pod), None);
        pod.metadata.deletion_timestamp = Some(
            k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(Timestamp::now()),
        );
        assert_eq!(next_step(&pod), Some(Step::Remove));
    }
}
