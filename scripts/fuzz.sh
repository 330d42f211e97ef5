#!/usr/bin/env bash
# Fuzzes the parsers and `decide` for a short while (default 30 s per target).
#   scripts/fuzz.sh [SECONDS]
# Installs cargo-fuzz if needed. cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the
# stable toolchain (the only one on our machines) build with them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
# Seed the byte-level target with every conformance Snapshot.
mkdir -p fuzz/corpus/decide_bytes
python3 - <<'PY'
import json, glob, hashlib, os
for path in glob.glob("conformance/**/*.json", recursive=True):
    snap = json.dumps(json.load(open(path))["snapshot"]).encode()
    name = hashlib.sha1(snap).hexdigest()
    with open(os.path.join("fuzz/corpus/decide_bytes", name), "wb") as f:
        f.write(snap)
PY
# Seed the scenario target with the examples.
mkdir -p fuzz/corpus/scenario
cp examples/*.yaml fuzz/corpus/scenario/
for target in parsers decide_structured decide_bytes scenario; do
  echo "== fuzz $target for ${seconds}s"
  (cd fuzz && cargo fuzz run -O "$target" -- -max_total_time="$seconds" -rss_limit_mb=4096 2>&1 | grep -E "^Done|ERROR|panicked|SUMMARY" )
done
