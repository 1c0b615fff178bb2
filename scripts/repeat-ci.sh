#!/usr/bin/env bash
# The suite's determinism check: runs CI (`CI=true bash .ci/run`) N times in a row on a fresh clone
# of this repository at COMMIT, beside two CPU hogs (`yes >/dev/null`, started and ended here by
# their PIDs), and writes OUTDIR/summary (a line per run: exit code, seconds, vitest's summary,
# load average; the failed tests of a red run) and OUTDIR/runN.log.
#
#   bash scripts/repeat-ci.sh [COMMIT] [N] [OUTDIR]      # defaults: HEAD, 5, /tmp/repeat-ci
#
# Needs root and network for .ci/run's apt-get; takes about 10 minutes a run on 2 cores.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
COMMIT=${1:-$(git -C "$REPO" rev-parse --short HEAD)}
N=${2:-5}
OUT=${3:-/tmp/repeat-ci}
CLONE=$(mktemp -d /tmp/repeat-ci-clone.XXXXXX)
mkdir -p "$OUT"
git clone -q "$REPO" "$CLONE" && git -C "$CLONE" checkout -q "$COMMIT" || { echo "clone failed" >"$OUT/summary"; exit 1; }
yes >/dev/null & H1=$!
yes >/dev/null & H2=$!
trap 'kill $H1 $H2 2>/dev/null; rm -rf "$CLONE"' EXIT
echo "commit $COMMIT, $N runs, start $(date -u +%FT%TZ)" >"$OUT/summary"
strip() { sed 's/\x1b\[[0-9;]*m//g'; }
for i in $(seq 1 "$N"); do
  start=$(date +%s)
  (cd "$CLONE" && CI=true timeout 5400 bash .ci/run </dev/null >"$OUT/run$i.log" 2>&1)
  rc=$?
  files=$(grep -E "Test Files" "$OUT/run$i.log" | tail -1 | strip)
  tests=$(grep -E "Tests .*(passed|failed)" "$OUT/run$i.log" | tail -1 | strip)
  echo "run $i: rc=$rc $(($(date +%s) - start)) s; $files; $tests; load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/summary"
  [ "$rc" -ne 0 ] && grep -E "^ FAIL " "$OUT/run$i.log" | strip | head -20 >>"$OUT/summary"
done
echo "end $(date -u +%FT%TZ)" >>"$OUT/summary"
