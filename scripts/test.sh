#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine: installs what the tests need
# (etcd for the real control plane, Prometheus for the adapter's backend tests), then runs
# every test of the workspace. The conformance vectors run first, printing how many passed.
#
# The real-control-plane tests (alpaca-testenv) take kube-apiserver and
# kube-controller-manager from $KUBEBUILDER_ASSETS, else ../shared/k8s/bin. Here they must
# run, not skip: ALPACA_TESTENV_REQUIRED=1 fails them when no control plane can be started
# (set it to 0 to let them skip, loudly, on a machine without the binaries or root).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
export ALPACA_TESTENV_REQUIRED="${ALPACA_TESTENV_REQUIRED:-1}"
# The test targets are built once here, so incremental compilation's caches only cost time
# (18% of the CPU time of building the workspace's tests, docs/building.md). Only the test
# profile: the libraries the README's first command built stay as they are.
export CARGO_PROFILE_TEST_INCREMENTAL="${CARGO_PROFILE_TEST_INCREMENTAL:-false}"

echo "== conformance vectors (conformance/)"
cargo test --workspace --test conformance -- --nocapture 2>&1 | grep -E "^conformance:|test result|panicked|failed" || true
echo "== build every test"
cargo test --workspace --no-run
echo "== all tests"
cargo test --workspace
