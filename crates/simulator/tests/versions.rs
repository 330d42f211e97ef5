//! A scenario whose HPA is written in the removed `autoscaling/v2beta2` or `v2beta1`
//! simulates exactly as the same scenario written in `autoscaling/v2` (or `v1`): the watch
//! lines, the timelines, `kubectl describe` and the summary are byte-identical.

use std::path::{Path, PathBuf};

use alpaca_sim::report::{describe, summary, timeline};
use alpaca_sim::{Lines, Options, Scenario, run};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(example(name)).unwrap()
}

/// Everything a simulation prints or writes, as one text.
fn output(text: &str) -> String {
    let scenario = Scenario::parse(text, None, "twin").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let options = Options {
        record: true,
        explain_at: None,
        ..Options::default()
    };
    let mut lines = Lines::default();
    let o = run(&scenario, &options, &mut lines).unwrap();
    let mut out = lines.0.join("\n");
    for h in &o.hpas {
        out.push_str(&describe::describe(&h.object, &h.events, o.duration));
        out.push_str(&summary::hpa_summary(h, o.duration));
    }
    out.push_str(&timeline::csv(&o));
    out.push_str(&timeline::json(&o));
    out
}

/// The scenario with the HPA document named `name` replaced.
fn with_hpa(text: &str, name: &str, hpa: &str) -> String {
    let docs: Vec<&str> = text.split("\n---\n").collect();
    let i = docs
        .iter()
        .position(|d| {
            d.contains("kind: HorizontalPodAutoscaler") && d.contains(&format!("  name: {name}\n"))
        })
        .unwrap_or_else(|| panic!("no HPA {name}"));
    let mut docs: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    docs[i] = hpa.trim_end().to_string();
    docs.join("\n---\n")
}

fn assert_same(twin: &str, original: &str) {
    let (a, b) = (output(twin), output(original));
    assert!(!a.is_empty());
    assert!(a == b, "outputs differ:\n{a}\n----\n{b}");
}

fn notes(text: &str) -> Vec<String> {
    let scenario = Scenario::parse(text, None, "twin").unwrap();
    scenario
        .hpas
        .iter()
        .filter_map(|h| h.note.clone())
        .collect()
}

const CUSTOM_METRIC_V2BETA1: &str = "
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata:
  name: sample-app
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: sample-app
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Object
    object:
      target:
        apiVersion: v1
        kind: Service
        name: kubernetes
      metricName: test-metric
      targetValue: 300m
";

#[test]
fn the_articles_v2beta2_custom_metric_simulates_as_its_v2_twin() {
    let v2 = read("custom-metric.yaml");
    let v2beta2 = v2.replacen(
        "apiVersion: autoscaling/v2\n",
        "apiVersion: autoscaling/v2beta2\n",
        1,
    );
    assert_same(&v2beta2, &v2);
    assert_eq!(
        notes(&v2beta2),
        vec![
            "HorizontalPodAutoscaler \"sample-app\": autoscaling/v2beta2 is no longer served (removed in Kubernetes 1.26): read as autoscaling/v2, converted as the API server converted it"
        ]
    );
    assert!(notes(&v2).is_empty());
}

#[test]
fn the_v2beta2_example_is_the_v2_example_with_its_articles_hpa() {
    let example = read("custom-metric-v2beta2.yaml");
    assert!(example.contains("apiVersion: autoscaling/v2beta2\n"));
    // Only the Simulation's name and title differ, and the JSON timeline names it.
    let renamed = example
        .replace(
            "name: custom-metric-v2beta2\n",
            "name: custom-metric\n",
        )
        .replace(
            "title: \"The custom-metrics tutorial with the article's autoscaling/v2beta2 HPA\"",
            "title: \"The custom-metrics tutorial: test-metric written to 400m, then back to 100m\"",
        );
    assert_same(&renamed, &read("custom-metric.yaml"));
}

#[test]
fn a_v2beta1_object_metric_simulates_as_v2() {
    let v2 = read("custom-metric.yaml");
    let v2beta1 = with_hpa(&v2, "sample-app", CUSTOM_METRIC_V2BETA1);
    assert_same(&v2beta1, &v2);
    assert!(
        notes(&v2beta1)[0]
            .contains("autoscaling/v2beta1 is no longer served (removed in Kubernetes 1.25)")
    );
}

#[test]
fn kubectl_autoscale_in_v2beta1_and_v2beta2_simulates_as_v1() {
    let v1 = read("php-apache.yaml");
    let head = "apiVersion: {version}\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: php-apache\n\
                spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}\n  \
                minReplicas: 1\n  maxReplicas: 10\n  metrics:\n  - type: Resource\n";
    let v2beta1 = head.replace("{version}", "autoscaling/v2beta1")
        + "    resource: {name: cpu, targetAverageUtilization: 50}\n";
    let v2beta2 = head.replace("{version}", "autoscaling/v2beta2")
        + "    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n";
    assert_same(&with_hpa(&v1, "php-apache", &v2beta1), &v1);
    assert_same(&with_hpa(&v1, "php-apache", &v2beta2), &v1);
}

#[test]
fn v2beta1_resource_pods_and_object_metrics_simulate_as_v2() {
    let v2 = read("multi-metric.yaml");
    let v2beta1 = "
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata:
  name: php-apache
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, targetAverageUtilization: 50}
  - type: Pods
    pods: {metricName: packets-per-second, targetAverageValue: 1k}
  - type: Object
    object:
      metricName: requests-per-second
      target: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main-route}
      targetValue: 10k
";
    assert_same(&with_hpa(&v2, "php-apache", v2beta1), &v2);
}

#[test]
fn a_v2beta1_external_metric_simulates_as_v2() {
    let v2 = read("queue-worker.yaml");
    let v2beta1 = "
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata:
  name: queue-worker
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: queue-worker}
  minReplicas: 1
  maxReplicas: 20
  metrics:
  - type: External
    external:
      metricName: queue_messages_ready
      metricSelector:
        matchLabels: {queue: worker_tasks}
      targetAverageValue: 30
";
    assert_same(&with_hpa(&v2, "queue-worker", v2beta1), &v2);
}

#[test]
fn behavior_in_v2beta2_and_in_v2beta1s_annotation_simulates_as_v2() {
    let v2 = read("flapping.yaml");
    let v2beta2 = v2.replace(
        "apiVersion: autoscaling/v2\n",
        "apiVersion: autoscaling/v2beta2\n",
    );
    assert_same(&v2beta2, &v2);
    let v2beta1 = "
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata:
  name: twitchy
  annotations:
    autoscaling.alpha.kubernetes.io/behavior: '{\"scaleDown\":{\"stabilizationWindowSeconds\":0},\"scaleUp\":{\"stabilizationWindowSeconds\":0}}'
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: twitchy}
  minReplicas: 1
  maxReplicas: 20
  metrics:
  - type: Resource
    resource: {name: cpu, targetAverageUtilization: 50}
";
    assert_same(&with_hpa(&v2, "twitchy", v2beta1), &v2);
}

#[test]
fn a_bad_v2beta1_hpa_is_refused_at_the_field_written() {
    let v2 = read("custom-metric.yaml");
    let bad = with_hpa(
        &v2,
        "sample-app",
        &CUSTOM_METRIC_V2BETA1.replace(
            "targetValue: 300m",
            "targetValue: 300m\n      averageValue: -1",
        ),
    );
    let e = Scenario::parse(&bad, None, "bad").unwrap_err().to_string();
    assert!(
        e.contains("spec.metrics[0].object.averageValue: \"-1\": must be positive"),
        "{e}"
    );
}
