#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, from Debian's packages,
# when it is missing (idempotent):
#   - etcd-server: the real control plane's store (kube-apiserver runs on it);
#   - prometheus: the metrics adapter's Prometheus backend tests;
#   - iproute2 (`ip`): the network namespace that aggregated API servers listen in.
# kube-apiserver and kube-controller-manager come from $KUBEBUILDER_ASSETS or ../shared/k8s/bin.
set -euo pipefail

missing=()
command -v etcd >/dev/null 2>&1 || [ -x /usr/bin/etcd ] || missing+=(etcd-server)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || missing+=(iproute2)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "test dependencies already installed (etcd, prometheus, ip)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing ${missing[*]} from Debian's packages"
$SUDO apt-get update -q
# The packages' own services are not needed: the tests start their own servers on free ports.
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts the etcd service on install; the tests run their own.
$SUDO systemctl disable --now etcd >/dev/null 2>&1 || true
$SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
command -v prometheus >/dev/null 2>&1 || { echo "prometheus still not on PATH after install" >&2; exit 1; }
[ -x /usr/bin/etcd ] || command -v etcd >/dev/null 2>&1 || { echo "etcd still missing after install" >&2; exit 1; }
