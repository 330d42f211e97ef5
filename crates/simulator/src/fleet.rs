//! A synthetic fleet for benchmarks and scale tests: `n` Deployments, each with a Service,
//! an HPA (cpu 50%, 1 to 20 replicas) and a sine-wave load sized so that it needs between
//! 1 and 20 pods over a day.

use std::fmt::Write;

/// The scenario text of a fleet of `hpas` HPAs over `duration` (a Go duration string).
pub fn scenario(hpas: usize, duration: &str) -> String {
    let mut s = String::new();
    for i in 0..hpas {
        let _ = write!(
            s,
            "apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}}}}}
    spec: {{containers: [{{name: app, image: app, resources: {{requests: {{cpu: 200m}}, limits: {{cpu: '1'}}}}}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{i}}}
spec: {{selector: {{app: app-{i}}}, ports: [{{port: 80}}]}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: app-{i}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{i}}}
  minReplicas: 1
  maxReplicas: 20
  metrics: [{{type: Resource, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 50}}}}}}]
---
"
        );
    }
    let _ = write!(
        s,
        "kind: Simulation\nmetadata: {{name: fleet-{hpas}}}\nspec:\n  duration: {duration}\n  workloads:\n"
    );
    for i in 0..hpas {
        let _ = writeln!(
            s,
            "  - {{deployment: app-{i}, cpuPerRequest: 10ms, startupTime: 10s, readinessDelay: 5s, shutdownTime: 10s}}"
        );
    }
    s.push_str("  load:\n");
    for i in 0..hpas {
        // Peak pods between 2 and 20 (10 req/s × 10ms = 100m: 50% of a 200m request per
        // pod), period between 2h and 24h, phases spread out.
        let peak_pods = 2 + (i * 7) % 19;
        let amplitude = peak_pods as f64 * 10.0 / 2.0;
        let period_h = 2 + (i * 5) % 23;
        let phase_m = (i * 37) % (period_h * 60);
        let _ = writeln!(
            s,
            "  - {{name: users-{i}, service: app-{i}, noise: 0.05, rate: {{sine: {{base: {amplitude}, amplitude: {amplitude}, period: {period_h}h, phase: {phase_m}m}}}}}}"
        );
    }
    s
}
