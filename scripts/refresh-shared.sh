#!/usr/bin/env bash
# Refreshes the repository's copy of the shared conformance vectors and benchmark
# Snapshots from ../shared (the CEO's shared folder beside the clone), so that a clone
# without ../shared still runs them. Vectors of our own (conformance/upstream/) are kept.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${1:-$here/../shared}"
if [ ! -d "$shared/conformance" ]; then
  echo "no shared folder at $shared (pass its path as the first argument)" >&2
  exit 1
fi
mkdir -p "$here/conformance/shared" "$here/bench/snapshots"
rm -f "$here/conformance/shared/"*.json
cp "$shared/conformance/"*.json "$here/conformance/shared/"
cp "$shared/bench/"*.json "$shared/bench/README.md" "$here/bench/snapshots/"
cp "$shared/spec/snapshot.md" "$here/docs/snapshot-spec.md" 2>/dev/null || true
echo "copied $(ls "$here/conformance/shared" | wc -l) vectors and $(ls "$here/bench/snapshots"/*.json | wc -l) benchmark snapshots"
