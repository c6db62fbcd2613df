#!/usr/bin/env bash
# tools/bench/tito_status_time.sh — how long `tito module status` takes.
#
# Runs it RUNS times (default 20) in the workspace you are in, after one
# warm-up run, and prints the mean wall-clock time per run. status reads the
# manifest, the progress file and hashes the student files; it runs no CMake
# and no test, so it should answer in a few milliseconds (the aim is under
# 100 ms on a built tree).
#   usage: tools/bench/tito_status_time.sh [RUNS] [TITO]
set -euo pipefail
runs=${1:-20}
tito=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/release/bin/tito}
"$tito" module status >/dev/null
start=$(date +%s%N)
for _ in $(seq "$runs"); do "$tito" module status >/dev/null; done
end=$(date +%s%N)
echo "tito module status: $(( (end - start) / runs / 1000 )) µs per run (mean of $runs runs)"
