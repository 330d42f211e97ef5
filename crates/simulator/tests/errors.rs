//! Invalid scenarios are refused with the document, the field and the problem.

use alpaca_sim::Scenario;

const BASE: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, resources: {requests: {cpu: 200m}}}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
---
kind: Simulation
metadata: {name: t}
spec:
  duration: 5m
  load: [{name: users, service: web, rate: {constant: 10}}]
"#;

fn err(text: &str) -> String {
    Scenario::parse(text, None, "t").unwrap_err().to_string()
}

#[test]
fn the_base_is_valid() {
    Scenario::parse(BASE, None, "t").unwrap();
}

#[test]
fn names_document_field_and_problem() {
    let e = err(&BASE.replace("maxReplicas: 5", "maxReplicas: 0"));
    assert!(
        e.starts_with("document 3 (HorizontalPodAutoscaler/web): spec.maxReplicas: "),
        "{e}"
    );

    let e = err(&BASE.replace("service: web, rate", "service: wbe, rate"));
    assert!(
        e.starts_with("document 4 (Simulation/t): spec.load[0].service: no Service \"wbe\""),
        "{e}"
    );

    let e = err(&BASE.replace("duration: 5m", "duration: 5m\n  sead: 3"));
    assert!(
        e.contains("document 4 (Simulation/t)") && e.contains("unknown field `sead`"),
        "{e}"
    );

    let e = err(&BASE.replace("rate: {constant: 10}", "rate: {sin: 10}"));
    assert!(
        e.contains("spec.load[0].rate") && e.contains("unknown variant `sin`"),
        "{e}"
    );

    let e = err(&BASE.replace("cpu: 200m", "cpu: 2x"));
    assert!(
        e.starts_with(
            "document 1 (Deployment/web): spec.template.spec.containers[0].resources.requests.cpu: "
        ),
        "{e}"
    );

    let e = err(&BASE.replace(
        "name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}",
        "name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}",
    ));
    assert!(
        e.contains("spec.scaleTargetRef: no Deployment \"api\""),
        "{e}"
    );

    let e = err(&BASE.replace("kind: Service", "kind: Servce"));
    assert!(e.starts_with("document 2 (Servce/web): kind: "), "{e}");

    let e = err(&BASE.replace("duration: 5m", "duration: -5m"));
    assert!(e.contains("spec.duration") && e.contains("negative"), "{e}");
}

#[test]
fn whole_file_problems() {
    assert!(err("").contains("no documents"));
    assert!(
        err(&BASE.replace("kind: Simulation", "kind: ConfigMap")).contains("no `kind: Simulation`")
    );
    assert!(err("kind: [").contains("not valid YAML"));
}

#[test]
fn no_panic_on_garbage() {
    for text in [
        "---\n- 1\n",
        "kind: 3\n",
        "kind: Deployment\n",
        "kind: Simulation\nspec: 1\n",
        "\u{0}",
        "kind: HorizontalPodAutoscaler\nmetadata: {name: x}\nspec: {}\n",
    ] {
        let _ = Scenario::parse(text, None, "t");
    }
}
