#!/usr/bin/env bash
# Installs Prometheus (Debian's package) if `prometheus` is not on PATH. Idempotent.
# The metrics adapter's tests start a real Prometheus server and fail without it.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1; then
    echo "prometheus already installed: $(command -v prometheus)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# The package's service is not needed (the tests start their own server on a free port).
$SUDO apt-get install -y -q --no-install-recommends prometheus

command -v prometheus >/dev/null 2>&1 || { echo "prometheus still not on PATH after install" >&2; exit 1; }
prometheus --version 2>&1 | head -1
