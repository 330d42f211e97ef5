#!/usr/bin/env bash
# Load benchmark of the metrics adapter on loopback: GET of a 100-pod metric list
# (/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/*/rps?labelSelector=app=web),
# with wrk, over plain HTTP (insecure mode) and HTTPS (generated certificate, anonymous auth).
#
#   crates/adapter/benches/load.sh [DURATION_SECONDS] [CONNECTIONS] [WRK_THREADS]
#
# Needs wrk (apt-get install -y wrk). Prints wrk's report (requests/s, latency percentiles),
# the server's CPU time per request and the load average.
set -euo pipefail

DURATION="${1:-10}"
CONNS="${2:-64}"
THREADS="${3:-1}"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release -q -p alpaca-adapter --example adapter_serve
BIN="$ROOT/target/release/examples/adapter_serve"
PATH_Q='/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/*/rps?labelSelector=app%3Dweb'

run_one() {
    local mode="$1" port="$2"; shift 2
    "$BIN" --bind-address 127.0.0.1 --secure-port "$port" --enable-write --write-port $((port + 1)) "$@" &
    local pid=$!
    trap 'kill $pid 2>/dev/null || true' RETURN
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$((port + 1))/healthz" >/dev/null && break
        sleep 0.1
    done
    for i in $(seq 1 100); do
        curl -sf -X POST "http://127.0.0.1:$((port + 1))/write-metrics/namespaces/bench/pods/web-$i/rps?objectLabels=app=web" \
            --data-raw "\"${i}00m\"" >/dev/null
    done
    local scheme=http
    [ "$mode" = https ] && scheme=https
    local items
    items=$(curl -sk "$scheme://127.0.0.1:$port$PATH_Q" | grep -o '"describedObject"' | wc -l)
    local bytes
    bytes=$(curl -sk "$scheme://127.0.0.1:$port$PATH_Q" | wc -c)
    echo "== $mode: $items items, $bytes bytes per response, $CONNS connections, $THREADS wrk threads, ${DURATION}s"
    # The server's CPU time per request (user + system, from /proc): unlike requests/s, it
    # hardly depends on what else runs on the machine, so builds compare on a shared machine.
    local ticks0 ticks1 out reqs
    ticks0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$scheme://127.0.0.1:$port$PATH_Q")
    ticks1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    echo "$out"
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "server CPU per request: $(( (ticks1 - ticks0) * 1000000 / $(getconf CLK_TCK) / reqs )) us (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    kill $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
}

run_one http 18080 --insecure-serve-http
run_one https 18443 --anonymous-auth --delegated-authorization=false
