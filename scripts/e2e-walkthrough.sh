#!/usr/bin/env bash
# The Kubernetes HPA walkthrough (php-apache) against the cluster KUBECONFIG names, with
# Alpaca as the HPA controller: installs Alpaca (HPA mode, or CRD mode with MODE=crd),
# deploys php-apache and its HPA, puts load on it, waits for Alpaca to scale it up, stops
# the load, and shows `alpaca explain`.
#
#   KUBECONFIG=~/.kube/config scripts/e2e-walkthrough.sh
#   MODE=crd IMAGE=alpaca:latest SCALE_UP_TIMEOUT=300 scripts/e2e-walkthrough.sh
#
# Needs: kubectl, a cluster with metrics-server, the image loaded in the cluster (see
# docs/controller.md), and in HPA mode a kube-controller-manager whose built-in HPA
# controller is off (--controllers=*,-horizontalpodautoscaling). Exits 0 with a
# "skipped" message when there is no cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${MODE:-hpa}"
IMAGE="${IMAGE:-alpaca:latest}"
NS="${NS:-alpaca-e2e}"
SCALE_UP_TIMEOUT="${SCALE_UP_TIMEOUT:-300}"
KEEP="${KEEP:-}"

skip() {
  echo "skipped: $1"
  exit 0
}

[ -n "${KUBECONFIG:-}" ] || skip "no cluster (KUBECONFIG unset or unreachable)"
command -v kubectl >/dev/null || skip "no cluster (kubectl is not installed)"
kubectl version --request-timeout=5s >/dev/null 2>&1 \
  || skip "no cluster (KUBECONFIG unset or unreachable)"

step() { printf '\n==> %s\n' "$*"; }

cleanup() {
  if [ -z "$KEEP" ]; then
    step "cleaning up (KEEP=1 keeps everything)"
    kubectl delete namespace "$NS" --ignore-not-found --wait=false >/dev/null || true
  fi
}
trap cleanup EXIT

step "installing Alpaca ($MODE mode, image $IMAGE)"
if [ "$MODE" = crd ]; then
  kubectl apply -f deploy/crd.yaml
  kubectl wait --for=condition=Established crd/horizontalpodautoscalers.alpaca.dev --timeout=60s
fi
kubectl apply -f deploy/controller.yaml
kubectl -n alpaca-system set image deployment/alpaca-controller controller="$IMAGE"
kubectl -n alpaca-system set env deployment/alpaca-controller ALPACA_MODE="$MODE"
kubectl -n alpaca-system rollout status deployment/alpaca-controller --timeout=180s

step "deploying php-apache in namespace $NS"
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f -
kubectl -n "$NS" apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: php-apache}
spec:
  selector: {matchLabels: {run: php-apache}}
  template:
    metadata: {labels: {run: php-apache}}
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports: [{containerPort: 80}]
        resources: {limits: {cpu: 500m}, requests: {cpu: 200m}}
---
apiVersion: v1
kind: Service
metadata: {name: php-apache, labels: {run: php-apache}}
spec:
  ports: [{port: 80}]
  selector: {run: php-apache}
YAML
kubectl -n "$NS" rollout status deployment/php-apache --timeout=180s

step "creating the autoscaler (cpu 50%, 1..10 replicas)"
if [ "$MODE" = crd ]; then
  KIND=horizontalpodautoscalers.alpaca.dev
  kubectl -n "$NS" apply -f - <<'YAML'
apiVersion: alpaca.dev/v1
kind: HorizontalPodAutoscaler
metadata: {name: php-apache}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
YAML
else
  KIND=hpa
  kubectl -n "$NS" autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10
fi

step "waiting for Alpaca to write the autoscaler's status"
for _ in $(seq 1 60); do
  if [ -n "$(kubectl -n "$NS" get "$KIND" php-apache -o jsonpath='{.status.conditions}' 2>/dev/null)" ]; then
    break
  fi
  sleep 2
done
kubectl -n "$NS" get "$KIND" php-apache

step "increasing the load"
kubectl -n "$NS" run load-generator --image=busybox:1.28 --restart=Never -- \
  /bin/sh -c "while sleep 0.01; do wget -q -O- http://php-apache; done"

step "waiting up to ${SCALE_UP_TIMEOUT}s for a scale-up"
replicas=1
deadline=$((SECONDS + SCALE_UP_TIMEOUT))
while [ "$SECONDS" -lt "$deadline" ]; do
  replicas="$(kubectl -n "$NS" get deployment php-apache -o jsonpath='{.spec.replicas}')"
  kubectl -n "$NS" get "$KIND" php-apache --no-headers || true
  [ "${replicas:-1}" -gt 1 ] && break
  sleep 10
done

step "stopping the load"
kubectl -n "$NS" delete pod load-generator --wait=false

if [ "$MODE" = hpa ]; then
  kubectl -n "$NS" describe hpa php-apache | sed -n '/Conditions:/,$p'
fi
if command -v alpaca >/dev/null || [ -x target/release/alpaca ] || [ -x target/debug/alpaca ]; then
  ALPACA="$(command -v alpaca || ls target/release/alpaca target/debug/alpaca 2>/dev/null | head -1)"
  step "alpaca explain"
  "$ALPACA" explain -n "$NS" --mode "$MODE" php-apache || true
fi

if [ "${replicas:-1}" -gt 1 ]; then
  echo "PASS: Alpaca scaled php-apache to $replicas replicas"
else
  echo "FAIL: php-apache was not scaled up within ${SCALE_UP_TIMEOUT}s"
  exit 1
fi
