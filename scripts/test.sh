#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine: installs what the tests need
# (Prometheus for the adapter's backend tests), then runs every test of the workspace.
# The conformance vectors run first, printing how many passed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x scripts/install-prometheus.sh ]; then
  scripts/install-prometheus.sh
fi

echo "== conformance vectors (conformance/)"
cargo test -p alpaca-engine --test conformance -- --nocapture 2>&1 | grep -E "^conformance:|test result|panicked|failed" || true
echo "== all tests"
cargo test --workspace
